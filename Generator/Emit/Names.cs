using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>Identifiers used in generated code, in one place so every emitter agrees on them.</summary>
internal static class Names
{
    public const string Kernels = "global::Compiled.Kernels";
    public const string Span = "global::System.Span<float>";
    public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";

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

    public static string Weight(LayerSpec l) => View("_parameters", Literal.Int(l.WeightOffset), Literal.Int(l.Units * l.Inputs));
    public static string Bias(LayerSpec l) => View("_parameters", Literal.Int(l.BiasOffset), Literal.Int(l.Units));
    public static string WeightGrad(LayerSpec l) => View("_gradients", Literal.Int(l.WeightOffset), Literal.Int(l.Units * l.Inputs));
    public static string BiasGrad(LayerSpec l) => View("_gradients", Literal.Int(l.BiasOffset), Literal.Int(l.Units));

    /// <summary>A span over part of an array field (generated code has no usings, so no AsSpan extension).</summary>
    public static string View(string field, string offset, string length) => "new " + Span + "(" + field + ", " + offset + ", " + length + ")";

    public static string KlTarget(TermSpec t) => t.Property.Replace("KlSparsity", "KlTarget");

    public static string Kernel(ActivationKind a) => Kernels + "." + a;

    public static string Describe(ActivationKind a) => a switch
    {
        ActivationKind.Tanh => "tanh",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Relu => "relu",
        _ => "linear",
    };

    public static string Derivative(ActivationKind a) => a switch
    {
        ActivationKind.Tanh => "(1 − a²)",
        ActivationKind.Sigmoid => "a(1 − a)",
        ActivationKind.Relu => "[a > 0]",
        _ => "1",
    };
}
