using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// Every product at every thread count, on this 2-core machine (the pool must not assume threads ≤ cores): shapes
/// around every split threshold — output widths 1 … 3·16 + 1, row counts around the 8-row and 16-row steps, single-row
/// products whose column split leaves a short or empty last share — each bit-identical to one thread. And the pool
/// itself: an exception in any part is rethrown on the caller after every part has finished.
/// </summary>
public class ThreadSplitTests
{
    private static readonly int[] ThreadCounts = [2, 3, 5, 8, 16];

    private static float[] Rand(int n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>(m, n, k): n (the output width) from 1 to 49, m around the row steps, k chosen so m·n·k passes the split threshold (2¹⁹).</summary>
    public static TheoryData<int, int, int> RowSplitShapes()
    {
        var data = new TheoryData<int, int, int>();
        int[] widths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49];
        int[] rows = [16, 17, 23, 24, 25, 63, 64, 65, 130];
        int i = 0;
        foreach (int n in widths)
            foreach (int m in rows)
            {
                if (i++ % 3 != 0) continue; // a third of the grid, spread over every width and every row count
                int k = (int)((1L << 19) / ((long)m * n)) + 3;
                if ((long)m * k > 4_000_000) continue;
                data.Add(m, n, k);
            }
        data.Add(17, 16, 2000);
        data.Add(16, 49, 700);
        data.Add(200, 1, 3000);
        return data;
    }

    [Theory, MemberData(nameof(RowSplitShapes))]
    public void Products_split_on_rows_are_bit_identical_to_one_thread_at_any_thread_count(int m, int n, int k)
    {
        float[] x = Rand(m * k, 1), w = Rand(n * k, 2), b = Rand(n, 3), d = Rand(m * n, 4);
        float[] y1 = new float[m * n], z1 = new float[m * k], g1 = new float[n * k], u1 = (float[])w.Clone();
        Gemm.XWt(m, n, k, x, w, b, y1);
        Gemm.XW(m, n, k, d, w, z1);
        Gemm.DtX(m, n, k, d, x, g1, w, 0.3f, 0.2f);
        Gemm.DtXSgd(m, n, k, d, x, u1, new float[n * k], 0.3f, 0.2f, 0.1f);
        foreach (int threads in ThreadCounts)
        {
            WorkerPool? pool = WorkerPool.ForThreads(threads);
            float[] y = new float[m * n], z = new float[m * k], g = new float[n * k], u = (float[])w.Clone();
            Gemm.XWt(m, n, k, x, w, b, y, pool);
            Approx.SameBits(y1, y, $"XWt {m}×{n}×{k}, {threads} threads");
            Gemm.XW(m, n, k, d, w, z, pool);
            Approx.SameBits(z1, z, $"XW {m}×{n}×{k}, {threads} threads");
            Gemm.DtX(m, n, k, d, x, g, w, 0.3f, 0.2f, pool);
            Approx.SameBits(g1, g, $"DtX {m}×{n}×{k}, {threads} threads");
            Gemm.DtXSgd(m, n, k, d, x, u, new float[n * k], 0.3f, 0.2f, 0.1f, pool);
            Approx.SameBits(u1, u, $"DtXSgd {m}×{n}×{k}, {threads} threads");
        }
    }

