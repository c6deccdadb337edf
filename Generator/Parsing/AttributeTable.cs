using System;
using System.Collections.Generic;

namespace Compiled.Generator.Parsing;

/// <summary>The type of an attribute constructor parameter or settable property, as the syntax reader checks it.</summary>
internal enum ArgumentType { Int, Double, Bool, String, Enum }

/// <summary>A constructor parameter or a settable property of one of our attributes.</summary>
/// <param name="Name">The parameter name (constructor) or property name (named argument).</param>
/// <param name="Type">Its type.</param>
/// <param name="EnumName">For <see cref="ArgumentType.Enum"/>: the enum's simple name in the <c>Compiled</c> namespace.</param>
/// <param name="Default">For an optional constructor parameter: the default as invariant text; null when required.</param>
internal sealed record Parameter(string Name, ArgumentType Type, string? EnumName = null, string? Default = null);

/// <summary>
/// What an attribute does in a model, which decides where the builder takes it: every attribute has exactly one role,
/// so an attribute the builder does not handle cannot fall through to a default.
/// </summary>
internal enum AttributeRole
{
    /// <summary><c>[Model]</c>: loss, optimizer, precision, learning rate.</summary>
    ModelOptions,
    /// <summary><c>[Input]</c>: the input size; must come first.</summary>
    Input,
    /// <summary>A step of the network, in source order (<c>[Dense]</c>).</summary>
    Layer,
    /// <summary>Attaches to the layer written above it (activity, kernel and bias penalties, KL sparsity).</summary>
    LayerModifier,
    /// <summary>Applies to the whole model wherever it is written (theanets' and Ng's terms).</summary>
    ModelRegularizer,
    /// <summary>Train-time noise placed by pattern, wherever it is written (theanets' input/hidden noise and dropout).</summary>
    ModelNoise,
}

/// <summary>One of our attributes: its kind (the builder's name for it), its role, constructor and settable properties.</summary>
internal sealed record AttributeShape(string Kind, AttributeRole Role, Parameter[] Constructor, Parameter[] Properties);

/// <summary>
/// The public attributes and enums of <c>Compiled.Runtime</c>, as the syntax reader needs them to read an attribute
/// without binding it: constructor parameters in order (with defaults), settable properties, enum members and values.
/// A test compares this table with the runtime's types by reflection, so the two cannot drift apart.
/// </summary>
internal static class AttributeTable
{
    public const string Namespace = "Compiled";

    private static readonly Parameter[] None = [];
    private static readonly Parameter[] Lambda = [new("lambda", ArgumentType.Double)];
    private static readonly Parameter Warmup = new("WarmupSteps", ArgumentType.Int);
    private static readonly Parameter[] Activity = [new("On", ArgumentType.Enum, "ActivityOn"), new("Scaling", ArgumentType.Enum, "Scaling"), Warmup];
    private static readonly Parameter[] WarmupOnly = [Warmup];
    private static readonly Parameter Per = new("Per", ArgumentType.Enum, "NormPer");

