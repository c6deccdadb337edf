using System.Linq;
using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// How one model serves many threads: the <c>Workspace</c> (the buffers one forward pass and its loss write, one set per
/// concurrent call), which workspace each call takes, and the entry and exit of inference and training calls.
/// </summary>
/// <remarks>
/// Inference calls run at once, each on the calling thread's own workspace: allocated on the thread's first inference
/// call (or taken from the spares) and kept for its next ones, so a thread allocates at most once. Training calls use the
/// model's own (<c>_main</c>, which also holds the deltas) and are exclusive (Kernels/Concurrency.cs).
/// </remarks>
internal static class WorkspaceEmitter
{
    public static void Fields(IndentedWriter w, ModelSpec m) => w.Text("""
        // The buffers of a forward pass and its loss (see Workspace): the model's own, used by training; each thread's own,
        // kept from its last inference call (one per thread and model class; a thread moving to another instance gives its
        // workspace back to the spares of the one it leaves). Inference calls in progress, and whether a training call is:
        // see global::Compiled.Kernels.Concurrency.
        private readonly Workspace _main;
        private readonly global::Compiled.Kernels.WorkspacePool<Workspace> _spare = new global::Compiled.Kernels.WorkspacePool<Workspace>();
        [global::System.ThreadStatic] private static Workspace? t_workspace;
        private int _readers, _training;

        """);

    /// <summary>
    /// A thread's first inference call of a float32 model also sizes the thread's packing memory, once, for the largest
    /// forward product, so that no later call allocates whichever way the products are split.
    /// </summary>
    private static string FirstCall(ModelSpec m) => m.IsDouble
        ? "// This thread's first call: a workspace of its own."
        : "global::Compiled.Kernels.Gemm.ReserveForward(_maxBatch, " + Literal.Int(m.Layers.Max(l => l.Inputs)) + "); // this thread's first call: its packing memory, once";

    /// <summary>The enter/exit helpers and the nested Workspace class.</summary>
    public static void Members(IndentedWriter w, ModelSpec m)
    {
        w.Text($$"""
            /// <summary>
            /// Starts an inference call: refused while a training call runs; returns the calling thread's workspace (allocated on
            /// its first call, unless a spare is there).
            /// </summary>
            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private Workspace EnterInference(string member)
            {
                global::Compiled.Kernels.Concurrency.EnterInference(ref _readers, ref _training, member);
                Workspace? ws = t_workspace;
                if (ws is not null && ws.Owner == this)
                {
                    t_workspace = null;
                    return ws;
                }
                {{FirstCall(m)}}
                return _spare.Rent() ?? new Workspace(this, _maxBatch, training: false);
            }

            /// <summary>Ends an inference call: the thread keeps its workspace for its next call (and returns one of another instance's).</summary>
            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private void ExitInference(Workspace ws)
            {
                Workspace? kept = t_workspace;
                t_workspace = ws;
                if (kept is not null && kept != ws) kept.Owner._spare.Return(kept);
                global::Compiled.Kernels.Concurrency.ExitInference(ref _readers);
            }

            /// <summary>The workspace of the last forward pass the calling thread saw: its own last inference call if that came after the last training pass.</summary>
            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private Workspace Latest() => t_workspace is { } ws && ws.Owner == this && ws.Stamp > _main.Stamp ? ws : _main;

            /// <summary>Starts a training call: refused while any other call (training or inference) runs on this model.</summary>
            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private void EnterTraining(string member) => global::Compiled.Kernels.Concurrency.EnterTraining(ref _readers, ref _training, member);

            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private void ExitTraining() => global::Compiled.Kernels.Concurrency.ExitTraining(ref _training);

            /// <summary>
            /// The buffers one forward pass and its loss write, [maxBatch, units] per layer unless noted. The model's own
            /// (with the deltas of the backward pass) serves training; each thread's inference calls use one of the thread's own,
            /// so concurrent calls never share a buffer.
            /// </summary>
            """);
        using (w.Block("private sealed class Workspace"))
        {
            w.Line($"public readonly {m.ClassName} Owner;");
            w.Line("public int LastBatch;");
            w.Line("public long Stamp; // when the last forward pass ran (Stopwatch ticks)");
            if (m.IsDouble)
                w.Line("public double[]? WideInputs" + (m.UsesLabels ? "" : ", WideTargets") + "; // a dataset's float rows widened, one chunk at a time (whole-dataset calls); made on first use");
            if (m.PreEncoderBias)
                w.Lines(
                    $"public readonly {Names.T(m)}[] InputCentered; // x̃ = x − {m.Output.Name}.bias, what the first layer reads [batch, inputs]",
                    $"public readonly {Names.T(m)}[] InputGradient; // ∂loss/∂x̃, for the pre-encoder bias's gradient (training only)");
            if (m.ReportsReconstruction)
                w.Line("public readonly global::Compiled.Kernels.ReconstructionSums Reconstruction, ReconstructionTotal; // Evaluate's sums: one batch, and a whole-dataset call's");
            foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).WorkspaceFields(w);
            w.Line();
            w.Line(ModelEmitter.GeneratedCode);
            using (w.Block($"public Workspace({m.ClassName} owner, int maxBatch, bool training)"))
            {
                w.Line("Owner = owner;");
                if (m.PreEncoderBias)
                    w.Lines(
                        $"InputCentered = new {Names.T(m)}[maxBatch * {Literal.Int(m.InputSize)}];",
                        $"InputGradient = training ? new {Names.T(m)}[maxBatch * {Literal.Int(m.InputSize)}] : global::System.Array.Empty<{Names.T(m)}>();");
                if (m.ReportsReconstruction)
                    w.Line($"Reconstruction = new global::Compiled.Kernels.ReconstructionSums({Literal.Int(m.OutputSize)}); ReconstructionTotal = new global::Compiled.Kernels.ReconstructionSums({Literal.Int(m.OutputSize)});");
                foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).WorkspaceAllocations(w);
            }
        }
    }
}
