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
public static partial class Gemm
{
    /// <summary>From this many rows on, the forward product packs W and uses the broadcast kernel (no horizontal sums).</summary>
    private const int PackedForwardRows = 64;

    /// <summary>Below this many multiply-adds a product is not worth splitting across threads.</summary>
    private const long ParallelWork = 1L << 19;

    /// <summary>Forward: Y[m, n] = X[m, k] · W[n, k]ᵀ + bias[n]. With a pool, the rows of X are split across threads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void XWt(int m, int n, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, WorkerPool? pool = null)
    {
        Check(x.Length, (long)m * k, nameof(x)); Check(w.Length, (long)n * k, nameof(w)); Check(bias.Length, n, nameof(bias)); Check(y.Length, (long)m * n, nameof(y));
        if (pool is not null && m >= 16 && (long)m * n * k >= ParallelWork)
            Parallel(pool, Kind.Forward, m, n, k, x, k, 1, w, 1, k, y, bias, default, 0, 0);
        else if (pool is not null && m == 1 && n >= 32 && (long)n * k >= ColumnSplitWork)
            Parallel(pool, Kind.ForwardColumns, 1, n, k, x, k, 1, w, 1, k, y, bias, default, 0, 0);
        else
            Forward(m, n, k, x, w, bias, y, FormOf(m, n, k));
    }

    /// <summary>
    /// Makes the calling thread's packing memory large enough for any forward product of up to <paramref name="rows"/>
    /// rows and <paramref name="depth"/> inputs, whichever form and thread split it takes: a model calls this on a
    /// thread's first inference call, so that the thread's later calls allocate nothing even when a product that ran
    /// split across the pool before runs whole on this thread.
    /// </summary>
    public static void ReserveForward(int rows, int depth)
    {
        long bound = ((long)rows + 7) / 8 * 8 * Math.Min(Math.Max(depth, 1), MaxDepthBlock) + (long)MaxDepthBlock * 2 * 16;
        Scratch.Get((int)Math.Min(bound, int.MaxValue));
    }

    /// <summary>
    /// From this many weights on, a single-row product (batch 1: a matrix·vector product, bound by reading W) is split
    /// across threads on its output columns, so each core streams its share of W.
    /// </summary>
    private const long ColumnSplitWork = 1L << 16;

    /// <summary>How a forward product is computed.</summary>
    private enum ForwardForm
    {
        /// <summary>Dot products along k (few rows).</summary>
        Dot,
        /// <summary>W packed, the broadcast kernel (no horizontal sums).</summary>
        Packed,
        /// <summary>A short k (fewer than 8 inputs): Wᵀ on the stack, rows streamed.</summary>
        ShortK,
        /// <summary>A small layer (see GemmSmall.cs): Wᵀ on the stack, multi-row tiles.</summary>
        Small,
    }

    /// <summary>The form of a forward product, decided on the whole product so that a split across threads computes
    /// every element exactly as one thread would.</summary>
    private static ForwardForm FormOf(int m, int n, int k)
    {
        // The small form transposes W (k·n moves) per call: worth it from a few rows on, or when k is too short for dot products.
        if (SmallWidth(n) != 0 && k * n <= SmallMaxOperand && (k < Vector256<float>.Count || m >= 8)) return ForwardForm.Small;
        if (k < Vector256<float>.Count && Width.Pick(n) != 0 && k * n <= SmallTransposeFloats) return ForwardForm.ShortK;
        return m >= PackedForwardRows && n >= Vector256<float>.Count * 2 ? ForwardForm.Packed : ForwardForm.Dot;
    }

    /// <summary>Largest k·n for which a short-k product transposes W onto the stack.</summary>
    private const int SmallTransposeFloats = 4096;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward(int m, int n, int k, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, ForwardForm form)
    {
        if (form is ForwardForm.Small or ForwardForm.ShortK)
        {
            // A short dot product (a 4-input layer, say) cannot be vectorized along k, and a small layer is not worth
            // packing: transpose W (k × n floats, on the stack; every element is written before it is read) and
            // vectorize along the outputs instead, y[i, :] = bias + Σ_p x[i, p]·Wᵀ[p, :].
            Span<float> wt = stackalloc float[k * n];
            Transpose.Block(ref MemoryMarshal.GetReference(w), k, ref MemoryMarshal.GetReference(wt), n, n, k);
            if (form == ForwardForm.Small)
            {
                Small(SmallWidth(n), m, n, k, x, k, 1, wt, y, bias, default, 0, 0);
                return;
            }
            switch (Width.Pick(n))
            {
                case 512: RowsCore<Vector512<float>, V512>(m, n, k, x, k, 1, wt, y, default, 0, 0, bias); break;
                case 256: RowsCore<Vector256<float>, V256>(m, n, k, x, k, 1, wt, y, default, 0, 0, bias); break;
                default: RowsCore<Vector128<float>, V128>(m, n, k, x, k, 1, wt, y, default, 0, 0, bias); break;
            }
            return;
        }
        bool packed = form == ForwardForm.Packed;
        switch (Width.Pick(k))
        {
            case 512 when packed && n >= 16: BroadcastCore<Vector512<float>, V512>(m, n, k, x, k, 1, w, 1, k, y, bias, default, 0, 0); break;
            case 512: XWtCore<Vector512<float>, V512>(m, n, k, x, w, bias, y); break;
            case 256 when packed: BroadcastCore<Vector256<float>, V256>(m, n, k, x, k, 1, w, 1, k, y, bias, default, 0, 0); break;
            case 256: XWtCore<Vector256<float>, V256>(m, n, k, x, w, bias, y); break;
            case 128: XWtCore<Vector128<float>, V128>(m, n, k, x, w, bias, y); break;
            default: XWtScalar(m, n, k, x, w, bias, y); break;
        }
    }

