using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>A Dense layer: its own W [Units, Inputs]; forward X·Wᵀ + b, backward δ·W, gradients δᵀ·X and Σ δ.</summary>
internal class DenseEmitter(ModelSpec model, DenseSpec layer) : ProductEmitter(model, layer)
{
    protected new DenseSpec L { get; } = layer;

    protected override string KindName => "Dense";

    public override long OwnParameters => (long)L.Units * L.Inputs + L.Units + (L.Activation == ActivationKind.JumpRelu ? L.Units : 0);

    public override void Initialization(IndentedWriter w)
    {
        w.Line($"{Names.Kernels}.Init.Dense({Names.Weight(M, L)}, {Names.Bias(M, L)}, fanIn: {L.Inputs}, seed, layer: {L.Ordinal});");
        CodeInitialization(w);
    }

    public override void Views(IndentedWriter w)
    {
        w.Lines(
            $"/// <summary>{L.Name}.weight [{L.Units}, {L.Inputs}], row-major: a view into <see cref=\"Parameters\"/>.</summary>",
            $"public {Names.Span(M)} {L.Pascal}Weight => {Names.Weight(M, L)};",
            "");
        BiasAndActivationViews(w);
        CodeViews(w);
    }

    /// <summary>The layer before this one when its output is a sparse code this layer reads (its lists), else null.</summary>
    private ProductLayerSpec? Code => L.Index > 0 && M.Layers[L.Index - 1] is ProductLayerSpec { SparseCode: true } c ? c : null;

    protected override void Product(IndentedWriter w, string input, string z)
    {
        string dense = $"{Names.Kernels}.Gemm.XWt(batch, {L.Units}, {L.Inputs}, {input}, {Names.Weight(M, L)}, {Names.Bias(M, L)}, {z}, _pool);";
        if (Code is not { } code)
        {
            w.Line(dense);
            return;
        }
        w.Line($"if ({Names.Sparse(Names.Ws, code)}) {Names.Kernels}.SparseGemm.ActiveXWt(batch, {L.Units}, {L.Inputs}, {Names.Active(Names.Ws, code)}, {Names.Weight(M, L)}, {Names.Bias(M, L)}, {z}, _pool);");
        w.Line("else " + dense);
    }

    public override string? QuantizedSource
        => $"new global::Compiled.QuantizedLayerSource({Literal.String(L.Name)}, {L.Inputs}, {L.Units}, new global::System.ReadOnlyMemory<float>(_parameters, {L.WeightOffset}, {L.Units * L.Inputs}), "
           + $"new global::System.ReadOnlyMemory<float>(_parameters, {L.BiasOffset}, {L.Units}), global::Compiled.Activation.{L.Activation}, {Literal.Float(Names.HasAlpha(L.Activation) ? L.Alpha : 0)})";

    /// <summary>
    /// The sparse-coding terms' shares of this layer's weight gradient: the decoder-weighted L1 of the layer it decodes,
    /// AuxK's reconstruction of the residual through these weights.
    /// </summary>
    private void CodeWeightGradients(IndentedWriter w)
    {
        string gw = Names.WeightGrad(M, L);
        foreach (TermSpec t in M.Terms.Where(t => t.Kind == TermKind.WeightedActivityL1 && t.Mode == L.Index))
        {
            var coded = (ProductLayerSpec)M.Layers[t.Layer];
            w.Line($"{Names.Kernels}.WeightedL1.AddWeightGradient<{Names.T(M)}>({Names.Weight(M, L)}, {gw}, {coded.Units}, {L.Units}, {Names.Main}.{t.Property}Norms, {Names.Main}.{t.Property}Sums, {Names.Coefficient(t)} * invB); // {t.Name}: + (λ/B)·Σ_b|a_bi|·W[:, i]/‖W[:, i]‖");
        }
        foreach (TermSpec t in M.Terms.Where(t => t.Kind == TermKind.AuxK && L.Index == M.Output.Index))
        {
            var coded = (ProductLayerSpec)M.Layers[t.Layer];
            w.Line($"{Names.Main}.{Names.AuxKField(coded.Pascal)}!.AddDecoderGradient({gw}, {Names.Coefficient(t)}); // {t.Name}: + c·Σ_b g_b·v_bj at the dead units it used");
        }
    }

    public override string InputGradientFormula => "δ_" + L.Name + "·W_" + L.Name;

