using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary>
/// Whole datasets in one call: <c>Predict</c>, <c>Evaluate</c> and, for classifiers, <c>PredictClasses</c> and
/// <c>Accuracy</c> over any number of rows — spans holding whole rows, or a <c>Compiled.Data.Dataset</c> — cut into
/// chunks of <c>MaxBatch</c> rows inside one inference call on the thread's workspace. Each equals the loop a user would
/// write with the batch calls over consecutive chunks of <c>MaxBatch</c> rows; <c>Evaluate</c> weighs each chunk's
/// terms by its rows (Keras' <c>evaluate</c>). A float64 model widens each chunk of a dataset into buffers of the
/// workspace, made on their first use, so nothing allocates after a thread's first call.
/// </summary>
internal static class WholeDataPass
{
    private const string Contract = "/// Safe to call from any number of threads at once, with each other and with the other inference members; refused (InvalidOperationException) while a training call runs on this model.";
    private const string Dataset = "global::Compiled.Data.Dataset";

    // Parameter types as a cref spells them (generic arguments in braces).
    private static string In(ModelSpec m) => "global::System.ReadOnlySpan{" + Names.T(m) + "}";
    private static string Out(ModelSpec m) => "global::System.Span{" + Names.T(m) + "}";
    private static string Targets(ModelSpec m) => m.UsesLabels ? Labels : In(m);
    private const string Labels = "global::System.ReadOnlySpan{int}";
    private const string IntSpan = "global::System.Span{int}";

    /// <summary>Where a loop's chunks come from: spans of rows, or a dataset (widened chunk by chunk for a float64 model).</summary>
    private sealed class Source(ModelSpec m, bool dataset)
    {
        public string Rows => dataset ? "data.Count" : "rows";

        public string Inputs => dataset
            ? Widened("data.Features", "InputSize", "WideInputs")
            : "inputs.Slice(first * InputSize, batch * InputSize)";

        public string Targets => m.UsesLabels
            ? (dataset ? "data.Labels" : "labels") + ".Slice(first, batch)"
            : dataset ? Widened("data.Targets", "OutputSize", "WideTargets") : "targets.Slice(first * OutputSize, batch * OutputSize)";

        public string Labels => (dataset ? "data.Labels" : "labels") + ".Slice(first, batch)";

        private string Widened(string rows, string size, string buffer)
        {
            string slice = $"{rows}.Slice(first * {size}, batch * {size})";
            return m.IsDouble ? $"Widen(ref ws.{buffer}, {slice}, {size})" : slice;
        }
    }

    public static void Write(IndentedWriter w, ModelSpec m)
    {
        Predict(w, m);
        Evaluate(w, m);
        if (m.UsesLabels)
        {
            PredictClasses(w, m);
            Accuracy(w, m);
        }
        Helpers(w, m);
    }

    /// <summary>The chunk loop: <c>first</c> is the chunk's first row, <c>batch</c> its rows (MaxBatch, the last one fewer).</summary>
    private static IndentedWriter.Scope Chunks(IndentedWriter w, string rows)
    {
        IndentedWriter.Scope scope = w.Block($"for (int first = 0; first < {rows}; first += _maxBatch)");
        w.Line($"int batch = global::System.Math.Min(_maxBatch, {rows} - first);");
        return scope;
    }

    private static void Inference(IndentedWriter w, string member, System.Action body)
    {
        w.Line($"Workspace ws = EnterInference(nameof({member}));");
        using (w.Block("try")) body();
        using (w.Block("finally")) w.Line("ExitInference(ws);");
    }

    /// <summary>The rows of an inputs span (a whole number of rows), and the length check of a second span.</summary>
    private static void Rows(IndentedWriter w, string second = "", string size = "")
    {
        w.Line("int rows = RowsOf(inputs);");
        if (size == "1")
            w.Line($"if ({second}.Length != rows) {Names.Kernels}.ThrowHelper.OnePerRow(nameof({second}), {second}.Length, rows);");
        else if (second.Length > 0)
            w.Line($"if ({second}.Length != (long)rows * {size}) {Names.Kernels}.ThrowHelper.RowsLength(nameof({second}), {second}.Length, rows, {size}, nameof({size}));");
    }

