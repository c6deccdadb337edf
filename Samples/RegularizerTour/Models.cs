using Compiled;

namespace Samples.RegularizerTour;

// The same network five times — 8 inputs → 4 tanh → 8 linear, MSE — differing only in the regularizer on the hidden
// layer. Same seed, same sizes: the same initial weights, so every difference in the loss is the regularizer's.

/// <summary>No regularizer: the baseline.</summary>
[Input(8)]
[Dense(4, Activation.Tanh)]
[Dense(8)]
public partial class Plain;

/// <summary>Keras <c>Dense(4, kernel_regularizer=L1(0.1))</c>: λ·Σ|W| over the weight matrix, no batch division.</summary>
[Input(8)]
[Dense(4, Activation.Tanh)]
[KernelL1(0.1)]
[Dense(8)]
public partial class OnKernel;

/// <summary>Keras <c>Dense(4, activity_regularizer=L1(0.1))</c> followed by <c>Activation("tanh")</c>: λ·Σ|z|/B on the pre-activation.</summary>
[Input(8)]
[Dense(4, Activation.Tanh)]
[ActivityL1(0.1, On = ActivityOn.PreActivation)]
[Dense(8)]
public partial class OnPreActivation;

/// <summary>Keras <c>Dense(4, "tanh", activity_regularizer=L1(0.1))</c>: λ·Σ|a|/B on the output (the seed's choice).</summary>
[Input(8)]
[Dense(4, Activation.Tanh)]
[ActivityL1(0.1)]
[Dense(8)]
public partial class OnActivity;

/// <summary>
/// L1 on a tensor that no parameter produces — Keras' <c>L1(0.1)(x)</c> called on the input. Written as an identity
/// layer (weights set to I, biases to 0 by the sample) whose output carries the penalty, undivided (Scaling.Sum) the way
/// the direct call computes it.
/// </summary>
[Input(8)]
[Dense(8)]
[ActivityL1(0.1, Scaling = Scaling.Sum)]
public partial class OnInputTensor;

/// <summary>The same identity layer with the default scaling: what a Dense layer's activity_regularizer adds in tf.keras 2.</summary>
[Input(8)]
[Dense(8)]
[ActivityL1(0.1)]
public partial class OnInputTensorBatchMean;
