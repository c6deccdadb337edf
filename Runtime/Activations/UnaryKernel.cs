using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>An element-wise function, as a vector body and a scalar reference; p is its parameter (α), if any.</summary>
internal interface IUnaryOp
{
    static abstract TV Invoke<TV, TS>(TV x, TV p) where TV : struct where TS : ISimd<TV>;
    static abstract float Invoke(float x, float p);
}

/// <summary>
/// a = f(z) over a span, vectorized; z and a may be the same memory. The last
/// vector overlaps the previous one and keeps the lanes already done (in place, recomputing them from their new values
/// would be wrong), so there is no scalar remainder loop.
/// </summary>
internal static class UnaryKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TOp>(ReadOnlySpan<float> z, Span<float> a, float p = 0f) where TOp : struct, IUnaryOp
    {
        if (a.Length < z.Length) ThrowHelper.KernelSpan(nameof(a), z.Length, a.Length);
        switch (Width.Pick(z.Length))
        {
            case 512: Core<TOp, Vector512<float>, V512>(z, a, p); break;
            case 256: Core<TOp, Vector256<float>, V256>(z, a, p); break;
            case 128: Core<TOp, Vector128<float>, V128>(z, a, p); break;
            default: Scalar<TOp>(z, a, p); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Core<TOp, TV, TS>(ReadOnlySpan<float> zSpan, Span<float> aSpan, float p = 0f) where TOp : struct, IUnaryOp where TV : struct where TS : ISimd<TV>
    {
        ref float z = ref MemoryMarshal.GetReference(zSpan);
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        int n = zSpan.Length, vc = TS.Count;
        TV vp = TS.Splat(p);
        nint i = 0;
        for (; i + vc <= n; i += vc) TS.Store(TOp.Invoke<TV, TS>(TS.Load(ref z, i), vp), ref a, i);
        if (i < n)
        {
            nint last = n - vc;
            TV updated = TOp.Invoke<TV, TS>(TS.Load(ref z, last), vp);
            TS.Store(TS.Select(TS.LanesFrom((int)(i - last)), updated, TS.Load(ref a, last)), ref a, last);
        }
    }

    internal static void Scalar<TOp>(ReadOnlySpan<float> z, Span<float> a, float p = 0f) where TOp : struct, IUnaryOp
    {
        for (int i = 0; i < z.Length; i++) a[i] = TOp.Invoke(z[i], p);
    }
}
