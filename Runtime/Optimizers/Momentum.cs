using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// SGD with momentum as <c>torch.optim.SGD(lr, momentum=μ, nesterov=…)</c> (dampening 0, no weight decay):
/// v ← μ·v + g; p ← p − lr·v, or with Nesterov p ← p − lr·(g + μ·v). The velocity starts at 0, so the first step
/// is v = g, as PyTorch's clone of the first gradient.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Momentum
{
    /// <summary>One update of every parameter, in place; <paramref name="v"/> is the velocity, laid out as the parameters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> v, float lr, float momentum, bool nesterov)
    {
        if (g.Length != p.Length) ThrowHelper.KernelSpan(nameof(g), p.Length, g.Length);
        if (v.Length != p.Length) ThrowHelper.KernelSpan(nameof(v), p.Length, v.Length);
        int done = Width.Pick(p.Length) switch
        {
            512 => Core<Vector512<float>, V512>(p, g, v, lr, momentum, nesterov),
            256 => Core<Vector256<float>, V256>(p, g, v, lr, momentum, nesterov),
            128 => Core<Vector128<float>, V128>(p, g, v, lr, momentum, nesterov),
            _ => 0,
        };
        Scalar(p.Slice(done), g.Slice(done), v.Slice(done), lr, momentum, nesterov);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Core<TV, TS>(Span<float> pSpan, ReadOnlySpan<float> gSpan, Span<float> vSpan, float lr, float momentum, bool nesterov)
        where TV : struct where TS : ISimd<TV>
    {
        ref float p = ref MemoryMarshal.GetReference(pSpan);
        ref float g = ref MemoryMarshal.GetReference(gSpan);
        ref float v = ref MemoryMarshal.GetReference(vSpan);
        TV mu = TS.Splat(momentum), nlr = TS.Splat(-lr);
        int n = pSpan.Length, vc = TS.Count;
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            TV gv = TS.Load(ref g, i);
            TV vel = TS.MultiplyAdd(TS.Load(ref v, i), mu, gv);
            TS.Store(vel, ref v, i);
            TV step = nesterov ? TS.MultiplyAdd(vel, mu, gv) : vel;
            TS.Store(TS.MultiplyAdd(step, nlr, TS.Load(ref p, i)), ref p, i);
        }
        return (int)i;
    }

    internal static void Scalar(Span<float> p, ReadOnlySpan<float> g, Span<float> v, float lr, float momentum, bool nesterov)
    {
        for (int i = 0; i < p.Length; i++)
        {
            v[i] = v[i] * momentum + g[i];
            p[i] -= lr * (nesterov ? g[i] + momentum * v[i] : v[i]);
        }
    }
}

/// <summary>
/// Adam and AdamW as <c>torch.optim.Adam</c> / <c>AdamW</c> compute them (amsgrad off):
/// [AdamW: p ← p·(1 − lr·wd)]; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
/// p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε), t counting from 1.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Adam
{
    /// <summary>Update number <paramref name="t"/> (≥ 1) of every parameter, in place. <paramref name="decay"/> is AdamW's decoupled weight decay (0 for Adam).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lr, float beta1, float beta2, float epsilon, float decay, long t)
    {
        if (g.Length != p.Length) ThrowHelper.KernelSpan(nameof(g), p.Length, g.Length);
        if (m.Length != p.Length) ThrowHelper.KernelSpan(nameof(m), p.Length, m.Length);
        if (v.Length != p.Length) ThrowHelper.KernelSpan(nameof(v), p.Length, v.Length);
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Adam's step count starts at 1.");
        // Bias corrections in double, as PyTorch computes them with Python floats.
        double correction1 = 1 - Math.Pow(beta1, t), correction2 = 1 - Math.Pow(beta2, t);
        var c = new Constants(1 - lr * decay, beta1, 1 - beta1, beta2, 1 - beta2, (float)(lr / correction1), (float)(1 / Math.Sqrt(correction2)), epsilon);
        int done = Width.Pick(p.Length) switch
        {
            512 => Core<Vector512<float>, V512>(p, g, m, v, c),
            256 => Core<Vector256<float>, V256>(p, g, m, v, c),
            128 => Core<Vector128<float>, V128>(p, g, m, v, c),
            _ => 0,
        };
        Scalar(p.Slice(done), g.Slice(done), m.Slice(done), v.Slice(done), c);
    }

    internal readonly record struct Constants(float Keep, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float StepSize, float InvSqrtCorrection2, float Epsilon);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int Core<TV, TS>(Span<float> pSpan, ReadOnlySpan<float> gSpan, Span<float> mSpan, Span<float> vSpan, Constants c)
        where TV : struct where TS : ISimd<TV>
    {
        ref float p = ref MemoryMarshal.GetReference(pSpan);
        ref float g = ref MemoryMarshal.GetReference(gSpan);
        ref float m = ref MemoryMarshal.GetReference(mSpan);
        ref float v = ref MemoryMarshal.GetReference(vSpan);
        TV keep = TS.Splat(c.Keep), b1 = TS.Splat(c.Beta1), ob1 = TS.Splat(c.OneMinusBeta1), b2 = TS.Splat(c.Beta2), ob2 = TS.Splat(c.OneMinusBeta2);
        TV nstep = TS.Splat(-c.StepSize), inv2 = TS.Splat(c.InvSqrtCorrection2), eps = TS.Splat(c.Epsilon);
        int n = pSpan.Length, vc = TS.Count;
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            TV gv = TS.Load(ref g, i);
            TV mv = TS.MultiplyAdd(gv, ob1, TS.Multiply(TS.Load(ref m, i), b1));
            TV vv = TS.MultiplyAdd(TS.Multiply(gv, gv), ob2, TS.Multiply(TS.Load(ref v, i), b2));
            TS.Store(mv, ref m, i);
            TS.Store(vv, ref v, i);
            TV denom = TS.Add(TS.Multiply(TS.Sqrt(vv), inv2), eps);
            TS.Store(TS.MultiplyAdd(nstep, TS.Divide(mv, denom), TS.Multiply(TS.Load(ref p, i), keep)), ref p, i);
        }
        return (int)i;
    }

    internal static void Scalar(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Constants c)
    {
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = m[i] * c.Beta1 + g[i] * c.OneMinusBeta1;
            v[i] = v[i] * c.Beta2 + g[i] * g[i] * c.OneMinusBeta2;
            float denom = MathF.Sqrt(v[i]) * c.InvSqrtCorrection2 + c.Epsilon;
            p[i] = p[i] * c.Keep - c.StepSize * (m[i] / denom);
        }
    }
}
