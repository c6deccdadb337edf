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
    public void After_an_unrelated_edit_no_step_of_ours_runs_again()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(Replace(c, 2, Other.Replace("=> 1", "=> 2")));
        var steps = driver.GetRunResult().Results[0].TrackedSteps;
        string[] ours = [ModelGenerator.Steps.Declarations, ModelGenerator.Steps.Parts, ModelGenerator.Steps.Scope, ModelGenerator.Steps.Merge,
            ModelGenerator.Steps.Parse, ModelGenerator.Steps.Build, ModelGenerator.Steps.Diagnostics, ModelGenerator.Steps.Spec];
        foreach (string step in ours)
        {
            var reasons = steps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
            Assert.True(reasons.Length > 0, step);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + ": " + r));
        }
        // No model needed binding, so nothing read the new compilation.
        Assert.False(steps.TryGetValue(ModelGenerator.Steps.Bind, out var bind) && bind.SelectMany(s => s.Outputs).Any());
    }

    [Fact]
    public void An_edit_to_a_method_body_re_reads_only_that_declaration_and_changes_no_model()
    {
        var (driver, c) = First();
        driver = driver.RunGenerators(Replace(c, 0, ModelA.Replace("return 1;", "return 2;")));
        var parts = Reasons(driver, ModelGenerator.Steps.Parts);
        Assert.Equal(1, parts.Count(r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.New));
        Assert.All(Reasons(driver, ModelGenerator.Steps.Parse), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
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

/// <summary>The pipeline's values compare by content, which is what makes caching work.</summary>
public class SpecEqualityTests
{
    private static object Value(string source, string step)
        => GeneratorHarness.Run(source).Run.Results[0].TrackedSteps[step].Single().Outputs.Single().Value;

    [Fact]
    public void Specs_from_two_separate_compilations_of_the_same_source_are_equal()
    {
        object a = Value(SnapshotTests.Deep, ModelGenerator.Steps.Spec), b = Value(SnapshotTests.Deep, ModelGenerator.Steps.Spec);
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        object pa = Value(SnapshotTests.Deep, ModelGenerator.Steps.Parse), pb = Value(SnapshotTests.Deep, ModelGenerator.Steps.Parse);
        Assert.Equal(pa, pb);
    }

    [Fact]
    public void A_different_coefficient_gives_a_different_spec()
    {
        object a = Value(SnapshotTests.Seed, ModelGenerator.Steps.Spec);
        object b = Value(SnapshotTests.Seed.Replace("ActivityL1(0.1)", "ActivityL1(0.2)"), ModelGenerator.Steps.Spec);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void EquatableArray_compares_by_content()
    {
        var a = new Compiled.Generator.Helpers.EquatableArray<string>(["x", "y"]);
        var b = new Compiled.Generator.Helpers.EquatableArray<string>(["x", "y"]);
        var c = new Compiled.Generator.Helpers.EquatableArray<string>(["y", "x"]);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.Equal(default(Compiled.Generator.Helpers.EquatableArray<string>), Compiled.Generator.Helpers.EquatableArray<string>.Empty);
    }

    [Theory]
    [InlineData("hid1:out", "hid[13]:out", true)]
    [InlineData("hid2:out", "hid[13]:out", false)]
    [InlineData("hid2:out", "hid[!13]:out", true)]
    [InlineData("hid1.w", "*.w", true)]
    [InlineData("hid1.b", "*.w", false)]
    [InlineData("out:pre", "*:pre", true)]
    [InlineData("hid12:out", "hid?:out", false)]
    [InlineData("hid3:out", "hid[1-4]:out", true)]
    [InlineData("[x", "[x", true)]
    public void Glob_matches_like_python_fnmatchcase(string name, string pattern, bool expected)
        => Assert.Equal(expected, Compiled.Generator.Helpers.Glob.IsMatch(name, pattern));

    [Fact]
    public void Several_patterns_split_at_commas_and_semicolons_outside_brackets()
        => Assert.Equal(["hid1:out", "hid[2,3]:pre", "out.w"], Compiled.Generator.Helpers.Glob.Split(" hid1:out, hid[2,3]:pre;out.w "));
}

/// <summary>Attributes are read as the compiler binds them: constants, expressions, qualified and suffixed names.</summary>
public class ParseTests
{
    [Fact]
    public void Constants_expressions_qualified_and_suffixed_names_give_the_same_model_as_literals()
    {
        string literal = GeneratorHarness.Usings + """
            namespace N;
            [Input(8)]
            [Dense(400, Activation.Tanh, Name = "code")]
            [ActivityL1(0.01, Scaling = Scaling.Sum)]
            [KlSparsity(0.05, 3)]
            [Dense(8)]
            public partial class M;
            """;
        string written = GeneratorHarness.Usings + """
            namespace N;
            static class C { public const double L1 = 0.01; public const int Units = 200; public const string Name = "co" + "de"; }
            [global::Compiled.Input(2 * 4)]
            [Compiled.DenseAttribute(C.Units * 2, activation: (Activation)1, Name = C.Name)]
            [ActivityL1Attribute(C.L1, Scaling = (Scaling)1)]
            [KlSparsity(beta: 3, rho: 0.05)]
            [Dense(8)]
            public partial class M;
            """;
        var a = GeneratorHarness.Run(literal);
        var b = GeneratorHarness.Run(written);
        Assert.Empty(b.GeneratorDiagnostics);
        Assert.Empty(b.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        Assert.Equal(a.Sources["N.M.g.cs"], b.Sources["N.M.g.cs"]);
    }

    [Fact]
    public void A_same_named_attribute_from_another_namespace_is_not_ours()
    {
        var r = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace Other { [System.AttributeUsage(System.AttributeTargets.Class, AllowMultiple = true)] public sealed class DenseAttribute(int n) : System.Attribute { public int N => n; } }
            namespace N
            {
                [Input(4)]
                [Dense(3)]
                [Other.Dense(99)]
                public partial class M;
            }
            """);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Contains("public const int OutputSize = 3;", r.Sources["N.M.g.cs"]);
    }
}
