using System.Linq;
using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>Constants, the parameter block, constructors, settings and the layer views.</summary>
internal static class MembersEmitter
{
    public const int DefaultMaxBatch = 256;

    public static void Write(IndentedWriter w, ModelSpec m)
    {
        Constants(w, m);
        Fields(w, m);
        Constructors(w, m);
        Properties(w, m);
        OptimizerSettings(w, m);
        Reporting(w, m);
        SparseCodingEmitter.Members(w, m);
        foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).Views(w);
    }

    private static void Constants(IndentedWriter w, ModelSpec m) => w.Text($"""
        /// <summary>Features per input row.</summary>
        public const int InputSize = {m.InputSize};
        /// <summary>Features per output row.</summary>
        public const int OutputSize = {m.OutputSize};
        /// <summary>Number of trainable parameters: the length of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
        public const int ParameterCount = {m.ParameterCount};
        /// <summary>The largest batch accepted by a model made with the parameterless constructor.</summary>
        public const int DefaultMaxBatch = {DefaultMaxBatch};

        """);

    private static void Fields(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        w.Line("// Parameters and gradients: one block each, PyTorch state_dict order.");
        foreach (ParameterTensor p in m.Parameters)
            w.Line($"//   [{p.Offset}, {p.Offset + p.Length}) {p.Name} [{string.Join(", ", p.Shape.Select(Literal.Int))}]");
        w.Line($"private readonly {t}[] _parameters = new {t}[ParameterCount];");
        w.Line($"private readonly {t}[] _gradients = new {t}[ParameterCount];");
        if (m.Optimizer.HasMomentum) w.Line($"private readonly {t}[] _velocity = new {t}[ParameterCount]; // {Describe.Optimizer(m.Optimizer)} state, laid out as the parameters");
        if (m.Optimizer.IsAdam)
        {
            w.Line($"private readonly {t}[] _moment1 = new {t}[ParameterCount]; // Adam's first moment m, laid out as the parameters");
            w.Line($"private readonly {t}[] _moment2 = new {t}[ParameterCount]; // Adam's second moment v");
        }
        if (m.HasNoise) w.Line("private readonly int _seed; // keys the train-time noise draws, with the step (Kernels/Noise.cs)");
        w.Text("""
            private readonly int _maxBatch;
            private int _threads = global::System.Math.Min(global::System.Environment.ProcessorCount, global::Compiled.Kernels.WorkerPool.MaxThreads);
            private global::Compiled.Kernels.WorkerPool? _pool;

            """);
        SparseCodingEmitter.Fields(w, m);
        WorkspaceEmitter.Fields(w, m);
    }

    private static void Constructors(IndentedWriter w, ModelSpec m)
    {
        string cls = m.ClassName;
        int widest = m.Layers.Select(l => l.Units).Concat([m.InputSize]).Max();
        w.Text($$"""
            /// <summary>A model for batches of up to <see cref="DefaultMaxBatch"/> rows, initialized with seed 0.</summary>
            public {{cls}}() : this(DefaultMaxBatch, 0)
            {
            }

            /// <summary>
            /// A model for batches of up to <paramref name="maxBatch"/> rows. Every buffer is allocated here, once; parameters
            /// are initialized as PyTorch's <c>nn.Linear</c> does (U(−1/√fan_in, 1/√fan_in)), deterministically for a seed.
            /// </summary>
            """);
        using (w.Block($"public {cls}(int maxBatch, int seed)"))
        {
            string limit = "2147483647 / " + Literal.Int(widest);
            w.Line($"if (maxBatch < 1 || maxBatch > {limit}) {Names.Kernels}.ThrowHelper.MaxBatch(maxBatch, {limit});");
            w.Line("_maxBatch = maxBatch;");
            if (m.HasNoise) w.Line("_seed = seed;");
            w.Line("_main = new Workspace(this, maxBatch, training: true);");
            w.Line("_pool = global::Compiled.Kernels.WorkerPool.ForThreads(_threads);");
            SparseCodingEmitter.Constructor(w, m);
            foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).Initialization(w);
        }
        w.Line();
    }

    private static void Properties(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m), zero = Names.Real(m, 0);
        w.Text($"""
            /// <summary>The largest batch this instance accepts.</summary>
            public int MaxBatch => _maxBatch;

            /// <summary>Every parameter, PyTorch state_dict order (per layer: weight [out, in] row-major, then bias [out]). Writable.</summary>
            public {Names.Span(m)} Parameters => _parameters;

            """);
        w.Line(m.FusesSgd
            ? "/// <summary>The gradient of the last <see cref=\"ComputeGradients\"/>, laid out as <see cref=\"Parameters\"/>. <see cref=\"TrainStep\"/> applies each gradient as it computes it and leaves this unspecified.</summary>"
            : "/// <summary>The gradient of the last <see cref=\"ComputeGradients\"/> or <see cref=\"TrainStep\"/>, laid out as <see cref=\"Parameters\"/>.</summary>");
        w.Line($"public {Names.ReadOnlySpan(m)} Gradients => _gradients;");
        w.Line();
        Setting(w, m, "LearningRate", m.LearningRate,
            $"The learning rate of {Describe.Optimizer(m.Optimizer)}, settable between steps; the base rate when a <see cref=\"Schedule\"/> is set",
            $"{t}.IsFinite(value) && value >= {zero}", "a finite number ≥ 0");
        w.Text($$"""
            private global::Compiled.LearningRateSchedule? _schedule;

            /// <summary>
            /// An optional learning-rate schedule (<see cref="global::Compiled.LearningRateSchedule.Step"/>, <see cref="global::Compiled.LearningRateSchedule.Cosine"/>),
            /// applied to <see cref="LearningRate"/> by the number of updates taken. A schedule whose rate for the next update is not a
            /// finite number ≥ 0 is refused here; one that reaches such a rate later stops that step before it changes anything.
            /// </summary>
            public global::Compiled.LearningRateSchedule? Schedule
            {
                get => _schedule;
                set
                {
                    if (value is not null) global::Compiled.Kernels.ThrowHelper.CheckSchedule(value, _updates, _learningRate);
                    _schedule = value;
                }
            }

            /// <summary>
            /// Threads the matrix products are split across (default: the processor count, at most {{"<see cref=\"global::Compiled.Kernels.WorkerPool.MaxThreads\"/>"}};
            /// 1 = the calling thread only). The workers are a process-wide pool shared by all models;
            {{(m.IsDouble ? "/// this float64 model's products run on the calling thread." : "/// results do not depend on the thread count.")}}
            /// </summary>
            public int Threads
            {
                get => _threads;
                set
                {
                    if ((uint)(value - 1) >= global::Compiled.Kernels.WorkerPool.MaxThreads) global::Compiled.Kernels.ThrowHelper.ThreadCount(value, global::Compiled.Kernels.WorkerPool.MaxThreads);
                    _pool = global::Compiled.Kernels.WorkerPool.ForThreads(value);
                    _threads = value;
                }
            }

            """);
        Setting(w, m, "SparsityEpsilon", 0.01, "|a| below this counts as inactive in <see cref=\"LastSparsity\"/>", $"{t}.IsFinite(value) && value >= {zero}", "a finite number ≥ 0");
    }

    /// <summary>
    /// A validated setting: a field and a property whose setter refuses values outside the range (NaN and infinities
    /// included) with an <c>ArgumentOutOfRangeException</c> naming the property and the value.
    /// </summary>
    /// <param name="condition">A C# expression over the setter's <c>value</c>.</param>
    private static void Setting(IndentedWriter w, ModelSpec m, string name, double initial, string doc, string condition, string range)
    {
        string field = "_" + char.ToLowerInvariant(name[0]) + name.Substring(1), t = Names.T(m);
        w.Text($$"""
            private {{t}} {{field}} = {{Names.Real(m, initial)}};

            /// <summary>{{doc}} (initially {{Literal.Number(initial)}}; {{range}}).</summary>
            public {{t}} {{name}}
            {
                get => {{field}};
                set => {{field}} = {{condition}} ? value : {{Names.Kernels}}.ThrowHelper.InvalidSetting(nameof({{name}}), value, {{Literal.String(range)}});
            }

            """);
    }

    /// <summary>The optimizer's hyperparameters as validated properties, and the reset of its state.</summary>
    private static void OptimizerSettings(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m), zero = Names.Real(m, 0), one = Names.Real(m, 1);
        OptimizerSpec o = m.Optimizer;
        if (o.HasMomentum) Setting(w, m, "Momentum", o.Momentum, "Momentum μ: v ← μ·v + g, settable between steps", $"value >= {zero} && value < {one}", "in [0, 1)");
        if (o.IsAdam)
        {
            Setting(w, m, "Beta1", o.Beta1, "Adam's β₁, the decay of the first moment, settable between steps", $"value >= {zero} && value < {one}", "in [0, 1)");
            Setting(w, m, "Beta2", o.Beta2, "Adam's β₂, the decay of the second moment, settable between steps", $"value >= {zero} && value < {one}", "in [0, 1)");
            Setting(w, m, "Epsilon", o.Epsilon, "Adam's ε, added to √v̂, settable between steps", $"value > {zero} && {t}.IsFinite(value)", "a finite number > 0");
        }
        if (o.Kind == OptimizerKind.AdamW)
            Setting(w, m, "WeightDecay", o.WeightDecay, "AdamW's decoupled weight decay: p ← p·(1 − lr·wd) before each step, biases included; settable between steps",
                $"value >= {zero} && {t}.IsFinite(value)", "a finite number ≥ 0");
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

    /// <summary>The regularization coefficients, the last loss and the last sparsity report.</summary>
    private static void Reporting(IndentedWriter w, ModelSpec m) => w.Text($$"""
        /// <summary>The regularizer coefficients, tunable at run time; 0 turns a term off.</summary>
        public RegularizationCoefficients Regularization { get; }{{(m.Terms.Any(t => t.HasWarmup) ? "" : " = new RegularizationCoefficients();")}}

        /// <summary>The loss terms of the last <see cref="ComputeGradients"/> or <see cref="TrainStep"/>.</summary>
        public LossBreakdown LastLoss { get; private set; }

        private SparsityReport _lastSparsity;
        private int _sparsityVersion;

        /// <summary>
        /// Sparsity of the penalized layers in the last batch whose loss was computed (training or Evaluate; a whole-dataset
        /// Evaluate reports its last chunk). When several Evaluate calls run at once, the report of the last to finish, whole —
        /// never a mix of two.
        /// </summary>
        public SparsityReport LastSparsity => global::Compiled.Kernels.Concurrency.Read(ref _lastSparsity, ref _sparsityVersion);

        """);
}
