using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Compiled.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports, in one table. Documented in docs/diagnostics.md.</summary>
internal static class Descriptors
{
    private const string Category = "Compiled";
    // Relative to the repository root; the package ships the same file.
    private const string HelpBase = "docs/diagnostics.md#";

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    public static readonly DiagnosticDescriptor NotPartial = Error("CMP001",
        "Model class must be partial", "The model class '{0}' must be declared 'partial' so that Compiled can generate its members");
    public static readonly DiagnosticDescriptor ContainerNotPartial = Error("CMP002",
        "Containing type must be partial", "The type '{0}' containing model '{1}' must be declared 'partial'");
    public static readonly DiagnosticDescriptor Generic = Error("CMP003",
        "Model class cannot be generic", "The model class '{0}' cannot be generic: sizes and code are fixed at compile time");
    public static readonly DiagnosticDescriptor SplitDeclarations = Error("CMP004",
        "Layer attributes split over several declarations", "The layer attributes of '{0}' are spread over several partial declarations, so their order is ambiguous; put them all on one declaration");
    public static readonly DiagnosticDescriptor NoInput = Error("CMP005",
        "Model has no [Input]", "The model '{0}' has layers but no [Input(size)] attribute before them");
    public static readonly DiagnosticDescriptor InputAfterDense = Error("CMP006",
        "[Input] must come first", "[Input] must be written before the first [Dense] layer");
    public static readonly DiagnosticDescriptor NoDense = Error("CMP007",
        "Model has no Dense layer", "The model '{0}' has an [Input] but no [Dense] layer");
    public static readonly DiagnosticDescriptor BadSize = Error("CMP008",
        "Size out of range", "{0} must be between 1 and 16777216; it is {1}");
    public static readonly DiagnosticDescriptor Unattached = Error("CMP009",
        "Regularizer has no layer to attach to", "[{0}] applies to the Dense layer written above it, but no [Dense] comes before it");
    public static readonly DiagnosticDescriptor BadCoefficient = Error("CMP010",
        "Invalid coefficient", "{0} must be a finite number ≥ 0; it is {1}");
    public static readonly DiagnosticDescriptor BadRho = Error("CMP011",
        "KL target outside (0, 1)", "The KL sparsity target rho must lie strictly between 0 and 1; it is {0}");
    public static readonly DiagnosticDescriptor KlActivation = Error("CMP012",
        "KL sparsity needs a sigmoid or tanh layer", "[KlSparsity] on layer '{0}' needs activations in (0, 1) (Sigmoid) or (−1, 1) (Tanh, rescaled); '{1}' has range {2}. Use Activation.Sigmoid, or an [ActivityL1] penalty instead");
    public static readonly DiagnosticDescriptor PatternMatchesNothing = Error("CMP013",
        "Pattern matches nothing", "The pattern \"{0}\" of [{1}] matches no {2}; available: {3}");
    public static readonly DiagnosticDescriptor DuplicateLayerName = Error("CMP014",
        "Duplicate layer name", "The layer name '{0}' is used twice; layer names must be unique");
    public static readonly DiagnosticDescriptor DuplicateRegularizer = Warning("CMP015",
        "Same regularizer twice on one layer", "[{0}] is applied twice to layer '{1}'; both terms are added (coefficients {2}); write one attribute with the sum if that is what you mean");
    public static readonly DiagnosticDescriptor MemberClash = Error("CMP016",
        "Member clashes with a generated member", "The member '{0}' of '{1}' clashes with a member Compiled generates; rename it");
    public static readonly DiagnosticDescriptor BadLayerName = Error("CMP017",
        "Invalid layer name", "The layer name \"{0}\" must start with a letter and contain only letters, digits and '_'");
    public static readonly DiagnosticDescriptor DuplicateKl = Error("CMP018",
        "More than one KL sparsity term on a layer", "Layer '{0}' already has a [KlSparsity]; a layer takes at most one");
    public static readonly DiagnosticDescriptor BadLearningRate = Error("CMP019",
        "Invalid learning rate", "LearningRate must be a finite number > 0; it is {0}");
    public static readonly DiagnosticDescriptor SoftmaxHidden = Error("CMP020",
        "Softmax is for the output layer", "Activation.Softmax is only valid on the output layer; layer '{0}' is hidden. Use Relu, Tanh or another element-wise activation there");
    public static readonly DiagnosticDescriptor LossNeedsActivation = Error("CMP021",
        "Loss needs a matching output activation", "{0} needs a {1} output layer (it is computed from the logits, fused with that activation); the output layer '{2}' uses {3}. Write [Dense({4}, Activation.{1})] last");
    public static readonly DiagnosticDescriptor LossActivationUnusual = Warning("CMP022",
        "Unusual loss for this output activation", "{0} on a {1} output works but is rarely what is meant: {2}");
    public static readonly DiagnosticDescriptor BadAlpha = Error("CMP023",
        "Invalid activation parameter", "{0}");
    public static readonly DiagnosticDescriptor ProximalNeedsSgd = Error("CMP024",
        "Proximal L1 needs plain SGD", "Proximal L1 soft-thresholds by lr·λ after a plain SGD step; with Optimizer.{0} that is not a proximal step. Remove 'Proximal = true' (the subgradient is used) or use Optimizer.Sgd");
    public static readonly DiagnosticDescriptor BadOptimizerSetting = Error("CMP025",
        "Invalid optimizer setting", "{0} must be {1}; it is {2}");
    public static readonly DiagnosticDescriptor KlOnCrossEntropyOutput = Error("CMP026",
        "KL sparsity on a cross-entropy output", "[KlSparsity] on the output layer '{0}' cannot be combined with {1}, whose gradient is taken in the logits; put the KL term on a hidden layer");
    public static readonly DiagnosticDescriptor BadPrecision = Error("CMP027",
        "Unknown precision", "Precision must be Precision.Float32 or Precision.Float64; it is {0}");
    public static readonly DiagnosticDescriptor UnknownEnumValue = Error("CMP028",
        "Unknown enum value", "{0} is not a member of {1}; use one of {2}");
    public static readonly DiagnosticDescriptor IdentifierCollision = Error("CMP029",
        "Generated names collide", "{0} and {1} both generate the member '{2}'; rename one of them");
    public static readonly DiagnosticDescriptor BadRate = Error("CMP030",
        "Rate outside [0, 1)", "The rate of {0} must be in [0, 1); it is {1}");
    public static readonly DiagnosticDescriptor NoiseAfterOutput = Error("CMP031",
        "Noise after the output layer", "[{0}] after the output layer '{1}': train-time noise on the model's output is not supported; write it before the last layer");
    public static readonly DiagnosticDescriptor TiedPartner = Error("CMP032",
        "Tied layer without a partner", "The tied layer '{0}' has no partner: {1}");
    public static readonly DiagnosticDescriptor TiedSize = Error("CMP033",
        "Tied layer reads the wrong width", "The tied layer '{0}' reads {1} features, but its partner '{2}' has {3} units: a tied layer must read its partner's output width");
    public static readonly DiagnosticDescriptor AlphaDropoutNotSelu = Warning("CMP034",
        "AlphaDropout after a non-SELU layer", "[AlphaDropout] follows layer '{0}' with Activation.{1}; it keeps mean and variance only for Activation.Selu outputs");
    public static readonly DiagnosticDescriptor ContractiveActivation = Error("CMP035",
        "Contractive penalty needs f′ and f″", "[Contractive] on layer '{0}' needs the activation's first and second derivatives in closed form; {1} has none here. Use Linear, Tanh, Sigmoid, Relu, LeakyRelu, Elu, Selu or Softplus");
    public static readonly DiagnosticDescriptor ContractiveTheanetsPosition = Error("CMP036",
        "theanets' contractive form is for the first layer", "ContractiveForm.Theanets differentiates with respect to the model's input; layer '{0}' does not read the input. Use ContractiveForm.Rifai (the Jacobian with respect to the layer's own input)");
    public static readonly DiagnosticDescriptor OrthogonalTooFew = Error("CMP037",
        "Orthogonal penalty needs two vectors", "[KernelOrthogonal] on layer '{0}' compares {1} {2}; it needs at least 2");
    public static readonly DiagnosticDescriptor NeedsOwnWeights = Error("CMP038",
        "Penalty needs the layer's own weights", "[{0}] needs the weights of the layer above, but the tied layer '{1}' shares those of '{2}': put it on '{2}'");

