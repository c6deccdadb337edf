using Compiled;

namespace Compiled.Benchmarks;

/// <summary>The seed network, as in the PyTorch reference: 784 → 400 tanh, L1Penalty(0.1) (summed) → 784 sigmoid, MSE, SGD 0.01.</summary>
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1, Scaling = Scaling.Sum)]
[Dense(784, Activation.Sigmoid)]
public partial class SeedAutoencoder;

/// <summary>The SimpleChains.jl benchmark shape: 4 → 32 tanh → 16 tanh → 4, MSE, SGD 0.01.</summary>
[Input(4)]
[Dense(32, Activation.Tanh)]
[Dense(16, Activation.Tanh)]
[Dense(4)]
public partial class TinyMlp;

/// <summary>SimpleChains.jl's README shape: 24 → 8 tanh → 2, MSE (its benchmark times the gradient of the loss, valgrad!).</summary>
[Input(24)]
[Dense(8, Activation.Tanh)]
[Dense(2)]
public partial class ReadmeMlp;

/// <summary>What a generated model's <c>Quantize()</c> does (docs/quantization.md), for the benchmarks.</summary>
public static class Quantized
{
    public static QuantizedModel Seed(SeedAutoencoder m, int maxBatch) => QuantizedModel.Create(
    [
        new QuantizedLayerSource("hid1", 784, 400, m.Hid1Weight.ToArray(), m.Hid1Bias.ToArray(), Activation.Tanh),
        new QuantizedLayerSource("out", 400, 784, m.OutWeight.ToArray(), m.OutBias.ToArray(), Activation.Sigmoid),
    ], maxBatch);
}

/// <summary>The seed network as the SparseAutoencoder sample trains it: Ng's ½‖y − t‖² per sample, ActivityL1(0.1).</summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1)]
[Dense(784, Activation.Sigmoid)]
public partial class SampleAutoencoder;

/// <summary>A Fashion-MNIST classifier: 784 → 256 relu → 10 softmax, SGD 0.1.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, LearningRate = 0.1)]
[Input(784)]
[Dense(256, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class FashionClassifier;

/// <summary>The seed network with [Dropout(0.2)] on its hidden code: the cost of a noise kind (bench "layer-kinds").</summary>
[Input(784)]
[Dense(400, Activation.Tanh)]
[ActivityL1(0.1, Scaling = Scaling.Sum)]
[Dropout(0.2)]
[Dense(784, Activation.Sigmoid)]
public partial class SeedDropout;

/// <summary>A tied autoencoder 784 → 256 relu → tied sigmoid, against the untied one below.</summary>
[Input(784)]
[Dense(256, Activation.Relu)]
[Tied(Activation.Sigmoid)]
public partial class TiedAutoencoder;

/// <summary>The same autoencoder with its own decoder weights.</summary>
[Input(784)]
[Dense(256, Activation.Relu)]
[Dense(784, Activation.Sigmoid)]
public partial class UntiedAutoencoder;

/// <summary>Issue 18's TopK SAE as bench/compare/sae_step.py writes it: 784 → 4096 ReLU, TopK(32) → 784 linear, MSE, Adam 1e-3.</summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.001)]
[Input(784)]
[Dense(4096, Activation.Relu)]
[TopK(32)]
[Dense(784)]
public partial class TopKSae;

/// <summary>Issue 18's ReLU + L1 SAE: 784 → 1024 ReLU, ActivityL1(0.001) (λ·Σ|a|/B, as l1·|z|.sum(-1).mean()) → 784, MSE, Adam 1e-3.</summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.001)]
[Input(784)]
[Dense(1024, Activation.Relu)]
[ActivityL1(0.001)]
[Dense(784)]
public partial class ReluL1Sae;
