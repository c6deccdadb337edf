using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>Plain stochastic gradient descent, as <c>torch.optim.SGD(lr)</c> without momentum.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Sgd
{
    /// <summary>p ← p − lr·g.</summary>
    public static void Step(Span<float> p, ReadOnlySpan<float> g, float lr)
    {
        if (g.Length != p.Length) ThrowHelper.KernelSpan(nameof(g), p.Length, g.Length);
        TensorPrimitives.MultiplyAdd(g, -lr, p, p);
    }

    /// <summary>
    /// Proximal L1 step: w ← sign(v)·max(|v| − threshold, 0) with v = w − lr·g, in one pass. With threshold = lr·λ
    /// this is the exact minimizer of the L1-regularized local model, so weights reach exact zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StepSoftThreshold(Span<float> w, ReadOnlySpan<float> g, float lr, float threshold)
    {
        if (g.Length != w.Length) ThrowHelper.KernelSpan(nameof(g), w.Length, g.Length);
        switch (Width.Pick(w.Length))
        {
            case 512: SoftCore<Vector512<float>, V512>(w, g, lr, threshold); break;
            case 256: SoftCore<Vector256<float>, V256>(w, g, lr, threshold); break;
            case 128: SoftCore<Vector128<float>, V128>(w, g, lr, threshold); break;
            default: SoftScalar(w, g, lr, threshold); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SoftCore<TV, TS>(Span<float> wSpan, ReadOnlySpan<float> gSpan, float lr, float threshold) where TV : struct where TS : ISimd<TV>
    {
        ref float w = ref MemoryMarshal.GetReference(wSpan);
        ref float g = ref MemoryMarshal.GetReference(gSpan);
        int n = wSpan.Length, vc = TS.Count;
        TV nlr = TS.Splat(-lr), th = TS.Splat(threshold);
        nint i = 0;
        for (; i + vc <= n; i += vc)
            TS.Store(Soft<TV, TS>(TS.MultiplyAdd(nlr, TS.Load(ref g, i), TS.Load(ref w, i)), th), ref w, i);
        if (i < n)
        {
            nint last = n - vc;
            TV old = TS.Load(ref w, last);
            TV updated = Soft<TV, TS>(TS.MultiplyAdd(nlr, TS.Load(ref g, last), old), th);
            TS.Store(TS.Select(TS.LanesFrom((int)(i - last)), updated, old), ref w, last);
        }
    }

    private static TV Soft<TV, TS>(TV v, TV th) where TV : struct where TS : ISimd<TV>
        => TS.Multiply(TS.Sign(v), TS.Max(TS.Subtract(TS.Abs(v), th), TS.Zero));

    internal static void SoftScalar(Span<float> w, ReadOnlySpan<float> g, float lr, float threshold)
    {
        for (int i = 0; i < w.Length; i++)
        {
            float v = w[i] - lr * g[i];
            w[i] = ScalarMath.Sign(v) * MathF.Max(MathF.Abs(v) - threshold, 0f);
        }
    }
}
