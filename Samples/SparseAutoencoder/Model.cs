using Compiled;

namespace Samples.SparseAutoencoder;

/// <summary>The seed network: 784 → 400 tanh with an L1 activity penalty → 784 sigmoid, mean squared error, SGD.</summary>
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]                 // sparse hidden code, as in Ng's sparse autoencoder
[Dense(784, Activation.Sigmoid)]
public partial class SparseAutoencoder;
