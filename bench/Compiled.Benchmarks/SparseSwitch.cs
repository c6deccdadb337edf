using System.Diagnostics;
using Compiled.Kernels;

namespace Compiled.Benchmarks;

/// <summary>
/// Dense against sparse for every product that reads a sparse code A [batch, units] or its delta (issue 18), at
/// densities 0.5 %–60 %, for 784→1024→784 and 784→4096→784 at batch 256, on 1 and 2 threads, and the crossover density
/// per product (where the sparse kernel stops being faster, interpolated between the measured densities).
/// Each row pattern is TopK-like: exactly round(density·units) active units per row, at uniform random positions.
/// Timing: each variant calibrated to ≥ 4 ms per batch of calls, then 5 rounds alternating dense and sparse, medians.
/// <c>dotnet run -c Release --project bench/Compiled.Benchmarks -- sparse-switch [--threads "1 2"] [--units "1024 4096"] [--rounds 5]</c>
/// </summary>
public static class SparseSwitch
{
    private static readonly double[] Densities = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6];

    private static readonly string[] Products =
    [
        "forward  Y = A·W_nextᵀ + b",
        "delta    δ = (δ_next·W_next) at active",
        "∂W_next  = δ_nextᵀ·A (DtX)",
        "∂W_next  fused SGD (DtXSgd)",
        "∂W       = δᵀ·X (DtX)",
        "∂W       fused SGD (DtXSgd)",
    ];

    public static void Run(string[] args)
    {
        int[] threadCounts = Option(args, "--threads", "1 2");
        int[] unitCounts = Option(args, "--units", "1024 4096");
        int rounds = Option(args, "--rounds", "5")[0];
        const int batch = 256, inputs = 784, outputs = 784;
        Console.WriteLine($"sparse-switch: batch {batch}, {inputs}→units→{outputs}, {rounds} alternating rounds, medians (ms per call)");
        foreach (int units in unitCounts)
            foreach (int threads in threadCounts)
                Shape(batch, inputs, units, outputs, threads, rounds);
    }

    private static int[] Option(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        string text = i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    }

    private static void Shape(int batch, int inputs, int units, int outputs, int threads, int rounds)
    {
        WorkerPool? pool = WorkerPool.ForThreads(threads);
        var rng = new Random(1);
        float[] Rand(int n, float scale) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale; return a; }
        float[] x = Rand(batch * inputs, 1), w = Rand(units * inputs, 0.05f), wNext = Rand(outputs * units, 0.05f), bias = Rand(outputs, 0.1f);
        float[] dNext = Rand(batch * outputs, 0.01f), y = new float[batch * outputs], full = new float[batch * units];
        float[] gNext = new float[outputs * units], g = new float[units * inputs], scratchNext = new float[outputs * units], scratch = new float[units * inputs];
        float[] wNextCopy = (float[])wNext.Clone(), wCopy = (float[])w.Clone();
        int[] ints = new int[ActiveSet.IntsLength(batch, units)];
        float[] values = new float[ActiveSet.ValuesLength(batch, units)], delta = new float[batch * units];
        const float lr = 1e-9f; // the SGD variants update the weights on every call: a tiny step keeps them where they are

        // The full transpose of W_next: what keeping a transposed copy in sync would cost after every update.
        float[] wt = new float[units * outputs];
        double transpose = Median(Calibrate(() => TransposeAll(wNext, outputs, units, wt)), rounds, () => TransposeAll(wNext, outputs, units, wt));
        Console.WriteLine();
        Console.WriteLine($"== {inputs}→{units}→{outputs}, batch {batch}, {threads} thread(s); a full transpose of W_next (the cost of a synced copy) {transpose * 1e3:F3} ms");
        Console.Write($"{"product",-40}{"dense",9}");
        foreach (double d in Densities) Console.Write($"{d * 100,8:0.#}%");
        Console.WriteLine();

        var dense = new double[Products.Length];
        var sparse = new double[Products.Length, Densities.Length];
        var build = new double[Densities.Length];
        for (int di = 0; di < Densities.Length; di++)
        {
            float[] a = Code(batch, units, Densities[di], rng);
            var set = new ActiveSet(batch, units, ints, values);
            SparseGemm.BuildActive(batch, units, a, set);
            int nnz = set.Count;
            build[di] = Median(Calibrate(() => SparseGemm.BuildActive(batch, units, a, new ActiveSet(batch, units, ints, values))), rounds,
                () => SparseGemm.BuildActive(batch, units, a, new ActiveSet(batch, units, ints, values)));
            Action[] denseCalls =
            [
                () => Gemm.XWt(batch, outputs, units, a, wNext, bias, y, pool),
                () => Gemm.XW(batch, outputs, units, dNext, wNext, full, pool),
                () => Gemm.DtX(batch, outputs, units, dNext, a, gNext, default, 0, 0, pool),
                () => Gemm.DtXSgd(batch, outputs, units, dNext, a, wNextCopy, scratchNext, 0, 0, lr, pool),
                () => Gemm.DtX(batch, units, inputs, full, x, g, default, 0, 0, pool),
                () => Gemm.DtXSgd(batch, units, inputs, full, x, wCopy, scratch, 0, 0, lr, pool),
            ];
            Action[] sparseCalls =
            [
                () => SparseGemm.ActiveXWt(batch, outputs, units, new ActiveSet(batch, units, ints, values), wNext, bias, y, pool),
                () => SparseGemm.DWAtActive(batch, outputs, units, new ActiveSet(batch, units, ints, values), dNext, wNext, default, delta.AsSpan(0, nnz), default, pool),
                () => SparseGemm.DtActive(batch, outputs, units, dNext, new ActiveSet(batch, units, ints, values), gNext, default, 0, 0, pool),
                () => SparseGemm.DtActiveSgd(batch, outputs, units, dNext, new ActiveSet(batch, units, ints, values), wNextCopy, 0, 0, lr, pool),
                () => SparseGemm.ActiveDtX(batch, units, inputs, new ActiveSet(batch, units, ints, values), delta, x, g, default, 0, 0, pool),
                () => SparseGemm.ActiveDtXSgd(batch, units, inputs, new ActiveSet(batch, units, ints, values), delta, x, wCopy, 0, 0, lr, pool),
            ];
            // Dense ∂W reads 'full', which the dense delta (XW) fills: its cost does not depend on the values.
            for (int p = 0; p < Products.Length; p++)
            {
                int nd = Calibrate(denseCalls[p]), ns = Calibrate(sparseCalls[p]);
                var td = new List<double>();
                var ts = new List<double>();
                for (int r = 0; r < rounds; r++)
                {
                    td.Add(Batch(denseCalls[p], nd));
                    ts.Add(Batch(sparseCalls[p], ns));
                }
                double md = MedianOf(td);
                dense[p] = di == 0 ? md : dense[p] + md; // dense does not depend on the density: averaged over the densities
                sparse[p, di] = MedianOf(ts);
            }
        }
        for (int p = 0; p < Products.Length; p++)
        {
            double md = dense[p] / Densities.Length;
            Console.Write($"{Products[p],-40}{md * 1e3,9:F3}");
            for (int di = 0; di < Densities.Length; di++) Console.Write($"{sparse[p, di] * 1e3,9:F3}");
            Console.WriteLine($"   crossover {Crossover(md, p, sparse)}");
            dense[p] = md;
        }
        Console.Write($"{"build the lists (shared by all)",-40}{"",9}");
        for (int di = 0; di < Densities.Length; di++) Console.Write($"{build[di] * 1e3,9:F3}");
        Console.WriteLine();
        // A training step's four products (the SGD forms) plus the build, against the four dense ones.
        double denseStep = dense[0] + dense[1] + dense[3] + dense[5];
        var stepSparse = new double[1, Densities.Length];
        for (int di = 0; di < Densities.Length; di++) stepSparse[0, di] = build[di] + sparse[0, di] + sparse[1, di] + sparse[3, di] + sparse[5, di];
        Console.Write($"{"step: build + fwd + delta + 2 SGD",-40}{denseStep * 1e3,9:F3}");
        for (int di = 0; di < Densities.Length; di++) Console.Write($"{stepSparse[0, di] * 1e3,9:F3}");
        Console.WriteLine($"   crossover {Crossover(denseStep, 0, stepSparse)}");
        Console.Write($"{"  speedup (dense / sparse)",-40}{"",9}");
        for (int di = 0; di < Densities.Length; di++) Console.Write($"{denseStep / stepSparse[0, di],8:F1}×");
        Console.WriteLine();
        // The rest of a step that no sparse kernel touches: the encoder's forward (X is dense) and an Adam update of
        // both weight matrices (a memory-bound pass over p, g, m, v; a plain vectorized loop, this repository has no Adam).
        float[] pre = new float[batch * units], encBias = Rand(units, 0.1f);
        Action encoder = () => Gemm.XWt(batch, units, inputs, x, w, encBias, pre, pool);
        double tEnc = Median(Calibrate(encoder), rounds, encoder);
        int parameters = 2 * units * inputs;
        float[] pAll = Rand(parameters, 0.05f), gAll = Rand(parameters, 0.01f), m1 = new float[parameters], m2 = new float[parameters];
        Action adam = () => AdamPass(pAll, gAll, m1, m2);
        double tAdam = Median(Calibrate(adam), rounds, adam);
        Console.WriteLine($"{"dense encoder forward X·Wᵀ + b",-40}{tEnc * 1e3,9:F3}");
        Console.WriteLine($"{"Adam pass over both weights (1 thread)",-40}{tAdam * 1e3,9:F3}   ({parameters:N0} parameters)");
    }

    /// <summary>One Adam update (β = 0.9, 0.999, ε = 1e-8, bias corrections folded into constants), 512-bit vectors.</summary>
    private static void AdamPass(float[] p, float[] g, float[] m, float[] v)
    {
        var b1 = System.Runtime.Intrinsics.Vector512.Create(0.9f); var c1 = System.Runtime.Intrinsics.Vector512.Create(0.1f);
        var b2 = System.Runtime.Intrinsics.Vector512.Create(0.999f); var c2 = System.Runtime.Intrinsics.Vector512.Create(0.001f);
        var lr = System.Runtime.Intrinsics.Vector512.Create(1e-3f); var eps = System.Runtime.Intrinsics.Vector512.Create(1e-8f);
        int i = 0;
        for (; i + 16 <= p.Length; i += 16)
        {
            var gi = System.Runtime.Intrinsics.Vector512.Create<float>(g.AsSpan(i, 16));
            var mi = b1 * System.Runtime.Intrinsics.Vector512.Create<float>(m.AsSpan(i, 16)) + c1 * gi;
            var vi = b2 * System.Runtime.Intrinsics.Vector512.Create<float>(v.AsSpan(i, 16)) + c2 * gi * gi;
            var pi = System.Runtime.Intrinsics.Vector512.Create<float>(p.AsSpan(i, 16)) - lr * mi / (System.Runtime.Intrinsics.Vector512.Sqrt(vi) + eps);
            System.Runtime.Intrinsics.Vector512.CopyTo(mi, m.AsSpan(i, 16));
            System.Runtime.Intrinsics.Vector512.CopyTo(vi, v.AsSpan(i, 16));
            System.Runtime.Intrinsics.Vector512.CopyTo(pi, p.AsSpan(i, 16));
        }
    }

    /// <summary>The density where sparse time reaches dense time, linearly interpolated; "&gt; 60 %" if it never does.</summary>
    private static string Crossover(double dense, int p, double[,] sparse)
    {
        if (sparse[p, 0] >= dense) return $"< {Densities[0] * 100:0.#} %";
        for (int di = 1; di < Densities.Length; di++)
            if (sparse[p, di] >= dense)
            {
                double d0 = Densities[di - 1], d1 = Densities[di], s0 = sparse[p, di - 1], s1 = sparse[p, di];
                double at = d0 + (d1 - d0) * (dense - s0) / (s1 - s0);
                return $"{at * 100:0.#} %";
            }
        return $"> {Densities[^1] * 100:0.#} %";
    }

    /// <summary>Each row: exactly round(density·units) active units at uniform random positions, values in (0, 1].</summary>
    private static float[] Code(int rows, int units, double density, Random rng)
    {
        var a = new float[rows * units];
        int active = Math.Max(1, (int)Math.Round(density * units));
        var order = Enumerable.Range(0, units).ToArray();
        for (int b = 0; b < rows; b++)
        {
            for (int i = 0; i < active; i++)
            {
                int t = i + rng.Next(units - i);
                (order[i], order[t]) = (order[t], order[i]);
                a[b * units + order[i]] = (float)(1 - rng.NextDouble());
            }
        }
        return a;
    }

    private static void TransposeAll(float[] w, int rows, int cols, float[] wt)
        => Transpose.Block(ref w[0], cols, ref wt[0], rows, rows, cols);

    /// <summary>Calls per timed batch so a batch lasts at least 4 ms (after two warm-up calls).</summary>
    private static int Calibrate(Action call)
    {
        call(); call();
        var sw = Stopwatch.StartNew();
        call();
        double one = Math.Max(sw.Elapsed.TotalSeconds, 1e-7);
        return Math.Max(1, (int)Math.Ceiling(0.004 / one));
    }

    private static double Batch(Action call, int n)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) call();
        return sw.Elapsed.TotalSeconds / n;
    }

    private static double Median(int n, int rounds, Action call)
    {
        var t = new List<double>();
        for (int r = 0; r < rounds; r++) t.Add(Batch(call, n));
        return MedianOf(t);
    }

    private static double MedianOf(List<double> t)
    {
        t.Sort();
        return t[t.Count / 2];
    }
}
