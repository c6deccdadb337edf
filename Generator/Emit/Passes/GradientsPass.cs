using System.Linq;
using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary>
/// The parameter gradients from the deltas <c>Run</c> left: <c>ParameterGradients</c> stores them; for a plain-SGD
/// float32 model <c>ApplySgd</c> applies each as p ← p − lr·g while it is computed, reading and writing each weight
/// once. The deltas only read weights, so computing every delta before any parameter gradient changes no value.
/// </summary>
internal static class GradientsPass
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        Write(w, m, sgd: false);
        if (!m.FusesSgd) return;
        w.Line();
        Write(w, m, sgd: true);
    }

    private static void Write(IndentedWriter w, ModelSpec m, bool sgd)
    {
        string t = Names.T(m);
        if (sgd)
            w.Lines(
                "/// <summary>",
                "/// SGD fused with the parameter gradients of the last backward pass: each gradient (δᵀ·input plus the weight",
                "/// penalties; Σ δ plus the bias penalties) is applied as p ← p − lr·g as soon as it is complete, so every parameter",
                "/// is read and written once. Bit for bit the result of <see cref=\"ParameterGradients\"/> then an SGD step; the gradient",
                "/// block is only scratch here.",
                "/// </summary>");
        else
            w.Line("/// <summary>The parameter gradients from the deltas of the last backward pass, into the gradient block.</summary>");
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        w.Line(ModelEmitter.Hot);
        using (w.Block($"private void {(sgd ? "ApplySgd" : "ParameterGradients")}({Names.ReadOnlySpan(m)} inputs, int batch{(sgd ? ", " + t + " lr" : "")})"))
        {
            // Only the locals the coefficient expressions use.
            var expressions = new System.Text.StringBuilder();
            foreach (ProductLayerSpec l in m.ProductLayers)
                foreach (TensorKind kind in new[] { TensorKind.Weight, TensorKind.Bias })
                    foreach (NormKind norm in new[] { NormKind.L1, NormKind.L2 })
                        expressions.Append(Coefficients.Gradient(m, l.Index, kind, norm)).Append(' ');
            if (!sgd && m.Terms.Any(t => t.Kind == TermKind.Contractive && t.Mode == (int)ContractiveForm.Rifai)) expressions.Append("r. invB");
            if (!sgd && m.Terms.Any(t => t.Kind == TermKind.WeightedActivityL1)) expressions.Append("r. invB");
            if (!sgd && m.Terms.Any(t => t.Kind == TermKind.AuxK)) expressions.Append("r. ");
            if (expressions.ToString().Contains("r.")) w.Line("RegularizationCoefficients r = Regularization;");
            if (expressions.ToString().Contains("invB")) w.Line($"{t} invB = {Names.Real(m, 1)} / batch;");

            for (int i = m.Layers.Count - 1; i >= 0; i--)
                LayerEmitter.For(m, m.Layers[i]).ParameterGradients(w, InputRows(m, i), sgd);
            for (int i = m.Layers.Count - 1; i >= 0; i--)
                LayerEmitter.For(m, m.Layers[i]).SharedParameterGradients(w, InputRows(m, i));
            if (m.PreEncoderBias) PreEncoderBiasGradient(w, m);
        }
    }

    /// <summary>
    /// The pre-encoder bias's second use: x̃ = x − b_dec, so ∂/∂b_dec −= Σ_batch ∂loss/∂x̃ = Σ_batch δ_first·W_first.
    /// </summary>
    private static void PreEncoderBiasGradient(IndentedWriter w, ModelSpec m)
    {
        var first = (DenseSpec)m.ProductLayers.First();
        string gx = Names.Rows(m, Names.Main + ".InputGradient", m.InputSize);
        w.Line($"// pre-encoder bias: {m.Output.Name}.bias also centred the input, so ∂/∂b −= Σ_batch δ_{first.Name}·W_{first.Name}");
        w.Line($"{Names.Kernels}.Gemm.XW(batch, {first.Units}, {first.Inputs}, {Names.Rows(m, Names.Delta(Names.Main, first), first.Units)}, {Names.Weight(m, first)}, {gx}, _pool);");
        w.Line($"{Names.Kernels}.PreEncoderBias.AddBiasGradient<{Names.T(m)}>({gx}, {Names.BiasGrad(m, m.Output)}, InputSize);");
    }

    /// <summary>The rows layer <paramref name="index"/> read in the forward pass.</summary>
    public static string InputRows(ModelSpec m, int index)
        => index > 0 ? LayerEmitter.For(m, m.Layers[index - 1]).OutputRows
           : m.PreEncoderBias ? Names.Rows(m, Names.Main + ".InputCentered", m.InputSize) : "inputs";
}
