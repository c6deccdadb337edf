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
}

/// <summary>Model-wide options. Optional.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>The data loss. Default <see cref="Compiled.Loss.MeanSquaredError"/>.</summary>
    public Loss Loss { get; set; } = Loss.MeanSquaredError;

    /// <summary>Initial SGD learning rate (tunable at run time through the generated <c>LearningRate</c> property). Default 0.01.</summary>
    public double LearningRate { get; set; } = 0.01;
}
