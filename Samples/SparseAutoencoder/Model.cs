using Compiled;

namespace Samples.SparseAutoencoder;

/// <summary>
/// The seed network: 784 → 400 tanh with an L1 activity penalty → 784 sigmoid, SGD. The data term is Ng's per-sample
/// ½‖y − t‖² (summed over the 784 pixels, averaged over the batch), which keeps λ = 0.1 on the 400 hidden units in
/// proportion to it. With a mean over the pixels instead (PyTorch's MSELoss, Loss.MeanSquaredError) the data term is
/// 392× smaller and the same λ drowns it: the code then stops tracking the input (docs/regularizers.md).
/// </summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]                 // sparse hidden code, as in Ng's sparse autoencoder
[Dense(784, Activation.Sigmoid)]
public partial class SparseAutoencoder;
