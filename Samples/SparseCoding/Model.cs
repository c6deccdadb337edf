using System;
using Compiled;

namespace Samples.SparseCoding;

// Three dictionaries of 1024 atoms for 784-pixel images, each written the way its community writes it. The data loss
// is the same for all three (Loss.MeanSquaredError: the mean over pixels and rows of (y − t)², PyTorch's MSELoss), and so
// are the optimizer (Adam), learning rate, batch, images and epochs (Program.cs); the λ values were chosen by
// measurement so that the L1 and JumpReLU codes land near 32 active units per image, TopK(32)'s exact count (README.md).
// JumpReLU's InitialThreshold is 0.17, not SAELens' 0.01: in 1,170 Adam steps at 0.001 log θ moves by about 1 at most,
// so from 0.01 the thresholds stay far below the pre-activations (L0 ≈ 480 for every λ from 0.0003 to 0.01, measured).

/// <summary>
/// Anthropic's April-2024 recipe: ReLU code, L1 penalty on each activation weighted by the L2 norm of its decoder
/// column (λ·Σ|a_i|·‖W_dec[:, i]‖), ramped in over the first steps; no constraint on the decoder.
/// </summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.001)]
[Input(784)]
[Dense(1024, Activation.Relu)]
[ActivityL1(0.001, WeightedByNextLayer = true, WarmupSteps = 200)]
[Dense(784)]
public partial class L1Coder;

/// <summary>
/// OpenAI's recipe (Gao et al. 2024): pre-encoder bias initialized at the geometric median, TopK(32) code, AuxK loss for
/// units dead for 20,000 samples, decoder columns of unit norm with their gradient projected, gradient clipping.
/// </summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.001, PreEncoderBias = true, ClipGradientNorm = 1.0)]
[Input(784)]
[Dense(1024, Activation.Relu)]
[TopK(32)]
[AuxK(256, DeadAfterSamples = 20_000)]
[Dense(784)]
[UnitNorm(Per = NormPer.Input, ProjectGradient = true)]
public partial class TopKCoder;

/// <summary>
/// SAELens' recipe: JumpReLU code (a learned threshold per unit, straight-through gradients with a rectangle kernel of
/// bandwidth ε), L0 penalty λ·(active units per row) reaching the thresholds, ramped in over the first steps.
/// </summary>
[Model(Optimizer = Optimizer.Adam, LearningRate = 0.001)]
[Input(784)]
[Dense(1024, Activation.JumpRelu, InitialThreshold = 0.17, Bandwidth = 0.05)]
[L0Penalty(0.0003, WarmupSteps = 200)]
[Dense(784)]
public partial class JumpReluCoder;

/// <summary>What Program.cs needs of each dictionary: the three generated classes have the same members, typed per model.</summary>
internal interface ICoder
{
    /// <summary>The method's name in the tables.</summary>
    string Method { get; }

    /// <summary>The sparsity coefficient and what it weighs ("" for TopK, whose sparsity is exact).</summary>
    string Sparsity { get; }

    int MaxBatch { get; }
    int Threads { get; set; }
    float LearningRate { get; set; }

    /// <summary>The firing telemetry's window in training samples (LastSparsity's Hid1Firing).</summary>
    int DeadWindowSamples { get; set; }

    /// <summary>Whatever the recipe does before the first step; returns a line saying what it did, or null.</summary>
    string? Prepare(Compiled.Data.Dataset train);