    private static void Predict(IndentedWriter w, ModelSpec m)
    {
        var spans = new Source(m, dataset: false);
        w.Text($"""
            /// <summary>
            /// Runs the network on every row of <paramref name="inputs"/> (any number of rows of <see cref="InputSize"/> features) into
            /// <paramref name="outputs"/> (as many rows of <see cref="OutputSize"/>), <see cref="MaxBatch"/> rows at a time: the same
            /// values, bit for bit, as <see cref="Predict({In(m)}, {Out(m)}, int)"/> on consecutive chunks of MaxBatch rows.
            /// Allocates nothing after the calling thread's first inference call.
            {Contract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span does not hold whole rows, or the two hold different numbers of rows. Nothing is written.</exception>
            """);
        using (w.Block($"public void Predict({Names.ReadOnlySpan(m)} inputs, {Names.Span(m)} outputs)"))
        {
            Rows(w, "outputs", "OutputSize");
            w.Line("if (rows == 0) return;");
            Inference(w, "Predict", () =>
            {
                using (Chunks(w, spans.Rows))
                    w.Line(ForwardPass.Call(m, "ws", spans.Inputs, "outputs.Slice(first * OutputSize, batch * OutputSize)", "false"));
            });
        }
        w.Line();

        w.Text($"""
            /// <summary>
            /// Runs the network on every row of <paramref name="data"/> into <paramref name="outputs"/> (<c>data.Count</c> rows of
            /// <see cref="OutputSize"/>); see <see cref="Predict({In(m)}, {Out(m)})"/>.{(m.IsDouble ? " Each chunk of float rows is widened, exactly." : "")}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">The data's rows do not have <see cref="InputSize"/> features, or <paramref name="outputs"/> is not data.Count × OutputSize long. Nothing is written.</exception>
            """);
        using (w.Block($"public void Predict({Dataset} data, {Names.Span(m)} outputs)"))
        {
            w.Line("CheckData(data, nameof(data), targets: false);");
            if (!m.IsDouble)
            {
                w.Line("Predict(data.Features, outputs);");
            }
            else
            {
                var source = new Source(m, dataset: true);
                w.Line($"if (outputs.Length != (long)data.Count * OutputSize) {Names.Kernels}.ThrowHelper.RowsLength(nameof(outputs), outputs.Length, data.Count, OutputSize, nameof(OutputSize));");
                w.Line("if (data.Count == 0) return;");
                Inference(w, "Predict", () =>
                {
                    using (Chunks(w, source.Rows))
                        w.Line(ForwardPass.Call(m, "ws", source.Inputs, "outputs.Slice(first * OutputSize, batch * OutputSize)", "false"));
                });
            }
        }
        w.Line();
    }

