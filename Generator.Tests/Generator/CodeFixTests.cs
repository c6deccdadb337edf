using System.Linq;
using System.Threading.Tasks;
using Compiled.CodeFixes;
using Compiled.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Compiled.Tests;

/// <summary>The add-partial code fix, applied through the Workspaces API as the IDE would.</summary>
public class CodeFixTests
{
    private static async Task<string> Fix(string source)
    {
        var run = GeneratorHarness.Run(source);
        Diagnostic diagnostic = run.GeneratorDiagnostics.Single(d => d.Id is "CMP001" or "CMP002");

        using var workspace = new AdhocWorkspace();
        Document document = workspace.CurrentSolution
            .AddProject("User", "User", LanguageNames.CSharp)
            .AddDocument("Model0.cs", SourceText.From(source));
        // The generator's diagnostic carries a file location; re-anchor it in the document's tree as the IDE does.
        SyntaxTree tree = (await document.GetSyntaxTreeAsync())!;
        diagnostic = Diagnostic.Create(diagnostic.Descriptor, Location.Create(tree, diagnostic.Location.SourceSpan), diagnostic.GetMessage());

        var actions = new System.Collections.Generic.List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), default);
        await new AddPartialCodeFix().RegisterCodeFixesAsync(context);
        CodeAction action = Assert.Single(actions);
        Assert.Equal(AddPartialCodeFix.Title, action.Title);
        var operation = (await action.GetOperationsAsync(default)).OfType<ApplyChangesOperation>().Single();
        Document changed = operation.ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync()).ToString();
    }

    [Fact]
    public async Task CMP001_fix_adds_partial_and_the_model_then_generates()
    {
        string source = GeneratorHarness.Usings + "[Input(4)][Dense(2)]\npublic sealed class M { }";
        string fixedSource = await Fix(source);
        Assert.Contains("public sealed partial class M", fixedSource);
        var after = GeneratorHarness.Run(fixedSource);
        Assert.Empty(after.GeneratorDiagnostics);
        Assert.Contains("M.g.cs", after.Sources.Keys);
        Assert.Empty(after.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public async Task CMP002_fix_makes_every_containing_type_partial()
    {
        string source = GeneratorHarness.Usings + "public static class Outer\n{\n    class Middle\n    {\n        [Input(4)][Dense(2)] public partial class M;\n    }\n}";
        string fixedSource = await Fix(source);
        Assert.Contains("public static partial class Outer", fixedSource);
        Assert.Contains("partial class Middle", fixedSource);
        var after = GeneratorHarness.Run(fixedSource);
        Assert.Empty(after.GeneratorDiagnostics);
        Assert.Contains("Outer.Middle.M.g.cs", after.Sources.Keys);
    }
}
