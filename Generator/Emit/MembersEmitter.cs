using System.Linq;
using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Emit.Passes;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>Constants, buffers, constructors, properties and the public entry points.</summary>
internal static class MembersEmitter
{
    public const int DefaultMaxBatch = 256;

    public static void Write(IndentedWriter w, ModelSpec m)
    {
        string cls = m.ClassName, t = Names.T(m);
        int widest = m.Layers.Select(l => l.Units).Concat([m.InputSize]).Max();
        w.Lines(
            "/// <summary>Features per input row.</summary>",
            "public const int InputSize = " + Literal.Int(m.InputSize) + ";",
            "/// <summary>Features per output row.</summary>",
            "public const int OutputSize = " + Literal.Int(m.OutputSize) + ";",
            "/// <summary>Number of trainable parameters: the length of <see cref=\"Parameters\"/> and <see cref=\"Gradients\"/>.</summary>",
            "public const int ParameterCount = " + Literal.Int(m.ParameterCount) + ";",
            "/// <summary>The largest batch accepted by a model made with the parameterless constructor.</summary>",
            "public const int DefaultMaxBatch = " + Literal.Int(DefaultMaxBatch) + ";",
            "",
            "// Parameters and gradients: one block each, PyTorch state_dict order.");
        foreach (ParameterTensor p in m.Parameters)
            w.Line($"//   [{p.Offset}, {p.Offset + p.Length}) {p.Name} [{string.Join(", ", p.Shape.Select(Literal.Int))}]");
        w.Lines(
            "private readonly " + t + "[] _parameters = new " + t + "[ParameterCount];",
            "private readonly " + t + "[] _gradients = new " + t + "[ParameterCount];");
        if (m.Optimizer.HasMomentum) w.Line("private readonly " + t + "[] _velocity = new " + t + "[ParameterCount]; // " + Describe.Optimizer(m.Optimizer) + " state, laid out as the parameters");
        if (m.Optimizer.IsAdam)
        {
            w.Line("private readonly " + t + "[] _moment1 = new " + t + "[ParameterCount]; // Adam's first moment m, laid out as the parameters");
            w.Line("private readonly " + t + "[] _moment2 = new " + t + "[ParameterCount]; // Adam's second moment v");
        }
        w.Lines(
            "",
            "// Per-layer buffers, [maxBatch, units] unless noted; allocated once, in the constructor.");
        foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).Fields(w);
        w.Lines(
            "private readonly int _maxBatch;",
            "private int _lastBatch;",
            "private int _threads = global::System.Environment.ProcessorCount;",
            "private global::Compiled.Kernels.WorkerPool? _pool = global::Compiled.Kernels.WorkerPool.ForThreads(global::System.Environment.ProcessorCount);",
            "");

