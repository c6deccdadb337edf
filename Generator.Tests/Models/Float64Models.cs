using Compiled;

namespace Compiled.Tests.Models;

// Float64 twins of the test models: the same attributes plus Precision = Precision.Float64.

// ---- Finite differences: every activation, with ActivityL1 on the hidden layer and ActivityL2 on the output ----------
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Linear)][ActivityL1(0.05)][Dense(3, Activation.Linear)][ActivityL2(0.02)] public partial class Fd64Linear;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Tanh)][ActivityL1(0.05)][Dense(3, Activation.Tanh)][ActivityL2(0.02)] public partial class Fd64Tanh;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Sigmoid)][ActivityL1(0.05)][Dense(3, Activation.Sigmoid)][ActivityL2(0.02)] public partial class Fd64Sigmoid;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Relu)][ActivityL1(0.05)][Dense(3, Activation.Relu)][ActivityL2(0.02)] public partial class Fd64Relu;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.LeakyRelu, Alpha = 0.05)][ActivityL1(0.05)][Dense(3, Activation.LeakyRelu, Alpha = 0.2)][ActivityL2(0.02)] public partial class Fd64LeakyRelu;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Elu, Alpha = 0.7)][ActivityL1(0.05)][Dense(3, Activation.Elu, Alpha = 1.5)][ActivityL2(0.02)] public partial class Fd64Elu;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Softplus)][ActivityL1(0.05)][Dense(3, Activation.Softplus)][ActivityL2(0.02)] public partial class Fd64Softplus;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Gelu)][ActivityL1(0.05)][Dense(3, Activation.Gelu)][ActivityL2(0.02)] public partial class Fd64Gelu;
[Model(Precision = Precision.Float64)][Input(5)][Dense(7, Activation.GeluTanh)][ActivityL1(0.05)][Dense(3, Activation.GeluTanh)][ActivityL2(0.02)] public partial class Fd64GeluTanh;

// ---- Each loss ------------------------------------------------------------------------------------------------------
[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Tanh)][ActivityL2(0.03)][Dense(3, Activation.Sigmoid)] public partial class Fd64Half;
[Model(Loss = Loss.MeanAbsoluteError, Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Tanh)][Dense(3, Activation.Linear)][ActivityL1(0.02)] public partial class Fd64Mae;
[Model(Loss = Loss.BinaryCrossEntropy, Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Softplus)][Dense(3, Activation.Sigmoid)][ActivityL2(0.05)] public partial class Fd64Bce;
[Model(Loss = Loss.SoftmaxCrossEntropy, Precision = Precision.Float64)][Input(5)][Dense(7, Activation.GeluTanh)][Dense(4, Activation.Softmax)][ActivityL2(0.05)][KernelL2(0.01)] public partial class Fd64Ce;

// The softmax Jacobian under a regression loss (CMP022, suppressed for this project).
[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)][Input(5)][Dense(7, Activation.Tanh)][Dense(4, Activation.Softmax)][ActivityL2(0.05)] public partial class Fd64SoftmaxRegression;

// ---- Every regularizer (KL, kernel and bias L1/L2, weight decay, theanets terms), as EveryRegularizer(More) -----------
[Model(Loss = Loss.HalfSquaredError, LearningRate = 0.05, Precision = Precision.Float64)]
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
public partial class EveryRegularizer64;

[Model(Precision = Precision.Float64)]
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
public partial class EveryRegularizerMore64;

[Model(LearningRate = 0.05, Precision = Precision.Float64)]
[Input(20)]
[Dense(1)]
[KernelL1(0.02, Proximal = true)]
public partial class ProximalLasso64;

