using Compiled;

namespace Compiled.Tests.Models;

// The PyTorch cases of Golden/torch_vocabulary.json (Golden/scripts/make_vocabulary.py): 5 → 4 → 3.

[Input(5)][Dense(4, Activation.LeakyRelu, Alpha = 0.2)][ActivityL1(0.1)][Dense(3)]
public partial class VocLeakyRelu;

[Input(5)][Dense(4, Activation.Elu, Alpha = 1.5)][ActivityL1(0.1)][Dense(3)]
public partial class VocElu;

[Input(5)][Dense(4, Activation.Softplus)][ActivityL1(0.1)][Dense(3)]
public partial class VocSoftplus;

[Input(5)][Dense(4, Activation.Gelu)][ActivityL1(0.1)][Dense(3)]
public partial class VocGelu;

[Input(5)][Dense(4, Activation.GeluTanh)][ActivityL1(0.1)][Dense(3)]
public partial class VocGeluTanh;

[Model(Loss = Loss.MeanAbsoluteError)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3)][ActivityL1(0.05)]
public partial class VocMae;

[Model(Loss = Loss.BinaryCrossEntropy)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3, Activation.Sigmoid)][ActivityL1(0.05)]
public partial class VocBce;

[Model(Loss = Loss.SoftmaxCrossEntropy)]
[Input(5)][Dense(4, Activation.Relu)][Dense(3, Activation.Softmax)][ActivityL1(0.05)]
public partial class VocCe;

[Model(LearningRate = 0.05)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3)]
public partial class OptSgd;

[Model(Optimizer = Optimizer.Momentum, Momentum = 0.9, LearningRate = 0.05)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3)]
public partial class OptMomentum;

[Model(Optimizer = Optimizer.Nesterov, Momentum = 0.9, LearningRate = 0.05)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3)]
public partial class OptNesterov;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3)]
public partial class OptAdam;

[Model(Optimizer = Optimizer.AdamW, LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.1)]
[Input(5)][Dense(4, Activation.Tanh)][Dense(3)]
public partial class OptAdamW;

// Finite-difference models: deeper, each new activation between two others, penalties before and after.
[Input(6)][Dense(5, Activation.LeakyRelu, Alpha = 0.05)][ActivityL2(0.02)][Dense(5, Activation.Elu, Alpha = 0.7)][ActivityL1(0.01, On = ActivityOn.PreActivation)][Dense(4, Activation.Softplus)]
public partial class FdVocabularyA;

[Model(Loss = Loss.MeanAbsoluteError)]
[Input(6)][Dense(5, Activation.Gelu)][ActivityL2(0.02)][Dense(5, Activation.GeluTanh)][ActivityL2(0.03)][Dense(4, Activation.Gelu)][ActivityL2(0.01)]
public partial class FdVocabularyB;

[Model(Loss = Loss.BinaryCrossEntropy)]
[Input(6)][Dense(5, Activation.Softplus)][Dense(4, Activation.Sigmoid)][ActivityL2(0.05)]
public partial class FdBce;

[Model(Loss = Loss.SoftmaxCrossEntropy)]
[Input(6)][Dense(5, Activation.GeluTanh)][Dense(4, Activation.Softmax)][ActivityL2(0.05)][KernelL2(0.01)]
public partial class FdCe;

// Raises the CMP022 warning (suppressed for this project in the csproj): the softmax Jacobian under a regression
// loss is exactly what this model checks.
[Model(Loss = Loss.HalfSquaredError)]
[Input(6)][Dense(5, Activation.Tanh)][Dense(4, Activation.Softmax)][ActivityL2(0.05)]
public partial class FdSoftmaxRegression;