    /// <summary>Backward to the inputs: Y[m, k] = D[m, n] · W[n, k]. With a pool, the rows are split across threads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void XW(int m, int n, int k, ReadOnlySpan<float> d, ReadOnlySpan<float> w, Span<float> y, WorkerPool? pool = null)
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(w.Length, (long)n * k, nameof(w)); Check(y.Length, (long)m * k, nameof(y));
        // Y[i, c] = Σ_p D[i·n + p] · W[p·k + c]
        if (pool is not null && m >= 16 && (long)m * n * k >= ParallelWork)
            Parallel(pool, Kind.Broadcast, m, k, n, d, n, 1, w, k, 1, y, default, default, 0, 0, small: IsSmall(k, (long)n * k));
        else if (pool is not null && m == 1 && k >= 128 && (long)n * k >= ColumnSplitWork)
            Parallel(pool, Kind.BroadcastColumns, 1, k, n, d, n, 1, w, k, 1, y, default, default, 0, 0);
        else
            Broadcast(m, k, n, d, n, 1, w, y, default, 0, 0, Streaming(m, n), IsSmall(k, (long)n * k));
    }

    /// <summary>
    /// Weight gradient: G[n, k] = D[m, n]ᵀ · X[m, k] + l1·sign(W) + 2·l2·W (overwrites G; the penalty terms are the
    /// epilogue of the same pass, read from <paramref name="w"/>, which may be empty when both are 0). With a pool, the
    /// rows of G (output units) are split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DtX(int m, int n, int k, ReadOnlySpan<float> d, ReadOnlySpan<float> x, Span<float> g, ReadOnlySpan<float> w, float l1, float l2, WorkerPool? pool = null)
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(x.Length, (long)m * k, nameof(x)); Check(g.Length, (long)n * k, nameof(g));
        if (l1 != 0 || l2 != 0) Check(w.Length, (long)n * k, nameof(w));
        // G[o, c] = Σ_b D[b·n + o] · X[b·k + c]
        if (k < Vector256<float>.Count && Width.Pick(n) != 0 && k * n <= SmallTransposeFloats)
        {
            // Few columns (a 4-input layer): compute Gᵀ[c, o] = Σ_b X[b, c]·D[b, o], vectorized along o, then transpose.
            Span<float> gt = stackalloc float[k * n];
            int small = SmallWidth(n);
            if (small != 0) Small(small, k, n, m, x, 1, k, d, gt, default, default, 0, 0);
            else switch (Width.Pick(n))
            {
                case 512: RowsCore<Vector512<float>, V512>(k, n, m, x, 1, k, d, gt, default, 0, 0); break;
                case 256: RowsCore<Vector256<float>, V256>(k, n, m, x, 1, k, d, gt, default, 0, 0); break;
                default: RowsCore<Vector128<float>, V128>(k, n, m, x, 1, k, d, gt, default, 0, 0); break;
            }
            Transpose.Block(ref MemoryMarshal.GetReference(gt), n, ref MemoryMarshal.GetReference(g), k, k, n);
            if (l1 != 0 || l2 != 0)
                for (int i = 0; i < n * k; i++) g[i] += l1 * ScalarMath.Sign(w[i]) + 2 * l2 * w[i];
            return;
        }
        if (pool is not null && n >= 16 && (long)Math.Max(m, 2) * n * k >= ParallelWork)
            Parallel(pool, Kind.Broadcast, n, k, m, d, 1, n, x, k, 1, g, default, w, l1, l2, small: IsSmall(k, (long)n * k));
        else
            Broadcast(n, k, m, d, 1, n, x, g, w, l1, l2, Streaming(n, m), IsSmall(k, (long)n * k));
    }

    /// <summary>
    /// SGD fused with the weight gradient: W ← W − lr·(D[m, n]ᵀ · X[m, k] + l1·sign(W) + 2·l2·W), each element updated
    /// as soon as its gradient is complete, so W is read and written once and the gradient is not stored. The result is
    /// bit for bit that of <c>DtX</c> followed by <c>Sgd.Step</c> (same sums, same penalty epilogue, then
    /// w + g·(−lr)). <paramref name="scratch"/> [n·k] holds partial sums when the batch spans several depth blocks (its
    /// contents are undefined afterwards). With a pool, the rows of W are split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DtXSgd(int m, int n, int k, ReadOnlySpan<float> d, ReadOnlySpan<float> x, Span<float> w, Span<float> scratch, float l1, float l2, float lr, WorkerPool? pool = null)
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(x.Length, (long)m * k, nameof(x)); Check(w.Length, (long)n * k, nameof(w)); Check(scratch.Length, (long)n * k, nameof(scratch));
        if (k < Vector256<float>.Count && Width.Pick(n) != 0 && k * n <= SmallTransposeFloats)
        {
            // The few-columns form computes Gᵀ and transposes: finish the gradient, then the update.
            DtX(m, n, k, d, x, scratch, w, l1, l2);
            Sgd.Step(w, scratch, lr);
            return;
        }
        // A batch-1 update is bound by reading and writing W: counted as two rows of work, so each core takes half.
        if (pool is not null && n >= 16 && (long)Math.Max(m, 2) * n * k >= ParallelWork)
            Parallel(pool, Kind.Broadcast, n, k, m, d, 1, n, x, k, 1, scratch, default, w, l1, l2, w, -lr, IsSmall(k, (long)n * k));
        else
            Broadcast(n, k, m, d, 1, n, x, scratch, w, l1, l2, Streaming(n, m), IsSmall(k, (long)n * k), w, -lr);
    }

    /// <summary>
    /// G[n, k] += D[m, n]ᵀ·X[m, k]: the product added to a gradient already there (a tied layer's share of its partner's
    /// weights) as it completes — the fused-update path with the step +1, so each element is g + (its product), rounded once.
    /// </summary>
    public static void DtXAdd(int m, int n, int k, ReadOnlySpan<float> d, ReadOnlySpan<float> x, Span<float> g, Span<float> scratch, WorkerPool? pool = null)
        => DtXSgd(m, n, k, d, x, g, scratch, 0f, 0f, -1f, pool);

    /// <summary>n zeros: the bias of a product that has none (from a buffer that only ever grows, so steady state allocates nothing).</summary>
    public static ReadOnlySpan<T> Zeros<T>(int n) where T : unmanaged => Structural.Zeros<T>(n);

    /// <summary>A new array holding the transpose of <paramref name="w"/> [rows, cols] (for a cold path: a tied layer's int8 form).</summary>
    public static float[] Transposed(ReadOnlySpan<float> w, int rows, int cols)
    {
        Check(w.Length, (long)rows * cols, nameof(w));
        var t = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
        return t;
    }

    /// <summary>Y[r, c] += bias[c] for every row (a product computed without its bias epilogue).</summary>
    public static void AddBias(int rows, int cols, ReadOnlySpan<float> bias, Span<float> y)
    {
        Check(bias.Length, cols, nameof(bias)); Check(y.Length, (long)rows * cols, nameof(y));
        for (int r = 0; r < rows; r++) System.Numerics.Tensors.TensorPrimitives.Add(y.Slice(r * cols, cols), bias.Slice(0, cols), y.Slice(r * cols, cols));
    }

    /// <summary>SGD fused with the bias gradient: b ← b − lr·(Σ_b D[b, n] + l1·sign(b) + 2·l2·b), as <see cref="DtXSgd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSumsSgd(int m, int n, ReadOnlySpan<float> d, Span<float> bias, Span<float> scratch, float l1, float l2, float lr)
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(bias.Length, n, nameof(bias)); Check(scratch.Length, n, nameof(scratch));
        ReadOnlySpan<float> one = [1f];
        Broadcast(1, n, m, one, 0, 0, d, scratch, bias, l1, l2, Streaming(1, m), small: false, bias, -lr);
    }

    /// <summary>
    /// Few rows (batch &lt; 8 in dY·W) or a short depth (batch ≤ 4 in dYᵀ·X) are memory-bound: stream B once per row,
    /// without packing and without computing the padded rows of an 8-row tile. Decided on the whole product, so a split
    /// across threads computes every element exactly as one thread would.
    /// </summary>
    private static bool Streaming(int rows, int depth) => rows < 8 || depth <= 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast(int rows, int cols, int depth, ReadOnlySpan<float> a, int aRow, int aCol, ReadOnlySpan<float> b, Span<float> output, ReadOnlySpan<float> pen, float l1, float l2)
        => Broadcast(rows, cols, depth, a, aRow, aCol, b, output, pen, l1, l2, Streaming(rows, depth), small: false);

    /// <summary>
    /// The small form for a broadcast product with an output <paramref name="cols"/> wide and a weight matrix of
    /// <paramref name="weights"/> floats (dY·W: B is W; dYᵀ·X: the output is the gradient of W). Decided on the whole
    /// product, as <see cref="Streaming"/>.
    /// </summary>
    private static bool IsSmall(int cols, long weights) => SmallWidth(cols) != 0 && weights <= SmallMaxOperand;

    // update empty: store the product in output. Otherwise the SGD epilogue: update[i] ← update[i] + product[i]·step
    // (step = −lr), with output only a scratch accumulator.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast(int rows, int cols, int depth, ReadOnlySpan<float> a, int aRow, int aCol, ReadOnlySpan<float> b, Span<float> output, ReadOnlySpan<float> pen, float l1, float l2, bool streaming,
        bool small, Span<float> update = default, float step = 0)
    {
        if (small)
        {
            Small(SmallWidth(cols), rows, cols, depth, a, aRow, aCol, b, output, default, pen, l1, l2, update, step);
            return;
        }
        switch (Width.Pick(cols))
        {
            case 512 when streaming: RowsCore<Vector512<float>, V512>(rows, cols, depth, a, aRow, aCol, b, output, pen, l1, l2, default, update, step); break;
            case 512: BroadcastCore<Vector512<float>, V512>(rows, cols, depth, a, aRow, aCol, b, cols, 1, output, default, pen, l1, l2, update, step); break;
            case 256 when streaming: RowsCore<Vector256<float>, V256>(rows, cols, depth, a, aRow, aCol, b, output, pen, l1, l2, default, update, step); break;
            case 256: BroadcastCore<Vector256<float>, V256>(rows, cols, depth, a, aRow, aCol, b, cols, 1, output, default, pen, l1, l2, update, step); break;
            // 128-bit machines (SSE-only x64, ARM64): the row-streaming form, without the packed 8 × 8 tiles.
            case 128: RowsCore<Vector128<float>, V128>(rows, cols, depth, a, aRow, aCol, b, output, pen, l1, l2, default, update, step); break;
            default:
                BroadcastScalar(rows, cols, depth, a, aRow, aCol, b, output, pen, l1, l2);
                if (!update.IsEmpty)
                    for (int i = 0; i < rows * cols; i++) update[i] += output[i] * step;
                break;
        }
    }

    /// <summary>
    /// The broadcast form one output row at a time: 4 vectors of columns per pass over the depth (1 for the tail, which
    /// overlaps and is recomputed from the inputs — idempotent, as every output is stored whole).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RowsCore<TV, TS>(int rows, int cols, int depth, ReadOnlySpan<float> aSpan, int aRow, int aCol,
        ReadOnlySpan<float> bSpan, Span<float> outSpan, ReadOnlySpan<float> pSpan, float l1, float l2, ReadOnlySpan<float> bias = default,
        Span<float> updateSpan = default, float step = 0, int bRowStride = 0)
        where TV : struct where TS : ISimd<TV>
    {
        nint bStride = bRowStride == 0 ? cols : bRowStride; // a column range of a wider B keeps B's row stride
        // The SGD epilogue writes each finished vector into the parameters instead of the output (see Broadcast).
        bool update = !updateSpan.IsEmpty;
        ref float u = ref MemoryMarshal.GetReference(updateSpan);
        TV vstep = TS.Splat(step);
        ref float bi = ref MemoryMarshal.GetReference(bias);
        bool hasBias = !bias.IsEmpty;
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        ref float b = ref MemoryMarshal.GetReference(bSpan);
        ref float o = ref MemoryMarshal.GetReference(outSpan);
        ref float pen = ref MemoryMarshal.GetReference(pSpan);
        bool epilogue = l1 != 0 || l2 != 0;
        TV vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2);
        int vc = TS.Count;
        for (int r = 0; r < rows; r++)
        {
            ref float ar = ref Unsafe.Add(ref a, (nint)r * aRow);
            nint orow = (nint)r * cols;
            int c = 0;
            for (; c + 4 * vc <= cols; c += 4 * vc)
            {
                TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero;
                if (hasBias) { s0 = TS.Load(ref bi, c); s1 = TS.Load(ref bi, c + vc); s2 = TS.Load(ref bi, c + 2 * vc); s3 = TS.Load(ref bi, c + 3 * vc); }
                ref float bp = ref Unsafe.Add(ref b, c);
                for (nint p = 0; p < depth; p++)
                {
                    TV av = TS.Splat(Unsafe.Add(ref ar, p * aCol));
                    s0 = TS.MultiplyAdd(av, TS.Load(ref bp, 0), s0);
                    s1 = TS.MultiplyAdd(av, TS.Load(ref bp, vc), s1);
                    s2 = TS.MultiplyAdd(av, TS.Load(ref bp, 2 * vc), s2);
                    s3 = TS.MultiplyAdd(av, TS.Load(ref bp, 3 * vc), s3);
                    bp = ref Unsafe.Add(ref bp, bStride);
                }
                if (update)
                {
                    UpdateOne<TV, TS>(ref u, ref pen, orow + c, s0, epilogue, vl1, vl2, vstep, 0);
                    UpdateOne<TV, TS>(ref u, ref pen, orow + c + vc, s1, epilogue, vl1, vl2, vstep, 0);
                    UpdateOne<TV, TS>(ref u, ref pen, orow + c + 2 * vc, s2, epilogue, vl1, vl2, vstep, 0);
                    UpdateOne<TV, TS>(ref u, ref pen, orow + c + 3 * vc, s3, epilogue, vl1, vl2, vstep, 0);
                    continue;
                }
                StoreOne<TV, TS>(ref o, ref pen, orow + c, s0, epilogue, vl1, vl2);
                StoreOne<TV, TS>(ref o, ref pen, orow + c + vc, s1, epilogue, vl1, vl2);
                StoreOne<TV, TS>(ref o, ref pen, orow + c + 2 * vc, s2, epilogue, vl1, vl2);
                StoreOne<TV, TS>(ref o, ref pen, orow + c + 3 * vc, s3, epilogue, vl1, vl2);
            }
            while (c < cols)
            {
                int cc = Math.Min(c, cols - vc);
                TV s0 = hasBias ? TS.Load(ref bi, cc) : TS.Zero;
                ref float bp = ref Unsafe.Add(ref b, cc);
                for (nint p = 0; p < depth; p++)
                {
                    s0 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ar, p * aCol)), TS.Load(ref bp, 0), s0);
                    bp = ref Unsafe.Add(ref bp, bStride);
                }
                // The overlapping tail recomputes lanes below c - cc: harmless for a store, but an update must not
                // apply twice, so those lanes keep their value.
                if (update) UpdateOne<TV, TS>(ref u, ref pen, orow + cc, s0, epilogue, vl1, vl2, vstep, c - cc);
                else StoreOne<TV, TS>(ref o, ref pen, orow + cc, s0, epilogue, vl1, vl2);
                c = cc + vc;
            }
        }
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

    /// <summary>The SGD epilogue for one finished vector: w ← w + (g + penalty)·step, lanes below <paramref name="keepBelow"/> untouched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateOne<TV, TS>(ref float update, ref float pen, nint o, TV s, bool epilogue, TV vl1, TV vl2, TV step, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        if (epilogue)
        {
            TV p = TS.Load(ref pen, o);
            s = TS.MultiplyAdd(vl2, p, TS.MultiplyAdd(vl1, TS.Sign(p), s));
        }
        TV w = TS.Load(ref update, o);
        TV v = TS.Add(TS.Multiply(s, step), w);
        if (keepBelow > 0) v = TS.Select(TS.LanesFrom(keepBelow), v, w);
        TS.Store(v, ref update, o);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Threading: the output rows are cut into one contiguous range per thread (multiples of 8, the tile height), so
    // every thread writes its own rows and reads the shared operands. The job lives on the caller's stack, pinned.
    // ---------------------------------------------------------------------------------------------------------
    // ForwardColumns / BroadcastColumns: a single-row product split on its output columns instead (batch 1).
    private enum Kind { Forward, Broadcast, ForwardColumns, BroadcastColumns }

    private unsafe struct Job
    {
        public Kind Kind;
        public int Rows, Cols, Depth, ARow, ACol, BRow, BCol, ALength, BLength, PenLength, BiasLength;
        public ForwardForm Form;
        public bool Streaming, Small;
        public float* A, B, Out, Bias, Pen, Update;
        public float L1, L2, Step;
        public int UpdateLength;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Parallel(WorkerPool pool, Kind kind, int rows, int cols, int depth, ReadOnlySpan<float> a, int aRow, int aCol,
        ReadOnlySpan<float> b, int bRow, int bCol, Span<float> output, ReadOnlySpan<float> bias, ReadOnlySpan<float> pen, float l1, float l2,
        Span<float> update = default, float step = 0, bool small = false)
    {
        fixed (float* pa = a, pb = b, po = output, pbias = bias, ppen = pen, pu = update)
        {
            var job = new Job
            {
                Kind = kind, Rows = rows, Cols = cols, Depth = depth, ARow = aRow, ACol = aCol, BRow = bRow, BCol = bCol,
                ALength = a.Length, BLength = b.Length, PenLength = pen.Length, BiasLength = bias.Length,
                A = pa, B = pb, Out = po, Bias = pbias, Pen = ppen, L1 = l1, L2 = l2, Form = FormOf(rows, cols, depth), Streaming = Streaming(rows, depth), Small = small,
                Update = pu, UpdateLength = update.Length, Step = step,
            };
            pool.Run(&RunPart, &job);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunPart(void* state, int part, int parts)
    {
        ref Job j = ref *(Job*)state;
        if (j.Kind is Kind.ForwardColumns or Kind.BroadcastColumns)
        {
            RunColumns(ref j, part, parts);
            return;
        }
        int per = ((j.Rows + parts - 1) / parts + 7) & ~7;
        int r0 = part * per, r1 = Math.Min(j.Rows, r0 + per);
        if (r0 >= r1) return;
        int rows = r1 - r0;
        long aOffset = (long)r0 * j.ARow;
        var a = new ReadOnlySpan<float>(j.A + aOffset, (int)(j.ALength - aOffset));
        var b = new ReadOnlySpan<float>(j.B, j.BLength);
        var output = new Span<float>(j.Out + (long)r0 * j.Cols, rows * j.Cols);
        var pen = j.PenLength == 0 ? default : new ReadOnlySpan<float>(j.Pen + (long)r0 * j.Cols, rows * j.Cols);
        var bias = new ReadOnlySpan<float>(j.Bias, j.BiasLength);
        var update = j.UpdateLength == 0 ? default : new Span<float>(j.Update + (long)r0 * j.Cols, rows * j.Cols);
        if (j.Kind == Kind.Forward) Forward(rows, j.Cols, j.Depth, a, b, bias, output, j.Form);
        else Broadcast(rows, j.Cols, j.Depth, a, j.ARow, j.ACol, b, output, pen, j.L1, j.L2, j.Streaming, j.Small, update, j.Step);
    }

    /// <summary>
    /// One part of a single-row product split on its output columns, in multiples of 16: whole groups of the one-thread
    /// run's tiles, each element a sum in the same order, so computed exactly as one thread computes it. Forward: the
    /// columns are rows of W; backward (Y = D·W): columns of W, read with W's full row stride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunColumns(ref Job j, int part, int parts)
    {
        if (!ColumnShare(j.Cols, part, parts, out int c0, out int c1)) return;
        int cols = c1 - c0;
        var a = new ReadOnlySpan<float>(j.A, j.ALength);
        var output = new Span<float>(j.Out + c0, cols);
        if (j.Kind == Kind.ForwardColumns)
        {
            var w = new ReadOnlySpan<float>(j.B + (long)c0 * j.Depth, cols * j.Depth);
            var bias = new ReadOnlySpan<float>(j.Bias + c0, cols);
            Forward(1, cols, j.Depth, a, w, bias, output, ForwardForm.Dot);
            return;
        }
        var b = new ReadOnlySpan<float>(j.B + c0, j.BLength - c0);
        switch (Width.Pick(cols))
        {
            case 512: RowsCore<Vector512<float>, V512>(1, cols, j.Depth, a, j.ARow, j.ACol, b, output, default, 0, 0, default, default, 0, j.BRow); break;
            case 256: RowsCore<Vector256<float>, V256>(1, cols, j.Depth, a, j.ARow, j.ACol, b, output, default, 0, 0, default, default, 0, j.BRow); break;
            case 128: RowsCore<Vector128<float>, V128>(1, cols, j.Depth, a, j.ARow, j.ACol, b, output, default, 0, 0, default, default, 0, j.BRow); break;
            default: throw new InvalidOperationException("a column split needs vector kernels");
        }
    }

    /// <summary>
    /// Part <paramref name="part"/>'s columns [c0, c1) of <paramref name="cols"/> split into <paramref name="parts"/>
    /// shares of whole 16-column steps; false when the part has none. A share never leaves fewer than 16 columns after
    /// it: the last share takes them (so every share is at least 16 wide, which the vector kernels need), and parts
    /// beyond it get nothing — for any number of parts, more than the columns allow included.
    /// </summary>
    internal static bool ColumnShare(int cols, int part, int parts, out int c0, out int c1)
    {
        int per = (int)(((long)cols + parts - 1) / parts + 15) & ~15;
        c0 = (int)Math.Min((long)part * per, cols);
        c1 = (int)Math.Min((long)c0 + per, cols);
        if (c0 >= cols || (c0 > 0 && cols - c0 < 16)) return false; // nothing left, or a remainder the previous share took
        if (cols - c1 < 16) c1 = cols;
        return true;
    }

    /// <summary>Bias gradient: g[n] = Σ_b D[b, n] + l1·sign(bias) + 2·l2·bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(int m, int n, ReadOnlySpan<float> d, Span<float> g, ReadOnlySpan<float> bias, float l1, float l2)
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(g.Length, n, nameof(g));
        if (l1 != 0 || l2 != 0) Check(bias.Length, n, nameof(bias));
        // One row of ones times D: the broadcast form with a unit "A" of stride 0, through the same dispatch as the other
        // products (a single row streams D once; an 8-row packed tile would compute 7 padding rows).
        ReadOnlySpan<float> one = [1f];
        Broadcast(1, n, m, one, 0, 0, d, g, bias, l1, l2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int actual, long expected, string name)
    {
        // expected is a product of sizes in 64 bits (no overflow); a negative size makes it negative, which is refused too.
        if (actual < expected || expected < 0) ThrowHelper.KernelSpan(name, expected, actual);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dot-product form (forward). W is walked in blocks of rows small enough to stay in L2 while every row of X passes
    // over the block. Tile: 8 rows of X × 2 rows of W = 16 accumulators (4 × 2 on 256-bit, which has 16 registers):
    // each W vector loaded from L2 feeds 8 FMAs. The k-tail is one overlapping vector whose already-counted lanes are
    // masked to zero.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Bytes of W kept hot per block: about a third of a 1 MiB L2.</summary>
    private const int WeightBlockBytes = 384 * 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void XWtCore<TV, TS>(int m, int n, int k, ReadOnlySpan<float> xs, ReadOnlySpan<float> ws, ReadOnlySpan<float> bias, Span<float> ys)
        where TV : struct where TS : ISimd<TV>
    {
        ref float x = ref MemoryMarshal.GetReference(xs);
        ref float w = ref MemoryMarshal.GetReference(ws);
        ref float y = ref MemoryMarshal.GetReference(ys);
        ref float b = ref MemoryMarshal.GetReference(bias);
        var t = new DotTail<TV, TS>(k);
        int rowsPerTile = TS.Count >= 16 ? 8 : 4;
        int block = Math.Max(2, WeightBlockBytes / (4 * k)) & ~1;
        for (int n0 = 0; n0 < n; n0 += block)
        {
            int n1 = Math.Min(n, n0 + block);
            int i = 0;
            for (; i + rowsPerTile <= m; i += rowsPerTile)
            {
                int o = n0;
                for (; o + 2 <= n1; o += 2)
                {
                    if (rowsPerTile == 8) Tile8x2<TV, TS>(ref x, ref w, ref y, ref b, i, o, n, k, t);
                    else Tile4x2<TV, TS>(ref x, ref w, ref y, ref b, i, o, n, k, t);
                }
                for (; o < n1; o++)
                    for (int r = 0; r < rowsPerTile; r++)
                        Unsafe.Add(ref y, (nint)(i + r) * n + o) = Dot<TV, TS>(ref x, (nint)(i + r) * k, ref w, (nint)o * k, t) + Unsafe.Add(ref b, o);
            }
            for (; i + 4 <= m; i += 4)
            {
                int o = n0;
                for (; o + 2 <= n1; o += 2) Tile4x2<TV, TS>(ref x, ref w, ref y, ref b, i, o, n, k, t);
                for (; o < n1; o++)
                    for (int r = 0; r < 4; r++)
                        Unsafe.Add(ref y, (nint)(i + r) * n + o) = Dot<TV, TS>(ref x, (nint)(i + r) * k, ref w, (nint)o * k, t) + Unsafe.Add(ref b, o);
            }
            for (; i < m; i++)
            {
                // A single row (batch 1 lands here): matrix·vector, each weight read once.
                int o = n0;
                for (; o + 4 <= n1; o += 4) Tile1x4<TV, TS>(ref x, ref w, ref y, ref b, i, o, n, k, t);
                for (; o < n1; o++)
                    Unsafe.Add(ref y, (nint)i * n + o) = Dot<TV, TS>(ref x, (nint)i * k, ref w, (nint)o * k, t) + Unsafe.Add(ref b, o);
            }
        }
    }

    /// <summary>How a dot product of length k splits into whole vectors and one masked, overlapping last vector.</summary>
    private readonly struct DotTail<TV, TS> where TV : struct where TS : ISimd<TV>
    {
        public readonly int Main;
        public readonly bool Has;
        public readonly nint Offset;
        public readonly TV Mask;

        public DotTail(int k)
        {
            int vc = TS.Count;
            Main = k - k % vc;
            Has = Main != k;
            Offset = k - vc;
            Mask = TS.LanesFrom(vc - (k - Main));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile8x2<TV, TS>(ref float x, ref float w, ref float y, ref float b, int i, int o, int n, int k, DotTail<TV, TS> t)
        where TV : struct where TS : ISimd<TV>
    {
        nint w0 = (nint)o * k, w1 = w0 + k;
        nint x0 = (nint)i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k, x4 = x3 + k, x5 = x4 + k, x6 = x5 + k, x7 = x6 + k;
        TV a00 = TS.Zero, a01 = TS.Zero, a10 = TS.Zero, a11 = TS.Zero, a20 = TS.Zero, a21 = TS.Zero, a30 = TS.Zero, a31 = TS.Zero;
        TV a40 = TS.Zero, a41 = TS.Zero, a50 = TS.Zero, a51 = TS.Zero, a60 = TS.Zero, a61 = TS.Zero, a70 = TS.Zero, a71 = TS.Zero;
        int vc = TS.Count;
        for (nint p = 0; p < t.Main; p += vc)
        {
            TV v0 = TS.Load(ref w, w0 + p), v1 = TS.Load(ref w, w1 + p), xv;
            xv = TS.Load(ref x, x0 + p); a00 = TS.MultiplyAdd(xv, v0, a00); a01 = TS.MultiplyAdd(xv, v1, a01);
            xv = TS.Load(ref x, x1 + p); a10 = TS.MultiplyAdd(xv, v0, a10); a11 = TS.MultiplyAdd(xv, v1, a11);
            xv = TS.Load(ref x, x2 + p); a20 = TS.MultiplyAdd(xv, v0, a20); a21 = TS.MultiplyAdd(xv, v1, a21);
            xv = TS.Load(ref x, x3 + p); a30 = TS.MultiplyAdd(xv, v0, a30); a31 = TS.MultiplyAdd(xv, v1, a31);
            xv = TS.Load(ref x, x4 + p); a40 = TS.MultiplyAdd(xv, v0, a40); a41 = TS.MultiplyAdd(xv, v1, a41);
            xv = TS.Load(ref x, x5 + p); a50 = TS.MultiplyAdd(xv, v0, a50); a51 = TS.MultiplyAdd(xv, v1, a51);
            xv = TS.Load(ref x, x6 + p); a60 = TS.MultiplyAdd(xv, v0, a60); a61 = TS.MultiplyAdd(xv, v1, a61);
            xv = TS.Load(ref x, x7 + p); a70 = TS.MultiplyAdd(xv, v0, a70); a71 = TS.MultiplyAdd(xv, v1, a71);
        }
        if (t.Has)
        {
            nint p = t.Offset;
            TV v0 = TS.And(TS.Load(ref w, w0 + p), t.Mask), v1 = TS.And(TS.Load(ref w, w1 + p), t.Mask), xv;
            xv = TS.Load(ref x, x0 + p); a00 = TS.MultiplyAdd(xv, v0, a00); a01 = TS.MultiplyAdd(xv, v1, a01);
            xv = TS.Load(ref x, x1 + p); a10 = TS.MultiplyAdd(xv, v0, a10); a11 = TS.MultiplyAdd(xv, v1, a11);
            xv = TS.Load(ref x, x2 + p); a20 = TS.MultiplyAdd(xv, v0, a20); a21 = TS.MultiplyAdd(xv, v1, a21);
            xv = TS.Load(ref x, x3 + p); a30 = TS.MultiplyAdd(xv, v0, a30); a31 = TS.MultiplyAdd(xv, v1, a31);
            xv = TS.Load(ref x, x4 + p); a40 = TS.MultiplyAdd(xv, v0, a40); a41 = TS.MultiplyAdd(xv, v1, a41);
            xv = TS.Load(ref x, x5 + p); a50 = TS.MultiplyAdd(xv, v0, a50); a51 = TS.MultiplyAdd(xv, v1, a51);
            xv = TS.Load(ref x, x6 + p); a60 = TS.MultiplyAdd(xv, v0, a60); a61 = TS.MultiplyAdd(xv, v1, a61);
            xv = TS.Load(ref x, x7 + p); a70 = TS.MultiplyAdd(xv, v0, a70); a71 = TS.MultiplyAdd(xv, v1, a71);
        }
        Vector128<float> bb = Vector128.Create(Unsafe.Add(ref b, o), Unsafe.Add(ref b, o + 1), Unsafe.Add(ref b, o), Unsafe.Add(ref b, o + 1));
        nint yo = (nint)i * n + o;
        Store2x2(ref y, yo, n, TS.Sum4(a00, a01, a10, a11) + bb);
        Store2x2(ref y, yo + 2 * n, n, TS.Sum4(a20, a21, a30, a31) + bb);
        Store2x2(ref y, yo + 4 * n, n, TS.Sum4(a40, a41, a50, a51) + bb);
        Store2x2(ref y, yo + 6 * n, n, TS.Sum4(a60, a61, a70, a71) + bb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile4x2<TV, TS>(ref float x, ref float w, ref float y, ref float b, int i, int o, int n, int k, DotTail<TV, TS> t)
        where TV : struct where TS : ISimd<TV>
    {
        nint w0 = (nint)o * k, w1 = w0 + k;
        nint x0 = (nint)i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        TV a00 = TS.Zero, a01 = TS.Zero, a10 = TS.Zero, a11 = TS.Zero, a20 = TS.Zero, a21 = TS.Zero, a30 = TS.Zero, a31 = TS.Zero;
        int vc = TS.Count;
        for (nint p = 0; p < t.Main; p += vc)
        {
            TV v0 = TS.Load(ref w, w0 + p), v1 = TS.Load(ref w, w1 + p), xv;
            xv = TS.Load(ref x, x0 + p); a00 = TS.MultiplyAdd(xv, v0, a00); a01 = TS.MultiplyAdd(xv, v1, a01);
            xv = TS.Load(ref x, x1 + p); a10 = TS.MultiplyAdd(xv, v0, a10); a11 = TS.MultiplyAdd(xv, v1, a11);
            xv = TS.Load(ref x, x2 + p); a20 = TS.MultiplyAdd(xv, v0, a20); a21 = TS.MultiplyAdd(xv, v1, a21);
            xv = TS.Load(ref x, x3 + p); a30 = TS.MultiplyAdd(xv, v0, a30); a31 = TS.MultiplyAdd(xv, v1, a31);
        }
        if (t.Has)
        {
            nint p = t.Offset;
            TV v0 = TS.And(TS.Load(ref w, w0 + p), t.Mask), v1 = TS.And(TS.Load(ref w, w1 + p), t.Mask), xv;
            xv = TS.Load(ref x, x0 + p); a00 = TS.MultiplyAdd(xv, v0, a00); a01 = TS.MultiplyAdd(xv, v1, a01);
            xv = TS.Load(ref x, x1 + p); a10 = TS.MultiplyAdd(xv, v0, a10); a11 = TS.MultiplyAdd(xv, v1, a11);
            xv = TS.Load(ref x, x2 + p); a20 = TS.MultiplyAdd(xv, v0, a20); a21 = TS.MultiplyAdd(xv, v1, a21);
            xv = TS.Load(ref x, x3 + p); a30 = TS.MultiplyAdd(xv, v0, a30); a31 = TS.MultiplyAdd(xv, v1, a31);
        }
        Vector128<float> bb = Vector128.Create(Unsafe.Add(ref b, o), Unsafe.Add(ref b, o + 1), Unsafe.Add(ref b, o), Unsafe.Add(ref b, o + 1));
        nint yo = (nint)i * n + o;
        Store2x2(ref y, yo, n, TS.Sum4(a00, a01, a10, a11) + bb);
        Store2x2(ref y, yo + 2 * n, n, TS.Sum4(a20, a21, a30, a31) + bb);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1x4<TV, TS>(ref float x, ref float w, ref float y, ref float b, int i, int o, int n, int k, DotTail<TV, TS> t)
        where TV : struct where TS : ISimd<TV>
    {
        nint x0 = (nint)i * k, w0 = (nint)o * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
        TV a0 = TS.Zero, a1 = TS.Zero, a2 = TS.Zero, a3 = TS.Zero;
        int vc = TS.Count;
        for (nint p = 0; p < t.Main; p += vc)
        {
            TV xv = TS.Load(ref x, x0 + p);
            a0 = TS.MultiplyAdd(xv, TS.Load(ref w, w0 + p), a0);
            a1 = TS.MultiplyAdd(xv, TS.Load(ref w, w1 + p), a1);
            a2 = TS.MultiplyAdd(xv, TS.Load(ref w, w2 + p), a2);
            a3 = TS.MultiplyAdd(xv, TS.Load(ref w, w3 + p), a3);
        }
        if (t.Has)
        {
            TV xv = TS.And(TS.Load(ref x, x0 + t.Offset), t.Mask);
            a0 = TS.MultiplyAdd(xv, TS.Load(ref w, w0 + t.Offset), a0);
            a1 = TS.MultiplyAdd(xv, TS.Load(ref w, w1 + t.Offset), a1);
            a2 = TS.MultiplyAdd(xv, TS.Load(ref w, w2 + t.Offset), a2);
            a3 = TS.MultiplyAdd(xv, TS.Load(ref w, w3 + t.Offset), a3);
        }
        (TS.Sum4(a0, a1, a2, a3) + Vector128.LoadUnsafe(ref b, (nuint)o)).StoreUnsafe(ref y, (nuint)((nint)i * n + o));
    }

    /// <summary>[y(r, o), y(r, o+1), y(r+1, o), y(r+1, o+1)] to their places.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2x2(ref float y, nint at, int n, Vector128<float> v)
    {
        Unsafe.Add(ref y, at) = v.GetElement(0);
        Unsafe.Add(ref y, at + 1) = v.GetElement(1);
        Unsafe.Add(ref y, at + n) = v.GetElement(2);
        Unsafe.Add(ref y, at + n + 1) = v.GetElement(3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TV, TS>(ref float x, nint xo, ref float w, nint wo, DotTail<TV, TS> t)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        TV a0 = TS.Zero, a1 = TS.Zero;
        nint p = 0;
        for (; p + 2 * vc <= t.Main; p += 2 * vc)
        {
            a0 = TS.MultiplyAdd(TS.Load(ref x, xo + p), TS.Load(ref w, wo + p), a0);
            a1 = TS.MultiplyAdd(TS.Load(ref x, xo + p + vc), TS.Load(ref w, wo + p + vc), a1);
        }
        if (p < t.Main) a0 = TS.MultiplyAdd(TS.Load(ref x, xo + p), TS.Load(ref w, wo + p), a0);
        if (t.Has) a1 = TS.MultiplyAdd(TS.And(TS.Load(ref x, xo + t.Offset), t.Mask), TS.Load(ref w, wo + t.Offset), a1);
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
    // The depth is cut into blocks so the block of B (depth-block × cols) stays in L2 while every row tile passes over
    // it; the first block stores, later blocks add, the last applies the penalty epilogue. Tile: 8 output rows × 2
    // vectors = 16 accumulators (4 × 2 on 256-bit): each B vector loaded feeds 8 FMAs. Column tail: one overlapping
    // vector whose already-written lanes are kept by a mask.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Bytes of B kept hot per depth block.</summary>
    private const int DepthBlockBytes = 384 * 1024;

    /// <summary>Longest depth block: bounds the packed A tile (8 × 512 floats = 16 KiB, on the stack).</summary>
    private const int MaxDepthBlock = 512;

    /// <summary>
    /// Shortest depth block. Every depth block reads and writes the whole output once, so a wide output (784 → 4096, a
    /// sparse autoencoder's encoder) must not be cut into blocks of a few dozen: with 16 as the floor that product ran at
    /// 134 GFLOP/s, with 128 at 190 (bench compare --only gemm, batch 256, 1 thread; the 400-wide products, whose blocks
    /// are longer anyway, unchanged). The packed A panel stays within L2: rows × 128 floats is 512 KiB at 1024 rows.
    /// </summary>
    private const int MinDepthBlock = 128;

    internal static void BroadcastCore<TV, TS>(int rows, int cols, int depth, ReadOnlySpan<float> aSpan, int aRow, int aCol,
        ReadOnlySpan<float> bSpan, Span<float> outSpan, ReadOnlySpan<float> pSpan, float l1, float l2)
        where TV : struct where TS : ISimd<TV>
        => BroadcastCore<TV, TS>(rows, cols, depth, aSpan, aRow, aCol, bSpan, cols, 1, outSpan, default, pSpan, l1, l2);

    /// <summary>
    /// Out[r, c] = Σ_p A(r, p)·B(p, c) (+ bias[c]) (+ penalty epilogue), A(r, p) = a[r·aRow + p·aCol],
    /// B(p, c) = b[p·bRow + c·bCol]. Per depth block, A is packed once into row tiles [p][row]; B is read in place
    /// when its columns are contiguous (bCol = 1), else each strip of 1–2 vectors is packed [p][column] first.
    /// Loop order: column strip outside, row tiles inside, so the strip of B stays in L1 while every row tile uses it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BroadcastCore<TV, TS>(int rows, int cols, int depth, ReadOnlySpan<float> aSpan, int aRow, int aCol,
        ReadOnlySpan<float> bSpan, int bRow, int bCol, Span<float> outSpan, ReadOnlySpan<float> bias, ReadOnlySpan<float> pSpan, float l1, float l2,
        Span<float> update = default, float step = 0)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        int rowsPerTile = vc >= 16 ? 8 : 4;
        int tiles = (rows + rowsPerTile - 1) / rowsPerTile;
        int block = Math.Clamp(DepthBlockBytes / (4 * Math.Max(cols, 1)), MinDepthBlock, MaxDepthBlock);
        // Equal blocks (256 → 2 × 128, not 245 + 11): a short last block would pay a full pass over the output for
        // a few multiply-adds.
        int blocks = Math.Max(1, (depth + block - 1) / block);
        int stepDepth = Math.Max(1, (depth + blocks - 1) / blocks);
        int aPanel = tiles * rowsPerTile * stepDepth;
        // B strips are packed whenever they are read by several row tiles (contiguous, TLB-friendly) or are strided.
        bool packB = bCol != 1 || tiles > 1;
        float[] scratch = Scratch.Get(aPanel + (packB ? stepDepth * 2 * vc : 0));
        ref float pack = ref MemoryArrayRef(scratch);
        ref float bPack = ref Unsafe.Add(ref pack, aPanel);
        ref float a = ref MemoryMarshal.GetReference(aSpan);
        ref float b = ref MemoryMarshal.GetReference(bSpan);
        var k = new BroadcastKernel<TV, TS>(outSpan, pSpan, bias, l1, l2, cols, update, step);

        for (int p0 = 0; p0 < depth || (p0 == 0 && depth == 0); p0 += stepDepth)
        {
            int p1 = Math.Min(depth, p0 + stepDepth), n = p1 - p0;
            bool first = p0 == 0, last = p1 == depth;
            // Pack A: tile t holds rows [t·R, t·R + R) as [p][row]; rows past the end repeat the last real row.
            for (int t = 0; t < tiles; t++)
            {
                ref float dst = ref Unsafe.Add(ref pack, (nint)t * rowsPerTile * n);
                int r = t * rowsPerTile;
                if (aRow == 1 && r + rowsPerTile <= rows)
                {
                    // The tile's rows are adjacent in memory at each p (A = Dᵀ): one short vector copy per step.
                    ref float src = ref Unsafe.Add(ref a, (nint)r + (nint)p0 * aCol);
                    for (int p = 0; p < n; p++)
                    {
                        if (rowsPerTile == 8) Vector256.LoadUnsafe(ref Unsafe.Add(ref src, (nint)p * aCol)).StoreUnsafe(ref Unsafe.Add(ref dst, (nint)p * 8));
                        else Vector128.LoadUnsafe(ref Unsafe.Add(ref src, (nint)p * aCol)).StoreUnsafe(ref Unsafe.Add(ref dst, (nint)p * 4));
                    }
                    continue;
                }
                if (aCol == 1 && r + rowsPerTile <= rows)
                {
                    // Each row is contiguous in p: transpose whole blocks.
                    Transpose.Block(ref Unsafe.Add(ref a, (nint)r * aRow + p0), aRow, ref dst, rowsPerTile, rowsPerTile, n);
                    continue;
                }
                for (int j = 0; j < rowsPerTile; j++)
                {
                    ref float src = ref Unsafe.Add(ref a, (nint)Math.Min(r + j, rows - 1) * aRow + (nint)p0 * aCol);
                    for (int p = 0; p < n; p++) Unsafe.Add(ref dst, (nint)p * rowsPerTile + j) = Unsafe.Add(ref src, (nint)p * aCol);
                }
            }
            int c = 0;
            while (c < cols)
            {
                int vectors = c + 2 * vc <= cols ? 2 : 1;
                int cc = vectors == 2 ? c : Math.Min(c, cols - vc);
                int keepBelow = c - cc;
                ref float bp = ref Unsafe.Add(ref b, (nint)p0 * bRow + (nint)cc * bCol);
                nint bStride = bRow;
                if (packB)
                {
                    int w = vectors * vc;
                    if (bCol == 1)
                    {
                        // Contiguous columns: copy whole vectors, one row of the strip per step.
                        for (int p = 0; p < n; p++)
                        {
                            TS.Store(TS.Load(ref bp, (nint)p * bRow), ref bPack, (nint)p * w);
                            if (vectors == 2) TS.Store(TS.Load(ref bp, (nint)p * bRow + vc), ref bPack, (nint)p * w + vc);
                        }
                    }
                    else if (bRow == 1)
                    {
                        // B = Wᵀ: column j of the strip is row (c + j) of W, contiguous in p — transpose whole blocks.
                        Transpose.Block(ref bp, bCol, ref bPack, w, w, n);
                    }
                    else
                    {
                        for (int j = 0; j < w; j++)
                        {
                            ref float src = ref Unsafe.Add(ref bp, (nint)j * bCol);
                            for (int p = 0; p < n; p++) Unsafe.Add(ref bPack, (nint)p * w + j) = Unsafe.Add(ref src, (nint)p * bRow);
                        }
                    }
                    bp = ref bPack;
                    bStride = w;
                }
                for (int t = 0; t < tiles; t++)
                {
                    int r = t * rowsPerTile, rr = Math.Min(rowsPerTile, rows - r);
                    ref float ap = ref Unsafe.Add(ref pack, (nint)t * rowsPerTile * n);
                    if (rowsPerTile == 8) Tile8<TV, TS>(k, ref ap, ref bp, bStride, r, rr, cc, n, first, last, vectors, keepBelow);
                    else Tile4<TV, TS>(k, ref ap, ref bp, bStride, r, rr, cc, n, first, last, vectors, keepBelow);
                }
                c = cc + vectors * vc;
            }
            if (depth == 0) break;
        }
    }

    private static ref float MemoryArrayRef(float[] array) => ref MemoryMarshal.GetArrayDataReference(array);

    /// <summary>The output side of one broadcast-form product: store or accumulate, bias, penalty epilogue.</summary>
    private readonly ref struct BroadcastKernel<TV, TS> where TV : struct where TS : ISimd<TV>
    {
        private readonly ref float _out, _pen, _bias, _update;
        private readonly int _cols;
        private readonly bool _epilogue, _hasBias, _isUpdate;
        private readonly TV _l1, _l2, _step;

        public BroadcastKernel(Span<float> output, ReadOnlySpan<float> pen, ReadOnlySpan<float> bias, float l1, float l2, int cols, Span<float> update, float step)
        {
            _update = ref MemoryMarshal.GetReference(update);
            _isUpdate = !update.IsEmpty;
            _step = TS.Splat(step);
            _out = ref MemoryMarshal.GetReference(output);
            _pen = ref MemoryMarshal.GetReference(pen);
            _bias = ref MemoryMarshal.GetReference(bias);
            _hasBias = !bias.IsEmpty;
            _cols = cols;
            _epilogue = l1 != 0 || l2 != 0;
            _l1 = TS.Splat(l1); _l2 = TS.Splat(2 * l2);
        }

        /// <summary>Writes one vector of a finished (row, column) accumulator: store (plus bias) on the first depth
        /// block, add on later ones, then the epilogue on the last; lanes below <paramref name="keepBelow"/> were
        /// written by the previous, overlapping tile in this block and are kept.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(int row, int c, TV s, bool first, bool last, int keepBelow)
        {
            nint o = (nint)row * _cols + c;
            if (_isUpdate && last)
            {
                // SGD epilogue: the gradient is complete; apply it instead of storing it. Lanes below keepBelow belong to
                // the previous, overlapping tile, which has already updated them.
                UpdateOne<TV, TS>(ref _update, ref _pen, o, first ? s : TS.Add(TS.Load(ref _out, o), s), _epilogue, _l1, _l2, _step, keepBelow);
                return;
            }
            TV old = first && keepBelow == 0 ? TS.Zero : TS.Load(ref _out, o);
            TV v = first ? (_hasBias ? TS.Add(s, TS.Load(ref _bias, c)) : s) : TS.Add(old, s);
            if (last && _epilogue)
            {
                TV p = TS.Load(ref _pen, o);
                v = TS.MultiplyAdd(_l2, p, TS.MultiplyAdd(_l1, TS.Sign(p), v));
            }
            if (keepBelow > 0) v = TS.Select(TS.LanesFrom(keepBelow), v, old);
            TS.Store(v, ref _out, o);
        }
    }

    // The tiles read A from the packed tile and walk B with a ref bumped by one row per step: all in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile8<TV, TS>(in BroadcastKernel<TV, TS> k, ref float ap, ref float bp, nint bStride, int r, int rr, int c, int depth, bool first, bool last, int vectors, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        TV s00 = TS.Zero, s01 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s20 = TS.Zero, s21 = TS.Zero, s30 = TS.Zero, s31 = TS.Zero, s40 = TS.Zero, s41 = TS.Zero, s50 = TS.Zero, s51 = TS.Zero, s60 = TS.Zero, s61 = TS.Zero, s70 = TS.Zero, s71 = TS.Zero;
        if (vectors == 2)
        {
            for (nint p = 0; p < depth; p++)
            {
                nint ao = p * 8;
                TV b0 = TS.Load(ref bp, 0), b1 = TS.Load(ref bp, vc), av;
                av = TS.Splat(Unsafe.Add(ref ap, ao + 0)); s00 = TS.MultiplyAdd(av, b0, s00); s01 = TS.MultiplyAdd(av, b1, s01);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 1)); s10 = TS.MultiplyAdd(av, b0, s10); s11 = TS.MultiplyAdd(av, b1, s11);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 2)); s20 = TS.MultiplyAdd(av, b0, s20); s21 = TS.MultiplyAdd(av, b1, s21);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 3)); s30 = TS.MultiplyAdd(av, b0, s30); s31 = TS.MultiplyAdd(av, b1, s31);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 4)); s40 = TS.MultiplyAdd(av, b0, s40); s41 = TS.MultiplyAdd(av, b1, s41);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 5)); s50 = TS.MultiplyAdd(av, b0, s50); s51 = TS.MultiplyAdd(av, b1, s51);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 6)); s60 = TS.MultiplyAdd(av, b0, s60); s61 = TS.MultiplyAdd(av, b1, s61);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 7)); s70 = TS.MultiplyAdd(av, b0, s70); s71 = TS.MultiplyAdd(av, b1, s71);
                bp = ref Unsafe.Add(ref bp, bStride);
            }
        }
        else
        {
            for (nint p = 0; p < depth; p++)
            {
                nint ao = p * 8;
                TV b0 = TS.Load(ref bp, 0);
                s00 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 0)), b0, s00);
                s10 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 1)), b0, s10);
                s20 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 2)), b0, s20);
                s30 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 3)), b0, s30);
                s40 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 4)), b0, s40);
                s50 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 5)), b0, s50);
                s60 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 6)), b0, s60);
                s70 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 7)), b0, s70);
                bp = ref Unsafe.Add(ref bp, bStride);
            }
        }
        Put2(k, r, c, s00, s01, first, last, vectors, keepBelow);
        if (rr > 1) Put2(k, r + 1, c, s10, s11, first, last, vectors, keepBelow);
        if (rr > 2) Put2(k, r + 2, c, s20, s21, first, last, vectors, keepBelow);
        if (rr > 3) Put2(k, r + 3, c, s30, s31, first, last, vectors, keepBelow);
        if (rr > 4) Put2(k, r + 4, c, s40, s41, first, last, vectors, keepBelow);
        if (rr > 5) Put2(k, r + 5, c, s50, s51, first, last, vectors, keepBelow);
        if (rr > 6) Put2(k, r + 6, c, s60, s61, first, last, vectors, keepBelow);
        if (rr > 7) Put2(k, r + 7, c, s70, s71, first, last, vectors, keepBelow);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4<TV, TS>(in BroadcastKernel<TV, TS> k, ref float ap, ref float bp, nint bStride, int r, int rr, int c, int depth, bool first, bool last, int vectors, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        int vc = TS.Count;
        TV s00 = TS.Zero, s01 = TS.Zero, s10 = TS.Zero, s11 = TS.Zero, s20 = TS.Zero, s21 = TS.Zero, s30 = TS.Zero, s31 = TS.Zero;
        if (vectors == 2)
        {
            for (nint p = 0; p < depth; p++)
            {
                nint ao = p * 4;
                TV b0 = TS.Load(ref bp, 0), b1 = TS.Load(ref bp, vc), av;
                av = TS.Splat(Unsafe.Add(ref ap, ao + 0)); s00 = TS.MultiplyAdd(av, b0, s00); s01 = TS.MultiplyAdd(av, b1, s01);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 1)); s10 = TS.MultiplyAdd(av, b0, s10); s11 = TS.MultiplyAdd(av, b1, s11);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 2)); s20 = TS.MultiplyAdd(av, b0, s20); s21 = TS.MultiplyAdd(av, b1, s21);
                av = TS.Splat(Unsafe.Add(ref ap, ao + 3)); s30 = TS.MultiplyAdd(av, b0, s30); s31 = TS.MultiplyAdd(av, b1, s31);
                bp = ref Unsafe.Add(ref bp, bStride);
            }
        }
        else
        {
            for (nint p = 0; p < depth; p++)
            {
                nint ao = p * 4;
                TV b0 = TS.Load(ref bp, 0);
                s00 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 0)), b0, s00);
                s10 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 1)), b0, s10);
                s20 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 2)), b0, s20);
                s30 = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref ap, ao + 3)), b0, s30);
                bp = ref Unsafe.Add(ref bp, bStride);
            }
        }
        Put2(k, r, c, s00, s01, first, last, vectors, keepBelow);
        if (rr > 1) Put2(k, r + 1, c, s10, s11, first, last, vectors, keepBelow);
        if (rr > 2) Put2(k, r + 2, c, s20, s21, first, last, vectors, keepBelow);
        if (rr > 3) Put2(k, r + 3, c, s30, s31, first, last, vectors, keepBelow);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put2<TV, TS>(in BroadcastKernel<TV, TS> k, int row, int c, TV s0, TV s1, bool first, bool last, int vectors, int keepBelow)
        where TV : struct where TS : ISimd<TV>
    {
        k.Put(row, c, s0, first, last, keepBelow);
        if (vectors == 2) k.Put(row, c + TS.Count, s1, first, last, 0);
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
