using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>The forward pass: per layer, one GEMM with the bias as its epilogue, then the activation.</summary>
internal static class ForwardEmitter
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block("private void Forward(" + Names.ReadOnlySpan(m) + " inputs, " + Names.Span(m) + " output, int batch)"))
        {
            w.Line("_lastBatch = batch;");
            string input = "inputs";
            foreach (LayerSpec l in m.Layers)
            {
                bool last = l.Index == m.Layers.Count - 1;
                w.Line(ModelEmitter.LayerComment(m, l));
                string a = last ? "output" : Names.A(l);
                if (!last) w.Line(Names.Span(m) + " " + a + " = " + Names.View(m, Names.OutField(l), "0", "batch * " + Literal.Int(l.Units)) + ";");
                string z = a;
                if (l.KeepPreActivation)
                {
                    z = Names.Z(l);
                    w.Line(Names.Span(m) + " " + z + " = " + Names.View(m, Names.PreField(l), "0", "batch * " + Literal.Int(l.Units)) + ";");
                }
                w.Line(Names.Kernels + ".Gemm.XWt(batch, " + Literal.Int(l.Units) + ", " + Literal.Int(l.Inputs) + ", " + input + ", "
                       + Names.Weight(m, l) + ", " + Names.Bias(m, l) + ", " + z + ", _pool);");
                if (l.Activation != ActivationKind.Linear || z != a)
                    w.Line(Names.Kernel(l.Activation) + ".Forward(" + z + ", " + a
                           + (Names.HasAlpha(l.Activation) ? ", " + Names.Real(m, l.Alpha) : l.Activation == ActivationKind.Softmax ? ", " + Literal.Int(l.Units) : "") + ");");
                input = a;
            }
        }
    }
}
