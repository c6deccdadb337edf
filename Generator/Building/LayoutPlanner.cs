using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Building;

/// <summary>
/// The parameter block (PyTorch <c>state_dict</c> order: per layer its weight, then its bias), which buffers each layer
/// keeps, which layers take the small-layer kernels (SmallLayers), and the training path (whether SGD is fused into the
/// gradient pass). Makes the spec.
/// </summary>
internal static class LayoutPlanner
{
    public static ModelSpec? Plan(BuildContext ctx, OptionsDraft options, NetworkDraft network, List<TermSpec> terms)
    {
        var layers = new List<LayerSpec>();
        var parameters = new List<ParameterTensor>();
        long offset = 0;
        foreach (LayerDraft draft in network.Layers)
        {
            switch (draft)
            {
                case DenseDraft l:
                {
                    long weightOffset = offset, biasOffset = weightOffset + (long)l.Units * l.Inputs, next = biasOffset + l.Units;
                    if (next > int.MaxValue)
                    {
                        ctx.Report(Descriptors.BadSize, l.Attribute.Get("units")?.Location, "The parameter count", next.ToString(CultureInfo.InvariantCulture));
                        return null;
                    }
                    parameters.Add(new ParameterTensor(l.Name + ".weight", (int)weightOffset, new EquatableArray<int>([l.Units, l.Inputs]), l.Index, ParameterRole.Weight));
                    parameters.Add(new ParameterTensor(l.Name + ".bias", (int)biasOffset, new EquatableArray<int>([l.Units]), l.Index, ParameterRole.Bias));
                    int threshold = -1;
                    if (l.Activation == ActivationKind.JumpRelu)
                    {
                        // JumpReLU's learned thresholds, as log θ (SAELens' parameter is θ itself; the log keeps it positive).
                        threshold = (int)next;
                        parameters.Add(new ParameterTensor(l.Name + ".log_threshold", threshold, new EquatableArray<int>([l.Units]), l.Index, ParameterRole.LogThreshold));
                        next += l.Units;
                    }
                    layers.Add(Buffers(new DenseSpec
                    {
                        WeightOffset = (int)weightOffset, BiasOffset = (int)biasOffset, ThresholdOffset = threshold,
                        Constraints = l.Constraints.ToEquatableArray(), Small = SmallLayers.Qualifies(options, network, l),
                    }, l, options, network, terms));
                    offset = next;
                    break;
                }
                case TiedDraft t:
                {
                    // Its bias only: the weights are the partner's, stored once (PyTorch interop: "out.bias" alone).
                    parameters.Add(new ParameterTensor(t.Name + ".bias", (int)offset, new EquatableArray<int>([t.Units]), t.Index, ParameterRole.Bias));
                    var partner = (DenseSpec)layers[t.Partner];
                    layers.Add(Buffers(new TiedSpec { Partner = t.Partner, PartnerWeightOffset = partner.WeightOffset, BiasOffset = (int)offset }, t, options, network, terms));
                    offset += t.Units;
                    break;
                }
                case NoiseDraft n:
                    layers.Add(new NoiseSpec
                    {
                        Index = n.Index, Name = n.Name, Inputs = n.Inputs, Units = n.Units, Kind = n.Kind, Rate = n.Rate, Target = n.Target,
                        Stream = n.Stream, Pascal = n.Pascal, Camel = n.Camel,
                    });
                    break;
            }
        }
        // Buffers after every trained tensor: BatchTopK's inference thresholds (state_dict buffers, saved with the parameters).
        for (int i = 0; i < layers.Count; i++)
            if (layers[i] is ProductLayerSpec { TopK.Batch: true } code)
            {
                parameters.Add(new ParameterTensor(code.Name + ".topk_threshold", (int)offset, new EquatableArray<int>([1]), code.Index, ParameterRole.Buffer));
                layers[i] = code with { ThresholdOffset = (int)offset };
                offset++;
            }
        if (options.Precision == Precision.Float32) SparseCodes(layers, terms);
        var spec = new ModelSpec(ctx.Model.Namespace, ctx.Model.ClassName, ctx.Model.HintName, ctx.Model.ContainingTypes, network.InputSize,
            options.Loss, options.LearningRate, options.Optimizer, SmallLayers.FuseDerivatives(layers, terms).ToEquatableArray(), terms.ToEquatableArray(), parameters.ToEquatableArray(),
            options.Precision, FusesSgd: false)
        {
            ClipGradientNorm = options.ClipGradientNorm, PreEncoderBias = options.PreEncoderBias, DeadWindowSamples = options.DeadWindowSamples,
            Quantizable = SparseCodeRules.Quantizable(options, network),
        };
        return spec with { FusesSgd = FusesSgd(spec) };
    }

