using System.Linq;
using Compiled.Generator.Emit.Passes;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// The public calls: checkpoints (layout, Save, Load), Predict, ComputeGradients, Evaluate and the classifier helpers —
/// each checks its arguments before anything is written, then enters as an inference call (concurrent, on a workspace of
/// its own) or a training call (exclusive).
/// </summary>
internal static class EntryPointsEmitter
{
    private const string InferenceContract = "/// Safe to call from any number of threads at once, with each other and with the other inference members; refused (InvalidOperationException) while a training call runs on this model.";
    private const string TrainingContract = "/// A training call: refused (InvalidOperationException, nothing changed) when another call is in progress on this model.";

    public static void Write(IndentedWriter w, ModelSpec m)
    {
        Checkpoints(w, m);
        if (m.Quantizable) Quantize(w, m);
        Predict(w, m);
        ComputeGradients(w, m);
        Evaluate(w, m);
        CheckTraining(w, m);
        if (m.UsesLabels) Classification(w, m);
    }

    private static void Checkpoints(IndentedWriter w, ModelSpec m)
    {
        w.Text("""
            /// <summary>
            /// The tensors of <see cref="Parameters"/> as a PyTorch <c>state_dict</c> of the equivalent network with named layers
            /// (<c>hid1.weight</c> [out, in], <c>hid1.bias</c> [out], …): the names and shapes <see cref="Save(string)"/> writes.
            /// </summary>
            public static global::System.Collections.Generic.IReadOnlyList<global::Compiled.TensorLayout> ParameterLayout { get; } = new global::Compiled.TensorLayout[]
            {
            """);
        foreach (ParameterTensor p in m.Parameters)
            w.Line($"    new global::Compiled.TensorLayout({Literal.String(p.Name)}, {p.Offset}, new[] {{ {string.Join(", ", p.Shape.Select(Literal.Int))} }}),");
        string f64 = m.IsDouble ? " (dtype F64)" : "";
        w.Text($$"""
            };

            private static readonly global::System.Collections.Generic.Dictionary<string, string> s_checkpointMetadata = new global::System.Collections.Generic.Dictionary<string, string>
            {
                ["model"] = {{Literal.String(m.ClassName)}},
                ["architecture"] = {{Literal.String(ModelEmitter.Architecture(m))}},
            };

            /// <summary>
            /// Writes the parameters to a safetensors file{{f64}}, atomically (a temporary file in the same folder, flushed, then renamed).
            /// Reads the parameters as an inference call does: concurrent with inference, refused during training.
            /// </summary>
            public void Save(string path)
            {
                global::Compiled.Kernels.Concurrency.EnterInference(ref _readers, ref _training, nameof(Save));
                try
                {
                    global::Compiled.Checkpoint.Save(path, _parameters, ParameterLayout, s_checkpointMetadata);
                }
                finally
                {
                    global::Compiled.Kernels.Concurrency.ExitInference(ref _readers);
                }
            }

            /// <summary>Writes the parameters to <paramref name="stream"/> in the safetensors format{{f64}}; see <see cref="Save(string)"/>.</summary>
            public void Save(global::System.IO.Stream stream)
            {
                global::Compiled.Kernels.Concurrency.EnterInference(ref _readers, ref _training, nameof(Save));
                try
                {
                    global::Compiled.Checkpoint.Save(stream, _parameters, ParameterLayout, s_checkpointMetadata);
                }
                finally
                {
                    global::Compiled.Kernels.Concurrency.ExitInference(ref _readers);
                }
            }

            /// <summary>
            /// Reads parameters from a safetensors file (F32 or F64; names and shapes as <see cref="ParameterLayout"/>). Everything is
            /// checked before the model is touched: on any problem a <see cref="global::System.IO.InvalidDataException"/> says what and where,
            /// and the parameters are unchanged.
            {{TrainingContract}}
            /// </summary>
            public void Load(string path, global::Compiled.CheckpointLoadOptions? options = null)
            {
                EnterTraining(nameof(Load));
                try
                {
                    global::Compiled.Checkpoint.Load(path, _parameters, ParameterLayout, options);
                }
                finally
                {
                    ExitTraining();
                }
            }

            /// <summary>Reads parameters from <paramref name="stream"/>; see <see cref="Load(string, global::Compiled.CheckpointLoadOptions?)"/>.</summary>
            public void Load(global::System.IO.Stream stream, global::Compiled.CheckpointLoadOptions? options = null)
            {
                EnterTraining(nameof(Load));
                try
                {
                    global::Compiled.Checkpoint.Load(stream, _parameters, ParameterLayout, options);
                }
                finally
                {
                    ExitTraining();
                }
            }

            """);
    }

