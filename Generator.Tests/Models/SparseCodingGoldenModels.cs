using Compiled;

namespace Compiled.Tests.Models;

// The PyTorch cases of Golden/torch_sparse_coding.json (Golden/scripts/make_sparse_coding.py, from the parameters and
// data recorded in Golden/sparse_coding_inputs.json): TopK and BatchTopK codes, AuxK on dead units, JumpReLU with its L0
// penalty, Keras' weight constraints, OpenAI's projected decoder gradients, the decoder-weighted L1, warm-up, clipping,
// the pre-encoder bias, and one OpenAI-style autoencoder combining them. Small networks (6 inputs, batch 4); the
// optimizers vary across cases so that each of torch.optim's rules is met once. Every float32 model has a float64 twin
// (suffix 64) checked at 1e-10.

// ---- Codes -------------------------------------------------------------------------------------------------------------

/// <summary>TopK(3) of 8 ReLU units; plain SGD (float32: the fused SGD path).</summary>
[Input(6)][Dense(8, Activation.Relu)][TopK(3)][Dense(6)]
public partial class ScTopK;

/// <summary>TopK(4) of 8 tanh units (kept values of either sign), an L2 activity penalty on the code, a sigmoid output; Nesterov.</summary>
[Model(Optimizer = Optimizer.Nesterov, LearningRate = 0.05)]
[Input(6)][Dense(8, Activation.Tanh)][TopK(4)][ActivityL2(0.05)][Dense(6, Activation.Sigmoid)]
public partial class ScTopKTanh;

/// <summary>BatchTopK: 2·B of the batch's 8·B pre-activations; momentum; two steps for the threshold's moving average.</summary>
[Model(Optimizer = Optimizer.Momentum, LearningRate = 0.05)]
[Input(6)][Dense(8, Activation.Relu)][TopK(2, Batch = true)][Dense(6)]
public partial class ScBatchTopK;

/// <summary>TopK(2) of 10 with AuxK(3) on the units that did not fire in the last 8 samples; half squared error.</summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(6)][Dense(10, Activation.Relu)][TopK(2)][AuxK(3, Coefficient = 0.5, DeadAfterSamples = 8)][Dense(6)]
public partial class ScAuxK;

/// <summary>JumpReLU with its L0 penalty and an L1 activity penalty (both reach the thresholds); AdamW.</summary>
[Model(Optimizer = Optimizer.AdamW, LearningRate = 0.01)]
[Input(6)][Dense(8, Activation.JumpRelu, InitialThreshold = 0.1, Bandwidth = 0.2)][L0Penalty(0.05)][ActivityL1(0.02)][Dense(6)]
public partial class ScJumpRelu;

// ---- Constraints ---------------------------------------------------------------------------------------------------------

/// <summary>SGD: UnitNorm rows then MaxNorm columns; NonNeg then MinMaxNorm rows (rate 0.5); MaxNorm rows on the output.</summary>
[Model(LearningRate = 0.1)]
[Input(6)][Dense(8, Activation.Tanh)][UnitNorm][MaxNorm(0.7, Per = NormPer.Input)]
[Dense(5, Activation.Tanh)][NonNeg][MinMaxNorm(0.2, 0.6, Rate = 0.5)]
[Dense(6)][MaxNorm(0.5)]
public partial class ScConstraintsSgd;

/// <summary>Adam: UnitNorm columns; MinMaxNorm columns (rate 0.7) then NonNeg; MaxNorm columns on the output.</summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01)]
[Input(6)][Dense(8, Activation.Relu)][UnitNorm(Per = NormPer.Input)]
[Dense(5, Activation.Sigmoid)][MinMaxNorm(0.3, 0.8, Rate = 0.7, Per = NormPer.Input)][NonNeg]
[Dense(6)][MaxNorm(0.6, Per = NormPer.Input)]
public partial class ScConstraintsAdam;

/// <summary>OpenAI's decoder alone: unit-norm columns with the gradient's component along each column removed; SGD.</summary>
[Model(LearningRate = 0.1)]
[Input(6)][Dense(8, Activation.Relu)][Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class ScProjected;

// ---- Penalties, schedules, the update -------------------------------------------------------------------------------------

/// <summary>Anthropic's decoder-weighted L1; momentum.</summary>
[Model(Optimizer = Optimizer.Momentum)]
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WeightedByNextLayer = true)][Dense(6)]
public partial class ScWeightedL1;

