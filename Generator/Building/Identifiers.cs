using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>
/// Every member the generated code declares on the model class and on its Workspace, derived once from the layers
/// (through the same <see cref="Names"/> functions the emitters print with): two layers deriving the same identifier are
/// reported (CMP029), and so is a user member named like a member of the model (CMP016). A test holds the list equal to
/// the members of the emitted source.
/// </summary>
internal static class Identifiers
{
    public static void Check(BuildContext ctx, OptionsDraft options, NetworkDraft network)
    {
        var reported = new HashSet<(string, string)>();
        var model = Collisions(ctx, Members(options, network), reported);
        Collisions(ctx, WorkspaceMembers(network), reported);
        foreach (DeclaredMember m in ctx.Model.Members)
            if (model.ContainsKey(m.Name))
                ctx.Report(Descriptors.MemberClash, m.Location,
                    m.Name.StartsWith(".ctor", StringComparison.Ordinal) ? "constructor " + ctx.Model.ClassName + m.Name.Substring(5) : m.Name, ctx.Model.ClassName);
    }

    /// <summary>Reports two layers deriving the same name (once per pair, at the later layer's name); returns name → owner.</summary>
    private static Dictionary<string, string> Collisions(BuildContext ctx, IEnumerable<(string Member, LayerDraft? Layer)> members, HashSet<(string, string)> reported)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string member, LayerDraft? layer) in members)
        {
            string owner = layer switch
            {
                null => "the model",
                NoiseDraft n => "[" + n.Attribute.Kind + "] on " + (n.Target >= 0 ? "'" + n.Name + "'" : "the input") + " (position " + Str(n.Index + 1) + ")",
                _ => "layer '" + layer.Name + "'",
            };
            if (owners.TryGetValue(member, out string? first))
            {
                if (first != owner && layer is not null && reported.Add((owner, first)))
                    ctx.Report(Descriptors.IdentifierCollision, layer.Attribute.Get("Name")?.Location ?? layer.Attribute.Location, owner, first, member);
                continue;
            }
            owners.Add(member, owner);
        }
        return owners;
    }

    /// <summary>The members the emitted class declares (constructors as <c>.ctor(…)</c>), each with the layer it belongs to.</summary>
    public static IEnumerable<(string Member, LayerDraft? Layer)> Members(OptionsDraft options, NetworkDraft network)
    {
        OptimizerSpec o = options.Optimizer;
        bool labels = options.Loss == LossKind.SoftmaxCrossEntropy;
        // As LayoutPlanner.FusesSgd decides it on the spec.
        bool fused = options.Precision == Precision.Float32 && o.Kind == OptimizerKind.Sgd && options.ClipGradientNorm == 0 && !options.PreEncoderBias
                     && !network.Products.SelectMany(l => l.Modifiers).Concat(network.ModelRegularizers)
                         .Any(a => a.Bool("Proximal") || a.Kind is "Contractive" or "KernelOrthogonal" || a.Bool("WeightedByNextLayer"))
                     && !network.Layers.Any(l => l is TiedDraft)
                     && !network.Products.Any(l => l.AuxK is not null || l.TopK is { Batch: true } || l.Activation == ActivationKind.JumpRelu || l.Constraints.Count > 0);
        var model = new List<string>
        {
            // Public
            "InputSize", "OutputSize", "ParameterCount", "DefaultMaxBatch", ".ctor()", ".ctor(int,int)", "MaxBatch", "Parameters", "Gradients",
            "LearningRate", "Schedule", "ResetOptimizer", "Regularization", "LastLoss", "LastSparsity", "Threads", "SparsityEpsilon",
            "ParameterLayout", "Save", "Load", "Predict", "ComputeGradients", "Evaluate", "TrainStep", "DivergenceGuard", "Step", "Fit",
            "EpochReport", "Summary", "LossBreakdown", "RegularizationCoefficients", "SparsityReport",
            // Private: settings, the parameter block, the passes
            "_learningRate", "_schedule", "_sparsityEpsilon", "_lastSparsity", "_sparsityVersion",
            "_parameters", "_gradients", "_maxBatch", "_threads", "_pool", "_updates", "_step", "s_checkpointMetadata",
            "CheckTraining", "Forward", "Run", "ParameterGradients", "TrainStepCore", "GuardLoss", "GradientsBounded", "GuardGradients",
            "RowsOf", "CheckData", "EvaluateRows",
            // Private: sharing between threads
            "Workspace", "_main", "_spare", "t_workspace", "_readers", "_training",
            "EnterInference", "ExitInference", "EnterTraining", "ExitTraining", "Latest",
        };
        model.Add(fused ? "ApplySgd" : "GuardDivergence");
        if (labels) model.AddRange(["PredictClasses", "PredictClass", "Accuracy"]);
        if (options.Precision == Precision.Float64) model.Add("Widen");
        if (SparseCodeRules.Quantizable(options, network)) model.Add("Quantize");
        // Sparse coding (SparseCodingEmitter).
        var firing = network.Products.Where(l => SparseCodeRules.FiringTelemetry(network, l)).ToList();
        if (firing.Count > 0) model.Add("DeadWindowSamples");
        if (options.Loss is not (LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy) && network.InputSize == network.Output.Units)
            model.AddRange(["LastReconstruction", "_lastReconstruction", "_reconstructionVersion"]);
        if (options.PreEncoderBias) model.Add("InitializePreEncoderBias");
        if (options.Precision == Precision.Float32 && SparseCodeLayers(network).Any()) model.Add("SparseKernels");
        if (network.Products.Any(l => l.Constraints.Count > 0)) model.Add("_constraintNorms");
        if (network.Products.Any(l => l.Constraints.Any(c => c.ProjectGradient))) model.Add("_constraintDots");
        if (o.HasMomentum) model.AddRange(["Momentum", "_momentum", "_velocity"]);
        if (o.IsAdam) model.AddRange(["Beta1", "Beta2", "Epsilon", "_beta1", "_beta2", "_epsilon", "_moment1", "_moment2"]);
        if (o.Kind == OptimizerKind.AdamW) model.AddRange(["WeightDecay", "_weightDecay"]);
        if (network.Layers.Any(l => l is NoiseDraft)) model.Add("_seed");
        foreach (string m in model) yield return (m, null);

        foreach (ProductDraft l in network.Products)
        {
            if (l is DenseDraft) yield return (l.Pascal + "Weight", l);
            if (SmallLayers.Qualifies(options, network, l)) yield return (SmallShape(l.Pascal), l);
            yield return (l.Pascal + "Bias", l);
            if (l != network.Output) yield return (l.Pascal + "Activations", l);
            if (l.Activation == ActivationKind.JumpRelu && l is DenseDraft) yield return (l.Pascal + "LogThreshold", l);
            if (l.TopK is { Batch: true }) yield return (l.Pascal + "TopKThreshold", l);
            if (l.AuxK is not null)
            {
                yield return (l.Pascal + "SamplesSinceFired", l);
                yield return ("_" + l.Camel + "SinceFired", l);
            }
            if (SparseCodeRules.FiringTelemetry(network, l)) yield return ("_" + l.Camel + "Firing", l);
        }
        foreach (LayerDraft l in network.Layers)
            if (l is NoiseDraft n) yield return (NoiseView(n.Pascal, n.Kind), n);
    }

    /// <summary>The layers LayoutPlanner makes sparse codes (as it decides: a hidden Dense layer of at least SparseMinUnits units with exact zeros, feeding a Dense layer).</summary>
    public static IEnumerable<ProductDraft> SparseCodeLayers(NetworkDraft network)
    {
        for (int i = 0; i + 1 < network.Layers.Count; i++)
            if (network.Layers[i] is DenseDraft l && network.Layers[i + 1] is DenseDraft && l.Units >= LayoutPlanner.SparseMinUnits
                && (l.Activation is ActivationKind.Relu or ActivationKind.JumpRelu || l.TopK is not null))
                yield return l;
    }

    /// <summary>
    /// The public view of a noise kind's last draw: <c>Hid1DropoutMask</c>, <c>Hid1GaussianDropoutMask</c>,
    /// <c>Hid1AlphaDropoutMask</c> (multipliers) or <c>InputNoise</c> (added values). Kinds differ, so two kinds can act on
    /// one layer; the same kind twice on one layer collides (CMP029).
    /// </summary>
    public static string NoiseView(string pascal, NoiseKind kind) => pascal + kind switch
    {
        NoiseKind.GaussianNoise => "Noise",
        NoiseKind.GaussianDropout => "GaussianDropoutMask",
        NoiseKind.AlphaDropout => "AlphaDropoutMask",
        _ => "DropoutMask",
    };

    /// <summary>The nested struct that holds a small layer's constants for its kernels: <c>Hid1Shape</c>.</summary>
    public static string SmallShape(string pascal) => pascal + "Shape";

    /// <summary>The workspace buffer of a noise kind's output: <c>Hid1DropoutOut</c>, <c>InputGaussianNoiseOut</c>, ….</summary>
    public static string NoiseOut(string pascal, NoiseKind kind) => pascal + kind + "Out";

    /// <summary>
    /// The members of the generated Workspace class: every buffer a layer could keep (a buffer the layer does not need is
    /// still its name, so that two layers can never collide depending on their penalties).
    /// </summary>
    private static IEnumerable<(string Member, LayerDraft? Layer)> WorkspaceMembers(NetworkDraft network)
    {
        yield return ("Owner", null);
        yield return ("LastBatch", null);
        yield return ("Stamp", null);
        yield return ("WideInputs", null);
        yield return ("WideTargets", null);
        yield return ("InputCentered", null);
        yield return ("InputGradient", null);
        yield return ("Reconstruction", null);
        yield return ("ReconstructionTotal", null);
        foreach (ProductDraft l in network.Products)
            foreach (string m in new[] { Names.OutField(l.Pascal), Names.PreField(l.Pascal), Names.DeltaField(l.Pascal), Names.UnitMaxField(l.Pascal), Names.KlField(l.Pascal), l.Pascal + "TiedScratch",
                         Names.KeptField(l.Pascal), Names.TopKScratchField(l.Pascal), Names.AuxKField(l.Pascal), Names.ActiveIntsField(l.Pascal),
                         Names.ActiveValuesField(l.Pascal), Names.SparseField(l.Pascal), Names.DeltaAlignedField(l.Pascal) })
                yield return (m, l);
        foreach (LayerDraft l in network.Layers)
            if (l is NoiseDraft n)
            {
                yield return (NoiseOut(n.Pascal, n.Kind), n);
                yield return (NoiseView(n.Pascal, n.Kind), n);
            }
    }
}
