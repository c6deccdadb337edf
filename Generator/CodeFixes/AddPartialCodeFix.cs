using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.CodeFixes;

/// <summary>
/// CMP001 / CMP002: adds the missing <c>partial</c> to the model class and to every type containing it.
/// The fix is mechanical, so it is offered in the IDE (and applies to all occurrences with Fix All).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
public sealed class AddPartialCodeFix : CodeFixProvider
{
    /// <summary>Title of the code action.</summary>
    public const string Title = "Make the model class (and the types containing it) partial";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ["CMP001", "CMP002"];

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } type) continue;
            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => AddPartialAsync(context.Document, root, type, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static Task<Document> AddPartialAsync(Document document, SyntaxNode root, TypeDeclarationSyntax model, CancellationToken ct)
    {
        var types = model.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
        SyntaxNode updated = root.ReplaceNodes(types, (original, rewritten) =>
        {
            // 'partial' goes last among the modifiers, before the keyword: public static partial class.
            SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            if (rewritten.Modifiers.Count == 0)
            {
                partial = partial.WithLeadingTrivia(rewritten.Keyword.LeadingTrivia);
                return rewritten.WithKeyword(rewritten.Keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial));
            }
            return rewritten.WithModifiers(rewritten.Modifiers.Add(partial));
        });
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(document.WithSyntaxRoot(updated));
    }
}