    float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch);

    /// <summary>The last step's data term (MSE) and sparsity term (L1, L0 or AuxK).</summary>
    (float Data, float Penalty) LastTerms { get; }

    /// <summary>The code of the last batch whose loss was computed, and the last completed training firing window.</summary>
    (Compiled.ActivitySparsity Code, Compiled.FiringWindow Firing) LastCode { get; }

    /// <summary>One batch through Evaluate (inputs as targets): its data term; the code is then in Hid1Activations and LastCode.</summary>
    float EvaluateBatch(ReadOnlySpan<float> inputs, int batch);

    /// <summary>The whole dataset through Evaluate(data): the data term and LastReconstruction.</summary>
    (float Data, Compiled.ReconstructionQuality Quality) EvaluateAll(Compiled.Data.Dataset data);

    ReadOnlySpan<float> Hid1Activations { get; }

    /// <summary>The decoder, out.weight [784, 1024]: column i is atom i.</summary>
    Span<float> Decoder { get; }

    /// <summary>The encoder, hid1.weight [1024, 784], and its bias [1024].</summary>
    Span<float> Encoder { get; }
    Span<float> EncoderBias { get; }

    void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batch);
}

public partial class L1Coder : ICoder
{
    string ICoder.Method => "ReLU + L1";
    string ICoder.Sparsity => $"λ = {Regularization.Hid1ActivityL1} on Σ|a_i|·‖d_i‖";
    string? ICoder.Prepare(Compiled.Data.Dataset train) => null;
    (float, float) ICoder.LastTerms => (LastLoss.Data, LastLoss.Hid1ActivityL1);
    (Compiled.ActivitySparsity, Compiled.FiringWindow) ICoder.LastCode => (LastSparsity.Hid1, LastSparsity.Hid1Firing);
    float ICoder.EvaluateBatch(ReadOnlySpan<float> inputs, int batch) => Evaluate(inputs, inputs, batch).Data;
    (float, Compiled.ReconstructionQuality) ICoder.EvaluateAll(Compiled.Data.Dataset data) => (Evaluate(data).Data, LastReconstruction);
    Span<float> ICoder.Decoder => OutWeight;
    Span<float> ICoder.Encoder => Hid1Weight;
    Span<float> ICoder.EncoderBias => Hid1Bias;
}

public partial class TopKCoder : ICoder
{
    string ICoder.Method => "TopK(32)";
    string ICoder.Sparsity => "k = 32 (AuxK on dead units)";
    string? ICoder.Prepare(Compiled.Data.Dataset train)
    {
        int iterations = InitializePreEncoderBias(train);
        return $"pre-encoder bias = the geometric median of the first {Math.Min(train.Count, 10000):N0} training images ({iterations} Weiszfeld iterations)";
    }
    (float, float) ICoder.LastTerms => (LastLoss.Data, LastLoss.Hid1AuxK);
    (Compiled.ActivitySparsity, Compiled.FiringWindow) ICoder.LastCode => (LastSparsity.Hid1, LastSparsity.Hid1Firing);
    float ICoder.EvaluateBatch(ReadOnlySpan<float> inputs, int batch) => Evaluate(inputs, inputs, batch).Data;
    (float, Compiled.ReconstructionQuality) ICoder.EvaluateAll(Compiled.Data.Dataset data) => (Evaluate(data).Data, LastReconstruction);
    Span<float> ICoder.Decoder => OutWeight;
    Span<float> ICoder.Encoder => Hid1Weight;
    Span<float> ICoder.EncoderBias => Hid1Bias;
}

public partial class JumpReluCoder : ICoder
{
    string ICoder.Method => "JumpReLU + L0";
    string ICoder.Sparsity => $"λ = {Regularization.Hid1L0} on L0";
    string? ICoder.Prepare(Compiled.Data.Dataset train) => null;
    (float, float) ICoder.LastTerms => (LastLoss.Data, LastLoss.Hid1L0);
    (Compiled.ActivitySparsity, Compiled.FiringWindow) ICoder.LastCode => (LastSparsity.Hid1, LastSparsity.Hid1Firing);
    float ICoder.EvaluateBatch(ReadOnlySpan<float> inputs, int batch) => Evaluate(inputs, inputs, batch).Data;
    (float, Compiled.ReconstructionQuality) ICoder.EvaluateAll(Compiled.Data.Dataset data) => (Evaluate(data).Data, LastReconstruction);
    Span<float> ICoder.Decoder => OutWeight;
    Span<float> ICoder.Encoder => Hid1Weight;
    Span<float> ICoder.EncoderBias => Hid1Bias;
}