    public static readonly DiagnosticDescriptor BadTopK = Error("CMP039",
        "k out of range", "{0} on layer '{1}' keeps {2} units; {3}");
    public static readonly DiagnosticDescriptor TopKPosition = Error("CMP040",
        "TopK needs a hidden Dense layer", "[{0}] on layer '{1}': {2}");
    public static readonly DiagnosticDescriptor AuxKWithoutTopK = Error("CMP041",
        "AuxK without TopK", "[AuxK] on layer '{0}' needs a [TopK] on the same layer: it reconstructs the residual from the dead units that TopK leaves out");
    public static readonly DiagnosticDescriptor AuxKDecoder = Error("CMP042",
        "AuxK needs a linear decoder", "[AuxK] on layer '{0}' reconstructs the residual t − y through the next layer's weights: {1}");
    public static readonly DiagnosticDescriptor ProjectGradientPerUnit = Error("CMP043",
        "ProjectGradient applies to columns", "ProjectGradient removes each decoder column's gradient along the column; it needs Per = NormPer.Input (the columns of W), not NormPer.Unit");
    public static readonly DiagnosticDescriptor BadJumpRelu = Error("CMP044",
        "Invalid JumpReLU setting", "{0}");
    public static readonly DiagnosticDescriptor JumpReluPosition = Error("CMP045",
        "JumpReLU needs a hidden Dense layer", "Activation.JumpRelu on layer '{0}': {1}");
    public static readonly DiagnosticDescriptor L0NeedsJumpRelu = Error("CMP046",
        "L0 penalty needs JumpReLU", "[L0Penalty] on layer '{0}' counts the units above their learned thresholds; the layer uses Activation.{1}, not Activation.JumpRelu");
    public static readonly DiagnosticDescriptor PreEncoderBiasSize = Error("CMP047",
        "PreEncoderBias needs an autoencoder", "PreEncoderBias {0}");
    public static readonly DiagnosticDescriptor WeightedL1Position = Error("CMP048",
        "Decoder-weighted L1 needs a Dense layer after", "[ActivityL1(WeightedByNextLayer = true)] on layer '{0}': {1}");
    public static readonly DiagnosticDescriptor BadWarmup = Error("CMP049",
        "WarmupSteps must be ≥ 0", "WarmupSteps of [{0}] must be ≥ 0; it is {1}");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = Index(
        NotPartial, ContainerNotPartial, Generic, SplitDeclarations, NoInput, InputAfterDense, NoDense, BadSize, Unattached,
        BadCoefficient, BadRho, KlActivation, PatternMatchesNothing, DuplicateLayerName, DuplicateRegularizer, MemberClash,
        BadLayerName, DuplicateKl, BadLearningRate, SoftmaxHidden, LossNeedsActivation, LossActivationUnusual, BadAlpha, ProximalNeedsSgd,
        BadOptimizerSetting, KlOnCrossEntropyOutput, BadPrecision, UnknownEnumValue, IdentifierCollision, BadRate, NoiseAfterOutput, TiedPartner,
        TiedSize, AlphaDropoutNotSelu, ContractiveActivation, ContractiveTheanetsPosition, OrthogonalTooFew, NeedsOwnWeights,
        BadTopK, TopKPosition, AuxKWithoutTopK, AuxKDecoder, ProjectGradientPerUnit, BadJumpRelu, JumpReluPosition, L0NeedsJumpRelu,
        PreEncoderBiasSize, WeightedL1Position, BadWarmup);

    public static IEnumerable<DiagnosticDescriptor> All => ById.Values;

    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] all)
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (DiagnosticDescriptor d in all) map.Add(d.Id, d);
        return map;
    }
}
