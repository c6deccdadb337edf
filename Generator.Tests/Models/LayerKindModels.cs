using Compiled;

namespace Compiled.Tests.Models;

// ---- Layer kinds beyond Dense: noise, tied decoders, contractive and orthogonal penalties ----------------------------

/// <summary>The seed network with inverted dropout on its hidden code.</summary>
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]
[Dropout(0.2)]
[Dense(784, Activation.Sigmoid)]
public partial class SeedDropout;

/// <summary>A denoising autoencoder with a tied decoder: Gaussian noise on the input, 6 → 5 relu → tied sigmoid.</summary>
[Input(6)]
[GaussianNoise(0.3)]
[Dense(5, Activation.Relu)]
[Tied(Activation.Sigmoid)]
public partial class SmallDenoising;

/// <summary>Every noise kind and a deep tied stack: 6 → 5 → 4 → tied → tied.</summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(6)]
[InputDropout(0.25)]
[Dense(5, Activation.Selu)]
[AlphaDropout(0.2)]
[Dense(4, Activation.Tanh)]
[GaussianDropout(0.3)]
[Tied(Activation.Tanh)]
[Tied(Activation.Linear)]
public partial class NoiseAndTiedStack;

/// <summary>Contractive (both forms) and orthogonal penalties.</summary>
[Input(6)]
[Dense(5, Activation.Sigmoid)]
[Contractive(0.3, Form = ContractiveForm.Theanets)]
[KernelOrthogonal(0.2, Mode = OrthogonalMode.PerUnit)]
[Dense(4, Activation.Tanh)]
[Contractive(0.4)]
[KernelOrthogonal(0.1)]
[Dense(6)]
public partial class StructuralPenalties;

// ---- Finite differences (float64: the checks run at 1e−7) ------------------------------------------------------------

/// <summary>Every noise kind at once, in double: input dropout, alpha dropout after SELU, Gaussian dropout and noise.</summary>
[Model(Precision = Precision.Float64, Loss = Loss.HalfSquaredError)]
[Input(6)]
[InputDropout(0.3)]
[Dense(5, Activation.Selu)]
[AlphaDropout(0.2)]
[Dense(4, Activation.Tanh)]
[GaussianDropout(0.25)]
[HiddenNoise(0.2, Pattern = "hid2:out")]
[Dense(3, Activation.Sigmoid)]
public partial class Fd64Noise;

/// <summary>A mirrored tied stack in double: 6 → 5 → 4 → tied → tied.</summary>
[Model(Precision = Precision.Float64)]
[Input(6)]
[Dense(5, Activation.Tanh)]
[Dense(4, Activation.Sigmoid)]
[Tied(Activation.Tanh)]
[Tied(Activation.Sigmoid)]
public partial class Fd64Tied;

/// <summary>Both contractive forms in double, on sigmoid, tanh and softplus (which needs z).</summary>
[Model(Precision = Precision.Float64)]
[Input(6)]
[Dense(5, Activation.Sigmoid)]
[Contractive(0.3, Form = ContractiveForm.Theanets)]
[Dense(4, Activation.Tanh)]
[Contractive(0.4)]
[Dense(3, Activation.Softplus)]
[Contractive(0.2)]
public partial class Fd64Contractive;

/// <summary>Rifai's penalty on ELU, SELU and LeakyReLU, and theanets' on a linear first layer, in double.</summary>
[Model(Precision = Precision.Float64)]
[Input(6)]
[Dense(5, Activation.Elu)]
[Contractive(0.5)]
[Dense(4, Activation.Selu)]
[Contractive(0.3)]
[Dense(3, Activation.LeakyRelu, Alpha = 0.2)]
[Contractive(0.2)]
public partial class Fd64ContractivePiecewise;

/// <summary>The orthogonal penalty in both modes, in double.</summary>
[Model(Precision = Precision.Float64)]
[Input(6)]
[Dense(5, Activation.Tanh)]
[KernelOrthogonal(0.3, Mode = OrthogonalMode.PerUnit)]
[Dense(4)]
[KernelOrthogonal(0.2)]
public partial class Fd64Orthogonal;

// ---- Rate 0 is no layer at all (float32) ------------------------------------------------------------------------------

/// <summary>The plain network the rate-0 model below must equal bit for bit.</summary>
[Input(12)]
[Dense(8, Activation.Selu)]
[Dense(5, Activation.Tanh)]
[Dense(4, Activation.Sigmoid)]
public partial class PlainForZeroNoise;

/// <summary>The same network with every noise kind at rate (or σ) 0.</summary>
[Input(12)]
[InputDropout(0)]
[InputNoise(0)]
[Dense(8, Activation.Selu)]
[AlphaDropout(0)]
[Dropout(0)]
[Dense(5, Activation.Tanh)]
[GaussianDropout(0)]
[GaussianNoise(0)]
[Dense(4, Activation.Sigmoid)]
public partial class ZeroNoise;
