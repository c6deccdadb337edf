// Small models for finite-difference, scalar-example, allocation and argument tests.
namespace Compiled.Tests.Models;

// ---- Keras scalar examples (Golden/keras_trivial_A.json) ------------------------------------------------------------

/// <summary>An identity-able layer with Keras' default activity L1 (batch mean).</summary>
[Input(8)]
[Dense(8)]
[ActivityL1(0.1)]
public partial class ActivityL1BatchMean8;

/// <summary>The same with the un-divided (Keras 2.2 / 3.0–3.13, PyTorch seed) convention.</summary>
[Input(8)]
[Dense(8)]
[ActivityL1(0.1, Scaling = Scaling.Sum)]
public partial class ActivityL1Sum8;

/// <summary>Keras docs example: Dense(5, kernel L1(0.01), activity L2(0.01)) on 2s → 0.25 + 5.0.</summary>
[Input(5)]
[Dense(5)]
[KernelL1(0.01)]
[ActivityL2(0.01)]
public partial class KernelL1ActivityL2;

/// <summary>Keras ActivityRegularization(l1 = 0.2, l2 = 0.3) as an identity Dense(1).</summary>
[Input(1)]
[Dense(1)]
[ActivityL1(0.2)]
[ActivityL2(0.3)]
public partial class ActivityRegularization1;

// ---- Finite-difference models: every activation, with and without ActivityL1 ------------------------------------------

[Input(5)][Dense(7, Activation.Linear)][Dense(3, Activation.Linear)] public partial class FdLinear;
[Input(5)][Dense(7, Activation.Tanh)][Dense(3, Activation.Tanh)] public partial class FdTanh;
[Input(5)][Dense(7, Activation.Sigmoid)][Dense(3, Activation.Sigmoid)] public partial class FdSigmoid;
[Input(5)][Dense(7, Activation.Relu)][Dense(3, Activation.Relu)] public partial class FdRelu;
[Input(5)][Dense(7, Activation.Linear)][ActivityL1(0.05)][Dense(3, Activation.Linear)][ActivityL1(0.02)] public partial class FdLinearL1;
[Input(5)][Dense(7, Activation.Tanh)][ActivityL1(0.05)][Dense(3, Activation.Tanh)][ActivityL1(0.02)] public partial class FdTanhL1;
[Input(5)][Dense(7, Activation.Sigmoid)][ActivityL1(0.05)][Dense(3, Activation.Sigmoid)][ActivityL1(0.02)] public partial class FdSigmoidL1;
[Input(5)][Dense(7, Activation.Relu)][ActivityL1(0.05)][Dense(3, Activation.Relu)][ActivityL1(0.02)] public partial class FdReluL1;

/// <summary>Every regularizer at once, all placements and scalings, three layers, for finite differences.</summary>
[Model(Loss = Loss.HalfSquaredError, LearningRate = 0.05)]
[Input(6)]
[Dense(9, Activation.Tanh)]
[ActivityL1(0.03)]
[ActivityL2(0.02, On = ActivityOn.PreActivation, Scaling = Scaling.ElementMean)]
[KernelL1(0.004)]
[BiasL2(0.01)]
[Dense(5, Activation.Sigmoid)]
[KlSparsity(0.2, 0.5)]
[ActivityL1(0.01, On = ActivityOn.PreActivation, Scaling = Scaling.Sum)]
[KernelL2(0.003)]
[BiasL1(0.002)]
[Dense(4, Activation.Linear, Name = "head")]
[ActivityL2(0.02, Scaling = Scaling.Sum)]
[WeightDecay(0.001)]
[HiddenL1(0.05, Pattern = "hid1:out, hid2:pre")]
[WeightL1(0.002, Pattern = "hid[12].w")]
[WeightL2(0.004)]
public partial class EveryRegularizer;

/// <summary>A sparse linear regression problem for proximal L1.</summary>
[Model(LearningRate = 0.05)]
[Input(20)]
[Dense(1)]
[KernelL1(0.02, Proximal = true)]
public partial class ProximalLasso;

/// <summary>The same problem with plain subgradient L1 (no exact zeros expected).</summary>
[Model(LearningRate = 0.05)]
[Input(20)]
[Dense(1)]
[KernelL1(0.02)]
public partial class SubgradientLasso;

/// <summary>The seed network, as in the README.</summary>
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]
[Dense(784, Activation.Sigmoid)]
public partial class SeedAutoencoder;

/// <summary>A model nested in a type and declared across two partial declarations (attributes on one).</summary>
public static partial class Outer
{
    [Input(3)]
    [Dense(2, Activation.Relu)]
    public partial class Nested;

    public partial class Nested
    {
        public int UserMember => 7;
    }
}

/// <summary>The placements and scalings <see cref="EveryRegularizer"/> does not cover, and KL on tanh.</summary>
[Input(5)]
[Dense(6, Activation.Tanh)]
[ActivityL1(0.04, Scaling = Scaling.ElementMean)]
[ActivityL2(0.03)]
[KlSparsity(0.3, 0.4)]
[Dense(4, Activation.Relu)]
[ActivityL1(0.02, On = ActivityOn.PreActivation)]
[ActivityL2(0.01, On = ActivityOn.PreActivation, Scaling = Scaling.Sum)]
[Dense(3, Activation.Sigmoid)]
[ActivityL1(0.01, Scaling = Scaling.ElementMean)]
[KlSparsity(0.4, 0.2)]
public partial class EveryRegularizerMore;

/// <summary>Plain SGD with every penalty the fused update applies: weight L1/L2, bias L1/L2 and activity terms.</summary>
[Input(9)]
[Dense(37, Activation.Tanh)][ActivityL1(0.1)][KernelL1(0.01)][KernelL2(0.02)][BiasL1(0.003)][BiasL2(0.004)]
[Dense(20, Activation.Sigmoid)][KernelL2(0.01)][WeightDecay(0.001)]
public partial class FusedSgd;

// ---- Reliability: threads, concurrency, settings ----------------------------------------------------------------------

/// <summary>
/// Widths around every split step (130 columns leave a 2-column last share at 8 threads; 600 × 130 splits its batch-1
/// backward product on 130 columns), for training at any thread count.
/// </summary>
[Input(700)]
[Dense(130, Activation.Tanh)]
[ActivityL1(0.01)]
[Dense(600, Activation.Relu)]
[Dense(33, Activation.Sigmoid)]
public partial class AwkwardWidths;

/// <summary>A small classifier for the concurrent PredictClasses / Accuracy / Evaluate tests.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy)]
[Input(20)]
[Dense(16, Activation.Relu)]
[ActivityL1(0.01)]
[Dense(5, Activation.Softmax)]
public partial class SmallClassifier;
