using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The output layer's backward step fused with a squared-error loss: for every element,
/// d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y), returning Σ(y − t)² from the same pass.
/// </summary>
internal static class SquaredError
{
    public static double Backward<TAct>(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        where TAct : struct, IActivationOp
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        if (d.Length < y.Length) ThrowHelper.KernelSpan(nameof(d), y.Length, d.Length);
        // Chunks keep the float partial sums short (accuracy of the reported loss at large batch).
        const int Chunk = 8192;
        double total = 0;
        for (int i = 0; i < y.Length; i += Chunk)
        {
            int len = Math.Min(Chunk, y.Length - i);
            ReadOnlySpan<float> yc = y.Slice(i, len), tc = t.Slice(i, len);
            Span<float> dc = d.Slice(i, len);
            total += Width.Pick(len) switch
            {
                512 => Core<TAct, Vector512<float>, V512>(yc, tc, dc, scale, l1, l2),
                256 => Core<TAct, Vector256<float>, V256>(yc, tc, dc, scale, l1, l2),
                _ => Scalar<TAct>(yc, tc, dc, scale, l1, l2),
            };
        }
        return total;
    }

    internal static float Core<TAct, TV, TS>(ReadOnlySpan<float> ySpan, ReadOnlySpan<float> tSpan, Span<float> dSpan, float scale, float l1, float l2)
        where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
    {
        ref float y = ref MemoryMarshal.GetReference(ySpan);
        ref float t = ref MemoryMarshal.GetReference(tSpan);
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        int n = ySpan.Length, vc = TS.Count;
        TV vs = TS.Splat(scale), vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), acc = TS.Zero;
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            TV yv = TS.Load(ref y, i), e = TS.Subtract(yv, TS.Load(ref t, i));
            acc = TS.MultiplyAdd(e, e, acc);
            TS.Store(Delta<TAct, TV, TS>(yv, e, vs, vl1, vl2), ref d, i);
        }
        if (i < n)
        {
            // Overlapping last vector: d is written from y and t only, so recomputing old lanes is harmless;
            // the loss sum counts only the fresh lanes.
            nint last = n - vc;
            TV yv = TS.Load(ref y, last), e = TS.Subtract(yv, TS.Load(ref t, last));
            TV fresh = TS.And(e, TS.LanesFrom((int)(i - last)));
            acc = TS.MultiplyAdd(fresh, fresh, acc);
            TS.Store(Delta<TAct, TV, TS>(yv, e, vs, vl1, vl2), ref d, last);
        }
        return TS.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Delta<TAct, TV, TS>(TV y, TV e, TV scale, TV vl1, TV vl2)
        where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
        => TS.Multiply(TS.MultiplyAdd(vl2, y, TS.MultiplyAdd(vl1, TS.Sign(y), TS.Multiply(scale, e))), TAct.Derivative<TV, TS>(y));

    internal static float Scalar<TAct>(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        where TAct : struct, IActivationOp
    {
        float acc = 0;
        for (int i = 0; i < y.Length; i++)
        {
            float e = y[i] - t[i];
            acc += e * e;
            d[i] = (scale * e + l1 * ScalarMath.Sign(y[i]) + 2 * l2 * y[i]) * TAct.Derivative(y[i]);
        }
        return acc;
    }
}