    /// <summary>The product layer's common fields and the buffers it keeps beyond its output and delta.</summary>
    private static ProductLayerSpec Buffers(ProductLayerSpec spec, ProductDraft l, OptionsDraft options, NetworkDraft network, List<TermSpec> terms)
    {
        var touching = terms.Where(t => t.Layer == l.Index || t.Contributions.Any(c => c.Layer == l.Index)).ToList();
        // z is kept when a penalty reads it, when the activation's derivative needs it, or when the loss is computed
        // from the output layer's logits.
        // TopK selects on z and AuxK reads it; JumpReLU's derivative and threshold gradient compare z with θ.
        bool pre = touching.Any(t => t.Contributions.Any(c => c.Layer == l.Index && c.Tensor == TensorKind.PreActivation))
                   || DerivativeNeedsZ(l.Activation)
                   || (l == network.Output && options.Loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy)
                   || l.TopK is not null;
        bool code = l.TopK is not null || l.Activation == ActivationKind.JumpRelu;
        bool activity = code
                        || touching.Any(t => t.Kind is TermKind.KlSparsity or TermKind.WeightedActivityL1 && t.Layer == l.Index
                                             || t.Contributions.Any(c => c.Layer == l.Index && c.Tensor is TensorKind.Output or TensorKind.PreActivation));
        bool weights = touching.Any(t => t.Contributions.Any(c => c.Layer == l.Index && c.Tensor == TensorKind.Weight));
        return spec with
        {
            Index = l.Index, Name = l.Name, Inputs = l.Inputs, Units = l.Units, Pascal = l.Pascal, Camel = l.Camel, Ordinal = l.Ordinal,
            Activation = l.Activation, Alpha = l.Alpha, KeepPreActivation = pre, ActivityTelemetry = activity, WeightTelemetry = weights,
            TopK = l.TopK, AuxK = l.AuxK, InitialThreshold = l.InitialThreshold, Bandwidth = l.Bandwidth,
            FiringTelemetry = SparseCodeRules.FiringTelemetry(network, l),
        };
    }

    /// <summary>Below this width a layer's products stay dense: listing the active entries does not pay for itself.</summary>
    public const int SparseMinUnits = 16;

    /// <summary>
    /// Which layers' codes the sparse kernels read: a float32 hidden Dense layer of at least <see cref="SparseMinUnits"/>
    /// units whose output holds exact zeros by design (ReLU, TopK, JumpReLU) and feeds the next Dense layer directly. Its
    /// delta is sparse unless JumpReLU's threshold gradient needs it everywhere near θ; its weight gradient unless a term
    /// puts a delta where a = 0 (AuxK's dead units, pre-activation or structural penalties).
    /// </summary>
    private static void SparseCodes(List<LayerSpec> layers, List<TermSpec> terms)
    {
        for (int i = 0; i + 1 < layers.Count; i++)
        {
            if (layers[i] is not DenseSpec l || layers[i + 1] is not DenseSpec) continue;
            bool zeros = l.Activation is ActivationKind.Relu or ActivationKind.JumpRelu || l.TopK is not null;
            if (!zeros || l.Units < SparseMinUnits) continue;
            bool deltaOutsideCode = l.AuxK is not null
                || terms.Any(t => (t.IsStructural && t.Layer == l.Index) || t.Contributions.Any(c => c.Layer == l.Index && c.Tensor == TensorKind.PreActivation));
            layers[i] = l with { SparseCode = true, SparseDelta = l.Activation != ActivationKind.JumpRelu, SparseWeights = !deltaOutsideCode };
        }
    }

    /// <summary>The activations whose derivative cannot be written in terms of the output a alone.</summary>
    public static bool DerivativeNeedsZ(ActivationKind a) => a is ActivationKind.Softplus or ActivationKind.Gelu or ActivationKind.GeluTanh or ActivationKind.JumpRelu;

    /// <summary>
    /// <c>TrainStep</c> fuses SGD into the parameter-gradient pass when every gradient is complete as soon as its
    /// product is: float32 kernels, no optimizer state, no proximal step, no weights shared by a tied layer (the partner's
    /// gradient has two parts), no penalty whose weight gradient is added after the product (contractive, orthogonal,
    /// AuxK, decoder-weighted L1), no JumpReLU thresholds or BatchTopK buffers, no constraint, clipping or pre-encoder bias.
    /// </summary>
    private static bool FusesSgd(ModelSpec m)
    {
        if (m.Precision != Precision.Float32 || m.Optimizer.Kind != OptimizerKind.Sgd) return false;
        if (m.ClipGradientNorm > 0 || m.PreEncoderBias) return false; // the whole gradient first; the output bias's has two parts
        return !m.Terms.Any(t => t.Proximal || t.IsStructural || t.Kind is TermKind.AuxK or TermKind.WeightedActivityL1)
               && !m.Layers.Any(l => l is TiedSpec || l is ProductLayerSpec { ThresholdOffset: >= 0 } || l is DenseSpec { Constraints.Count: > 0 });
    }
}
