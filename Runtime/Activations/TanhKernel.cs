using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// tanh, vectorized, accurate near 0 and exactly odd: tanh(0) = 0 and sign(tanh(z)) = sign(z), which the L1 penalty's
/// sign(0) = 0 convention depends on. (TensorPrimitives.Tanh in System.Numerics.Tensors 10.0.0 returns −5.96e−8 for 0
/// and is off by 4.6% at 1e−6, so it is not used.)
/// |z| &lt; 0.625: z + z·w·P(w), w = z², a degree-4 minimax polynomial (Cephes tanhf coefficients);
/// otherwise sign(z)·(1 − 2/(e^{2|z|} + 1)).
/// </summary>
internal static class TanhKernel
{
    private const float P0 = -5.70498872745E-3f, P1 = 2.06390887954E-2f, P2 = -5.37397155531E-2f, P3 = 1.33314422036E-1f, P4 = -3.33332819422E-1f;

    public static void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        if (a.Length < z.Length) ThrowHelper.KernelSpan(nameof(a), z.Length, a.Length);
        switch (Width.PickMath(z.Length))
        {
            case 512: Core<Vector512<float>, V512>(z, a); break;
            case 256: Core<Vector256<float>, V256>(z, a); break;
            default: Scalar(z, a); break;
        }
    }

    internal static void Core<TV, TS>(ReadOnlySpan<float> zSpan, Span<float> aSpan) where TV : struct where TS : ISimd<TV>
    {
        ref float z = ref MemoryMarshal.GetReference(zSpan);
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        int n = zSpan.Length, vc = TS.Count;
        nint i = 0;
        for (; i + vc <= n; i += vc) TS.Store(Tanh<TV, TS>(TS.Load(ref z, i)), ref a, i);
        if (i < n)
        {
            // z and a may be the same memory: lanes already done are kept, not recomputed from their new values.
            nint last = n - vc;
            TV fresh = TS.LanesFrom((int)(i - last));
            TV updated = Tanh<TV, TS>(TS.Load(ref z, last));
            TS.Store(TS.Select(fresh, updated, TS.Load(ref a, last)), ref a, last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Tanh<TV, TS>(TV x) where TV : struct where TS : ISimd<TV>
    {
        TV ax = TS.Abs(x);
        TV w = TS.Multiply(x, x);
        TV p = TS.MultiplyAdd(TS.MultiplyAdd(TS.MultiplyAdd(TS.MultiplyAdd(TS.Splat(P0), w, TS.Splat(P1)), w, TS.Splat(P2)), w, TS.Splat(P3)), w, TS.Splat(P4));
        TV small = TS.MultiplyAdd(TS.Multiply(x, w), p, x);
        // Large |x|: 1 − 2/(e^{2|x|} + 1); e^{2|x|} overflows to +∞ for |x| > 44, giving exactly 1.
        TV e = TS.Exp(TS.Add(ax, ax));
        TV large = TS.CopySign(TS.Subtract(TS.Splat(1f), TS.Divide(TS.Splat(2f), TS.Add(e, TS.Splat(1f)))), x);
        return TS.Select(TS.LessThanMask(ax, TS.Splat(0.625f)), small, large);
    }

    internal static void Scalar(ReadOnlySpan<float> z, Span<float> a)
    {
        for (int i = 0; i < z.Length; i++) a[i] = MathF.Tanh(z[i]);
    }
}