    /// <summary>The int8 inference form of a float32 model (docs/quantization.md).</summary>
    private static void Quantize(IndentedWriter w, ModelSpec m)
    {
        w.Text("""
            /// <summary>
            /// An inference-only int8 copy of this model (weights as int8 with a float scale per unit, rows quantized to int16 on the
            /// fly; see docs/quantization.md), for batches of up to <see cref="MaxBatch"/> rows. Reads the parameters as an inference
            /// call does: concurrent with inference, refused during training.
            /// </summary>
            public global::Compiled.QuantizedModel Quantize() => Quantize(_maxBatch);

            /// <summary>The int8 copy for batches of up to <paramref name="maxBatch"/> rows; see <see cref="Quantize()"/>.</summary>
            public global::Compiled.QuantizedModel Quantize(int maxBatch)
            {
                global::Compiled.Kernels.Concurrency.EnterInference(ref _readers, ref _training, nameof(Quantize));
                try
                {
                    return global::Compiled.QuantizedModel.Create(new global::Compiled.QuantizedLayerSource[]
                    {
            """);
        foreach (LayerSpec l in m.Layers)
            if (Layers.LayerEmitter.For(m, l).QuantizedSource is { } source) w.Line("            " + source + ",");
        w.Text("""
                    }, maxBatch);
                }
                finally
                {
                    global::Compiled.Kernels.Concurrency.ExitInference(ref _readers);
                }
            }

            """);
    }

    private static void Predict(IndentedWriter w, ModelSpec m)
    {
        w.Text($"""
            /// <summary>
            /// Runs the network on <paramref name="batch"/> rows: <paramref name="inputs"/> is [batch, InputSize], <paramref name="outputs"/> [batch, OutputSize], row-major.
            {InferenceContract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span is not batch × features long, or batch is outside 1..MaxBatch. Nothing is written.</exception>
            """);
        using (w.Block($"public void Predict({Names.ReadOnlySpan(m)} inputs, {Names.Span(m)} outputs, int batch)"))
        {
            CheckBatch(w);
            CheckLength(w, "inputs", "InputSize");
            CheckLength(w, "outputs", "OutputSize");
            Inference(w, "Predict", ForwardPass.Call(m, "ws", "inputs", "outputs", "false"));
        }
        w.Line();
    }

    /// <summary>The body of an inference call: enter, compute on the call's workspace, exit.</summary>
    private static void Inference(IndentedWriter w, string member, params string[] body)
    {
        w.Line($"Workspace ws = EnterInference(nameof({member}));");
        using (w.Block("try")) w.Lines(body);
        using (w.Block("finally")) w.Line("ExitInference(ws);");
    }

    /// <summary>The body of a training call: enter, compute, exit.</summary>
    public static void Training(IndentedWriter w, string member, params string[] body)
    {
        w.Line($"EnterTraining(nameof({member}));");
        using (w.Block("try")) w.Lines(body);
        using (w.Block("finally")) w.Line("ExitTraining();");
    }

