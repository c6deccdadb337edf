using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>Identifiers used in generated code, in one place so every emitter agrees on them.</summary>
internal static class Names
{
    public const string Kernels = "global::Compiled.Kernels";

    // The element type: everything below that names a type or prints a number asks the model's precision, so one
    // emitter serves float and double models.

    /// <summary>The element type keyword: <c>float</c> or <c>double</c>.</summary>
    public static string T(ModelSpec m) => m.IsDouble ? "double" : "float";

    public static string Span(ModelSpec m) => "global::System.Span<" + T(m) + ">";

    public static string ReadOnlySpan(ModelSpec m) => "global::System.ReadOnlySpan<" + T(m) + ">";

    /// <summary>A literal of the element type: <c>0.5f</c> or <c>0.5d</c>.</summary>
    public static string Real(ModelSpec m, double value) => m.IsDouble ? Literal.Double(value) : Literal.Float(value);

    private static string Camel(LayerSpec l) => char.ToLowerInvariant(l.Name[0]) + l.Name.Substring(1);

    // Fields: one buffer per purpose per layer, [maxBatch, units].
    public static string OutField(LayerSpec l) => "_" + Camel(l) + "Out";
    public static string PreField(LayerSpec l) => "_" + Camel(l) + "Pre";
    public static string DeltaField(LayerSpec l) => "_" + Camel(l) + "Delta";
    public static string UnitMaxField(LayerSpec l) => "_" + Camel(l) + "UnitMax";
    public static string KlField(LayerSpec l) => "_" + Camel(l) + "KlTerm";

    // Locals (suffixed, so a layer called "out" or "in" never collides with a keyword).
    public static string A(LayerSpec l) => Camel(l) + "A";
    public static string Z(LayerSpec l) => Camel(l) + "Z";
    public static string D(LayerSpec l) => Camel(l) + "D";
    public static string OutSums(LayerSpec l) => Camel(l) + "OutSums";
    public static string PreSums(LayerSpec l) => Camel(l) + "PreSums";
    public static string WeightSums(LayerSpec l) => Camel(l) + "WeightSums";
    public static string BiasSums(LayerSpec l) => Camel(l) + "BiasSums";
    public static string KlSums(LayerSpec l) => Camel(l) + "Kl";

    public static string Weight(ModelSpec m, LayerSpec l) => View(m, "_parameters", Literal.Int(l.WeightOffset), Literal.Int(l.Units * l.Inputs));
    public static string Bias(ModelSpec m, LayerSpec l) => View(m, "_parameters", Literal.Int(l.BiasOffset), Literal.Int(l.Units));
    public static string WeightGrad(ModelSpec m, LayerSpec l) => View(m, "_gradients", Literal.Int(l.WeightOffset), Literal.Int(l.Units * l.Inputs));
    public static string BiasGrad(ModelSpec m, LayerSpec l) => View(m, "_gradients", Literal.Int(l.BiasOffset), Literal.Int(l.Units));

    /// <summary>A span over part of an array field (generated code has no usings, so no AsSpan extension).</summary>
    public static string View(ModelSpec m, string field, string offset, string length) => "new " + Span(m) + "(" + field + ", " + offset + ", " + length + ")";

    public static string KlTarget(TermSpec t) => t.Property.Replace("KlSparsity", "KlTarget");

    public static string Kernel(ActivationKind a) => Kernels + "." + a;

    public static string Describe(ActivationKind a) => a switch
    {
        ActivationKind.Tanh => "tanh",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Relu => "relu",
        ActivationKind.LeakyRelu => "leaky_relu",
        ActivationKind.Elu => "elu",
        ActivationKind.Softplus => "softplus",
        ActivationKind.Gelu => "gelu",
        ActivationKind.GeluTanh => "gelu_tanh",
        ActivationKind.Softmax => "softmax",
        _ => "linear",
    };

    /// <summary>The activation with its parameter, e.g. <c>leaky_relu(α=0.01)</c>.</summary>
    public static string Describe(LayerSpec l) => Describe(l.Activation) + (HasAlpha(l.Activation) ? "(α=" + Literal.Number(l.Alpha) + ")" : "");

    public static bool HasAlpha(ActivationKind a) => a is ActivationKind.LeakyRelu or ActivationKind.Elu;

    /// <summary>The derivative needs the pre-activation z, not only the output.</summary>
    public static bool UsesZ(ActivationKind a) => a is ActivationKind.Softplus or ActivationKind.Gelu or ActivationKind.GeluTanh;

    public static string Derivative(ActivationKind a) => a switch
    {
        ActivationKind.Tanh => "(1 − a²)",
        ActivationKind.Sigmoid => "a(1 − a)",
        ActivationKind.Relu => "[a > 0]",
        ActivationKind.LeakyRelu => "([a > 0] + α·[a ≤ 0])",
        ActivationKind.Elu => "([a > 0] + (a + α)·[a ≤ 0])",
        ActivationKind.Softplus => "σ(z)",
        ActivationKind.Gelu => "(Φ(z) + z·φ(z))",
        ActivationKind.GeluTanh => "gelu_tanh'(z)",
        ActivationKind.Softmax => "J_softmax",
        _ => "1",
    };

    public static string DescribeLoss(LossKind loss) => loss switch
    {
        LossKind.HalfSquaredError => "half squared error (1/B)·Σ ½‖y − t‖²",
        LossKind.MeanAbsoluteError => "mean absolute error",
        LossKind.BinaryCrossEntropy => "binary cross-entropy (from the logits)",
        LossKind.SoftmaxCrossEntropy => "softmax cross-entropy (class labels)",
        _ => "mean squared error",
    };

    public static string DescribeOptimizer(OptimizerSpec o) => o.Kind switch
    {
        OptimizerKind.Momentum => "SGD with momentum",
        OptimizerKind.Nesterov => "SGD with Nesterov momentum",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.AdamW => "AdamW",
        _ => "SGD",
    };

    /// <summary>
    /// The activation's backward call for a hidden layer: d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a or z).
    /// </summary>
    public static string BackwardCall(ModelSpec m, LayerSpec l, string l1, string l2)
    {
        string k = Kernel(l.Activation) + ".Backward(";
        if (UsesZ(l.Activation)) return k + Z(l) + ", " + A(l) + ", " + D(l) + ", " + l1 + ", " + l2 + ");";
        if (HasAlpha(l.Activation)) return k + A(l) + ", " + D(l) + ", " + Real(m, l.Alpha) + ", " + l1 + ", " + l2 + ");";
        return k + A(l) + ", " + D(l) + ", " + l1 + ", " + l2 + ");";
    }
}
