using System;
using System.Globalization;
using Samples.RegularizerTour;

// The three Keras ways to put an L1 penalty on a network, side by side on one fixed batch: on the input tensor, on a
// layer's kernel, and on a layer's activity (before or after the activation). Prints what each adds to the loss and
// which parameters its gradient reaches.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
const int Batch = 4, Seed = 7;

// ---- 1. On a tensor: the Keras documentation's example, l1(0.1) on a (2, 2, 4) tensor of 3s ----------------------
Console.WriteLine("1. L1(0.1) on a tensor: the (2, 2, 4) tensor of 3s from the Keras documentation, as 2 rows of 8.");
float[] threes = new float[16];
Array.Fill(threes, 3f);
var direct = new OnInputTensor(maxBatch: 2, seed: Seed);
var divided = new OnInputTensorBatchMean(maxBatch: 2, seed: Seed);
Identity(direct.OutWeight, direct.OutBias);
Identity(divided.OutWeight, divided.OutBias);
float sum = direct.Evaluate(threes, threes, 2).OutActivityL1;
float mean = divided.Evaluate(threes, threes, 2).OutActivityL1;
Console.WriteLine($"   called directly, 0.1·Σ|x| = 0.1 · 16 · 3       = {sum:F4}   (Scaling.Sum; Keras 2.2, Keras 3.0–3.13, the PyTorch seed)");
Console.WriteLine($"   as a layer's activity_regularizer, ÷ batch 2   = {mean:F4}   (Scaling.BatchMean; tf.keras 2.x, Keras ≥ 3.14)");
Console.WriteLine("   No parameter produces the input, so this term is a constant: it changes the reported loss, never a gradient.");
if (Math.Abs(sum - 4.8f) > 1e-5f || Math.Abs(mean - 2.4f) > 1e-5f)
{
    Console.Error.WriteLine($"Expected the Keras documentation's 4.8 and 2.4, got {sum} and {mean}.");
    return 1;
}
Console.WriteLine();

// ---- 2. The same network, regularized three ways, on one fixed batch ------------------------------------------------
float[] x = new float[Batch * 8], t = new float[Batch * 8];
ulong state = 2024;
for (int i = 0; i < x.Length; i++) { x[i] = Uniform(ref state) * 2 - 1; t[i] = Uniform(ref state) * 2 - 1; }

var plain = new Plain(Batch, Seed);
var kernel = new OnKernel(Batch, Seed);
var pre = new OnPreActivation(Batch, Seed);
var post = new OnActivity(Batch, Seed);
Console.WriteLine($"2. 8 → 4 tanh → 8, MSE, the same initial weights (seed {Seed}) and one fixed batch of {Batch}; L1(0.1) on the hidden layer:");
Console.Write(post.Summary());
Console.WriteLine();

float basePlain = plain.ComputeGradients(x, t, Batch);
float[] g0 = plain.Gradients.ToArray();
Row("none", basePlain, 0, plain.Gradients, g0);
Row("kernel      λ·Σ|W|", kernel.ComputeGradients(x, t, Batch), kernel.LastLoss.Hid1KernelL1, kernel.Gradients, g0);
Row("pre-act.    λ·Σ|z|/B", pre.ComputeGradients(x, t, Batch), pre.LastLoss.Hid1ActivityL1Pre, pre.Gradients, g0);
Row("activity    λ·Σ|a|/B", post.ComputeGradients(x, t, Batch), post.LastLoss.Hid1ActivityL1, post.Gradients, g0);
Console.WriteLine();
Console.WriteLine("""
   When to use which:
   - Kernel L1 (KernelL1, or theanets WeightL1) makes the weights sparse: inputs a unit does not need are cut off.
     It does not depend on the data or the batch size. Use Proximal = true to get exact zeros.
   - Activity L1 after the activation (ActivityL1, the seed's choice) makes the code sparse: for each input only a few
     hidden units are active. This is the sparse autoencoder's penalty; with Scaling.Sum it grows with the batch size.
   - Activity L1 before the activation (On = ActivityOn.PreActivation) pushes z towards 0, i.e. tanh towards its linear
     region and sigmoid towards 0.5 — rarely what is wanted for sparsity with those; with Linear or ReLU it matches
     the post-activation penalty where the unit is on.
   - L1 on an input tensor is a constant. It reports a number and trains nothing.
   Frameworks divide "the same" λ differently (by B, by B·U, by the number of layers): docs/regularizers.md.
""");
return 0;

static void Row(string name, float total, float term, ReadOnlySpan<float> gradients, float[] baseline)
{
    // Which parameters the term's gradient reaches: the layers' tensors where the gradient differs from the baseline.
    int changed1 = 0, changed2 = 0;
    int hid1 = 8 * 4 + 4;
    for (int i = 0; i < gradients.Length; i++)
        if (gradients[i] != baseline[i]) { if (i < hid1) changed1++; else changed2++; }
    Console.WriteLine($"   {name,-22} adds {term,8:F4}  total {total,8:F4}   gradient changed on {changed1,2}/{hid1} hid1 and {changed2,2}/{gradients.Length - hid1} out parameters");
}

static void Identity(Span<float> weight, Span<float> bias)
{
    weight.Clear();
    bias.Clear();
    for (int i = 0; i < 8; i++) weight[i * 8 + i] = 1;
}

static float Uniform(ref ulong state)
{
    ulong z = state += 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return ((z ^ (z >> 31)) >> 40) * (1f / (1 << 24));
}
