using System;

namespace Compiled;

/// <summary>
/// A decoder tied to an earlier Dense layer (theanets <c>tied</c>): no weight matrix of its own, z = x·W_partner + b
/// (the partner's [out, in] weights used transposed), its own bias, output size = the partner's input size. The shared
/// W receives both layers' gradients. The partner is found as theanets does — walking back through the stack, so
/// <c>784 → 256 → 64 → tied → tied</c> mirrors itself — or named with <see cref="Partner"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TiedAttribute : Attribute
{
    /// <summary>A tied layer with <paramref name="activation"/>.</summary>
    public TiedAttribute(Activation activation = Activation.Linear) => Activation = activation;

    /// <summary>Activation applied to the pre-activation.</summary>
    public Activation Activation { get; }

    /// <summary>The name of the Dense layer whose weights it shares (default: found by walking back through the stack).</summary>
    public string? Partner { get; set; }

    /// <summary>Layer name (default <c>hid…</c> / <c>out</c>, counted with the other layers that have parameters).</summary>
    public string? Name { get; set; }

    /// <summary>The activation's parameter, as <see cref="DenseAttribute.Alpha"/>.</summary>
    public double Alpha { get; set; } = double.NaN;
}

/// <summary>
/// Inverted dropout on the output of the layer written above it (or on the input, written right after
/// <see cref="InputAttribute"/>), in training only: y = x·m/(1 − rate), m ~ Bernoulli(1 − rate) (Keras
/// <c>Dropout</c>, PyTorch <c>nn.Dropout</c>, theanets ≥ 2016). Predict and Evaluate are unaffected.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Drops each value with probability <paramref name="rate"/> in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of dropping a value.</summary>
    public double Rate { get; }
}

/// <summary>
/// Additive Gaussian noise on the output of the layer above (or on the input), in training only:
/// y = x + N(0, stddev²) (Keras <c>GaussianNoise</c>, theanets <c>*_noise</c>). On the input with the clean input as the
/// target, this is the denoising autoencoder.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianNoiseAttribute : Attribute
{
    /// <summary>Noise of standard deviation <paramref name="stddev"/> (≥ 0).</summary>
    public GaussianNoiseAttribute(double stddev) => Stddev = stddev;

    /// <summary>The standard deviation σ.</summary>
    public double Stddev { get; }
}

/// <summary>
/// Multiplicative Gaussian noise in training only: y = x·N(1, rate/(1 − rate)) (Keras <c>GaussianDropout</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GaussianDropoutAttribute : Attribute
{
    /// <summary>Noise whose variance is <paramref name="rate"/>/(1 − rate), rate in [0, 1).</summary>
    public GaussianDropoutAttribute(double rate) => Rate = rate;

    /// <summary>The drop rate the variance is derived from.</summary>
    public double Rate { get; }
}

/// <summary>
/// Alpha dropout for self-normalizing (SELU) networks, in training only, keeping mean and variance (Keras and PyTorch
/// <c>AlphaDropout</c>): dropped values become α' = −λα, then y = a·x' + b with a = ((1 − p)(1 + p·α'²))^−½,
/// b = −a·α'·p.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AlphaDropoutAttribute : Attribute
{
    /// <summary>Drops each value with probability <paramref name="rate"/> in [0, 1).</summary>
    public AlphaDropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of dropping a value.</summary>
    public double Rate { get; }
}

/// <summary>theanets <c>input_noise</c>: Gaussian noise of <see cref="Stddev"/> on the model's input, in training only.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputNoiseAttribute : Attribute
{
    /// <summary>Noise of standard deviation <paramref name="stddev"/> (≥ 0).</summary>
    public InputNoiseAttribute(double stddev) => Stddev = stddev;

    /// <summary>The standard deviation σ.</summary>
    public double Stddev { get; }
}

/// <summary>
/// theanets <c>hidden_noise</c>: Gaussian noise on the outputs matched by <see cref="Pattern"/> (default: every hidden
/// layer's output), in training only.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HiddenNoiseAttribute : Attribute
{
    /// <summary>Noise of standard deviation <paramref name="stddev"/> (≥ 0).</summary>
    public HiddenNoiseAttribute(double stddev) => Stddev = stddev;

    /// <summary>The standard deviation σ.</summary>
    public double Stddev { get; }

    /// <summary>fnmatch globs over layer output names (<c>hid1:out</c>, …), several separated by <c>,</c> or <c>;</c>.</summary>
    public string? Pattern { get; set; }
}

/// <summary>theanets <c>input_dropout</c>: inverted dropout of <see cref="Rate"/> on the model's input, in training only.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputDropoutAttribute : Attribute
{
    /// <summary>Drops each input value with probability <paramref name="rate"/> in [0, 1).</summary>
    public InputDropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of dropping a value.</summary>
    public double Rate { get; }
}

/// <summary>
/// theanets <c>hidden_dropout</c>: inverted dropout on the outputs matched by <see cref="Pattern"/> (default: every hidden
/// layer's output), in training only.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HiddenDropoutAttribute : Attribute
{
    /// <summary>Drops each value with probability <paramref name="rate"/> in [0, 1).</summary>
    public HiddenDropoutAttribute(double rate) => Rate = rate;

    /// <summary>The probability of dropping a value.</summary>
    public double Rate { get; }

    /// <summary>fnmatch globs over layer output names (<c>hid1:out</c>, …), several separated by <c>,</c> or <c>;</c>.</summary>
    public string? Pattern { get; set; }
}

/// <summary>
/// A contractive penalty on the Dense layer above (Rifai et al. 2011, or theanets' variant with
/// <see cref="Form"/> = <see cref="ContractiveForm.Theanets"/>), with exact gradients. See docs/regularizers.md.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ContractiveAttribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public ContractiveAttribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>Which penalty: Rifai's Jacobian norm (default) or theanets' coded variant.</summary>
    public ContractiveForm Form { get; set; } = ContractiveForm.Rifai;

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>
/// Keras <c>OrthogonalRegularizer</c> on the Dense layer above: the vectors of W are L2-normalized, P = their Gram
/// matrix without its diagonal, penalty factor·0.5·Σ|P| / (n(n − 1)/2). Keras' kernel is [in, out] and ours [out, in]:
/// <see cref="OrthogonalMode.PerInput"/> is Keras' <c>"rows"</c> (its default), <see cref="OrthogonalMode.PerUnit"/> its
/// <c>"columns"</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KernelOrthogonalAttribute : Attribute
{
    /// <summary>A penalty with factor <paramref name="factor"/> (≥ 0).</summary>
    public KernelOrthogonalAttribute(double factor) => Factor = factor;

    /// <summary>The factor.</summary>
    public double Factor { get; }

    /// <summary>Which vectors are compared (default: each input's outgoing weights, the columns of our W — Keras' default "rows").</summary>
    public OrthogonalMode Mode { get; set; } = OrthogonalMode.PerInput;

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}
