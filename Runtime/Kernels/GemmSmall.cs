using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

// ---------------------------------------------------------------------------------------------------------
// Small products: an output at most 64 columns wide whose B operand (depth × columns) fits in L1 — the layers of a tiny
// MLP (4 → 32 → 16 → 4). There, packing costs as much as the arithmetic, and the row-streaming form keeps one or two
// accumulators per pass, so each FMA waits for the previous one (4 cycles of latency on one chain). This form reads A
// and B in place and keeps 8 independent accumulators: 4 rows × 2 vectors, or 8 rows × 1 vector. Each element is
// still one sequential chain over the depth, as in the other forms; bias, penalty and SGD epilogues are those of the
// packed form (BroadcastKernel.Put with a single depth block).
// ---------------------------------------------------------------------------------------------------------
public static partial class Gemm
{
    /// <summary>Widest output handled by the small form.</summary>
    private const int SmallMaxCols = 64;

    /// <summary>Largest B operand (depth × columns floats, 16 KiB) for the small form of X·Wᵀ and D·W.</summary>
    private const int SmallMaxOperand = 4096;

    /// <summary>
    /// The vector width of the small form for an output <paramref name="cols"/> wide: the widest accelerated vector
    /// not wider than the row (a 4-wide output uses 128-bit vectors), 0 when the output is too wide or too narrow.
    /// </summary>
    internal static int SmallWidth(int cols)
    {
        if (cols > SmallMaxCols) return 0;
        if (Avx512F.IsSupported && cols >= Vector512<float>.Count) return 512;
        if (Vector256.IsHardwareAccelerated && cols >= Vector256<float>.Count) return 256;
        if (Vector128.IsHardwareAccelerated && cols >= Vector128<float>.Count) return 128;
        return 0;
    }

