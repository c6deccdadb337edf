using System;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// tanh, accurate near 0 and exactly odd: tanh(0) = 0 and sign(tanh(z)) = sign(z), which the L1 penalty's
/// sign(0) = 0 convention depends on. (TensorPrimitives.Tanh in System.Numerics.Tensors 10.0.0 returns −5.96e−8 for 0
/// and is off by 4.6 % at 1e−6, so it is not used.)
/// |z| &lt; 0.625: z + z·w·P(w), w = z², a degree-4 minimax polynomial (Cephes tanhf coefficients);
/// otherwise sign(z)·(1 − 2/(e^{2|z|} + 1)).
/// </summary>
internal readonly struct TanhFunction : IUnaryOp
{
    private const float P0 = -5.70498872745E-3f, P1 = 2.06390887954E-2f, P2 = -5.37397155531E-2f, P3 = 1.33314422036E-1f, P4 = -3.33332819422E-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV> => Invoke<TV, TS>(x);

    public static float Invoke(float x, float p) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x) where TV : struct where TS : ISimd<TV>
    {
        TV ax = TS.Abs(x);
        TV w = TS.Multiply(x, x);
        TV p = TS.MultiplyAdd(TS.MultiplyAdd(TS.MultiplyAdd(TS.MultiplyAdd(TS.Splat(P0), w, TS.Splat(P1)), w, TS.Splat(P2)), w, TS.Splat(P3)), w, TS.Splat(P4));
        TV small = TS.MultiplyAdd(TS.Multiply(x, w), p, x);
        // Large |x|: 1 − 2e/(1 + e), e = e^{−2|x|} ≤ 0.29, so 1 + e ∈ [1, 1.29] (a reciprocal without special cases);
        // e underflows to 0 for large |x|, giving exactly 1.
        TV e = TS.ExpNegative(TS.Add(ax, ax));
        TV large = TS.CopySign(TS.MultiplyAdd(TS.Multiply(e, TS.Splat(-2f)), TS.ReciprocalNearOne(TS.Add(e, TS.Splat(1f))), TS.Splat(1f)), x);
        return TS.Select(TS.LessThanMask(ax, TS.Splat(0.625f)), small, large);
    }

}

/// <summary>
/// σ(z) = 1 / (1 + e^−z) with our vector exp (TensorPrimitives.Sigmoid measured 2 ns per element here). Saturates
/// cleanly: e^−z = +∞ gives 0, e^−z = 0 gives 1.
/// </summary>
internal readonly struct SigmoidFunction : IUnaryOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV> => Invoke<TV, TS>(x);

    public static float Invoke(float x, float p) => 1f / (1f + MathF.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Invoke<TV, TS>(TV x) where TV : struct where TS : ISimd<TV>
        => TS.Divide(TS.Splat(1f), TS.Add(TS.Splat(1f), TS.Exp(TS.Subtract(TS.Zero, x))));
}
