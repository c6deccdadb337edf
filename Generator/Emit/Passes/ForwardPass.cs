using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary>
/// <c>Forward</c>: each layer's forward step in sequence, each reading the rows the one before wrote. A model with
/// train-time noise takes a <c>training</c> flag: only training passes draw it.
/// </summary>
internal static class ForwardPass
{
    /// <summary>A call of Forward: <c>Forward(ws, inputs, outputs, batch)</c>, with the training flag when the model has noise.</summary>
    public static string Call(ModelSpec m, string ws, string inputs, string output, string training)
        => $"Forward({ws}, {inputs}, {output}, batch{(m.HasNoise ? ", training: " + training : "")});";

    public static void Write(IndentedWriter w, ModelSpec m)
    {
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        w.Line(ModelEmitter.Hot);
        using (w.Block($"private void Forward(Workspace ws, {Names.ReadOnlySpan(m)} inputs, {Names.Span(m)} output, int batch{(m.HasNoise ? ", bool training" : "")})"))
        {
            w.Line("ws.LastBatch = batch;");
            w.Line("ws.Stamp = global::System.Diagnostics.Stopwatch.GetTimestamp();");
            string input = "inputs";
            foreach (LayerSpec l in m.Layers) input = LayerEmitter.For(m, l).Forward(w, input);
        }
    }
}
