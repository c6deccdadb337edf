using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>What one KL-sparsity evaluation found: the penalty and the spread of ρ̂ over units.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct KlSums(double Value, float MeanRhoHat, float MinRhoHat, float MaxRhoHat);

/// <summary>Ng's KL-divergence sparsity penalty: value and the per-unit gradient term in one go.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class KlDivergence
{
    /// <summary>
    /// ρ̂_j = (1/B)·Σ_b a[b, j] (tanh: (1 + that)/2), value β·Σ_j KL(ρ‖ρ̂_j), and
    /// unitTerm[j] = (β/B)·(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)) (times ½ when rescaled from tanh) — the term the backward
    /// kernel adds to every row of the layer's incoming gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static KlSums Compute(ReadOnlySpan<float> a, int batch, int units, float rho, float beta, bool tanhRescaled, Span<float> unitTerm)
    {
        if (unitTerm.Length < units) ThrowHelper.KernelSpan(nameof(unitTerm), units, unitTerm.Length);
        Span<float> term = unitTerm.Slice(0, units);
        Gemm.ColumnSums(batch, units, a, term, default, 0, 0);
        double value = 0, sumRho = 0;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        double p = rho, scale = beta / (double)batch * (tanhRescaled ? 0.5 : 1.0);
        for (int j = 0; j < units; j++)
        {
            double q = term[j] / (double)batch;
            if (tanhRescaled) q = (1 + q) / 2;
            value += p * Math.Log(p / q) + (1 - p) * Math.Log((1 - p) / (1 - q));
            term[j] = (float)(scale * (-p / q + (1 - p) / (1 - q)));
            sumRho += q;
            min = Math.Min(min, (float)q);
            max = Math.Max(max, (float)q);
        }
        return new KlSums(beta * value, units == 0 ? 0 : (float)(sumRho / units), min, max);
    }
}
