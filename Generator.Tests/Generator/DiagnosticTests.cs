using System.Linq;
using Compiled.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// One compile-fail test per diagnostic: the ID, the severity and the exact span (marked <c>[|…|]</c> in the source),
/// no source for the broken model, and another model in the same compilation still generated.
/// </summary>
public class DiagnosticTests
{
    private const string Healthy = "[Input(2)][Dense(1)] public partial class Healthy;";

    public static TheoryData<string, DiagnosticSeverity, string> Cases => new()
    {
        { "CMP001", DiagnosticSeverity.Error, "[Input(4)][Dense(2)] public class [|M|] { }" },
        { "CMP002", DiagnosticSeverity.Error, "public class Outer { [Input(4)][Dense(2)] public partial class [|M|]; }" },
        { "CMP003", DiagnosticSeverity.Error, "[Input(4)][Dense(2)] public partial class [|M|]<T>;" },
        { "CMP004", DiagnosticSeverity.Error, "[Input(4)] public partial class [|M|]; [Dense(2)] public partial class M;" },
        { "CMP005", DiagnosticSeverity.Error, "[[|Dense(2)|]][Dense(3)] public partial class M;" },
        { "CMP006", DiagnosticSeverity.Error, "[Dense(2)][[|Input(4)|]] public partial class M;" },
        { "CMP007", DiagnosticSeverity.Error, "[Input(4)] public partial class [|M|];" },
        { "CMP008", DiagnosticSeverity.Error, "[Input([|0|])][Dense(2)] public partial class M;" },
        { "CMP008", DiagnosticSeverity.Error, "[Input(4)][Dense([|-3|], Activation.Tanh)] public partial class M;" },
        { "CMP008", DiagnosticSeverity.Error, "[Input(4)][Dense([|16777217|])] public partial class M;" },
        { "CMP009", DiagnosticSeverity.Error, "[Input(4)][[|ActivityL1(0.1)|]][Dense(2)] public partial class M;" },
        { "CMP010", DiagnosticSeverity.Error, "[Input(4)][Dense(2)][ActivityL1([|-0.1|])] public partial class M;" },
        { "CMP010", DiagnosticSeverity.Error, "[Input(4)][Dense(2)][KernelL2([|double.NaN|])] public partial class M;" },
        { "CMP010", DiagnosticSeverity.Error, "[Input(4)][Dense(2)][WeightDecay([|double.PositiveInfinity|])] public partial class M;" },
        { "CMP010", DiagnosticSeverity.Error, "[Input(4)][Dense(2, Activation.Sigmoid)][KlSparsity(0.05, [|-3|])] public partial class M;" },
        { "CMP011", DiagnosticSeverity.Error, "[Input(4)][Dense(2, Activation.Sigmoid)][KlSparsity([|1.5|], 3)] public partial class M;" },
        { "CMP011", DiagnosticSeverity.Error, "[Input(4)][Dense(2, Activation.Sigmoid)][KlSparsity([|0|], 3)] public partial class M;" },
        { "CMP012", DiagnosticSeverity.Error, "[Input(4)][Dense(2, Activation.Relu)][[|KlSparsity(0.05, 3)|]] public partial class M;" },
        { "CMP012", DiagnosticSeverity.Error, "[Input(4)][Dense(2)][[|KlSparsity(0.05, 3)|]] public partial class M;" },
        { "CMP013", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dense(2)][HiddenL1(0.1, [|Pattern = \"hid9:out\"|])] public partial class M;" },
        { "CMP013", DiagnosticSeverity.Error, "[Input(4)][Dense(2)][[|HiddenL1(0.1)|]] public partial class M;" },
        { "CMP013", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dense(2)][WeightL1(0.1, [|Pattern = \"*.b\"|])] public partial class M;" },
        { "CMP014", DiagnosticSeverity.Error, "[Input(4)][Dense(3, Name = \"a\")][Dense(2, [|Name = \"a\"|])] public partial class M;" },
        { "CMP015", DiagnosticSeverity.Warning, "[Input(4)][Dense(2)][ActivityL1(0.1)][[|ActivityL1(0.2)|]] public partial class M;" },
        { "CMP016", DiagnosticSeverity.Error, "[Input(4)][Dense(2)] public partial class M { public void [|Predict|]() { } }" },
        { "CMP016", DiagnosticSeverity.Error, "[Input(4)][Dense(2)] public partial class M { public [|M|]() { } }" },
        { "CMP017", DiagnosticSeverity.Error, "[Input(4)][Dense(2, [|Name = \"1st\"|])] public partial class M;" },
        { "CMP018", DiagnosticSeverity.Error, "[Input(4)][Dense(2, Activation.Sigmoid)][KlSparsity(0.05, 3)][[|KlSparsity(0.1, 3)|]] public partial class M;" },
        { "CMP019", DiagnosticSeverity.Error, "[Model([|LearningRate = 0|])][Input(4)][Dense(2)] public partial class M;" },
        { "CMP020", DiagnosticSeverity.Error, "[Model(Loss = Loss.SoftmaxCrossEntropy)][Input(4)][Dense(8, [|Activation.Softmax|])][Dense(3, Activation.Softmax)] public partial class M;" },
        { "CMP021", DiagnosticSeverity.Error, "[Model([|Loss = Loss.BinaryCrossEntropy|])][Input(4)][Dense(1)] public partial class M;" },
        { "CMP021", DiagnosticSeverity.Error, "[Model([|Loss = Loss.SoftmaxCrossEntropy|])][Input(4)][Dense(3, Activation.Sigmoid)] public partial class M;" },
        { "CMP022", DiagnosticSeverity.Warning, "[Model([|Loss = Loss.MeanAbsoluteError|])][Input(4)][Dense(3, Activation.Softmax)] public partial class M;" },
        { "CMP023", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu, [|Alpha = 0.1|])][Dense(1)] public partial class M;" },
        { "CMP023", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Elu, [|Alpha = 0|])][Dense(1)] public partial class M;" },
        { "CMP023", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.LeakyRelu, [|Alpha = -0.5|])][Dense(1)] public partial class M;" },
        { "CMP024", DiagnosticSeverity.Error, "[Model(Optimizer = Optimizer.Adam)][Input(4)][Dense(2)][KernelL1(0.01, [|Proximal = true|])] public partial class M;" },
        { "CMP025", DiagnosticSeverity.Error, "[Model(Optimizer = Optimizer.Adam, [|Beta2 = 1|])][Input(4)][Dense(2)] public partial class M;" },
        { "CMP025", DiagnosticSeverity.Error, "[Model(Optimizer = Optimizer.Momentum, [|Momentum = -0.1|])][Input(4)][Dense(2)] public partial class M;" },
        { "CMP026", DiagnosticSeverity.Error, "[Model(Loss = Loss.BinaryCrossEntropy)][Input(4)][Dense(3, Activation.Sigmoid)][[|KlSparsity(0.05, 3)|]] public partial class M;" },
        { "CMP027", DiagnosticSeverity.Error, "[Model([|Precision = (Precision)2|])][Input(4)][Dense(2)] public partial class M;" },
        { "CMP028", DiagnosticSeverity.Error, "[Input(4)][Dense(3, [|(Activation)42|])] public partial class M;" },
        { "CMP028", DiagnosticSeverity.Error, "[Model([|Loss = (Loss)9|])][Input(4)][Dense(3)] public partial class M;" },
        { "CMP028", DiagnosticSeverity.Error, "[Model([|Optimizer = (Optimizer)7|])][Input(4)][Dense(3)] public partial class M;" },
        { "CMP028", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][ActivityL1(0.1, [|Scaling = (Scaling)5|])] public partial class M;" },
        { "CMP028", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][ActivityL2(0.1, [|On = (ActivityOn)(-1)|])] public partial class M;" },
        { "CMP029", DiagnosticSeverity.Error, "[Input(4)][Dense(3, Name = \"A\")][Dense(2, [|Name = \"a\"|])] public partial class M;" },
        { "CMP016", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dense(2)] public partial class M { public int [|Hid1Weight|]; }" },
        { "CMP030", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dropout([|1.0|])][Dense(2)] public partial class M;" },
        { "CMP030", DiagnosticSeverity.Error, "[Input(4)][Dense(3, Activation.Selu)][AlphaDropout([|-0.1|])][Dense(2)] public partial class M;" },
        { "CMP030", DiagnosticSeverity.Error, "[Input(4)][InputDropout([|double.NaN|])][Dense(3)][Dense(2)] public partial class M;" },
        { "CMP010", DiagnosticSeverity.Error, "[Input(4)][GaussianNoise([|-0.5|])][Dense(3)][Dense(2)] public partial class M;" },
        { "CMP010", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][HiddenNoise([|double.NaN|])][Dense(2)] public partial class M;" },
        { "CMP031", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dense(2)][[|Dropout(0.2)|]] public partial class M;" },
        { "CMP032", DiagnosticSeverity.Error, "[Input(4)][[|Tied|]][Dense(2)] public partial class M;" },
        { "CMP032", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Tied([|Partner = \"enc\"|])] public partial class M;" },
        { "CMP033", DiagnosticSeverity.Error, "[Input(6)][Dense(5, Name = \"enc\")][Dense(3)][[|Tied(Partner = \"enc\")|]] public partial class M;" },
        { "CMP034", DiagnosticSeverity.Warning, "[Input(4)][Dense(3, Activation.Relu)][[|AlphaDropout(0.1)|]][Dense(2)] public partial class M;" },
        { "CMP035", DiagnosticSeverity.Error, "[Input(4)][Dense(3, Activation.Gelu)][[|Contractive(0.1)|]][Dense(2)] public partial class M;" },
        { "CMP036", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dense(2, Activation.Tanh)][Contractive(0.1, [|Form = ContractiveForm.Theanets|])] public partial class M;" },
        { "CMP037", DiagnosticSeverity.Error, "[Input(1)][Dense(3)][[|KernelOrthogonal(0.1)|]][Dense(2)] public partial class M;" },
        { "CMP038", DiagnosticSeverity.Error, "[Input(4)][Dense(3, Name = \"enc\")][Tied][[|KernelL2(0.01)|]] public partial class M;" },
        { "CMP039", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][TopK([|8|])][Dense(4)] public partial class M;" },
        { "CMP039", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][TopK([|0|])][Dense(4)] public partial class M;" },
        { "CMP039", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][TopK(2)][AuxK([|0|])][Dense(4)] public partial class M;" },
        { "CMP040", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][Dense(4)][[|TopK(2)|]] public partial class M;" },
        { "CMP040", DiagnosticSeverity.Error, "[Input(4)][Dense(3, Name = \"enc\")][Tied][[|TopK(2)|]] public partial class M;" },
        { "CMP041", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][[|AuxK(2)|]][Dense(4)] public partial class M;" },
        { "CMP042", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][TopK(2)][[|AuxK(2)|]][Dense(4, Activation.Sigmoid)] public partial class M;" },
        { "CMP043", DiagnosticSeverity.Error, "[Input(4)][Dense(8)][UnitNorm([|ProjectGradient = true|])][Dense(4)] public partial class M;" },
        { "CMP044", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.JumpRelu, [|Bandwidth = -0.05|])][Dense(4)] public partial class M;" },
        { "CMP044", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.JumpRelu, [|InitialThreshold = 0|])][Dense(4)] public partial class M;" },
        { "CMP044", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu, [|InitialThreshold = 0.1|])][Dense(4)] public partial class M;" },
        { "CMP045", DiagnosticSeverity.Error, "[Input(4)][Dense(8)][Dense(4, [|Activation.JumpRelu|])] public partial class M;" },
        { "CMP046", DiagnosticSeverity.Error, "[Input(4)][Dense(8, Activation.Relu)][[|L0Penalty(0.1)|]][Dense(4)] public partial class M;" },
        { "CMP047", DiagnosticSeverity.Error, "[Model([|PreEncoderBias = true|])][Input(4)][Dense(8)][Dense(3)] public partial class M;" },
        { "CMP048", DiagnosticSeverity.Error, "[Input(4)][Dense(8)][Dense(4)][[|ActivityL1(0.1, WeightedByNextLayer = true)|]] public partial class M;" },
        { "CMP049", DiagnosticSeverity.Error, "[Input(4)][Dense(8)][ActivityL1(0.1, [|WarmupSteps = -5|])][Dense(4)] public partial class M;" },
        { "CMP029", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dropout(0.1)][[|Dropout(0.2)|]][Dense(2)] public partial class M;" },
        { "CMP016", DiagnosticSeverity.Error, "[Input(4)][Dense(3)][Dense(2)] public partial class M { private int [|_main|]; }" },
    };

