using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>
/// What Dense and Tied layers share: z = x·W(ᵀ) + b, a = f(z), the buffers that go with it (a, z when kept, δ, the
/// telemetry), the bias, the activation's forward and derivative kernels with the penalties on a and z fused in.
/// Subclasses write the products, which is where the two kinds differ.
/// </summary>
internal abstract class ProductEmitter(ModelSpec model, ProductLayerSpec layer) : LayerEmitter(model)
{
    protected ProductLayerSpec L { get; } = layer;

    protected bool IsOutput => L.Index == M.Output.Index;

    protected string T => Names.T(M);

    protected string U => Literal.Int(L.Units);

    /// <summary>The kind's name in comments: Dense, Tied.</summary>
    protected abstract string KindName { get; }

    public override string Architecture => L.Name + ": " + KindName + " " + Literal.Int(L.Units) + " " + Describe.Activation(L);

    public override string SummaryName => L.Name;

    public override string SummaryActivation => Describe.Activation(L);

    /// <summary>The comment heading the layer's code: what it is and what is attached to it.</summary>
    public string Comment()
    {
        var attached = new List<string>();
        foreach (TermSpec t in M.Terms)
            if (t.Layer == L.Index || t.Contributions.Any(c => c.Layer == L.Index))
                attached.Add(t.Name + " (" + (t.Kind == TermKind.KlSparsity ? "β = " + Literal.Number(t.Coefficient) + ", ρ = " + Literal.Number(t.Rho) : "λ = " + Literal.Number(t.Coefficient)) + ")");
        return "// " + L.Name + ": " + KindName + " " + Literal.Int(L.Inputs) + " → " + U + ", " + Describe.Activation(L)
               + (attached.Count > 0 ? "; " + string.Join(", ", attached) : "");
    }

    // ---- Members ------------------------------------------------------------------------------------------------

    public override void WorkspaceFields(IndentedWriter w)
    {
        w.Line($"public readonly {T}[] {Names.OutField(L.Pascal)}; // {L.Name}: a = {Describe.Activation(L.Activation)}(z){(L.KeepPreActivation ? "" : ", z computed in place")}");
        if (L.KeepPreActivation) w.Line($"public readonly {T}[] {Names.PreField(L.Pascal)}; // {L.Name}: z, kept for {PreReason()}");
        w.Line($"public readonly {T}[] {Names.DeltaField(L.Pascal)}; // {L.Name}: ∂loss/∂z{(IsOutput ? "" : " (training only)")}");
        if (L.ActivityTelemetry) w.Line($"public readonly {T}[] {Names.UnitMaxField(L.Pascal)}; // {L.Name}: per-unit max |a| in the batch [units]");
        if (Coefficients.Kl(M, L.Index) is not null) w.Line($"public readonly {T}[] {Names.KlField(L.Pascal)}; // {L.Name}: KL gradient term per unit [units]");
    }

    /// <summary>Why the layer keeps its pre-activation z in a buffer of its own.</summary>
    private string PreReason()
    {
        if (Building.LayoutPlanner.DerivativeNeedsZ(L.Activation)) return "the derivative of " + Describe.Activation(L.Activation);
        if (IsOutput && M.Loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy) return "the loss, computed from the logits";
        return "its pre-activation penalty";
    }

    public override void WorkspaceAllocations(IndentedWriter w)
    {
        string rows = $"new {T}[maxBatch * {L.Units}]";
        w.Line($"{Names.OutField(L.Pascal)} = {rows};");
        if (L.KeepPreActivation) w.Line($"{Names.PreField(L.Pascal)} = {rows};");
        // The output layer's delta is written by the fused loss kernel, which Evaluate runs too.
        w.Line(IsOutput ? $"{Names.DeltaField(L.Pascal)} = {rows};" : $"{Names.DeltaField(L.Pascal)} = training ? {rows} : global::System.Array.Empty<{T}>();");
        if (L.ActivityTelemetry) w.Line($"{Names.UnitMaxField(L.Pascal)} = new {T}[{L.Units}];");
        if (Coefficients.Kl(M, L.Index) is not null) w.Line($"{Names.KlField(L.Pascal)} = new {T}[{L.Units}];");
    }

    /// <summary>The bias view, and the activations of a hidden layer.</summary>
    protected void BiasAndActivationViews(IndentedWriter w)
    {
        w.Lines(
            $"/// <summary>{L.Name}.bias [{L.Units}]: a view into <see cref=\"Parameters\"/>.</summary>",
            $"public {Names.Span(M)} {L.Pascal}Bias => {Names.Bias(M, L)};",
            "");
        if (!IsOutput)
            w.Lines(
                $"/// <summary>{L.Name}'s activations [batch, {L.Units}] from the last forward pass the calling thread saw: its own last inference call, or the last training pass if that came later.</summary>",
                $"public {Names.ReadOnlySpan(M)} {L.Pascal}Activations",
                "{",
                "    get",
                "    {",
                "        Workspace ws = Latest();",
                $"        return {Names.View(M, Names.Out(Names.Ws, L), "0", "ws.LastBatch * " + U)};",
                "    }",
                "}",
                "");
    }

    // ---- Forward ------------------------------------------------------------------------------------------------

    public override string Forward(IndentedWriter w, string input)
    {
        w.Line(Comment());
        string a = IsOutput ? "output" : Names.A(L);
        if (!IsOutput) w.Line($"{Names.Span(M)} {a} = {Names.Rows(M, Names.Out(Names.Ws, L), L.Units)};");
        string z = a;
        if (L.KeepPreActivation)
        {
            z = Names.Z(L);
            w.Line($"{Names.Span(M)} {z} = {Names.Rows(M, Names.Pre(Names.Ws, L), L.Units)};");
        }
        Product(w, input, z);
        if (L.Activation != ActivationKind.Linear || z != a) w.Line($"{Names.Kernel(L.Activation)}.Forward({z}, {a}{ActivationArgument()});");
        return a;
    }

