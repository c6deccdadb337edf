using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Building;

/// <summary>
/// Which Dense layers take the small-layer kernels (Kernels/Small: forward, backward and parameter gradients compiled
/// for the layer's constant sizes, one pass each), decided once per layer here and stored in its <see cref="DenseSpec"/>.
/// </summary>
/// <remarks>
/// The rule: a float32 model's Dense layer with at most <see cref="MaxSize"/> inputs and units and an element-wise
/// activation (not softmax). At these sizes the runtime GEMM's set-up and the separate activation passes cost as much as
/// the arithmetic (bench/RESULTS.md, issue 19: the tiny MLP and SimpleChains' README shape). <see cref="MaxSize"/> is the
/// kernels' own limit; the size below it where the runtime GEMM's packed forms and threads would win is not measured yet.
/// Everything else a layer carries keeps its own step around the small kernels, unchanged: penalties on the activations
/// (fused into the derivative, as in the derivative kernels), on the weights and biases (the gradient's epilogue), KL
/// sparsity, pre-activation penalties, contractive and orthogonal terms, noise on its output, a tied partner. float64
/// models keep the kernels throughout.
/// Sparse coding (docs/sparse-coding.md, docs/sparse-kernels.md) keeps the runtime kernels for the whole model: a model
/// with a TopK or JumpReLU code, AuxK, a weight constraint, the decoder-weighted L1, a warm-up, gradient clipping or the
/// pre-encoder bias has no small layer, and neither has a layer that is a sparse code or reads one (Identifiers.
/// SparseCodeLayers). Those steps are written around the runtime kernels' calls and are tested against them; the small
/// kernels are not.
/// The derivative of a small layer is fused into the backward product of the small layer directly above it (nothing
/// between them, so no noise multiplier) unless a KL term adds a per-unit term to it.
/// </remarks>
internal static class SmallLayers
{
    /// <summary>Largest inputs and units of a small layer (Kernels.SmallDense.MaxSize).</summary>
    public const int MaxSize = 64;

    public static bool Qualifies(OptionsDraft options, NetworkDraft network, ProductDraft layer)
        => options.Precision == Precision.Float32 && layer is DenseDraft
           && layer.Inputs is >= 1 and <= MaxSize && layer.Units is >= 1 and <= MaxSize
           && layer.Activation is not (ActivationKind.Softmax or ActivationKind.JumpRelu)
           && !SparseCoding(options, network) && !NextToSparseCode(network, layer);

    /// <summary>Whether the model uses any of the sparse-coding features (see the remarks).</summary>
    private static bool SparseCoding(OptionsDraft options, NetworkDraft network)
        => options.ClipGradientNorm > 0 || options.PreEncoderBias
           || network.Products.Any(l => l.TopK is not null || l.AuxK is not null || l.Activation == ActivationKind.JumpRelu || l.Constraints.Count > 0
                                        || l.Modifiers.Any(a => a.Bool("WeightedByNextLayer") || a.Get("WarmupSteps") is not null))
           || network.ModelRegularizers.Any(a => a.Get("WarmupSteps") is not null);

    /// <summary>Whether the layer is a sparse code or reads one directly.</summary>
    private static bool NextToSparseCode(NetworkDraft network, ProductDraft layer)
        => Identifiers.SparseCodeLayers(network).Any(c => c == layer || c.Index + 1 == layer.Index);

    /// <summary>Marks every small layer whose derivative the small layer above it applies (see the remarks).</summary>
    public static List<LayerSpec> FuseDerivatives(List<LayerSpec> layers, List<TermSpec> terms)
    {
        var marked = new List<LayerSpec>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            LayerSpec l = layers[i];
            if (l is DenseSpec { Small: true } below && i + 1 < layers.Count && layers[i + 1] is DenseSpec { Small: true }
                && !terms.Any(t => t.Kind == TermKind.KlSparsity && t.Layer == i))
                l = below with { DerivativeFromAbove = true };
            marked.Add(l);
        }
        return marked;
    }
}
