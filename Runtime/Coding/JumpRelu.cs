using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// JumpReLU f(z) = z·H(z − θ) with a learnable threshold θ_j = exp(logθ_j) &gt; 0 per unit, and the L0 penalty
/// λ·(1/B)·Σ H(z − θ), with the straight-through estimators of SAELens (<c>jumprelu_sae.py</c>): the rectangle kernel
/// K(u) = [−½ &lt; u &lt; ½] of width ε (the bandwidth) gives
/// ∂f/∂θ = −(θ/ε)·K((z − θ)/ε) and ∂H(z − θ)/∂θ = −(1/ε)·K((z − θ)/ε); z receives H(z − θ) from f and nothing from the
/// penalty. θ is stored as log θ, so its gradient is θ·∂/∂θ.
/// </summary>
public static class JumpRelu
{
    /// <summary>a = z·[z &gt; θ] per row of <paramref name="z"/> [batch, units] (z and a may be the same span).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<T>(ReadOnlySpan<T> z, Span<T> a, ReadOnlySpan<T> logThreshold, int units) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < z.Length) ThrowHelper.KernelSpan(nameof(a), z.Length, a.Length);
        if (logThreshold.Length < units) ThrowHelper.KernelSpan(nameof(logThreshold), units, logThreshold.Length);
        int rows = z.Length / units;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < units; j++)
            {
                T x = z[r * units + j];
                a[r * units + j] = x > T.Exp(logThreshold[j]) ? x : T.Zero;
            }
    }

    /// <summary>
    /// The backward step. On entry <paramref name="d"/> holds ∂loss/∂a; with g = ∂loss/∂a + l1·sign(a) + 2·l2·a (the
    /// activity penalties on a), on exit it holds ∂loss/∂z = g·[z &gt; θ], and <paramref name="logThresholdGradient"/>
    /// [units] is overwritten with ∂loss/∂logθ_j = Σ_b −θ_j·K((z_bj − θ_j)/ε)/ε·(θ_j·g_bj + l0), where
    /// <paramref name="l0"/> is the L0 penalty's coefficient per row (λ/B; 0 without the penalty).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> d, ReadOnlySpan<T> logThreshold, Span<T> logThresholdGradient,
        int units, T bandwidth, T l1, T l2, T l0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < z.Length) ThrowHelper.KernelSpan(nameof(a), z.Length, a.Length);
        if (d.Length < z.Length) ThrowHelper.KernelSpan(nameof(d), z.Length, d.Length);
        if (logThreshold.Length < units) ThrowHelper.KernelSpan(nameof(logThreshold), units, logThreshold.Length);
        if (logThresholdGradient.Length < units) ThrowHelper.KernelSpan(nameof(logThresholdGradient), units, logThresholdGradient.Length);
        int rows = z.Length / units;
        T half = T.CreateTruncating(0.5);
        for (int j = 0; j < units; j++)
        {
            T theta = T.Exp(logThreshold[j]);
            T sum = T.Zero;
            for (int r = 0; r < rows; r++)
            {
                int i = r * units + j;
                T x = z[i], g = d[i];
                if (l1 != T.Zero) g += l1 * T.CreateTruncating(T.Sign(a[i]));
                if (l2 != T.Zero) g += (l2 + l2) * a[i];
                T u = (x - theta) / bandwidth;
                if (u > -half && u < half) sum += theta * g + l0;
                d[i] = x > theta ? g : T.Zero;
            }
            logThresholdGradient[j] = -theta * sum / bandwidth;
        }
    }

    /// <summary>Σ H(z − θ) over <paramref name="z"/> [rows, units]: the active units (the L0 penalty's sum before λ/B).</summary>
    public static long Active<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> logThreshold, int units) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (logThreshold.Length < units) ThrowHelper.KernelSpan(nameof(logThreshold), units, logThreshold.Length);
        long n = 0;
        int rows = z.Length / units;
        for (int j = 0; j < units; j++)
        {
            T theta = T.Exp(logThreshold[j]);
            for (int r = 0; r < rows; r++)
                if (z[r * units + j] > theta) n++;
        }
        return n;
    }

    /// <summary>The initial log-thresholds: log θ₀ for every unit.</summary>
    public static void Initialize<T>(Span<T> logThreshold, double initialThreshold) where T : unmanaged, IFloatingPointIeee754<T>
        => logThreshold.Fill(T.CreateTruncating(Math.Log(initialThreshold)));
}
