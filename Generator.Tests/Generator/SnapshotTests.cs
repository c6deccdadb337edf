using System.Globalization;
using System.Linq;
using System.Threading;
using Compiled.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Compiled.Tests;

/// <summary>The generated source is code we ship: approved snapshots, warning-free, deterministic.</summary>
public class SnapshotTests
{
    public const string Seed = GeneratorHarness.Usings + """
        namespace Demo;

        [Input(784)]
        [Dense(400, Activation.Tanh)]
        [ActivityL1(0.1)]                 // sparse hidden code, as in Ng's sparse autoencoder
        [Dense(784, Activation.Sigmoid)]
        public partial class SparseAutoencoder;
        """;

    public const string Deep = GeneratorHarness.Usings + """
        namespace Demo;

        [Model(Loss = Loss.HalfSquaredError, LearningRate = 0.1)]
        [Input(32)]
        [Dense(24, Activation.Relu)]
        [ActivityL1(0.01, On = ActivityOn.PreActivation, Scaling = Scaling.ElementMean)]
        [KernelL1(0.001, Proximal = true)]
        [Dense(16, Activation.Sigmoid)]
        [KlSparsity(0.1, 2.0)]
        [BiasL2(0.01)]
        [Dense(8, Activation.Tanh, Name = "code")]
        [ActivityL2(0.005, Scaling = Scaling.Sum)]
        [Dense(32, Activation.Linear)]
        [WeightDecay(0.0001)]
        [HiddenL1(0.02, Pattern = "hid*:out")]
        [WeightL2(0.001, Pattern = "code.w")]
        public partial class DeepModel;
        """;

    public const string Classifier = GeneratorHarness.Usings + """
        namespace Demo;

        [Model(Loss = Loss.SoftmaxCrossEntropy, Optimizer = Optimizer.AdamW, LearningRate = 0.001, WeightDecay = 0.05)]
        [Input(64)]
        [Dense(32, Activation.Gelu)]
        [ActivityL1(0.001)]
        [Dense(16, Activation.LeakyRelu, Alpha = 0.1)]
        [Dense(10, Activation.Softmax)]
        public partial class Classifier;
        """;

    public const string LayerKinds = GeneratorHarness.Usings + """
        namespace Demo;

        [Input(784)]
        [GaussianNoise(0.3)]
        [Dense(256, Activation.Selu)]
        [AlphaDropout(0.1)]
        [Dense(64, Activation.Tanh)]
        [Contractive(0.01)]
        [KernelOrthogonal(0.001, Mode = OrthogonalMode.PerUnit)]
        [Dropout(0.2)]
        [Tied(Activation.Selu)]
        [Tied(Activation.Sigmoid)]
        public partial class DenoisingStack;
        """;

    /// <summary>A sparse autoencoder as OpenAI trains one: pre-encoder bias, TopK with AuxK, unit-norm decoder columns with projected gradients, Adam, clipping.</summary>
    public const string SparseCoding = GeneratorHarness.Usings + """
        namespace Demo;

        [Model(Optimizer = Optimizer.Adam, LearningRate = 0.0004, PreEncoderBias = true, ClipGradientNorm = 1.0)]
        [Input(784)]
        [Dense(1024, Activation.Relu)]
        [TopK(32)]
        [AuxK(256, DeadAfterSamples = 100000)]
        [Dense(784)]
        [UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
        public partial class SparseCoder;
        """;

    [Fact]
    public void Sparse_coder_with_TopK_AuxK_and_a_unit_norm_decoder()
    {
        var r = GeneratorHarness.Run(SparseCoding);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Match("SparseCoder", r.Sources["Demo.SparseCoder.g.cs"]);
    }

    [Fact]
    public void Noise_tied_decoders_contractive_and_orthogonal_penalties()
    {
        var r = GeneratorHarness.Run(LayerKinds);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Match("DenoisingStack", r.Sources["Demo.DenoisingStack.g.cs"]);
    }

    [Fact]
    public void Classifier_with_labels_softmax_cross_entropy_and_AdamW()
    {
        var r = GeneratorHarness.Run(Classifier);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Match("Classifier", r.Sources["Demo.Classifier.g.cs"]);
    }

    [Fact]
    public void Seed_autoencoder()
    {
        var r = GeneratorHarness.Run(Seed);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Match("SparseAutoencoder", r.Sources["Demo.SparseAutoencoder.g.cs"]);
    }

