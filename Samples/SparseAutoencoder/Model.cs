using Compiled;

namespace Samples.SparseAutoencoder;

/// <summary>
/// The seed network: 784 → 400 tanh with an L1 activity penalty → 784 sigmoid. The data term is Ng's per-sample
/// ½‖y − t‖² (summed over the 784 pixels, averaged over the batch), which keeps λ = 0.1 on the 400 hidden units in
/// proportion to it. With a mean over the pixels instead (PyTorch's MSELoss, Loss.MeanSquaredError) the data term is
/// 392× smaller and the same λ drowns it: the code then stops tracking the input (docs/regularizers.md).
/// </summary>
/// <remarks>
/// The training recipe was chosen by measurement (the table in Samples/SparseAutoencoder/README.md): SGD with heavy-ball
/// momentum 0.9 at learning rate 0.01 makes the used units learn stroke- and garment-like features within three epochs
/// of the 60,000 Fashion-MNIST images, and Ng's weight decay (λ/2)·ΣW² with λ = 0.003 removes the initial noise
/// that gradients from images never reach (plain SGD at 0.01 over 10,000 images leaves the features mostly noise).
/// Both are tunable at run time (<c>Momentum</c>, <c>Regularization.WeightDecay</c>); momentum 0 is plain SGD.
/// </remarks>
[Model(Loss = Loss.HalfSquaredError, Optimizer = Optimizer.Momentum, Momentum = 0.9)]
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]                 // sparse hidden code, as in Ng's sparse autoencoder
[Dense(784, Activation.Sigmoid)]
[WeightDecay(0.003)]
public partial class SparseAutoencoder;
