using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// The products of the small layers: Out(r, c) = Σ_p A(r, p)·B(p, c) with A(r, p) = a[r·aRow + p·aCol] and
/// B(p, c) = b[p·bRow + c], both read in place, for an output whose rows are at most 64 wide. A tile keeps 8 to 12
/// independent accumulators in registers (8 rows × 1 vector, 4 × 2, 4 × 3, 3 × 4: a row's whole width on AVX-512), each
/// one sequential chain of multiply-adds over the depth from 0, as in the runtime GEMM's small form, so the sums are
/// that form's. A row's last vector overlaps the one before when the width is not a multiple of the vector (those lanes
/// are computed and stored twice, identically); a tile past the last row repeats the last row and stores nothing for it.
/// The caller finishes the rows just written (bias, activation, derivative) while they are in L1.
/// </summary>
internal static class SmallTiles
{

    /// <summary>Vector width (bits) for rows <paramref name="length"/> wide: the widest accelerated vector not wider than the row; 0 below 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Width(int length)
    {
        if (Avx512F.IsSupported && length >= 16) return 512;
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated && length >= 8) return 256;
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated && length >= 4) return 128;
        return 0;
    }

    /// <summary>Vectors of <paramref name="width"/> bits covering <paramref name="length"/> floats (the last may overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Vectors(int length, int width) => width == 0 ? 0 : (length + width / 32 - 1) / (width / 32);

    /// <summary>Where vector <paramref name="v"/> of a row starts: v·count, or the overlapping last position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Column(int v, int cols, int count) => Math.Min(v * count, cols - count);

    /// <summary>
    /// Out = A·B (+ bias, added to each finished sum as it is stored, when <paramref name="bias"/> is not empty) for
    /// <paramref name="rows"/> × <paramref name="cols"/> (cols ≥ the vector count), into rows <paramref name="outStride"/>
    /// floats apart: one call per strip of up to four vectors of columns (the whole row on AVX-512), each looping over
    /// its row tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Product<TV, TS>(ref float output, nint outStride, int rows, int cols, int depth, ref float a, nint aRow, nint aCol, ref float b, nint bRow,
        ReadOnlySpan<float> bias)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        int vectors = (cols + vc - 1) / vc;
        // 32 vector registers (AVX-512) hold up to 12 accumulators beside the operands; 16 registers hold 8.
        int strip = Avx512F.IsSupported ? 4 : 2;
        for (int v0 = 0; v0 < vectors; v0 += strip)
        {
            int c0 = Column(v0, cols, vc), c1 = Column(v0 + 1, cols, vc), c2 = Column(v0 + 2, cols, vc), c3 = Column(v0 + 3, cols, vc);
            var t = new Tiles(ref output, outStride, rows, depth, ref a, aRow, aCol, ref b, bRow, ref MemoryMarshal.GetReference(bias), !bias.IsEmpty);
            switch (Math.Min(strip, vectors - v0))
            {
                case 1: Rows8x1<TV, TS>(t, c0); break;
                case 2: Rows4x2<TV, TS>(t, c0, c1); break;
                case 3: Rows4x3<TV, TS>(t, c0, c1, c2); break;
                default: Rows3x4<TV, TS>(t, c0, c1, c2, c3); break;
            }
        }
    }

    /// <summary>The operands of one product, as the row loops read them.</summary>
    private readonly ref struct Tiles(ref float output, nint outStride, int rows, int depth, ref float a, nint aRow, nint aCol, ref float b, nint bRow,
        ref float bias, bool hasBias)
    {
        public readonly ref float Out = ref output, A = ref a, B = ref b, Bias = ref bias;
        public readonly nint OutStride = outStride, ARow = aRow, ACol = aCol, BRow = bRow;
        public readonly int Rows = rows, Depth = depth;
        public readonly bool HasBias = hasBias;

        /// <summary>A finished sum of columns c…, plus the bias when there is one (after the whole sum, as the GEMM's epilogue adds it).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Finish<TV, TS>(TV sum, int c) where TV : struct where TS : ISimd<TV> => HasBias ? TS.Add(sum, TS.Load(ref Bias, c)) : sum;

        /// <summary>Offset in A of row i of the tile at row r from the tile's first row: i·aRow, or the last row's when r + i is past it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Step(int r, int i, bool full) => full ? i * ARow : (Math.Min(r + i, Rows - 1) - r) * ARow;
    }

    // The row loops, one per tile shape: each a method of its own (compiled once per vector width), so that the layer's
    // kernels stay small enough for the JIT to inline everything else into them. A tile's depth loop is the multiply-adds
    // and two pointer steps; only the last tile of a product clamps its rows.

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Rows8x1<TV, TS>(in Tiles t, int c0) where TV : struct where TS : ISimd<TV>
    {
        int depth = t.Depth, rows = t.Rows;
        nint aCol = t.ACol, bRow = t.BRow, os = t.OutStride;
        for (int r = 0; r < rows; r += 8)
        {
            bool full = r + 8 <= rows;
            nint o1 = t.Step(r, 1, full), o2 = t.Step(r, 2, full), o3 = t.Step(r, 3, full), o4 = t.Step(r, 4, full);
            nint o5 = t.Step(r, 5, full), o6 = t.Step(r, 6, full), o7 = t.Step(r, 7, full);
            TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero, s4 = TS.Zero, s5 = TS.Zero, s6 = TS.Zero, s7 = TS.Zero;
            ref float ap = ref Unsafe.Add(ref t.A, r * t.ARow);
            ref float bp = ref Unsafe.Add(ref t.B, c0);
            for (int p = 0; p < depth; p++)
            {
                TV b0 = TS.Load(ref bp, 0);
                s0 = TS.MultiplyAdd(TS.Splat(ap), b0, s0);
                s1 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o1)), b0, s1);
                s2 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o2)), b0, s2);
                s3 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o3)), b0, s3);
                s4 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o4)), b0, s4);
                s5 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o5)), b0, s5);
                s6 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o6)), b0, s6);
                s7 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, o7)), b0, s7);
                ap = ref Unsafe.Add(ref ap, aCol);
                bp = ref Unsafe.Add(ref bp, bRow);
            }
            ref float d = ref Unsafe.Add(ref t.Out, r * os + c0);
            int n = rows - r;
            TS.Store(t.Finish<TV, TS>(s0, c0), ref d, 0);
            if (n > 1) TS.Store(t.Finish<TV, TS>(s1, c0), ref d, os);
            if (n > 2) TS.Store(t.Finish<TV, TS>(s2, c0), ref d, 2 * os);
            if (n > 3) TS.Store(t.Finish<TV, TS>(s3, c0), ref d, 3 * os);
            if (n > 4) TS.Store(t.Finish<TV, TS>(s4, c0), ref d, 4 * os);
            if (n > 5) TS.Store(t.Finish<TV, TS>(s5, c0), ref d, 5 * os);
            if (n > 6) TS.Store(t.Finish<TV, TS>(s6, c0), ref d, 6 * os);
            if (n > 7) TS.Store(t.Finish<TV, TS>(s7, c0), ref d, 7 * os);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Rows4x2<TV, TS>(in Tiles t, int c0, int c1) where TV : struct where TS : ISimd<TV>
    {
        int depth = t.Depth, rows = t.Rows;
        nint aCol = t.ACol, bRow = t.BRow, os = t.OutStride;
        for (int r = 0; r < rows; r += 4)
        {
            bool full = r + 4 <= rows;
            nint o1 = t.Step(r, 1, full), o2 = t.Step(r, 2, full), o3 = t.Step(r, 3, full);
            TV s00 = TS.Zero, s01 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s20 = TS.Zero, s21 = TS.Zero, s30 = TS.Zero, s31 = TS.Zero;
            ref float ap = ref Unsafe.Add(ref t.A, r * t.ARow);
            ref float bp = ref t.B;
            for (int p = 0; p < depth; p++)
            {
                TV b0 = TS.Load(ref bp, c0), b1 = TS.Load(ref bp, c1), x;
                x = TS.Splat(ap); s00 = TS.MultiplyAdd(x, b0, s00); s01 = TS.MultiplyAdd(x, b1, s01);
                x = TS.Splat(Unsafe.Add(ref ap, o1)); s10 = TS.MultiplyAdd(x, b0, s10); s11 = TS.MultiplyAdd(x, b1, s11);
                x = TS.Splat(Unsafe.Add(ref ap, o2)); s20 = TS.MultiplyAdd(x, b0, s20); s21 = TS.MultiplyAdd(x, b1, s21);
                x = TS.Splat(Unsafe.Add(ref ap, o3)); s30 = TS.MultiplyAdd(x, b0, s30); s31 = TS.MultiplyAdd(x, b1, s31);
                ap = ref Unsafe.Add(ref ap, aCol);
                bp = ref Unsafe.Add(ref bp, bRow);
            }
            ref float d = ref Unsafe.Add(ref t.Out, r * os);
            int n = rows - r;
            TS.Store(t.Finish<TV, TS>(s00, c0), ref d, c0); TS.Store(t.Finish<TV, TS>(s01, c1), ref d, c1);
            if (n > 1) { TS.Store(t.Finish<TV, TS>(s10, c0), ref d, os + c0); TS.Store(t.Finish<TV, TS>(s11, c1), ref d, os + c1); }
            if (n > 2) { TS.Store(t.Finish<TV, TS>(s20, c0), ref d, 2 * os + c0); TS.Store(t.Finish<TV, TS>(s21, c1), ref d, 2 * os + c1); }
            if (n > 3) { TS.Store(t.Finish<TV, TS>(s30, c0), ref d, 3 * os + c0); TS.Store(t.Finish<TV, TS>(s31, c1), ref d, 3 * os + c1); }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Rows4x3<TV, TS>(in Tiles t, int c0, int c1, int c2) where TV : struct where TS : ISimd<TV>
    {
        int depth = t.Depth, rows = t.Rows;
        nint aCol = t.ACol, bRow = t.BRow, os = t.OutStride;
        for (int r = 0; r < rows; r += 4)
        {
            bool full = r + 4 <= rows;
            nint o1 = t.Step(r, 1, full), o2 = t.Step(r, 2, full), o3 = t.Step(r, 3, full);
            TV s00 = TS.Zero, s01 = TS.Zero, s02 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s12 = TS.Zero;
            TV s20 = TS.Zero, s21 = TS.Zero, s22 = TS.Zero, s30 = TS.Zero, s31 = TS.Zero, s32 = TS.Zero;
            ref float ap = ref Unsafe.Add(ref t.A, r * t.ARow);
            ref float bp = ref t.B;
            for (int p = 0; p < depth; p++)
            {
                TV b0 = TS.Load(ref bp, c0), b1 = TS.Load(ref bp, c1), b2 = TS.Load(ref bp, c2), x;
                x = TS.Splat(ap); s00 = TS.MultiplyAdd(x, b0, s00); s01 = TS.MultiplyAdd(x, b1, s01); s02 = TS.MultiplyAdd(x, b2, s02);
                x = TS.Splat(Unsafe.Add(ref ap, o1)); s10 = TS.MultiplyAdd(x, b0, s10); s11 = TS.MultiplyAdd(x, b1, s11); s12 = TS.MultiplyAdd(x, b2, s12);
                x = TS.Splat(Unsafe.Add(ref ap, o2)); s20 = TS.MultiplyAdd(x, b0, s20); s21 = TS.MultiplyAdd(x, b1, s21); s22 = TS.MultiplyAdd(x, b2, s22);
                x = TS.Splat(Unsafe.Add(ref ap, o3)); s30 = TS.MultiplyAdd(x, b0, s30); s31 = TS.MultiplyAdd(x, b1, s31); s32 = TS.MultiplyAdd(x, b2, s32);
                ap = ref Unsafe.Add(ref ap, aCol);
                bp = ref Unsafe.Add(ref bp, bRow);
            }
            ref float d = ref Unsafe.Add(ref t.Out, r * os);
            int n = rows - r;
            TS.Store(t.Finish<TV, TS>(s00, c0), ref d, c0); TS.Store(t.Finish<TV, TS>(s01, c1), ref d, c1); TS.Store(t.Finish<TV, TS>(s02, c2), ref d, c2);
            if (n > 1) { TS.Store(t.Finish<TV, TS>(s10, c0), ref d, os + c0); TS.Store(t.Finish<TV, TS>(s11, c1), ref d, os + c1); TS.Store(t.Finish<TV, TS>(s12, c2), ref d, os + c2); }
            if (n > 2) { TS.Store(t.Finish<TV, TS>(s20, c0), ref d, 2 * os + c0); TS.Store(t.Finish<TV, TS>(s21, c1), ref d, 2 * os + c1); TS.Store(t.Finish<TV, TS>(s22, c2), ref d, 2 * os + c2); }
            if (n > 3) { TS.Store(t.Finish<TV, TS>(s30, c0), ref d, 3 * os + c0); TS.Store(t.Finish<TV, TS>(s31, c1), ref d, 3 * os + c1); TS.Store(t.Finish<TV, TS>(s32, c2), ref d, 3 * os + c2); }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Rows3x4<TV, TS>(in Tiles t, int c0, int c1, int c2, int c3) where TV : struct where TS : ISimd<TV>
    {
        int depth = t.Depth, rows = t.Rows;
        nint aCol = t.ACol, bRow = t.BRow, os = t.OutStride;
        for (int r = 0; r < rows; r += 3)
        {
            bool full = r + 3 <= rows;
            nint o1 = t.Step(r, 1, full), o2 = t.Step(r, 2, full);
            TV s00 = TS.Zero, s01 = TS.Zero, s02 = TS.Zero, s03 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s12 = TS.Zero, s13 = TS.Zero;
            TV s20 = TS.Zero, s21 = TS.Zero, s22 = TS.Zero, s23 = TS.Zero;
            ref float ap = ref Unsafe.Add(ref t.A, r * t.ARow);
            ref float bp = ref t.B;
            for (int p = 0; p < depth; p++)
            {
                TV b0 = TS.Load(ref bp, c0), b1 = TS.Load(ref bp, c1), b2 = TS.Load(ref bp, c2), b3 = TS.Load(ref bp, c3), x;
                x = TS.Splat(ap);
                s00 = TS.MultiplyAdd(x, b0, s00); s01 = TS.MultiplyAdd(x, b1, s01); s02 = TS.MultiplyAdd(x, b2, s02); s03 = TS.MultiplyAdd(x, b3, s03);
                x = TS.Splat(Unsafe.Add(ref ap, o1));
                s10 = TS.MultiplyAdd(x, b0, s10); s11 = TS.MultiplyAdd(x, b1, s11); s12 = TS.MultiplyAdd(x, b2, s12); s13 = TS.MultiplyAdd(x, b3, s13);
                x = TS.Splat(Unsafe.Add(ref ap, o2));
                s20 = TS.MultiplyAdd(x, b0, s20); s21 = TS.MultiplyAdd(x, b1, s21); s22 = TS.MultiplyAdd(x, b2, s22); s23 = TS.MultiplyAdd(x, b3, s23);
                ap = ref Unsafe.Add(ref ap, aCol);
                bp = ref Unsafe.Add(ref bp, bRow);
            }
            ref float d = ref Unsafe.Add(ref t.Out, r * os);
            int n = rows - r;
            TS.Store(t.Finish<TV, TS>(s00, c0), ref d, c0); TS.Store(t.Finish<TV, TS>(s01, c1), ref d, c1); TS.Store(t.Finish<TV, TS>(s02, c2), ref d, c2); TS.Store(t.Finish<TV, TS>(s03, c3), ref d, c3);
            if (n > 1) { TS.Store(t.Finish<TV, TS>(s10, c0), ref d, os + c0); TS.Store(t.Finish<TV, TS>(s11, c1), ref d, os + c1); TS.Store(t.Finish<TV, TS>(s12, c2), ref d, os + c2); TS.Store(t.Finish<TV, TS>(s13, c3), ref d, os + c3); }
            if (n > 2) { TS.Store(t.Finish<TV, TS>(s20, c0), ref d, 2 * os + c0); TS.Store(t.Finish<TV, TS>(s21, c1), ref d, 2 * os + c1); TS.Store(t.Finish<TV, TS>(s22, c2), ref d, 2 * os + c2); TS.Store(t.Finish<TV, TS>(s23, c3), ref d, 2 * os + c3); }
        }
    }
}
