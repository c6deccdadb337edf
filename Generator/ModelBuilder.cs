using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;

namespace Compiled.Generator;

/// <summary>
/// Validation and every modelling decision, as a pure function of the declared attributes: layer names, offsets,
/// which regularizer reads which tensor with which scale, and the diagnostics. No Roslyn symbols here.
/// </summary>
internal static class ModelBuilder
{
    public const int MaxSize = 1 << 24;

    /// <summary>Members the generator emits; a user member with one of these names is reported (CMP016).</summary>
    public static readonly string[] GeneratedMembers =
    [
        "InputSize", "OutputSize", "ParameterCount", "DefaultMaxBatch", "MaxBatch", "Parameters", "Gradients", "LearningRate",
        "Regularization", "RegularizationCoefficients", "LastLoss", "LossBreakdown", "LastSparsity", "SparsityReport",
        "SparsityEpsilon", "Threads", "ParameterLayout", "Save", "Load", "DivergenceGuard", "Step", "Summary", "Predict", "ComputeGradients", "TrainStep", "Evaluate", ".ctor()", ".ctor(int,int)",
        "Momentum", "Beta1", "Beta2", "Epsilon", "WeightDecay", "Schedule", "ResetOptimizer", "PredictClasses", "PredictClass", "Accuracy", "Fit", "EpochReport",
    ];

    private sealed class LayerDraft(string name, int units, ActivationKind activation, DeclaredAttribute attribute)
    {
        public string Name = name;
        public readonly int Units = units;
        public readonly ActivationKind Activation = activation;
        public double Alpha;
        public readonly DeclaredAttribute Attribute = attribute;
        public int Inputs;
        public readonly List<(DeclaredAttribute Attribute, string Kind)> Regularizers = [];
    }

