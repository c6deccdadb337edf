using System.Collections.Generic;
using Compiled.Generator.Model;

namespace Compiled.Generator.Building;

// Mutable working state of one build, filled step by step; the spec records are made from it at the end.

/// <summary>[Model]: the options of the whole model, with the arguments diagnostics point at.</summary>
internal sealed class OptionsDraft
{
    public LossKind Loss = LossKind.MeanSquaredError;
    public DeclaredArgument? LossArgument;
    public double LearningRate = 0.01;
    public OptimizerSpec Optimizer = new(OptimizerKind.Sgd, 0.9, 0.9, 0.999, 1e-8, 0.01);
    public Precision Precision = Precision.Float32;
}

/// <summary>One step of the network as written: its attribute, its place, and what is attached to it.</summary>
internal abstract class LayerDraft(DeclaredAttribute attribute)
{
    public DeclaredAttribute Attribute { get; } = attribute;

    /// <summary>Position in the sequence.</summary>
    public int Index;

    public string Name = "";

    public int Inputs;

    public int Units;

    /// <summary>The layer-modifier attributes written below it (penalties), in source order.</summary>
    public readonly List<DeclaredAttribute> Modifiers = [];
}

/// <summary>A layer that computes z = x·Wᵀ + b, a = f(z): Dense (its own W) or Tied (its partner's).</summary>
internal abstract class ProductDraft(DeclaredAttribute attribute) : LayerDraft(attribute)
{
    public ActivationKind Activation;
    public double Alpha;

    /// <summary>Position among the layers with parameters (default names and initialization streams count these).</summary>
    public int Ordinal;

    public string Pascal = "";
    public string Camel = "";
}

internal sealed class DenseDraft(DeclaredAttribute attribute) : ProductDraft(attribute);

/// <summary>The network as written: input size, the layer sequence, and the model-wide regularizers.</summary>
internal sealed class NetworkDraft
{
    public int InputSize;
    public DeclaredAttribute? Input;
    public readonly List<LayerDraft> Layers = [];
    public readonly List<DeclaredAttribute> ModelRegularizers = [];

    public IEnumerable<ProductDraft> Products
    {
        get
        {
            foreach (LayerDraft l in Layers)
                if (l is ProductDraft p) yield return p;
        }
    }

    public ProductDraft Output => (ProductDraft)Layers[Layers.Count - 1];
}