    /// <summary>Single-row products split on their output columns in steps of 16: widths whose last share is short, or empty.</summary>
    public static TheoryData<int, int> ColumnSplitShapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int n in new[] { 32, 33, 47, 48, 49, 63, 64, 65, 97, 127, 128, 129, 130, 131, 143, 145, 257, 400, 784 })
            data.Add(n, Math.Max(128, (int)((1 << 16) / n) + 5));
        return data;
    }

    [Theory, MemberData(nameof(ColumnSplitShapes))]
    public void Single_row_products_split_on_columns_are_bit_identical_to_one_thread_at_any_thread_count(int n, int k)
    {
        // Forward: n outputs from k inputs. Backward to the inputs (Y = D·W): k outputs from n deltas — so both the
        // forward split (on n) and the backward split (on k) meet the same awkward widths.
        float[] x = Rand(k, 11), w = Rand(n * k, 12), b = Rand(n, 13), d = Rand(n, 14);
        float[] wt = Rand(k * n, 15), dt = Rand(k, 16);
        float[] y1 = new float[n], z1 = new float[k], y1t = new float[k], z1t = new float[n];
        Gemm.XWt(1, n, k, x, w, b, y1);
        Gemm.XW(1, n, k, d, w, z1);
        Gemm.XWt(1, k, n, d, wt, x.AsSpan(0, k), y1t);
        Gemm.XW(1, k, n, dt, wt, z1t);
        foreach (int threads in ThreadCounts)
        {
            WorkerPool? pool = WorkerPool.ForThreads(threads);
            float[] y = new float[n], z = new float[k], yt = new float[k], zt = new float[n];
            Gemm.XWt(1, n, k, x, w, b, y, pool);
            Approx.SameBits(y1, y, $"XWt 1×{n}×{k}, {threads} threads");
            Gemm.XW(1, n, k, d, w, z, pool);
            Approx.SameBits(z1, z, $"XW 1×{n}×{k}, {threads} threads");
            Gemm.XWt(1, k, n, d, wt, x.AsSpan(0, k), yt, pool);
            Approx.SameBits(y1t, yt, $"XWt 1×{k}×{n}, {threads} threads");
            Gemm.XW(1, k, n, dt, wt, zt, pool);
            Approx.SameBits(z1t, zt, $"XW 1×{k}×{n}, {threads} threads");
        }
    }

    [Fact]
    public void Thread_counts_above_64_are_refused_and_below_2_need_no_pool()
    {
        Assert.Null(WorkerPool.ForThreads(1));
        Assert.Equal(64, WorkerPool.ForThreads(64)!.Threads);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.ForThreads(65));
        Assert.Contains("65", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.ForThreads(0));
    }

    private sealed class PartFailure(int part) : Exception("part " + part.ToString(System.Globalization.CultureInfo.InvariantCulture) + " failed")
    {
        public int Part { get; } = part;
    }

    private unsafe struct Probe
    {
        public int Failing;
        public int* Finished;
        public int DelayMs;
    }

    private static unsafe void ProbeWork(void* state, int part, int parts)
    {
        ref Probe p = ref *(Probe*)state;
        if (part == p.Failing) throw new PartFailure(part);
        if (p.DelayMs > 0) System.Threading.Thread.Sleep(p.DelayMs);
        System.Threading.Interlocked.Increment(ref *p.Finished);
    }

    [Theory]
    [InlineData(3, 0)] // the caller's own part throws: the workers must still be waited for
    [InlineData(3, 2)] // a worker's part throws: the process must survive and the caller see the exception
    [InlineData(8, 5)]
    [InlineData(16, 0)]
    public unsafe void An_exception_in_any_part_is_rethrown_on_the_caller_after_every_other_part_finished(int threads, int failing)
    {
        WorkerPool pool = WorkerPool.ForThreads(threads)!;
        int finished = 0;
        var probe = new Probe { Failing = failing, Finished = &finished, DelayMs = 30 };
        PartFailure? e = null;
        try
        {
            pool.Run(&ProbeWork, &probe);
        }
        catch (PartFailure caught)
        {
            e = caught;
        }
        Assert.NotNull(e);
        Assert.Equal(failing, e.Part);
        // Every other part ran to its end before Run returned (the job lived on this stack frame).
        Assert.Equal(threads - 1, System.Threading.Volatile.Read(ref finished));

        // And the pool is usable afterwards.
        finished = 0;
        probe = new Probe { Failing = -1, Finished = &finished };
        pool.Run(&ProbeWork, &probe);
        Assert.Equal(threads, finished);
    }
}

/// <summary>
/// Whole models at any thread count: a model whose widths sit around every split step trains and predicts at 1, 2, 3, 5,
/// 8 and 16 threads on this 2-core machine, bit-identical to one thread (the 8-thread, 130-unit case killed the process).
/// </summary>
[Collection(nameof(Alone))]
public class ModelThreadCountTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(64)]
    public void Training_and_prediction_are_bit_identical_at_every_thread_count(int batch)
    {
        var r = new Random(batch);
        float[] x = Enumerable.Range(0, batch * 700).Select(_ => (float)r.NextDouble()).ToArray();
        float[] t = Enumerable.Range(0, batch * 33).Select(_ => (float)r.NextDouble()).ToArray();
        float[]? parameters = null, outputs = null;
        foreach (int threads in new[] { 1, 2, 3, 5, 8, 16 })
        {
            var m = new Models.AwkwardWidths(64, 3) { Threads = threads };
            for (int step = 0; step < 2; step++) m.TrainStep(x, t, batch);
            m.ComputeGradients(x, t, batch);
            var y = new float[batch * 33];
            m.Predict(x, y, batch);
            float[] p = m.Parameters.ToArray().Concat(m.Gradients.ToArray()).ToArray();
            if (parameters is null)
            {
                parameters = p;
                outputs = y;
                continue;
            }
            Approx.SameBits(parameters, p, $"parameters and gradients, {threads} threads, batch {batch}");
            Approx.SameBits(outputs, y, $"outputs, {threads} threads, batch {batch}");
        }
    }
}
