using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Compiled.Generator;
using Compiled.Generator.Model;
using Compiled.Generator.Parsing;
using Compiled.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The generator reads models from syntax and binds only what syntax cannot decide. The compiler's binding is the
/// reference: for every source here, each class read from syntax must equal the same class read by binding (names,
/// argument values as invariant text, every location), and the classes the syntax cannot read must go to binding.
/// </summary>
public class ReadingTests
{
    private sealed record Reading(List<DeclaredModel> BySyntax, List<string> ToBind, List<DeclaredModel> ByBinding);

    private static Reading Read(params string[] sources)
    {
        CSharpCompilation c = GeneratorHarness.Compilation(sources);
        var nodes = c.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodesAndSelf()).ToList();
        var parts = nodes.Where(SyntaxReader.IsCandidate).Select(n => SyntaxReader.Read((ClassDeclarationSyntax)n, default)).ToImmutableArray();
        ScopeFacts facts = Declarations.Facts(nodes.Where(Declarations.IsScopeCandidate).Select(Declarations.ReadScope).ToImmutableArray(), default);
        ImmutableArray<ModelSource> merged = Declarations.Merge((parts, facts), default);

        var bound = new List<DeclaredModel>();
        void Walk(INamespaceOrTypeSymbol container)
        {
            foreach (INamespaceOrTypeSymbol member in container.GetMembers().OfType<INamespaceOrTypeSymbol>())
            {
                if (member is INamedTypeSymbol { TypeKind: TypeKind.Class } type && type.Locations.Any(l => l.IsInSource)
                    && SemanticReader.Read(type, default) is { } model) bound.Add(model);
                Walk(member);
            }
        }
        Walk(c.Assembly.GlobalNamespace);
        return new Reading(
            merged.Where(m => m.Model is not null).Select(m => m.Model!).OrderBy(m => m.HintName, StringComparer.Ordinal).ToList(),
            merged.Where(m => m.BindMetadataName is not null).Select(m => m.BindMetadataName!).ToList(),
            bound.OrderBy(m => m.HintName, StringComparer.Ordinal).ToList());
    }

    private static void AssertSyntaxReadsAsBindingDoes(params string[] sources)
    {
        Reading r = Read(sources);
        Assert.Empty(r.ToBind);
        Assert.NotEmpty(r.BySyntax);
        Assert.Equal(r.ByBinding.Count, r.BySyntax.Count);
        for (int i = 0; i < r.BySyntax.Count; i++)
        {
            // Field by field first, for a readable failure; then the whole record.
            DeclaredModel s = r.BySyntax[i], b = r.ByBinding[i];
            Assert.Equal(b.HintName, s.HintName);
            Assert.Equal(b.Attributes.Select(a => a.ToString()), s.Attributes.Select(a => a.ToString()));
            Assert.Equal(b.Members.Select(m => m.ToString()), s.Members.Select(m => m.ToString()));
            Assert.Equal(b, s);
        }
    }

    public static TheoryData<string> DiagnosticSources()
    {
        var data = new TheoryData<string>();
        foreach (object[] c in DiagnosticTests.Cases)
        {
            string marked = (string)c[2];
            if (System.Text.RegularExpressions.Regex.IsMatch(marked, @"\((Precision|Activation|Loss|Optimizer|Scaling|ActivityOn)\)")) continue; // a cast: bound, see below
            data.Add(marked.Replace("[|", "").Replace("|]", ""));
        }
        return data;
    }

    [Theory, MemberData(nameof(DiagnosticSources))]
    public void Every_diagnostic_case_reads_from_syntax_exactly_as_binding_reads_it(string source)
        => AssertSyntaxReadsAsBindingDoes(GeneratorHarness.Usings + source + "\n[Input(2)][Dense(1)] public partial class Healthy;");

    [Fact]
    public void The_snapshot_models_read_from_syntax_exactly_as_binding_reads_them()
        => AssertSyntaxReadsAsBindingDoes(SnapshotTests.Seed, SnapshotTests.Deep, SnapshotTests.Classifier);

    [Theory]
    // Every spelling of names and literals the syntax reader evaluates itself.
    [InlineData("namespace N; [global::Compiled.Input(4)][Compiled.DenseAttribute(3, Activation.Tanh)][DenseAttribute(2, global::Compiled.Activation.Sigmoid)] public partial class M;")]
    [InlineData("namespace N; [Input(+4)][Dense(activation: Activation.Relu, units: 3)][ActivityL1(lambda: 1e-3, Scaling = Scaling.ElementMean, On = ActivityOn.PreActivation)][Dense(2)] public partial class M;")]
    [InlineData("namespace N; [Input(4)][Dense(3, Activation.LeakyRelu, Alpha = 0.1f, Name = @\"enc\")][KernelL1(-0.0, Proximal = true)][Dense(2, Name = null)][KlSparsity((0.05), 3)] public partial class M;")]
    [InlineData("namespace N; [Input(4)][Dense(2)][KernelL2(-double.NaN)][BiasL2(float.PositiveInfinity)][WeightL1(0x10, Pattern = \"*.w\", Proximal = false)][HiddenL1(2, Pattern = \"hid[1-3]:out\")] public partial class M;")]
    [InlineData("namespace N; [Model(Loss = Loss.HalfSquaredError, LearningRate = .5, Optimizer = Optimizer.AdamW, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-7, WeightDecay = 1_000e-5, Momentum = 0, Precision = Precision.Float64)][Input(4)][Dense(2)] public partial class M;")]
    [InlineData("namespace N { [type: Input(4)] [Dense(2), WeightDecay(0.5)] public partial class M; }")]
    // Nesting, generics, split declarations, members in a declaration without attributes, a primary constructor.
    [InlineData("namespace N.Deeper; public partial class Outer<T> { public partial record struct R { } [Input(4)][Dense(2)] public partial class M { public int Predict; public M(int a, Int32 b) { } } }")]
    [InlineData("public class Outer { internal partial class Inner { [Input(4)][Dense(2)] public partial class M(int a, int b) { public void Fit() { } } } }")]
    [InlineData("namespace N; [Input(4)] public partial class M<T>; [Dense(2)] public partial class M<T> { event System.Action? Step; int x, Threads; }")]
    [InlineData("namespace N; [Input(4)][Dense(2)] public partial class M { partial void TrainStep(); partial void TrainStep() { } static M() { } ~M() { } public class Summary { } public delegate void Save(); }")]
    [InlineData("namespace N; [Dense(3)][Dense(2)] public partial class Orphan; [ActivityL1(0.1)] public partial class Nothing;")]
    [InlineData("namespace N; [Input(4)][Dense(2)] public class NotPartial { public void Predict() { } }")]
    public void Literal_spellings_read_from_syntax_exactly_as_binding_reads_them(string source)
        => AssertSyntaxReadsAsBindingDoes("using System;\n" + GeneratorHarness.Usings + source,
            "namespace N { public partial class M { public int Other() => 1; } }");

    [Fact]
    public void A_split_model_with_members_in_another_file_reads_the_same_both_ways()
        => AssertSyntaxReadsAsBindingDoes(
            GeneratorHarness.Usings + "namespace N; [Input(4)][Dense(3)] public partial class M;",
            GeneratorHarness.Usings + "namespace N; [ActivityL1(0.1)][Dense(2)] public partial class M { public void Predict() { } }",
            "namespace N; public partial class M { public float LearningRate; }");

    [Theory]
    [InlineData("using C = Compiled; namespace N; [C.Input(4)][C::Dense(2, C.Activation.Tanh)] public partial class M;")]
    [InlineData("using In = Compiled.InputAttribute; using Compiled; namespace N; [In(4)][Dense(2)] public partial class M;")]
    [InlineData("namespace Compiled.Mine; [Input(4)][Dense(2, Activation.Sigmoid)] public partial class M;")]
    [InlineData("namespace N { using Compiled; [Input(4)][Dense(2)] public partial class M; }")]
    [InlineData("using Act = Compiled.Activation; using Compiled; namespace N; [Input(4)][Dense(2, Act.Sigmoid)] public partial class M;")]
    public void Aliases_and_enclosing_namespaces_are_resolved_from_syntax(string source)
        => AssertSyntaxReadsAsBindingDoes(source);

    [Fact]
    public void A_global_using_in_another_file_imports_our_names()
        => AssertSyntaxReadsAsBindingDoes("namespace N; [Input(4)][Dense(2)] public partial class M;", "global using Compiled;");

    [Theory]
    [InlineData("namespace N; static class K { public const int U = 3; } [Input(4)][Dense(K.U)] public partial class M;")]
    [InlineData("namespace N; [Input(2 * 2)][Dense(2)] public partial class M;")]
    [InlineData("namespace N; [Input(4)][Dense(2, (Activation)1)] public partial class M;")]
    [InlineData("namespace N; [Input(4)][Dense(2)][Other.Dense(9)] public partial class M;")]
    [InlineData("namespace N; public enum Activation { Tanh } [Input(4)][Dense(2, Activation.Tanh)] public partial class M;")]
    [InlineData("namespace N; public sealed class DenseAttribute(int n) : System.Attribute { public int N => n; } [Input(4)][Dense(2)] public partial class M;")]
    [InlineData("namespace N.Compiled { } namespace N { [Input(4)][Compiled.Dense(2)] public partial class M; }")]
    [InlineData("namespace N; [Input(4)][Dense(2, Name = \"a\" + \"b\")] public partial class M;")]
    [InlineData("namespace N; [Input(4)][Dense(2.5)] public partial class M;")]
    public void What_syntax_cannot_decide_is_bound(string source)
    {
        Reading r = Read(GeneratorHarness.Usings + source);
        Assert.Equal(["N.M"], r.ToBind);
        Assert.Empty(r.BySyntax);
    }

    [Fact]
    public void A_user_DenseAttribute_in_the_models_namespace_wins_as_the_compiler_decides()
    {
        // N.DenseAttribute hides Compiled.DenseAttribute inside namespace N: the class has no [Dense] of ours (CMP007).
        var r = GeneratorHarness.Run(GeneratorHarness.Usings + """
            namespace N;
            [System.AttributeUsage(System.AttributeTargets.Class, AllowMultiple = true)]
            public sealed class DenseAttribute(int n) : System.Attribute { public int N => n; }
            [Input(4)]
            [Dense(2)]
            public partial class M;
            """);
        Assert.Equal("CMP007", Assert.Single(r.GeneratorDiagnostics).Id);
        Assert.Single(r.Run.Results[0].TrackedSteps[ModelGenerator.Steps.Bind].SelectMany(s => s.Outputs));
    }

    [Fact]
    public void Models_written_with_literals_are_never_bound()
    {
        var r = GeneratorHarness.Run(SnapshotTests.Seed, SnapshotTests.Deep, SnapshotTests.Classifier);
        Assert.Equal(3, r.Sources.Count);
        var steps = r.Run.Results[0].TrackedSteps;
        Assert.Equal(3, steps[ModelGenerator.Steps.Parse].SelectMany(s => s.Outputs).Count());
        Assert.False(steps.TryGetValue(ModelGenerator.Steps.Bind, out var bind) && bind.SelectMany(s => s.Outputs).Any());
    }

    [Fact]
    public void A_bound_model_generates_the_same_source_as_its_literal_spelling()
    {
        var literal = GeneratorHarness.Run(GeneratorHarness.Usings + "namespace N; [Input(4)][Dense(3, Activation.Tanh)][ActivityL1(0.25)][Dense(2)] public partial class M;");
        var bound = GeneratorHarness.Run(GeneratorHarness.Usings + "namespace N; static class K { public const double L = 0.5; } [Input(2 + 2)][Dense(3, (Activation)1)][ActivityL1(K.L / 2)][Dense(2)] public partial class M;");
        Assert.Single(bound.Run.Results[0].TrackedSteps[ModelGenerator.Steps.Bind].SelectMany(s => s.Outputs));
        Assert.Equal(literal.Sources["N.M.g.cs"], bound.Sources["N.M.g.cs"]);
    }
}

