using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// σ(z) = 1 / (1 + e^−z), vectorized with the runtime's vector Exp (faster here than TensorPrimitives.Sigmoid, which
/// measured 2 ns per element on this machine). Saturates cleanly: e^−z = +∞ gives exactly 0, e^−z = 0 exactly 1.
/// </summary>
internal static class SigmoidKernel
{
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
        for (; i + vc <= n; i += vc) TS.Store(Sigmoid<TV, TS>(TS.Load(ref z, i)), ref a, i);
        if (i < n)
        {
            // z and a may be the same memory: lanes already done are kept, not recomputed from their new values.
            nint last = n - vc;
            TV updated = Sigmoid<TV, TS>(TS.Load(ref z, last));
            TS.Store(TS.Select(TS.LanesFrom((int)(i - last)), updated, TS.Load(ref a, last)), ref a, last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Sigmoid<TV, TS>(TV x) where TV : struct where TS : ISimd<TV>
        => TS.Divide(TS.Splat(1f), TS.Add(TS.Splat(1f), TS.Exp(TS.Subtract(TS.Zero, x))));

    internal static void Scalar(ReadOnlySpan<float> z, Span<float> a)
    {
        for (int i = 0; i < z.Length; i++) a[i] = 1f / (1f + MathF.Exp(-z[i]));
    }
}
