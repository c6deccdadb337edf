using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// <c>Run</c>: the forward pass, every loss term (one pass over each penalized tensor, telemetry from the same pass),
/// the data loss fused with the output layer's backward step, then the backward pass (<see cref="BackwardEmitter"/>).
/// </summary>
internal static class LossEmitter
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        LayerSpec o = m.Output;
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block("private LossBreakdown Run(global::System.ReadOnlySpan<float> inputs, global::System.ReadOnlySpan<float> targets, int batch, bool backward)"))
        {
            foreach (LayerSpec l in m.Layers)
            {
                w.Line(Names.Span + " " + Names.A(l) + " = " + Names.View(Names.OutField(l), "0", "batch * " + Literal.Int(l.Units)) + ";");
                if (l.KeepPreActivation) w.Line(Names.Span + " " + Names.Z(l) + " = " + Names.View(Names.PreField(l), "0", "batch * " + Literal.Int(l.Units)) + ";");
            }
            w.Line("Forward(inputs, " + Names.A(o) + ", batch);");
            w.Line("RegularizationCoefficients r = Regularization;");
            w.Line("float invB = 1f / batch;");
            w.Line();

            // ---- Sums over the penalized tensors (and the sparsity telemetry, from the same pass)
            if (m.Terms.Count > 0) w.Line("// Regularizer terms: one pass over each penalized tensor.");
            foreach (LayerSpec l in m.Layers)
            {
                if (l.ActivityTelemetry)
                    w.Line("global::Compiled.Kernels.TensorSums " + Names.OutSums(l) + " = " + Names.Kernels + ".Statistics.Activity(" + Names.A(l) + ", " + Literal.Int(l.Units) + ", SparsityEpsilon, " + Names.UnitMaxField(l) + ");");
                if (Coefficients.Reads(m, l.Index, TensorKind.PreActivation))
                    w.Line("global::Compiled.Kernels.TensorSums " + Names.PreSums(l) + " = " + Names.Kernels + ".Statistics.Activity(" + Names.Z(l) + ", " + Literal.Int(l.Units) + ", 0f, default);");
                if (l.WeightTelemetry)
                    w.Line("global::Compiled.Kernels.TensorSums " + Names.WeightSums(l) + " = " + Names.Kernels + ".Statistics.Weights(" + Names.Weight(l) + ");");
                if (Coefficients.Reads(m, l.Index, TensorKind.Bias))
                    w.Line("global::Compiled.Kernels.TensorSums " + Names.BiasSums(l) + " = " + Names.Kernels + ".Statistics.Weights(" + Names.Bias(l) + ");");
                if (Coefficients.Kl(m, l.Index) is { } kl)
                    w.Line("global::Compiled.Kernels.KlSums " + Names.KlSums(l) + " = " + Names.Kernels + ".KlDivergence.Compute(" + Names.A(l) + ", batch, " + Literal.Int(l.Units)
                           + ", r." + Names.KlTarget(kl) + ", r." + kl.Property + ", tanhRescaled: " + (kl.KlTanh ? "true" : "false") + ", " + Names.KlField(l) + ");");
            }
            foreach (TermSpec t in m.Terms)
                w.Line("double " + Local(t) + " = " + Value(m, t) + "; // " + t.Name + ": " + t.Formula);
            if (m.Terms.Count > 0) w.Line();

            // ---- Data loss fused with the output layer's backward step
            bool klOnOutput = Coefficients.Kl(m, o.Index) is not null;
            string scale = m.Loss == LossKind.HalfSquaredError ? "invB" : "2f / (batch * " + Literal.Int(o.Units) + ")";
            string dataValue = m.Loss == LossKind.HalfSquaredError ? "sse * 0.5 / batch" : "sse / (batch * " + Literal.Int(o.Units) + ".0)";
            w.Line("// Data loss (" + (m.Loss == LossKind.HalfSquaredError ? "(1/B)·Σ ½‖y − t‖²" : "mean of (y − t)² over batch × " + Literal.Int(o.Units)) + ") fused with the output layer's backward step:");
            w.Line(Names.Span + " " + Names.D(o) + " = " + Names.View(Names.DeltaField(o), "0", "batch * " + Literal.Int(o.Units)) + ";");
            if (klOnOutput)
            {
                w.Line("// (the KL term on this layer is added with the activation derivative in the backward pass)");
                w.Line("double sse = " + Names.Kernel(ActivationKind.Linear) + ".SquaredErrorBackward(" + Names.A(o) + ", targets, " + Names.D(o) + ", " + scale + ", 0f, 0f);");
            }
            else
            {
                w.Line("// " + Names.D(o) + " = (∂data/∂y + activity terms) ⊙ " + Names.Derivative(o.Activation));
                w.Line("double sse = " + Names.Kernel(o.Activation) + ".SquaredErrorBackward(" + Names.A(o) + ", targets, " + Names.D(o) + ", " + scale + ", "
                       + Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L1) + ", " + Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L2) + ");");
            }
            w.Line("double data = " + dataValue + ";");
            w.Line("LossBreakdown loss = new LossBreakdown(data" + string.Concat(m.Terms.Select(t => ", " + Local(t))) + ");");
            WriteTelemetry(w, m);
            w.Line("if (!backward) return loss;");
            w.Line();
            BackwardEmitter.Write(w, m);
            w.Line("return loss;");
        }
    }

    public static string Local(TermSpec t) => "term" + t.Property;

    /// <summary>The value of a term: coefficient × Σ factor·(1/B)·N(tensor), from the sums computed above.</summary>
    private static string Value(ModelSpec m, TermSpec t)
    {
        if (t.Kind == TermKind.KlSparsity) return Names.KlSums(m.Layers[t.KlLayer]) + ".Value";
        var parts = new List<string>();
        foreach (ContributionSpec c in t.Contributions)
        {
            LayerSpec l = m.Layers[c.Layer];
            string sums = c.Tensor switch
            {
                TensorKind.Output => Names.OutSums(l),
                TensorKind.PreActivation => Names.PreSums(l),
                TensorKind.Weight => Names.WeightSums(l),
                _ => Names.BiasSums(l),
            };
            string n = sums + (c.Norm == NormKind.L1 ? ".SumAbs" : ".SumSquares");
            if (c.Factor != 1.0) n = Literal.Double(c.Factor) + " * " + n;
            if (c.PerBatch) n += " / batch";
            parts.Add(n);
        }
        string sum = parts.Count == 1 ? parts[0] : "(" + string.Join(" + ", parts) + ")";
        return "r." + t.Property + " * " + sum;
    }

    private static void WriteTelemetry(IndentedWriter w, ModelSpec m)
    {
        var args = new List<string>();
        foreach (LayerSpec l in m.Layers)
        {
            string u = Literal.Int(l.Units);
            if (l.ActivityTelemetry)
            {
                string s = Names.OutSums(l), n = "(batch * " + u + ".0)";
                args.Add("new global::Compiled.ActivitySparsity(" + u + ", (float)(" + s + ".SumAbs / " + n + "), (float)(" + s + ".BelowEpsilon / " + n + "), (float)(" + s + ".Zeros / " + n + "), " + s + ".DeadUnits)");
            }
            if (Coefficients.Kl(m, l.Index) is { } kl)
            {
                string k = Names.KlSums(l);
                args.Add("new global::Compiled.KlSparsity(r." + Names.KlTarget(kl) + ", " + k + ".MeanRhoHat, " + k + ".MinRhoHat, " + k + ".MaxRhoHat)");
            }
            if (l.WeightTelemetry)
                args.Add("new global::Compiled.WeightSparsity(" + Literal.Int(l.Units * l.Inputs) + ", " + Names.WeightSums(l) + ".Zeros)");
        }
        if (args.Count > 0) w.Line("LastSparsity = new SparsityReport(" + string.Join(", ", args) + ");");
    }
}
