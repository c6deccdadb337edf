using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// Train-time noise: dropout, Gaussian noise, Gaussian dropout and alpha dropout, applied to a layer's output (or the
/// model's input) in training only. Every draw comes from a counter-based generator keyed by (model seed, training step,
/// stream) and indexed by the element's position in the batch: the same for any thread count or split of the work,
/// nothing to keep per thread, and a <c>ComputeGradients</c> repeated at the same step draws the same values (so finite
/// differences work). The forward pass keeps the draw — the multiplier of each element (0 or 1/(1 − p) for dropout, the
/// Gaussian factor, a·m for alpha dropout) or the added value — and the backward pass multiplies by it.
/// </summary>
/// <remarks>
/// The generator: SplitMix64 of key + (i + 1)·φ (Steele, Lea and Flood 2014), one 64-bit word per element. Its top 24
/// bits make the uniform u = k·2⁻²⁴ that decides a drop (kept iff u ≥ p, exactly: k ≥ ⌈p·2²⁴⌉); a normal draw is Box–Muller
/// on (top 24 bits + 1)·2⁻²⁴ ∈ (0, 1] and bits 8–31: √(−2 ln u₁)·cos(2π u₂), computed in double, so float and double models
/// draw the same noise. At rate (or σ) 0 each kind returns its input bit for bit.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Noise
{
    /// <summary>λα of SELU: dropped values of alpha dropout become α' = −λα (Keras, PyTorch).</summary>
    public const double AlphaPrime = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;

    private const double Inv24 = 1.0 / (1 << 24);

    /// <summary>The key of one draw: a model seed, the training step and the stream (which noise of the model).</summary>
    public static ulong Key(int seed, long step, int stream)
        => Mix(Mix(((ulong)(uint)seed << 32) ^ (uint)stream) ^ (ulong)step);

    /// <summary>The 64 random bits of element <paramref name="index"/> under <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Bits(ulong key, int index) => Mix(key + (ulong)(index + 1) * 0x9E3779B97F4A7C15UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The 24-bit integer whose drops the uniform u = k·2⁻²⁴ decides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Uniform24(ulong bits) => (uint)(bits >> 40);

    /// <summary>The smallest 24-bit k kept at drop rate p: u = k·2⁻²⁴ ≥ p.</summary>
    internal static uint KeepThreshold(double rate) => (uint)Math.Ceiling(rate * (1 << 24));

    /// <summary>A standard normal draw from the element's bits (Box–Muller, in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Normal(ulong bits)
    {
        double u1 = ((bits >> 40) + 1) * Inv24, u2 = ((bits >> 8) & 0xFFFFFF) * Inv24;
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    // ---- float ------------------------------------------------------------------------------------------------------

    /// <summary>Inverted dropout: y = x·m, m = 0 with probability <paramref name="rate"/>, else 1/(1 − rate); m kept in <paramref name="mask"/>.</summary>
    public static void Dropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, ulong key)
    {
        Check(x, y, mask);
        int done = Vector512.IsHardwareAccelerated ? DropoutVector(x, y, mask, rate, key) : 0;
        Dropout<float>(x.Slice(done), y.Slice(done), mask.Slice(done), rate, key, done);
    }

    /// <summary>
    /// The whole 16-value blocks of <see cref="Dropout(ReadOnlySpan{float}, Span{float}, Span{float}, float, ulong)"/> on
    /// 512-bit vectors: the same 64-bit hash per element (8 lanes of ulong, two per block), so exactly the scalar draw.
    /// Returns how many values it did.
    /// </summary>
    private static int DropoutVector(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, ulong key)
    {
        int n = x.Length & ~15;
        var vkey = Vector512.Create(key);
        var phi = Vector512.Create(0x9E3779B97F4A7C15UL);
        var lanes = Vector512.Create(1UL, 2, 3, 4, 5, 6, 7, 8);
        var threshold = Vector512.Create(KeepThreshold(rate));
        var keep = Vector512.Create(1f / (1f - rate));
        ref float xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y), mr = ref MemoryMarshal.GetReference(mask);
        for (int i = 0; i < n; i += 16)
        {
            Vector512<ulong> first = Mix(vkey + (Vector512.Create((ulong)i) + lanes) * phi);
            Vector512<ulong> second = Mix(vkey + (Vector512.Create((ulong)(i + 8)) + lanes) * phi);
            Vector512<uint> u = Vector512.Narrow(Vector512.ShiftRightLogical(first, 40), Vector512.ShiftRightLogical(second, 40));
            Vector512<float> m = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(u, threshold).AsSingle(), keep, Vector512<float>.Zero);
            m.StoreUnsafe(ref mr, (nuint)i);
            (Vector512.LoadUnsafe(ref xr, (nuint)i) * m).StoreUnsafe(ref yr, (nuint)i);
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }

    /// <summary>Additive noise: y = x + σ·n, n ~ N(0, 1); σ·n kept in <paramref name="added"/>.</summary>
    public static void Gaussian(ReadOnlySpan<float> x, Span<float> y, Span<float> added, float stddev, ulong key) => Gaussian<float>(x, y, added, stddev, key);

    /// <summary>Multiplicative noise: y = x·m, m = 1 + σ·n with σ = √(rate/(1 − rate)); m kept in <paramref name="mask"/>.</summary>
    public static void GaussianDropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, ulong key) => GaussianDropout<float>(x, y, mask, rate, key);

    /// <summary>Alpha dropout: y = a·x + b where kept, a·α' + b where dropped; the multiplier (a or 0) kept in <paramref name="mask"/>.</summary>
    public static void AlphaDropout(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, ulong key) => AlphaDropout<float>(x, y, mask, rate, key);

    /// <summary>The backward pass of a multiplying kind: d ⊙= mask (∂y/∂x), in place.</summary>
    public static void Backward(ReadOnlySpan<float> mask, Span<float> d)
    {
        if (mask.Length < d.Length) ThrowHelper.KernelSpan(nameof(mask), d.Length, mask.Length);
        TensorPrimitives.Multiply(d, mask.Slice(0, d.Length), d);
    }

    // ---- double -----------------------------------------------------------------------------------------------------

    /// <summary>Inverted dropout (float64 models); see the float overload.</summary>
    public static void Dropout(ReadOnlySpan<double> x, Span<double> y, Span<double> mask, double rate, ulong key) => Dropout<double>(x, y, mask, rate, key);

    /// <summary>Additive Gaussian noise (float64 models); see the float overload.</summary>
    public static void Gaussian(ReadOnlySpan<double> x, Span<double> y, Span<double> added, double stddev, ulong key) => Gaussian<double>(x, y, added, stddev, key);

    /// <summary>Gaussian dropout (float64 models); see the float overload.</summary>
    public static void GaussianDropout(ReadOnlySpan<double> x, Span<double> y, Span<double> mask, double rate, ulong key) => GaussianDropout<double>(x, y, mask, rate, key);

    /// <summary>Alpha dropout (float64 models); see the float overload.</summary>
    public static void AlphaDropout(ReadOnlySpan<double> x, Span<double> y, Span<double> mask, double rate, ulong key) => AlphaDropout<double>(x, y, mask, rate, key);

    /// <summary>The backward pass of a multiplying kind (float64 models): d ⊙= mask, in place.</summary>
    public static void Backward(ReadOnlySpan<double> mask, Span<double> d)
    {
        if (mask.Length < d.Length) ThrowHelper.KernelSpan(nameof(mask), d.Length, mask.Length);
        TensorPrimitives.Multiply(d, mask.Slice(0, d.Length), d);
    }

    // ---- The kinds, in any floating-point type ----------------------------------------------------------------------

    private static void Check<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> draw)
    {
        if (y.Length < x.Length) ThrowHelper.KernelSpan(nameof(y), x.Length, y.Length);
        if (draw.Length < x.Length) ThrowHelper.KernelSpan("mask", x.Length, draw.Length);
    }

    /// <summary>Inverted dropout in any type; <paramref name="first"/> is the element index of x[0] (the values before it were done elsewhere).</summary>
    internal static void Dropout<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, T rate, ulong key, int first = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, y, mask);
        uint threshold = KeepThreshold(double.CreateTruncating(rate));
        T keep = T.One / (T.One - rate);
        for (int i = 0; i < x.Length; i++)
        {
            T m = Uniform24(Bits(key, first + i)) >= threshold ? keep : T.Zero;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    internal static void Gaussian<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> added, T stddev, ulong key) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, y, added);
        if (stddev == T.Zero)
        {
            // x + 0 would turn −0 into +0: at σ = 0 the input passes through untouched.
            x.CopyTo(y);
            added.Slice(0, x.Length).Clear();
            return;
        }
        double sigma = double.CreateTruncating(stddev);
        for (int i = 0; i < x.Length; i++)
        {
            T n = T.CreateTruncating(sigma * Normal(Bits(key, i)));
            added[i] = n;
            y[i] = x[i] + n;
        }
    }

    internal static void GaussianDropout<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, T rate, ulong key) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, y, mask);
        double p = double.CreateTruncating(rate), sigma = Math.Sqrt(p / (1 - p));
        for (int i = 0; i < x.Length; i++)
        {
            T m = T.CreateTruncating(1 + sigma * Normal(Bits(key, i)));
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    internal static void AlphaDropout<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> mask, T rate, ulong key) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x, y, mask);
        if (rate == T.Zero)
        {
            // a = 1, b = 0: y = x, but 1·x + 0 would turn −0 into +0.
            x.CopyTo(y);
            mask.Slice(0, x.Length).Fill(T.One);
            return;
        }
        double p = double.CreateTruncating(rate);
        double a = 1 / Math.Sqrt((1 - p) * (1 + p * AlphaPrime * AlphaPrime)), b = -a * AlphaPrime * p;
        T ta = T.CreateTruncating(a), tb = T.CreateTruncating(b), dropped = T.CreateTruncating(a * AlphaPrime + b);
        uint threshold = KeepThreshold(p);
        for (int i = 0; i < x.Length; i++)
        {
            bool kept = Uniform24(Bits(key, i)) >= threshold;
            mask[i] = kept ? ta : T.Zero;
            y[i] = kept ? ta * x[i] + tb : dropped;
        }
    }
}
