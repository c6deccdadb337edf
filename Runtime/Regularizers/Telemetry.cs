namespace Compiled;

/// <summary>How sparse one layer's activations were in the last evaluated batch.</summary>
/// <param name="Units">Units in the layer.</param>
/// <param name="MeanAbs">Mean |a| over batch and units.</param>
/// <param name="FractionBelowEpsilon">Fraction of activations with |a| &lt; ε (the model's <c>SparsityEpsilon</c>).</param>
/// <param name="FractionZero">Fraction of activations exactly 0.</param>
/// <param name="DeadUnits">Units whose |a| stayed below ε for every sample of the batch.</param>
public readonly record struct ActivitySparsity(int Units, float MeanAbs, float FractionBelowEpsilon, float FractionZero, int DeadUnits)
{
    /// <summary>L0: the mean number of active (non-zero) units per row, Units·(1 − FractionZero).</summary>
    public float L0 => Units * (1 - FractionZero);
}

/// <summary>The KL-sparsity layer's mean activation ρ̂ against its target ρ in the last evaluated batch.</summary>
public readonly record struct KlSparsity(float Target, float MeanRhoHat, float MinRhoHat, float MaxRhoHat);

/// <summary>Exact zeros in a weight matrix (after the last update).</summary>
public readonly record struct WeightSparsity(int Count, int Zeros)
{
    /// <summary>Zeros / Count.</summary>
    public float FractionZero => Count == 0 ? 0 : (float)Zeros / Count;
}

/// <summary>
/// Units by firing frequency f over a window of training samples (f = samples on which the unit was non-zero / samples),
/// in log10 buckets: never, (0, 1e−5), [1e−5, 1e−4), [1e−4, 1e−3), [1e−3, 1e−2), [1e−2, 1e−1), [1e−1, 1].
/// </summary>
public readonly record struct FiringHistogram(int Never, int Below1e5, int Below1e4, int Below1e3, int Below1e2, int Below1e1, int AtLeast1e1)
{
    /// <summary>The bucket count at <paramref name="index"/> (0 = never … 6 = at least 0.1).</summary>
    public int this[int index] => index switch
    {
        0 => Never, 1 => Below1e5, 2 => Below1e4, 3 => Below1e3, 4 => Below1e2, 5 => Below1e1, 6 => AtLeast1e1,
        _ => throw new System.ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>Number of buckets.</summary>
    public const int Count = 7;

    /// <summary>"never 12, &lt;1e-5 0, …, &gt;=1e-1 40", invariant culture.</summary>
    public override string ToString()
        => System.FormattableString.Invariant($"never {Never}, <1e-5 {Below1e5}, <1e-4 {Below1e4}, <1e-3 {Below1e3}, <1e-2 {Below1e2}, <1e-1 {Below1e1}, >=1e-1 {AtLeast1e1}");
}

/// <summary>
/// How one layer's units fired over the last completed window of training samples (the model's
/// <c>DeadWindowSamples</c>): units that never fired in it are dead. <see cref="Samples"/> is 0 until a window completes.
/// </summary>
/// <param name="Samples">Training samples in the window (0: no window completed yet).</param>
/// <param name="DeadUnits">Units that did not fire on any sample of the window.</param>
/// <param name="Histogram">The units by firing frequency.</param>
public readonly record struct FiringWindow(long Samples, int DeadUnits, FiringHistogram Histogram);

/// <summary>
/// How well an autoencoder reconstructs its targets over the rows of the last <c>Evaluate</c> (all of them, for a
/// whole-dataset call): explained variance 1 − Σ‖t − y‖² / Σ‖t − t̄‖² and normalized MSE Σ‖t − y‖² / Σ‖t‖², each sum
/// taken over every row before dividing (not a mean of per-row ratios; see SAELens #659).
/// </summary>
/// <param name="Rows">Rows evaluated.</param>
/// <param name="ExplainedVariance">1 − Σ‖t − y‖² / Σ‖t − t̄‖² (t̄: the mean target row).</param>
/// <param name="NormalizedMse">Σ‖t − y‖² / Σ‖t‖².</param>
public readonly record struct ReconstructionQuality(long Rows, double ExplainedVariance, double NormalizedMse);
