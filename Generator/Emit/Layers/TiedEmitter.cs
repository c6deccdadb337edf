using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>
/// A tied decoder (theanets <c>tied</c>): z = x·W_p + b with its partner's W_p [Inputs, Units] as stored, its own bias;
/// backward δ·W_pᵀ; its share of W_p's gradient, xᵀ·δ, is added after every layer's own gradient is written.
/// </summary>
internal sealed class TiedEmitter(ModelSpec model, TiedSpec layer) : ProductEmitter(model, layer)
{
    private new TiedSpec L { get; } = layer;

    private DenseSpec Partner => (DenseSpec)M.Layers[L.Partner];

    protected override string KindName => "Tied";

    public override string Architecture => base.Architecture + " (" + Partner.Name + "ᵀ)";

    public override long OwnParameters => L.Units;

    private string PartnerWeight => Names.Weight(M, Partner);

    public override void Initialization(IndentedWriter w)
        => w.Line($"{Names.Kernels}.Init.Bias({Names.Bias(M, L)}, fanIn: {L.Inputs}, seed, layer: {L.Ordinal}); // its weights are {Partner.Name}'s");

    public override void Views(IndentedWriter w) => BiasAndActivationViews(w);

    public override void WorkspaceFields(IndentedWriter w)
    {
        base.WorkspaceFields(w);
        w.Line($"public readonly {Names.T(M)}[] {L.Pascal}TiedScratch; // {L.Name}: its share of {Partner.Name}.weight's gradient, before it is added [{L.Inputs}·{L.Units}] (training only)");
    }

    public override void WorkspaceAllocations(IndentedWriter w)
    {
        base.WorkspaceAllocations(w);
        w.Line($"{L.Pascal}TiedScratch = training ? new {Names.T(M)}[{L.Inputs * L.Units}] : global::System.Array.Empty<{Names.T(M)}>();");
    }

    protected override void Product(IndentedWriter w, string input, string z)
    {
        w.Line($"{Names.Kernels}.Gemm.XW(batch, {L.Inputs}, {L.Units}, {input}, {PartnerWeight}, {z}, _pool); // x·W_{Partner.Name}");
        w.Line($"{Names.Kernels}.Gemm.AddBias(batch, {L.Units}, {Names.Bias(M, L)}, {z});");
    }

    public override string InputGradientFormula => "δ_" + L.Name + "·W_" + Partner.Name + "ᵀ";

    public override void InputGradient(IndentedWriter w, string destination)
        => w.Line($"{Names.Kernels}.Gemm.XWt(batch, {L.Inputs}, {L.Units}, {Names.D(L)}, {PartnerWeight}, {Names.Kernels}.Gemm.Zeros<{Names.T(M)}>({L.Inputs}), {destination}, _pool);");

    public override void ParameterGradients(IndentedWriter w, string input, bool sgd)
    {
        w.Line($"// {L.Name}: ∂/∂b = Σ_batch δ{(HasBiasPenalty ? " + bias penalties" : "")}; its share of ∂/∂W_{Partner.Name} is added below");
        w.Line($"{Names.ReadOnlySpan(M)} {Names.D(L)} = {Names.Rows(M, Names.Delta(Names.Main, L), L.Units)};");
        BiasGradient(w, sgd);
    }

    public override void SharedParameterGradients(IndentedWriter w, string input)
    {
        w.Line($"// {L.Name} shares {Partner.Name}.weight: ∂/∂W_{Partner.Name} += inputᵀ·δ_{L.Name}");
        w.Line($"{Names.Kernels}.Gemm.DtXAdd(batch, {L.Inputs}, {L.Units}, {input}, {Names.D(L)}, {Names.WeightGrad(M, Partner)}, {Names.View(M, Names.Main + "." + L.Pascal + "TiedScratch", "0", Literal.Int(L.Inputs * L.Units))}, _pool);");
    }

    public override string? QuantizedSource
        => $"new global::Compiled.QuantizedLayerSource({Literal.String(L.Name)}, {L.Inputs}, {L.Units}, {Names.Kernels}.Gemm.Transposed(new global::System.ReadOnlySpan<float>(_parameters, {Partner.WeightOffset}, {L.Inputs * L.Units}), {L.Inputs}, {L.Units}), "
           + $"new global::System.ReadOnlyMemory<float>(_parameters, {L.BiasOffset}, {L.Units}), global::Compiled.Activation.{L.Activation}, {Literal.Float(Names.HasAlpha(L.Activation) ? L.Alpha : 0)})";
}
