namespace Compiled;

/// <summary>Element-wise activation applied after a Dense layer's affine map.</summary>
public enum Activation
{
    /// <summary>Identity: a = z.</summary>
    Linear = 0,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 1,
    /// <summary>Logistic sigmoid 1 / (1 + e^-z).</summary>
    Sigmoid = 2,
    /// <summary>max(0, z); derivative 0 at z = 0 (as in PyTorch and TensorFlow).</summary>
    Relu = 3,
}

/// <summary>The data term of the training objective.</summary>
public enum Loss
{
    /// <summary>Mean over all batch·features elements of (y − t)² — PyTorch <c>MSELoss()</c>, Keras <c>mse</c>.</summary>
    MeanSquaredError = 0,
    /// <summary>(1/B) Σ_b ½‖y_b − t_b‖² — the data term of Ng's sparse autoencoder objective.</summary>
    HalfSquaredError = 1,
}

/// <summary>Which tensor of a Dense layer an activity penalty reads.</summary>
public enum ActivityOn
{
    /// <summary>The layer's output after the activation (Keras <c>Dense(n, act, activity_regularizer=…)</c>).</summary>
    Output = 0,
    /// <summary>The pre-activation z = xWᵀ + b (Keras <c>Dense(n, activity_regularizer=…)</c> followed by an <c>Activation</c> layer).</summary>
    PreActivation = 1,
}

/// <summary>How an activity penalty's sum over the batch is scaled. See docs/regularizers.md.</summary>
public enum Scaling
{
    /// <summary>λ·Σ|a| / B — tf.keras 2.x and Keras ≥ 3.14 (the default).</summary>
    BatchMean = 0,
    /// <summary>λ·Σ|a| — the PyTorch seed's <c>L1Penalty</c> autograd function, Keras 2.2 and Keras 3.0–3.13.</summary>
    Sum = 1,
    /// <summary>λ·Σ|a| / (B·U) — theanets' per-element mean, torch legacy <c>L1Penalty(sizeAverage=True)</c>.</summary>
    ElementMean = 2,
}