    private static void Evaluate(IndentedWriter w, ModelSpec m)
    {
        string targets = m.UsesLabels ? "labels" : "targets", size = m.UsesLabels ? "1" : "OutputSize";
        string correct = m.UsesLabels ? ", out _" : "";
        w.Text($"""
            /// <summary>
            /// The loss breakdown over every row of <paramref name="inputs"/> (any number of rows), <see cref="MaxBatch"/> rows at a
            /// time: each term is the mean of the chunks' values weighted by their rows (Keras' <c>evaluate</c>), equal to that loop
            /// written with <see cref="Evaluate({In(m)}, {Targets(m)}, int)"/> and summed in double. Terms of batch statistics (a KL
            /// penalty's mean activation) are taken per chunk. Touches no gradient or parameter; <see cref="LastSparsity"/> reports
            /// the last chunk. Allocates nothing after the calling thread's first inference call.
            {Contract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">A span does not hold whole rows, the spans hold different numbers of rows{(m.UsesLabels ? ", a label is outside 0..OutputSize − 1" : "")}, or there are no rows.</exception>
            """);
        using (w.Block($"public LossBreakdown Evaluate({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)})"))
        {
            Rows(w, targets, size);
            w.Line($"if (rows == 0) {Names.Kernels}.ThrowHelper.NoRows(nameof(inputs));");
            if (m.UsesLabels) w.Line($"{Names.Kernels}.ThrowHelper.CheckLabels(labels, OutputSize);");
            Inference(w, "Evaluate", () => w.Line($"return EvaluateRows(ws, inputs, {targets}, rows{correct});"));
        }
        w.Line();

        w.Text($"""
            /// <summary>
            /// The loss breakdown over every row of <paramref name="data"/>, against its {(m.UsesLabels ? "labels" : "targets")}; see <see cref="Evaluate({In(m)}, {Targets(m)})"/>.
            /// </summary>
            /// <exception cref="global::System.ArgumentException">The data's rows do not match the model{(m.UsesLabels ? ", it has no labels or a label is outside 0..OutputSize − 1" : "")}, or it has no rows.</exception>
            """);
        using (w.Block($"public LossBreakdown Evaluate({Dataset} data)"))
        {
            w.Line("CheckData(data, nameof(data), targets: true);");
            if (!m.IsDouble) w.Line($"return Evaluate(data.Features, data.{(m.UsesLabels ? "Labels" : "Targets")});");
            else Inference(w, "Evaluate", () => w.Line($"return EvaluateRows(ws, data{correct});"));
        }
        w.Line();
    }

    private static void PredictClasses(IndentedWriter w, ModelSpec m)
    {
        w.Text($"""
            /// <summary>
            /// The predicted class (arg-max of the output, first on ties) of every row of <paramref name="inputs"/> (any number of
            /// rows), <see cref="MaxBatch"/> rows at a time: equal to <see cref="PredictClasses({In(m)}, {IntSpan}, int)"/> on each chunk.
            {Contract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">The spans do not hold whole rows, or different numbers of them. Nothing is written.</exception>
            """);
        using (w.Block($"public void PredictClasses({Names.ReadOnlySpan(m)} inputs, global::System.Span<int> classes)"))
        {
            Rows(w, "classes", "1");
            w.Line("if (rows == 0) return;");
            Inference(w, "PredictClasses", () => ClassesLoop(w, m, new Source(m, dataset: false)));
        }
        w.Line();
        w.Text($"""
            /// <summary>The predicted class of every row of <paramref name="data"/>; see <see cref="PredictClasses({In(m)}, {IntSpan})"/>.</summary>
            /// <exception cref="global::System.ArgumentException">The data's rows do not have <see cref="InputSize"/> features, or <paramref name="classes"/> is not data.Count long. Nothing is written.</exception>
            """);
        using (w.Block($"public void PredictClasses({Dataset} data, global::System.Span<int> classes)"))
        {
            w.Line("CheckData(data, nameof(data), targets: false);");
            if (!m.IsDouble)
            {
                w.Line("PredictClasses(data.Features, classes);");
            }
            else
            {
                w.Line($"if (classes.Length != data.Count) {Names.Kernels}.ThrowHelper.OnePerRow(nameof(classes), classes.Length, data.Count);");
                w.Line("if (data.Count == 0) return;");
                Inference(w, "PredictClasses", () => ClassesLoop(w, m, new Source(m, dataset: true)));
            }
        }
        w.Line();
    }

    private static void ClassesLoop(IndentedWriter w, ModelSpec m, Source source)
    {
        using (Chunks(w, source.Rows))
        {
            w.Line($"{Names.Span(m)} probabilities = {Names.View(m, Names.Out(Names.Ws, m.Output), "0", "batch * OutputSize")};");
            w.Line(ForwardPass.Call(m, "ws", source.Inputs, "probabilities", "false"));
            w.Line($"{Names.Kernels}.Softmax.ArgMax(probabilities, classes.Slice(first, batch), OutputSize);");
        }
    }

