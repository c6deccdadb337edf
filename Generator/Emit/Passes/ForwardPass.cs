using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary><c>Forward</c>: each layer's forward step in sequence, each reading the rows the one before wrote.</summary>
internal static class ForwardPass
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block($"private void Forward(Workspace ws, {Names.ReadOnlySpan(m)} inputs, {Names.Span(m)} output, int batch)"))
        {
            w.Line("ws.LastBatch = batch;");
            w.Line("ws.Stamp = global::System.Diagnostics.Stopwatch.GetTimestamp();");
            string input = "inputs";
            foreach (LayerSpec l in m.Layers) input = LayerEmitter.For(m, l).Forward(w, input);
        }
    }
}
