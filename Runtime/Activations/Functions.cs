using System;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>LeakyReLU: z for z &gt; 0, else α·z (PyTorch <c>nn.LeakyReLU(negative_slope=α)</c>).</summary>
internal readonly struct LeakyReluFunction : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Zero, x), x, TS.Multiply(p, x));

    public static float Invoke(float x, float p) => x > 0 ? x : p * x;
}

/// <summary>ELU: z for z &gt; 0, else α·(e^z − 1) (PyTorch <c>nn.ELU(alpha=α)</c>), with an accurate e^z − 1 near 0.</summary>
/// <summary>SELU: λ·z for z &gt; 0, else λα·(e^z − 1), with ELU's accurate e^z − 1 (PyTorch <c>nn.SELU</c>).</summary>
internal readonly struct SeluFunction : IUnaryOp
{
    public const float Lambda = 1.0507009873554804934193349852946f;
    public const float LambdaAlpha = (float)(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Zero, x), TS.Multiply(TS.Splat(Lambda), x), TS.Multiply(TS.Splat(LambdaAlpha), EluFunction.ExpM1<TV, TS>(x)));

    public static float Invoke(float x, float p) => x > 0 ? Lambda * x : (float)(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717 * (Math.Exp(x) - 1));
}

internal readonly struct EluFunction : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Zero, x), x, TS.Multiply(p, ExpM1<TV, TS>(x)));

    public static float Invoke(float x, float p) => x > 0 ? x : (float)(p * (Math.Exp(x) - 1));

    /// <summary>
    /// e^x − 1: for |x| &lt; ½ the Taylor series to x⁷ (Horner; truncation &lt; 2e−7 relative), where e^x − 1 would lose
    /// digits to cancellation; elsewhere e^x − 1 directly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV ExpM1<TV, TS>(TV x) where TV : struct where TS : ISimd<TV>
    {
        TV one = TS.Splat(1f);
        TV series = TS.MultiplyAdd(x, TS.Splat(1f / 7), one);
        series = TS.MultiplyAdd(TS.Multiply(x, TS.Splat(1f / 6)), series, one);
        series = TS.MultiplyAdd(TS.Multiply(x, TS.Splat(1f / 5)), series, one);
        series = TS.MultiplyAdd(TS.Multiply(x, TS.Splat(1f / 4)), series, one);
        series = TS.MultiplyAdd(TS.Multiply(x, TS.Splat(1f / 3)), series, one);
        series = TS.MultiplyAdd(TS.Multiply(x, TS.Splat(1f / 2)), series, one);
        series = TS.Multiply(x, series);
        TV direct = TS.Subtract(TS.Exp(x), one);
        return TS.Select(TS.LessThanMask(TS.Abs(x), TS.Splat(0.5f)), series, direct);
    }
}

/// <summary>
/// Softplus log(1 + e^z) as PyTorch computes it (β = 1, threshold 20: z itself above 20), written stably as
/// max(z, 0) + log1p(e^−|z|).
/// </summary>
internal readonly struct SoftplusFunction : IUnaryOp
{
    public const float Threshold = 20f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV>
    {
        TV stable = TS.Add(TS.Max(x, TS.Zero), Log1pUnit<TV, TS>(TS.Exp(TS.Subtract(TS.Zero, TS.Abs(x)))));
        return TS.Select(TS.LessThanMask(TS.Splat(Threshold), x), x, stable);
    }

    public static float Invoke(float x, float p) => x > Threshold ? x : (float)(Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs((double)x))));

    /// <summary>
    /// log(1 + u) for u in [0, 1], accurate relative to the result even for tiny u: with s = u/(2 + u) ∈ [0, ⅓],
    /// log(1 + u) = 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + …), summed to s¹⁶ (truncation &lt; 1e−9).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Log1pUnit<TV, TS>(TV u) where TV : struct where TS : ISimd<TV>
    {
        TV s = TS.Divide(u, TS.Add(TS.Splat(2f), u));
        TV w = TS.Multiply(s, s);
        TV p = TS.Splat(1f / 17);
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 15));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 13));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 11));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 9));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 7));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 5));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f / 3));
        p = TS.MultiplyAdd(p, w, TS.Splat(1f));
        return TS.Multiply(TS.Add(s, s), p);
    }
}

/// <summary>
/// Exact GELU z·Φ(z) (PyTorch <c>nn.GELU()</c>, approximate='none'). Φ(z) = ½·erfc(−z/√2) with the Numerical Recipes
/// erfc approximation, whose error is below 1.2e−7 relative everywhere — so Φ stays accurate far into the left tail,
/// where 1 + erf would cancel.
/// </summary>
internal readonly struct GeluFunction : IUnaryOp
{
    public const double InvSqrt2Pi = 0.3989422804014327;
    private const float InvSqrt2 = 0.70710678118654752f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV> => TS.Multiply(x, Phi<TV, TS>(x));

    public static float Invoke(float x, float p) => (float)(x * Phi(x));

    /// <summary>Φ(z) in double (the scalar reference).</summary>
    public static double Phi(double z)
    {
        double e = Erfc(Math.Abs(z) * InvSqrt2);
        return z <= 0 ? 0.5 * e : 1 - 0.5 * e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Phi<TV, TS>(TV z) where TV : struct where TS : ISimd<TV>
    {
        TV x = TS.Multiply(TS.Abs(z), TS.Splat(InvSqrt2));
        TV t = TS.Divide(TS.Splat(1f), TS.MultiplyAdd(TS.Splat(0.5f), x, TS.Splat(1f)));
        TV poly = TS.Splat(0.17087277f);
        poly = TS.MultiplyAdd(poly, t, TS.Splat(-0.82215223f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(1.48851587f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(-1.13520398f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(0.27886807f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(-0.18628806f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(0.09678418f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(0.37409196f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(1.00002368f));
        poly = TS.MultiplyAdd(poly, t, TS.Splat(-1.26551223f));
        TV half = TS.Multiply(TS.Splat(0.5f), TS.Multiply(t, TS.Exp(TS.Subtract(poly, TS.Multiply(x, x)))));
        return TS.Select(TS.LessThanMask(TS.Zero, z), TS.Subtract(TS.Splat(1f), half), half);
    }

    private static double Erfc(double x) // x ≥ 0
    {
        double t = 1 / (1 + 0.5 * x);
        double poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
                      + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        return t * Math.Exp(-x * x + poly);
    }
}

/// <summary>GELU, tanh approximation: ½z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) (PyTorch <c>nn.GELU(approximate='tanh')</c>).</summary>
internal readonly struct GeluTanhFunction : IUnaryOp
{
    public const double K = 0.7978845608028654, C = 0.044715;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV>
    {
        TV inner = TS.Multiply(TS.Splat((float)K), TS.MultiplyAdd(TS.Multiply(TS.Splat((float)C), TS.Multiply(x, x)), x, x));
        return TS.Multiply(TS.Multiply(TS.Splat(0.5f), x), TS.Add(TS.Splat(1f), TanhFunction.Invoke<TV, TS>(inner)));
    }

    public static float Invoke(float x, float p) => (float)(0.5 * x * (1 + Math.Tanh(K * (x + C * (double)x * x * x))));
}