    private static void Accuracy(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        w.Text($"""
            /// <summary>
            /// The fraction of the labelled rows (any number) whose predicted class is the label, <see cref="MaxBatch"/> rows at a
            /// time: the correct rows counted over every chunk, divided by the rows. Touches no gradient or parameter.
            {Contract}
            /// </summary>
            /// <exception cref="global::System.ArgumentException">The spans do not hold whole rows or different numbers of them, a label is outside 0..OutputSize − 1, or there are no rows.</exception>
            """);
        using (w.Block($"public {t} Accuracy({Names.ReadOnlySpan(m)} inputs, global::System.ReadOnlySpan<int> labels)"))
        {
            Rows(w, "labels", "1");
            w.Line($"if (rows == 0) {Names.Kernels}.ThrowHelper.NoRows(nameof(inputs));");
            w.Line($"{Names.Kernels}.ThrowHelper.CheckLabels(labels, OutputSize);");
            Inference(w, "Accuracy", () => AccuracyLoop(w, m, new Source(m, dataset: false)));
        }
        w.Line();
        w.Text($"""
            /// <summary>The fraction of the rows of <paramref name="data"/> whose predicted class is their label; see <see cref="Accuracy({In(m)}, {Labels})"/>.</summary>
            /// <exception cref="global::System.ArgumentException">The data's rows do not have <see cref="InputSize"/> features, it has no labels or a label is outside 0..OutputSize − 1, or it has no rows.</exception>
            """);
        using (w.Block($"public {t} Accuracy({Dataset} data)"))
        {
            w.Line("CheckData(data, nameof(data), targets: true);");
            if (!m.IsDouble) w.Line("return Accuracy(data.Features, data.Labels);");
            else Inference(w, "Accuracy", () => AccuracyLoop(w, m, new Source(m, dataset: true)));
        }
        w.Line();
    }

    private static void AccuracyLoop(IndentedWriter w, ModelSpec m, Source source)
    {
        w.Line("int correct = 0;");
        using (Chunks(w, source.Rows))
        {
            w.Line($"{Names.Span(m)} probabilities = {Names.View(m, Names.Out(Names.Ws, m.Output), "0", "batch * OutputSize")};");
            w.Line(ForwardPass.Call(m, "ws", source.Inputs, "probabilities", "false"));
            w.Line($"correct += {Names.Kernels}.Softmax.CountCorrect(probabilities, {source.Labels}, OutputSize);");
        }
        w.Line($"return correct / ({Names.T(m)}){source.Rows};");
    }

