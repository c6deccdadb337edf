using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>Element-wise penalty gradients: g += l1·sign(t) + 2·l2·t (pre-activation activity terms).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Penalty
{
    /// <summary>g[i] += l1·sign(t[i]) + 2·l2·t[i], in place on <paramref name="g"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddGradient(ReadOnlySpan<float> t, Span<float> g, float l1, float l2)
    {
        if (t.Length < g.Length) ThrowHelper.KernelSpan(nameof(t), g.Length, t.Length);
        switch (Width.Pick(g.Length))
        {
            case 512: Core<Vector512<float>, V512>(t, g, l1, l2); break;
            case 256: Core<Vector256<float>, V256>(t, g, l1, l2); break;
            case 128: Core<Vector128<float>, V128>(t, g, l1, l2); break;
            default: Scalar(t, g, l1, l2); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Core<TV, TS>(ReadOnlySpan<float> tSpan, Span<float> gSpan, float l1, float l2) where TV : struct where TS : ISimd<TV>
    {
        ref float t = ref MemoryMarshal.GetReference(tSpan);
        ref float g = ref MemoryMarshal.GetReference(gSpan);
        int n = gSpan.Length, vc = TS.Count;
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2);
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            TV tv = TS.Load(ref t, i);
            TS.Store(TS.MultiplyAdd(vl2, tv, TS.MultiplyAdd(vl1, TS.Sign(tv), TS.Load(ref g, i))), ref g, i);
        }
        if (i < n)
        {
            nint last = n - vc;
            TV tv = TS.Load(ref t, last), old = TS.Load(ref g, last);
            TV updated = TS.MultiplyAdd(vl2, tv, TS.MultiplyAdd(vl1, TS.Sign(tv), old));
            TS.Store(TS.Select(TS.LanesFrom((int)(i - last)), updated, old), ref g, last);
        }
    }

    internal static void Scalar(ReadOnlySpan<float> t, Span<float> g, float l1, float l2)
    {
        for (int i = 0; i < g.Length; i++) g[i] += l1 * ScalarMath.Sign(t[i]) + 2 * l2 * t[i];
    }
}
