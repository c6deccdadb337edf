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
            }
        }
        if (network.Input is null) ctx.Report(Descriptors.NoInput, ctx.Model.ClassLocation, ctx.Model.ClassName);
        else if (network.Layers.Count == 0) ctx.Report(Descriptors.NoDense, ctx.Model.ClassLocation, ctx.Model.ClassName);
        if (network.Input is null || network.Layers.Count == 0) return null;
        return network;
    }

    private static LayerDraft ReadLayer(BuildContext ctx, DeclaredAttribute a)
    {
        var dense = new DenseDraft(a) { Units = a.Int("units"), Name = a.String("Name") ?? "" };
        if (dense.Units < 1 || dense.Units > ModelBuilder.MaxSize) ctx.Report(Descriptors.BadSize, a.Get("units")?.Location, "The number of units", Str(dense.Units));
        dense.Activation = (ActivationKind)(ModelBuilder.EnumArgument(ctx, a, "activation", "Activation", 0) ?? 0);
        return dense;
    }

    private static ProductDraft? LastProduct(NetworkDraft network)
    {
        for (int i = network.Layers.Count - 1; i >= 0; i--)
            if (network.Layers[i] is ProductDraft p) return p;
        return null;
    }
}
