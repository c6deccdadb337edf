using System;
using System.Numerics;

namespace Compiled.Kernels;

/// <summary>
/// The sums behind <see cref="ReconstructionQuality"/>, accumulated over any number of batches: Σ‖t − y‖², Σ‖t‖², the
/// per-feature Σt and the rows. Explained variance uses Σ‖t − t̄‖² = Σ‖t‖² − R·‖t̄‖², all in double.
/// </summary>
public sealed class ReconstructionSums
{
    private readonly double[] _targetSums;
    private double _squaredError, _targetSquares;
    private long _rows;

    /// <summary>Sums for rows of <paramref name="size"/> values.</summary>
    public ReconstructionSums(int size) => _targetSums = new double[size];

    /// <summary>Starts over.</summary>
    public void Clear()
    {
        Array.Clear(_targetSums);
        _squaredError = _targetSquares = 0;
        _rows = 0;
    }

    /// <summary>Adds a batch: outputs <paramref name="y"/> and targets <paramref name="t"/>, both [batch, size].</summary>
    public void Add<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> t, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int size = _targetSums.Length;
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < size; j++)
            {
                double tv = double.CreateTruncating(t[b * size + j]), e = tv - double.CreateTruncating(y[b * size + j]);
                _squaredError += e * e;
                _targetSquares += tv * tv;
                _targetSums[j] += tv;
            }
        _rows += batch;
    }

    /// <summary>Adds another accumulation (a chunk of a whole-dataset call).</summary>
    public void Add(ReconstructionSums other)
    {
        for (int j = 0; j < _targetSums.Length; j++) _targetSums[j] += other._targetSums[j];
        _squaredError += other._squaredError;
        _targetSquares += other._targetSquares;
        _rows += other._rows;
    }

    /// <summary>The quality of the rows added so far (NaN where a denominator is 0).</summary>
    public ReconstructionQuality Quality()
    {
        if (_rows == 0) return new ReconstructionQuality(0, double.NaN, double.NaN);
        double mean = 0;
        foreach (double s in _targetSums) mean += s * s;
        double variance = _targetSquares - mean / _rows;
        return new ReconstructionQuality(_rows,
            variance > 0 ? 1 - _squaredError / variance : double.NaN,
            _targetSquares > 0 ? _squaredError / _targetSquares : double.NaN);
    }
}
