using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// d = (d + l1·sign(a) + 2·l2·a [+ unitTerm[j]]) ⊙ f'(a, z), in place, one pass. z is read only by activations whose
/// derivative needs it (<see cref="IActivationOp.UsesZ"/>); p is the activation's parameter. The last vector overlaps
/// the previous one; lanes already updated are kept by a mask, so no scalar remainder loop is needed.
/// </summary>
internal static class ActivationBackward
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TAct>(ReadOnlySpan<float> a, ReadOnlySpan<float> z, Span<float> d, float p, float l1, float l2) where TAct : struct, IActivationOp
    {
        if (a.Length < d.Length) ThrowHelper.KernelSpan(nameof(a), d.Length, a.Length);
        if (TAct.UsesZ && z.Length < d.Length) ThrowHelper.KernelSpan(nameof(z), d.Length, z.Length);
        switch (Width.Pick(d.Length))
        {
            case 512: Core<TAct, Vector512<float>, V512>(a, z, d, p, l1, l2); break;
            case 256: Core<TAct, Vector256<float>, V256>(a, z, d, p, l1, l2); break;
            case 128: Core<TAct, Vector128<float>, V128>(a, z, d, p, l1, l2); break;
            default: Scalar<TAct>(a, z, d, p, l1, l2); break;
        }
    }

    /// <summary>With a per-unit term (KL sparsity; sigmoid and tanh layers only, which need neither z nor p).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TAct>(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        where TAct : struct, IActivationOp
    {
        if (a.Length < d.Length) ThrowHelper.KernelSpan(nameof(a), d.Length, a.Length);
        if (unitTerm.Length < units) ThrowHelper.KernelSpan(nameof(unitTerm), units, unitTerm.Length);
        int rows = d.Length / units;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> ar = a.Slice(r * units, units);
            Span<float> dr = d.Slice(r * units, units);
            switch (Width.Pick(units))
            {
                case 512: Core<TAct, Vector512<float>, V512>(ar, default, dr, 0f, l1, l2, unitTerm); break;
                case 256: Core<TAct, Vector256<float>, V256>(ar, default, dr, 0f, l1, l2, unitTerm); break;
                case 128: Core<TAct, Vector128<float>, V128>(ar, default, dr, 0f, l1, l2, unitTerm); break;
                default: Scalar<TAct>(ar, default, dr, 0f, l1, l2, unitTerm); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Core<TAct, TV, TS>(ReadOnlySpan<float> aSpan, ReadOnlySpan<float> zSpan, Span<float> dSpan, float p, float l1, float l2,
        ReadOnlySpan<float> unitTerm = default)
        where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
    {
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        ref float z = ref TAct.UsesZ ? ref MemoryMarshal.GetReference(zSpan) : ref a;
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        ref float u = ref MemoryMarshal.GetReference(unitTerm);
        bool hasUnit = !unitTerm.IsEmpty;
        int n = dSpan.Length, vc = TS.Count;
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), vp = TS.Splat(p);
        nint i = 0;
        for (; i + vc <= n; i += vc)
            TS.Store(Step<TAct, TV, TS>(TS.Load(ref a, i), TS.Load(ref z, i), TS.Load(ref d, i), vp, vl1, vl2, hasUnit, ref u, i), ref d, i);
        if (i < n)
        {
            nint last = n - vc;
            TV old = TS.Load(ref d, last);
            TV updated = Step<TAct, TV, TS>(TS.Load(ref a, last), TS.Load(ref z, last), old, vp, vl1, vl2, hasUnit, ref u, last);
            TS.Store(TS.Select(TS.LanesFrom((int)(i - last)), updated, old), ref d, last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Step<TAct, TV, TS>(TV av, TV zv, TV dv, TV vp, TV vl1, TV vl2, bool hasUnit, ref float u, nint i)
        where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
    {
        TV g = TS.MultiplyAdd(vl2, av, TS.MultiplyAdd(vl1, TS.Sign(av), dv));
        if (hasUnit) g = TS.Add(g, TS.Load(ref u, i));
        return TS.Multiply(g, TAct.Derivative<TV, TS>(av, zv, vp));
    }

    internal static void Scalar<TAct>(ReadOnlySpan<float> a, ReadOnlySpan<float> z, Span<float> d, float p, float l1, float l2, ReadOnlySpan<float> unitTerm = default)
        where TAct : struct, IActivationOp
    {
        for (int i = 0; i < d.Length; i++)
        {
            float g = d[i] + l1 * ScalarMath.Sign(a[i]) + 2 * l2 * a[i];
            if (!unitTerm.IsEmpty) g += unitTerm[i];
            d[i] = g * TAct.Derivative(a[i], TAct.UsesZ ? z[i] : a[i], p);
        }
    }
}
