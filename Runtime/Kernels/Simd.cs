using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// One vector width, as a set of static operations, so each kernel is written once and specialized by the JIT for
/// 512-bit and 256-bit vectors (type arguments are structs: no dispatch remains after inlining).
/// </summary>
internal interface ISimd<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(ref float source, nint offset);
    static abstract void Store(TV value, ref float destination, nint offset);
    static abstract TV Splat(float value);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);
    static abstract TV Abs(TV a);
    static abstract TV Max(TV a, TV b);
    static abstract float Sum(TV a);
    /// <summary>−1, 0 or +1 per lane (sign(0) = 0).</summary>
    static abstract TV Sign(TV a);
    /// <summary>1 where a &gt; 0, else 0.</summary>
    static abstract TV Positive(TV a);
    /// <summary>1 where a == 0, else 0.</summary>
    static abstract TV IsZero(TV a);
    /// <summary>1 where a &lt; threshold, else 0.</summary>
    static abstract TV LessThan(TV a, TV threshold);
    /// <summary>All-ones in lanes ≥ <paramref name="firstLane"/>, zero below: selects the fresh lanes of an overlapping last vector.</summary>
    static abstract TV LanesFrom(int firstLane);
    static abstract TV Select(TV mask, TV whenTrue, TV whenFalse);
    static abstract TV And(TV a, TV mask);
    static abstract TV Divide(TV a, TV b);
    /// <summary>1/a for a in [1, 2], within an ulp (not always correctly rounded where it is not a division).</summary>
    static abstract TV ReciprocalNearOne(TV a);
    static abstract TV Sqrt(TV a);
    static abstract TV Exp(TV a);
    /// <summary>e^{−a} for a ≥ 0 (or NaN): e^x with a shorter dependency chain where the sign is known.</summary>
    static abstract TV ExpNegative(TV a);
    /// <summary>All-ones where a &lt; b, else zero.</summary>
    static abstract TV LessThanMask(TV a, TV b);
    /// <summary>|magnitude| with the sign of <paramref name="sign"/>.</summary>
    static abstract TV CopySign(TV magnitude, TV sign);
    /// <summary>The four horizontal sums [Σa, Σb, Σc, Σd] at once, by a transposing reduction (a few shuffles instead
    /// of four full reductions).</summary>
    static abstract Vector128<float> Sum4(TV a, TV b, TV c, TV d);
}

