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
    /// <summary>z for z &gt; 0, else α·z (PyTorch <c>nn.LeakyReLU</c>; α from <see cref="DenseAttribute.Alpha"/>, default 0.01, must be ≥ 0).</summary>
    LeakyRelu = 4,
    /// <summary>z for z &gt; 0, else α·(e^z − 1) (PyTorch <c>nn.ELU</c>; α from <see cref="DenseAttribute.Alpha"/>, default 1, must be &gt; 0).</summary>
    Elu = 5,
    /// <summary>log(1 + e^z) (PyTorch <c>nn.Softplus()</c>: β = 1, linear above z = 20).</summary>
    Softplus = 6,
    /// <summary>Exact GELU z·Φ(z) (PyTorch <c>nn.GELU()</c>).</summary>
    Gelu = 7,
    /// <summary>GELU, tanh approximation (PyTorch <c>nn.GELU(approximate='tanh')</c>).</summary>
    GeluTanh = 8,
    /// <summary>Softmax over the units of each row — output layer only; pair with <see cref="Loss.SoftmaxCrossEntropy"/>.</summary>
    Softmax = 9,
    /// <summary>
    /// Scaled ELU λ·(z for z &gt; 0, else α·(e^z − 1)), λ = 1.0507009873554805, α = 1.6732632423543772 (PyTorch
    /// <c>nn.SELU</c>): self-normalizing networks, with <see cref="AlphaDropoutAttribute"/>.
    /// </summary>
    Selu = 10,
    /// <summary>
    /// JumpReLU z·H(z − θ) with a learnable threshold θ &gt; 0 per unit (SAELens <c>jumprelu_sae.py</c>): θ starts at
    /// <see cref="DenseAttribute.InitialThreshold"/> and learns through the straight-through rectangle-kernel estimator
    /// of width <see cref="DenseAttribute.Bandwidth"/>; pair with <see cref="L0PenaltyAttribute"/>.
    /// </summary>
    JumpRelu = 11,
}

/// <summary>Which vectors of a Dense layer's weight matrix W [units, inputs] a weight constraint normalizes.</summary>
public enum NormPer
{
    /// <summary>Each unit's incoming weights: a row of W (Keras <c>axis=0</c> on its [inputs, units] kernel).</summary>
    Unit = 0,
    /// <summary>Each input's outgoing weights: a column of W — the dictionary atoms of a sparse autoencoder's decoder.</summary>
    Input = 1,
}

/// <summary>The data term of the training objective.</summary>
public enum Loss
{
    /// <summary>Mean over all batch·features elements of (y − t)² — PyTorch <c>MSELoss()</c>, Keras <c>mse</c>.</summary>
    MeanSquaredError = 0,
    /// <summary>(1/B) Σ_b ½‖y_b − t_b‖² — the data term of Ng's sparse autoencoder objective.</summary>
    HalfSquaredError = 1,
    /// <summary>Mean over all batch·features elements of |y − t| — PyTorch <c>L1Loss()</c>, Keras <c>mae</c>; gradient sign(y − t) with sign(0) = 0.</summary>
    MeanAbsoluteError = 2,
    /// <summary>
    /// Mean over batch·features of −[t·log y + (1 − t)·log(1 − y)], for a Sigmoid output, computed from the logits as
    /// PyTorch's <c>BCEWithLogitsLoss()</c> (finite for any logit). Targets in [0, 1].
    /// </summary>
    BinaryCrossEntropy = 3,
    /// <summary>
    /// Mean over the batch of −log softmax(z)[label], for a Softmax output, with integer class labels — PyTorch
    /// <c>CrossEntropyLoss()</c>. The model's training methods then take <c>ReadOnlySpan&lt;int&gt; labels</c>.
    /// </summary>
    SoftmaxCrossEntropy = 4,
}

/// <summary>The update rule of <c>TrainStep</c>, matching <c>torch.optim</c> step for step.</summary>
public enum Optimizer
{
    /// <summary>p ← p − lr·g (<c>torch.optim.SGD</c>).</summary>
    Sgd = 0,
    /// <summary>Heavy ball: v ← μ·v + g, p ← p − lr·v (<c>SGD(momentum=μ)</c>, dampening 0).</summary>
    Momentum = 1,
    /// <summary>Nesterov: v ← μ·v + g, p ← p − lr·(g + μ·v) (<c>SGD(momentum=μ, nesterov=True)</c>).</summary>
    Nesterov = 2,
    /// <summary>Adam with bias correction (<c>torch.optim.Adam</c>); no weight decay.</summary>
    Adam = 3,
    /// <summary>
    /// AdamW (<c>torch.optim.AdamW</c>): Adam plus decoupled decay p ← p·(1 − lr·wd) before the Adam step. Unlike
    /// [KernelL2], the decay is not part of the loss, reaches biases too, and is not rescaled by Adam's second moment.
    /// </summary>
    AdamW = 4,
}

/// <summary>The element type of a model's parameters, gradients, buffers and public spans. See docs/precision.md.</summary>
public enum Precision
{
    /// <summary>float (the default): the tuned AVX-512 / AVX2 kernels, multi-threaded matrix products.</summary>
    Float32 = 0,
    /// <summary>
    /// double throughout: the same model with every feature, for accuracy (gradient checks at 1e−7, agreement with
    /// PyTorch float64 references to 1e−10). Slower: single-threaded, simpler kernels.
    /// </summary>
    Float64 = 1,
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

/// <summary>Which contractive penalty <see cref="ContractiveAttribute"/> computes. See docs/regularizers.md.</summary>
public enum ContractiveForm
{
    /// <summary>
    /// Rifai et al. 2011: λ·(1/B)·Σ_b ‖∂h_b/∂x_b‖²_F, the Frobenius norm of each row's Jacobian of the layer's output
    /// with respect to its input; for an element-wise activation Σ_j (h′_bj)²·Σ_i W_ji².
    /// </summary>
    Rifai = 0,
    /// <summary>
    /// theanets' coded variant: λ·mean((∂ mean(h) / ∂x)²), the gradient of the scalar mean of the layer's output with
    /// respect to the model's input (first layer only), squared and averaged over batch × inputs.
    /// </summary>
    Theanets = 1,
}

/// <summary>Which vectors of a weight matrix <see cref="KernelOrthogonalAttribute"/> compares. See docs/regularizers.md.</summary>
public enum OrthogonalMode
{
    /// <summary>Each unit's incoming weights: the rows of our W [out, in] (Keras <c>mode="columns"</c> on its [in, out] kernel).</summary>
    PerUnit = 0,
    /// <summary>Each input's outgoing weights: the columns of our W (Keras <c>mode="rows"</c>, its default).</summary>
    PerInput = 1,
}
