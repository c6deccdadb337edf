using System.Linq;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests.Generator;

/// <summary>
/// Which layers the generator gives the small-layer kernels (Building/SmallLayers.cs): the nested constants struct
/// (<c>Hid1Shape</c>) is printed for exactly those, and every other layer keeps the runtime kernels. Sparse coding keeps
/// the runtime kernels for the whole model; a sparse code and the layer reading it keep them in any model.
/// </summary>
public class SmallDecisionTests
{
    public static TheoryData<string, string, string[]> Cases() => new()
    {
        { "plain", "[Input(4)][Dense(32, Activation.Tanh)][Dense(16, Activation.Tanh)][Dense(4)]", ["Hid1Shape", "Hid2Shape", "OutShape"] },
        { "65 units", "[Input(4)][Dense(65, Activation.Tanh)][Dense(4)]", [] },
        { "softmax", "[Model(Loss = Loss.SoftmaxCrossEntropy)][Input(4)][Dense(8, Activation.Tanh)][Dense(3, Activation.Softmax)]", ["Hid1Shape"] },
        { "float64", "[Model(Precision = Precision.Float64)][Input(4)][Dense(8, Activation.Tanh)][Dense(4)]", [] },
        { "ReLU code of 16 and its reader", "[Input(4)][Dense(16, Activation.Relu)][Dense(8, Activation.Tanh)][Dense(4)]", ["OutShape"] },
        { "ReLU of 15 is no code", "[Input(4)][Dense(15, Activation.Relu)][Dense(8, Activation.Tanh)][Dense(4)]", ["Hid1Shape", "Hid2Shape", "OutShape"] },
        { "TopK", "[Input(8)][Dense(32, Activation.Relu)][TopK(4)][Dense(8)]", [] },
        { "JumpReLU", "[Input(8)][Dense(8, Activation.JumpRelu)][Dense(8)]", [] },
        { "constraint", "[Input(8)][Dense(8, Activation.Tanh)][Dense(8)][UnitNorm(Per = NormPer.Input)]", [] },
        { "weighted L1", "[Input(8)][Dense(8, Activation.Relu)][ActivityL1(0.1, WeightedByNextLayer = true)][Dense(8)]", [] },
        { "warm-up", "[Input(8)][Dense(8, Activation.Tanh)][ActivityL1(0.1, WarmupSteps = 10)][Dense(8)]", [] },
        { "clipping", "[Model(ClipGradientNorm = 1.0)][Input(8)][Dense(8, Activation.Tanh)][Dense(8)]", [] },
        { "pre-encoder bias", "[Model(PreEncoderBias = true)][Input(8)][Dense(8, Activation.Tanh)][Dense(8)]", [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Small_layers_are_the_ones_the_rule_admits(string name, string attributes, string[] shapes)
    {
        var r = GeneratorHarness.Run(GeneratorHarness.Usings + "namespace N; " + attributes + " public partial class M;");
        Assert.True(r.GeneratorDiagnostics.IsEmpty, name + ": " + string.Join("; ", r.GeneratorDiagnostics));
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        string source = Assert.Single(r.Sources).Value;
        string[] printed = ["Hid1Shape", "Hid2Shape", "OutShape"];
        Assert.Equal(shapes, printed.Where(s => source.Contains("private readonly struct " + s + " ", System.StringComparison.Ordinal)).ToArray());
        Assert.Equal(shapes.Length > 0, source.Contains("global::Compiled.Kernels.SmallDense.", System.StringComparison.Ordinal));
    }
}
