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
