using System;
using System.ComponentModel;

namespace Compiled.Kernels;

/// <summary>Deterministic parameter initialization.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Init
{
    /// <summary>
    /// PyTorch <c>nn.Linear</c>'s default: weight and bias ~ U(−1/√fan_in, 1/√fan_in). The stream is a function of
    /// (<paramref name="seed"/>, <paramref name="layer"/>) only, so a layer's values do not depend on the others.
    /// </summary>
    public static void Dense(Span<float> weight, Span<float> bias, int fanIn, int seed, int layer)
    {
        float bound = 1f / MathF.Sqrt(fanIn);
        ulong state = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)layer * 0xD1B54A32D192ED03UL ^ 0x2545F4914F6CDD1DUL);
        Fill(weight, bound, ref state);
        Fill(bias, bound, ref state);
    }

    /// <summary>
    /// The bias of a layer without a weight matrix of its own (a tied layer): U(−1/√fan_in, 1/√fan_in) from the stream of
    /// (<paramref name="seed"/>, <paramref name="layer"/>), as <see cref="Dense(Span{float}, Span{float}, int, int, int)"/> would draw a bias with no weights before it.
    /// </summary>
    public static void Bias(Span<float> bias, int fanIn, int seed, int layer) => Dense(default, bias, fanIn, seed, layer);

    private static void Fill(Span<float> values, float bound, ref ulong state)
    {
        for (int i = 0; i < values.Length; i++)
        {
            // 24 random bits → uniform in [0, 1), then [−bound, bound).
            float u = (SplitMix64(ref state) >> 40) * (1f / (1 << 24));
            values[i] = (2f * u - 1f) * bound;
        }
    }

    /// <summary>SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.</summary>
    internal static ulong SplitMix64(ref ulong state)
    {
        ulong z = unchecked(state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
