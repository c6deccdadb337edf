using Compiled;

namespace Compiled.Tests.Models;

// ---- Sparse coding: TopK and BatchTopK codes, AuxK, JumpReLU + L0, constraints, decoder-weighted L1, warm-up,
// ---- gradient clipping, the pre-encoder bias. Small shapes for finite differences; each with a float64 twin.

/// <summary>A TopK(3) code over 8 ReLU units.</summary>
[Input(6)][Dense(8, Activation.Relu)][TopK(3)][Dense(6)]
public partial class TopKCoder;

[Model(Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Relu)][TopK(3)][Dense(6)]
public partial class TopKCoder64;

/// <summary>TopK on a tanh code (every unit non-zero before the mask).</summary>
[Model(Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Tanh)][TopK(4)][ActivityL2(0.05)][Dense(6, Activation.Sigmoid)]
public partial class TopKTanh64;

/// <summary>BatchTopK: 2·B of the batch's 8·B activations.</summary>
[Input(6)][Dense(8, Activation.Relu)][TopK(2, Batch = true)][Dense(6)]
public partial class BatchTopKCoder;

[Model(Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Relu)][TopK(2, Batch = true)][Dense(6)]
public partial class BatchTopKCoder64;

/// <summary>TopK with the AuxK loss on units dead after 4 samples.</summary>
[Model(Loss = Loss.HalfSquaredError)][Input(6)][Dense(10, Activation.Relu)][TopK(2)][AuxK(3, DeadAfterSamples = 4)][Dense(6)]
public partial class AuxKCoder;

[Model(Loss = Loss.HalfSquaredError, Precision = Precision.Float64)][Input(6)][Dense(10, Activation.Relu)][TopK(2)][AuxK(3, DeadAfterSamples = 4)][Dense(6)]
public partial class AuxKCoder64;

/// <summary>JumpReLU with its L0 penalty.</summary>
[Input(6)][Dense(8, Activation.JumpRelu, InitialThreshold = 0.1, Bandwidth = 0.2)][L0Penalty(0.05)][Dense(6)]
public partial class JumpReluCoder;

[Model(Precision = Precision.Float64)][Input(6)][Dense(8, Activation.JumpRelu, InitialThreshold = 0.1, Bandwidth = 0.2)][L0Penalty(0.05)][ActivityL1(0.02)][Dense(6)]
public partial class JumpReluCoder64;

/// <summary>Every constraint: unit-norm rows, max-norm columns, non-negative weights, min-max norms; OpenAI's decoder.</summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01)]
[Input(6)][Dense(8, Activation.Relu)][UnitNorm][MaxNorm(0.7, Per = NormPer.Input)]
[Dense(5, Activation.Tanh)][NonNeg][MinMaxNorm(0.2, 0.6, Rate = 0.5)]
[Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class ConstrainedCoder;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, Precision = Precision.Float64)]
[Input(6)][Dense(8, Activation.Relu)][UnitNorm][MaxNorm(0.7, Per = NormPer.Input)]
[Dense(5, Activation.Tanh)][NonNeg][MinMaxNorm(0.2, 0.6, Rate = 0.5)]
[Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class ConstrainedCoder64;

/// <summary>Anthropic's decoder-weighted L1.</summary>
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WeightedByNextLayer = true)][Dense(6)]
public partial class WeightedL1Coder;

[Model(Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WeightedByNextLayer = true)][Dense(6)]
public partial class WeightedL1Coder64;

/// <summary>An L1 coefficient warmed up over 4 steps.</summary>
[Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.1, WarmupSteps = 4)][Dense(6)][KernelL2(0.01, WarmupSteps = 2)]
public partial class WarmupCoder;

/// <summary>Gradient clipping at norm 0.05.</summary>
[Model(ClipGradientNorm = 0.05, Optimizer = Optimizer.Momentum)][Input(6)][Dense(8, Activation.Tanh)][Dense(6)]
public partial class ClippedCoder;

[Model(ClipGradientNorm = 0.05, Optimizer = Optimizer.Momentum, Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Tanh)][Dense(6)]
public partial class ClippedCoder64;

/// <summary>The pre-encoder bias: x̃ = x − out.bias.</summary>
[Model(PreEncoderBias = true)][Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.05)][Dense(6)]
public partial class PreBiasCoder;

[Model(PreEncoderBias = true, Precision = Precision.Float64)][Input(6)][Dense(8, Activation.Relu)][ActivityL1(0.05)][Dense(6)]
public partial class PreBiasCoder64;

/// <summary>An OpenAI-style TopK autoencoder: pre-encoder bias, TopK + AuxK, unit-norm decoder columns with projected gradients, Adam, clipping.</summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, PreEncoderBias = true, ClipGradientNorm = 1.0)]
[Input(6)][Dense(12, Activation.Relu)][TopK(3)][AuxK(4, DeadAfterSamples = 4)]
[Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class OpenAiCoder;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, PreEncoderBias = true, ClipGradientNorm = 1.0, Precision = Precision.Float64)]
[Input(6)][Dense(12, Activation.Relu)][TopK(3)][AuxK(4, DeadAfterSamples = 4)]
[Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class OpenAiCoder64;

// ---- Sparse kernels (issue 18): codes wide enough to list, each with a float64 twin on the dense kernels ----------

/// <summary>A ReLU + L1 code of 96 units, sparse once trained (or with a negative bias).</summary>
[Input(20)][Dense(96, Activation.Relu)][ActivityL1(0.05)][Dense(20)]
public partial class SparseRelu;

[Model(Precision = Precision.Float64)][Input(20)][Dense(96, Activation.Relu)][ActivityL1(0.05)][Dense(20)]
public partial class SparseRelu64;

/// <summary>TopK(6) of 128 units (4.7 % active) with AuxK, and a second hidden layer reading the code.</summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01)]
[Input(24)][Dense(128, Activation.Relu)][TopK(6)][Dense(32, Activation.Tanh)][KernelL2(0.001)][Dense(24)]
public partial class SparseTopK;

[Model(Optimizer = Optimizer.Adam, LearningRate = 0.01, Precision = Precision.Float64)]
[Input(24)][Dense(128, Activation.Relu)][TopK(6)][Dense(32, Activation.Tanh)][KernelL2(0.001)][Dense(24)]
public partial class SparseTopK64;

/// <summary>JumpReLU over 64 units with thresholds high enough to leave few active (its delta stays dense).</summary>
[Input(16)][Dense(64, Activation.JumpRelu, InitialThreshold = 0.8)][L0Penalty(0.01)][Dense(16)]
public partial class SparseJumpRelu;

[Model(Precision = Precision.Float64)][Input(16)][Dense(64, Activation.JumpRelu, InitialThreshold = 0.8)][L0Penalty(0.01)][Dense(16)]
public partial class SparseJumpRelu64;

/// <summary>A TopK code with AuxK and plain SGD (fused steps through the sparse kernels).</summary>
[Model(LearningRate = 0.05)][Input(24)][Dense(128, Activation.Relu)][TopK(4)][Dense(24)]
public partial class SparseTopKSgd;

[Model(LearningRate = 0.05, Precision = Precision.Float64)][Input(24)][Dense(128, Activation.Relu)][TopK(4)][Dense(24)]
public partial class SparseTopKSgd64;
