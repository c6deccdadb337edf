using Compiled;

namespace Samples.Perceptron;

/// <summary>
/// The seed's single-layer perceptron: 784 pixels → 10 ReLU outputs, one per class, trained with MSE against one-hot
/// targets, with an L1 penalty λ·Σ|W| on the weights (Keras kernel_regularizer=L1(λ)). The gradient form: SGD adds
/// λ·sign(w), so weights hover around zero but rarely land on it.
/// </summary>
[Model(LearningRate = 0.05)]
[Input(784)]
[Dense(10, Activation.Relu)]
[KernelL1(0.0001)]
public partial class Perceptron;

/// <summary>
/// The same perceptron with the proximal form of the penalty: after each SGD step the weights are soft-thresholded,
/// w ← sign(w)·max(|w| − lr·λ, 0), which sets every weight the data does not support to exactly zero.
/// </summary>
[Model(LearningRate = 0.05)]
[Input(784)]
[Dense(10, Activation.Relu)]
[KernelL1(0.0001, Proximal = true)]
public partial class ProximalPerceptron;

/// <summary>
/// For comparison: the same single layer as a softmax classifier trained with cross-entropy on the class labels,
/// with the proximal L1 penalty. Softmax outputs cannot die the way ReLU outputs can.
/// </summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, LearningRate = 0.05)]
[Input(784)]
[Dense(10, Activation.Softmax)]
[KernelL1(0.0001, Proximal = true)]
public partial class SoftmaxClassifier;
