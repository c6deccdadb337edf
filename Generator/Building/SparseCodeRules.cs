using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Model;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>
/// Sparse coding as it is practised for dictionaries (docs/sparse-coding.md): TopK and BatchTopK codes, the AuxK loss,
/// JumpReLU's threshold settings, the weight constraints, and the pre-encoder bias — read from the attributes onto the
/// layer drafts and checked where they stand.
/// </summary>
internal static class SparseCodeRules
{
    public static void Apply(BuildContext ctx, OptionsDraft options, NetworkDraft network)
    {
        foreach (ProductDraft l in network.Products)
        {
            JumpRelu(ctx, network, l);
            foreach (DeclaredAttribute a in l.Modifiers)
            {
                switch (a.Kind)
                {
                    case "TopK": TopK(ctx, network, l, a); break;
                    case "UnitNorm" or "MaxNorm" or "NonNeg" or "MinMaxNorm": Constraint(ctx, network, l, a); break;
                }
            }
            foreach (DeclaredAttribute a in l.Modifiers.Where(a => a.Kind == "AuxK")) AuxK(ctx, options, network, l, a);
        }
        if (!options.PreEncoderBias) return;
        if (network.InputSize != network.Output.Units)
            ctx.Report(Descriptors.PreEncoderBiasSize, options.PreEncoderBiasArgument?.Location,
                "subtracts the output layer's bias from the input, so the input size (" + Str(network.InputSize) + ") must equal the output size (" + Str(network.Output.Units) + ")");
        else if (network.Layers[0] is NoiseDraft noise)
            ctx.Report(Descriptors.PreEncoderBiasSize, options.PreEncoderBiasArgument?.Location,
                "with noise on the input ([" + noise.Attribute.Kind + "]) is not supported: the noise would act on x − b_dec; put the noise on a hidden layer");
    }

    /// <summary>
    /// Whether the firing telemetry watches a layer: a code (TopK, JumpReLU) or a hidden ReLU layer with an activity
    /// penalty — the layers whose output holds exact zeros by design.
    /// </summary>
    public static bool FiringTelemetry(NetworkDraft network, ProductDraft l)
        => l.TopK is not null || l.Activation == ActivationKind.JumpRelu
           || (l.Activation == ActivationKind.Relu && l != network.Output && l.Modifiers.Any(a => a.Kind is "ActivityL1" or "ActivityL2"));

    /// <summary>Whether <c>Quantize()</c> is generated: float32, and every layer one the int8 form computes.</summary>
    public static bool Quantizable(OptionsDraft options, NetworkDraft network)
        => options.Precision == Precision.Float32 && !options.PreEncoderBias
           && !network.Products.Any(l => l.TopK is not null || l.Activation == ActivationKind.JumpRelu);

    private static void TopK(BuildContext ctx, NetworkDraft network, ProductDraft l, DeclaredAttribute a)
    {
        int k = a.Int("k");
        bool batch = a.Bool("Batch");
        string what = "[TopK(" + Str(k) + (batch ? ", Batch = true" : "") + ")]";
        if (l is TiedDraft)
            ctx.Report(Descriptors.TopKPosition, a.Location, "TopK", l.Name, "a tied layer is a decoder; put the code on a hidden Dense layer");
        else if (l == network.Output)
            ctx.Report(Descriptors.TopKPosition, a.Location, "TopK", l.Name, "the output layer is the reconstruction, not a code; put it on a hidden Dense layer");
        else if (l.TopK is not null)
            ctx.Report(Descriptors.DuplicateRegularizer, a.Location, "TopK", l.Name, "k = " + Str(l.TopK.K) + " + k = " + Str(k));
        else if (k < 1 || k >= l.Units)
            ctx.Report(Descriptors.BadTopK, a.At("k"), what, l.Name, Str(k), "k must be between 1 and " + Str(l.Units - 1) + " (fewer than the layer's " + Str(l.Units) + " units)");
        else if (l.Activation is ActivationKind.Softmax or ActivationKind.JumpRelu)
            ctx.Report(Descriptors.TopKPosition, a.Location, "TopK", l.Name, "its Activation." + l.Activation + " already decides which units are active; use Relu (or another element-wise activation)");
        else
            l.TopK = new TopKSpec(k, batch);
    }

    private static void AuxK(BuildContext ctx, OptionsDraft options, NetworkDraft network, ProductDraft l, DeclaredAttribute a)
    {
        int kAux = a.Int("kAux"), dead = a.Get("DeadAfterSamples") is null ? 10_000_000 : a.Int("DeadAfterSamples");
        if (l.TopK is null)
        {
            ctx.Report(Descriptors.AuxKWithoutTopK, a.Location, l.Name);
            return;
        }
        if (kAux < 1 || kAux > l.Units)
        {
            ctx.Report(Descriptors.BadTopK, a.At("kAux"), "[AuxK(" + Str(kAux) + ")]", l.Name, Str(kAux), "kAux must be between 1 and the layer's " + Str(l.Units) + " units");
            return;
        }
        if (dead < 1)
        {
            ctx.Report(Descriptors.BadOptimizerSetting, a.At("DeadAfterSamples"), "DeadAfterSamples", "at least 1", Str(dead));
            return;
        }
        ProductDraft? next = network.Products.FirstOrDefault(p => p.Index > l.Index);
        string? problem = next != network.Output ? "it must be the output layer, and '" + (next?.Name ?? "?") + "' is not"
            : next is not DenseDraft ? "the output layer '" + next.Name + "' is tied; AuxK needs a Dense decoder with weights of its own"
            : next.Activation != ActivationKind.Linear ? "the output layer '" + next.Name + "' uses Activation." + next.Activation + "; AuxK needs Activation.Linear"
            : options.Loss is not (LossKind.MeanSquaredError or LossKind.HalfSquaredError) ? "the loss is Loss." + options.Loss + "; AuxK needs a squared-error loss"
            : l.Activation != ActivationKind.Relu ? "the TopK layer uses Activation." + l.Activation + "; AuxK takes max(z, 0) of the dead units, as OpenAI: use Activation.Relu"
            : network.Layers.Any(x => x is NoiseDraft n && n.Index > l.Index) ? "noise between the code and the decoder is not supported with AuxK"
            : null;
        if (problem is not null)
        {
            ctx.Report(Descriptors.AuxKDecoder, a.Location, l.Name, problem);
            return;
        }
        l.AuxK = new AuxKSpec(kAux, dead);
    }

