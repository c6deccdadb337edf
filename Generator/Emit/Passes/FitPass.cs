using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary>
/// <c>Fit</c>: the convenience training loop over a <c>Compiled.Data.Dataset</c> (deterministic shuffled mini-batches,
/// one <c>TrainStep</c> each, a per-epoch report with the sample-weighted mean of every loss term), and its
/// <c>EpochReport</c>. The hand-written <c>TrainStep</c> loop stays the primary API; this is that loop, written once.
/// </summary>
internal static class FitPass
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        string targets = m.UsesLabels ? "batch.Labels" : "batch.Targets";
        w.Lines(
            "/// <summary>",
            "/// Trains for <paramref name=\"epochs\"/> passes over <paramref name=\"data\"/> in mini-batches of <paramref name=\"batchSize\"/>",
            "/// rows (at most <see cref=\"MaxBatch\"/>; the last batch of an epoch may be shorter), in an order shuffled per epoch from",
            "/// <paramref name=\"seed\"/> (the same on every machine), one <see cref=\"TrainStep\"/> per batch. After each epoch",
            "/// <paramref name=\"onEpoch\"/> receives the sample-weighted mean of every loss term. Epoch e (from 0) uses the",
            "/// shuffle of epoch <paramref name=\"firstEpoch\"/> + e, so a run can be resumed. Allocates the batch buffers once per call.",
            "/// Each epoch is a training call (refused while another call is in progress on this model); <paramref name=\"onEpoch\"/> runs",
            "/// between them, so it may evaluate the model. With <paramref name=\"validation\"/>, each epoch's report also holds the loss",
            "/// breakdown" + (m.UsesLabels ? " and accuracy" : "") + " on it, computed after the epoch as the whole-dataset Evaluate does (Keras' <c>validation_data</c>).",
            "/// Every argument, both datasets included, is checked before the first step.");
        if (m.IsDouble)
            w.Line("/// The dataset's rows are float: each batch is widened, exactly, into double buffers allocated once per call.");
        w.Lines(
            "/// </summary>",
            "/// <exception cref=\"global::System.ArgumentException\">A dataset's row sizes do not match the model" + (m.UsesLabels ? ", it has no labels or a label is outside 0..OutputSize − 1" : "") + ", it has no rows, or a count is out of range. Nothing is trained.</exception>");
        using (w.Block("public void Fit(global::Compiled.Data.Dataset data, int epochs, int batchSize, int seed = 0, global::System.Action<EpochReport>? onEpoch = null, int firstEpoch = 0, global::Compiled.Data.Dataset? validation = null)"))
        {
            w.Line("CheckData(data, nameof(data), targets: true);");
            w.Line("if (validation is not null) CheckData(validation, nameof(validation), targets: true);");
            w.Line("if (epochs < 0) throw new global::System.ArgumentOutOfRangeException(nameof(epochs), epochs, \"epochs must be ≥ 0.\");");
            w.Line("if (firstEpoch < 0) throw new global::System.ArgumentOutOfRangeException(nameof(firstEpoch), firstEpoch, \"firstEpoch must be ≥ 0.\");");
            w.Line("if ((uint)(batchSize - 1) >= (uint)_maxBatch) " + Names.Kernels + ".ThrowHelper.BatchOutOfRange(batchSize, _maxBatch);");
            w.Line("global::Compiled.Data.MiniBatches batches = data.CreateBatches(batchSize, seed, shuffle: true, dropLast: false);");
            w.Line("global::System.Span<double> sums = stackalloc double[LossBreakdown.Count];");
            if (m.IsDouble)
            {
                w.Line("double[] wideInputs = new double[batchSize * InputSize];");
                if (!m.UsesLabels) w.Line("double[] wideTargets = new double[batchSize * OutputSize];");
            }
            using (w.Block("for (int e = 0; e < epochs; e++)"))
            {
                w.Line("sums.Clear();");
                w.Line("int samples = 0, steps = 0;");
                w.Line("long start = global::System.Diagnostics.Stopwatch.GetTimestamp();");
                // One training call per epoch: onEpoch runs outside it, so it may call Evaluate or Predict.
                w.Line("EnterTraining(nameof(Fit));");
                using (w.Block("try"))
                using (w.Block("foreach (global::Compiled.Data.Batch batch in batches.Epoch(firstEpoch + e))"))
                {
                    string inputs = "batch.Inputs";
                    if (m.IsDouble)
                    {
                        w.Line("global::System.Span<double> x = new global::System.Span<double>(wideInputs, 0, batch.Count * InputSize);");
                        w.Line(Names.Kernels + ".Init.Widen(batch.Inputs, x);");
                        inputs = "x";
                        if (!m.UsesLabels)
                        {
                            w.Line("global::System.Span<double> t = new global::System.Span<double>(wideTargets, 0, batch.Count * OutputSize);");
                            w.Line(Names.Kernels + ".Init.Widen(batch.Targets, t);");
                            targets = "t";
                        }
                    }
                    w.Line("TrainStepCore(" + inputs + ", " + targets + ", batch.Count);");
                    w.Line("LossBreakdown loss = LastLoss;");
                    w.Line("for (int i = 0; i < LossBreakdown.Count; i++) sums[i] += (double)loss[i] * batch.Count;");
                    w.Line("samples += batch.Count;");
                    w.Line("steps++;");
                }
                using (w.Block("finally")) w.Line("ExitTraining();");
                w.Line("double seconds = global::System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;");
                // Validation after the epoch's training call, as an inference call on this thread's workspace.
                w.Line("LossBreakdown? validationLoss = null;");
                if (m.UsesLabels) w.Line(t + "? validationAccuracy = null;");
                using (w.Block("if (validation is not null)"))
                {
                    w.Line("Workspace ws = EnterInference(nameof(Fit));");
                    using (w.Block("try"))
                    {
                        if (m.IsDouble) w.Line("validationLoss = EvaluateRows(ws, validation" + (m.UsesLabels ? ", out int correct" : "") + ");");
                        else w.Line("validationLoss = EvaluateRows(ws, validation.Features, validation." + (m.UsesLabels ? "Labels" : "Targets") + ", validation.Count" + (m.UsesLabels ? ", out int correct" : "") + ");");
                        if (m.UsesLabels) w.Line("validationAccuracy = correct / (" + t + ")validation.Count;");
                    }
                    using (w.Block("finally")) w.Line("ExitInference(ws);");
                }
                w.Line("onEpoch?.Invoke(new EpochReport(firstEpoch + e, steps, samples, seconds, new LossBreakdown("
                       + string.Join(", ", Enumerable.Range(0, m.Terms.Count + 1).Select(i => "sums[" + Literal.Int(i) + "] / samples")) + "), validationLoss"
                       + (m.UsesLabels ? ", validationAccuracy" : "") + "));");
            }
        }
        w.Line();
        w.Line("/// <summary>One epoch of <see cref=\"Fit\"/>: its number, size, time and the sample-weighted mean of every loss term.</summary>");
        using (w.Block("public readonly struct EpochReport"))
        {
            w.Line(ModelEmitter.GeneratedCode);
            w.Line(ModelEmitter.Hidden);
            using (w.Block("internal EpochReport(int epoch, int steps, int samples, double seconds, LossBreakdown loss, LossBreakdown? validation" + (m.UsesLabels ? ", " + t + "? validationAccuracy" : "") + ")"))
            {
                w.Lines("Epoch = epoch;", "Steps = steps;", "Samples = samples;", "Seconds = seconds;", "Loss = loss;", "Validation = validation;");
                if (m.UsesLabels) w.Line("ValidationAccuracy = validationAccuracy;");
            }
            w.Lines(
                "",
                "/// <summary>The epoch number (from 0, counting <c>firstEpoch</c>), which also selects its shuffle.</summary>",
                "public int Epoch { get; }",
                "",
                "/// <summary>Training steps taken (batches).</summary>",
                "public int Steps { get; }",
                "",
                "/// <summary>Rows trained on.</summary>",
                "public int Samples { get; }",
                "",
                "/// <summary>Wall-clock seconds of the epoch.</summary>",
                "public double Seconds { get; }",
                "",
                "/// <summary>Rows per second.</summary>",
                "public double SamplesPerSecond => Seconds > 0 ? Samples / Seconds : 0;",
                "",
                "/// <summary>The mean of each loss term over the epoch's rows, as it was before each step's update.</summary>",
                "public LossBreakdown Loss { get; }",
                "",
                "/// <summary>The loss breakdown on the validation data after the epoch (Fit's <c>validation</c>), or null without it.</summary>",
                "public LossBreakdown? Validation { get; }",
                "");
            if (m.UsesLabels)
                w.Lines(
                    "/// <summary>The fraction of the validation rows predicted right after the epoch, or null without validation data.</summary>",
                    "public " + t + "? ValidationAccuracy { get; }",
                    "");
            string validation = m.UsesLabels ? "; validation {v}; accuracy {ValidationAccuracy:F4}" : "; validation {v}";
            w.Lines(
                "/// <summary>\"epoch 3: 60000 samples in 2.1 s; total … = data … + …\" (then the validation loss" + (m.UsesLabels ? " and accuracy" : "") + ", if any), invariant culture.</summary>",
                "public override string ToString()",
                "    => global::System.FormattableString.Invariant($\"epoch {Epoch}: {Samples} samples in {Seconds:F2} s; {Loss}\")",
                "       + (Validation is { } v ? global::System.FormattableString.Invariant($\"" + validation + "\") : \"\");");
        }
    }
}