    /// <summary>By simple name without the <c>Attribute</c> suffix.</summary>
    public static readonly Dictionary<string, AttributeShape> Attributes = Index(
        new AttributeShape("Input", AttributeRole.Input, [new("size", ArgumentType.Int)], None),
        new AttributeShape("Dense", AttributeRole.Layer, [new("units", ArgumentType.Int), new("activation", ArgumentType.Enum, "Activation", "0")],
            [new("Name", ArgumentType.String), new("Alpha", ArgumentType.Double), new("InitialThreshold", ArgumentType.Double), new("Bandwidth", ArgumentType.Double)]),
        new AttributeShape("Model", AttributeRole.ModelOptions, None,
        [
            new("Loss", ArgumentType.Enum, "Loss"), new("LearningRate", ArgumentType.Double), new("Optimizer", ArgumentType.Enum, "Optimizer"),
            new("Momentum", ArgumentType.Double), new("Beta1", ArgumentType.Double), new("Beta2", ArgumentType.Double),
            new("Epsilon", ArgumentType.Double), new("WeightDecay", ArgumentType.Double), new("Precision", ArgumentType.Enum, "Precision"),
            new("ClipGradientNorm", ArgumentType.Double), new("PreEncoderBias", ArgumentType.Bool), new("DeadWindowSamples", ArgumentType.Int),
        ]),
        new AttributeShape("ActivityL1", AttributeRole.LayerModifier, Lambda, [.. Activity, new("WeightedByNextLayer", ArgumentType.Bool)]),
        new AttributeShape("ActivityL2", AttributeRole.LayerModifier, Lambda, Activity),
        new AttributeShape("KernelL1", AttributeRole.LayerModifier, Lambda, [new("Proximal", ArgumentType.Bool), Warmup]),
        new AttributeShape("KernelL2", AttributeRole.LayerModifier, Lambda, WarmupOnly),
        new AttributeShape("BiasL1", AttributeRole.LayerModifier, Lambda, WarmupOnly),
        new AttributeShape("BiasL2", AttributeRole.LayerModifier, Lambda, WarmupOnly),
        new AttributeShape("KlSparsity", AttributeRole.LayerModifier, [new("rho", ArgumentType.Double), new("beta", ArgumentType.Double)], WarmupOnly),
        new AttributeShape("WeightDecay", AttributeRole.ModelRegularizer, Lambda, WarmupOnly),
        new AttributeShape("HiddenL1", AttributeRole.ModelRegularizer, Lambda, [new("Pattern", ArgumentType.String), Warmup]),
        new AttributeShape("WeightL1", AttributeRole.ModelRegularizer, Lambda, [new("Pattern", ArgumentType.String), new("Proximal", ArgumentType.Bool), Warmup]),
        new AttributeShape("WeightL2", AttributeRole.ModelRegularizer, Lambda, [new("Pattern", ArgumentType.String), Warmup]),
        new AttributeShape("Tied", AttributeRole.Layer, [new("activation", ArgumentType.Enum, "Activation", "0")],
            [new("Partner", ArgumentType.String), new("Name", ArgumentType.String), new("Alpha", ArgumentType.Double)]),
        new AttributeShape("Dropout", AttributeRole.Layer, [new("rate", ArgumentType.Double)], None),
        new AttributeShape("GaussianNoise", AttributeRole.Layer, [new("stddev", ArgumentType.Double)], None),
        new AttributeShape("GaussianDropout", AttributeRole.Layer, [new("rate", ArgumentType.Double)], None),
        new AttributeShape("AlphaDropout", AttributeRole.Layer, [new("rate", ArgumentType.Double)], None),
        new AttributeShape("InputNoise", AttributeRole.ModelNoise, [new("stddev", ArgumentType.Double)], None),
        new AttributeShape("HiddenNoise", AttributeRole.ModelNoise, [new("stddev", ArgumentType.Double)], [new("Pattern", ArgumentType.String)]),
        new AttributeShape("InputDropout", AttributeRole.ModelNoise, [new("rate", ArgumentType.Double)], None),
        new AttributeShape("HiddenDropout", AttributeRole.ModelNoise, [new("rate", ArgumentType.Double)], [new("Pattern", ArgumentType.String)]),
        new AttributeShape("Contractive", AttributeRole.LayerModifier, Lambda, [new("Form", ArgumentType.Enum, "ContractiveForm"), Warmup]),
        new AttributeShape("KernelOrthogonal", AttributeRole.LayerModifier, [new("factor", ArgumentType.Double)], [new("Mode", ArgumentType.Enum, "OrthogonalMode"), Warmup]),
        new AttributeShape("TopK", AttributeRole.LayerModifier, [new("k", ArgumentType.Int)], [new("Batch", ArgumentType.Bool)]),
        new AttributeShape("AuxK", AttributeRole.LayerModifier, [new("kAux", ArgumentType.Int)],
            [new("Coefficient", ArgumentType.Double), new("DeadAfterSamples", ArgumentType.Int), Warmup]),
        new AttributeShape("L0Penalty", AttributeRole.LayerModifier, Lambda, WarmupOnly),
        new AttributeShape("UnitNorm", AttributeRole.LayerModifier, None, [Per, new("ProjectGradient", ArgumentType.Bool)]),
        new AttributeShape("MaxNorm", AttributeRole.LayerModifier, [new("maxValue", ArgumentType.Double)], [Per]),
        new AttributeShape("NonNeg", AttributeRole.LayerModifier, None, None),
        new AttributeShape("MinMaxNorm", AttributeRole.LayerModifier, [new("minValue", ArgumentType.Double), new("maxValue", ArgumentType.Double)],
            [new("Rate", ArgumentType.Double), Per]));

