using System;
using System.Numerics;

namespace Compiled.Kernels;

/// <summary>
/// Counts, per unit, the training samples on which a layer's output was non-zero over a window of samples; when the
/// window is full it records the <see cref="FiringWindow"/> (dead units, firing-frequency histogram) and starts the next.
/// Updated by training calls only (they are exclusive), read when a sparsity report is published.
/// </summary>
public sealed class FiringCounter
{
    private readonly long[] _fired;
    private long _samples, _window;

    /// <summary>A counter for <paramref name="units"/> units over windows of <paramref name="window"/> samples.</summary>
    public FiringCounter(int units, long window)
    {
        _fired = new long[units];
        Window = window;
    }

    /// <summary>The window in samples (≥ 1); setting it restarts the current window.</summary>
    public long Window
    {
        get => _window;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "The window must be at least 1 sample.");
            _window = value;
            _samples = 0;
            Array.Clear(_fired);
        }
    }

    /// <summary>The last completed window (Samples = 0 before the first completes).</summary>
    public FiringWindow Last { get; private set; }

    /// <summary>Counts a batch of activations [batch, units]; completes the window when it reaches its size.</summary>
    public void Observe<T>(ReadOnlySpan<T> a, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int units = _fired.Length;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<T> row = a.Slice(b * units, units);
            for (int j = 0; j < units; j++)
                if (row[j] != T.Zero) _fired[j]++;
        }
        _samples += batch;
        if (_samples >= _window) Complete();
    }

    private void Complete()
    {
        Span<int> buckets = stackalloc int[FiringHistogram.Count];
        int dead = 0;
        foreach (long n in _fired)
        {
            double f = (double)n / _samples;
            int bucket = n == 0 ? 0 : f < 1e-5 ? 1 : f < 1e-4 ? 2 : f < 1e-3 ? 3 : f < 1e-2 ? 4 : f < 1e-1 ? 5 : 6;
            buckets[bucket]++;
            if (n == 0) dead++;
        }
        Last = new FiringWindow(_samples, dead, new FiringHistogram(buckets[0], buckets[1], buckets[2], buckets[3], buckets[4], buckets[5], buckets[6]));
        _samples = 0;
        Array.Clear(_fired);
    }
}