    public static BuildResult Build(DeclaredModel model)
    {
        var diagnostics = new List<DiagnosticInfo>();
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo? at, params string[] args)
            => diagnostics.Add(new DiagnosticInfo(d.Id, at, args.ToEquatableArray()));
        BuildResult Done(ModelSpec? spec) => new(
            diagnostics.Any(d => Descriptors.Get(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error) ? null : spec,
            diagnostics.ToEquatableArray());

        // [Dense] without [Input]: not a model yet, but surely meant to be one. Reported once, at the first [Dense].
        if (!model.Attributes.Any(a => a.Kind == "Input"))
        {
            if (model.Attributes.FirstOrDefault(a => a.Kind == "Dense") is { } dense) Report(Descriptors.NoInput, dense.Location, model.ClassName);
            return Done(null);
        }
        if (!model.IsPartial) Report(Descriptors.NotPartial, model.ClassLocation, model.ClassName);
        if (model.NonPartialContainer is { } outer) Report(Descriptors.ContainerNotPartial, model.ClassLocation, outer, model.ClassName);
        if (model.IsGeneric) Report(Descriptors.Generic, model.ClassLocation, model.ClassName);
        if (model.HasSplitLayerAttributes) Report(Descriptors.SplitDeclarations, model.ClassLocation, model.ClassName);
        foreach (DeclaredMember m in model.Members)
            if (Array.IndexOf(GeneratedMembers, m.Name) >= 0)
                Report(Descriptors.MemberClash, m.Location, m.Name.StartsWith(".ctor", StringComparison.Ordinal) ? "constructor " + model.ClassName + m.Name.Substring(5) : m.Name, model.ClassName);
        if (model.Attributes.Any(a => a.Arguments.Any(x => x.Value == "\u0000error")))
            return Done(null); // the compiler already reports the malformed attribute

        // ---- Walk the attributes in source order ---------------------------------------------------------------
        int inputSize = 0;
        bool sawInput = false;
        var layers = new List<LayerDraft>();
        var modelLevel = new List<DeclaredAttribute>();
        LossKind loss = LossKind.MeanSquaredError;
        DeclaredArgument? lossArgument = null;
        double learningRate = 0.01;
        var optimizer = new OptimizerSpec(OptimizerKind.Sgd, 0.9, 0.9, 0.999, 1e-8, 0.01);
        DeclaredArgument? optimizerArgument = null;
        Precision precision = Precision.Float32;
        foreach (DeclaredAttribute a in model.Attributes)
        {
            switch (a.Kind)
            {
                case "Input":
                    sawInput = true;
                    if (layers.Count > 0) Report(Descriptors.InputAfterDense, a.Location);
                    inputSize = Int(a, "size");
                    if (inputSize < 1 || inputSize > MaxSize) Report(Descriptors.BadSize, a.Get("size")?.Location, "The input size", Str(inputSize));
                    break;
                case "Dense":
                    int units = Int(a, "units");
                    if (units < 1 || units > MaxSize) Report(Descriptors.BadSize, a.Get("units")?.Location, "The number of units", Str(units));
                    layers.Add(new LayerDraft(a.Get("Name")?.Value ?? "", units, (ActivationKind)Int(a, "activation"), a));
                    break;
                case "Model":
                    if (a.Get("Loss") is { } l) { loss = (LossKind)int.Parse(l.Value, CultureInfo.InvariantCulture); lossArgument = l; }
                    if (a.Get("Precision") is { } prec)
                    {
                        if (prec.Value == "1") precision = Precision.Float64;
                        else if (prec.Value != "0") Report(Descriptors.BadPrecision, prec.Location, "(Precision)" + prec.Value);
                    }
                    if (a.Get("Optimizer") is { } opt) { optimizer = optimizer with { Kind = (OptimizerKind)int.Parse(opt.Value, CultureInfo.InvariantCulture) }; optimizerArgument = opt; }
                    double Setting(string name, double value, Func<double, bool> valid, string range)
                    {
                        if (a.Get(name) is not { } arg) return value;
                        double v = Dbl(arg.Value);
                        if (!valid(v)) Report(Descriptors.BadOptimizerSetting, arg.Location, name, range, Str(v));
                        return v;
                    }
                    optimizer = optimizer with
                    {
                        Momentum = Setting("Momentum", optimizer.Momentum, v => v >= 0 && v < 1, "in [0, 1)"),
                        Beta1 = Setting("Beta1", optimizer.Beta1, v => v >= 0 && v < 1, "in [0, 1)"),
                        Beta2 = Setting("Beta2", optimizer.Beta2, v => v >= 0 && v < 1, "in [0, 1)"),
                        Epsilon = Setting("Epsilon", optimizer.Epsilon, v => v > 0 && !double.IsInfinity(v), "a finite number > 0"),
                        WeightDecay = Setting("WeightDecay", optimizer.WeightDecay, v => v >= 0 && !double.IsInfinity(v), "a finite number ≥ 0"),
                    };
                    if (a.Get("LearningRate") is { } lr)
                    {
                        learningRate = Dbl(lr.Value);
                        if (!(learningRate > 0) || double.IsInfinity(learningRate)) Report(Descriptors.BadLearningRate, lr.Location, Str(learningRate));
                    }
                    break;
                case "WeightDecay": case "HiddenL1": case "WeightL1": case "WeightL2":
                    modelLevel.Add(a);
                    break;
                default:
                    if (layers.Count == 0) Report(Descriptors.Unattached, a.Location, a.Kind);
                    else layers[layers.Count - 1].Regularizers.Add((a, a.Kind));
                    break;
            }
        }
        if (!sawInput) Report(Descriptors.NoInput, model.ClassLocation, model.ClassName);
        else if (layers.Count == 0) Report(Descriptors.NoDense, model.ClassLocation, model.ClassName);
        if (layers.Count == 0 || !sawInput) return Done(null);

        // ---- Names (theanets: hid1, hid2, …, out) -----------------------------------------------------------------
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDraft l = layers[i];
            l.Inputs = i == 0 ? inputSize : layers[i - 1].Units;
            DeclaredArgument? explicitName = l.Attribute.Get("Name");
            if (l.Name.Length == 0) l.Name = i == layers.Count - 1 ? "out" : "hid" + (i + 1).ToString(CultureInfo.InvariantCulture);
            else if (!IsIdentifier(l.Name)) Report(Descriptors.BadLayerName, explicitName?.Location, l.Name);
            if (!seen.Add(l.Name)) Report(Descriptors.DuplicateLayerName, explicitName?.Location ?? l.Attribute.Location, l.Name);

            // The activation's parameter.
            DeclaredArgument? alphaArg = l.Attribute.Get("Alpha");
            double alpha = alphaArg is null ? double.NaN : Dbl(alphaArg.Value);
            switch (l.Activation)
            {
                case ActivationKind.LeakyRelu:
                    l.Alpha = double.IsNaN(alpha) && alphaArg is null ? 0.01 : alpha;
                    if (!(l.Alpha >= 0) || double.IsInfinity(l.Alpha))
                        Report(Descriptors.BadAlpha, alphaArg?.Location, "The LeakyRelu slope Alpha of layer '" + l.Name + "' must be a finite number ≥ 0; it is " + Str(l.Alpha));
                    break;
                case ActivationKind.Elu:
                    l.Alpha = double.IsNaN(alpha) && alphaArg is null ? 1.0 : alpha;
                    if (!(l.Alpha > 0) || double.IsInfinity(l.Alpha))
                        Report(Descriptors.BadAlpha, alphaArg?.Location, "The Elu scale Alpha of layer '" + l.Name + "' must be a finite number > 0; it is " + Str(l.Alpha));
                    break;
                default:
                    if (alphaArg is not null)
                        Report(Descriptors.BadAlpha, alphaArg.Location, "Alpha applies to LeakyRelu and Elu only; layer '" + l.Name + "' uses " + l.Activation + ". Remove it");
                    break;
            }
            if (l.Activation == ActivationKind.Softmax && i < layers.Count - 1)
                Report(Descriptors.SoftmaxHidden, l.Attribute.Get("activation")?.Location ?? l.Attribute.Location, l.Name);
        }

