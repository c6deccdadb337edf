using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Model;
using Compiled.Generator.Parsing;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>
/// Validation and every modelling decision, as a pure function of the declared attributes, in named steps: is it a
/// model, the declaration, the options, the network (attributes by role), names, activations, the loss, the terms, the
/// layout, the identifiers. No Roslyn symbols here.
/// </summary>
internal static class ModelBuilder
{
    public const int MaxSize = 1 << 24;

    public static BuildResult Build(DeclaredModel model)
    {
        var ctx = new BuildContext(model);
        if (!HasInput(ctx)) return ctx.Done(null);
        CheckDeclaration(ctx);
        if (model.Attributes.Any(a => a.Arguments.Any(x => x.Value == "\u0000error")))
            return ctx.Done(null); // the compiler already reports the malformed attribute

        OptionsDraft options = OptionsReader.Read(ctx);
        NetworkDraft? network = NetworkReader.Read(ctx);
        if (network is null) return ctx.Done(null);
        LayerRules.Name(ctx, network);
        LayerRules.PlaceNoise(ctx, network);
        if (!LayerRules.Chain(ctx, network)) return ctx.Done(null);
        LayerRules.CheckActivations(ctx, network);
        LayerRules.CheckLoss(ctx, options, network);
        SparseCodeRules.Apply(ctx, options, network);
        List<TermSpec> terms = TermBuilder.Build(ctx, options, network);
        CheckProximal(ctx, options);
        ModelSpec? spec = LayoutPlanner.Plan(ctx, options, network, terms);
        Identifiers.Check(ctx, options, network);
        return ctx.Done(spec);
    }

    /// <summary>
    /// The members the generated class declares, as the clash check (CMP016) knows them: read from the same steps as
    /// <see cref="Build"/> (for tests that hold this list to the emitted source).
    /// </summary>
    internal static IEnumerable<string> GeneratedMembers(DeclaredModel model)
    {
        var ctx = new BuildContext(model);
        OptionsDraft options = OptionsReader.Read(ctx);
        NetworkDraft network = NetworkReader.Read(ctx) ?? throw new ArgumentException("not a model", nameof(model));
        LayerRules.Name(ctx, network);
        LayerRules.PlaceNoise(ctx, network);
        LayerRules.Chain(ctx, network); // the widths decide which layers are small
        LayerRules.CheckActivations(ctx, network);
        SparseCodeRules.Apply(ctx, options, network);
        return Identifiers.Members(options, network).Select(m => m.Member).ToList();
    }

    /// <summary>
    /// A class with layers but no [Input] is surely meant to be a model: reported once, at its first layer. A class
    /// with neither is not a model (nothing to report).
    /// </summary>
    private static bool HasInput(BuildContext ctx)
    {
        if (ctx.Model.Attributes.Any(a => AttributeTable.RoleOf(a.Kind) == AttributeRole.Input)) return true;
        if (ctx.Model.Attributes.FirstOrDefault(a => AttributeTable.RoleOf(a.Kind) == AttributeRole.Layer) is { } layer)
            ctx.Report(Descriptors.NoInput, layer.Location, ctx.Model.ClassName);
        return false;
    }

    /// <summary>The class itself: partial (and its containers), not generic, its layer attributes on one declaration.</summary>
    private static void CheckDeclaration(BuildContext ctx)
    {
        DeclaredModel m = ctx.Model;
        if (!m.IsPartial) ctx.Report(Descriptors.NotPartial, m.ClassLocation, m.ClassName);
        if (m.NonPartialContainer is { } outer) ctx.Report(Descriptors.ContainerNotPartial, m.ClassLocation, outer, m.ClassName);
        if (m.IsGeneric) ctx.Report(Descriptors.Generic, m.ClassLocation, m.ClassName);
        if (m.HasSplitLayerAttributes) ctx.Report(Descriptors.SplitDeclarations, m.ClassLocation, m.ClassName);
    }

    /// <summary>Proximal L1 is a step after plain SGD; with another optimizer it is refused at the argument.</summary>
    private static void CheckProximal(BuildContext ctx, OptionsDraft options)
    {
        if (options.Optimizer.Kind == OptimizerKind.Sgd) return;
        foreach (DeclaredAttribute a in ctx.Model.Attributes)
            if (a.Get("Proximal") is { Value: "true" } prox)
                ctx.Report(Descriptors.ProximalNeedsSgd, prox.Location, options.Optimizer.Kind.ToString());
    }

    /// <summary>
    /// An enum argument's value, checked against the public enum's members (a cast such as <c>(Activation)42</c> is
    /// reported at the argument); <paramref name="absent"/> when not written, null when invalid.
    /// </summary>
    public static int? EnumArgument(BuildContext ctx, DeclaredAttribute a, string name, string enumName, int absent)
    {
        if (a.Get(name) is not { } arg) return absent;
        int value = a.Enum(name, int.MinValue);
        Dictionary<string, int> members = AttributeTable.Enums[enumName];
        if (members.ContainsValue(value)) return value;
        ctx.Report(Descriptors.UnknownEnumValue, arg.Location, "(" + enumName + ")" + arg.Value, enumName,
            string.Join(", ", members.OrderBy(p => p.Value).Select(p => enumName + "." + p.Key)));
        return null;
    }

    /// <summary>A coefficient argument: finite and ≥ 0, else reported at the argument (0 when absent).</summary>
    public static double Coefficient(BuildContext ctx, DeclaredAttribute a, string argument, string what)
    {
        double v = a.Double(argument, 0);
        if (!(v >= 0) || double.IsInfinity(v)) ctx.Report(Descriptors.BadCoefficient, a.At(argument), what, Str(v));
        return v;
    }

    /// <summary>hid1 → Hid1, my_layer → My_layer: the prefix of the layer's generated member names.</summary>
    public static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    /// <summary>hid1 → hid1, Code → code: the prefix of the layer's generated fields and locals.</summary>
    public static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    public static bool IsIdentifier(string s)
        => s.Length > 0 && char.IsLetter(s[0]) && s.All(c => char.IsLetterOrDigit(c) || c == '_') && s.All(c => c < 128);
}