internal readonly struct V512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float s, nint o) => Vector512.LoadUnsafe(ref s, (nuint)o);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, ref float d, nint o) => v.StoreUnsafe(ref d, (nuint)o);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> a) => Vector512.Sum(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sign(Vector512<float> a)
        => (Vector512.GreaterThan(a, Vector512<float>.Zero) & Vector512<float>.One) - (Vector512.LessThan(a, Vector512<float>.Zero) & Vector512<float>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Positive(Vector512<float> a) => Vector512.GreaterThan(a, Vector512<float>.Zero) & Vector512<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> IsZero(Vector512<float> a) => Vector512.Equals(a, Vector512<float>.Zero) & Vector512<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> t) => Vector512.LessThan(a, t) & Vector512<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LanesFrom(int first)
        => Vector512.GreaterThanOrEqual(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((float)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> m, Vector512<float> t, Vector512<float> f) => Vector512.ConditionalSelect(m, t, f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> m) => a & m;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    /// <summary>vrcp14ps (relative error &lt; 2⁻¹⁴) and one Newton step, r + r·(1 − a·r): a 512-bit division is one
    /// instruction per 10–16 cycles on one port, this is three pipelined ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ReciprocalNearOne(Vector512<float> a)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / a;
        Vector512<float> r = Avx512F.Reciprocal14(a);
        return MultiplyAdd(r, Avx512F.FusedMultiplyAddNegated(a, r, Vector512<float>.One), r);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        Vector512<float> n, p;
        if (Avx512F.IsSupported)
        {
            // 2^n by vscalefps, which overflows to ∞ and underflows to subnormals and 0 as e^x does; x is clamped only
            // so that the reduced argument stays small.
            p = ExpParts(Vector512.Min(Vector512.Max(x, Vector512.Create(-104f)), Vector512.Create(89f)), out n);
            return Avx512F.Scale(p, n);
        }
        // 2^n as n + 127 in the exponent field, x clamped to the float range so that the result saturates instead of
        // wrapping. n ∈ [−126, 128]; 128 (x near the top) is split as 2^127 · 2.
        p = ExpParts(Vector512.Min(Vector512.Max(x, Vector512.Create(-87.33654f)), Vector512.Create(88.72283f)), out n);
        Vector512<int> e = Vector512.ConvertToInt32(n);
        Vector512<int> high = Vector512.GreaterThan(e, Vector512.Create(127));
        e -= high & Vector512<int>.One;
        Vector512<float> scale = Vector512.ShiftLeft(e + Vector512.Create(127), 23).AsSingle();
        return p * scale * Vector512.ConditionalSelect(high.AsSingle(), Vector512.Create(2f), Vector512<float>.One);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ExpNegative(Vector512<float> a)
    {
        if (!Avx512F.IsSupported) return Exp(-a);
        // As Exp, with one clamp instead of two (e^{−104} is already 0 in float) and the negation beside the rounding
        // instead of before it: two steps fewer on the chain that tanh waits for.
        a = Vector512.Min(a, Vector512.Create(104f));
        Vector512<float> n = Vector512.Round(a * Vector512.Create(-1.44269504088896341f));
        return Avx512F.Scale(ExpOfReduced(n, Vector512<float>.Zero - a), n);
    }

    /// <summary>
    /// e^x = 2^n · e^r: returns e^r and n = round(x·log2 e), r = x − n·ln 2 (in two parts, the first exact for
    /// |n| &lt; 2^15); e^r = 1 + r + r²·P(r) with the Cephes expf minimax polynomial (≈ 1 ulp).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpParts(Vector512<float> x, out Vector512<float> n)
    {
        n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        return ExpOfReduced(n, x);
    }

    /// <summary>e^r for r = x − n·ln 2, n = round(x·log2 e) given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpOfReduced(Vector512<float> n, Vector512<float> x)
    {
        Vector512<float> r = MultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = MultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        // P(r) = c0 + c1·r + … + c5·r⁵ by Estrin's scheme, (c0 + c1·r) + r²·((c2 + c3·r) + r²·(c4 + c5·r)): three
        // dependent steps instead of Horner's five. An element-wise kernel is one dependency chain per vector, and the
        // scheduler holds only a few such chains at once, so the chain's length sets the speed.
        Vector512<float> r2 = r * r;
        Vector512<float> low = MultiplyAdd(Vector512.Create(1.6666665459E-1f), r, Vector512.Create(5.0000001201E-1f));
        Vector512<float> mid = MultiplyAdd(Vector512.Create(8.3334519073E-3f), r, Vector512.Create(4.1665795894E-2f));
        Vector512<float> high = MultiplyAdd(Vector512.Create(1.9875691500E-4f), r, Vector512.Create(1.3981999507E-3f));
        Vector512<float> p = MultiplyAdd(MultiplyAdd(high, r2, mid), r2, low);
        return MultiplyAdd(p, r2, r + Vector512<float>.One);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThanMask(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> CopySign(Vector512<float> magnitude, Vector512<float> sign) => Vector512.ConditionalSelect(Vector512.Create(-0f), sign, magnitude);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        if (!Avx512F.IsSupported) return Vector128.Create(Vector512.Sum(a), Vector512.Sum(b), Vector512.Sum(c), Vector512.Sum(d));
        // Per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3], then [a, b, c, d]; then the four lanes are added.
        Vector512<float> ab = Avx512F.UnpackLow(a, b) + Avx512F.UnpackHigh(a, b);
        Vector512<float> cd = Avx512F.UnpackLow(c, d) + Avx512F.UnpackHigh(c, d);
        Vector512<float> t = Avx512F.UnpackLow(ab.AsDouble(), cd.AsDouble()).AsSingle() + Avx512F.UnpackHigh(ab.AsDouble(), cd.AsDouble()).AsSingle();
        Vector256<float> h = t.GetLower() + t.GetUpper();
        return h.GetLower() + h.GetUpper();
    }
}

internal readonly struct V256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float s, nint o) => Vector256.LoadUnsafe(ref s, (nuint)o);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, ref float d, nint o) => v.StoreUnsafe(ref d, (nuint)o);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> a) => Vector256.Sum(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sign(Vector256<float> a)
        => (Vector256.GreaterThan(a, Vector256<float>.Zero) & Vector256<float>.One) - (Vector256.LessThan(a, Vector256<float>.Zero) & Vector256<float>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Positive(Vector256<float> a) => Vector256.GreaterThan(a, Vector256<float>.Zero) & Vector256<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> IsZero(Vector256<float> a) => Vector256.Equals(a, Vector256<float>.Zero) & Vector256<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> t) => Vector256.LessThan(a, t) & Vector256<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LanesFrom(int first)
        => Vector256.GreaterThanOrEqual(Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7), Vector256.Create((float)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> m, Vector256<float> t, Vector256<float> f) => Vector256.ConditionalSelect(m, t, f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> m) => a & m;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ReciprocalNearOne(Vector256<float> a) => Vector256<float>.One / a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ExpNegative(Vector256<float> a) => Exp(Vector256<float>.Zero - a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        // e^x = 2^n · e^r, n = round(x·log2 e), r = x − n·ln 2 (in two parts); e^r = 1 + r + r²·P(r) with the Cephes expf
        // minimax polynomial (≈ 1 ulp). x is clamped to the float range, so the result saturates instead of wrapping.
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-87.33654f)), Vector256.Create(88.72283f));
        Vector256<float> n = Vector256.Round(x * Vector256.Create(1.44269504088896341f));
        Vector256<float> r = MultiplyAdd(n, Vector256.Create(-0.693359375f), x);
        r = MultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        Vector256<float> p = MultiplyAdd(Vector256.Create(1.9875691500E-4f), r, Vector256.Create(1.3981999507E-3f));
        p = MultiplyAdd(p, r, Vector256.Create(8.3334519073E-3f));
        p = MultiplyAdd(p, r, Vector256.Create(4.1665795894E-2f));
        p = MultiplyAdd(p, r, Vector256.Create(1.6666665459E-1f));
        p = MultiplyAdd(p, r, Vector256.Create(5.0000001201E-1f));
        p = MultiplyAdd(p * r, r, r + Vector256<float>.One);
        // 2^n: n + 127 in the exponent field. n ∈ [−126, 128]; 128 (x near the top) is split as 2^127 · 2.
        Vector256<int> e = Vector256.ConvertToInt32(n);
        Vector256<int> high = Vector256.GreaterThan(e, Vector256.Create(127));
        e -= high & Vector256<int>.One;
        Vector256<float> scale = Vector256.ShiftLeft(e + Vector256.Create(127), 23).AsSingle();
        return p * scale * Vector256.ConditionalSelect(high.AsSingle(), Vector256.Create(2f), Vector256<float>.One);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThanMask(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> CopySign(Vector256<float> magnitude, Vector256<float> sign) => Vector256.ConditionalSelect(Vector256.Create(-0f), sign, magnitude);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        if (!Avx.IsSupported) return Vector128.Create(Vector256.Sum(a), Vector256.Sum(b), Vector256.Sum(c), Vector256.Sum(d));
        Vector256<float> ab = Avx.UnpackLow(a, b) + Avx.UnpackHigh(a, b);
        Vector256<float> cd = Avx.UnpackLow(c, d) + Avx.UnpackHigh(c, d);
        Vector256<float> t = Avx.UnpackLow(ab.AsDouble(), cd.AsDouble()).AsSingle() + Avx.UnpackHigh(ab.AsDouble(), cd.AsDouble()).AsSingle();
        return t.GetLower() + t.GetUpper();
    }
}