    /// <summary>The row count and dataset checks, the evaluation loop (shared with Fit's validation) and, for float64, the widening.</summary>
    private static void Helpers(IndentedWriter w, ModelSpec m)
    {
        w.Text($$"""
            /// <summary>The rows of <paramref name="inputs"/>: its length over <see cref="InputSize"/>, which must divide it.</summary>
            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private static int RowsOf({{Names.ReadOnlySpan(m)}} inputs)
            {
                if (inputs.Length % InputSize != 0) {{Names.Kernels}}.ThrowHelper.NotWholeRows(nameof(inputs), inputs.Length, InputSize, nameof(InputSize));
                return inputs.Length / InputSize;
            }

            /// <summary>
            /// Checks a dataset against the model before anything runs: rows of <see cref="InputSize"/> features and, when
            /// <paramref name="targets"/>, {{(m.UsesLabels ? "a class label per row within 0..OutputSize − 1, and at least one row" : "target rows of OutputSize values, and at least one row")}}.
            /// </summary>
            {{ModelEmitter.GeneratedCode}}
            {{ModelEmitter.Hidden}}
            private static void CheckData(global::Compiled.Data.Dataset data, string parameter, bool targets)
            {
                if (data is null) throw new global::System.ArgumentNullException(parameter);
                if (data.FeatureSize != InputSize) throw new global::System.ArgumentException(global::System.FormattableString.Invariant($"{parameter} has {data.FeatureSize} features per row; the model's InputSize is {InputSize}."), parameter);
                if (!targets) return;
            """);
        if (m.UsesLabels)
            w.Text($$"""
                    if (!data.HasLabels) throw new global::System.ArgumentException(global::System.FormattableString.Invariant($"{parameter} has no class labels; this model learns from labels (Loss.SoftmaxCrossEntropy)."), parameter);
                    if (data.ClassCount > OutputSize) {{Names.Kernels}}.ThrowHelper.CheckLabels(data.Labels, OutputSize);
                """);
        else
            w.Line("    if (data.TargetSize != OutputSize) throw new global::System.ArgumentException(global::System.FormattableString.Invariant($\"{parameter} has {data.TargetSize} target values per row; the model's OutputSize is {OutputSize}.\"), parameter);");
        w.Text($$"""
                if (data.Count == 0) {{Names.Kernels}}.ThrowHelper.NoRows(parameter);
            }

            """);

        EvaluateRows(w, m, new Source(m, dataset: false),
            $"{Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int rows");
        if (m.IsDouble) EvaluateRows(w, m, new Source(m, dataset: true), Dataset + " data");

        if (m.IsDouble)
            w.Text($$"""
                /// <summary>
                /// A chunk of float rows widened, exactly, into <paramref name="buffer"/> (one of the workspace's, made on its first use
                /// for MaxBatch rows of <paramref name="rowSize"/>).
                /// </summary>
                {{ModelEmitter.GeneratedCode}}
                {{ModelEmitter.Hidden}}
                private global::System.ReadOnlySpan<double> Widen(ref double[]? buffer, global::System.ReadOnlySpan<float> rows, int rowSize)
                {
                    double[] wide = buffer ??= new double[_maxBatch * rowSize];
                    global::System.Span<double> x = new global::System.Span<double>(wide, 0, rows.Length);
                    {{Names.Kernels}}.Init.Widen(rows, x);
                    return x;
                }

                """);
    }

    /// <summary>
    /// The evaluation loop: <c>Run</c> without the backward step on each chunk, every term weighted by the chunk's rows and
    /// summed in double, and for classifiers the rows whose arg-max is the label, from the same forward pass.
    /// </summary>
    private static void EvaluateRows(IndentedWriter w, ModelSpec m, Source source, string parameters)
    {
        w.Line($"/// <summary>The loss breakdown over {(source.Rows == "rows" ? "<paramref name=\"rows\"/> rows" : "the rows of <paramref name=\"data\"/>")}, chunk by chunk, on <paramref name=\"ws\"/>{(m.UsesLabels ? ", and the rows predicted right" : "")}.</summary>");
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block($"private LossBreakdown EvaluateRows(Workspace ws, {parameters}{(m.UsesLabels ? ", out int correct" : "")})"))
        {
            w.Line("global::System.Span<double> sums = stackalloc double[LossBreakdown.Count];");
            if (m.UsesLabels) w.Line("correct = 0;");
            if (m.ReportsReconstruction) w.Line("ws.ReconstructionTotal.Clear();");
            using (Chunks(w, source.Rows))
            {
                w.Line($"LossBreakdown loss = Run(ws, {source.Inputs}, {source.Targets}, batch, backward: false);");
                w.Line("for (int i = 0; i < LossBreakdown.Count; i++) sums[i] += (double)loss[i] * batch;");
                if (m.UsesLabels)
                    w.Line($"correct += {Names.Kernels}.Softmax.CountCorrect({Names.View(m, Names.Out(Names.Ws, m.Output), "0", "batch * OutputSize")}, {source.Labels}, OutputSize);");
                if (m.ReportsReconstruction) w.Line("ws.ReconstructionTotal.Add(ws.Reconstruction);");
            }
            if (m.ReportsReconstruction)
                w.Line("global::Compiled.Kernels.Concurrency.Publish(ref _lastReconstruction, ref _reconstructionVersion, ws.ReconstructionTotal.Quality()); // every row's sums, then the ratios");
            w.Line("return new LossBreakdown("
                   + string.Join(", ", Enumerable.Range(0, m.Terms.Count + 1).Select(i => $"sums[{Literal.Int(i)}] / {source.Rows}")) + ");");
        }
        w.Line();
    }
}
