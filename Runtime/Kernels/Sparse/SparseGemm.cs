using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The products of a layer whose output A [rows, units] holds exact zeros (ReLU, TopK, JumpReLU codes), computed over
/// its active entries only (an <see cref="ActiveSet"/> built by <see cref="BuildActive"/>): the next layer's forward
/// product, this layer's delta at the active entries, and both weight gradients with the penalty and fused-SGD variants
/// of <c>Gemm.DtX</c> and <c>Gemm.DtXSgd</c>. Weights keep PyTorch's <c>[out, in]</c> layout (the
/// checkpoint's, and what the optimizer updates): no transposed copy is kept between calls; the products that read
/// W_next's columns pack a panel of it at a time instead (see docs/sparse-kernels.md for the layouts and the measured
/// dense/sparse switch point).
/// Each result equals the dense kernel's up to the order of summation: the same terms, without the zero ones.
/// Work is split across a pool by output ranges only, so results are bit-identical for any thread count.
/// float32 only; a float64 model keeps the dense kernels.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class SparseGemm
{
    /// <summary>
    /// The switch rule, measured (bench <c>sparse-switch</c>, bench/RESULTS.md): true when a batch's code is sparse
    /// enough that every sparse product beats its dense kernel — fewer than one entry in eight active
    /// (<paramref name="active"/> &lt; rows·units / 8, density &lt; 12.5 %). Measured on AVX-512 (Zen 5, 2 cores) at
    /// batch 256 for 784→1024→784 and 784→4096→784 on 1 and 2 threads, each product's crossover lay between 14 % and
    /// 30 % and a whole step's (lists + the four products) between 18.5 % and 23.5 %; 12.5 % stays below all of them,
    /// and in the band it gives up the products run within 1.0–1.3× of each other. One rule for all the products of a
    /// layer, so a step makes one decision per batch after <see cref="BuildActive"/>.
    /// </summary>
    public static bool PreferSparse(int rows, int units, int active) => (long)active * 8 < (long)rows * units;

    /// <summary>
    /// Forward through the next layer: Y[b, o] = bias[o] + Σ_{j active in row b} A[b, j]·W[o, j], with W [n, units]
    /// row-major and Y [rows, n]; each sum starts from the bias and adds row b's entries in ascending unit order, each
    /// term one fused multiply-add. Equal to <c>Gemm.XWt(rows, n, units, A, W, bias, Y)</c> up to summation order. With a
    /// pool, the outputs are split across threads in panels of 32 (16 on 256-bit vectors).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActiveXWt(int rows, int n, int units, in ActiveSet active, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, WorkerPool? pool = null)
    {
        CheckShape(active, rows, units);
        Check(w.Length, (long)n * units, nameof(w)); Check(bias.Length, n, nameof(bias)); Check(y.Length, (long)rows * n, nameof(y));
        if (rows == 0 || n == 0) return;
        int width = Width.Pick(n);
        if (width == 0 || units == 0) { ActiveXWtScalar(n, units, active, w, bias, y); return; }
        int panels = Panels(n, PanelWidth(n, VectorCount(width)));
        long work = (long)active.Count * n + (long)units * n;
        if (pool is not null && panels >= 2 && work >= ParallelWork)
            Run(pool, Product.Forward, rows, n, units, active, w, bias, y, default, default, default, 0, 0, 0);
        else
            ActiveXWtPart(width, n, units, active, w, bias, y, 0, panels);
    }

    /// <summary>
    /// This layer's delta at its active entries: δ_k = f′_k · Σ_o D[b, o]·W[o, j] for each entry k = (b, j), with D the
    /// next layer's delta [rows, n] and W its weights [n, units]. <paramref name="delta"/> receives the values aligned
    /// with the entries (at least <see cref="ActiveSet.Count"/> floats) — the form <see cref="ActiveDtX"/> reads.
    /// <paramref name="derivative"/> is f′ aligned with the entries, or empty when it is 1 at every active entry (ReLU,
    /// TopK and JumpReLU codes); inactive entries need none (f′ = 0 or masked off). <paramref name="dense"/>, when not
    /// empty, also receives δ as a dense [rows, units] matrix, zeros elsewhere (for a dense bias gradient or a dense
    /// consumer). Equal to (D·W) ⊙ f′ at those entries up to summation order. With a pool, rows are split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DWAtActive(int rows, int n, int units, in ActiveSet active, ReadOnlySpan<float> d, ReadOnlySpan<float> w,
        ReadOnlySpan<float> derivative, Span<float> delta, Span<float> dense, WorkerPool? pool = null)
    {
        CheckShape(active, rows, units);
        Check(d.Length, (long)rows * n, nameof(d)); Check(w.Length, (long)n * units, nameof(w));
        int count = active.Count;
        Check(delta.Length, count, nameof(delta));
        if (!derivative.IsEmpty) Check(derivative.Length, count, nameof(derivative));
        if (!dense.IsEmpty) Check(dense.Length, (long)rows * units, nameof(dense));
        if (rows == 0) return;
        int width = Width.Pick(n);
        if (width == 0 || n == 0) { DWAtActiveScalar(n, units, active, d, w, derivative, delta, dense); return; }
        long work = (long)count * n + (long)units * n;
        if (pool is not null && rows >= 2 && work >= ParallelWork)
            Run(pool, Product.Delta, rows, n, units, active, w, default, delta, d, derivative, dense, 0, 0, 0);
        else
            DWAtActivePart(width, n, units, active, d, w, derivative, delta, dense, 0, rows);
    }

    /// <summary>
    /// The next layer's weight gradient: G[o, j] = Σ_{b: j active in row b} D[b, o]·A[b, j] + l1·sign(W[o, j]) +
    /// 2·l2·W[o, j] for every (o, j) — the penalty terms apply to every weight, active column or not — with D [rows, n],
    /// G and W [n, units] (W may be empty when l1 = l2 = 0). Overwrites G. Each sum adds unit j's entries in ascending
    /// row order, fused; the penalty is the dense kernels' epilogue. Equal to <c>Gemm.DtX(rows, n, units, D, A, G, W,
    /// l1, l2)</c> up to summation order. With a pool, the rows of G are split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DtActive(int rows, int n, int units, ReadOnlySpan<float> d, in ActiveSet active, Span<float> g, ReadOnlySpan<float> w, float l1, float l2, WorkerPool? pool = null)
    {
        CheckShape(active, rows, units);
        Check(d.Length, (long)rows * n, nameof(d)); Check(g.Length, (long)n * units, nameof(g));
        if (l1 != 0 || l2 != 0) Check(w.Length, (long)n * units, nameof(w));
        DtActiveRun(rows, n, units, d, active, g, w, l1, l2, false, 0, pool);
    }

    /// <summary>
    /// SGD fused with <see cref="DtActive"/>: W ← W − lr·(Dᵀ·A + l1·sign(W) + 2·l2·W), each weight updated as
    /// (g + penalty)·(−lr) + w once its gradient is complete — bit for bit <see cref="DtActive"/> followed by
    /// <c>Sgd.Step</c>, and the same contract as <c>Gemm.DtXSgd</c> (no scratch needed). Weights of units without an
    /// active entry in the batch change only by their penalty (not at all without one, and are then not touched).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DtActiveSgd(int rows, int n, int units, ReadOnlySpan<float> d, in ActiveSet active, Span<float> w, float l1, float l2, float lr, WorkerPool? pool = null)
    {
        CheckShape(active, rows, units);
        Check(d.Length, (long)rows * n, nameof(d)); Check(w.Length, (long)n * units, nameof(w));
        DtActiveRun(rows, n, units, d, active, w, w, l1, l2, true, -lr, pool);
    }

    /// <summary>
    /// This layer's weight gradient from its sparse delta: G[j, c] = Σ_{b: j active in row b} δ[b, j]·X[b, c] +
    /// l1·sign(W[j, c]) + 2·l2·W[j, c] for every (j, c), with δ the values aligned with the entries (as
    /// <see cref="DWAtActive"/> writes them), X [rows, k], G and W [units, k] (W may be empty when l1 = l2 = 0).
    /// Overwrites G. Each sum adds unit j's entries in ascending row order, fused. Equal to <c>Gemm.DtX(rows, units, k,
    /// δ, X, G, W, l1, l2)</c> up to summation order. With a pool, the rows of G (units) are split across threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActiveDtX(int rows, int units, int k, in ActiveSet active, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> g, ReadOnlySpan<float> w, float l1, float l2, WorkerPool? pool = null)
    {
        CheckShape(active, rows, units);
        Check(delta.Length, active.Count, nameof(delta)); Check(x.Length, (long)rows * k, nameof(x)); Check(g.Length, (long)units * k, nameof(g));
        if (l1 != 0 || l2 != 0) Check(w.Length, (long)units * k, nameof(w));
        ActiveDtXRun(rows, units, k, active, delta, x, g, w, l1, l2, false, 0, pool);
    }

    /// <summary>
    /// SGD fused with <see cref="ActiveDtX"/>: W ← W − lr·(δᵀ·X + l1·sign(W) + 2·l2·W), bit for bit
    /// <see cref="ActiveDtX"/> followed by <c>Sgd.Step</c> (the contract of <c>Gemm.DtXSgd</c>, no scratch needed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ActiveDtXSgd(int rows, int units, int k, in ActiveSet active, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> w, float l1, float l2, float lr, WorkerPool? pool = null)
    {
        CheckShape(active, rows, units);
        Check(delta.Length, active.Count, nameof(delta)); Check(x.Length, (long)rows * k, nameof(x)); Check(w.Length, (long)units * k, nameof(w));
        ActiveDtXRun(rows, units, k, active, delta, x, w, w, l1, l2, true, -lr, pool);
    }

    private static void DtActiveRun(int rows, int n, int units, ReadOnlySpan<float> d, in ActiveSet active, Span<float> output, ReadOnlySpan<float> pen,
        float l1, float l2, bool update, float step, WorkerPool? pool)
    {
        if (n == 0 || units == 0) return;
        int width = Width.Pick(Math.Min(n, units));
        if (width == 0) { DtActiveScalar(n, units, d, active, output, pen, l1, l2, update, step); return; }
        int panels = Panels(n, VectorCount(width));
        long work = (long)active.Count * n + (long)units * n;
        if (pool is not null && panels >= 2 && work >= ParallelWork)
            Run(pool, Product.WeightNext, rows, n, units, active, pen, default, output, d, default, default, l1, l2, step, update);
        else
            DtActivePart(width, n, units, d, active, output, pen, l1, l2, update, step, 0, panels);
    }

    private static void ActiveDtXRun(int rows, int units, int k, in ActiveSet active, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> output, ReadOnlySpan<float> pen,
        float l1, float l2, bool update, float step, WorkerPool? pool)
    {
        if (units == 0 || k == 0) return;
        int width = Width.Pick(k);
        if (width == 0) { ActiveDtXScalar(units, k, active, delta, x, output, pen, l1, l2, update, step); return; }
        long work = (long)active.Count * k + (long)units * k;
        if (pool is not null && units >= 2 && work >= ParallelWork)
            Run(pool, Product.Weight, rows, units, k, active, pen, default, output, x, delta, default, l1, l2, step, update);
        else
            ActiveDtXPart(width, k, active, delta, x, output, pen, l1, l2, update, step, 0, units);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Width dispatch of one share.
    // ---------------------------------------------------------------------------------------------------------

    private static int VectorCount(int width) => width / 32;

    private static void ActiveXWtPart(int width, int n, int units, in ActiveSet s, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int p0, int p1)
    {
        switch (width)
        {
            case 512: ActiveXWtCore<Vector512<float>, V512>(n, units, s, w, bias, y, p0, p1); break;
            case 256: ActiveXWtCore<Vector256<float>, V256>(n, units, s, w, bias, y, p0, p1); break;
            default: ActiveXWtCore<Vector128<float>, V128>(n, units, s, w, bias, y, p0, p1); break;
        }
    }

    private static void DWAtActivePart(int width, int n, int units, in ActiveSet s, ReadOnlySpan<float> d, ReadOnlySpan<float> w, ReadOnlySpan<float> derivative,
        Span<float> delta, Span<float> dense, int b0, int b1)
    {
        switch (width)
        {
            case 512: DWAtActiveCore<Vector512<float>, V512>(n, units, s, d, w, derivative, delta, dense, b0, b1); break;
            case 256: DWAtActiveCore<Vector256<float>, V256>(n, units, s, d, w, derivative, delta, dense, b0, b1); break;
            default: DWAtActiveCore<Vector128<float>, V128>(n, units, s, d, w, derivative, delta, dense, b0, b1); break;
        }
    }

    private static void DtActivePart(int width, int n, int units, ReadOnlySpan<float> d, in ActiveSet s, Span<float> output, ReadOnlySpan<float> pen,
        float l1, float l2, bool update, float step, int p0, int p1)
    {
        switch (width)
        {
            case 512: DtActiveCore<Vector512<float>, V512>(n, units, d, s, output, pen, l1, l2, update, step, p0, p1); break;
            case 256: DtActiveCore<Vector256<float>, V256>(n, units, d, s, output, pen, l1, l2, update, step, p0, p1); break;
            default: DtActiveCore<Vector128<float>, V128>(n, units, d, s, output, pen, l1, l2, update, step, p0, p1); break;
        }
    }

    private static void ActiveDtXPart(int width, int k, in ActiveSet s, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> output, ReadOnlySpan<float> pen,
        float l1, float l2, bool update, float step, int j0, int j1)
    {
        switch (width)
        {
            case 512: ActiveDtXCore<Vector512<float>, V512>(k, s, delta, x, output, pen, l1, l2, update, step, j0, j1); break;
            case 256: ActiveDtXCore<Vector256<float>, V256>(k, s, delta, x, output, pen, l1, l2, update, step, j0, j1); break;
            default: ActiveDtXCore<Vector128<float>, V128>(k, s, delta, x, output, pen, l1, l2, update, step, j0, j1); break;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Threading: one contiguous range of output panels, rows or units per thread; the job lives on the caller's stack.
    // ---------------------------------------------------------------------------------------------------------

    /// <summary>Below this many multiply-adds (entries × outputs, plus the packing) a product runs on one thread.</summary>
    private const long ParallelWork = 1L << 18;

    private enum Product { Forward, Delta, WeightNext, Weight }

    private unsafe struct Job
    {
        public Product Product;
        public int Rows, N, Units, Width;
        public int* RowStart, Columns, UnitStart, UnitRows, UnitEntries;
        public float* Values;
        public int Cells;
        public float* W, Bias, Out, In, Aligned, Dense;
        public int WLength, BiasLength, OutLength, InLength, AlignedLength, DenseLength;
        public float L1, L2, Step;
        public bool Update;
    }

    // The spans' roles per product — Forward: w = W, bias, output = Y. Delta: w = W, output = δ (aligned), input = D,
    // aligned = f′, dense. WeightNext: w = the penalty source, output = G or W, input = D. Weight: w = the penalty
    // source, output = G or W, input = X, aligned = δ.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run(WorkerPool pool, Product product, int rows, int n, int units, in ActiveSet s, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> output, ReadOnlySpan<float> input, ReadOnlySpan<float> aligned, Span<float> dense, float l1, float l2, float step, bool update = false)
    {
        // Weight passes (rows, this layer's units, k) as (rows, n, units): its vectors run along k.
        int width = product switch
        {
            Product.WeightNext => Width.Pick(Math.Min(n, units)),
            Product.Weight => Width.Pick(units),
            _ => Width.Pick(n),
        };
        fixed (int* rs = s.RowStart, cols = s.Columns, us = s.UnitStart, ur = s.UnitRows, ue = s.UnitEntries)
        fixed (float* vals = s.Values, pw = w, pb = bias, po = output, pi = input, pa = aligned, pd = dense)
        {
            var job = new Job
            {
                Product = product, Rows = rows, N = n, Units = units, Width = width,
                RowStart = rs, Columns = cols, UnitStart = us, UnitRows = ur, UnitEntries = ue, Values = vals, Cells = s.Columns.Length,
                W = pw, Bias = pb, Out = po, In = pi, Aligned = pa, Dense = pd,
                WLength = w.Length, BiasLength = bias.Length, OutLength = output.Length, InLength = input.Length, AlignedLength = aligned.Length, DenseLength = dense.Length,
                L1 = l1, L2 = l2, Step = step, Update = update,
            };
            pool.Run(&RunPart, &job);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunPart(void* state, int part, int parts)
    {
        ref Job j = ref *(Job*)state;
        var s = new ActiveSet(j.Rows, j.Product == Product.Weight ? j.N : j.Units,
            new Span<int>(j.RowStart, j.Rows + 1), new Span<int>(j.Columns, j.Cells), new Span<float>(j.Values, j.Cells),
            new Span<int>(j.UnitStart, (j.Product == Product.Weight ? j.N : j.Units) + 1), new Span<int>(j.UnitRows, j.Cells), new Span<int>(j.UnitEntries, j.Cells));
        var w = new ReadOnlySpan<float>(j.W, j.WLength);
        var output = new Span<float>(j.Out, j.OutLength);
        var input = new ReadOnlySpan<float>(j.In, j.InLength);
        var aligned = new ReadOnlySpan<float>(j.Aligned, j.AlignedLength);
        int vc = VectorCount(j.Width);
        switch (j.Product)
        {
            case Product.Forward:
            {
                Share(Panels(j.N, PanelWidth(j.N, vc)), part, parts, out int p0, out int p1);
                if (p0 < p1) ActiveXWtPart(j.Width, j.N, j.Units, s, w, new ReadOnlySpan<float>(j.Bias, j.BiasLength), output, p0, p1);
                break;
            }
            case Product.Delta:
            {
                Share(j.Rows, part, parts, out int b0, out int b1);
                if (b0 < b1) DWAtActivePart(j.Width, j.N, j.Units, s, input, w, aligned, output, new Span<float>(j.Dense, j.DenseLength), b0, b1);
                break;
            }
            case Product.WeightNext:
            {
                Share(Panels(j.N, vc), part, parts, out int p0, out int p1);
                if (p0 < p1) DtActivePart(j.Width, j.N, j.Units, input, s, output, w, j.L1, j.L2, j.Update, j.Step, p0, p1);
                break;
            }
            default:
            {
                // Weight: N is this layer's units, Units is k (the input width).
                Share(j.N, part, parts, out int u0, out int u1);
                if (u0 < u1) ActiveDtXPart(j.Width, j.Units, s, aligned, input, output, w, j.L1, j.L2, j.Update, j.Step, u0, u1);
                break;
            }
        }
    }

    /// <summary>Part <paramref name="part"/>'s contiguous share [i0, i1) of <paramref name="count"/> items.</summary>
    private static void Share(int count, int part, int parts, out int i0, out int i1)
    {
        int per = (int)(((long)count + parts - 1) / parts);
        i0 = (int)Math.Min((long)part * per, count);
        i1 = (int)Math.Min((long)i0 + per, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int actual, long expected, string name)
    {
        if (actual < expected || expected < 0) ThrowHelper.KernelSpan(name, expected, actual);
    }

    private static void CheckShape(in ActiveSet s, int rows, int units)
    {
        if (s.Rows != rows || s.Units != units) ThrowHelper.ActiveSetShape(s.Rows, s.Units, rows, units);
    }
}

public static partial class ThrowHelper
{
    /// <summary>An <see cref="ActiveSet"/> listed for another shape than the kernel was given.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ActiveSetShape(int rows, int units, int expectedRows, int expectedUnits)
        => throw new ArgumentException(string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "the active set lists a [{0}, {1}] matrix; the kernel was given [{2}, {3}].", rows, units, expectedRows, expectedUnits), "active");
}