        // ---- Constructors
        w.Lines(
            "/// <summary>A model for batches of up to <see cref=\"DefaultMaxBatch\"/> rows, initialized with seed 0.</summary>",
            "public " + cls + "() : this(DefaultMaxBatch, 0)",
            "{",
            "}",
            "",
            "/// <summary>",
            "/// A model for batches of up to <paramref name=\"maxBatch\"/> rows. Every buffer is allocated here, once; parameters",
            "/// are initialized as PyTorch's <c>nn.Linear</c> does (U(−1/√fan_in, 1/√fan_in)), deterministically for a seed.",
            "/// </summary>");
        using (w.Block("public " + cls + "(int maxBatch, int seed)"))
        {
            string limit = "2147483647 / " + Literal.Int(widest);
            w.Line("if (maxBatch < 1 || maxBatch > " + limit + ") " + Names.Kernels + ".ThrowHelper.MaxBatch(maxBatch, " + limit + ");");
            w.Line("_maxBatch = maxBatch;");
            foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).Allocations(w);
            foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).Initialization(w);
        }
        w.Line();

        // ---- Properties
        w.Lines(
            "/// <summary>The largest batch this instance accepts.</summary>",
            "public int MaxBatch => _maxBatch;",
            "",
            "/// <summary>Every parameter, PyTorch state_dict order (per layer: weight [out, in] row-major, then bias [out]). Writable.</summary>",
            "public " + Names.Span(m) + " Parameters => _parameters;",
            "",
            m.FusesSgd
                ? "/// <summary>The gradient of the last <see cref=\"ComputeGradients\"/>, laid out as <see cref=\"Parameters\"/>. <see cref=\"TrainStep\"/> applies each gradient as it computes it and leaves this unspecified.</summary>"
                : "/// <summary>The gradient of the last <see cref=\"ComputeGradients\"/> or <see cref=\"TrainStep\"/>, laid out as <see cref=\"Parameters\"/>.</summary>",
            "public " + Names.ReadOnlySpan(m) + " Gradients => _gradients;",
            "",
            "/// <summary>The learning rate of " + Describe.Optimizer(m.Optimizer) + ", settable between steps (initially " + Literal.Number(m.LearningRate) + "); the base rate when a <see cref=\"Schedule\"/> is set.</summary>",
            "public " + t + " LearningRate { get; set; } = " + Names.Real(m, m.LearningRate) + ";",
            "",
            "/// <summary>An optional learning-rate schedule (<see cref=\"global::Compiled.LearningRateSchedule.Step\"/>, <see cref=\"global::Compiled.LearningRateSchedule.Cosine\"/>), applied to <see cref=\"LearningRate\"/> by the number of updates taken.</summary>",
            "public global::Compiled.LearningRateSchedule? Schedule { get; set; }",
            "");
        WriteOptimizerSettings(w, m);
        w.Lines(
            "/// <summary>The regularizer coefficients, tunable at run time; 0 turns a term off.</summary>",
            "public RegularizationCoefficients Regularization { get; } = new RegularizationCoefficients();",
            "",
            "/// <summary>The loss terms of the last <see cref=\"ComputeGradients\"/> or <see cref=\"TrainStep\"/>.</summary>",
            "public LossBreakdown LastLoss { get; private set; }",
            "",
            "/// <summary>Sparsity of the penalized layers in the last batch whose loss was computed (training or <see cref=\"Evaluate\"/>).</summary>",
            "public SparsityReport LastSparsity { get; private set; }",
            "",
            "/// <summary>",
            "/// Threads the matrix products are split across (default: the processor count; 1 = the calling thread only). The",
            m.IsDouble
                ? "/// workers are a process-wide pool shared by all models. This float64 model's products run on the calling thread."
                : "/// workers are a process-wide pool shared by all models; results do not depend on the thread count.",
            "/// </summary>",
            "public int Threads",
            "{",
            "    get => _threads;",
            "    set",
            "    {",
            "        if (value < 1) throw new global::System.ArgumentOutOfRangeException(nameof(value), value, \"Threads must be at least 1.\");",
            "        _threads = value;",
            "        _pool = global::Compiled.Kernels.WorkerPool.ForThreads(value);",
            "    }",
            "}",
            "",
            "/// <summary>|a| below this counts as inactive in <see cref=\"LastSparsity\"/> (default 0.01).</summary>",
            "public " + t + " SparsityEpsilon { get; set; } = " + Names.Real(m, 0.01) + ";",
            "");
        foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).Views(w);

        // ---- Checkpoints
        w.Lines(
            "/// <summary>",
            "/// The tensors of <see cref=\"Parameters\"/> as a PyTorch <c>state_dict</c> of the equivalent network with named layers",
            "/// (<c>hid1.weight</c> [out, in], <c>hid1.bias</c> [out], …): the names and shapes <see cref=\"Save(string)\"/> writes.",
            "/// </summary>",
            "public static global::System.Collections.Generic.IReadOnlyList<global::Compiled.TensorLayout> ParameterLayout { get; } = new global::Compiled.TensorLayout[]",
            "{");
        foreach (ParameterTensor p in m.Parameters)
            w.Line($"    new global::Compiled.TensorLayout({Literal.String(p.Name)}, {p.Offset}, new[] {{ {string.Join(", ", p.Shape.Select(Literal.Int))} }}),");
        w.Lines(
            "};",
            "",
            "private static readonly global::System.Collections.Generic.Dictionary<string, string> s_checkpointMetadata = new global::System.Collections.Generic.Dictionary<string, string>",
            "{",
            "    [\"model\"] = " + Literal.String(m.ClassName) + ",",
            "    [\"architecture\"] = " + Literal.String(ModelEmitter.Architecture(m)) + ",",
            "};",
            "",
            "/// <summary>Writes the parameters to a safetensors file" + (m.IsDouble ? " (dtype F64)" : "") + ", atomically (a temporary file in the same folder, flushed, then renamed).</summary>",
            "public void Save(string path) => global::Compiled.Checkpoint.Save(path, _parameters, ParameterLayout, s_checkpointMetadata);",
            "",
            "/// <summary>Writes the parameters to <paramref name=\"stream\"/> in the safetensors format" + (m.IsDouble ? " (dtype F64)" : "") + ".</summary>",
            "public void Save(global::System.IO.Stream stream) => global::Compiled.Checkpoint.Save(stream, _parameters, ParameterLayout, s_checkpointMetadata);",
            "",
            "/// <summary>",
            "/// Reads parameters from a safetensors file (F32 or F64; names and shapes as <see cref=\"ParameterLayout\"/>). Everything is",
            "/// checked before the model is touched: on any problem a <see cref=\"global::System.IO.InvalidDataException\"/> says what and where,",
            "/// and the parameters are unchanged.",
            "/// </summary>",
            "public void Load(string path, global::Compiled.CheckpointLoadOptions? options = null) => global::Compiled.Checkpoint.Load(path, _parameters, ParameterLayout, options);",
            "",
            "/// <summary>Reads parameters from <paramref name=\"stream\"/>; see <see cref=\"Load(string, global::Compiled.CheckpointLoadOptions?)\"/>.</summary>",
            "public void Load(global::System.IO.Stream stream, global::Compiled.CheckpointLoadOptions? options = null) => global::Compiled.Checkpoint.Load(stream, _parameters, ParameterLayout, options);",
            "");

        // ---- Entry points
        w.Lines(
            "/// <summary>Runs the network on <paramref name=\"batch\"/> rows: <paramref name=\"inputs\"/> is [batch, InputSize], <paramref name=\"outputs\"/> [batch, OutputSize], row-major.</summary>",
            "/// <exception cref=\"global::System.ArgumentException\">A span is not batch × features long, or batch is outside 1..MaxBatch. Nothing is written.</exception>");
        using (w.Block("public void Predict(" + Names.ReadOnlySpan(m) + " inputs, " + Names.Span(m) + " outputs, int batch)"))
        {
            CheckBatch(w);
            CheckLength(w, "inputs", "InputSize");
            CheckLength(w, "outputs", "OutputSize");
            w.Line("Forward(inputs, outputs, batch);");
        }
        w.Line();
        w.Lines(
            "/// <summary>",
            "/// Forward and backward pass: fills <see cref=\"Gradients\"/> and <see cref=\"LastLoss\"/> and returns the total loss",
            "/// (data term plus every regularizer term). Changes no parameter.",
            "/// </summary>",
            "/// <exception cref=\"global::System.ArgumentException\">A span is not batch × features long, or batch is outside 1..MaxBatch. Nothing is written.</exception>");
        string targets = m.UsesLabels ? "labels" : "targets";
        using (w.Block("public " + t + " ComputeGradients(" + Names.ReadOnlySpan(m) + " inputs, " + RunPass.TargetsParameter(m) + ", int batch)"))
        {
            w.Line("CheckTraining(inputs, " + targets + ", batch);");
            w.Line("LossBreakdown loss = Run(inputs, " + targets + ", batch, backward: true);");
            w.Line("ParameterGradients(inputs, batch);");
            w.Line("LastLoss = loss;");
            w.Line("return loss.Total;");
        }
        w.Line();
        w.Lines(
            "/// <summary>",
            "/// The loss breakdown on a batch without touching gradients or parameters (e.g. the penalties on held-out data).",
            "/// Refreshes <see cref=\"LastSparsity\"/>; <see cref=\"LastLoss\"/> keeps the last training value.",
            "/// </summary>",
            "/// <exception cref=\"global::System.ArgumentException\">A span is not batch × features long, or batch is outside 1..MaxBatch.</exception>");
        using (w.Block("public LossBreakdown Evaluate(" + Names.ReadOnlySpan(m) + " inputs, " + RunPass.TargetsParameter(m) + ", int batch)"))
        {
            w.Line("CheckTraining(inputs, " + targets + ", batch);");
            w.Line("return Run(inputs, " + targets + ", batch, backward: false);");
        }
        w.Line();
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block("private void CheckTraining(" + Names.ReadOnlySpan(m) + " inputs, " + RunPass.TargetsParameter(m) + ", int batch)"))
        {
            CheckBatch(w);
            CheckLength(w, "inputs", "InputSize");
            if (m.UsesLabels)
            {
                w.Line("if (labels.Length != batch) " + Names.Kernels + ".ThrowHelper.SpanLength(nameof(labels), labels.Length, batch, 1, \"one label per row\");");
                w.Line(Names.Kernels + ".ThrowHelper.CheckLabels(labels, OutputSize);");
            }
            else CheckLength(w, "targets", "OutputSize");
        }
        if (m.UsesLabels) WriteClassification(w, m);
    }

    /// <summary>The optimizer's hyperparameters as validated properties, and the reset of its state.</summary>
    private static void WriteOptimizerSettings(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        // condition: a C# expression over the setter's "value".
        void Setting(string name, double initial, string doc, string condition, string range)
        {
            string field = "_" + char.ToLowerInvariant(name[0]) + name.Substring(1);
            w.Lines(
                "private " + t + " " + field + " = " + Names.Real(m, initial) + ";",
                "",
                "/// <summary>" + doc + " (initially " + Literal.Number(initial) + "; " + range + "), settable between steps.</summary>",
                "public " + t + " " + name,
                "{",
                "    get => " + field + ";",
                "    set => " + field + " = " + condition + " ? value : Invalid(nameof(" + name + "), value, " + Literal.String(range) + ");",
                "}",
                "");
        }
        OptimizerSpec o = m.Optimizer;
        if (o.HasMomentum) Setting("Momentum", o.Momentum, "Momentum μ: v ← μ·v + g", "value >= " + Names.Real(m, 0) + " && value < " + Names.Real(m, 1), "in [0, 1)");
        if (o.IsAdam)
        {
            Setting("Beta1", o.Beta1, "Adam's β₁, the decay of the first moment", "value >= " + Names.Real(m, 0) + " && value < " + Names.Real(m, 1), "in [0, 1)");
            Setting("Beta2", o.Beta2, "Adam's β₂, the decay of the second moment", "value >= " + Names.Real(m, 0) + " && value < " + Names.Real(m, 1), "in [0, 1)");
            Setting("Epsilon", o.Epsilon, "Adam's ε, added to √v̂", "value > " + Names.Real(m, 0) + " && " + t + ".IsFinite(value)", "a finite number > 0");
        }
        if (o.Kind == OptimizerKind.AdamW)
            Setting("WeightDecay", o.WeightDecay, "AdamW's decoupled weight decay: p ← p·(1 − lr·wd) before each step, biases included", "value >= " + Names.Real(m, 0) + " && " + t + ".IsFinite(value)", "a finite number ≥ 0");
        if (o.HasMomentum || o.IsAdam)
        {
            w.Line("private static " + t + " Invalid(string name, " + t + " value, string range) { " + Names.Kernels + ".ThrowHelper.Setting(name, value, range); return 0; }");
            w.Line();
        }
        w.Lines(
            "/// <summary>",
            "/// Forgets the optimizer's state" + (o.HasMomentum ? " (the velocity)" : o.IsAdam ? " (both moments)" : "") + " and restarts the update count that the",
            "/// " + (o.IsAdam ? "bias correction and the " : "") + "<see cref=\"Schedule\"/> read, as a new <c>torch.optim</c> optimizer (and scheduler) would start.",
            "/// </summary>");
        using (w.Block("public void ResetOptimizer()"))
        {
            if (o.HasMomentum) w.Line("global::System.Array.Clear(_velocity);");
            if (o.IsAdam) w.Lines("global::System.Array.Clear(_moment1);", "global::System.Array.Clear(_moment2);");
            w.Line("_updates = 0;");
        }
        w.Lines("", "private long _updates;", "");
    }

    /// <summary>Arg-max predictions and accuracy, for models trained with class labels.</summary>
    private static void WriteClassification(IndentedWriter w, ModelSpec m)
    {
        ProductLayerSpec o = m.Output;
        string t = Names.T(m);
        string probabilities = Names.View(m, Names.OutField(o), "0", "batch * OutputSize");
        w.Line();
        w.Lines(
            "/// <summary>The predicted class (arg-max of the output, first on ties) of each of <paramref name=\"batch\"/> rows.</summary>",
            "/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length, or batch is outside 1..MaxBatch. Nothing is written.</exception>");
        using (w.Block("public void PredictClasses(" + Names.ReadOnlySpan(m) + " inputs, global::System.Span<int> classes, int batch)"))
        {
            CheckBatch(w);
            CheckLength(w, "inputs", "InputSize");
            w.Line("if (classes.Length != batch) " + Names.Kernels + ".ThrowHelper.SpanLength(nameof(classes), classes.Length, batch, 1, \"one class per row\");");
            w.Line(Names.Span(m) + " probabilities = " + probabilities + ";");
            w.Line("Forward(inputs, probabilities, batch);");
            w.Line(Names.Kernels + ".Softmax.ArgMax(probabilities, classes, OutputSize);");
        }
        w.Line();
        w.Line("/// <summary>The predicted class of one input row of <see cref=\"InputSize\"/> features.</summary>");
        using (w.Block("public int PredictClass(" + Names.ReadOnlySpan(m) + " input)"))
        {
            w.Line("global::System.Span<int> result = stackalloc int[1];");
            w.Line("PredictClasses(input, result, 1);");
            w.Line("return result[0];");
        }
        w.Line();
        w.Lines(
            "/// <summary>The fraction of <paramref name=\"batch\"/> labelled rows whose predicted class is the label. Touches no gradient or parameter.</summary>",
            "/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length, a label is outside 0..OutputSize − 1, or batch is outside 1..MaxBatch.</exception>");
        using (w.Block("public " + t + " Accuracy(" + Names.ReadOnlySpan(m) + " inputs, global::System.ReadOnlySpan<int> labels, int batch)"))
        {
            w.Line("CheckTraining(inputs, labels, batch);");
            w.Line(Names.Span(m) + " probabilities = " + probabilities + ";");
            w.Line("Forward(inputs, probabilities, batch);");
            w.Line("return " + Names.Kernels + ".Softmax.CountCorrect(probabilities, labels, OutputSize) / (" + t + ")batch;");
        }
    }

    private static void CheckBatch(IndentedWriter w)
        => w.Line("if ((uint)(batch - 1) >= (uint)_maxBatch) " + Names.Kernels + ".ThrowHelper.BatchOutOfRange(batch, _maxBatch);");

    private static void CheckLength(IndentedWriter w, string span, string size)
        => w.Line("if (" + span + ".Length != batch * " + size + ") " + Names.Kernels + ".ThrowHelper.SpanLength(nameof(" + span + "), " + span + ".Length, batch, " + size + ", nameof(" + size + "));");
}
