using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Helpers;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Model;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>The per-layer decisions: sizes along the chain, names, activation parameters, and what the loss needs.</summary>
internal static class LayerRules
{
    /// <summary>
    /// Names: theanets' hid1, hid2, …, out, counted over the layers with parameters only, so that a parameter-free kind
    /// (noise) renames nothing and changes no initialization stream. Explicit names must be identifiers and unique.
    /// </summary>
    public static void Name(BuildContext ctx, NetworkDraft network)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        int ordinal = 0, products = 0;
        foreach (LayerDraft l in network.Layers)
            if (l is ProductDraft) products++;
        foreach (LayerDraft l in network.Layers)
        {
            if (l is not ProductDraft p) continue;
            p.Ordinal = ordinal++;
            DeclaredArgument? explicitName = l.Attribute.Get("Name");
            if (l.Name.Length == 0) l.Name = p.Ordinal == products - 1 ? "out" : "hid" + Str(p.Ordinal + 1);
            else if (!ModelBuilder.IsIdentifier(l.Name)) ctx.Report(Descriptors.BadLayerName, explicitName?.Location, l.Name);
            if (!seen.Add(l.Name)) ctx.Report(Descriptors.DuplicateLayerName, explicitName?.Location ?? l.Attribute.Location, l.Name);
            p.Pascal = ModelBuilder.Pascal(l.Name);
            p.Camel = ModelBuilder.Camel(l.Name);
        }
    }

    /// <summary>
    /// The widths along the chain: each layer reads what the one before writes. A tied layer finds its partner (named, or
    /// as theanets does: walking back, +1 per tied layer, −1 per other layer with parameters, the partner where the count
    /// reaches 0), takes the partner's input width as its own, and must read the partner's output width. Noise keeps the
    /// width. False when a tied layer has no partner (reported).
    /// </summary>
    public static bool Chain(BuildContext ctx, NetworkDraft network)
    {
        int width = network.InputSize;
        bool ok = true;
        foreach (LayerDraft l in network.Layers)
        {
            l.Inputs = width;
            switch (l)
            {
                case TiedDraft t:
                    if (!Partner(ctx, network, t)) { ok = false; break; }
                    var partner = (DenseDraft)network.Layers[t.Partner];
                    t.Units = partner.Inputs;
                    if (t.Inputs != partner.Units)
                        ctx.Report(Descriptors.TiedSize, t.Attribute.Location, t.Name, Str(t.Inputs), partner.Name, Str(partner.Units));
                    break;
                case NoiseDraft n:
                    n.Units = width;
                    break;
            }
            width = l.Units;
        }
        return ok;
    }

    private static bool Partner(BuildContext ctx, NetworkDraft network, TiedDraft t)
    {
        DeclaredArgument? named = t.Attribute.Get("Partner");
        if (named is not null)
        {
            LayerDraft? found = network.Layers.FirstOrDefault(l => l is ProductDraft && l.Name == named.Value);
            if (found is DenseDraft dense && dense.Index < t.Index) { t.Partner = dense.Index; return true; }
            ctx.Report(Descriptors.TiedPartner, named.Location, t.Name, found is null
                ? "no layer is named \"" + named.Value + "\""
                : found.Index > t.Index ? "'" + named.Value + "' comes after it" : "'" + named.Value + "' is itself tied (a partner must be a Dense layer)");
            return false;
        }
        int count = 1;
        for (int i = t.Index - 1; i >= 0; i--)
        {
            if (network.Layers[i] is not ProductDraft p) continue;
            count += p is TiedDraft ? 1 : -1;
            if (count == 0)
            {
                t.Partner = p.Index;
                return true;
            }
        }
        ctx.Report(Descriptors.TiedPartner, t.Attribute.Location, t.Name, "walking back through the stack finds no Dense layer left to mirror; name one with Partner = \"…\"");
        return false;
    }

    /// <summary>
    /// Where the noise acts: a noise kind written after [Input] perturbs the input, otherwise the output of the layer with
    /// parameters before it (never the model's output: that is refused); theanets' keywords ([InputNoise], [HiddenNoise],
    /// [InputDropout], [HiddenDropout]) become noise layers after what they match. Then every layer is re-indexed, each
    /// noise gets its random stream, and AlphaDropout after a non-SELU layer is flagged.
    /// </summary>
    public static void PlaceNoise(BuildContext ctx, NetworkDraft network)
    {
        foreach (DeclaredAttribute a in network.ModelNoise)
        {
            NoiseKind kind = a.Kind is "InputNoise" or "HiddenNoise" ? NoiseKind.GaussianNoise : NoiseKind.Dropout;
            if (a.Kind is "InputNoise" or "InputDropout")
            {
                network.Layers.Insert(0, NetworkReader.Noise(ctx, a, kind));
                continue;
            }
            // theanets' default: every hidden layer's ':out'.
            DeclaredArgument? pat = a.Get("Pattern");
            var hidden = network.Products.Where(l => l != network.Output).ToList();
            var matched = pat is null || pat.Value.Length == 0
                ? hidden
                : network.Products.Where(l => Glob.Split(pat.Value).Any(p => Glob.IsMatch(l.Name + ":out", p))).ToList();
            if (matched.Count == 0 || matched.Contains(network.Output))
            {
                ctx.Report(Descriptors.PatternMatchesNothing, pat?.Location ?? a.Location, pat?.Value ?? "(default: every hidden layer)", a.Kind, "hidden layer output",
                    hidden.Count == 0 ? "the model has no hidden layer" : string.Join(", ", hidden.Select(l => l.Name + ":out")));
                continue;
            }
            foreach (ProductDraft target in matched)
                network.Layers.Insert(network.Layers.IndexOf(target) + 1, NetworkReader.Noise(ctx, a, kind));
        }
        int stream = 0;
        ProductDraft? above = null;
        for (int i = 0; i < network.Layers.Count; i++)
        {
            LayerDraft l = network.Layers[i];
            l.Index = i;
            if (l is ProductDraft p) { above = p; continue; }
            var n = (NoiseDraft)l;
            n.Stream = stream++;
            n.Target = above?.Index ?? -1;
            n.Name = above?.Name ?? "input";
            n.Pascal = ModelBuilder.Pascal(n.Name);
            n.Camel = ModelBuilder.Camel(n.Name);
            if (above is not null && above.Activation != ActivationKind.Selu && n.Kind == NoiseKind.AlphaDropout)
                ctx.Report(Descriptors.AlphaDropoutNotSelu, l.Attribute.Location, above.Name, above.Activation.ToString());
        }
        if (network.Layers[network.Layers.Count - 1] is NoiseDraft last)
            ctx.Report(Descriptors.NoiseAfterOutput, last.Attribute.Location, last.Attribute.Kind, last.Name);
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