    private static void JumpRelu(BuildContext ctx, NetworkDraft network, ProductDraft l)
    {
        DeclaredArgument? thresholdArg = l.Attribute.Get("InitialThreshold"), bandwidthArg = l.Attribute.Get("Bandwidth");
        if (l.Activation != ActivationKind.JumpRelu)
        {
            foreach (DeclaredArgument? arg in new[] { thresholdArg, bandwidthArg })
                if (arg is not null)
                    ctx.Report(Descriptors.BadJumpRelu, arg.Location, arg.Name + " applies to Activation.JumpRelu only; layer '" + l.Name + "' uses Activation." + l.Activation + ". Remove it");
            foreach (DeclaredAttribute a in l.Modifiers.Where(a => a.Kind == "L0Penalty"))
                ctx.Report(Descriptors.L0NeedsJumpRelu, a.Location, l.Name, l.Activation.ToString());
            return;
        }
        l.InitialThreshold = thresholdArg is null ? 0.01 : l.Attribute.Double("InitialThreshold", 0.01);
        l.Bandwidth = bandwidthArg is null ? 0.05 : l.Attribute.Double("Bandwidth", 0.05);
        if (!(l.InitialThreshold > 0) || double.IsInfinity(l.InitialThreshold))
            ctx.Report(Descriptors.BadJumpRelu, thresholdArg?.Location, "The InitialThreshold of layer '" + l.Name + "' must be a finite number > 0 (its log is stored); it is " + Str(l.InitialThreshold));
        if (!(l.Bandwidth > 0) || double.IsInfinity(l.Bandwidth))
            ctx.Report(Descriptors.BadJumpRelu, bandwidthArg?.Location, "The Bandwidth of layer '" + l.Name + "' must be a finite number > 0; it is " + Str(l.Bandwidth));
        LocationInfo? at = l.Attribute.Get("activation")?.Location ?? l.Attribute.Location;
        if (l is TiedDraft) ctx.Report(Descriptors.JumpReluPosition, at, l.Name, "a tied layer is a decoder; JumpReLU codes belong on a hidden Dense layer");
        else if (l == network.Output) ctx.Report(Descriptors.JumpReluPosition, at, l.Name, "the output layer is the reconstruction, not a code; use it on a hidden Dense layer");
    }

    private static void Constraint(BuildContext ctx, NetworkDraft network, ProductDraft l, DeclaredAttribute a)
    {
        if (l is TiedDraft tied)
        {
            ctx.Report(Descriptors.NeedsOwnWeights, a.Location, a.Kind, l.Name, network.Layers[tied.Partner].Name);
            return;
        }
        bool perInput = (ModelBuilder.EnumArgument(ctx, a, "Per", "NormPer", 0) ?? 0) == 1;
        switch (a.Kind)
        {
            case "UnitNorm":
            {
                bool project = a.Bool("ProjectGradient");
                if (project && !perInput)
                {
                    ctx.Report(Descriptors.ProjectGradientPerUnit, a.At("ProjectGradient"));
                    return;
                }
                l.Constraints.Add(new ConstraintSpec(ConstraintKind.UnitNorm, perInput, 1, 1, 1, project));
                break;
            }
            case "MaxNorm":
            {
                double max = a.Double("maxValue", 0);
                if (!(max > 0) || double.IsInfinity(max))
                {
                    ctx.Report(Descriptors.BadOptimizerSetting, a.At("maxValue"), "The largest norm of [MaxNorm]", "a finite number > 0", Str(max));
                    return;
                }
                l.Constraints.Add(new ConstraintSpec(ConstraintKind.MaxNorm, perInput, 0, max, 1, false));
                break;
            }
            case "MinMaxNorm":
            {
                double min = a.Double("minValue", 0), max = a.Double("maxValue", 0), rate = a.Get("Rate") is null ? 1 : a.Double("Rate", 1);
                if (!(min >= 0) || double.IsInfinity(min) || !(max >= min) || double.IsInfinity(max))
                {
                    ctx.Report(Descriptors.BadOptimizerSetting, a.At(min >= 0 && !double.IsInfinity(min) ? "maxValue" : "minValue"), "The norms of [MinMaxNorm]",
                        "finite with 0 ≤ minValue ≤ maxValue", "[" + Str(min) + ", " + Str(max) + "]");
                    return;
                }
                if (!(rate >= 0 && rate <= 1))
                {
                    ctx.Report(Descriptors.BadOptimizerSetting, a.At("Rate"), "The Rate of [MinMaxNorm]", "in [0, 1]", Str(rate));
                    return;
                }
                l.Constraints.Add(new ConstraintSpec(ConstraintKind.MinMaxNorm, perInput, min, max, rate, false));
                break;
            }
            default:
                l.Constraints.Add(new ConstraintSpec(ConstraintKind.NonNeg, false, 0, 0, 1, false));
                break;
        }
    }
}