    [Fact]
    public void Deep_model_with_every_kind_of_regularizer()
    {
        var r = GeneratorHarness.Run(Deep);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Match("DeepModel", r.Sources["Demo.DeepModel.g.cs"]);
    }

    [Fact]
    public void Generated_code_has_the_auto_generated_header_nullable_and_generated_code_attributes()
    {
        string s = GeneratorHarness.Run(Seed).Sources["Demo.SparseAutoencoder.g.cs"];
        Assert.StartsWith("// <auto-generated/>\n", s);
        Assert.Contains("\n#nullable enable\n", s);
        Assert.Contains("[global::System.CodeDom.Compiler.GeneratedCode(\"Compiled.Generator\"", s);
        // Plumbing (the private passes, internal constructors) is hidden from IntelliSense.
        // The passes every step runs are compiled fully optimized from their first call (no tier-0 start).
        Assert.Contains("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]\n"
                        + "        [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]\n"
                        + "        private void Forward(", s);
        Assert.DoesNotContain("\r", s);
    }

    /// <summary>
    /// A user's project that builds its documentation file (warnings as errors) compiles the generated comments too: every
    /// cref resolves to one member (overloads spelled out), every paramref names a parameter, the XML is well formed.
    /// </summary>
    [Theory]
    [InlineData(Seed)]
    [InlineData(Deep)]
    [InlineData(Classifier)]
    [InlineData(LayerKinds)]
    [InlineData(SparseCoding)]
    [InlineData(GeneratorHarness.Usings + "namespace Demo; [Model(Precision = Precision.Float64)][Input(5)][Dense(8, Activation.JumpRelu)][L0Penalty(0.1, WarmupSteps = 3)][Dense(5)] public partial class J64;")]
    [InlineData(GeneratorHarness.Usings + "namespace Demo; [Model(Precision = Precision.Float64, Loss = Loss.SoftmaxCrossEntropy)][Input(5)][Dense(4, Activation.Relu)][Dense(3, Activation.Softmax)] public partial class C64;")]
    [InlineData(GeneratorHarness.Usings + "namespace Demo; [Model(Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dropout(0.1)][Dense(5, Activation.Sigmoid)] public partial class A64;")]
    public void Generated_documentation_comments_resolve(string source)
    {
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var compilation = GeneratorHarness.Compilation(source).WithOptions(GeneratorHarness.Compilation(source).Options)
            .RemoveAllSyntaxTrees().AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, options, path: "Model0.cs"));
        Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create([new Compiled.Generator.ModelGenerator().AsSourceGenerator()], parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        var problems = output.GetDiagnostics()
            .Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal) == true)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(output.SyntaxTrees, t => t.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal));

        // The check can fail: an ambiguous cref (two overloads) in a file named as a generated one is reported.
        var bad = compilation.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace Demo; /// <summary><see cref=\"M\"/></summary>\npublic static class Probe { /// <summary>a</summary>\npublic static void M() { } /// <summary>b</summary>\npublic static void M(int x) { } }",
            options, path: "Probe.g.cs"));
        Assert.Contains(bad.GetDiagnostics(), d => d.Id == "CS0419");
    }

    [Fact]
    public void Output_is_byte_identical_across_runs_and_cultures()
    {
        string first = GeneratorHarness.Run(Deep).Sources["Demo.DeepModel.g.cs"];
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            // A culture with a decimal comma and a different minus sign: no number may be printed with it.
            CultureInfo.CurrentCulture = new CultureInfo("sv-SE");
            CultureInfo.CurrentUICulture = new CultureInfo("sv-SE");
            string second = GeneratorHarness.Run(Deep).Sources["Demo.DeepModel.g.cs"];
            Assert.Equal(first, second);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = saved;
        }
    }

    [Fact]
    public void One_file_per_model_named_after_the_fully_qualified_name()
    {
        var r = GeneratorHarness.Run(Seed, GeneratorHarness.Usings + """
            namespace Other.Place
            {
                public static partial class Holder
                {
                    [Input(2)][Dense(1)] internal partial class Tiny;
                }
            }
            [Input(3)][Dense(2)] public partial class GlobalModel;
            """);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Equal(["Demo.SparseAutoencoder.g.cs", "GlobalModel.g.cs", "Other.Place.Holder.Tiny.g.cs"], r.Sources.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
    }
}
