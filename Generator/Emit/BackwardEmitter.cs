using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// The backward pass, from the output layer down: parameter gradients of each layer (weight penalties as the GEMM's
/// epilogue), then the delta of the layer below (activity penalties fused with the activation derivative).
/// </summary>
internal static class BackwardEmitter
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        LayerSpec o = m.Output;
        if (Coefficients.Kl(m, o.Index) is not null)
            w.Line(Names.Kernel(o.Activation) + ".Backward(" + Names.A(o) + ", " + Names.D(o) + ", " + Literal.Int(o.Units) + ", "
                   + Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L1) + ", " + Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L2) + ", " + Names.KlField(o) + ");");
        WritePreActivation(w, m, o);

        for (int i = m.Layers.Count - 1; i >= 0; i--)
        {
            LayerSpec l = m.Layers[i];
            string input = i == 0 ? "inputs" : Names.A(m.Layers[i - 1]);
            string wl1 = Coefficients.Gradient(m, i, TensorKind.Weight, NormKind.L1), wl2 = Coefficients.Gradient(m, i, TensorKind.Weight, NormKind.L2);
            string bl1 = Coefficients.Gradient(m, i, TensorKind.Bias, NormKind.L1), bl2 = Coefficients.Gradient(m, i, TensorKind.Bias, NormKind.L2);
            string none = Coefficients.None(m);
            bool wPen = wl1 != none || wl2 != none, bPen = bl1 != none || bl2 != none;
            w.Line("// " + l.Name + ": ∂/∂W = δᵀ·input" + (wPen ? " + weight penalties" : "") + ", ∂/∂b = Σ_batch δ" + (bPen ? " + bias penalties" : ""));
            w.Line(Names.Kernels + ".Gemm.DtX(batch, " + Literal.Int(l.Units) + ", " + Literal.Int(l.Inputs) + ", " + Names.D(l) + ", " + input + ", "
                   + Names.WeightGrad(m, l) + ", " + (wPen ? Names.Weight(m, l) : "default") + ", " + wl1 + ", " + wl2 + ", _pool);");
            w.Line(Names.Kernels + ".Gemm.ColumnSums(batch, " + Literal.Int(l.Units) + ", " + Names.D(l) + ", " + Names.BiasGrad(m, l) + ", "
                   + (bPen ? Names.Bias(m, l) : "default") + ", " + bl1 + ", " + bl2 + ");");
            if (i == 0) break;

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

    private static void WritePreActivation(IndentedWriter w, ModelSpec m, LayerSpec l)
    {
        if (!Coefficients.Reads(m, l.Index, TensorKind.PreActivation)) return; // z may be kept for other reasons (derivative, logits)
        w.Line("// " + l.Name + ": pre-activation penalties, δ += l1·sign(z) + 2·l2·z");
        w.Line(Names.Kernels + ".Penalty.AddGradient(" + Names.Z(l) + ", " + Names.D(l) + ", "
               + Coefficients.Gradient(m, l.Index, TensorKind.PreActivation, NormKind.L1) + ", " + Coefficients.Gradient(m, l.Index, TensorKind.PreActivation, NormKind.L2) + ");");
    }
}