        // ---- The loss and the output activation ----------------------------------------------------------------------
        LayerDraft output = layers[layers.Count - 1];
        LocationInfo? lossAt = lossArgument?.Location ?? output.Attribute.Location;
        switch (loss)
        {
            case LossKind.BinaryCrossEntropy when output.Activation != ActivationKind.Sigmoid:
                Report(Descriptors.LossNeedsActivation, lossAt, "Loss.BinaryCrossEntropy", "Sigmoid", output.Name, output.Activation.ToString(), Str(output.Units));
                break;
            case LossKind.SoftmaxCrossEntropy when output.Activation != ActivationKind.Softmax:
                Report(Descriptors.LossNeedsActivation, lossAt, "Loss.SoftmaxCrossEntropy", "Softmax", output.Name, output.Activation.ToString(), Str(output.Units));
                break;
            case LossKind.SoftmaxCrossEntropy when output.Units < 2:
                Report(Descriptors.BadSize, output.Attribute.Get("units")?.Location, "The number of classes of a Softmax output", Str(output.Units));
                break;
            case LossKind.MeanSquaredError or LossKind.HalfSquaredError or LossKind.MeanAbsoluteError when output.Activation == ActivationKind.Softmax:
                Report(Descriptors.LossActivationUnusual, lossAt ?? output.Attribute.Location, "Loss." + loss, "Softmax",
                    "for classification use Loss.SoftmaxCrossEntropy (labels, computed from the logits, with a gradient that does not vanish when the softmax saturates)");
                break;
        }

        // ---- Terms --------------------------------------------------------------------------------------------------
        var terms = new List<TermSpec>();
        var properties = new HashSet<string>(StringComparer.Ordinal);
        string Unique(string property)
        {
            string p = property;
            for (int k = 2; !properties.Add(p); k++) p = property + "_" + k.ToString(CultureInfo.InvariantCulture);
            return p;
        }
        double Coefficient(DeclaredAttribute a, string argument, string what)
        {
            DeclaredArgument? arg = a.Get(argument);
            double v = arg is null ? 0 : Dbl(arg.Value);
            if (!(v >= 0) || double.IsInfinity(v)) Report(Descriptors.BadCoefficient, arg?.Location ?? a.Location, what, Str(v));
            return v;
        }