    /// <summary>z = input·W(ᵀ) + b into <paramref name="z"/>.</summary>
    protected abstract void Product(IndentedWriter w, string input, string z);

    /// <summary>The activation kernel's extra argument: α, or the row width of a softmax.</summary>
    private string ActivationArgument()
        => Names.HasAlpha(L.Activation) ? ", " + Names.Real(M, L.Alpha) : L.Activation == ActivationKind.Softmax ? ", " + U : "";

    public override string OutputRows => Names.Rows(M, Names.Out(Names.Main, L), L.Units);

    public override void RunLocals(IndentedWriter w)
    {
        w.Line($"{Names.Span(M)} {Names.A(L)} = {Names.Rows(M, Names.Out(Names.Ws, L), L.Units)};");
        if (L.KeepPreActivation) w.Line($"{Names.Span(M)} {Names.Z(L)} = {Names.Rows(M, Names.Pre(Names.Ws, L), L.Units)};");
    }

    // ---- Backward -----------------------------------------------------------------------------------------------

    /// <summary>
    /// The head of this layer's delta, when the layer above writes into it: the formula, then the span.
    /// <paramref name="fromAbove"/> is the above layer's <see cref="LayerEmitter.InputGradientFormula"/>.
    /// </summary>
    public void DeltaHead(IndentedWriter w, string fromAbove)
    {
        string none = Coefficients.None(M);
        string l1 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L2);
        TermSpec? kl = Coefficients.Kl(M, L.Index);
        string extra = (l1 != none ? " + l1·sign(a)" : "") + (l2 != none ? " + 2·l2·a" : "") + (kl is not null ? " + KL_j" : "");
        w.Line($"// {L.Name}: δ = ({fromAbove}{extra}) ⊙ {Describe.Derivative(L.Activation)}{(extra.Length > 0 ? "   — penalties fused with the derivative" : "")}");
        w.Line($"{Names.Span(M)} {Names.D(L)} = {Names.Rows(M, Names.Delta(Names.Ws, L), L.Units)};");
    }

    /// <summary>
    /// ∂loss/∂a (written by the layer above) becomes ∂loss/∂z: the activity penalties on a and the KL term are added
    /// and the whole multiplied by f′, in one pass; then the penalties on z.
    /// </summary>
    public void ActivationBackward(IndentedWriter w)
    {
        string none = Coefficients.None(M);
        string l1 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L2);
        string k = Names.Kernel(L.Activation);
        if (Coefficients.Kl(M, L.Index) is not null)
            w.Line($"{k}.Backward({Names.A(L)}, {Names.D(L)}, {U}, {l1}, {l2}, {Names.KlTerm(Names.Ws, L)});");
        else if (L.Activation != ActivationKind.Linear || l1 != none || l2 != none)
        {
            if (Building.LayoutPlanner.DerivativeNeedsZ(L.Activation)) w.Line($"{k}.Backward({Names.Z(L)}, {Names.A(L)}, {Names.D(L)}, {l1}, {l2});");
            else if (Names.HasAlpha(L.Activation)) w.Line($"{k}.Backward({Names.A(L)}, {Names.D(L)}, {Names.Real(M, L.Alpha)}, {l1}, {l2});");
            else w.Line($"{k}.Backward({Names.A(L)}, {Names.D(L)}, {l1}, {l2});");
        }
        PreActivationPenalties(w);
    }

    /// <summary>
    /// The output layer's delta after the fused loss kernel wrote it: the KL term (which that kernel cannot fuse), then
    /// the penalties on z.
    /// </summary>
    public void OutputDeltaTail(IndentedWriter w)
    {
        if (Coefficients.Kl(M, L.Index) is not null)
            w.Line($"{Names.Kernel(L.Activation)}.Backward({Names.A(L)}, {Names.D(L)}, {U}, {Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L1)}, {Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L2)}, {Names.KlTerm(Names.Ws, L)});");
        PreActivationPenalties(w);
    }

    private void PreActivationPenalties(IndentedWriter w)
    {
        if (!Coefficients.Reads(M, L.Index, TensorKind.PreActivation)) return; // z may be kept for other reasons (derivative, logits)
        w.Line($"// {L.Name}: pre-activation penalties, δ += l1·sign(z) + 2·l2·z");
        w.Line($"{Names.Kernels}.Penalty.AddGradient({Names.Z(L)}, {Names.D(L)}, {Coefficients.Gradient(M, L.Index, TensorKind.PreActivation, NormKind.L1)}, {Coefficients.Gradient(M, L.Index, TensorKind.PreActivation, NormKind.L2)});");
    }

    /// <summary>∂/∂b = Σ_batch δ (+ bias penalties) into the gradient block, or applied at once with <paramref name="sgd"/>.</summary>
    protected void BiasGradient(IndentedWriter w, bool sgd)
    {
        string bl1 = Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L1), bl2 = Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L2);
        if (sgd)
            w.Line($"{Names.Kernels}.Gemm.ColumnSumsSgd(batch, {U}, {Names.D(L)}, {Names.Bias(M, L)}, {Names.BiasGrad(M, L)}, {bl1}, {bl2}, lr);");
        else
            w.Line($"{Names.Kernels}.Gemm.ColumnSums(batch, {U}, {Names.D(L)}, {Names.BiasGrad(M, L)}, {(HasBiasPenalty ? Names.Bias(M, L) : "default")}, {bl1}, {bl2});");
    }

    protected bool HasBiasPenalty
        => Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L1) != Coefficients.None(M) || Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L2) != Coefficients.None(M);
}
