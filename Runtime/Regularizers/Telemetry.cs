namespace Compiled;

/// <summary>How sparse one layer's activations were in the last evaluated batch.</summary>
/// <param name="Units">Units in the layer.</param>
/// <param name="MeanAbs">Mean |a| over batch and units.</param>
/// <param name="FractionBelowEpsilon">Fraction of activations with |a| &lt; ε (the model's <c>SparsityEpsilon</c>).</param>
/// <param name="FractionZero">Fraction of activations exactly 0.</param>
/// <param name="DeadUnits">Units whose |a| stayed below ε for every sample of the batch.</param>
public readonly record struct ActivitySparsity(int Units, float MeanAbs, float FractionBelowEpsilon, float FractionZero, int DeadUnits);

/// <summary>The KL-sparsity layer's mean activation ρ̂ against its target ρ in the last evaluated batch.</summary>
public readonly record struct KlSparsity(float Target, float MeanRhoHat, float MinRhoHat, float MaxRhoHat);

/// <summary>Exact zeros in a weight matrix (after the last update).</summary>
public readonly record struct WeightSparsity(int Count, int Zeros)
{
    /// <summary>Zeros / Count.</summary>
    public float FractionZero => Count == 0 ? 0 : (float)Zeros / Count;
}
