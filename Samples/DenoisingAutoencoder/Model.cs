using Compiled;

namespace Samples.DenoisingAutoencoder;

/// <summary>
/// A denoising autoencoder with a tied decoder (theanets' and Keras' classic): Gaussian noise on the input in training
/// only, the clean image as the target; 784 → 256 relu → tied sigmoid (the decoder is the encoder's weights transposed,
/// with a bias of its own). Binary cross-entropy from the logits, Adam.
/// </summary>
[Model(Loss = Loss.BinaryCrossEntropy, Optimizer = Optimizer.Adam, LearningRate = 0.001)]
[Input(784)]
[GaussianNoise(0.5)]
[Dense(256, Activation.Relu)]
[Tied(Activation.Sigmoid)]
public partial class DenoisingAutoencoder;

/// <summary>The same network trained on clean inputs: what the denoising one is measured against.</summary>
[Model(Loss = Loss.BinaryCrossEntropy, Optimizer = Optimizer.Adam, LearningRate = 0.001)]
[Input(784)]
[Dense(256, Activation.Relu)]
[Tied(Activation.Sigmoid)]
public partial class PlainAutoencoder;
