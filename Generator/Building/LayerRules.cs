using System.Collections.Generic;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Model;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>The per-layer decisions: sizes along the chain, names, activation parameters, and what the loss needs.</summary>
internal static class LayerRules
{
    /// <summary>
    /// Each layer's input width, and names: theanets' hid1, hid2, …, out, counted over the layers with parameters only,
    /// so that a parameter-free kind (noise) renames nothing. Explicit names must be identifiers and unique.
    /// </summary>
    public static void Name(BuildContext ctx, NetworkDraft network)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        int width = network.InputSize, ordinal = 0, products = 0;
        foreach (LayerDraft l in network.Layers)
            if (l is ProductDraft) products++;
        foreach (LayerDraft l in network.Layers)
        {
            l.Inputs = width;
            if (l is not ProductDraft p) continue;
            width = l.Units;
            p.Ordinal = ordinal++;
            DeclaredArgument? explicitName = l.Attribute.Get("Name");
            if (l.Name.Length == 0) l.Name = p.Ordinal == products - 1 ? "out" : "hid" + Str(p.Ordinal + 1);
            else if (!ModelBuilder.IsIdentifier(l.Name)) ctx.Report(Descriptors.BadLayerName, explicitName?.Location, l.Name);
            if (!seen.Add(l.Name)) ctx.Report(Descriptors.DuplicateLayerName, explicitName?.Location ?? l.Attribute.Location, l.Name);
            p.Pascal = ModelBuilder.Pascal(l.Name);
            p.Camel = ModelBuilder.Camel(l.Name);
        }
    }

    /// <summary>The activation's parameter α (LeakyReLU slope, ELU scale) and where Softmax may stand.</summary>
    public static void CheckActivations(BuildContext ctx, NetworkDraft network)
    {
        ProductDraft output = network.Output;
        foreach (ProductDraft l in network.Products)
        {
            DeclaredArgument? alphaArg = l.Attribute.Get("Alpha");
            double alpha = alphaArg is null ? double.NaN : l.Attribute.Double("Alpha", double.NaN);
            switch (l.Activation)
            {
                case ActivationKind.LeakyRelu:
                    l.Alpha = double.IsNaN(alpha) && alphaArg is null ? 0.01 : alpha;
                    if (!(l.Alpha >= 0) || double.IsInfinity(l.Alpha))
                        ctx.Report(Descriptors.BadAlpha, alphaArg?.Location, "The LeakyRelu slope Alpha of layer '" + l.Name + "' must be a finite number ≥ 0; it is " + Str(l.Alpha));
                    break;
                case ActivationKind.Elu:
                    l.Alpha = double.IsNaN(alpha) && alphaArg is null ? 1.0 : alpha;
                    if (!(l.Alpha > 0) || double.IsInfinity(l.Alpha))
                        ctx.Report(Descriptors.BadAlpha, alphaArg?.Location, "The Elu scale Alpha of layer '" + l.Name + "' must be a finite number > 0; it is " + Str(l.Alpha));
                    break;
                default:
                    if (alphaArg is not null)
                        ctx.Report(Descriptors.BadAlpha, alphaArg.Location, "Alpha applies to LeakyRelu and Elu only; layer '" + l.Name + "' uses " + l.Activation + ". Remove it");
                    break;
            }
            if (l.Activation == ActivationKind.Softmax && l != output)
                ctx.Report(Descriptors.SoftmaxHidden, l.Attribute.Get("activation")?.Location ?? l.Attribute.Location, l.Name);
        }
    }

    /// <summary>The losses computed from the logits need their activation on the output layer.</summary>
    public static void CheckLoss(BuildContext ctx, OptionsDraft options, NetworkDraft network)
    {
        ProductDraft output = network.Output;
        LocationInfo? lossAt = options.LossArgument?.Location ?? output.Attribute.Location;
        switch (options.Loss)
        {
            case LossKind.BinaryCrossEntropy when output.Activation != ActivationKind.Sigmoid:
                ctx.Report(Descriptors.LossNeedsActivation, lossAt, "Loss.BinaryCrossEntropy", "Sigmoid", output.Name, output.Activation.ToString(), Str(output.Units));
                break;
            case LossKind.SoftmaxCrossEntropy when output.Activation != ActivationKind.Softmax:
                ctx.Report(Descriptors.LossNeedsActivation, lossAt, "Loss.SoftmaxCrossEntropy", "Softmax", output.Name, output.Activation.ToString(), Str(output.Units));
                break;
            case LossKind.SoftmaxCrossEntropy when output.Units < 2:
                ctx.Report(Descriptors.BadSize, output.Attribute.Get("units")?.Location, "The number of classes of a Softmax output", Str(output.Units));
                break;
            case LossKind.MeanSquaredError or LossKind.HalfSquaredError or LossKind.MeanAbsoluteError when output.Activation == ActivationKind.Softmax:
                ctx.Report(Descriptors.LossActivationUnusual, lossAt ?? output.Attribute.Location, "Loss." + options.Loss, "Softmax",
                    "for classification use Loss.SoftmaxCrossEntropy (labels, computed from the logits, with a gradient that does not vanish when the softmax saturates)");
                break;
        }
    }
}
