using System;

namespace Compiled;

/// <summary>Declares the model's input width. Exactly one per model; it must come before the first <see cref="DenseAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares an input of <paramref name="size"/> features.</summary>
    public InputAttribute(int size) => Size = size;

    /// <summary>Number of input features.</summary>
    public int Size { get; }
}

/// <summary>
/// A fully connected layer z = xWᵀ + b, a = activation(z). Layers apply in source order. Regularizer attributes
/// written after a Dense attribute (and before the next one) attach to it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>A layer of <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units, Activation activation = Activation.Linear)
    {
        Units = units;
        Activation = activation;
    }

    /// <summary>Number of output units.</summary>
    public int Units { get; }

    /// <summary>Activation applied to the pre-activation.</summary>
    public Activation Activation { get; }

    /// <summary>Layer name (theanets convention: <c>hid1</c>, <c>hid2</c>, …, <c>out</c> when not set).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The activation's parameter: the negative slope of <see cref="Compiled.Activation.LeakyRelu"/> (default 0.01) or
    /// the scale of <see cref="Compiled.Activation.Elu"/> (default 1). Not valid for other activations.
    /// </summary>
    public double Alpha { get; set; } = double.NaN;

    /// <summary>
    /// <see cref="Compiled.Activation.JumpRelu"/> only: the initial threshold θ of every unit (&gt; 0; default 0.01, as
    /// SAELens). θ is learned, stored as log θ (the tensor <c>&lt;layer&gt;.log_threshold</c>).
    /// </summary>
    public double InitialThreshold { get; set; } = 0.01;

    /// <summary>
    /// <see cref="Compiled.Activation.JumpRelu"/> only: the width ε (&gt; 0; default 0.05, as SAELens) of the rectangle
    /// kernel of the straight-through estimator that gives θ its gradient.
    /// </summary>
    public double Bandwidth { get; set; } = 0.05;
}

/// <summary>Model-wide options. Optional.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>The data loss. Default <see cref="Compiled.Loss.MeanSquaredError"/>.</summary>
    public Loss Loss { get; set; } = Loss.MeanSquaredError;

    /// <summary>Initial learning rate (tunable at run time through the generated <c>LearningRate</c> property). Default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;

    /// <summary>The update rule. Default <see cref="Compiled.Optimizer.Sgd"/>.</summary>
    public Optimizer Optimizer { get; set; } = Optimizer.Sgd;

    /// <summary>Momentum μ of <see cref="Compiled.Optimizer.Momentum"/> and <see cref="Compiled.Optimizer.Nesterov"/>, in [0, 1). Default 0.9.</summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Adam's β₁, in [0, 1). Default 0.9.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Adam's β₂, in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Adam's ε, &gt; 0. Default 1e−8.</summary>
    public double Epsilon { get; set; } = 1e-8;

    /// <summary>AdamW's decoupled weight decay, ≥ 0. Default 0.01 (as <c>torch.optim.AdamW</c>).</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>
    /// The element type of the generated model: <see cref="Compiled.Precision.Float32"/> (default) or
    /// <see cref="Compiled.Precision.Float64"/>, which makes every parameter, buffer, span and setting a double.
    /// </summary>
    public Precision Precision { get; set; } = Precision.Float32;

    /// <summary>
    /// Clip the gradient of all parameters together to this L2 norm before each update (<c>torch.nn.utils.clip_grad_norm_</c>:
    /// g ← g·c / (‖g‖ + 1e−6) when ‖g‖ &gt; c). 0 (default): no clipping.
    /// </summary>
    public double ClipGradientNorm { get; set; }

    /// <summary>
    /// For autoencoders (input size = output size): the output layer's bias b_dec is also subtracted from the input before
    /// the first layer, x̃ = x − b_dec, as the sparse autoencoders of OpenAI and SAELens do; both uses reach its gradient.
    /// </summary>
    public bool PreEncoderBias { get; set; }

    /// <summary>
    /// The window, in training samples, of the sparsity telemetry's dead units and firing frequencies: a unit is dead when
    /// it did not fire on any sample of the last completed window. Default 100,000; settable at run time.
    /// </summary>
    public int DeadWindowSamples { get; set; } = 100_000;
}
