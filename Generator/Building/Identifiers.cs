using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;

namespace Compiled.Generator.Building;

/// <summary>
/// Every member the generated code declares on the model class, derived once from the layers (through the same
/// <see cref="Names"/> functions the emitters print with): two layers deriving the same identifier are reported, and so
/// is a user member named like any of them. A test holds this list equal to the members of the emitted source.
/// </summary>
internal static class Identifiers
{
    public static void Check(BuildContext ctx, OptionsDraft options, NetworkDraft network)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var reported = new HashSet<(string, string)>();
        foreach ((string member, ProductDraft? layer) in Members(options, network))
        {
            string owner = layer is null ? "the model" : "layer '" + layer.Name + "'";
            if (owners.TryGetValue(member, out string? first))
            {
                // Once per pair of owners, at the later layer's name, naming the first member they share.
                if (first != owner && layer is not null && reported.Add((owner, first)))
                    ctx.Report(Descriptors.IdentifierCollision, layer.Attribute.Get("Name")?.Location ?? layer.Attribute.Location, owner, first, member);
                continue;
            }
            owners.Add(member, owner);
        }
        foreach (DeclaredMember m in ctx.Model.Members)
            if (owners.ContainsKey(m.Name))
                ctx.Report(Descriptors.MemberClash, m.Location,
                    m.Name.StartsWith(".ctor", StringComparison.Ordinal) ? "constructor " + ctx.Model.ClassName + m.Name.Substring(5) : m.Name, ctx.Model.ClassName);
    }

    /// <summary>The members the emitted class declares (constructors as <c>.ctor(…)</c>), each with the layer it belongs to.</summary>
    public static IEnumerable<(string Member, ProductDraft? Layer)> Members(OptionsDraft options, NetworkDraft network)
    {
        OptimizerSpec o = options.Optimizer;
        bool labels = options.Loss == LossKind.SoftmaxCrossEntropy;
        bool fused = options.Precision == Precision.Float32 && o.Kind == OptimizerKind.Sgd
                     && !network.Products.SelectMany(l => l.Modifiers).Concat(network.ModelRegularizers).Any(a => a.Bool("Proximal"));
        var model = new List<string>
        {
            "InputSize", "OutputSize", "ParameterCount", "DefaultMaxBatch", ".ctor()", ".ctor(int,int)", "MaxBatch", "Parameters", "Gradients",
            "LearningRate", "Schedule", "ResetOptimizer", "Regularization", "LastLoss", "LastSparsity", "Threads", "SparsityEpsilon",
            "ParameterLayout", "Save", "Load", "Predict", "ComputeGradients", "Evaluate", "TrainStep", "DivergenceGuard", "Step", "Fit",
            "EpochReport", "Summary", "LossBreakdown", "RegularizationCoefficients", "SparsityReport",
            "_parameters", "_gradients", "_maxBatch", "_lastBatch", "_threads", "_pool", "_updates", "_step", "s_checkpointMetadata",
            "CheckTraining", "Forward", "Run", "ParameterGradients", "GuardLoss", "GradientsBounded", "GuardGradients",
        };
        model.Add(fused ? "ApplySgd" : "GuardDivergence");
        if (labels) model.AddRange(["PredictClasses", "PredictClass", "Accuracy"]);
        if (o.HasMomentum) model.AddRange(["Momentum", "_momentum", "_velocity"]);
        if (o.IsAdam) model.AddRange(["Beta1", "Beta2", "Epsilon", "_beta1", "_beta2", "_epsilon", "_moment1", "_moment2"]);
        if (o.Kind == OptimizerKind.AdamW) model.AddRange(["WeightDecay", "_weightDecay"]);
        if (o.HasMomentum || o.IsAdam) model.Add("Invalid");
        foreach (string m in model) yield return (m, null);

        foreach (ProductDraft l in network.Products)
            foreach (string m in LayerMembers(l, l == network.Output))
                yield return (m, l);
    }

    /// <summary>
    /// A layer's members: its public views and its buffers (all possible ones — a buffer the layer does not need is
    /// still its name, so that two layers can never collide depending on their penalties).
    /// </summary>
    private static IEnumerable<string> LayerMembers(ProductDraft l, bool output)
    {
        if (l is DenseDraft) yield return l.Pascal + "Weight";
        yield return l.Pascal + "Bias";
        if (!output) yield return l.Pascal + "Activations";
        yield return Names.OutField(l.Camel);
        yield return Names.PreField(l.Camel);
        yield return Names.DeltaField(l.Camel);
        yield return Names.UnitMaxField(l.Camel);
        yield return Names.KlField(l.Camel);
    }
}
