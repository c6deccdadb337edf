using Compiled.Generator.Building;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;
using Compiled.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator;

/// <summary>
/// Turns a partial class annotated with <c>[Input]</c>, <c>[Dense]</c> and regularizer attributes into straight-line
/// forward, backward and training code. Pipeline: Read (syntax → <see cref="DeclaredPart"/> per declaration, merged into
/// a <see cref="DeclaredModel"/> per class; binding only for what syntax cannot decide) → Build (validation, every
/// decision → <see cref="ModelSpec"/> + diagnostics) → Emit (spec → source).
/// </summary>
/// <remarks>
/// Why syntax first: Roslyn re-runs every step that reads the compilation (a semantic model, a symbol, attribute data)
/// for every matched node each time anything in the project changes, and binding the attributes of one model costs about
/// a quarter of a millisecond. Steps that read syntax alone re-run only for the file that changed. So models are read
/// from their syntax, and only a class the syntax cannot read exactly — a constant or expression as an argument, an
/// alias, a user type named like one of ours — is bound, through the compilation, on every run.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps (asserted by the incremental-caching tests).</summary>
    internal static class Steps
    {
        public const string Declarations = nameof(Declarations);
        public const string Parts = nameof(Parts);
        public const string Scope = nameof(Scope);
        public const string Merge = nameof(Merge);
        public const string Parse = nameof(Parse);
        public const string Bind = nameof(Bind);
        public const string Build = nameof(Build);
        public const string Spec = nameof(Spec);
        public const string Diagnostics = nameof(Diagnostics);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The node itself is this step's value: for a file that did not change it is the very same object, so the step
        // reports Unchanged and the reading below does not run again. Nothing after this step holds syntax.
        IncrementalValuesProvider<ClassDeclarationSyntax> declarations = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => SyntaxReader.IsCandidate(node), static (ctx, _) => (ClassDeclarationSyntax)ctx.Node)
            .WithTrackingName(Steps.Declarations);
        IncrementalValuesProvider<DeclaredPart> parts = declarations
            .Select(static (node, ct) => SyntaxReader.Read(node, ct))
            .WithTrackingName(Steps.Parts);

        IncrementalValueProvider<ScopeFacts> scope = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => Parsing.Declarations.IsScopeCandidate(node), static (ctx, _) => Parsing.Declarations.ReadScope(ctx.Node))
            .Collect()
            .Select(static (facts, ct) => Parsing.Declarations.Facts(facts, ct))
            .WithTrackingName(Steps.Scope);

        IncrementalValuesProvider<ModelSource> sources = parts.Collect()
            .Combine(scope)
            .SelectMany(static (input, ct) => Parsing.Declarations.Merge(input, ct))
            .WithTrackingName(Steps.Merge);

        IncrementalValuesProvider<DeclaredModel> read = sources
            .Where(static s => s.Model is not null)
            .Select(static (s, _) => s.Model!)
            .WithTrackingName(Steps.Parse);
        Generate(context, read);

        // The rare class the syntax could not read: bound against the current compilation (re-runs on every change).
        IncrementalValuesProvider<DeclaredModel> bound = sources
            .Where(static s => s.BindMetadataName is not null)
            .Select(static (s, _) => s.BindMetadataName!)
            .Combine(context.CompilationProvider)
            .Select(static (input, ct) => SemanticReader.Read(input, ct))
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(Steps.Bind);
        Generate(context, bound);
    }

    private static void Generate(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<DeclaredModel> declared)
    {
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
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo d in diagnostics)
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.Get(d.Id), d.Location?.ToLocation(), [.. d.Arguments]));
    }
}
