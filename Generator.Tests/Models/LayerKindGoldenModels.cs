using Compiled;

namespace Compiled.Tests.Models;

// The PyTorch cases of Golden/torch_layer_kinds.json (Golden/scripts/make_layer_kinds.py, from the draws recorded in
// Golden/layer_kinds_inputs.json): noise on the input and on hidden layers, tied decoders, both contractive forms and
// the orthogonal penalty in both modes. Small networks (6 inputs, batch 4), MSE unless noted; every float32 model has a
// float64 twin (suffix 64) checked at 1e-10. SmallDenoising and NoiseAndTiedStack (LayerKindModels.cs) are cases too.

// ---- Noise -----------------------------------------------------------------------------------------------------------

/// <summary>Inverted dropout on the input.</summary>
[Input(6)][Dropout(0.3)][Dense(5, Activation.Tanh)][Dense(4)]
public partial class LkInputDropout;

/// <summary>Inverted dropout on a relu layer's output, with an activity penalty on that (clean) output as Keras places it.</summary>
[Input(6)][Dense(5, Activation.Relu)][ActivityL1(0.05)][Dropout(0.4)][Dense(4, Activation.Sigmoid)]
public partial class LkHiddenDropout;

/// <summary>theanets' keywords: input_dropout, and hidden_dropout on one layer by pattern.</summary>
[Input(6)][Dense(5, Activation.Tanh)][Dense(5, Activation.Relu)][Dense(4)][InputDropout(0.2)][HiddenDropout(0.3, Pattern = "hid2:out")]
public partial class LkTheanetsDropout;

/// <summary>The denoising autoencoder: Gaussian noise on the input, the clean input as the target.</summary>
[Input(6)][GaussianNoise(0.3)][Dense(4, Activation.Sigmoid)][Dense(6, Activation.Sigmoid)]
public partial class LkDenoising;

/// <summary>theanets' input_noise and hidden_noise (default pattern: every hidden layer).</summary>
[Input(6)][Dense(5, Activation.Tanh)][Dense(4, Activation.Softplus)][Dense(3)][InputNoise(0.1)][HiddenNoise(0.25)]
public partial class LkHiddenNoise;

/// <summary>Gaussian dropout on the input and on a hidden layer.</summary>
[Input(6)][GaussianDropout(0.2)][Dense(5, Activation.Softplus)][GaussianDropout(0.3)][Dense(4, Activation.Tanh)]
public partial class LkGaussianDropout;

/// <summary>Alpha dropout after two SELU layers.</summary>
[Input(6)][Dense(5, Activation.Selu)][AlphaDropout(0.2)][Dense(4, Activation.Selu)][AlphaDropout(0.1)][Dense(3)]
public partial class LkAlphaDropout;

// ---- Tied decoders -----------------------------------------------------------------------------------------------------

/// <summary>6 → 4 tanh → tied sigmoid (partner found by walking back: hid1).</summary>
[Input(6)][Dense(4, Activation.Tanh)][Tied(Activation.Sigmoid)]
public partial class LkTied;

/// <summary>The mirrored stack 6 → 5 → 4 → tied 5 → tied 6 (hid3 uses hid2's weights, out uses hid1's).</summary>
[Input(6)][Dense(5, Activation.Tanh)][Dense(4, Activation.Relu)][Tied(Activation.Tanh)][Tied(Activation.Linear)]
public partial class LkTiedStack;

/// <summary>A named partner: walking back would find hid2 (5 → 5); the decoder uses enc's weights instead (5 → 6).</summary>
[Input(6)][Dense(5, Activation.Tanh, Name = "enc")][Dense(5, Activation.Sigmoid)][Tied(Activation.Linear, Partner = "enc")]
public partial class LkTiedNamed;

// ---- Contractive -------------------------------------------------------------------------------------------------------

/// <summary>Rifai's penalty on a tanh layer.</summary>
[Input(6)][Dense(5, Activation.Tanh)][Contractive(0.3)][Dense(4)]
public partial class LkContractiveTanh;

/// <summary>Rifai's penalty on a deeper sigmoid layer whose input went through dropout: its gradient reaches hid1 through the mask.</summary>
[Input(6)][Dense(5, Activation.Tanh)][Dropout(0.25)][Dense(4, Activation.Sigmoid)][Contractive(2.0)][Dense(3)]
public partial class LkContractiveSigmoid;

/// <summary>Rifai's penalty on softplus and ELU layers (non-zero second derivatives).</summary>
[Input(6)][Dense(5, Activation.Softplus)][Contractive(0.2)][Dense(4, Activation.Elu, Alpha = 0.8)][Contractive(0.3)][Dense(3)]
public partial class LkContractiveSoftplusElu;

/// <summary>Rifai's penalty on SELU and relu layers.</summary>
[Input(6)][Dense(5, Activation.Selu)][Contractive(0.1)][Dense(4, Activation.Relu)][Contractive(0.2)][Dense(3)]
public partial class LkContractiveSeluRelu;

/// <summary>theanets' contractive variant on the first (sigmoid) layer.</summary>
[Input(6)][Dense(5, Activation.Sigmoid)][Contractive(2000, Form = ContractiveForm.Theanets)][Dense(4)]
public partial class LkContractiveTheanets;