    public override void InputGradient(IndentedWriter w, string destination)
        => w.Line($"{Names.Kernels}.Gemm.XW(batch, {L.Units}, {L.Inputs}, {Names.D(L)}, {Names.Weight(M, L)}, {destination}, _pool);");

    public override void ParameterGradients(IndentedWriter w, string input, bool sgd)
    {
        string wl1 = Coefficients.Gradient(M, L.Index, TensorKind.Weight, NormKind.L1), wl2 = Coefficients.Gradient(M, L.Index, TensorKind.Weight, NormKind.L2);
        bool wPen = GradientHead(w, sgd);
        string denseGradient = sgd
            ? $"{Names.Kernels}.Gemm.DtXSgd(batch, {L.Units}, {L.Inputs}, {Names.D(L)}, {input}, {Names.Weight(M, L)}, {Names.WeightGrad(M, L)}, {wl1}, {wl2}, lr, _pool);"
            : $"{Names.Kernels}.Gemm.DtX(batch, {L.Units}, {L.Inputs}, {Names.D(L)}, {input}, {Names.WeightGrad(M, L)}, {(wPen ? Names.Weight(M, L) : "default")}, {wl1}, {wl2}, _pool);";
        if (Code is { } code)
        {
            // This layer reads a sparse code: ∂W = δᵀ·A over the code's active columns.
            string active = Names.Active(Names.Main, code);
            w.Line(sgd
                ? $"if ({Names.Sparse(Names.Main, code)}) {Names.Kernels}.SparseGemm.DtActiveSgd(batch, {L.Units}, {L.Inputs}, {Names.D(L)}, {active}, {Names.Weight(M, L)}, {wl1}, {wl2}, lr, _pool);"
                : $"if ({Names.Sparse(Names.Main, code)}) {Names.Kernels}.SparseGemm.DtActive(batch, {L.Units}, {L.Inputs}, {Names.D(L)}, {active}, {Names.WeightGrad(M, L)}, {(wPen ? Names.Weight(M, L) : "default")}, {wl1}, {wl2}, _pool);");
            w.Line("else " + denseGradient);
        }
        else if (L.SparseCode && L.SparseWeights)
        {
            // This layer is a sparse code: ∂W = δᵀ·X over its active entries (its delta is zero elsewhere).
            string active = Names.Active(Names.Main, L), aligned = $"{Names.Main}.{Names.DeltaAlignedField(L.Pascal)}";
            using (w.Block($"if ({Names.Sparse(Names.Main, L)})"))
            {
                w.Line($"{Names.Kernels}.SparseGemm.Gather({active}, {Names.D(L)}, {aligned});");
                w.Line(sgd
                    ? $"{Names.Kernels}.SparseGemm.ActiveDtXSgd(batch, {L.Units}, {L.Inputs}, {active}, {aligned}, {input}, {Names.Weight(M, L)}, {wl1}, {wl2}, lr, _pool);"
                    : $"{Names.Kernels}.SparseGemm.ActiveDtX(batch, {L.Units}, {L.Inputs}, {active}, {aligned}, {input}, {Names.WeightGrad(M, L)}, {(wPen ? Names.Weight(M, L) : "default")}, {wl1}, {wl2}, _pool);");
            }
            w.Line("else " + denseGradient);
        }
        else w.Line(denseGradient);
        if (!sgd) StructuralWeights(w);
        if (!sgd) CodeWeightGradients(w);
        BiasGradient(w, sgd);
    }

    /// <summary>The parameter gradients' comment and the delta's span; returns whether the weights carry a penalty.</summary>
    protected bool GradientHead(IndentedWriter w, bool sgd)
    {
        bool wPen = Coefficients.Gradient(M, L.Index, TensorKind.Weight, NormKind.L1) != Coefficients.None(M)
                    || Coefficients.Gradient(M, L.Index, TensorKind.Weight, NormKind.L2) != Coefficients.None(M);
        w.Line($"// {L.Name}: ∂/∂W = δᵀ·input{(wPen ? " + weight penalties" : "")}, ∂/∂b = Σ_batch δ{(HasBiasPenalty ? " + bias penalties" : "")}{(sgd ? "; p ← p − lr·g" : "")}");
        w.Line($"{Names.ReadOnlySpan(M)} {Names.D(L)} = {Names.Rows(M, Names.Delta(Names.Main, L), L.Units)};");
        return wPen;
    }
}