// ---- The golden networks (Golden/*.json) ------------------------------------------------------------------------------
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][ActivityL1(0.1)][Dense(6, Activation.Sigmoid)][ActivityL1(0.02)] public partial class KerasActivityL1x64;
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][ActivityL1(0.1, On = ActivityOn.Output)][Dense(6, Activation.Sigmoid)] public partial class KerasActivityL1Post64;
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][ActivityL1(0.1, On = ActivityOn.PreActivation)][Dense(6, Activation.Sigmoid)] public partial class KerasActivityL1Pre64;
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][KernelL1(0.01)][KernelL2(0.02)][BiasL1(0.005)][Dense(6, Activation.Sigmoid)][KernelL2(0.02)][BiasL1(0.005)] public partial class KerasWeightRegularizers64;
[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Sigmoid)][KlSparsity(0.05, 3.0)][Dense(6, Activation.Sigmoid)][WeightDecay(0.001)] public partial class NgKlSparsity64;
[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][KlSparsity(0.05, 3.0)][Dense(6, Activation.Sigmoid)] public partial class NgKlTanh64;
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Dense(6, Activation.Sigmoid)][HiddenL1(0.1)] public partial class TheanetsHiddenL1x64;
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Dense(6, Activation.Sigmoid)][WeightL1(0.01)][WeightL2(0.02)] public partial class TheanetsWeightL1L2x64;
[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][ActivityL1(0.1, Scaling = Scaling.Sum)][Dense(6, Activation.Sigmoid)] public partial class TorchL1Penalty64;

// ---- The vocabulary cases (Golden/torch_vocabulary.json) ----------------------------------------------------------------
[Model(Precision = Precision.Float64)][Input(5)][Dense(4, Activation.LeakyRelu, Alpha = 0.2)][ActivityL1(0.1)][Dense(3)] public partial class VocLeakyRelu64;
[Model(Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Elu, Alpha = 1.5)][ActivityL1(0.1)][Dense(3)] public partial class VocElu64;
[Model(Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Softplus)][ActivityL1(0.1)][Dense(3)] public partial class VocSoftplus64;
[Model(Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Gelu)][ActivityL1(0.1)][Dense(3)] public partial class VocGelu64;
[Model(Precision = Precision.Float64)][Input(5)][Dense(4, Activation.GeluTanh)][ActivityL1(0.1)][Dense(3)] public partial class VocGeluTanh64;
[Model(Loss = Loss.MeanAbsoluteError, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3)][ActivityL1(0.05)] public partial class VocMae64;
[Model(Loss = Loss.BinaryCrossEntropy, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3, Activation.Sigmoid)][ActivityL1(0.05)] public partial class VocBce64;
[Model(Loss = Loss.SoftmaxCrossEntropy, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Relu)][Dense(3, Activation.Softmax)][ActivityL1(0.05)] public partial class VocCe64;
[Model(LearningRate = 0.05, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3)] public partial class OptSgd64;
[Model(Optimizer = Optimizer.Momentum, Momentum = 0.9, LearningRate = 0.05, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3)] public partial class OptMomentum64;
[Model(Optimizer = Optimizer.Nesterov, Momentum = 0.9, LearningRate = 0.05, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3)] public partial class OptNesterov64;
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3)] public partial class OptAdam64;
[Model(Optimizer = Optimizer.AdamW, LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.1, Precision = Precision.Float64)][Input(5)][Dense(4, Activation.Tanh)][Dense(3)] public partial class OptAdamW64;

// ---- The seed autoencoder in double (agreement with SeedAutoencoder, allocations, checkpoints) ---------------------------
[Model(Precision = Precision.Float64)]
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]
[Dense(784, Activation.Sigmoid)]
public partial class SeedAutoencoder64;

// A mixed model in both precisions, for the float32 ↔ float64 cross-check.
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01)]
[Input(6)][Dense(5, Activation.LeakyRelu, Alpha = 0.05)][ActivityL2(0.02)][Dense(5, Activation.Elu, Alpha = 0.7)][ActivityL1(0.01, On = ActivityOn.PreActivation)][KernelL1(0.003)][Dense(4, Activation.Softplus)][BiasL2(0.01)]
public partial class Mixed32;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, Precision = Precision.Float64)]
[Input(6)][Dense(5, Activation.LeakyRelu, Alpha = 0.05)][ActivityL2(0.02)][Dense(5, Activation.Elu, Alpha = 0.7)][ActivityL1(0.01, On = ActivityOn.PreActivation)][KernelL1(0.003)][Dense(4, Activation.Softplus)][BiasL2(0.01)]
public partial class Mixed64;
