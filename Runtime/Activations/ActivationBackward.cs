using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// d = (d + l1·sign(a) + 2·l2·a [+ unitTerm[j]]) ⊙ f'(a), in place, one pass. The last vector overlaps the previous
/// one; lanes already updated are kept by a mask, so no scalar remainder loop is needed.
/// </summary>
internal static class ActivationBackward
{
    public static void Run<TAct>(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) where TAct : struct, IActivationOp
    {
        if (a.Length < d.Length) ThrowHelper.KernelSpan(nameof(a), d.Length, a.Length);
        switch (Width.Pick(d.Length))
        {
            case 512: Core<TAct, Vector512<float>, V512>(a, d, l1, l2); break;
            case 256: Core<TAct, Vector256<float>, V256>(a, d, l1, l2); break;
            default: Scalar<TAct>(a, d, l1, l2); break;
        }
    }

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
                case 512: Core<TAct, Vector512<float>, V512>(ar, dr, l1, l2, unitTerm); break;
                case 256: Core<TAct, Vector256<float>, V256>(ar, dr, l1, l2, unitTerm); break;
                default: Scalar<TAct>(ar, dr, l1, l2, unitTerm); break;
            }
        }
    }

    internal static void Core<TAct, TV, TS>(ReadOnlySpan<float> aSpan, Span<float> dSpan, float l1, float l2, ReadOnlySpan<float> unitTerm = default)
        where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
    {
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        ref float u = ref MemoryMarshal.GetReference(unitTerm);
        bool hasUnit = !unitTerm.IsEmpty;
        int n = dSpan.Length, vc = TS.Count;
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2);
        nint i = 0;
        for (; i + vc <= n; i += vc)
            TS.Store(Step<TAct, TV, TS>(TS.Load(ref a, i), TS.Load(ref d, i), vl1, vl2, hasUnit, ref u, i), ref d, i);
        if (i < n)
        {
            nint last = n - vc;
            TV old = TS.Load(ref d, last);
            TV updated = Step<TAct, TV, TS>(TS.Load(ref a, last), old, vl1, vl2, hasUnit, ref u, last);
            TS.Store(TS.Select(TS.LanesFrom((int)(i - last)), updated, old), ref d, last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Step<TAct, TV, TS>(TV av, TV dv, TV vl1, TV vl2, bool hasUnit, ref float u, nint i)
        where TAct : struct, IActivationOp where TV : struct where TS : ISimd<TV>
    {
        TV g = TS.MultiplyAdd(vl2, av, TS.MultiplyAdd(vl1, TS.Sign(av), dv));
        if (hasUnit) g = TS.Add(g, TS.Load(ref u, i));
        return TS.Multiply(g, TAct.Derivative<TV, TS>(av));
    }

    internal static void Scalar<TAct>(ReadOnlySpan<float> a, Span<float> d, float l1, float l2, ReadOnlySpan<float> unitTerm = default)
        where TAct : struct, IActivationOp
    {
        for (int i = 0; i < d.Length; i++)
        {
            float g = d[i] + l1 * ScalarMath.Sign(a[i]) + 2 * l2 * a[i];
            if (!unitTerm.IsEmpty) g += unitTerm[i];
            d[i] = g * TAct.Derivative(a[i]);
        }
    }
}
