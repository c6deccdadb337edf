using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// Keras' weight constraints on a weight matrix W [rows, cols] (row-major, rows = the layer's units), applied after an
/// update: each vector — a row (<c>perColumn</c> false: a unit's incoming weights) or a column (true: an input's
/// outgoing weights) — is rescaled by desired/(ε + ‖w‖), ε = 1e−7 (Keras' <c>backend.epsilon()</c>); and the gradient
/// projection of OpenAI's unit-norm decoder. Norms are accumulated in double.
/// </summary>
public static class Constraints
{
    /// <summary>Keras' <c>backend.epsilon()</c>, added to every norm before dividing.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>UnitNorm: w ← w / (ε + ‖w‖).</summary>
    public static void UnitNorm<T>(Span<T> w, int rows, int cols, bool perColumn, Span<double> norms) where T : unmanaged, IFloatingPointIeee754<T>
        => Rescale(w, rows, cols, perColumn, norms, static (n, _, _, _) => 1.0);

    /// <summary>MaxNorm(c): w ← w·clip(‖w‖, 0, c) / (ε + ‖w‖).</summary>
    public static void MaxNorm<T>(Span<T> w, int rows, int cols, bool perColumn, double maxValue, Span<double> norms) where T : unmanaged, IFloatingPointIeee754<T>
        => Rescale(w, rows, cols, perColumn, norms, static (n, _, max, _) => Math.Clamp(n, 0, max), 0, maxValue);

    /// <summary>MinMaxNorm(min, max, rate): w ← w·(rate·clip(‖w‖, min, max) + (1 − rate)·‖w‖) / (ε + ‖w‖).</summary>
    public static void MinMaxNorm<T>(Span<T> w, int rows, int cols, bool perColumn, double minValue, double maxValue, double rate, Span<double> norms)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Rescale(w, rows, cols, perColumn, norms, static (n, min, max, rate) => rate * Math.Clamp(n, min, max) + (1 - rate) * n, minValue, maxValue, rate);

    /// <summary>NonNeg: w ← w·[w ≥ 0].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NonNeg<T>(Span<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < w.Length; i++)
            if (!(w[i] >= T.Zero)) w[i] = T.Zero;
    }

    /// <summary>
    /// OpenAI's decoder gradient adjustment: for each column d_i of <paramref name="w"/> and its gradient g_i,
    /// g_i ← g_i − (d_iᵀg_i)·d_i / ‖d_i‖² (with unit-norm columns, the projection onto the plane orthogonal to d_i).
    /// A zero column leaves its gradient unchanged.
    /// </summary>
    public static void ProjectColumns<T>(ReadOnlySpan<T> w, Span<T> g, int rows, int cols, Span<double> dots, Span<double> norms)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(w.Length, rows, cols, nameof(w));
        Check(g.Length, rows, cols, nameof(g));
        if (dots.Length < cols) ThrowHelper.KernelSpan(nameof(dots), cols, dots.Length);
        if (norms.Length < cols) ThrowHelper.KernelSpan(nameof(norms), cols, norms.Length);
        dots.Slice(0, cols).Clear();
        norms.Slice(0, cols).Clear();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double x = double.CreateTruncating(w[r * cols + c]);
                dots[c] += x * double.CreateTruncating(g[r * cols + c]);
                norms[c] += x * x;
            }
        for (int c = 0; c < cols; c++) dots[c] = norms[c] > 0 ? dots[c] / norms[c] : 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                g[r * cols + c] -= T.CreateTruncating(dots[c] * double.CreateTruncating(w[r * cols + c]));
    }

    private static void Rescale<T>(Span<T> w, int rows, int cols, bool perColumn, Span<double> norms, Func<double, double, double, double, double> desired,
        double min = 0, double max = 0, double rate = 1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(w.Length, rows, cols, nameof(w));
        int n = perColumn ? cols : rows;
        if (norms.Length < n) ThrowHelper.KernelSpan(nameof(norms), n, norms.Length);
        norms.Slice(0, n).Clear();
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double x = double.CreateTruncating(w[r * cols + c]);
                norms[perColumn ? c : r] += x * x;
            }
        for (int i = 0; i < n; i++)
        {
            double norm = Math.Sqrt(norms[i]);
            norms[i] = desired(norm, min, max, rate) / (Epsilon + norm);
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                w[r * cols + c] = T.CreateTruncating(double.CreateTruncating(w[r * cols + c]) * norms[perColumn ? c : r]);
    }

    private static void Check(int length, int rows, int cols, string name)
    {
        long n = (long)rows * cols;
        if (length < n) ThrowHelper.KernelSpan(name, n, length);
    }
}
