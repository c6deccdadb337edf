using Compiled.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Compiled.Generator.Model;

// Everything in this folder is a value: strings, numbers, enums and EquatableArray. No ISymbol, SyntaxNode,
// Compilation or Location is ever kept, so equal inputs compare equal and the incremental pipeline caches.

/// <summary>A source location reduced to values (a <see cref="Location"/> would hold the syntax tree alive).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
        => location is null || location.SourceTree is null ? null
        : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report: the descriptor's ID (see <c>Descriptors</c>), where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

// ---- Parse output: the attributes as written, in source order -------------------------------------------------

/// <summary>One argument of an attribute: parameter or property name, its value in invariant text, its location.</summary>
internal sealed record DeclaredArgument(string Name, string Value, LocationInfo? Location);

/// <summary>One of our attributes as written on the class.</summary>
internal sealed record DeclaredAttribute(string Kind, EquatableArray<DeclaredArgument> Arguments, LocationInfo? Location)
{
    public DeclaredArgument? Get(string name)
    {
        foreach (DeclaredArgument a in Arguments)
            if (a.Name == name) return a;
        return null;
    }
}

/// <summary>A member the user declared on the model class (clashes with generated members are reported).</summary>
internal sealed record DeclaredMember(string Name, LocationInfo? Location);

/// <summary>The model class as the user wrote it: identity, shape of its declaration, and its attributes.</summary>
internal sealed record DeclaredModel(
    string Namespace,
    string ClassName,
    string HintName,
    EquatableArray<string> ContainingTypes,
    bool IsPartial,
    string? NonPartialContainer,
    bool IsGeneric,
    bool HasSplitLayerAttributes,
    LocationInfo? ClassLocation,
    EquatableArray<DeclaredAttribute> Attributes,
    EquatableArray<DeclaredMember> Members);

// ---- Build output: every decision the emitter needs ------------------------------------------------------------

internal enum ActivationKind { Linear = 0, Tanh = 1, Sigmoid = 2, Relu = 3, LeakyRelu = 4, Elu = 5, Softplus = 6, Gelu = 7, GeluTanh = 8, Softmax = 9 }

internal enum LossKind { MeanSquaredError = 0, HalfSquaredError = 1, MeanAbsoluteError = 2, BinaryCrossEntropy = 3, SoftmaxCrossEntropy = 4 }

/// <summary>The element type of everything the generated model stores and exposes.</summary>
internal enum Precision { Float32 = 0, Float64 = 1 }

internal enum OptimizerKind { Sgd = 0, Momentum = 1, Nesterov = 2, Adam = 3, AdamW = 4 }

/// <summary>The update rule and its initial hyperparameters (all tunable at run time).</summary>
internal sealed record OptimizerSpec(OptimizerKind Kind, double Momentum, double Beta1, double Beta2, double Epsilon, double WeightDecay)
{
    public bool IsAdam => Kind is OptimizerKind.Adam or OptimizerKind.AdamW;

    public bool HasMomentum => Kind is OptimizerKind.Momentum or OptimizerKind.Nesterov;
}

internal enum TermKind { ActivityL1, ActivityL2, KernelL1, KernelL2, BiasL1, BiasL2, KlSparsity, WeightDecay, HiddenL1, WeightL1, WeightL2 }

/// <summary>Which tensor a penalty reads.</summary>
internal enum TensorKind { Output, PreActivation, Weight, Bias }

internal enum NormKind { L1, L2 }

/// <summary>
/// One tensor's share of a penalty term: term value += coefficient · Factor · (PerBatch ? 1/B : 1) · N(tensor),
/// where N is Σ|t| (L1) or Σt² (L2). Its gradient is coefficient · Factor · (1/B) · sign(t) or · 2t.
/// </summary>
internal sealed record ContributionSpec(int Layer, TensorKind Tensor, NormKind Norm, double Factor, bool PerBatch);

/// <summary>A regularizer term of the objective, with its run-time property and its reported name.</summary>
/// <param name="Property">The generated coefficient property (and <c>LossBreakdown</c> member), e.g. <c>Hid1ActivityL1</c>.</param>
/// <param name="Name">The reported name, e.g. <c>hid1.activity_l1</c>.</param>
/// <param name="Formula">Human-readable formula for comments and docs.</param>
/// <param name="Coefficient">Initial λ (β for KL).</param>
/// <param name="Rho">KL target ρ (KL only).</param>
/// <param name="Proximal">L1 applied as soft-thresholding after the update rather than as a gradient.</param>
/// <param name="KlLayer">The layer of a KL term, else −1.</param>
/// <param name="KlTanh">The KL term uses the tanh-rescaled ρ̂.</param>
internal sealed record TermSpec(
    TermKind Kind,
    string Property,
    string Name,
    string Formula,
    double Coefficient,
    double Rho,
    bool Proximal,
    int KlLayer,
    bool KlTanh,
    EquatableArray<ContributionSpec> Contributions);

/// <summary>A Dense layer with its sizes, parameter offsets and the buffers it needs.</summary>
internal sealed record LayerSpec(
    int Index,
    string Name,
    string Pascal,
    int Inputs,
    int Units,
    ActivationKind Activation,
    double Alpha,
    int WeightOffset,
    int BiasOffset,
    bool KeepPreActivation,
    bool ActivityTelemetry,
    bool WeightTelemetry);

internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string HintName,
    EquatableArray<string> ContainingTypes,
    int InputSize,
    LossKind Loss,
    double LearningRate,
    OptimizerSpec Optimizer,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<TermSpec> Terms,
    Precision Precision = Precision.Float32)
{
    public bool IsDouble => Precision == Precision.Float64;

    public LayerSpec Output => Layers[Layers.Count - 1];

    public int OutputSize => Output.Units;

    public int ParameterCount => Output.BiasOffset + Output.Units;

    /// <summary>Training takes integer class labels instead of target rows.</summary>
    public bool UsesLabels => Loss == LossKind.SoftmaxCrossEntropy;
}

/// <summary>The outcome of building one model: its spec (null when an error was found) and the diagnostics.</summary>
internal sealed record BuildResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
