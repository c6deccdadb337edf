namespace Compiled.Generator.Model;

// The network is a sequence of layer kinds, in source order. Each kind is one record here and one emitter in
// Emit/Layers/; a new kind is one of each. Layers refer to each other by Index (their position in the sequence).

/// <summary>One step of the network: what it reads (<see cref="Inputs"/> features) and writes (<see cref="Units"/>).</summary>
/// <remarks>Index: position in the sequence. Name: the layer's name (hid1, out, …), or for a noise kind the name of
/// what it perturbs (hid1, or input).</remarks>
internal abstract record LayerSpec
{
    public int Index { get; init; }

    public string Name { get; init; } = "";

    public int Inputs { get; init; }

    public int Units { get; init; }
}

/// <summary>
/// A layer that computes z = x·Wᵀ + b, a = f(z) and owns a bias (and, for Dense, its weights): the kinds with parameters,
/// activation buffers, a delta, and penalties attached to their output.
/// </summary>
/// <remarks>
/// Pascal/Camel: the stems of every generated identifier of the layer (Hid1Weight, _hid1Out, hid1A), assigned once by
/// the builder, which checks them for collisions. Ordinal: position among the layers with parameters, which selects the
/// initialization stream and the default name, so that inserting a parameter-free kind changes neither.
/// KeepPreActivation: z has a buffer of its own (a penalty, the derivative or the loss reads it).
/// </remarks>
internal abstract record ProductLayerSpec : LayerSpec
{
    public string Pascal { get; init; } = "";

    public string Camel { get; init; } = "";

    public int Ordinal { get; init; }

    public ActivationKind Activation { get; init; }

    public double Alpha { get; init; }

    public int BiasOffset { get; init; }

    public bool KeepPreActivation { get; init; }

    public bool ActivityTelemetry { get; init; }

    public bool WeightTelemetry { get; init; }

    /// <summary>The noise kind applied to this layer's output in training, if any (its index), else −1.</summary>
    public int Noise { get; init; } = -1;

    /// <summary>The layer whose weight matrix this one computes with: itself for Dense, the partner for Tied.</summary>
    public abstract int WeightOwner { get; }

    /// <summary>A TopK or BatchTopK code on this layer's output, or null.</summary>
    public TopKSpec? TopK { get; init; }

    /// <summary>The AuxK loss of this TopK layer (its coefficient is a term), or null.</summary>
    public AuxKSpec? AuxK { get; init; }

    /// <summary>JumpReLU: the initial threshold θ₀ and the estimator's bandwidth ε.</summary>
    public double InitialThreshold { get; init; }

    public double Bandwidth { get; init; }

    /// <summary>JumpReLU: the offset of the log-thresholds [Units] in the parameter block; BatchTopK: of the threshold [1]; else −1.</summary>
    public int ThresholdOffset { get; init; } = -1;

    /// <summary>The output can hold exact zeros by design (ReLU codes, TopK, JumpReLU): firing telemetry over a window.</summary>
    public bool FiringTelemetry { get; init; }

    /// <summary>
    /// The output's active entries are listed each batch and, below 1 in 8 active, the next Dense layer's product and
    /// weight gradient read only them (Kernels/Sparse, docs/sparse-kernels.md): a float32 hidden Dense layer whose output
    /// holds exact zeros (ReLU, TopK, JumpReLU) and feeds a Dense layer directly.
    /// </summary>
    public bool SparseCode { get; init; }

    /// <summary>With <see cref="SparseCode"/>: this layer's delta is computed at the active entries only (not JumpReLU, whose threshold gradient reads every entry near θ).</summary>
    public bool SparseDelta { get; init; }

    /// <summary>With <see cref="SparseCode"/>: this layer's weight gradient reads the delta at the active entries only (no term puts a delta where a = 0).</summary>
    public bool SparseWeights { get; init; }
}

/// <summary>A TopK code: k units kept per row, or (Batch) k·B per batch, with a learned threshold at inference.</summary>
internal sealed record TopKSpec(int K, bool Batch);

/// <summary>The AuxK loss: kAux dead units per row, a unit dead after DeadAfterSamples samples without firing.</summary>
internal sealed record AuxKSpec(int KAux, int DeadAfterSamples);

/// <summary>Keras' weight constraints.</summary>
internal enum ConstraintKind { UnitNorm, MaxNorm, NonNeg, MinMaxNorm }

/// <summary>A weight constraint of a Dense layer, applied after every update (ProjectGradient: also before it).</summary>
internal sealed record ConstraintSpec(ConstraintKind Kind, bool PerInput, double Min, double Max, double Rate, bool ProjectGradient);

/// <summary>A fully connected layer with its own weight matrix [Units, Inputs] (PyTorch <c>nn.Linear</c> layout).</summary>
/// <remarks>
/// Small: its steps are the small-layer kernels compiled for its constant sizes (Kernels/Small), not the runtime GEMM
/// (rule: Building/SmallLayers.cs). DerivativeFromAbove: the small layer above it applies this layer's activation
/// derivative (and the activity penalties on its output) to the product δ·W in the same pass, so its own derivative
/// step is not emitted.
/// </remarks>
internal sealed record DenseSpec : ProductLayerSpec
{
    public int WeightOffset { get; init; }

    /// <summary>The weight constraints, in source order.</summary>
    public Helpers.EquatableArray<ConstraintSpec> Constraints { get; init; } = Helpers.EquatableArray<ConstraintSpec>.Empty;

    public bool Small { get; init; }

    public bool DerivativeFromAbove { get; init; }

    public override int WeightOwner => Index;
}

/// <summary>
/// A decoder tied to an earlier Dense layer (theanets <c>tied</c>): no weight matrix of its own, z = x·W_partner + b
/// with W_partner [Inputs, Units] as stored, and its own bias [Units]. The partner's weights receive both gradients.
/// </summary>
internal sealed record TiedSpec : ProductLayerSpec
{
    /// <summary>Index of the Dense layer whose weights are shared.</summary>
    public int Partner { get; init; }

    /// <summary>Offset of the partner's weight matrix in the parameter block.</summary>
    public int PartnerWeightOffset { get; init; }

    public override int WeightOwner => Partner;
}

/// <summary>The train-time noise kinds (Keras / PyTorch / theanets formulas: see docs/vocabulary.md).</summary>
internal enum NoiseKind { Dropout, GaussianNoise, GaussianDropout, AlphaDropout }

/// <summary>
/// Train-time noise on the output of the layer above it (<see cref="Target"/>), or on the input (Target = −1); it acts in
/// training only. Inputs = Units = the perturbed width. On a layer, the draw rides on that layer's activation pass and
/// its multiplier on the derivative pass; on the input it is a pass of its own.
/// </summary>
/// <remarks>Rate: the dropout rate p, or σ for Gaussian noise. Stream: which random stream it draws from (its position
/// among the noise kinds). Pascal: the stem of its generated views (Hid1DropoutMask, InputNoise).</remarks>
internal sealed record NoiseSpec : LayerSpec
{
    public NoiseKind Kind { get; init; }

    public double Rate { get; init; }

    public int Target { get; init; }

    public int Stream { get; init; }

    public string Pascal { get; init; } = "";

    public string Camel { get; init; } = "";

    /// <summary>Whether the draw is a multiplier (dropout kinds) rather than an added value (Gaussian noise).</summary>
    public bool Multiplies => Kind != NoiseKind.GaussianNoise;
}
