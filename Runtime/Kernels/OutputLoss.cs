using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>An element-wise data loss of e = y − t: its value and its derivative in e.</summary>
internal interface IElementLoss
{
    static abstract float Value(float e);
    static abstract float Gradient(float e);
    static abstract TV Value<TV, TS>(TV e) where TV : struct where TS : ISimd<TV>;
    static abstract TV Gradient<TV, TS>(TV e) where TV : struct where TS : ISimd<TV>;
}

/// <summary>(y − t)²; derivative taken as e (the 2 is folded into the generated scale).</summary>
internal readonly struct SquaredErrorOp : IElementLoss
{
    public static float Value(float e) => e * e;
    public static float Gradient(float e) => e;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TV Value<TV, TS>(TV e) where TV : struct where TS : ISimd<TV> => TS.Multiply(e, e);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TV Gradient<TV, TS>(TV e) where TV : struct where TS : ISimd<TV> => e;
}

/// <summary>|y − t|; derivative sign(e) with sign(0) = 0, as PyTorch's <c>L1Loss</c>.</summary>
internal readonly struct AbsoluteErrorOp : IElementLoss
{
    public static float Value(float e) => MathF.Abs(e);
    public static float Gradient(float e) => ScalarMath.Sign(e);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TV Value<TV, TS>(TV e) where TV : struct where TS : ISimd<TV> => TS.Abs(e);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TV Gradient<TV, TS>(TV e) where TV : struct where TS : ISimd<TV> => TS.Sign(e);
}

/// <summary>
/// The output layer's backward step fused with an element-wise data loss: for every element,
/// d = (scale·loss'(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y, z), returning Σ loss(y − t) from the same pass.
/// </summary>
internal static class OutputLoss
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Backward<TLoss, TAct>(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float p, float l1, float l2)
        where TLoss : struct, IElementLoss where TAct : struct, IActivationOp
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        if (d.Length < y.Length) ThrowHelper.KernelSpan(nameof(d), y.Length, d.Length);
        if (TAct.UsesZ && z.Length < y.Length) ThrowHelper.KernelSpan(nameof(z), y.Length, z.Length);
        // Chunks keep the float partial sums short (accuracy of the reported loss at large batch).
        const int Chunk = 8192;
        double total = 0;
        for (int i = 0; i < y.Length; i += Chunk)
        {
            int len = Math.Min(Chunk, y.Length - i);
            ReadOnlySpan<float> yc = y.Slice(i, len), tc = t.Slice(i, len), zc = TAct.UsesZ ? z.Slice(i, len) : default;
            Span<float> dc = d.Slice(i, len);
            total += Width.Pick(len) switch
            {
                512 => Core<TLoss, TAct, Vector512<float>, V512>(zc, yc, tc, dc, scale, p, l1, l2),
                256 => Core<TLoss, TAct, Vector256<float>, V256>(zc, yc, tc, dc, scale, p, l1, l2),
                128 => Core<TLoss, TAct, Vector128<float>, V128>(zc, yc, tc, dc, scale, p, l1, l2),
                _ => Scalar<TLoss, TAct>(zc, yc, tc, dc, scale, p, l1, l2),
            };
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Core<TLoss, TAct, TV, TS>(ReadOnlySpan<float> zSpan, ReadOnlySpan<float> ySpan, ReadOnlySpan<float> tSpan, Span<float> dSpan,
        float scale, float p, float l1, float l2)
        where TLoss : struct, IElementLoss where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
    {
        ref float y = ref MemoryMarshal.GetReference(ySpan);
        ref float z = ref TAct.UsesZ ? ref MemoryMarshal.GetReference(zSpan) : ref y;
        ref float t = ref MemoryMarshal.GetReference(tSpan);
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        int n = ySpan.Length, vc = TS.Count;
        TV vs = TS.Splat(scale), vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), vp = TS.Splat(p), acc = TS.Zero;
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            TV yv = TS.Load(ref y, i), e = TS.Subtract(yv, TS.Load(ref t, i));
            acc = TS.Add(acc, TLoss.Value<TV, TS>(e));
            TS.Store(Delta<TLoss, TAct, TV, TS>(yv, TS.Load(ref z, i), e, vs, vp, vl1, vl2), ref d, i);
        }
        if (i < n)
        {
            // Overlapping last vector: d is written from y, z and t only, so recomputing old lanes is harmless;
            // the loss sum counts only the fresh lanes.
            nint last = n - vc;
            TV yv = TS.Load(ref y, last), e = TS.Subtract(yv, TS.Load(ref t, last));
            acc = TS.Add(acc, TS.And(TLoss.Value<TV, TS>(e), TS.LanesFrom((int)(i - last))));
            TS.Store(Delta<TLoss, TAct, TV, TS>(yv, TS.Load(ref z, last), e, vs, vp, vl1, vl2), ref d, last);
        }
        return TS.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Delta<TLoss, TAct, TV, TS>(TV y, TV z, TV e, TV scale, TV p, TV vl1, TV vl2)
        where TLoss : struct, IElementLoss where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
        => TS.Multiply(TS.MultiplyAdd(vl2, y, TS.MultiplyAdd(vl1, TS.Sign(y), TS.Multiply(scale, TLoss.Gradient<TV, TS>(e)))), TAct.Derivative<TV, TS>(y, z, p));

    internal static float Scalar<TLoss, TAct>(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float p, float l1, float l2)
        where TLoss : struct, IElementLoss where TAct : struct, IActivationOp
    {
        float acc = 0;
        for (int i = 0; i < y.Length; i++)
        {
            float e = y[i] - t[i];
            acc += TLoss.Value(e);
            d[i] = (scale * TLoss.Gradient(e) + l1 * ScalarMath.Sign(y[i]) + 2 * l2 * y[i]) * TAct.Derivative(y[i], TAct.UsesZ ? z[i] : y[i], p);
        }
        return acc;
    }
}
