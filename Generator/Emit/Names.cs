using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// Identifiers and type names used in generated code, derived here only (the builder checks the same derivations for
/// collisions, see Building/Identifiers.cs), so every emitter agrees on them.
/// </summary>
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

    // Buffers: members of the generated Workspace class, one per purpose per layer, [maxBatch, units].
    public static string OutField(string pascal) => pascal + "Out";
    public static string PreField(string pascal) => pascal + "Pre";
    public static string DeltaField(string pascal) => pascal + "Delta";
    public static string UnitMaxField(string pascal) => pascal + "UnitMax";
    public static string KlField(string pascal) => pascal + "KlTerm";
    public static string KeptField(string pascal) => pascal + "Kept";
    public static string TopKScratchField(string pascal) => pascal + "TopKScratch";
    public static string AuxKField(string pascal) => pascal + "AuxK";
    public static string ActiveIntsField(string pascal) => pascal + "ActiveInts";
    public static string ActiveValuesField(string pascal) => pascal + "ActiveValues";
    public static string SparseField(string pascal) => pascal + "Sparse";
    public static string DeltaAlignedField(string pascal) => pascal + "DeltaAligned";

    /// <summary>The view of a sparse code's active entries in a workspace, first <c>batch</c> rows (Kernels/Sparse/ActiveSet.cs).</summary>
    public static string Active(string ws, ProductLayerSpec l)
        => $"new global::Compiled.Kernels.ActiveSet(batch, {Literal.Int(l.Units)}, {ws}.{ActiveIntsField(l.Pascal)}, {ws}.{ActiveValuesField(l.Pascal)})";

    /// <summary>Whether the last forward pass on a workspace took the sparse path for a code: <c>ws.Hid1Sparse</c>.</summary>
    public static string Sparse(string ws, ProductLayerSpec l) => ws + "." + SparseField(l.Pascal);

    /// <summary>The workspace of the call being computed (Forward, Run)…</summary>
    public const string Ws = "ws";

    /// <summary>…and the model's own, which the training passes after <c>Run</c> read.</summary>
    public const string Main = "_main";

    public static string Out(string ws, ProductLayerSpec l) => ws + "." + OutField(l.Pascal);
    public static string Pre(string ws, ProductLayerSpec l) => ws + "." + PreField(l.Pascal);
    public static string Delta(string ws, ProductLayerSpec l) => ws + "." + DeltaField(l.Pascal);
    public static string UnitMax(string ws, ProductLayerSpec l) => ws + "." + UnitMaxField(l.Pascal);
    public static string KlTerm(string ws, ProductLayerSpec l) => ws + "." + KlField(l.Pascal);

    // Locals (suffixed, so a layer called "out" or "in" never collides with a keyword).
    public static string A(ProductLayerSpec l) => l.Camel + "A";
    public static string Z(ProductLayerSpec l) => l.Camel + "Z";
    public static string D(ProductLayerSpec l) => l.Camel + "D";
    public static string OutSums(ProductLayerSpec l) => l.Camel + "OutSums";
    public static string PreSums(ProductLayerSpec l) => l.Camel + "PreSums";
    public static string WeightSums(ProductLayerSpec l) => l.Camel + "WeightSums";
    public static string BiasSums(ProductLayerSpec l) => l.Camel + "BiasSums";
    public static string KlSums(ProductLayerSpec l) => l.Camel + "Kl";

    public static string Weight(ModelSpec m, DenseSpec l) => View(m, "_parameters", Literal.Int(l.WeightOffset), Literal.Int(l.Units * l.Inputs));
    public static string Bias(ModelSpec m, ProductLayerSpec l) => View(m, "_parameters", Literal.Int(l.BiasOffset), Literal.Int(l.Units));
    public static string WeightGrad(ModelSpec m, DenseSpec l) => View(m, "_gradients", Literal.Int(l.WeightOffset), Literal.Int(l.Units * l.Inputs));
    public static string BiasGrad(ModelSpec m, ProductLayerSpec l) => View(m, "_gradients", Literal.Int(l.BiasOffset), Literal.Int(l.Units));

    /// <summary>A span over part of an array field (generated code has no usings, so no AsSpan extension).</summary>
    public static string View(ModelSpec m, string field, string offset, string length) => "new " + Span(m) + "(" + field + ", " + offset + ", " + length + ")";

    /// <summary>A layer's buffer, first <c>batch</c> rows: <c>new Span&lt;float&gt;(_hid1Out, 0, batch * 400)</c>.</summary>
    public static string Rows(ModelSpec m, string field, int units) => View(m, field, "0", "batch * " + Literal.Int(units));

    public static string KlTarget(TermSpec t) => t.Property.Replace("KlSparsity", "KlTarget");

    /// <summary>
    /// The coefficient a pass uses, read from the run-time coefficients <c>r</c>: the term's property, or for a term with a
    /// warm-up its current effective value (<c>r.Hid1ActivityL1Effective</c>).
    /// </summary>
    public static string Coefficient(TermSpec t) => "r." + t.Property + (t.HasWarmup ? "Effective" : "");

    /// <summary>The kernel class of an activation: <c>global::Compiled.Kernels.Tanh</c>.</summary>
    public static string Kernel(ActivationKind a) => Kernels + "." + a;

    public static bool HasAlpha(ActivationKind a) => a is ActivationKind.LeakyRelu or ActivationKind.Elu;
}
