using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// The backward pass in two stages. Deltas, from the output layer down (activity penalties fused with the activation
/// derivative), inside <c>Run</c>. Then the parameter gradients of every layer from those deltas (weight penalties as
/// the GEMM's epilogue): stored by <c>ParameterGradients</c>, or — for a plain-SGD float32 model — applied as they are
/// computed by <c>ApplySgd</c>, which reads and writes each weight once. The deltas only read weights, so computing
/// every delta before any parameter gradient changes no value.
/// </summary>
internal static class BackwardEmitter
{
    /// <summary>Whether <c>TrainStep</c> fuses SGD into the parameter-gradient pass (float32 kernels, no optimizer state, no proximal step).</summary>
    public static bool FusesSgd(ModelSpec m)
    {
        if (m.Precision != Precision.Float32 || m.Optimizer.Kind != OptimizerKind.Sgd) return false;
        foreach (TermSpec t in m.Terms)
            if (t.Proximal) return false;
        return true;
    }

    /// <summary>The deltas of every layer (the output layer's comes from the fused loss kernel, before this).</summary>
    public static void WriteDeltas(IndentedWriter w, ModelSpec m)
    {
        LayerSpec o = m.Output;
        if (Coefficients.Kl(m, o.Index) is not null)
            w.Line(Names.Kernel(o.Activation) + ".Backward(" + Names.A(o) + ", " + Names.D(o) + ", " + Literal.Int(o.Units) + ", "
                   + Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L1) + ", " + Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L2) + ", " + Names.KlField(o) + ");");
        WritePreActivation(w, m, o);

        string none = Coefficients.None(m);
        for (int i = m.Layers.Count - 1; i >= 1; i--)
        {
            LayerSpec l = m.Layers[i];
            LayerSpec below = m.Layers[i - 1];
            string l1 = Coefficients.Gradient(m, below.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(m, below.Index, TensorKind.Output, NormKind.L2);
            TermSpec? kl = Coefficients.Kl(m, below.Index);
            string extra = (l1 != none ? " + l1·sign(a)" : "") + (l2 != none ? " + 2·l2·a" : "") + (kl is not null ? " + KL_j" : "");
            w.Line("// " + below.Name + ": δ = (δ_" + l.Name + "·W_" + l.Name + extra + ") ⊙ " + Names.Derivative(below.Activation) + (extra.Length > 0 ? "   — penalties fused with the derivative" : ""));
            w.Line(Names.Span(m) + " " + Names.D(below) + " = " + Names.View(m, Names.DeltaField(below), "0", "batch * " + Literal.Int(below.Units)) + ";");
            w.Line(Names.Kernels + ".Gemm.XW(batch, " + Literal.Int(l.Units) + ", " + Literal.Int(below.Units) + ", " + Names.D(l) + ", " + Names.Weight(m, l) + ", " + Names.D(below) + ", _pool);");
            if (kl is not null)
                w.Line(Names.Kernel(below.Activation) + ".Backward(" + Names.A(below) + ", " + Names.D(below) + ", " + Literal.Int(below.Units) + ", " + l1 + ", " + l2 + ", " + Names.KlField(below) + ");");
            else if (below.Activation != ActivationKind.Linear || l1 != none || l2 != none)
                w.Line(Names.BackwardCall(m, below, l1, l2));
            WritePreActivation(w, m, below);
        }
    }

    /// <summary>
    /// <c>ParameterGradients(inputs, batch)</c>: ∂/∂W = δᵀ·input (+ weight penalties), ∂/∂b = Σ_batch δ (+ bias penalties)
    /// into the gradient block; with <paramref name="sgd"/>, <c>ApplySgd(inputs, batch, lr)</c>: the same gradients
    /// applied as p ← p − lr·g while they are computed.
    /// </summary>
    public static void WriteParameterGradients(IndentedWriter w, ModelSpec m, bool sgd)
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
        using (w.Block("private void " + (sgd ? "ApplySgd" : "ParameterGradients") + "(" + Names.ReadOnlySpan(m) + " inputs, int batch" + (sgd ? ", " + t + " lr" : "") + ")"))
        {
            // Only the locals the coefficient expressions use.
            var expressions = new System.Text.StringBuilder();
            foreach (LayerSpec l in m.Layers)
                foreach (TensorKind kind in new[] { TensorKind.Weight, TensorKind.Bias })
                    foreach (NormKind norm in new[] { NormKind.L1, NormKind.L2 })
                        expressions.Append(Coefficients.Gradient(m, l.Index, kind, norm)).Append(' ');
            if (expressions.ToString().Contains("r.")) w.Line("RegularizationCoefficients r = Regularization;");
            if (expressions.ToString().Contains("invB")) w.Line(t + " invB = " + Names.Real(m, 1) + " / batch;");

            for (int i = m.Layers.Count - 1; i >= 0; i--)
            {
                LayerSpec l = m.Layers[i];
                string input = i == 0 ? "inputs" : Names.View(m, Names.OutField(m.Layers[i - 1]), "0", "batch * " + Literal.Int(m.Layers[i - 1].Units));
                string delta = Names.View(m, Names.DeltaField(l), "0", "batch * " + Literal.Int(l.Units));
                string wl1 = Coefficients.Gradient(m, i, TensorKind.Weight, NormKind.L1), wl2 = Coefficients.Gradient(m, i, TensorKind.Weight, NormKind.L2);
                string bl1 = Coefficients.Gradient(m, i, TensorKind.Bias, NormKind.L1), bl2 = Coefficients.Gradient(m, i, TensorKind.Bias, NormKind.L2);
                string none = Coefficients.None(m);
                bool wPen = wl1 != none || wl2 != none, bPen = bl1 != none || bl2 != none;
                string units = Literal.Int(l.Units), inputs = Literal.Int(l.Inputs);
                w.Line("// " + l.Name + ": ∂/∂W = δᵀ·input" + (wPen ? " + weight penalties" : "") + ", ∂/∂b = Σ_batch δ" + (bPen ? " + bias penalties" : "") + (sgd ? "; p ← p − lr·g" : ""));
                w.Line(Names.ReadOnlySpan(m) + " " + Names.D(l) + " = " + delta + ";");
                if (sgd)
                {
                    w.Line(Names.Kernels + ".Gemm.DtXSgd(batch, " + units + ", " + inputs + ", " + Names.D(l) + ", " + input + ", "
                           + Names.Weight(m, l) + ", " + Names.WeightGrad(m, l) + ", " + wl1 + ", " + wl2 + ", lr, _pool);");
                    w.Line(Names.Kernels + ".Gemm.ColumnSumsSgd(batch, " + units + ", " + Names.D(l) + ", " + Names.Bias(m, l) + ", " + Names.BiasGrad(m, l) + ", " + bl1 + ", " + bl2 + ", lr);");
                }
                else
                {
                    w.Line(Names.Kernels + ".Gemm.DtX(batch, " + units + ", " + inputs + ", " + Names.D(l) + ", " + input + ", "
                           + Names.WeightGrad(m, l) + ", " + (wPen ? Names.Weight(m, l) : "default") + ", " + wl1 + ", " + wl2 + ", _pool);");
                    w.Line(Names.Kernels + ".Gemm.ColumnSums(batch, " + units + ", " + Names.D(l) + ", " + Names.BiasGrad(m, l) + ", "
                           + (bPen ? Names.Bias(m, l) : "default") + ", " + bl1 + ", " + bl2 + ");");
                }
            }
        }
    }

    private static void WritePreActivation(IndentedWriter w, ModelSpec m, LayerSpec l)
    {
        if (!Coefficients.Reads(m, l.Index, TensorKind.PreActivation)) return; // z may be kept for other reasons (derivative, logits)
        w.Line("// " + l.Name + ": pre-activation penalties, δ += l1·sign(z) + 2·l2·z");
        w.Line(Names.Kernels + ".Penalty.AddGradient(" + Names.Z(l) + ", " + Names.D(l) + ", "
               + Coefficients.Gradient(m, l.Index, TensorKind.PreActivation, NormKind.L1) + ", " + Coefficients.Gradient(m, l.Index, TensorKind.PreActivation, NormKind.L2) + ");");
    }
}