        var klLayers = new HashSet<int>();
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDraft l = layers[i];
            string pascal = Pascal(l.Name);
            var counts = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            foreach (var (a, kind) in l.Regularizers)
            {
                double lambda = kind == "KlSparsity" ? Coefficient(a, "beta", "The KL weight beta") : Coefficient(a, "lambda", "The coefficient of [" + kind + "]");
                bool pre = a.Get("On")?.Value == "1";
                var scaling = (Scaling)int.Parse(a.Get("Scaling")?.Value ?? "0", CultureInfo.InvariantCulture);
                string key = kind + (pre ? "Pre" : "");
                if (!counts.TryGetValue(key, out var list)) counts[key] = list = [];
                list.Add(lambda);
                if (list.Count == 2 && kind != "KlSparsity")
                    Report(Descriptors.DuplicateRegularizer, a.Location, kind, l.Name, string.Join(" + ", list.Select(Str)));

                switch (kind)
                {
                    case "ActivityL1":
                    case "ActivityL2":
                    {
                        bool l1 = kind == "ActivityL1";
                        var (factor, perBatch, text) = scaling switch
                        {
                            Scaling.Sum => (1.0, false, ""),
                            Scaling.ElementMean => (1.0 / l.Units, true, "/(B·" + Str(l.Units) + ")"),
                            _ => (1.0, true, "/B"),
                        };
                        string t = pre ? "z" : "a";
                        terms.Add(new TermSpec(l1 ? TermKind.ActivityL1 : TermKind.ActivityL2,
                            Unique(pascal + kind + (pre ? "Pre" : "")),
                            l.Name + (l1 ? ".activity_l1" : ".activity_l2") + (pre ? "(pre)" : ""),
                            "λ·Σ" + (l1 ? "|" + t + "|" : t + "²") + text + " on " + l.Name + (pre ? " pre-activation" : " output"),
                            lambda, 0, false, -1, false,
                            One(new ContributionSpec(i, pre ? TensorKind.PreActivation : TensorKind.Output, l1 ? NormKind.L1 : NormKind.L2, factor, perBatch))));
                        break;
                    }
                    case "KernelL1":
                    case "KernelL2":
                    case "BiasL1":
                    case "BiasL2":
                    {
                        bool kernel = kind.StartsWith("Kernel", StringComparison.Ordinal), l1 = kind.EndsWith("L1", StringComparison.Ordinal);
                        bool proximal = a.Get("Proximal")?.Value == "true";
                        string t = kernel ? "W" : "b";
                        terms.Add(new TermSpec(
                            kind switch { "KernelL1" => TermKind.KernelL1, "KernelL2" => TermKind.KernelL2, "BiasL1" => TermKind.BiasL1, _ => TermKind.BiasL2 },
                            Unique(pascal + kind),
                            l.Name + "." + (kernel ? "kernel" : "bias") + (l1 ? "_l1" : "_l2"),
                            "λ·Σ" + (l1 ? "|" + t + "|" : t + "²") + " over " + l.Name + (kernel ? ".weight" : ".bias") + (proximal ? " (proximal)" : ""),
                            lambda, 0, proximal, -1, false,
                            One(new ContributionSpec(i, kernel ? TensorKind.Weight : TensorKind.Bias, l1 ? NormKind.L1 : NormKind.L2, 1.0, false))));
                        break;
                    }
                    case "KlSparsity":
                    {
                        DeclaredArgument? rhoArg = a.Get("rho");
                        double rho = rhoArg is null ? 0 : Dbl(rhoArg.Value);
                        if (!(rho > 0 && rho < 1)) Report(Descriptors.BadRho, rhoArg?.Location ?? a.Location, Str(rho));
                        if (l.Activation is not (ActivationKind.Sigmoid or ActivationKind.Tanh))
                            Report(Descriptors.KlActivation, a.Location, l.Name, l.Activation.ToString(), Range(l.Activation));
                        if (!klLayers.Add(i)) { Report(Descriptors.DuplicateKl, a.Location, l.Name); break; }
                        if (i == layers.Count - 1 && loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy)
                            Report(Descriptors.KlOnCrossEntropyOutput, a.Location, l.Name, "Loss." + loss);
                        bool tanh = l.Activation == ActivationKind.Tanh;
                        terms.Add(new TermSpec(TermKind.KlSparsity, Unique(pascal + "KlSparsity"), l.Name + ".kl_sparsity",
                            "β·Σ_j KL(ρ‖ρ̂_j), ρ̂ = " + (tanh ? "(1 + batch mean of a)/2 (tanh rescaled)" : "batch mean of a") + " on " + l.Name,
                            lambda, rho, false, i, tanh, EquatableArray<ContributionSpec>.Empty));
                        break;
                    }
                }
            }
        }

        // ---- Model-level (theanets and Ng) -------------------------------------------------------------------------
        foreach (DeclaredAttribute a in modelLevel)
        {
            double lambda = Coefficient(a, "lambda", "The coefficient of [" + a.Kind + "]");
            switch (a.Kind)
            {
                case "WeightDecay":
                    terms.Add(new TermSpec(TermKind.WeightDecay, Unique("WeightDecay"), "weight_decay", "(λ/2)·Σ W² over every weight matrix (biases excluded)",
                        lambda, 0, false, -1, false,
                        layers.Select((_, i) => new ContributionSpec(i, TensorKind.Weight, NormKind.L2, 0.5, false)).ToEquatableArray()));
                    break;
                case "HiddenL1":
                {
                    DeclaredArgument? pat = a.Get("Pattern");
                    // theanets' default: every hidden layer's ':out' (never the output layer's).
                    var names = new List<(string Name, int Layer, bool Pre)>();
                    for (int i = 0; i < layers.Count; i++)
                    {
                        names.Add((layers[i].Name + ":out", i, false));
                        names.Add((layers[i].Name + ":pre", i, true));
                    }
                    List<(string Name, int Layer, bool Pre)> matched = pat is null || pat.Value.Length == 0
                        ? names.Where(n => !n.Pre && n.Layer < layers.Count - 1).ToList()
                        : names.Where(n => Glob.Split(pat.Value).Any(p => Glob.IsMatch(n.Name, p))).ToList();
                    if (matched.Count == 0)
                    {
                        Report(Descriptors.PatternMatchesNothing, pat?.Location ?? a.Location, pat?.Value ?? "(default: every hidden layer)", "HiddenL1", "layer output",
                            pat is null ? "the model has no hidden layer" : string.Join(", ", names.Select(n => n.Name)));
                        break;
                    }
                    int k = matched.Count;
                    terms.Add(new TermSpec(TermKind.HiddenL1, Unique("HiddenL1"), "hidden_l1",
                        "λ·(1/" + Str(k) + ")·Σ mean|a| over " + string.Join(", ", matched.Select(m => m.Name)),
                        lambda, 0, false, -1, false,
                        matched.Select(m => new ContributionSpec(m.Layer, m.Pre ? TensorKind.PreActivation : TensorKind.Output, NormKind.L1, 1.0 / (k * (double)layers[m.Layer].Units), true)).ToEquatableArray()));
                    break;
                }
                case "WeightL1":
                case "WeightL2":
                {
                    DeclaredArgument? pat = a.Get("Pattern");
                    string pattern = pat is null || pat.Value.Length == 0 ? "*" : pat.Value;
                    var names = new List<(string Name, int Layer, bool Weight)>();
                    for (int i = 0; i < layers.Count; i++)
                    {
                        names.Add((layers[i].Name + ".w", i, true));
                        names.Add((layers[i].Name + ".b", i, false));
                    }
                    // Biases match the pattern like any parameter but are dropped (theanets keeps ndim > 1 only).
                    var matched = names.Where(n => n.Weight && Glob.Split(pattern).Any(p => Glob.IsMatch(n.Name, p))).ToList();
                    if (matched.Count == 0)
                    {
                        Report(Descriptors.PatternMatchesNothing, pat?.Location ?? a.Location, pattern, a.Kind, "weight matrix (biases are never included)",
                            string.Join(", ", names.Where(n => n.Weight).Select(n => n.Name)));
                        break;
                    }
                    bool l1 = a.Kind == "WeightL1";
                    int k = matched.Count;
                    terms.Add(new TermSpec(l1 ? TermKind.WeightL1 : TermKind.WeightL2, Unique(a.Kind), l1 ? "weight_l1" : "weight_l2",
                        "λ·(1/" + Str(k) + ")·Σ mean" + (l1 ? "|W|" : "(W²)") + " over " + string.Join(", ", matched.Select(m => m.Name)),
                        lambda, 0, l1 && a.Get("Proximal")?.Value == "true", -1, false,
                        matched.Select(m => new ContributionSpec(m.Layer, TensorKind.Weight, l1 ? NormKind.L1 : NormKind.L2,
                            1.0 / (k * (double)layers[m.Layer].Units * layers[m.Layer].Inputs), false)).ToEquatableArray()));
                    break;
                }
            }
        }

        if (optimizer.Kind != OptimizerKind.Sgd)
            foreach (DeclaredAttribute a in model.Attributes)
                if (a.Get("Proximal") is { Value: "true" } prox)
                    Report(Descriptors.ProximalNeedsSgd, prox.Location, optimizer.Kind.ToString());

        // ---- Layers with offsets and buffer decisions -------------------------------------------------------------
        var specs = new List<LayerSpec>();
        int offset = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            LayerDraft l = layers[i];
            var touching = terms.Where(t => t.KlLayer == i || t.Contributions.Any(c => c.Layer == i)).ToList();
            // z is kept when a penalty reads it, when the activation's derivative needs it, or when the loss is computed
            // from the output layer's logits.
            bool pre = touching.Any(t => t.Contributions.Any(c => c.Layer == i && c.Tensor == TensorKind.PreActivation))
                       || l.Activation is ActivationKind.Softplus or ActivationKind.Gelu or ActivationKind.GeluTanh
                       || (i == layers.Count - 1 && loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy);
            bool activity = touching.Any(t => t.KlLayer == i || t.Contributions.Any(c => c.Layer == i && c.Tensor is TensorKind.Output or TensorKind.PreActivation));
            bool weights = touching.Any(t => t.Contributions.Any(c => c.Layer == i && c.Tensor == TensorKind.Weight));
            long weightOffset = offset, biasOffset = weightOffset + (long)l.Units * l.Inputs, next = biasOffset + l.Units;
            if (next > int.MaxValue)
            {
                Report(Descriptors.BadSize, l.Attribute.Get("units")?.Location, "The parameter count", next.ToString(CultureInfo.InvariantCulture));
                return Done(null);
            }
            specs.Add(new LayerSpec(i, l.Name, Pascal(l.Name), l.Inputs, l.Units, l.Activation, l.Alpha, (int)weightOffset, (int)biasOffset, pre, activity, weights));
            offset = (int)next;
        }

        return Done(new ModelSpec(model.Namespace, model.ClassName, model.HintName, model.ContainingTypes, inputSize, loss, learningRate, optimizer,
            specs.ToEquatableArray(), terms.ToEquatableArray(), precision));
    }

    private enum Scaling { BatchMean = 0, Sum = 1, ElementMean = 2 }

    private static string Range(ActivationKind a) => a switch
    {
        ActivationKind.Relu or ActivationKind.Softplus => "[0, ∞)",
        ActivationKind.Elu => "(−α, ∞)",
        ActivationKind.Gelu or ActivationKind.GeluTanh => "[−0.17, ∞)",
        ActivationKind.Softmax => "(0, 1) but summing to 1 per row",
        _ => "(−∞, ∞)",
    };

    private static EquatableArray<ContributionSpec> One(ContributionSpec c) => new([c]);

    private static int Int(DeclaredAttribute a, string name)
        => a.Get(name) is { } v && int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : 0;

    private static double Dbl(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Str(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static string Str(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static bool IsIdentifier(string s)
        => s.Length > 0 && char.IsLetter(s[0]) && s.All(c => char.IsLetterOrDigit(c) || c == '_') && s.All(c => c < 128);

    /// <summary>hid1 → Hid1, my_layer → My_layer: the prefix of the layer's generated member names.</summary>
    public static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
}
