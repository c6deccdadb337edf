using Compiled.Generator.Helpers;

namespace Compiled.Generator.Model;

internal enum TermKind
{
    ActivityL1, ActivityL2, KernelL1, KernelL2, BiasL1, BiasL2, KlSparsity, WeightDecay, HiddenL1, WeightL1, WeightL2,
    Contractive, KernelOrthogonal, L0, AuxK, WeightedActivityL1,
}

/// <summary>Which tensor a penalty reads.</summary>
internal enum TensorKind { Output, PreActivation, Weight, Bias }

internal enum NormKind { L1, L2 }

/// <summary>
/// One tensor's share of a norm penalty: term value += coefficient · Factor · (PerBatch ? 1/B : 1) · N(tensor),
/// where N is Σ|t| (L1) or Σt² (L2). Its gradient is coefficient · Factor · (1/B) · sign(t) or · 2t.
/// </summary>
internal sealed record ContributionSpec(int Layer, TensorKind Tensor, NormKind Norm, double Factor, bool PerBatch);

/// <summary>The two contractive penalties (see docs/regularizers.md).</summary>
internal enum ContractiveForm { Rifai = 0, Theanets = 1 }

/// <summary>Which vectors of W the orthogonal penalty compares: rows (each unit's incoming weights) or columns.</summary>
internal enum OrthogonalMode { PerUnit = 0, PerInput = 1 }

/// <summary>A regularizer term of the objective, with its run-time property and its reported name.</summary>
/// <param name="Property">The generated coefficient property (and <c>LossBreakdown</c> member), e.g. <c>Hid1ActivityL1</c>.</param>
/// <param name="Name">The reported name, e.g. <c>hid1.activity_l1</c>.</param>
/// <param name="Formula">Human-readable formula for comments and docs.</param>
/// <param name="Coefficient">Initial λ (β for KL).</param>
/// <param name="Rho">KL target ρ (KL only).</param>
/// <param name="Proximal">L1 applied as soft-thresholding after the update rather than as a gradient.</param>
/// <param name="Layer">The layer of a term that is not a sum of norms (KL, contractive, orthogonal), else −1.</param>
/// <param name="KlTanh">The KL term uses the tanh-rescaled ρ̂.</param>
/// <param name="Mode">The contractive form or orthogonal mode (as its enum's value); the next layer's index for the decoder-weighted L1; 0 for other terms.</param>
/// <param name="WarmupSteps">Steps over which the coefficient ramps linearly from 0 (0: none).</param>
internal sealed record TermSpec(
    TermKind Kind,
    string Property,
    string Name,
    string Formula,
    double Coefficient,
    double Rho,
    bool Proximal,
    int Layer,
    bool KlTanh,
    EquatableArray<ContributionSpec> Contributions,
    int Mode = 0,
    int WarmupSteps = 0)
{
    /// <summary>Computed by a kernel of its own (value and gradient) rather than from tensor norms.</summary>
    public bool IsStructural => Kind is TermKind.Contractive or TermKind.KernelOrthogonal;

    /// <summary>The coefficient ramps from 0 over the first WarmupSteps steps.</summary>
    public bool HasWarmup => WarmupSteps > 0;
}
