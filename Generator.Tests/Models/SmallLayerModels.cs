using Compiled;

namespace Compiled.Tests.Models;

// Models whose Dense layers take the small-layer kernels (inputs and units ≤ 64, float32), at shapes chosen for their
// edges, held against the runtime-kernel path in SmallLayerTests. MSE, SGD.

/// <summary>The SimpleChains.jl benchmark shape: 4 → 32 tanh → 16 tanh → 4.</summary>
[Input(4)][Dense(32, Activation.Tanh)][Dense(16, Activation.Tanh)][Dense(4)] public partial class SmallTiny;

/// <summary>Tails everywhere: 13 inputs, 7 and 15 units (below the 16 of a sparse code), an output narrower than a vector.</summary>
[Input(13)][Dense(7, Activation.Sigmoid)][Dense(15, Activation.Relu)][Dense(3)] public partial class SmallTails;

/// <summary>The largest small layers, z kept for GELU's derivative, one output unit.</summary>
[Input(64)][Dense(64, Activation.Gelu)][Dense(64, Activation.Elu, Alpha = 0.5)][Dense(1, Activation.Sigmoid)] public partial class SmallWidest;

/// <summary>One input, the activations with a parameter and SELU, 2 → 1.</summary>
[Input(1)][Dense(5, Activation.LeakyRelu, Alpha = 0.2)][Dense(2, Activation.Selu)][Dense(1, Activation.Tanh)] public partial class SmallOneInput;

/// <summary>A small layer (48 → 64 softplus) between two that are not (70 inputs; 65 units): the paths meet both ways.</summary>
[Input(70)][Dense(48, Activation.GeluTanh)][Dense(64, Activation.Softplus)][Dense(65)] public partial class SmallBetweenLarge;

/// <summary>SimpleChains' README shape, 24 → 8 tanh → 2 (the output narrower than a vector).</summary>
[Input(24)][Dense(8, Activation.Tanh)][Dense(2)] public partial class SmallReadme;
