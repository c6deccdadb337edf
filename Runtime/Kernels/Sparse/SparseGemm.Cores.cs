using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

// The vector cores, one per product, each written once over the vector width (ISimd) and working on one thread's share:
// a range of output panels, rows or units. Every output element is computed by the same sequence of operations
// whatever the share, so a split across threads changes no bit.
public static partial class SparseGemm
{
    /// <summary>Outputs per panel of W_next: two vectors when the layer is that wide, else one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int PanelWidth(int n, int vc) => n >= 2 * vc ? 2 * vc : vc;

    /// <summary>Panels of <paramref name="n"/> outputs; the last one overlaps its neighbour when n is not a multiple.</summary>
    internal static int Panels(int n, int panel) => (n + panel - 1) / panel;

    /// <summary>Units per block in the packing's "is any unit of this block active" test.</summary>
    private const int PackBlock = 16;

    /// <summary>
    /// Packs the panel of W [·, units] (rows o0 … o0 + width − 1) transposed: pk[j·width + q] = W[(o0 + q)·units + j],
    /// only for the blocks of 16 units that hold an active entry (the others are never read). Each unit's panel column
    /// becomes one or two contiguous vectors; W's rows are read in their order, 64 bytes per row and block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanel(ref float w, int units, int o0, int width, ref float pk, ReadOnlySpan<int> unitStart)
    {
        int j = 0;
        while (j < units)
        {
            int end = Math.Min(units, j + PackBlock);
            if (unitStart[end] == unitStart[j]) { j = end; continue; }
            while (end < units)
            {
                int next = Math.Min(units, end + PackBlock);
                if (unitStart[next] == unitStart[end]) break;
                end = next;
            }
            Transpose.Block(ref Unsafe.Add(ref w, (nint)o0 * units + j), units, ref Unsafe.Add(ref pk, (nint)j * width), width, width, end - j);
            j = end;
        }
    }