/// <summary>The syntax reader's table of our attributes and enums is the runtime's, member for member.</summary>
public class AttributeTableTests
{
    [Fact]
    public void Every_runtime_attribute_is_in_the_table_with_the_same_constructor_and_properties()
    {
        Type[] attributes = typeof(InputAttribute).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == "Compiled" && typeof(Attribute).IsAssignableFrom(t)).ToArray();
        Assert.Equal(AttributeTable.Attributes.Count, attributes.Length);
        foreach (Type t in attributes)
        {
            AttributeShape shape = Assert.IsType<AttributeShape>(AttributeTable.Find(t.Name));
            ParameterInfo[] ctor = Assert.Single(t.GetConstructors()).GetParameters();
            Assert.Equal(ctor.Select(p => p.Name), shape.Constructor.Select(p => p.Name));
            for (int i = 0; i < ctor.Length; i++)
            {
                Assert.Equal(Kind(ctor[i].ParameterType), shape.Constructor[i].Type);
                Assert.Equal(ctor[i].HasDefaultValue ? Convert.ToInt32(ctor[i].DefaultValue, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                    shape.Constructor[i].Default);
            }
            PropertyInfo[] settable = t.GetProperties().Where(p => p.SetMethod is { IsPublic: true }).OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
            Assert.Equal(settable.Select(p => p.Name), shape.Properties.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
            foreach (PropertyInfo p in settable)
            {
                Parameter entry = shape.Properties.Single(x => x.Name == p.Name);
                Assert.Equal(Kind(p.PropertyType), entry.Type);
                if (p.PropertyType.IsEnum) Assert.Equal(p.PropertyType.Name, entry.EnumName);
            }
        }
    }

    [Fact]
    public void Every_runtime_enum_member_has_its_value_in_the_table()
    {
        foreach (var (name, members) in AttributeTable.Enums)
        {
            Type e = typeof(InputAttribute).Assembly.GetType("Compiled." + name, throwOnError: true)!;
            Assert.Equal(Enum.GetNames(e).OrderBy(n => n, StringComparer.Ordinal), members.Keys.OrderBy(n => n, StringComparer.Ordinal));
            foreach (string m in Enum.GetNames(e)) Assert.Equal(Convert.ToInt32(Enum.Parse(e, m), System.Globalization.CultureInfo.InvariantCulture), members[m]);
        }
    }

    private static Compiled.Generator.Parsing.ArgumentType Kind(Type t)
        => t == typeof(int) ? Compiled.Generator.Parsing.ArgumentType.Int
        : t == typeof(double) ? Compiled.Generator.Parsing.ArgumentType.Double
        : t == typeof(bool) ? Compiled.Generator.Parsing.ArgumentType.Bool
        : t == typeof(string) ? Compiled.Generator.Parsing.ArgumentType.String
        : t.IsEnum ? Compiled.Generator.Parsing.ArgumentType.Enum
        : throw new InvalidOperationException("unexpected type " + t);
}