    [Theory, MemberData(nameof(Cases))]
    public void Reports_the_diagnostic_at_the_offending_argument(string id, DiagnosticSeverity severity, string marked)
    {
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal), end = marked.IndexOf("|]", System.StringComparison.Ordinal);
        string source = GeneratorHarness.Usings + marked.Remove(end, 2).Remove(start, 2) + "\n" + Healthy;
        var expected = new TextSpan(GeneratorHarness.Usings.Length + start, end - start - 2);

        var r = GeneratorHarness.Run(source);
        var ours = r.GeneratorDiagnostics.Where(d => d.Id.StartsWith("CMP", System.StringComparison.Ordinal)).ToList();
        var d = Assert.Single(ours);
        Assert.Equal(id, d.Id);
        Assert.Equal(severity, d.Severity);
        Assert.Equal(expected, d.Location.SourceSpan);
        Assert.Equal("Model0.cs", d.Location.GetLineSpan().Path);
        Assert.StartsWith("docs/diagnostics.md#" + id.ToLowerInvariant(), d.Descriptor.HelpLinkUri);

        Assert.Contains("Healthy.g.cs", r.Sources.Keys);
        if (severity == DiagnosticSeverity.Error)
            Assert.DoesNotContain(r.Sources.Keys, k => k.EndsWith("M.g.cs", System.StringComparison.Ordinal));
        else
            Assert.Contains("M.g.cs", r.Sources.Keys);
    }

    [Fact]
    public void Every_descriptor_is_documented_and_tested()
    {
        string docs = System.IO.File.ReadAllText(System.IO.Path.Combine(RepoRoot(), "docs", "diagnostics.md"));
        var tested = Cases.Select(c => (string)c[0]).ToHashSet();
        foreach (DiagnosticDescriptor d in Compiled.Generator.Diagnostics.Descriptors.All)
        {
            Assert.Contains(d.Id, tested);
            Assert.Contains("## " + d.Id, docs);
        }
    }

    [Fact]
    public void A_valid_model_produces_no_diagnostics_and_compiles_warning_free()
    {
        var r = GeneratorHarness.Run(GeneratorHarness.Usings + Healthy);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    internal static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        // The folder holding Compiled.sln, above this file wherever the tests are moved.
        string? dir = System.IO.Path.GetDirectoryName(here);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir, "Compiled.sln"))) dir = System.IO.Path.GetDirectoryName(dir);
        return dir ?? throw new System.InvalidOperationException("Compiled.sln not found above " + here);
    }
}
