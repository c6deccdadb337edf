using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The element-wise ends of a small layer's parameter gradients: the bias sums, the penalty terms and the SGD update,
/// with the arithmetic of the runtime GEMM's epilogues, so that a small layer's gradients and updates are theirs.
/// </summary>
internal static class SmallEpilogues
{
    /// <summary>sums[c] = Σ_r d[r, c] for c &lt; cols, in row order (each a chain of adds from 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ColumnSums(int rows, int cols, ReadOnlySpan<float> d, Span<float> sums)
    {
        switch (SmallTiles.Width(cols))
        {
            case 512: ColumnSumsCore<Vector512<float>, V512>(rows, cols, d, sums); break;
            case 256: ColumnSumsCore<Vector256<float>, V256>(rows, cols, d, sums); break;
            case 128: ColumnSumsCore<Vector128<float>, V128>(rows, cols, d, sums); break;
            default:
                for (int c = 0; c < cols; c++)
                {
                    float s = 0;
                    for (int r = 0; r < rows; r++) s += d[r * cols + c];
                    sums[c] = s;
                }
                break;
        }
    }

    /// <summary>Up to four vectors of columns per pass over the rows (independent chains); the last vector may overlap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ColumnSumsCore<TV, TS>(int rows, int cols, ReadOnlySpan<float> dSpan, Span<float> sumSpan) where TV : struct where TS : ISimd<TV>
    {
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        ref float sums = ref MemoryMarshal.GetReference(sumSpan);
        int vc = TS.Count, vectors = (cols + vc - 1) / vc;
        for (int v0 = 0; v0 < vectors; v0 += 4)
        {
            int c0 = Math.Min(v0 * vc, cols - vc), c1 = Math.Min((v0 + 1) * vc, cols - vc), c2 = Math.Min((v0 + 2) * vc, cols - vc), c3 = Math.Min((v0 + 3) * vc, cols - vc);
            int count = Math.Min(4, vectors - v0);
            TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero;
            ref float row = ref d;
            for (int r = 0; r < rows; r++)
            {
                s0 = TS.Add(s0, TS.Load(ref row, c0));
                if (count > 1) s1 = TS.Add(s1, TS.Load(ref row, c1));
                if (count > 2) s2 = TS.Add(s2, TS.Load(ref row, c2));
                if (count > 3) s3 = TS.Add(s3, TS.Load(ref row, c3));
                row = ref Unsafe.Add(ref row, cols);
            }
            TS.Store(s0, ref sums, c0);
            if (count > 1) TS.Store(s1, ref sums, c1);
            if (count > 2) TS.Store(s2, ref sums, c2);
            if (count > 3) TS.Store(s3, ref sums, c3);
        }
    }

    /// <summary>
    /// g += l1·sign(p) + 2·l2·p element by element (g and p of the same length): on vectors with multiply-adds when
    /// <paramref name="fused"/> (the GEMM epilogue's form), else one element at a time without (its scalar form).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddPenalty(Span<float> g, ReadOnlySpan<float> p, float l1, float l2, bool fused)
    {
        switch (fused ? SmallTiles.Width(g.Length) : 0)
        {
            case 512: PenaltyCore<Vector512<float>, V512>(g, p, l1, l2); break;
            case 256: PenaltyCore<Vector256<float>, V256>(g, p, l1, l2); break;
            case 128: PenaltyCore<Vector128<float>, V128>(g, p, l1, l2); break;
            default:
                // The scalar form (the kernels ask for the fused one only where their vectors are).
                for (int i = 0; i < g.Length; i++) g[i] += l1 * ScalarMath.Sign(p[i]) + 2 * l2 * p[i];
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PenaltyCore<TV, TS>(Span<float> gSpan, ReadOnlySpan<float> pSpan, float l1, float l2) where TV : struct where TS : ISimd<TV>
    {
        ref float g = ref MemoryMarshal.GetReference(gSpan);
        ref float p = ref MemoryMarshal.GetReference(pSpan);
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2);
        int n = gSpan.Length, vc = TS.Count;
        for (int i = 0; i < n; i += vc)
        {
            // The last vector overlaps the one before: the lanes that already have their terms keep them.
            int at = Math.Min(i, n - vc);
            TV old = TS.Load(ref g, at), pv = TS.Load(ref p, at);
            TV v = TS.MultiplyAdd(vl2, pv, TS.MultiplyAdd(vl1, TS.Sign(pv), old));
            TS.Store(at < i ? TS.Select(TS.LanesFrom(i - at), v, old) : v, ref g, at);
        }
    }

    /// <summary>
    /// p ← p + (g + l1·sign(p) + 2·l2·p)·step (step = −lr; the penalty terms only when a coefficient is not 0, in the form
    /// <see cref="AddPenalty"/> takes for <paramref name="fused"/>): the result of storing the gradient and then an SGD step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update(Span<float> p, ReadOnlySpan<float> g, float l1, float l2, bool fused, float step)
    {
        bool penalties = l1 != 0 || l2 != 0;
        switch (SmallTiles.Width(p.Length))
        {
            case 512 when fused || !penalties: UpdateCore<Vector512<float>, V512>(p, g, l1, l2, penalties, step); break;
            case 256 when fused || !penalties: UpdateCore<Vector256<float>, V256>(p, g, l1, l2, penalties, step); break;
            case 128 when fused || !penalties: UpdateCore<Vector128<float>, V128>(p, g, l1, l2, penalties, step); break;
            default:
                for (int i = 0; i < p.Length; i++)
                {
                    float s = g[i];
                    if (penalties) s += l1 * ScalarMath.Sign(p[i]) + 2 * l2 * p[i];
                    p[i] += s * step;
                }
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateCore<TV, TS>(Span<float> pSpan, ReadOnlySpan<float> gSpan, float l1, float l2, bool penalties, float step) where TV : struct where TS : ISimd<TV>
    {
        ref float p = ref MemoryMarshal.GetReference(pSpan);
        ref float g = ref MemoryMarshal.GetReference(gSpan);
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), vstep = TS.Splat(step);
        int n = pSpan.Length, vc = TS.Count;
        for (int i = 0; i < n; i += vc)
        {
            int at = Math.Min(i, n - vc);
            TV w = TS.Load(ref p, at), s = TS.Load(ref g, at);
            if (penalties) s = TS.MultiplyAdd(vl2, w, TS.MultiplyAdd(vl1, TS.Sign(w), s));
            TV v = TS.Add(TS.Multiply(s, vstep), w);
            TS.Store(at < i ? TS.Select(TS.LanesFrom(i - at), v, w) : v, ref p, at);
        }
    }
}