    /// <summary>Enum name → member name → underlying value.</summary>
    public static readonly Dictionary<string, Dictionary<string, int>> Enums = new(StringComparer.Ordinal)
    {
        ["Activation"] = Members("Linear", "Tanh", "Sigmoid", "Relu", "LeakyRelu", "Elu", "Softplus", "Gelu", "GeluTanh", "Softmax", "Selu", "JumpRelu"),
        ["Loss"] = Members("MeanSquaredError", "HalfSquaredError", "MeanAbsoluteError", "BinaryCrossEntropy", "SoftmaxCrossEntropy"),
        ["Optimizer"] = Members("Sgd", "Momentum", "Nesterov", "Adam", "AdamW"),
        ["Precision"] = Members("Float32", "Float64"),
        ["ActivityOn"] = Members("Output", "PreActivation"),
        ["Scaling"] = Members("BatchMean", "Sum", "ElementMean"),
        ["ContractiveForm"] = Members("Rifai", "Theanets"),
        ["OrthogonalMode"] = Members("PerUnit", "PerInput"),
        ["NormPer"] = Members("Unit", "Input"),
    };

    /// <summary>
    /// Simple type names that, declared by the user, could change what our attribute or enum names bind to
    /// (<c>Dense</c>, <c>DenseAttribute</c>, <c>Activation</c>, …, and <c>Compiled</c> itself).
    /// </summary>
    public static readonly HashSet<string> BindingSensitiveNames = SensitiveNames();

    /// <summary>The role of an attribute kind read by a reader (every kind in <see cref="Attributes"/> has one).</summary>
    public static AttributeRole RoleOf(string kind) => Attributes[kind].Role;

    /// <summary>Whether attributes of this kind make a class a model: [Input] and the layers.</summary>
    public static bool MakesModel(string kind) => RoleOf(kind) is AttributeRole.Input or AttributeRole.Layer;

    /// <summary>The attribute a written simple name refers to: <c>Dense</c> and <c>DenseAttribute</c> both give Dense.</summary>
    public static AttributeShape? Find(string simpleName)
    {
        if (Attributes.TryGetValue(simpleName, out AttributeShape? shape)) return shape;
        const string suffix = "Attribute";
        return simpleName.EndsWith(suffix, StringComparison.Ordinal) && Attributes.TryGetValue(simpleName.Substring(0, simpleName.Length - suffix.Length), out shape)
            ? shape : null;
    }

    private static Dictionary<string, AttributeShape> Index(params AttributeShape[] shapes)
    {
        var result = new Dictionary<string, AttributeShape>(StringComparer.Ordinal);
        foreach (AttributeShape s in shapes) result.Add(s.Kind, s);
        return result;
    }

    private static Dictionary<string, int> Members(params string[] names)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) result.Add(names[i], i);
        return result;
    }

    private static HashSet<string> SensitiveNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { Namespace };
        foreach (string kind in Attributes.Keys) { names.Add(kind); names.Add(kind + "Attribute"); }
        foreach (string e in Enums.Keys) names.Add(e);
        return names;
    }
}
