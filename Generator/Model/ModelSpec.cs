using Compiled.Generator.Helpers;

namespace Compiled.Generator.Model;

// ---- Build output: every decision the emitters need ------------------------------------------------------------
// Values only (strings, numbers, enums, EquatableArray): equal inputs give equal specs, so the pipeline caches.

/// <summary>The activation of a Dense or Tied layer. Values are those of the public <c>Compiled.Activation</c> enum.</summary>
internal enum ActivationKind { Linear = 0, Tanh = 1, Sigmoid = 2, Relu = 3, LeakyRelu = 4, Elu = 5, Softplus = 6, Gelu = 7, GeluTanh = 8, Softmax = 9, Selu = 10, JumpRelu = 11 }

/// <summary>The data loss. Values are those of the public <c>Compiled.Loss</c> enum.</summary>
internal enum LossKind { MeanSquaredError = 0, HalfSquaredError = 1, MeanAbsoluteError = 2, BinaryCrossEntropy = 3, SoftmaxCrossEntropy = 4 }

/// <summary>The element type of everything the generated model stores and exposes.</summary>
internal enum Precision { Float32 = 0, Float64 = 1 }

/// <summary>The update rule. Values are those of the public <c>Compiled.Optimizer</c> enum.</summary>
internal enum OptimizerKind { Sgd = 0, Momentum = 1, Nesterov = 2, Adam = 3, AdamW = 4 }

/// <summary>The update rule and its initial hyperparameters (all tunable at run time).</summary>
internal sealed record OptimizerSpec(OptimizerKind Kind, double Momentum, double Beta1, double Beta2, double Epsilon, double WeightDecay)
{
    public bool IsAdam => Kind is OptimizerKind.Adam or OptimizerKind.AdamW;

    public bool HasMomentum => Kind is OptimizerKind.Momentum or OptimizerKind.Nesterov;
}

/// <summary>
/// Which part of a layer a parameter tensor is: trained (weight, bias, JumpReLU's log-threshold) or a buffer the model
/// keeps (BatchTopK's inference threshold), which sits after every trained tensor and no optimizer touches.
/// </summary>
internal enum ParameterRole { Weight, Bias, LogThreshold, Buffer }

/// <summary>
/// One tensor of the parameter block, in PyTorch <c>state_dict</c> order: its checkpoint name, offset, shape and owner.
/// <c>ParameterLayout</c>, the layout comment and the checkpoints are printed from this list.
/// </summary>
internal sealed record ParameterTensor(string Name, int Offset, EquatableArray<int> Shape, int Layer, ParameterRole Role)
{
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}

internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string HintName,
    EquatableArray<string> ContainingTypes,
    int InputSize,
    LossKind Loss,
    double LearningRate,
    OptimizerSpec Optimizer,
    EquatableArray<LayerSpec> Layers,
    EquatableArray<TermSpec> Terms,
    EquatableArray<ParameterTensor> Parameters,
    Precision Precision,
    bool FusesSgd)
{
    public bool IsDouble => Precision == Precision.Float64;

    /// <summary>[Model(ClipGradientNorm)]: the largest L2 norm of the whole gradient before an update; 0 for none.</summary>
    public double ClipGradientNorm { get; init; }

    /// <summary>[Model(PreEncoderBias)]: the input is centred by the output layer's bias before the first layer.</summary>
    public bool PreEncoderBias { get; init; }

    /// <summary><c>Quantize()</c> is generated: a float32 model whose layers the int8 form computes.</summary>
    public bool Quantizable { get; init; }

    /// <summary>[Model(DeadWindowSamples)]: the initial window of the firing telemetry.</summary>
    public int DeadWindowSamples { get; init; } = 100_000;

    /// <summary>
    /// The trained part of the parameter block: [0, TrainableCount); buffers (BatchTopK thresholds) follow it, out of
    /// every optimizer's and the gradient clip's reach.
    /// </summary>
    public int TrainableCount
    {
        get
        {
            int n = 0;
            foreach (ParameterTensor p in Parameters)
                if (p.Role != ParameterRole.Buffer) n = p.Offset + p.Length;
            return n;
        }
    }

    /// <summary>Forward behaves differently in training (noise is drawn, BatchTopK keeps k·B units): it takes a training flag.</summary>
    public bool TrainingForward
    {
        get
        {
            foreach (LayerSpec l in Layers)
                if (l is NoiseSpec || l is ProductLayerSpec { TopK.Batch: true }) return true;
            return false;
        }
    }

    /// <summary>An autoencoder-shaped model trained on targets: Evaluate reports explained variance and normalized MSE.</summary>
    public bool ReportsReconstruction => !UsesLabels && Loss != LossKind.BinaryCrossEntropy && InputSize == OutputSize;

    /// <summary>The output layer: the last layer of the sequence (always one that computes; noise after it is refused).</summary>
    public ProductLayerSpec Output => (ProductLayerSpec)Layers[Layers.Count - 1];

    public int OutputSize => Output.Units;

    public int ParameterCount
    {
        get
        {
            ParameterTensor last = Parameters[Parameters.Count - 1];
            return last.Offset + last.Length;
        }
    }

    /// <summary>Training takes integer class labels instead of target rows.</summary>
    public bool UsesLabels => Loss == LossKind.SoftmaxCrossEntropy;

    /// <summary>Some layer draws random numbers in training: the passes take a training flag and the model keeps its seed.</summary>
    public bool HasNoise
    {
        get
        {
            foreach (LayerSpec l in Layers)
                if (l is NoiseSpec) return true;
            return false;
        }
    }

    /// <summary>The layers that compute (Dense, Tied), in order.</summary>
    public System.Collections.Generic.IEnumerable<ProductLayerSpec> ProductLayers
    {
        get
        {
            foreach (LayerSpec l in Layers)
                if (l is ProductLayerSpec p) yield return p;
        }
    }
}

/// <summary>The outcome of building one model: its spec (null when an error was found) and the diagnostics.</summary>
internal sealed record BuildResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