    /// <summary>The small form, at the width <see cref="SmallWidth"/> picked (which must not be 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Small(int width, int rows, int cols, int depth, ReadOnlySpan<float> a, int aRow, int aCol, ReadOnlySpan<float> b,
        Span<float> output, ReadOnlySpan<float> bias, ReadOnlySpan<float> pen, float l1, float l2, Span<float> update = default, float step = 0)
    {
        switch (width)
        {
            case 512: SmallCore<Vector512<float>, V512>(rows, cols, depth, a, aRow, aCol, b, output, bias, pen, l1, l2, update, step); break;
            case 256: SmallCore<Vector256<float>, V256>(rows, cols, depth, a, aRow, aCol, b, output, bias, pen, l1, l2, update, step); break;
            default: SmallCore<Vector128<float>, V128>(rows, cols, depth, a, aRow, aCol, b, output, bias, pen, l1, l2, update, step); break;
        }
    }

    /// <summary>
    /// Out[r, c] = Σ_p A(r, p)·B[p, c] (+ bias[c]) (+ penalty epilogue, or the SGD update), A(r, p) = a[r·aRow + p·aCol],
    /// B row-major [depth, cols]. Column strips of 2 vectors (4-row tiles) or 1 vector (8-row tiles; the last one
    /// overlaps the previous strip and keeps its lanes); leftover rows one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SmallCore<TV, TS>(int rows, int cols, int depth, ReadOnlySpan<float> aSpan, int aRow, int aCol, ReadOnlySpan<float> bSpan,
        Span<float> outSpan, ReadOnlySpan<float> bias, ReadOnlySpan<float> pSpan, float l1, float l2, Span<float> update = default, float step = 0)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        var k = new BroadcastKernel<TV, TS>(outSpan, pSpan, bias, l1, l2, cols, update, step);
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        ref float b = ref MemoryMarshal.GetReference(bSpan);
        int c = 0;
        while (c < cols)
        {
            int vectors = c + 2 * vc <= cols ? 2 : 1;
            int cc = vectors == 2 ? c : Math.Min(c, cols - vc);
            int keepBelow = c - cc;
            ref float bc = ref Unsafe.Add(ref b, cc);
            int r = 0;
            if (vectors == 2)
                for (; r + 4 <= rows; r += 4) SmallTile4x2(k, ref Unsafe.Add(ref a, (nint)r * aRow), aRow, aCol, ref bc, cols, r, cc, depth);
            else
                for (; r + 8 <= rows; r += 8) SmallTile8x1(k, ref Unsafe.Add(ref a, (nint)r * aRow), aRow, aCol, ref bc, cols, r, cc, depth, keepBelow);
            for (; r < rows; r++) SmallTile1(k, ref Unsafe.Add(ref a, (nint)r * aRow), aCol, ref bc, cols, r, cc, depth, vectors, keepBelow);
            c = cc + vectors * vc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallTile4x2<TV, TS>(in BroadcastKernel<TV, TS> k, ref float a0, nint aRow, nint aCol, ref float bp, nint bStride, int r, int c, int depth)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        ref float a1 = ref Unsafe.Add(ref a0, aRow);
        ref float a2 = ref Unsafe.Add(ref a1, aRow);
        ref float a3 = ref Unsafe.Add(ref a2, aRow);
        TV s00 = TS.Zero, s01 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s20 = TS.Zero, s21 = TS.Zero, s30 = TS.Zero, s31 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            nint ap = p * aCol;
            TV b0 = TS.Load(ref bp, 0), b1 = TS.Load(ref bp, vc), av;
            av = TS.Splat(Unsafe.Add(ref a0, ap)); s00 = TS.MultiplyAdd(av, b0, s00); s01 = TS.MultiplyAdd(av, b1, s01);
            av = TS.Splat(Unsafe.Add(ref a1, ap)); s10 = TS.MultiplyAdd(av, b0, s10); s11 = TS.MultiplyAdd(av, b1, s11);
            av = TS.Splat(Unsafe.Add(ref a2, ap)); s20 = TS.MultiplyAdd(av, b0, s20); s21 = TS.MultiplyAdd(av, b1, s21);
            av = TS.Splat(Unsafe.Add(ref a3, ap)); s30 = TS.MultiplyAdd(av, b0, s30); s31 = TS.MultiplyAdd(av, b1, s31);
            bp = ref Unsafe.Add(ref bp, bStride);
        }
        k.Put(r, c, s00, true, true, 0); k.Put(r, c + vc, s01, true, true, 0);
        k.Put(r + 1, c, s10, true, true, 0); k.Put(r + 1, c + vc, s11, true, true, 0);
        k.Put(r + 2, c, s20, true, true, 0); k.Put(r + 2, c + vc, s21, true, true, 0);
        k.Put(r + 3, c, s30, true, true, 0); k.Put(r + 3, c + vc, s31, true, true, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallTile8x1<TV, TS>(in BroadcastKernel<TV, TS> k, ref float a0, nint aRow, nint aCol, ref float bp, nint bStride, int r, int c, int depth, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        ref float a4 = ref Unsafe.Add(ref a0, 4 * aRow);
        TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero, s4 = TS.Zero, s5 = TS.Zero, s6 = TS.Zero, s7 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            nint ap = p * aCol;
            TV b0 = TS.Load(ref bp, 0);
            s0 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a0, ap)), b0, s0);
            s1 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a0, ap + aRow)), b0, s1);
            s2 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a0, ap + 2 * aRow)), b0, s2);
            s3 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a0, ap + 3 * aRow)), b0, s3);
            s4 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a4, ap)), b0, s4);
            s5 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a4, ap + aRow)), b0, s5);
            s6 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a4, ap + 2 * aRow)), b0, s6);
            s7 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a4, ap + 3 * aRow)), b0, s7);
            bp = ref Unsafe.Add(ref bp, bStride);
        }
        k.Put(r, c, s0, true, true, keepBelow); k.Put(r + 1, c, s1, true, true, keepBelow);
        k.Put(r + 2, c, s2, true, true, keepBelow); k.Put(r + 3, c, s3, true, true, keepBelow);
        k.Put(r + 4, c, s4, true, true, keepBelow); k.Put(r + 5, c, s5, true, true, keepBelow);
        k.Put(r + 6, c, s6, true, true, keepBelow); k.Put(r + 7, c, s7, true, true, keepBelow);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallTile1<TV, TS>(in BroadcastKernel<TV, TS> k, ref float a0, nint aCol, ref float bp, nint bStride, int r, int c, int depth, int vectors, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        TV s0 = TS.Zero, s1 = TS.Zero;
        for (nint p = 0; p < depth; p++)
        {
            TV av = TS.Splat(Unsafe.Add(ref a0, p * aCol));
            s0 = TS.MultiplyAdd(av, TS.Load(ref bp, 0), s0);
            if (vectors == 2) s1 = TS.MultiplyAdd(av, TS.Load(ref bp, vc), s1);
            bp = ref Unsafe.Add(ref bp, bStride);
        }
        k.Put(r, c, s0, true, true, keepBelow);
        if (vectors == 2) k.Put(r, c + vc, s1, true, true, 0);
    }
}