    private static void ComputeGradients(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m), targets = m.UsesLabels ? "labels" : "targets";
        w.Text($"""
            /// <summary>
            /// Forward and backward pass: fills <see cref="Gradients"/> and <see cref="LastLoss"/> and returns the total loss
            /// (data term plus every regularizer term). Changes no parameter.
            {TrainingContract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span is not batch × features long, or batch is outside 1..MaxBatch. Nothing is written.</exception>
            """);
        using (w.Block($"public {t} ComputeGradients({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int batch)"))
        {
            w.Line($"CheckTraining(inputs, {targets}, batch);");
            Training(w, "ComputeGradients",
                $"LossBreakdown loss = Run(_main, inputs, {targets}, batch, backward: true);",
                "ParameterGradients(inputs, batch);",
                "LastLoss = loss;",
                "return loss.Total;");
        }
        w.Line();
    }

    private static void Evaluate(IndentedWriter w, ModelSpec m)
    {
        string targets = m.UsesLabels ? "labels" : "targets";
        w.Text($"""
            /// <summary>
            /// The loss breakdown on a batch without touching gradients or parameters (e.g. the penalties on held-out data).
            /// Refreshes <see cref="LastSparsity"/>; <see cref="LastLoss"/> keeps the last training value.
            {InferenceContract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span is not batch × features long, or batch is outside 1..MaxBatch.</exception>
            """);
        using (w.Block($"public LossBreakdown Evaluate({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int batch)"))
        {
            w.Line($"CheckTraining(inputs, {targets}, batch);");
            Inference(w, "Evaluate", $"return Run(ws, inputs, {targets}, batch, backward: false);");
        }
        w.Line();
    }

    private static void CheckTraining(IndentedWriter w, ModelSpec m)
    {
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block($"private void CheckTraining({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int batch)"))
        {
            CheckBatch(w);
            CheckLength(w, "inputs", "InputSize");
            if (m.UsesLabels)
            {
                w.Line($"if (labels.Length != batch) {Names.Kernels}.ThrowHelper.SpanLength(nameof(labels), labels.Length, batch, 1, \"one label per row\");");
                w.Line($"{Names.Kernels}.ThrowHelper.CheckLabels(labels, OutputSize);");
            }
            else CheckLength(w, "targets", "OutputSize");
        }
    }

    /// <summary>Arg-max predictions and accuracy, for models trained with class labels.</summary>
    private static void Classification(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        string probabilities = $"{Names.Span(m)} probabilities = {Names.View(m, Names.Out(Names.Ws, m.Output), "0", "batch * OutputSize")};";
        w.Line();
        w.Text($"""
            /// <summary>
            /// The predicted class (arg-max of the output, first on ties) of each of <paramref name="batch"/> rows.
            {InferenceContract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span has the wrong length, or batch is outside 1..MaxBatch. Nothing is written.</exception>
            """);
        using (w.Block($"public void PredictClasses({Names.ReadOnlySpan(m)} inputs, global::System.Span<int> classes, int batch)"))
        {
            CheckBatch(w);
            CheckLength(w, "inputs", "InputSize");
            w.Line($"if (classes.Length != batch) {Names.Kernels}.ThrowHelper.SpanLength(nameof(classes), classes.Length, batch, 1, \"one class per row\");");
            Inference(w, "PredictClasses", probabilities, ForwardPass.Call(m, "ws", "inputs", "probabilities", "false"), $"{Names.Kernels}.Softmax.ArgMax(probabilities, classes, OutputSize);");
        }
        w.Line();
        w.Text($$"""
            /// <summary>The predicted class of one input row of <see cref="InputSize"/> features; see <see cref="PredictClasses({{Names.ReadOnlySpan(m).Replace('<', '{').Replace('>', '}')}}, global::System.Span{int}, int)"/>.</summary>
            public int PredictClass({{Names.ReadOnlySpan(m)}} input)
            {
                global::System.Span<int> result = stackalloc int[1];
                PredictClasses(input, result, 1);
                return result[0];
            }

            /// <summary>
            /// The fraction of <paramref name="batch"/> labelled rows whose predicted class is the label. Touches no gradient or parameter.
            {{InferenceContract}}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span has the wrong length, a label is outside 0..OutputSize − 1, or batch is outside 1..MaxBatch.</exception>
            """);
        using (w.Block($"public {t} Accuracy({Names.ReadOnlySpan(m)} inputs, global::System.ReadOnlySpan<int> labels, int batch)"))
        {
            w.Line("CheckTraining(inputs, labels, batch);");
            Inference(w, "Accuracy", probabilities, ForwardPass.Call(m, "ws", "inputs", "probabilities", "false"), $"return {Names.Kernels}.Softmax.CountCorrect(probabilities, labels, OutputSize) / ({t})batch;");
        }
    }

    private static void CheckBatch(IndentedWriter w)
        => w.Line($"if ((uint)(batch - 1) >= (uint)_maxBatch) {Names.Kernels}.ThrowHelper.BatchOutOfRange(batch, _maxBatch);");

    private static void CheckLength(IndentedWriter w, string span, string size)
        => w.Line($"if ({span}.Length != batch * {size}) {Names.Kernels}.ThrowHelper.SpanLength(nameof({span}), {span}.Length, batch, {size}, nameof({size}));");
}