/// <summary>
/// 128-bit vectors: SSE4 (NativeAOT's default x64 target) and ARM64 NEON, where 256-bit vectors are not accelerated.
/// </summary>
internal readonly struct V128 : ISimd<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref float s, nint o) => Vector128.LoadUnsafe(ref s, (nuint)o);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, ref float d, nint o) => v.StoreUnsafe(ref d, (nuint)o);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float x) => Vector128.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : AdvSimd.IsSupported ? AdvSimd.FusedMultiplyAdd(c, a, b) : a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> a) => Vector128.Sum(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sign(Vector128<float> a)
        => (Vector128.GreaterThan(a, Vector128<float>.Zero) & Vector128<float>.One) - (Vector128.LessThan(a, Vector128<float>.Zero) & Vector128<float>.One);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Positive(Vector128<float> a) => Vector128.GreaterThan(a, Vector128<float>.Zero) & Vector128<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> IsZero(Vector128<float> a) => Vector128.Equals(a, Vector128<float>.Zero) & Vector128<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> t) => Vector128.LessThan(a, t) & Vector128<float>.One;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LanesFrom(int first)
        => Vector128.GreaterThanOrEqual(Vector128.Create(0f, 1, 2, 3), Vector128.Create((float)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> m, Vector128<float> t, Vector128<float> f) => Vector128.ConditionalSelect(m, t, f);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> m) => a & m;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ReciprocalNearOne(Vector128<float> a) => Vector128<float>.One / a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ExpNegative(Vector128<float> a) => Exp(Vector128<float>.Zero - a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        // e^x = 2^n · e^r, n = round(x·log2 e), r = x − n·ln 2 (in two parts); e^r = 1 + r + r²·P(r) with the Cephes expf
        // minimax polynomial (≈ 1 ulp). x is clamped to the float range, so the result saturates instead of wrapping.
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(-87.33654f)), Vector128.Create(88.72283f));
        Vector128<float> n = Vector128.Round(x * Vector128.Create(1.44269504088896341f));
        Vector128<float> r = MultiplyAdd(n, Vector128.Create(-0.693359375f), x);
        r = MultiplyAdd(n, Vector128.Create(2.12194440e-4f), r);
        Vector128<float> p = MultiplyAdd(Vector128.Create(1.9875691500E-4f), r, Vector128.Create(1.3981999507E-3f));
        p = MultiplyAdd(p, r, Vector128.Create(8.3334519073E-3f));
        p = MultiplyAdd(p, r, Vector128.Create(4.1665795894E-2f));
        p = MultiplyAdd(p, r, Vector128.Create(1.6666665459E-1f));
        p = MultiplyAdd(p, r, Vector128.Create(5.0000001201E-1f));
        p = MultiplyAdd(p * r, r, r + Vector128<float>.One);
        // 2^n: n + 127 in the exponent field. n ∈ [−126, 128]; 128 (x near the top) is split as 2^127 · 2.
        Vector128<int> e = Vector128.ConvertToInt32(n);
        Vector128<int> high = Vector128.GreaterThan(e, Vector128.Create(127));
        e -= high & Vector128<int>.One;
        Vector128<float> scale = Vector128.ShiftLeft(e + Vector128.Create(127), 23).AsSingle();
        return p * scale * Vector128.ConditionalSelect(high.AsSingle(), Vector128.Create(2f), Vector128<float>.One);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThanMask(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> CopySign(Vector128<float> magnitude, Vector128<float> sign) => Vector128.ConditionalSelect(Vector128.Create(-0f), sign, magnitude);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
        => Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
}

/// <summary>Which vector width a kernel runs at for a row of a given length.</summary>
internal static class Width
{
    /// <summary>AVX-512 is used whenever the CPU has it: the JIT's own preference flag is off on many virtual CPUs.</summary>
    public static bool Use512(int length) => Avx512F.IsSupported && length >= Vector512<float>.Count;

    public static bool Use256(int length) => Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count;

    /// <summary>
    /// The widest accelerated vector for <paramref name="length"/> elements. Element-wise kernels with exp use it too:
    /// their exp is our own polynomial of FMA, round, convert and shift instructions, all native on AVX-512 (the library's
    /// Vector512.Exp, which falls back to per-element code when the runtime does not report Vector512 as accelerated,
    /// is not used).
    /// </summary>
    public static int Pick(int length)
    {
        if (Use512(length)) return 512;
        return Use256(length) ? 256 : Use128(length) ? 128 : 0;
    }

    /// <summary>128-bit vectors only where 256-bit ones are not accelerated (SSE-only x64, ARM64).</summary>
    public static bool Use128(int length) => !Vector256.IsHardwareAccelerated && Vector128.IsHardwareAccelerated && length >= Vector128<float>.Count;
}
