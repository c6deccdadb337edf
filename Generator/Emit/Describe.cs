using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>Prose for comments, docs and <c>Summary()</c>: what a layer, loss or optimizer is, in PyTorch's words.</summary>
internal static class Describe
{
    public static string Activation(ActivationKind a) => a switch
    {
        ActivationKind.Tanh => "tanh",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Relu => "relu",
        ActivationKind.LeakyRelu => "leaky_relu",
        ActivationKind.Elu => "elu",
        ActivationKind.Softplus => "softplus",
        ActivationKind.Gelu => "gelu",
        ActivationKind.GeluTanh => "gelu_tanh",
        ActivationKind.Softmax => "softmax",
        ActivationKind.Selu => "selu",
        ActivationKind.JumpRelu => "jump_relu",
        _ => "linear",
    };

    /// <summary>The activation with its parameter, e.g. <c>leaky_relu(α=0.01)</c>.</summary>
    public static string Activation(ProductLayerSpec l)
        => Activation(l.Activation) + (Names.HasAlpha(l.Activation) ? "(α=" + Literal.Number(l.Alpha) + ")" : "")
           + (l.Activation == ActivationKind.JumpRelu ? "(θ₀=" + Literal.Number(l.InitialThreshold) + ", ε=" + Literal.Number(l.Bandwidth) + ")" : "")
           + (l.TopK is { } k ? (k.Batch ? " batch-top-" : " top-") + Literal.Int(k.K) : "");

    /// <summary>f′ as a formula in a (or z), for the backward comments.</summary>
    public static string Derivative(ActivationKind a) => a switch
    {
        ActivationKind.Tanh => "(1 − a²)",
        ActivationKind.Sigmoid => "a(1 − a)",
        ActivationKind.Relu => "[a > 0]",
        ActivationKind.LeakyRelu => "([a > 0] + α·[a ≤ 0])",
        ActivationKind.Elu => "([a > 0] + (a + α)·[a ≤ 0])",
        ActivationKind.Softplus => "σ(z)",
        ActivationKind.Gelu => "(Φ(z) + z·φ(z))",
        ActivationKind.GeluTanh => "gelu_tanh'(z)",
        ActivationKind.Softmax => "J_softmax",
        ActivationKind.Selu => "λ·([a > 0] + (a/λ + α)·[a ≤ 0])",
        ActivationKind.JumpRelu => "[z > θ]",
        _ => "1",
    };

    public static string Loss(LossKind loss) => loss switch
    {
        LossKind.HalfSquaredError => "half squared error (1/B)·Σ ½‖y − t‖²",
        LossKind.MeanAbsoluteError => "mean absolute error",
        LossKind.BinaryCrossEntropy => "binary cross-entropy (from the logits)",
        LossKind.SoftmaxCrossEntropy => "softmax cross-entropy (class labels)",
        _ => "mean squared error",
    };

    public static string Optimizer(OptimizerSpec o) => o.Kind switch
    {
        OptimizerKind.Momentum => "SGD with momentum",
        OptimizerKind.Nesterov => "SGD with Nesterov momentum",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.AdamW => "AdamW",
        _ => "SGD",
    };
}
