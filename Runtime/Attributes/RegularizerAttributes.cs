using System;

namespace Compiled;

/// <summary>
/// L1 activity penalty on the Dense layer written above it: λ·Σ|a|, scaled by <see cref="Scaling"/>
/// (default: divided by the batch size, as tf.keras 2 and Keras ≥ 3.14 do).
/// Its gradient λ·scale·sign(a) (sign(0) = 0) is fused into the layer's backward kernel.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivityL1Attribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public ActivityL1Attribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>Output (after the activation, default) or pre-activation.</summary>
    public ActivityOn On { get; set; } = ActivityOn.Output;

    /// <summary>How the sum is scaled: by 1/B (default), 1, or 1/(B·U).</summary>
    public Scaling Scaling { get; set; } = Scaling.BatchMean;

    /// <summary>
    /// Weigh each unit's |a| by the L2 norm of its outgoing weights in the next Dense layer (the decoder column):
    /// λ·(1/B)·Σ_b Σ_i |a_bi|·‖W_next[:, i]‖₂, Anthropic's April-2024 form, which unit-norm decoders otherwise enforce.
    /// The gradient reaches both a and W_next. Output activations, batch-mean scaling only.
    /// </summary>
    public bool WeightedByNextLayer { get; set; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>L2 activity penalty on the Dense layer above: λ·Σa², scaled by <see cref="Scaling"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivityL2Attribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public ActivityL2Attribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>Output (after the activation, default) or pre-activation.</summary>
    public ActivityOn On { get; set; } = ActivityOn.Output;

    /// <summary>How the sum is scaled: by 1/B (default), 1, or 1/(B·U).</summary>
    public Scaling Scaling { get; set; } = Scaling.BatchMean;

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>Keras <c>kernel_regularizer=L1(λ)</c> on the Dense layer above: λ·Σ|W| (no batch division).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KernelL1Attribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public KernelL1Attribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>
    /// Apply the L1 step as soft-thresholding after the optimizer update, w ← sign(w)·max(|w| − ηλ, 0), instead of
    /// adding the subgradient λ·sign(w): this produces exact zeros.
    /// </summary>
    public bool Proximal { get; set; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>Keras <c>kernel_regularizer=L2(λ)</c> on the Dense layer above: λ·ΣW² (gradient 2λW).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KernelL2Attribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public KernelL2Attribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>Keras <c>bias_regularizer=L1(λ)</c> on the Dense layer above: λ·Σ|b|.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BiasL1Attribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public BiasL1Attribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>Keras <c>bias_regularizer=L2(λ)</c> on the Dense layer above: λ·Σb².</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BiasL2Attribute : Attribute
{
    /// <summary>A penalty with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public BiasL2Attribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>
/// Ng's KL-divergence sparsity on the Dense layer above: β·Σ_j KL(ρ‖ρ̂_j), ρ̂_j = batch mean of unit j.
/// On a sigmoid layer ρ̂ is the plain mean; on a tanh layer the rescaled ρ̂' = (1 + ρ̂)/2 is used.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class KlSparsityAttribute : Attribute
{
    /// <summary>Target activation <paramref name="rho"/> in (0, 1), weight <paramref name="beta"/> (≥ 0).</summary>
    public KlSparsityAttribute(double rho, double beta)
    {
        Rho = rho;
        Beta = beta;
    }

    /// <summary>The target mean activation ρ.</summary>
    public double Rho { get; }

    /// <summary>The weight β.</summary>
    public double Beta { get; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>Ng's weight decay (λ/2)·ΣW² over every Dense weight matrix of the model; biases are not decayed.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WeightDecayAttribute : Attribute
{
    /// <summary>Decay with coefficient <paramref name="lambda"/> (≥ 0).</summary>
    public WeightDecayAttribute(double lambda) => Lambda = lambda;

    /// <summary>The coefficient λ.</summary>
    public double Lambda { get; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>
/// theanets <c>hidden_l1</c>: λ·(1/K)·Σ_k mean(|a_k|) over the K layer outputs matched by <see cref="Pattern"/>
/// (default: every hidden layer's <c>:out</c>). Each mean runs over batch and units.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HiddenL1Attribute : Attribute
{
    /// <summary>A penalty with weight <paramref name="lambda"/> (≥ 0).</summary>
    public HiddenL1Attribute(double lambda) => Lambda = lambda;

    /// <summary>The weight λ.</summary>
    public double Lambda { get; }

    /// <summary>fnmatch globs over output names (<c>hid1:out</c>, <c>hid2:pre</c>, …), several separated by <c>,</c> or <c>;</c> and OR-ed.</summary>
    public string? Pattern { get; set; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>theanets <c>weight_l1</c>: λ·(1/K)·Σ_k mean(|W_k|) over the matched weight matrices (biases never).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WeightL1Attribute : Attribute
{
    /// <summary>A penalty with weight <paramref name="lambda"/> (≥ 0).</summary>
    public WeightL1Attribute(double lambda) => Lambda = lambda;

    /// <summary>The weight λ.</summary>
    public double Lambda { get; }

    /// <summary>fnmatch globs over parameter names (<c>hid1.w</c>, <c>out.w</c>, …); default <c>*</c>.</summary>
    public string? Pattern { get; set; }

    /// <summary>Apply as soft-thresholding after the optimizer update (exact zeros). See <see cref="KernelL1Attribute.Proximal"/>.</summary>
    public bool Proximal { get; set; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}

/// <summary>theanets <c>weight_l2</c>: λ·(1/K)·Σ_k mean(W_k²) over the matched weight matrices (biases never).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WeightL2Attribute : Attribute
{
    /// <summary>A penalty with weight <paramref name="lambda"/> (≥ 0).</summary>
    public WeightL2Attribute(double lambda) => Lambda = lambda;

    /// <summary>The weight λ.</summary>
    public double Lambda { get; }

    /// <summary>fnmatch globs over parameter names (<c>hid1.w</c>, <c>out.w</c>, …); default <c>*</c>.</summary>
    public string? Pattern { get; set; }

    /// <summary>
    /// Steps over which the coefficient ramps linearly from 0 to its value: step s (counted from 0, the first step)
    /// uses λ·min(s / WarmupSteps, 1), as dictionary_learning's sparsity warm-up; 0 (default) means no ramp.
    /// The model's <c>Regularization</c> shows the current effective value.
    /// </summary>
    public int WarmupSteps { get; set; }
}
