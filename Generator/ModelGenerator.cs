using System.Collections.Immutable;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator;

/// <summary>
/// Turns a partial class annotated with <c>[Input]</c>, <c>[Dense]</c> and regularizer attributes into straight-line
/// forward, backward and training code. Pipeline: Parse (symbols → <see cref="DeclaredModel"/>) → Build
/// (validation, every decision → <see cref="ModelSpec"/> + diagnostics) → Emit (spec → source).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (asserted by the incremental-caching tests).</summary>
    internal static class Steps
    {
        public const string Parse = nameof(Parse);
        public const string Build = nameof(Build);
        public const string Spec = nameof(Spec);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Orphans = nameof(Orphans);
    }

    internal const string InputAttribute = "Compiled.InputAttribute";
    internal const string DenseAttribute = "Compiled.DenseAttribute";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<DeclaredModel> declared = context.SyntaxProvider
            .ForAttributeWithMetadataName(InputAttribute, static (node, _) => node is ClassDeclarationSyntax, static (ctx, ct) => Parse(ctx, ct))
            .WithTrackingName(Steps.Parse);

        IncrementalValuesProvider<BuildResult> built = declared
            .Select(static (model, _) => ModelBuilder.Build(model))
            .WithTrackingName(Steps.Build);

        // Diagnostics and source are separate outputs: moving a line changes a diagnostic's location but not the spec,
        // so the source is not re-emitted.
        context.RegisterSourceOutput(built.Select(static (r, _) => r.Diagnostics).WithTrackingName(Steps.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));

        IncrementalValuesProvider<ModelSpec> specs = built
            .Select(static (r, _) => r.Spec)
            .Where(static s => s is not null)
            .Select(static (s, _) => s!)
            .WithTrackingName(Steps.Spec);
        context.RegisterSourceOutput(specs, static (spc, spec) => spc.AddSource(spec.HintName + ".g.cs", Emit.ModelEmitter.Emit(spec)));

        // [Dense] on a class without [Input]: not a model yet, but surely meant to be one.
        IncrementalValuesProvider<DiagnosticInfo?> orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(DenseAttribute, static (node, _) => node is ClassDeclarationSyntax, static (ctx, _) => FindOrphan(ctx))
            .WithTrackingName(Steps.Orphans);
        context.RegisterSourceOutput(orphans, static (spc, d) =>
        {
            if (d is not null) spc.ReportDiagnostic(Diagnostic.Create(Descriptors.Get(d.Id), d.Location?.ToLocation(), [.. d.Arguments]));
        });
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo d in diagnostics)
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.Get(d.Id), d.Location?.ToLocation(), [.. d.Arguments]));
    }

    private static DiagnosticInfo? FindOrphan(GeneratorAttributeSyntaxContext ctx)
    {
        var type = (INamedTypeSymbol)ctx.TargetSymbol;
        // Syntax only (binding every attribute again would dominate a cached run): an [Input] on any declaration means the
        // model pipeline handles this class.
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is TypeDeclarationSyntax declaration)
                foreach (AttributeListSyntax list in declaration.AttributeLists)
                    foreach (AttributeSyntax attribute in list.Attributes)
                        if (IsInputSyntax(attribute)) return null;
        // Report once, on the declaration whose first Dense attribute comes first.
        AttributeData first = ctx.Attributes[0];
        return new DiagnosticInfo(Descriptors.NoInput.Id, LocationInfo.From(first.ApplicationSyntaxReference?.GetSyntax().GetLocation()),
            ImmutableArray.Create(type.Name).ToEquatableArray());
    }
}
