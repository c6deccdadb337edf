using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// The decoder-weighted L1 activity penalty (Anthropic, April 2024): λ·(1/B)·Σ_b Σ_i |a_bi|·‖W_next[:, i]‖₂ for a layer
/// whose output a [batch, units] feeds a Dense layer with weights W_next [out, units]. With c_i = ‖W_next[:, i]‖ and
/// s_i = Σ_b |a_bi|, its value is (λ/B)·Σ_i c_i·s_i; ∂/∂a_bi = (λ/B)·c_i·sign(a_bi); ∂/∂W_next[j, i] = (λ/B)·s_i·W_next[j, i]/c_i
/// (0 where c_i = 0).
/// </summary>
public static class WeightedL1
{
    /// <summary>
    /// c_i into <paramref name="norms"/> and s_i into <paramref name="sums"/> (both [units], double); returns Σ_i c_i·s_i
    /// (the value before λ/B).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Sums<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> next, int batch, int units, int outputs, Span<double> norms, Span<double> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < (long)batch * units) ThrowHelper.KernelSpan(nameof(a), (long)batch * units, a.Length);
        if (next.Length < (long)outputs * units) ThrowHelper.KernelSpan(nameof(next), (long)outputs * units, next.Length);
        if (norms.Length < units) ThrowHelper.KernelSpan(nameof(norms), units, norms.Length);
        if (sums.Length < units) ThrowHelper.KernelSpan(nameof(sums), units, sums.Length);
        norms.Slice(0, units).Clear();
        sums.Slice(0, units).Clear();
        for (int j = 0; j < outputs; j++)
            for (int i = 0; i < units; i++)
            {
                double w = double.CreateTruncating(next[j * units + i]);
                norms[i] += w * w;
            }
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < units; i++) sums[i] += Math.Abs(double.CreateTruncating(a[b * units + i]));
        double value = 0;
        for (int i = 0; i < units; i++)
        {
            norms[i] = Math.Sqrt(norms[i]);
            value += norms[i] * sums[i];
        }
        return value;
    }

    /// <summary>d_bi += coefficient·c_i·sign(a_bi), into the layer's ∂loss/∂a before its activation's derivative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddActivationGradient<T>(ReadOnlySpan<T> a, Span<T> d, int units, ReadOnlySpan<double> norms, T coefficient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (d.Length < a.Length) ThrowHelper.KernelSpan(nameof(d), a.Length, d.Length);
        int rows = a.Length / units;
        for (int b = 0; b < rows; b++)
            for (int i = 0; i < units; i++)
            {
                T x = a[b * units + i];
                if (x != T.Zero) d[b * units + i] += coefficient * T.CreateTruncating(norms[i]) * T.CreateTruncating(T.Sign(x));
            }
    }

    /// <summary>g[j, i] += coefficient·s_i·W[j, i]/c_i for the next layer's weight gradient g [out, units].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddWeightGradient<T>(ReadOnlySpan<T> next, Span<T> gradient, int units, int outputs, ReadOnlySpan<double> norms, ReadOnlySpan<double> sums,
        T coefficient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradient.Length < (long)outputs * units) ThrowHelper.KernelSpan(nameof(gradient), (long)outputs * units, gradient.Length);
        double c = double.CreateTruncating(coefficient);
        for (int j = 0; j < outputs; j++)
            for (int i = 0; i < units; i++)
                if (norms[i] > 0) gradient[j * units + i] += T.CreateTruncating(c * sums[i] / norms[i] * double.CreateTruncating(next[j * units + i]));
    }
}
