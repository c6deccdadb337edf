using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Model;
using Compiled.Generator.Parsing;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>
/// Walks the attributes in source order and places each by its role: [Input] first, layers in sequence, layer
/// modifiers on the layer above them, model-wide regularizers in a list. Sizes and enum arguments are checked here.
/// </summary>
internal static class NetworkReader
{
    /// <summary>The network, or null when it has no input or no layer (reported).</summary>
    public static NetworkDraft? Read(BuildContext ctx)
    {
        var network = new NetworkDraft();
        foreach (DeclaredAttribute a in ctx.Model.Attributes)
        {
            switch (AttributeTable.RoleOf(a.Kind))
            {
                case AttributeRole.ModelOptions:
                    break; // OptionsReader
                case AttributeRole.Input:
                    network.Input = a;
                    if (network.Layers.Count > 0) ctx.Report(Descriptors.InputAfterDense, a.Location);
                    network.InputSize = a.Int("size");
                    if (network.InputSize < 1 || network.InputSize > ModelBuilder.MaxSize)
                        ctx.Report(Descriptors.BadSize, a.Get("size")?.Location, "The input size", Str(network.InputSize));
                    break;
                case AttributeRole.Layer:
                    LayerDraft layer = ReadLayer(ctx, a);
                    layer.Index = network.Layers.Count;
                    network.Layers.Add(layer);
                    break;
                case AttributeRole.LayerModifier:
                    if (LastProduct(network) is { } above) above.Modifiers.Add(a);
                    else ctx.Report(Descriptors.Unattached, a.Location, a.Kind);
                    break;
                case AttributeRole.ModelRegularizer:
                    network.ModelRegularizers.Add(a);
                    break;
                case AttributeRole.ModelNoise:
                    network.ModelNoise.Add(a);
                    break;
            }
        }
        if (network.Input is null) ctx.Report(Descriptors.NoInput, ctx.Model.ClassLocation, ctx.Model.ClassName);
        else if (network.Layers.Count == 0) ctx.Report(Descriptors.NoDense, ctx.Model.ClassLocation, ctx.Model.ClassName);
        if (network.Input is null || network.Layers.Count == 0) return null;
        if (!network.Layers.Any(l => l is ProductDraft))
        {
            ctx.Report(Descriptors.NoDense, ctx.Model.ClassLocation, ctx.Model.ClassName);
            return null;
        }
        return network;
    }

    private static LayerDraft ReadLayer(BuildContext ctx, DeclaredAttribute a)
    {
        switch (a.Kind)
        {
            case "Dense":
            {
                var dense = new DenseDraft(a) { Units = a.Int("units"), Name = a.String("Name") ?? "" };
                if (dense.Units < 1 || dense.Units > ModelBuilder.MaxSize) ctx.Report(Descriptors.BadSize, a.Get("units")?.Location, "The number of units", Str(dense.Units));
                dense.Activation = (ActivationKind)(ModelBuilder.EnumArgument(ctx, a, "activation", "Activation", 0) ?? 0);
                return dense;
            }
            case "Tied":
                return new TiedDraft(a)
                {
                    Name = a.String("Name") ?? "",
                    Activation = (ActivationKind)(ModelBuilder.EnumArgument(ctx, a, "activation", "Activation", 0) ?? 0),
                };
            default:
                return Noise(ctx, a, a.Kind switch
                {
                    "Dropout" => NoiseKind.Dropout,
                    "GaussianNoise" => NoiseKind.GaussianNoise,
                    "GaussianDropout" => NoiseKind.GaussianDropout,
                    _ => NoiseKind.AlphaDropout,
                });
        }
    }

    /// <summary>A noise kind with its rate (in [0, 1)) or σ (finite, ≥ 0) checked at the argument.</summary>
    public static NoiseDraft Noise(BuildContext ctx, DeclaredAttribute a, NoiseKind kind)
    {
        if (kind == NoiseKind.GaussianNoise)
            return new NoiseDraft(a, kind, ModelBuilder.Coefficient(ctx, a, "stddev", "The standard deviation of [" + a.Kind + "]"));
        double rate = a.Double("rate", 0);
        if (!(rate >= 0 && rate < 1)) ctx.Report(Descriptors.BadRate, a.At("rate"), "[" + a.Kind + "]", Str(rate));
        return new NoiseDraft(a, kind, rate);
    }

    private static ProductDraft? LastProduct(NetworkDraft network)
    {
        for (int i = network.Layers.Count - 1; i >= 0; i--)
            if (network.Layers[i] is ProductDraft p) return p;
        return null;
    }
}
