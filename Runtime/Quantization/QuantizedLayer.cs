using System;
using System.Globalization;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// One trained float32 Dense layer to quantize: y = f(x·Wᵀ + b), W in PyTorch's <c>[units, inputs]</c> row-major layout.
/// A generated model's <c>Quantize()</c> builds these from its parameters; they can also be built by hand (from a
/// checkpoint, say). The arrays are read by <see cref="QuantizedModel.Create"/>, not kept.
/// </summary>
public sealed class QuantizedLayerSource
{
    /// <summary>Describes a layer; checks everything that can be checked without the other layers.</summary>
    /// <param name="name">The layer's name (<c>hid1</c>, <c>out</c>, …): an ASCII letter, then ASCII letters, digits and
    /// <c>_</c>, as a generated model's layer names are. Names the tensors of a saved model (<c>hid1.weight</c>).</param>
    /// <param name="inputs">Inputs per row (≥ 1, at most <see cref="QuantizedModel.MaxInputs"/>).</param>
    /// <param name="units">Output units (≥ 1).</param>
    /// <param name="weight">W, <paramref name="units"/> × <paramref name="inputs"/> values, row-major.</param>
    /// <param name="bias">b, <paramref name="units"/> values.</param>
    /// <param name="activation">The activation after the affine map; Softmax applies per row.</param>
    /// <param name="alpha">α of <see cref="Activation.LeakyRelu"/> (finite, ≥ 0) or <see cref="Activation.Elu"/>
    /// (finite, &gt; 0); ignored (stored as 0) for the other activations.</param>
    /// <exception cref="ArgumentException">An argument breaks one of the rules above; the message names it.</exception>
    public QuantizedLayerSource(string name, int inputs, int units, ReadOnlyMemory<float> weight, ReadOnlyMemory<float> bias,
        Activation activation, float alpha = 0f)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
            throw new ArgumentException(Invariant($"Layer name '{name}' is not valid: it must start with an ASCII letter and contain only ASCII letters, digits and '_'."), nameof(name));
        if (inputs < 1 || inputs > QuantizedModel.MaxInputs)
            throw new ArgumentOutOfRangeException(nameof(inputs), inputs, Invariant($"Layer '{name}': inputs must be between 1 and {QuantizedModel.MaxInputs}; it was {inputs}."));
        if (units < 1)
            throw new ArgumentOutOfRangeException(nameof(units), units, Invariant($"Layer '{name}': units must be at least 1; it was {units}."));
        if ((long)units * inputs > Array.MaxLength)
            throw new ArgumentException(Invariant($"Layer '{name}': {units} × {inputs} weights are more than an array holds."), nameof(units));
        if (weight.Length != units * inputs)
            throw new ArgumentException(Invariant($"Layer '{name}': weight has length {weight.Length}; expected units ({units}) × inputs ({inputs}) = {units * inputs}."), nameof(weight));
        if (bias.Length != units)
            throw new ArgumentException(Invariant($"Layer '{name}': bias has length {bias.Length}; expected units ({units})."), nameof(bias));
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, Invariant($"Layer '{name}': {(int)activation} is not an Activation."));
        if (activation == Activation.LeakyRelu && !(float.IsFinite(alpha) && alpha >= 0))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, Invariant($"Layer '{name}': LeakyRelu's alpha must be finite and ≥ 0; it was {alpha}."));
        if (activation == Activation.Elu && !(float.IsFinite(alpha) && alpha > 0))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, Invariant($"Layer '{name}': Elu's alpha must be finite and > 0; it was {alpha}."));
        Name = name;
        Inputs = inputs;
        Units = units;
        Weight = weight;
        Bias = bias;
        Activation = activation;
        Alpha = HasAlpha(activation) ? alpha : 0f;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; }

    /// <summary>Inputs per row.</summary>
    public int Inputs { get; }

    /// <summary>Output units.</summary>
    public int Units { get; }

    /// <summary>W [units, inputs], row-major.</summary>
    public ReadOnlyMemory<float> Weight { get; }

    /// <summary>b [units].</summary>
    public ReadOnlyMemory<float> Bias { get; }

    /// <summary>The activation.</summary>
    public Activation Activation { get; }

    /// <summary>α of LeakyRelu or Elu; 0 for the other activations.</summary>
    public float Alpha { get; }

    internal static bool HasAlpha(Activation activation) => activation is Activation.LeakyRelu or Activation.Elu;

    /// <summary>An ASCII letter, then ASCII letters, digits and '_' (the generator's rule for layer names).</summary>
    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetter(name[0])) return false;
        foreach (char c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// One layer of a <see cref="QuantizedModel"/>: int8 weights with one float scale per output unit (W ≈ q·scale), a
/// float bias and the activation. Its input rows are quantized to int16 on the fly, one scale per row.
/// </summary>
public sealed class QuantizedLayer
{
    private readonly sbyte[] _weight;
    private readonly float[] _scale, _bias;

    internal QuantizedLayer(string name, int inputs, int units, Activation activation, float alpha, sbyte[] weight, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias)
    {
        Name = name;
        Inputs = inputs;
        Units = units;
        Activation = activation;
        Alpha = alpha;
        InputRange = Int8Gemm.InputRange(inputs);
        _weight = weight;
        // Scale and bias padded with zeros to whole blocks of 16 units, which the vector paths read whole.
        int padded = Int8Gemm.Blocks(units) * Int8Gemm.Block;
        _scale = new float[padded];
        _bias = new float[padded];
        scale.CopyTo(_scale);
        bias.CopyTo(_bias);
        Packed = Int8Gemm.Pack(weight, units, inputs);
    }

    /// <summary>The layer's name (its tensors are <c>{Name}.weight</c>, <c>{Name}.weight_scale</c>, <c>{Name}.bias</c>).</summary>
    public string Name { get; }

    /// <summary>Inputs per row.</summary>
    public int Inputs { get; }

    /// <summary>Output units.</summary>
    public int Units { get; }

    /// <summary>The activation applied after dequantizing.</summary>
    public Activation Activation { get; }

    /// <summary>α of LeakyRelu or Elu; 0 for the other activations.</summary>
    public float Alpha { get; }

    /// <summary>
    /// The largest |code| of a quantized input row: min(32767, ⌊(2³¹ − 1) / (128·<see cref="Inputs"/>)⌋), so that the
    /// int32 sums of the layer cannot overflow (32767 up to 512 inputs; 21,399 for 784).
    /// </summary>
    public int InputRange { get; }

    /// <summary>The int8 weight codes [units, inputs], row-major: W[u, i] ≈ Weight[u·inputs + i] · WeightScale[u].</summary>
    public ReadOnlySpan<sbyte> Weight => _weight;

    /// <summary>One scale per output unit: max_i |W[u, i]| / 127 (0 for a unit whose weights are all 0).</summary>
    public ReadOnlySpan<float> WeightScale => _scale.AsSpan(0, Units);

    /// <summary>The float bias [units].</summary>
    public ReadOnlySpan<float> Bias => _bias.AsSpan(0, Units);

    /// <summary>The weights in the kernels' blocked layout (see <see cref="Int8Gemm"/>).</summary>
    internal sbyte[] Packed { get; }

    internal float[] PaddedScale => _scale;

    internal float[] PaddedBias => _bias;

    /// <summary>E.g. <c>hid1: Dense 784 → 400 tanh, int8 weights (one scale per unit), inputs int16 (|q| ≤ 21399)</c>.</summary>
    public override string ToString()
    {
        string activation = Activation switch
        {
            Activation.LeakyRelu or Activation.Elu => Invariant($"{QuantizedModel.ActivationName(Activation)}(α = {Alpha})"),
            _ => QuantizedModel.ActivationName(Activation),
        };
        return Invariant($"{Name}: Dense {Inputs} → {Units} {activation}, int8 weights (one scale per unit), inputs int16 (|q| ≤ {InputRange})");
    }

    /// <summary>Applies the activation to <paramref name="rows"/> rows of pre-activations, in place, one row at a time
    /// (so a row's values never depend on how many rows came with it).</summary>
    internal void Activate(Span<float> z, int rows)
    {
        int n = Units;
        if (Activation == Activation.Linear) return;
        if (Activation == Activation.Softmax)
        {
            Softmax.Forward(z.Slice(0, rows * n), z, n);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = z.Slice(r * n, n);
            switch (Activation)
            {
                case Activation.Tanh: Tanh.Forward(row, row); break;
                case Activation.Sigmoid: Sigmoid.Forward(row, row); break;
                case Activation.Relu: Relu.Forward(row, row); break;
                case Activation.LeakyRelu: LeakyRelu.Forward(row, row, Alpha); break;
                case Activation.Elu: Elu.Forward(row, row, Alpha); break;
                case Activation.Softplus: Softplus.Forward(row, row); break;
                case Activation.Gelu: Gelu.Forward(row, row); break;
                default: GeluTanh.Forward(row, row); break;
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
