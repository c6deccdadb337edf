using System.Linq;
using Compiled.Generator;
using Compiled.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Compiled.Tests;

/// <summary>The pipeline caches: unrelated edits re-emit nothing; changing one model re-emits only it.</summary>
public class IncrementalTests
{
    private const string ModelA = GeneratorHarness.Usings + "namespace N; [Input(4)][Dense(3, Activation.Tanh)][ActivityL1(0.1)][Dense(2)] public partial class A { public int F() { return 1; } }";
    private const string ModelB = GeneratorHarness.Usings + "namespace N; [Input(5)][Dense(2)] public partial class B;";
    private const string Other = "namespace N; public class Unrelated { public int G() => 1; }";

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) First()
    {
        CSharpCompilation c = GeneratorHarness.Compilation(ModelA, ModelB, Other);
        return (GeneratorHarness.Driver().RunGenerators(c), c);
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver, string step)
        => driver.GetRunResult().Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static CSharpCompilation Replace(CSharpCompilation c, int index, string text)
    {
        SyntaxTree old = c.SyntaxTrees.ElementAt(index);
        return c.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path: old.FilePath));
    }

    [Fact]
    public void An_edit_to_an_unrelated_file_leaves_every_step_cached()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(Replace(c, 2, Other.Replace("=> 1", "=> 2")));
        Assert.All(Reasons(driver, ModelGenerator.Steps.Build), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(driver, ModelGenerator.Steps.Spec), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void An_edit_to_a_method_body_of_a_model_does_not_re_emit_it()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(Replace(c, 0, ModelA.Replace("return 1;", "return 2;")));
        Assert.All(Reasons(driver, ModelGenerator.Steps.Spec), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Moving_a_model_down_a_line_changes_no_spec()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(Replace(c, 0, ModelA.Replace("namespace N;", "namespace N;\n\n")));
        Assert.All(Reasons(driver, ModelGenerator.Steps.Spec), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Changing_one_model_re_emits_only_that_model()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(Replace(c, 0, ModelA.Replace("ActivityL1(0.1)", "ActivityL1(0.2)")));
        var reasons = Reasons(driver, ModelGenerator.Steps.Spec);
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void A_new_model_is_New_and_the_others_stay_cached()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(c.AddSyntaxTrees(CSharpSyntaxTree.ParseText(GeneratorHarness.Usings + "namespace N; [Input(2)][Dense(2)] public partial class C;", GeneratorHarness.ParseOptions, path: "C.cs")));
        var reasons = Reasons(driver, ModelGenerator.Steps.Spec);
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.New));
        Assert.Equal(2, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }
}