    /// <summary>Forward, panels [p0, p1): Y[b, o] = bias[o] + Σ_k v_k·W[o, j_k] over row b's entries in ascending unit
    /// order, one fused multiply-add per entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ActiveXWtCore<TV, TS>(int n, int units, in ActiveSet s, ReadOnlySpan<float> wSpan, ReadOnlySpan<float> biasSpan, Span<float> ySpan, int p0, int p1)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count, width = PanelWidth(n, vc), rows = s.Rows;
        bool two = width == 2 * vc;
        float[] scratch = Scratch.Get(units * width);
        ref float pk = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref float w = ref MemoryMarshal.GetReference(wSpan);
        ref float bias = ref MemoryMarshal.GetReference(biasSpan);
        ref float y = ref MemoryMarshal.GetReference(ySpan);
        ref int rs = ref MemoryMarshal.GetReference(s.RowStart);
        ref int cols = ref MemoryMarshal.GetReference(s.Columns);
        ref float vals = ref MemoryMarshal.GetReference(s.Values);
        for (int p = p0; p < p1; p++)
        {
            // The last panel overlaps: its shared outputs are recomputed by the same operations, so stored twice alike.
            int o0 = Math.Min(p * width, n - width);
            PackPanel(ref w, units, o0, width, ref pk, s.UnitStart);
            TV b0 = TS.Load(ref bias, o0), b1 = two ? TS.Load(ref bias, o0 + vc) : TS.Zero;
            int b = 0;
            if (two)
            {
                // Two rows at a time: four independent chains of fused multiply-adds (one row's chain waits on the FMA
                // latency per entry), each row's entries still added in its own order.
                for (; b + 2 <= rows; b += 2)
                {
                    int ka = Unsafe.Add(ref rs, b), kb = Unsafe.Add(ref rs, b + 1), kaEnd = kb, kbEnd = Unsafe.Add(ref rs, b + 2);
                    TV a0 = b0, a1 = b1, c0 = b0, c1 = b1;
                    int common = Math.Min(kaEnd - ka, kbEnd - kb);
                    for (int t = 0; t < common; t++, ka++, kb++)
                    {
                        TV av = TS.Splat(Unsafe.Add(ref vals, ka)), cv = TS.Splat(Unsafe.Add(ref vals, kb));
                        ref float colA = ref Unsafe.Add(ref pk, (nint)Unsafe.Add(ref cols, ka) * width);
                        ref float colC = ref Unsafe.Add(ref pk, (nint)Unsafe.Add(ref cols, kb) * width);
                        a0 = TS.MultiplyAdd(av, TS.Load(ref colA, 0), a0);
                        a1 = TS.MultiplyAdd(av, TS.Load(ref colA, vc), a1);
                        c0 = TS.MultiplyAdd(cv, TS.Load(ref colC, 0), c0);
                        c1 = TS.MultiplyAdd(cv, TS.Load(ref colC, vc), c1);
                    }
                    for (; ka < kaEnd; ka++)
                    {
                        TV av = TS.Splat(Unsafe.Add(ref vals, ka));
                        ref float col = ref Unsafe.Add(ref pk, (nint)Unsafe.Add(ref cols, ka) * width);
                        a0 = TS.MultiplyAdd(av, TS.Load(ref col, 0), a0);
                        a1 = TS.MultiplyAdd(av, TS.Load(ref col, vc), a1);
                    }
                    for (; kb < kbEnd; kb++)
                    {
                        TV cv = TS.Splat(Unsafe.Add(ref vals, kb));
                        ref float col = ref Unsafe.Add(ref pk, (nint)Unsafe.Add(ref cols, kb) * width);
                        c0 = TS.MultiplyAdd(cv, TS.Load(ref col, 0), c0);
                        c1 = TS.MultiplyAdd(cv, TS.Load(ref col, vc), c1);
                    }
                    TS.Store(a0, ref y, (nint)b * n + o0);
                    TS.Store(a1, ref y, (nint)b * n + o0 + vc);
                    TS.Store(c0, ref y, (nint)(b + 1) * n + o0);
                    TS.Store(c1, ref y, (nint)(b + 1) * n + o0 + vc);
                }
            }
            for (; b < rows; b++)
            {
                int k = Unsafe.Add(ref rs, b), k1 = Unsafe.Add(ref rs, b + 1);
                TV s0 = b0, s1 = b1;
                if (two)
                {
                    for (; k < k1; k++)
                    {
                        TV av = TS.Splat(Unsafe.Add(ref vals, k));
                        ref float col = ref Unsafe.Add(ref pk, (nint)Unsafe.Add(ref cols, k) * width);
                        s0 = TS.MultiplyAdd(av, TS.Load(ref col, 0), s0);
                        s1 = TS.MultiplyAdd(av, TS.Load(ref col, vc), s1);
                    }
                    TS.Store(s1, ref y, (nint)b * n + o0 + vc);
                }
                else
                {
                    for (; k < k1; k++)
                        s0 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref vals, k)), TS.Load(ref pk, (nint)Unsafe.Add(ref cols, k) * width), s0);
                }
                TS.Store(s0, ref y, (nint)b * n + o0);
            }
        }
    }

    /// <summary>
    /// Delta at the active entries of rows [b0, b1): δ_k = f′_k · Σ_o D[b, o]·W[o, j_k]. Per panel, each entry's partial
    /// product is one or two vectors reduced horizontally (four entries at a time); panels are added in ascending order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DWAtActiveCore<TV, TS>(int n, int units, in ActiveSet s, ReadOnlySpan<float> dSpan, ReadOnlySpan<float> wSpan,
        ReadOnlySpan<float> derivative, Span<float> deltaSpan, Span<float> dense, int b0, int b1)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count, width = PanelWidth(n, vc), panels = Panels(n, width);
        bool two = width == 2 * vc;
        float[] scratch = Scratch.Get(units * width);
        ref float pk = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref float w = ref MemoryMarshal.GetReference(wSpan);
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        ref float delta = ref MemoryMarshal.GetReference(deltaSpan);
        ref int rs = ref MemoryMarshal.GetReference(s.RowStart);
        ref int cols = ref MemoryMarshal.GetReference(s.Columns);
        int k0All = Unsafe.Add(ref rs, b0), k1All = Unsafe.Add(ref rs, b1);
        if (k0All == k1All) { ClearDense(dense, units, b0, b1); return; }
        for (int p = 0; p < panels; p++)
        {
            // The last panel overlaps the one before: its already-counted outputs are masked out of D.
            int o0 = p * width, start = Math.Min(o0, n - width), keep = o0 - start;
            TV m0 = TS.LanesFrom(Math.Min(keep, vc)), m1 = TS.LanesFrom(Math.Clamp(keep - vc, 0, vc));
            bool first = p == 0;
            PackPanel(ref w, units, start, width, ref pk, s.UnitStart);
            for (int b = b0; b < b1; b++)
            {
                int k = Unsafe.Add(ref rs, b), k1 = Unsafe.Add(ref rs, b + 1);
                if (k == k1) continue;
                TV d0 = TS.And(TS.Load(ref d, (nint)b * n + start), m0);
                TV d1 = two ? TS.And(TS.Load(ref d, (nint)b * n + start + vc), m1) : TS.Zero;
                for (; k + 4 <= k1; k += 4)
                {
                    Vector128<float> sums = TS.Sum4(
                        Partial<TV, TS>(d0, d1, ref pk, Unsafe.Add(ref cols, k), width, two),
                        Partial<TV, TS>(d0, d1, ref pk, Unsafe.Add(ref cols, k + 1), width, two),
                        Partial<TV, TS>(d0, d1, ref pk, Unsafe.Add(ref cols, k + 2), width, two),
                        Partial<TV, TS>(d0, d1, ref pk, Unsafe.Add(ref cols, k + 3), width, two));
                    if (!first) sums += Vector128.LoadUnsafe(ref delta, (nuint)k);
                    sums.StoreUnsafe(ref delta, (nuint)k);
                }
                for (; k < k1; k++)
                {
                    float sum = TS.Sum(Partial<TV, TS>(d0, d1, ref pk, Unsafe.Add(ref cols, k), width, two));
                    Unsafe.Add(ref delta, k) = first ? sum : Unsafe.Add(ref delta, k) + sum;
                }
            }
        }
        FinishDelta(units, s, derivative, deltaSpan, dense, b0, b1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Partial<TV, TS>(TV d0, TV d1, ref float pk, int j, int width, bool two) where TV : struct where TS : ISimd<TV>
    {
        ref float col = ref Unsafe.Add(ref pk, (nint)j * width);
        TV t = TS.Multiply(d0, TS.Load(ref col, 0));
        return two ? TS.MultiplyAdd(d1, TS.Load(ref col, TS.Count), t) : t;
    }

    /// <summary>Rows [b0, b1) of the optional dense delta: zeros, then each entry's δ at its unit.</summary>
    private static void ClearDense(Span<float> dense, int units, int b0, int b1)
    {
        if (!dense.IsEmpty) dense.Slice(b0 * units, (b1 - b0) * units).Clear();
    }

    /// <summary>δ_k ·= f′_k (when given), then the optional dense copy of rows [b0, b1).</summary>
    private static void FinishDelta(int units, in ActiveSet s, ReadOnlySpan<float> derivative, Span<float> delta, Span<float> dense, int b0, int b1)
    {
        int k0 = s.RowStart[b0], k1 = s.RowStart[b1];
        if (!derivative.IsEmpty)
            System.Numerics.Tensors.TensorPrimitives.Multiply(delta.Slice(k0, k1 - k0), derivative.Slice(k0, k1 - k0), delta.Slice(k0, k1 - k0));
        if (dense.IsEmpty) return;
        ClearDense(dense, units, b0, b1);
        ReadOnlySpan<int> cols = s.Columns;
        for (int b = b0; b < b1; b++)
            for (int k = s.RowStart[b]; k < s.RowStart[b + 1]; k++) dense[b * units + cols[k]] = delta[k];
    }

    /// <summary>
    /// ∂W_next, panels [p0, p1) of vc outputs: G[o, j] = Σ_e v_e·D[b_e, o] over unit j's entries in ascending row order
    /// (a vector of vc outputs per unit), a vc × vc tile transposed on the stack, then the penalty epilogue and a store
    /// (or the SGD update, <paramref name="update"/>) of each row of the tile. A block of units without entries is the
    /// epilogue alone, and is skipped when that changes nothing (the update without penalties).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void DtActiveCore<TV, TS>(int n, int units, ReadOnlySpan<float> dSpan, in ActiveSet s, Span<float> outSpan, ReadOnlySpan<float> penSpan,
        float l1, float l2, bool update, float step, int p0, int p1)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        bool epilogue = l1 != 0 || l2 != 0;
        Span<float> tiles = stackalloc float[2 * 16 * 16];
        ref float tile = ref MemoryMarshal.GetReference(tiles);
        ref float tileT = ref Unsafe.Add(ref tile, vc * vc);
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        ref float o = ref MemoryMarshal.GetReference(outSpan);
        ref float pen = ref MemoryMarshal.GetReference(penSpan);
        ref int us = ref MemoryMarshal.GetReference(s.UnitStart);
        ref int ur = ref MemoryMarshal.GetReference(s.UnitRows);
        ref int ue = ref MemoryMarshal.GetReference(s.UnitEntries);
        ref float vals = ref MemoryMarshal.GetReference(s.Values);
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), vstep = TS.Splat(step);
        for (int p = p0; p < p1; p++)
        {
            // Overlapping last panel: rows below keepRows belong to the previous panel (possibly another thread's).
            int o0 = p * vc, start = Math.Min(o0, n - vc), keepRows = o0 - start;
            for (int j0 = 0; j0 < units; j0 += vc)
            {
                int js = Math.Min(j0, units - vc), keepCols = j0 - js;
                bool any = Unsafe.Add(ref us, js + vc) > Unsafe.Add(ref us, js);
                if (!any && !epilogue && update) continue;
                if (any)
                {
                    // Four units at a time: four independent chains (each unit's entries still in row order).
                    for (int jj = 0; jj < vc; jj += 4)
                    {
                        int u = js + jj;
                        int e0 = Unsafe.Add(ref us, u), e1 = Unsafe.Add(ref us, u + 1), e2 = Unsafe.Add(ref us, u + 2), e3 = Unsafe.Add(ref us, u + 3), e4 = Unsafe.Add(ref us, u + 4);
                        int f0 = e1, f1 = e2, f2 = e3, f3 = e4;
                        TV acc0 = TS.Zero, acc1 = TS.Zero, acc2 = TS.Zero, acc3 = TS.Zero;
                        int common = Math.Min(Math.Min(f0 - e0, f1 - e1), Math.Min(f2 - e2, f3 - e3));
                        for (int t = 0; t < common; t++, e0++, e1++, e2++, e3++)
                        {
                            acc0 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref vals, Unsafe.Add(ref ue, e0))), TS.Load(ref d, (nint)Unsafe.Add(ref ur, e0) * n + start), acc0);
                            acc1 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref vals, Unsafe.Add(ref ue, e1))), TS.Load(ref d, (nint)Unsafe.Add(ref ur, e1) * n + start), acc1);
                            acc2 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref vals, Unsafe.Add(ref ue, e2))), TS.Load(ref d, (nint)Unsafe.Add(ref ur, e2) * n + start), acc2);
                            acc3 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref vals, Unsafe.Add(ref ue, e3))), TS.Load(ref d, (nint)Unsafe.Add(ref ur, e3) * n + start), acc3);
                        }
                        TS.Store(UnitTail<TV, TS>(acc0, e0, f0, ref vals, ref ue, ref ur, ref d, n, start), ref tile, (nint)jj * vc);
                        TS.Store(UnitTail<TV, TS>(acc1, e1, f1, ref vals, ref ue, ref ur, ref d, n, start), ref tile, (nint)(jj + 1) * vc);
                        TS.Store(UnitTail<TV, TS>(acc2, e2, f2, ref vals, ref ue, ref ur, ref d, n, start), ref tile, (nint)(jj + 2) * vc);
                        TS.Store(UnitTail<TV, TS>(acc3, e3, f3, ref vals, ref ue, ref ur, ref d, n, start), ref tile, (nint)(jj + 3) * vc);
                    }
                    Transpose.Block(ref tile, vc, ref tileT, vc, vc, vc);
                }
                for (int oo = keepRows; oo < vc; oo++)
                {
                    TV g = any ? TS.Load(ref tileT, (nint)oo * vc) : TS.Zero;
                    nint at = (nint)(start + oo) * units + js;
                    if (update) Update<TV, TS>(ref o, ref pen, at, g, epilogue, vl1, vl2, vstep, keepCols);
                    else Store<TV, TS>(ref o, ref pen, at, g, epilogue, vl1, vl2);
                }
            }
        }
    }

    /// <summary>The rest of one unit's chain: entries [e, end) added to <paramref name="acc"/> in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV UnitTail<TV, TS>(TV acc, int e, int end, ref float vals, ref int ue, ref int ur, ref float d, int n, int start)
        where TV : struct where TS : ISimd<TV>
    {
        for (; e < end; e++)
            acc = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref vals, Unsafe.Add(ref ue, e))), TS.Load(ref d, (nint)Unsafe.Add(ref ur, e) * n + start), acc);
        return acc;
    }

    /// <summary>
    /// ∂W of the sparse layer, units [j0, j1): G[j, c] = Σ_e δ_e·X[b_e, c] over unit j's entries in ascending row order,
    /// four vectors of columns per pass over the entries (one for the tail, which overlaps and keeps its already-written
    /// lanes in the update), then the penalty epilogue and a store or the SGD update. A unit without entries is the
    /// epilogue alone, skipped when that changes nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ActiveDtXCore<TV, TS>(int k, in ActiveSet s, ReadOnlySpan<float> deltaSpan, ReadOnlySpan<float> xSpan, Span<float> outSpan, ReadOnlySpan<float> penSpan,
        float l1, float l2, bool update, float step, int j0, int j1)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        bool epilogue = l1 != 0 || l2 != 0;
        ref float delta = ref MemoryMarshal.GetReference(deltaSpan);
        ref float x = ref MemoryMarshal.GetReference(xSpan);
        ref float o = ref MemoryMarshal.GetReference(outSpan);
        ref float pen = ref MemoryMarshal.GetReference(penSpan);
        ref int us = ref MemoryMarshal.GetReference(s.UnitStart);
        ref int ur = ref MemoryMarshal.GetReference(s.UnitRows);
        ref int ue = ref MemoryMarshal.GetReference(s.UnitEntries);
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), vstep = TS.Splat(step);
        for (int j = j0; j < j1; j++)
        {
            int e0 = Unsafe.Add(ref us, j), e1 = Unsafe.Add(ref us, j + 1);
            if (e0 == e1 && !epilogue && update) continue;
            nint row = (nint)j * k;
            int c = 0;
            for (; c + 4 * vc <= k; c += 4 * vc)
            {
                TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero;
                for (int e = e0; e < e1; e++)
                {
                    TV dv = TS.Splat(Unsafe.Add(ref delta, Unsafe.Add(ref ue, e)));
                    ref float xr = ref Unsafe.Add(ref x, (nint)Unsafe.Add(ref ur, e) * k + c);
                    s0 = TS.MultiplyAdd(dv, TS.Load(ref xr, 0), s0);
                    s1 = TS.MultiplyAdd(dv, TS.Load(ref xr, vc), s1);
                    s2 = TS.MultiplyAdd(dv, TS.Load(ref xr, 2 * vc), s2);
                    s3 = TS.MultiplyAdd(dv, TS.Load(ref xr, 3 * vc), s3);
                }
                if (update)
                {
                    Update<TV, TS>(ref o, ref pen, row + c, s0, epilogue, vl1, vl2, vstep, 0);
                    Update<TV, TS>(ref o, ref pen, row + c + vc, s1, epilogue, vl1, vl2, vstep, 0);
                    Update<TV, TS>(ref o, ref pen, row + c + 2 * vc, s2, epilogue, vl1, vl2, vstep, 0);
                    Update<TV, TS>(ref o, ref pen, row + c + 3 * vc, s3, epilogue, vl1, vl2, vstep, 0);
                }
                else
                {
                    Store<TV, TS>(ref o, ref pen, row + c, s0, epilogue, vl1, vl2);
                    Store<TV, TS>(ref o, ref pen, row + c + vc, s1, epilogue, vl1, vl2);
                    Store<TV, TS>(ref o, ref pen, row + c + 2 * vc, s2, epilogue, vl1, vl2);
                    Store<TV, TS>(ref o, ref pen, row + c + 3 * vc, s3, epilogue, vl1, vl2);
                }
            }
            while (c < k)
            {
                int cc = Math.Min(c, k - vc);
                TV s0 = TS.Zero;
                for (int e = e0; e < e1; e++)
                    s0 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref delta, Unsafe.Add(ref ue, e))), TS.Load(ref x, (nint)Unsafe.Add(ref ur, e) * k + cc), s0);
                if (update) Update<TV, TS>(ref o, ref pen, row + cc, s0, epilogue, vl1, vl2, vstep, c - cc);
                else Store<TV, TS>(ref o, ref pen, row + cc, s0, epilogue, vl1, vl2);
                c = cc + vc;
            }
        }
    }

    /// <summary>g + l1·sign(w) + 2·l2·w as two fused multiply-adds (the dense kernels' epilogue), stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TV, TS>(ref float output, ref float pen, nint at, TV g, bool epilogue, TV vl1, TV vl2)
        where TV : struct where TS : ISimd<TV>
    {
        if (epilogue)
        {
            TV p = TS.Load(ref pen, at);
            g = TS.MultiplyAdd(vl2, p, TS.MultiplyAdd(vl1, TS.Sign(p), g));
        }
        TS.Store(g, ref output, at);
    }

    /// <summary>The SGD epilogue: w ← (g + penalty)·step + w, lanes below <paramref name="keepBelow"/> untouched
    /// (exactly the dense kernels' <c>DtX</c> then <c>Sgd.Step</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TV, TS>(ref float w, ref float pen, nint at, TV g, bool epilogue, TV vl1, TV vl2, TV step, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        if (epilogue)
        {
            TV p = TS.Load(ref pen, at);
            g = TS.MultiplyAdd(vl2, p, TS.MultiplyAdd(vl1, TS.Sign(p), g));
        }
        TV old = TS.Load(ref w, at);
        TV v = TS.Add(TS.Multiply(g, step), old);
        if (keepBelow > 0) v = TS.Select(TS.LanesFrom(keepBelow), v, old);
        TS.Store(v, ref w, at);
    }
}
