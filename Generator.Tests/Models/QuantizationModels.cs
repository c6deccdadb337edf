using Compiled;

namespace Compiled.Tests.Models;

// Models for the int8 tests (Behaviour/QuantizedModelTests.cs, Behaviour/QuantizedAccuracyTests.cs).

/// <summary>A Fashion-MNIST classifier: 784 → 256 relu → 10 softmax.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, LearningRate = 0.1)]
[Input(784)]
[Dense(256, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class FashionClassifier;

/// <summary>Three layers of odd widths, every row-tile and block remainder at once: 37 → 45 tanh → 19 elu → 3 sigmoid.</summary>
[Input(37)]
[Dense(45, Activation.Tanh)]
[Dense(19, Activation.Elu, Alpha = 0.7)]
[Dense(3, Activation.Sigmoid)]
public partial class OddWidths;

/// <summary>The seed network as the SparseAutoencoder sample declares and trains it (Ng's ½‖y − t‖², ActivityL1(0.1)).</summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]
[Dense(784, Activation.Sigmoid)]
public partial class SeedSparseAutoencoder;