/// <summary>An L1 coefficient warmed up over 4 steps and an L2 kernel penalty over 2; SGD (float32: the fused path).</summary>
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WarmupSteps = 4)][Dense(6)][KernelL2(0.01, WarmupSteps = 2)]
public partial class ScWarmup;

/// <summary>The pre-encoder bias x̃ = x − out.bias, an L1 activity penalty; Adam.</summary>
[Model(PreEncoderBias = true, Optimizer = Optimizer.Adam, LearningRate = 0.01)]
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.05)][Dense(6)]
public partial class ScPreBias;

/// <summary>The whole gradient clipped to norm 0.05 before each momentum update.</summary>
[Model(ClipGradientNorm = 0.05, Optimizer = Optimizer.Momentum)]
[Input(6)][Dense(8, Activation.Tanh)][Dense(6)]
public partial class ScClipped;

/// <summary>
/// An OpenAI-style TopK autoencoder: pre-encoder bias, TopK(3) of 12 with AuxK(4) on units silent for 8 samples,
/// unit-norm decoder columns with projected gradients, clipping at 0.5, Adam.
/// </summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, PreEncoderBias = true, ClipGradientNorm = 0.5)]
[Input(6)][Dense(12, Activation.Relu)][TopK(3)][AuxK(4, Coefficient = 0.25, DeadAfterSamples = 8)]
[Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class ScOpenAi;

// ---- Float64 twins -------------------------------------------------------------------------------------------------------

[Model(Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Relu)][TopK(3)][Dense(6)]
public partial class ScTopK64;

[Model(Optimizer = Optimizer.Nesterov, LearningRate = 0.05, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Tanh)][TopK(4)][ActivityL2(0.05)][Dense(6, Activation.Sigmoid)]
public partial class ScTopKTanh64;

[Model(Optimizer = Optimizer.Momentum, LearningRate = 0.05, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][TopK(2, Batch = true)][Dense(6)]
public partial class ScBatchTopK64;

[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)]
[Input(6)][Dense(10, Activation.Relu)][TopK(2)][AuxK(3, Coefficient = 0.5, DeadAfterSamples = 8)][Dense(6)]
public partial class ScAuxK64;

[Model(Optimizer = Optimizer.AdamW, LearningRate = 0.01, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.JumpRelu, InitialThreshold = 0.1, Bandwidth = 0.2)][L0Penalty(0.05)][ActivityL1(0.02)][Dense(6)]
public partial class ScJumpRelu64;

[Model(LearningRate = 0.1, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Tanh)][UnitNorm][MaxNorm(0.7, Per = NormPer.Input)]
[Dense(5, Activation.Tanh)][NonNeg][MinMaxNorm(0.2, 0.6, Rate = 0.5)]
[Dense(6)][MaxNorm(0.5)]
public partial class ScConstraintsSgd64;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][UnitNorm(Per = NormPer.Input)]
[Dense(5, Activation.Sigmoid)][MinMaxNorm(0.3, 0.8, Rate = 0.7, Per = NormPer.Input)][NonNeg]
[Dense(6)][MaxNorm(0.6, Per = NormPer.Input)]
public partial class ScConstraintsAdam64;

[Model(LearningRate = 0.1, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class ScProjected64;

[Model(Optimizer = Optimizer.Momentum, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WeightedByNextLayer = true)][Dense(6)]
public partial class ScWeightedL164;

[Model(Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WarmupSteps = 4)][Dense(6)][KernelL2(0.01, WarmupSteps = 2)]
public partial class ScWarmup64;

[Model(PreEncoderBias = true, Optimizer = Optimizer.Adam, LearningRate = 0.01, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.05)][Dense(6)]
public partial class ScPreBias64;

[Model(ClipGradientNorm = 0.05, Optimizer = Optimizer.Momentum, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Tanh)][Dense(6)]
public partial class ScClipped64;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, PreEncoderBias = true, ClipGradientNorm = 0.5, Precision = Precision.Float64)]
[Input(6)][Dense(12, Activation.Relu)][TopK(3)][AuxK(4, Coefficient = 0.25, DeadAfterSamples = 8)]
[Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class ScOpenAi64;