/// <summary>Both forms in one model: theanets' on the first (tanh) layer, Rifai's on the second.</summary>
[Input(6)][Dense(5, Activation.Tanh)][Contractive(500, Form = ContractiveForm.Theanets)][Dense(4, Activation.Tanh)][Contractive(0.2)][Dense(3)]
public partial class LkContractiveBoth;

// ---- Orthogonal --------------------------------------------------------------------------------------------------------

/// <summary>PerUnit on both layers (Keras mode="columns").</summary>
[Input(6)][Dense(5, Activation.Tanh)][KernelOrthogonal(0.5, Mode = OrthogonalMode.PerUnit)][Dense(4)][KernelOrthogonal(0.3, Mode = OrthogonalMode.PerUnit)]
public partial class LkOrthogonalPerUnit;

/// <summary>PerInput on both layers (Keras mode="rows", the default); the case zeroes one input's weights (the 1e-12 floor).</summary>
[Input(6)][Dense(5, Activation.Tanh)][KernelOrthogonal(0.5)][Dense(4)][KernelOrthogonal(0.3, Mode = OrthogonalMode.PerInput)]
public partial class LkOrthogonalPerInput;

// ---- Float64 twins -----------------------------------------------------------------------------------------------------

[Model(Precision = Precision.Float64)][Input(6)][Dropout(0.3)][Dense(5, Activation.Tanh)][Dense(4)]
public partial class LkInputDropout64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Relu)][ActivityL1(0.05)][Dropout(0.4)][Dense(4, Activation.Sigmoid)]
public partial class LkHiddenDropout64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Dense(5, Activation.Relu)][Dense(4)][InputDropout(0.2)][HiddenDropout(0.3, Pattern = "hid2:out")]
public partial class LkTheanetsDropout64;

[Model(Precision = Precision.Float64)][Input(6)][GaussianNoise(0.3)][Dense(4, Activation.Sigmoid)][Dense(6, Activation.Sigmoid)]
public partial class LkDenoising64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Dense(4, Activation.Softplus)][Dense(3)][InputNoise(0.1)][HiddenNoise(0.25)]
public partial class LkHiddenNoise64;

[Model(Precision = Precision.Float64)][Input(6)][GaussianDropout(0.2)][Dense(5, Activation.Softplus)][GaussianDropout(0.3)][Dense(4, Activation.Tanh)]
public partial class LkGaussianDropout64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Selu)][AlphaDropout(0.2)][Dense(4, Activation.Selu)][AlphaDropout(0.1)][Dense(3)]
public partial class LkAlphaDropout64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(4, Activation.Tanh)][Tied(Activation.Sigmoid)]
public partial class LkTied64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Dense(4, Activation.Relu)][Tied(Activation.Tanh)][Tied(Activation.Linear)]
public partial class LkTiedStack64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh, Name = "enc")][Dense(5, Activation.Sigmoid)][Tied(Activation.Linear, Partner = "enc")]
public partial class LkTiedNamed64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Contractive(0.3)][Dense(4)]
public partial class LkContractiveTanh64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Dropout(0.25)][Dense(4, Activation.Sigmoid)][Contractive(2.0)][Dense(3)]
public partial class LkContractiveSigmoid64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Softplus)][Contractive(0.2)][Dense(4, Activation.Elu, Alpha = 0.8)][Contractive(0.3)][Dense(3)]
public partial class LkContractiveSoftplusElu64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Selu)][Contractive(0.1)][Dense(4, Activation.Relu)][Contractive(0.2)][Dense(3)]
public partial class LkContractiveSeluRelu64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Sigmoid)][Contractive(2000, Form = ContractiveForm.Theanets)][Dense(4)]
public partial class LkContractiveTheanets64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][Contractive(500, Form = ContractiveForm.Theanets)][Dense(4, Activation.Tanh)][Contractive(0.2)][Dense(3)]
public partial class LkContractiveBoth64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][KernelOrthogonal(0.5, Mode = OrthogonalMode.PerUnit)][Dense(4)][KernelOrthogonal(0.3, Mode = OrthogonalMode.PerUnit)]
public partial class LkOrthogonalPerUnit64;

[Model(Precision = Precision.Float64)][Input(6)][Dense(5, Activation.Tanh)][KernelOrthogonal(0.5)][Dense(4)][KernelOrthogonal(0.3, Mode = OrthogonalMode.PerInput)]
public partial class LkOrthogonalPerInput64;

/// <summary>NoiseAndTiedStack (LayerKindModels.cs) in double.</summary>
[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)]
[Input(6)][InputDropout(0.25)][Dense(5, Activation.Selu)][AlphaDropout(0.2)][Dense(4, Activation.Tanh)][GaussianDropout(0.3)][Tied(Activation.Tanh)][Tied(Activation.Linear)]
public partial class NoiseAndTiedStack64;

/// <summary>SmallDenoising (LayerKindModels.cs) in double.</summary>
[Model(Precision = Precision.Float64)][Input(6)][GaussianNoise(0.3)][Dense(5, Activation.Relu)][Tied(Activation.Sigmoid)]
public partial class SmallDenoising64;
