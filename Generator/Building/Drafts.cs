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
    public double ClipGradientNorm;
    public bool PreEncoderBias;
    public DeclaredArgument? PreEncoderBiasArgument;
    public int DeadWindowSamples = 100_000;
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

    // Sparse coding (SparseCodeRules): the code, the AuxK loss, JumpReLU's settings, the weight constraints.
    public TopKSpec? TopK;
    public AuxKSpec? AuxK;
    public double InitialThreshold = 0.01;
    public double Bandwidth = 0.05;
    public readonly List<ConstraintSpec> Constraints = [];
}

internal sealed class DenseDraft(DeclaredAttribute attribute) : ProductDraft(attribute);

/// <summary>A tied decoder: its partner (a Dense layer) decides its width.</summary>
internal sealed class TiedDraft(DeclaredAttribute attribute) : ProductDraft(attribute)
{
    /// <summary>The partner's index once resolved, else −1.</summary>
    public int Partner = -1;
}

/// <summary>Train-time noise on the output of the layer before it in the sequence (or on the input).</summary>
internal sealed class NoiseDraft(DeclaredAttribute attribute, NoiseKind kind, double rate) : LayerDraft(attribute)
{
    public NoiseKind Kind { get; } = kind;

    /// <summary>The dropout rate p, or σ for Gaussian noise.</summary>
    public double Rate { get; } = rate;

    /// <summary>The product layer whose output it perturbs (its index), or −1 for the model's input.</summary>
    public int Target = -1;

    /// <summary>Its position among the noise layers: the random stream it draws from.</summary>
    public int Stream;

    public string Pascal = "";
    public string Camel = "";
}

/// <summary>The network as written: input size, the layer sequence, and the model-wide regularizers.</summary>
internal sealed class NetworkDraft
{
    public int InputSize;
    public DeclaredAttribute? Input;
    public readonly List<LayerDraft> Layers = [];
    public readonly List<DeclaredAttribute> ModelRegularizers = [];

    /// <summary>theanets' model-wide noise keywords ([InputNoise], [HiddenDropout], …), placed by pattern after naming.</summary>
    public readonly List<DeclaredAttribute> ModelNoise = [];

    public IEnumerable<ProductDraft> Products
    {
        get
        {
            foreach (LayerDraft l in Layers)
                if (l is ProductDraft p) yield return p;
        }
    }

    /// <summary>The output layer: the last layer with parameters (noise after it is refused).</summary>
    public ProductDraft Output
    {
        get
        {
            for (int i = Layers.Count - 1; i >= 0; i--)
                if (Layers[i] is ProductDraft p) return p;
            throw new System.InvalidOperationException("a network without layers is refused before this");
        }
    }
}
