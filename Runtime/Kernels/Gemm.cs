using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The three matrix products of a Dense layer, row-major throughout, weights in PyTorch's <c>[out, in]</c> layout.
/// Called by generated code; each checks its spans once and never reads or writes past them.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Gemm
{
    /// <summary>Forward: Y[m, n] = X[m, k] · W[n, k]ᵀ + bias[n].</summary>
    public static void XWt(int m, int n, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        Check(x.Length, m * k, nameof(x)); Check(w.Length, n * k, nameof(w)); Check(bias.Length, n, nameof(bias)); Check(y.Length, m * n, nameof(y));
        switch (Width.Pick(k))
        {
            case 512: XWtCore<Vector512<float>, V512>(m, n, k, x, w, bias, y); break;
            case 256: XWtCore<Vector256<float>, V256>(m, n, k, x, w, bias, y); break;
            default: XWtScalar(m, n, k, x, w, bias, y); break;
        }
    }

    /// <summary>Backward to the inputs: Y[m, k] = D[m, n] · W[n, k].</summary>
    public static void XW(int m, int n, int k, ReadOnlySpan<float> d, ReadOnlySpan<float> w, Span<float> y)
    {
        Check(d.Length, m * n, nameof(d)); Check(w.Length, n * k, nameof(w)); Check(y.Length, m * k, nameof(y));
        // Y[i, c] = Σ_p D[i·n + p] · W[p·k + c]
        switch (Width.Pick(k))
        {
            case 512: BroadcastCore<Vector512<float>, V512>(m, k, n, d, n, 1, w, y, default, 0, 0); break;
            case 256: BroadcastCore<Vector256<float>, V256>(m, k, n, d, n, 1, w, y, default, 0, 0); break;
            default: BroadcastScalar(m, k, n, d, n, 1, w, y, default, 0, 0); break;
        }
    }

    /// <summary>
    /// Weight gradient: G[n, k] = D[m, n]ᵀ · X[m, k] + l1·sign(W) + 2·l2·W (overwrites G; the penalty terms are the
    /// epilogue of the same pass, read from <paramref name="w"/>, which may be empty when both are 0).
    /// </summary>
    public static void DtX(int m, int n, int k, ReadOnlySpan<float> d, ReadOnlySpan<float> x, Span<float> g, ReadOnlySpan<float> w, float l1, float l2)
    {
        Check(d.Length, m * n, nameof(d)); Check(x.Length, m * k, nameof(x)); Check(g.Length, n * k, nameof(g));
        if (l1 != 0 || l2 != 0) Check(w.Length, n * k, nameof(w));
        // G[o, c] = Σ_b D[b·n + o] · X[b·k + c]
        switch (Width.Pick(k))
        {
            case 512: BroadcastCore<Vector512<float>, V512>(n, k, m, d, 1, n, x, g, w, l1, l2); break;
            case 256: BroadcastCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, g, w, l1, l2); break;
            default: BroadcastScalar(n, k, m, d, 1, n, x, g, w, l1, l2); break;
        }
    }

    /// <summary>Bias gradient: g[n] = Σ_b D[b, n] + l1·sign(bias) + 2·l2·bias.</summary>
    public static void ColumnSums(int m, int n, ReadOnlySpan<float> d, Span<float> g, ReadOnlySpan<float> bias, float l1, float l2)
    {
        Check(d.Length, m * n, nameof(d)); Check(g.Length, n, nameof(g));
        if (l1 != 0 || l2 != 0) Check(bias.Length, n, nameof(bias));
        // One row of ones times D: the broadcast kernel with a unit "A" of stride 0.
        ReadOnlySpan<float> one = [1f];
        switch (Width.Pick(n))
        {
            case 512: BroadcastCore<Vector512<float>, V512>(1, n, m, one, 0, 0, d, g, bias, l1, l2); break;
            case 256: BroadcastCore<Vector256<float>, V256>(1, n, m, one, 0, 0, d, g, bias, l1, l2); break;
            default: BroadcastScalar(1, n, m, one, 0, 0, d, g, bias, l1, l2); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int actual, int expected, string name)
    {
        if (actual < expected) ThrowHelper.KernelSpan(name, expected, actual);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dot-product form (forward). Tile: 2 rows of X × 4 rows of W = 8 independent accumulators, enough to keep both
    // FMA ports busy. The k-tail is one overlapping vector whose already-counted lanes are masked to zero.
    // ---------------------------------------------------------------------------------------------------------
    internal static void XWtCore<TV, TS>(int m, int n, int k, ReadOnlySpan<float> xs, ReadOnlySpan<float> ws, ReadOnlySpan<float> bias, Span<float> ys)
        where TV : struct where TS : ISimd<TV>
    {
        ref float x = ref MemoryMarshal.GetReference(xs);
        ref float w = ref MemoryMarshal.GetReference(ws);
        ref float y = ref MemoryMarshal.GetReference(ys);
        int vc = TS.Count;
        int kMain = k - k % vc;
        bool tail = kMain != k;
        TV tailMask = TS.LanesFrom(vc - (k - kMain));
        int tailOffset = k - vc;

        int i = 0;
        for (; i + 2 <= m; i += 2)
        {
            nint x0 = (nint)i * k, x1 = x0 + k;
            int o = 0;
            for (; o + 4 <= n; o += 4)
            {
                nint w0 = (nint)o * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
                TV a00 = TS.Zero, a01 = TS.Zero, a02 = TS.Zero, a03 = TS.Zero;
                TV a10 = TS.Zero, a11 = TS.Zero, a12 = TS.Zero, a13 = TS.Zero;
                for (int p = 0; p < kMain; p += vc)
                {
                    TV xv0 = TS.Load(ref x, x0 + p), xv1 = TS.Load(ref x, x1 + p);
                    TV wv = TS.Load(ref w, w0 + p); a00 = TS.MultiplyAdd(xv0, wv, a00); a10 = TS.MultiplyAdd(xv1, wv, a10);
                    wv = TS.Load(ref w, w1 + p); a01 = TS.MultiplyAdd(xv0, wv, a01); a11 = TS.MultiplyAdd(xv1, wv, a11);
                    wv = TS.Load(ref w, w2 + p); a02 = TS.MultiplyAdd(xv0, wv, a02); a12 = TS.MultiplyAdd(xv1, wv, a12);
                    wv = TS.Load(ref w, w3 + p); a03 = TS.MultiplyAdd(xv0, wv, a03); a13 = TS.MultiplyAdd(xv1, wv, a13);
                }
                if (tail)
                {
                    TV xv0 = TS.And(TS.Load(ref x, x0 + tailOffset), tailMask), xv1 = TS.And(TS.Load(ref x, x1 + tailOffset), tailMask);
                    TV wv = TS.Load(ref w, w0 + tailOffset); a00 = TS.MultiplyAdd(xv0, wv, a00); a10 = TS.MultiplyAdd(xv1, wv, a10);
                    wv = TS.Load(ref w, w1 + tailOffset); a01 = TS.MultiplyAdd(xv0, wv, a01); a11 = TS.MultiplyAdd(xv1, wv, a11);
                    wv = TS.Load(ref w, w2 + tailOffset); a02 = TS.MultiplyAdd(xv0, wv, a02); a12 = TS.MultiplyAdd(xv1, wv, a12);
                    wv = TS.Load(ref w, w3 + tailOffset); a03 = TS.MultiplyAdd(xv0, wv, a03); a13 = TS.MultiplyAdd(xv1, wv, a13);
                }
                nint y0 = (nint)i * n + o, y1 = y0 + n;
                Unsafe.Add(ref y, y0) = TS.Sum(a00) + bias[o];
                Unsafe.Add(ref y, y0 + 1) = TS.Sum(a01) + bias[o + 1];
                Unsafe.Add(ref y, y0 + 2) = TS.Sum(a02) + bias[o + 2];
                Unsafe.Add(ref y, y0 + 3) = TS.Sum(a03) + bias[o + 3];
                Unsafe.Add(ref y, y1) = TS.Sum(a10) + bias[o];
                Unsafe.Add(ref y, y1 + 1) = TS.Sum(a11) + bias[o + 1];
                Unsafe.Add(ref y, y1 + 2) = TS.Sum(a12) + bias[o + 2];
                Unsafe.Add(ref y, y1 + 3) = TS.Sum(a13) + bias[o + 3];
            }
            for (; o < n; o++)
            {
                Unsafe.Add(ref y, (nint)i * n + o) = Dot<TV, TS>(ref x, x0, ref w, (nint)o * k, kMain, tail, tailMask, tailOffset) + bias[o];
                Unsafe.Add(ref y, (nint)(i + 1) * n + o) = Dot<TV, TS>(ref x, x1, ref w, (nint)o * k, kMain, tail, tailMask, tailOffset) + bias[o];
            }
        }
        for (; i < m; i++)
        {
            for (int o = 0; o < n; o++)
                Unsafe.Add(ref y, (nint)i * n + o) = Dot<TV, TS>(ref x, (nint)i * k, ref w, (nint)o * k, kMain, tail, tailMask, tailOffset) + bias[o];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TV, TS>(ref float x, nint xo, ref float w, nint wo, int kMain, bool tail, TV tailMask, int tailOffset)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        TV a0 = TS.Zero, a1 = TS.Zero;
        int p = 0;
        for (; p + 2 * vc <= kMain; p += 2 * vc)
        {
            a0 = TS.MultiplyAdd(TS.Load(ref x, xo + p), TS.Load(ref w, wo + p), a0);
            a1 = TS.MultiplyAdd(TS.Load(ref x, xo + p + vc), TS.Load(ref w, wo + p + vc), a1);
        }
        if (p < kMain) a0 = TS.MultiplyAdd(TS.Load(ref x, xo + p), TS.Load(ref w, wo + p), a0);
        if (tail) a1 = TS.MultiplyAdd(TS.And(TS.Load(ref x, xo + tailOffset), tailMask), TS.Load(ref w, wo + tailOffset), a1);
        return TS.Sum(TS.Add(a0, a1));
    }

    internal static void XWtScalar(int m, int n, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        for (int i = 0; i < m; i++)
            for (int o = 0; o < n; o++)
            {
                float s = 0;
                for (int p = 0; p < k; p++) s += x[i * k + p] * w[o * k + p];
                y[i * n + o] = s + bias[o];
            }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broadcast form (both backward products and the bias gradient):
    //   Out[r, c] = Σ_p A[r·aRow + p·aCol] · B[p·cols + c]   (+ l1·sign(P[r, c]) + 2·l2·P[r, c])
    // Tile: 4 output rows × 2 vectors of columns = 8 accumulators; each B vector loaded once feeds 4 FMAs.
    // Column tail: one overlapping vector, recomputed from the inputs and stored whole (idempotent).
    // ---------------------------------------------------------------------------------------------------------
    internal static void BroadcastCore<TV, TS>(int rows, int cols, int depth, ReadOnlySpan<float> aSpan, int aRow, int aCol,
        ReadOnlySpan<float> bSpan, Span<float> outSpan, ReadOnlySpan<float> pSpan, float l1, float l2)
        where TV : struct where TS : ISimd<TV>
    {
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        ref float b = ref MemoryMarshal.GetReference(bSpan);
        ref float output = ref MemoryMarshal.GetReference(outSpan);
        ref float pen = ref MemoryMarshal.GetReference(pSpan);
        bool epilogue = l1 != 0 || l2 != 0;
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2);
        int vc = TS.Count;

        int r = 0;
        for (; r < rows; r += 4)
        {
            int rr = Math.Min(4, rows - r);
            // Rows beyond the matrix read row r again (valid memory) and are never stored.
            nint ar0 = (nint)r * aRow, ar1 = (nint)(r + Math.Min(1, rr - 1)) * aRow, ar2 = (nint)(r + Math.Min(2, rr - 1)) * aRow, ar3 = (nint)(r + Math.Min(3, rr - 1)) * aRow;
            int c = 0;
            while (c < cols)
            {
                if (c + 2 * vc <= cols)
                {
                    TV s00 = TS.Zero, s01 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s20 = TS.Zero, s21 = TS.Zero, s30 = TS.Zero, s31 = TS.Zero;
                    for (int p = 0; p < depth; p++)
                    {
                        nint bo = (nint)p * cols + c, ap = (nint)p * aCol;
                        TV b0 = TS.Load(ref b, bo), b1 = TS.Load(ref b, bo + vc);
                        TV av = TS.Splat(Unsafe.Add(ref a, ar0 + ap)); s00 = TS.MultiplyAdd(av, b0, s00); s01 = TS.MultiplyAdd(av, b1, s01);
                        av = TS.Splat(Unsafe.Add(ref a, ar1 + ap)); s10 = TS.MultiplyAdd(av, b0, s10); s11 = TS.MultiplyAdd(av, b1, s11);
                        av = TS.Splat(Unsafe.Add(ref a, ar2 + ap)); s20 = TS.MultiplyAdd(av, b0, s20); s21 = TS.MultiplyAdd(av, b1, s21);
                        av = TS.Splat(Unsafe.Add(ref a, ar3 + ap)); s30 = TS.MultiplyAdd(av, b0, s30); s31 = TS.MultiplyAdd(av, b1, s31);
                    }
                    StoreRow<TV, TS>(ref output, ref pen, (nint)r * cols + c, s00, s01, epilogue, vl1, vl2);
                    if (rr > 1) StoreRow<TV, TS>(ref output, ref pen, (nint)(r + 1) * cols + c, s10, s11, epilogue, vl1, vl2);
                    if (rr > 2) StoreRow<TV, TS>(ref output, ref pen, (nint)(r + 2) * cols + c, s20, s21, epilogue, vl1, vl2);
                    if (rr > 3) StoreRow<TV, TS>(ref output, ref pen, (nint)(r + 3) * cols + c, s30, s31, epilogue, vl1, vl2);
                    c += 2 * vc;
                }
                else
                {
                    // One vector of columns; the last one overlaps the previous tile when cols is not a multiple.
                    int cc = Math.Min(c, cols - vc);
                    TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero;
                    for (int p = 0; p < depth; p++)
                    {
                        nint ap = (nint)p * aCol;
                        TV b0 = TS.Load(ref b, (nint)p * cols + cc);
                        s0 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a, ar0 + ap)), b0, s0);
                        s1 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a, ar1 + ap)), b0, s1);
                        s2 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a, ar2 + ap)), b0, s2);
                        s3 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref a, ar3 + ap)), b0, s3);
                    }
                    StoreOne<TV, TS>(ref output, ref pen, (nint)r * cols + cc, s0, epilogue, vl1, vl2);
                    if (rr > 1) StoreOne<TV, TS>(ref output, ref pen, (nint)(r + 1) * cols + cc, s1, epilogue, vl1, vl2);
                    if (rr > 2) StoreOne<TV, TS>(ref output, ref pen, (nint)(r + 2) * cols + cc, s2, epilogue, vl1, vl2);
                    if (rr > 3) StoreOne<TV, TS>(ref output, ref pen, (nint)(r + 3) * cols + cc, s3, epilogue, vl1, vl2);
                    c = cc + vc;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TV, TS>(ref float output, ref float pen, nint o, TV s0, TV s1, bool epilogue, TV vl1, TV vl2)
        where TV : struct where TS : ISimd<TV>
    {
        StoreOne<TV, TS>(ref output, ref pen, o, s0, epilogue, vl1, vl2);
        StoreOne<TV, TS>(ref output, ref pen, o + TS.Count, s1, epilogue, vl1, vl2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreOne<TV, TS>(ref float output, ref float pen, nint o, TV s, bool epilogue, TV vl1, TV vl2)
        where TV : struct where TS : ISimd<TV>
    {
        if (epilogue)
        {
            TV p = TS.Load(ref pen, o);
            s = TS.MultiplyAdd(vl2, p, TS.MultiplyAdd(vl1, TS.Sign(p), s));
        }
        TS.Store(s, ref output, o);
    }

    internal static void BroadcastScalar(int rows, int cols, int depth, ReadOnlySpan<float> a, int aRow, int aCol,
        ReadOnlySpan<float> b, Span<float> output, ReadOnlySpan<float> pen, float l1, float l2)
    {
        bool epilogue = l1 != 0 || l2 != 0;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                float s = 0;
                for (int p = 0; p < depth; p++) s += a[r * aRow + p * aCol] * b[p * cols + c];
                if (epilogue)
                {
                    float w = pen[r * cols + c];
                    s += l1 * ScalarMath.Sign(w) + 2 * l2 * w;
                }
                output[r * cols + c] = s;
            }
    }
}
