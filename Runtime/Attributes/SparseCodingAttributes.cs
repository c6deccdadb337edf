using System;

namespace Compiled;

/// <summary>
/// A TopK code on the Dense layer above (Gao et al. 2024, OpenAI <c>sparse_autoencoder</c>): per row, the k largest
/// pre-activations are kept (ties broken by the lower unit index), the layer's activation is applied to them, every other
/// unit is 0; gradients flow through the kept units only. With <see cref="Batch"/>, BatchTopK (Bussmann et al. 2024): the
/// k·B largest activations of the whole batch are kept; inference then keeps the activations above a threshold learned
/// as an exponential moving average (0.999) of the rows' smallest kept value.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TopKAttribute : Attribute
{
    /// <summary>Keep <paramref name="k"/> units per row (1 ≤ k &lt; units).</summary>
    public TopKAttribute(int k) => K = k;

    /// <summary>Units kept per row (on average over the batch with <see cref="Batch"/>).</summary>
    public int K { get; }

    /// <summary>BatchTopK: keep the k·B largest activations of the batch instead of k per row.</summary>
    public bool Batch { get; set; }
}

/// <summary>
/// The auxiliary loss of a TopK layer for its dead units (Gao et al. 2024): with e = t − y the residual of the
/// reconstruction (held constant), ê = the decoder applied to the top-kAux activations among the dead units alone, the
/// term is Coefficient·‖e − ê‖² / ‖e − ē‖² (ē: the batch mean of e), reported as its own loss term. A unit is dead after
/// <see cref="DeadAfterSamples"/> training samples without firing.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AuxKAttribute : Attribute
{
    /// <summary>The number of dead units per row that reconstruct the residual (≥ 1).</summary>
    public AuxKAttribute(int kAux) => KAux = kAux;

    /// <summary>Dead units used per row.</summary>
    public int KAux { get; }

    /// <summary>The term's coefficient (default 1/32, as OpenAI).</summary>
    public double Coefficient { get; set; } = 1 / 32.0;

    /// <summary>Training samples without firing after which a unit counts as dead (default 10,000,000, as OpenAI's tokens).</summary>
    public int DeadAfterSamples { get; set; } = 10_000_000;

    /// <summary>Steps over which the coefficient ramps linearly from 0 (see <see cref="ActivityL1Attribute.WarmupSteps"/>).</summary>
    public int WarmupSteps { get; set; }
}

/// <summary>
/// The L0 penalty of a <see cref="Activation.JumpRelu"/> layer (SAELens): λ·(1/B)·Σ_b Σ_i H(z_bi − θ_i), the mean number of
/// active units per row. Its gradient reaches θ through the straight-through estimator (−1/ε inside the rectangle) and
/// not z.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class L0PenaltyAttribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public L0PenaltyAttribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>Steps over which the coefficient ramps linearly from 0 (see <see cref="ActivityL1Attribute.WarmupSteps"/>).</summary>
    public int WarmupSteps { get; set; }
}

/// <summary>
/// Keras <c>UnitNorm</c> on the weights of the Dense layer above, applied after every update: each vector (a row of W
/// with <see cref="NormPer.Unit"/>, a column with <see cref="NormPer.Input"/>) becomes w / (ε + ‖w‖), ε = 1e−7.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class UnitNormAttribute : Attribute
{
    /// <summary>Rows (each unit's incoming weights, default) or columns (each input's outgoing weights).</summary>
    public NormPer Per { get; set; } = NormPer.Unit;

    /// <summary>
    /// Columns only: before each update, also remove from each column's gradient its component along the column,
    /// g_i ← g_i − (d_iᵀg_i)·d_i, as OpenAI's decoder does.
    /// </summary>
    public bool ProjectGradient { get; set; }
}

/// <summary>
/// Keras <c>MaxNorm(c)</c> on the weights of the Dense layer above, after every update: w ← w·clip(‖w‖, 0, c) / (ε + ‖w‖).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxNormAttribute : Attribute
{
    /// <summary>The largest norm <paramref name="maxValue"/> (&gt; 0).</summary>
    public MaxNormAttribute(double maxValue) => MaxValue = maxValue;

    /// <summary>The largest norm.</summary>
    public double MaxValue { get; }

    /// <summary>Rows (default) or columns.</summary>
    public NormPer Per { get; set; } = NormPer.Unit;
}

/// <summary>Keras <c>NonNeg</c> on the weights of the Dense layer above, after every update: w ← w·[w ≥ 0].</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class NonNegAttribute : Attribute
{
}

/// <summary>
/// Keras <c>MinMaxNorm(min, max, rate)</c> on the weights of the Dense layer above, after every update:
/// w ← w·(rate·clip(‖w‖, min, max) + (1 − rate)·‖w‖) / (ε + ‖w‖).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MinMaxNormAttribute : Attribute
{
    /// <summary>Norms kept within [<paramref name="minValue"/>, <paramref name="maxValue"/>] (0 ≤ min ≤ max).</summary>
    public MinMaxNormAttribute(double minValue, double maxValue)
    {
        MinValue = minValue;
        MaxValue = maxValue;
    }

    /// <summary>The smallest norm.</summary>
    public double MinValue { get; }

    /// <summary>The largest norm.</summary>
    public double MaxValue { get; }

    /// <summary>How far each update moves the norm into the range, in [0, 1] (default 1: all the way).</summary>
    public double Rate { get; set; } = 1;

    /// <summary>Rows (default) or columns.</summary>
    public NormPer Per { get; set; } = NormPer.Unit;
}
