using System.Globalization;
using Compiled.Kernels;

namespace Compiled.Benchmarks;

/// <summary>
/// Where the time of one seed-autoencoder training step goes: each kernel call of the generated step on its own, at the
/// step's shapes (medians of 7 repetitions of ~0.1 s, warm caches), next to the whole step.
/// <c>dotnet run -c Release --project bench/Compiled.Benchmarks -- profile [--batch N] [--threads N]</c>
/// </summary>
public static class Profile
{
    public static void Run(string[] args)
    {
        int b = int.Parse(Arg(args, "--batch", "1"), CultureInfo.InvariantCulture);
        int threads = int.Parse(Arg(args, "--threads", "1"), CultureInfo.InvariantCulture);
        WorkerPool? pool = WorkerPool.ForThreads(threads);
        if (Arg(args, "--model", "seed") == "activations")
        {
            Activations(b);
            return;
        }
        if (Arg(args, "--model", "seed") == "gemm")
        {
            Products();
            return;
        }
        if (Arg(args, "--model", "seed") == "int8")
        {
            Int8(b, threads);
            return;
        }
        if (Arg(args, "--model", "seed") == "tiny")
        {
            Tiny(b, threads, pool);
            return;
        }
        float[] x = Compare.Uniform(b * 784, 1), w1 = Compare.Uniform(313600, 2), b1 = new float[400], w2 = Compare.Uniform(313600, 3), b2 = new float[784];
        float[] h = new float[b * 400], y = new float[b * 784], dy = Compare.Uniform(b * 784, 4), dh = Compare.Uniform(b * 400, 5), g = new float[313600], gb = new float[784], umax = new float[400];
        var calls = new (string Name, Action Call)[]
        {
            ("forward  X·W1ᵀ (784 → 400)", () => Gemm.XWt(b, 400, 784, x, w1, b1, h, pool)),
            ("forward  tanh", () => Tanh.Forward(h, h)),
            ("forward  H·W2ᵀ (400 → 784)", () => Gemm.XWt(b, 784, 400, h, w2, b2, y, pool)),
            ("forward  sigmoid", () => Sigmoid.Forward(y, y)),
            ("loss     activity sums", () => Statistics.Activity(h, 400, 0.01f, umax)),
            ("loss     squared error + δ_out", () => Sigmoid.SquaredErrorBackward(y, x, dy, 1f / (b * 784), 0f, 0f)),
            ("backward δ_out·W2 (784 → 400)", () => Gemm.XW(b, 784, 400, dy, w2, dh, pool)),
            ("backward tanh′ + L1", () => Tanh.Backward(h, dh, 0.1f, 0f)),
            ("update   W2 −= lr·δ_outᵀ·H", () => Gemm.DtXSgd(b, 784, 400, dy, h, w2, g, 0f, 0f, 1e-9f, pool)),
            ("update   b2", () => Gemm.ColumnSumsSgd(b, 784, dy, b2, gb, 0f, 0f, 1e-9f)),
            ("update   W1 −= lr·δ_hᵀ·X", () => Gemm.DtXSgd(b, 400, 784, dh, x, w1, g, 0f, 0f, 1e-9f, pool)),
            ("update   b1", () => Gemm.ColumnSumsSgd(b, 400, dh, b1, gb.AsSpan(0, 400), 0f, 0f, 1e-9f)),
        };
        double sum = TimeEach($"seed autoencoder, batch {b}, {threads} thread(s): median µs per call", calls, "F1");
        // The update as it was before it was fused: the weight gradient stored, then a separate SGD pass over W.
        float[] scratch = new float[313600];
        double unfused = Compare.Time(() => { Gemm.DtX(b, 400, 784, dh, x, scratch, default, 0f, 0f, pool); Sgd.Step(w1, scratch, 1e-9f); }, 0.1).Median * 1e6;
        Console.WriteLine($"  {"(unfused W1: DtX, then Sgd.Step)",-34} {unfused,10:F1}");
        var model = new SeedAutoencoder(b, 0) { Threads = threads };
        double step = Compare.Time(() => model.TrainStep(x, x, b), 0.3).Median * 1e6;
        Console.WriteLine($"  {"sum of the calls",-34} {sum,10:F1}");
        Console.WriteLine($"  {"TrainStep",-34} {step,10:F1}   ({b / step * 1e6:F0} samples/s)");
    }

    /// <summary>The tiny MLP's step (4 → 32 tanh → 16 tanh → 4, MSE, SGD), call by call.</summary>
    private static void Tiny(int b, int threads, WorkerPool? pool)
    {
        float[] x = Compare.Uniform(b * 4, 1), t = Compare.Uniform(b * 4, 2), p = Compare.Uniform(TinyMlp.ParameterCount, 3), g = new float[TinyMlp.ParameterCount];
        float[] h1 = Compare.Uniform(b * 32, 4), h2 = Compare.Uniform(b * 16, 5), y = new float[b * 4], dy = Compare.Uniform(b * 4, 6), d2 = new float[b * 16], d1 = new float[b * 32];
        // The in-place calls (tanh′ multiplies δ by 1 − a² each time) restart from these copies, else δ decays into
        // subnormal numbers over thousands of repetitions and every later call slows down.
        float[] d2Start = Compare.Uniform(b * 16, 7), d1Start = Compare.Uniform(b * 32, 8);
        Span<float> P(int offset, int length) => p.AsSpan(offset, length);
        var calls = new (string Name, Action Call)[]
        {
            ("forward  X·W1ᵀ (4 → 32)", () => Gemm.XWt(b, 32, 4, x, P(0, 128), P(128, 32), h1, pool)),
            ("forward  tanh 32", () => Tanh.Forward(h1, h1)),
            ("forward  H1·W2ᵀ (32 → 16)", () => Gemm.XWt(b, 16, 32, h1, P(160, 512), P(672, 16), h2, pool)),
            ("forward  tanh 16", () => Tanh.Forward(h2, h2)),
            ("forward  H2·W3ᵀ (16 → 4)", () => Gemm.XWt(b, 4, 16, h2, P(688, 64), P(752, 4), y, pool)),
            ("loss     squared error + δ_out", () => Linear.SquaredErrorBackward(y, t, dy, 2f / (b * 4), 0f, 0f)),
            ("backward δ_out·W3 (4 → 16)", () => Gemm.XW(b, 4, 16, dy, P(688, 64), d2Start, pool)),
            ("backward tanh′ 16 (+ copy of δ)", () => { d2Start.CopyTo(d2); Tanh.Backward(h2, d2, 0f, 0f); }),
            ("backward δ2·W2 (16 → 32)", () => Gemm.XW(b, 16, 32, d2Start, P(160, 512), d1Start, pool)),
            ("backward tanh′ 32 (+ copy of δ)", () => { d1Start.CopyTo(d1); Tanh.Backward(h1, d1, 0f, 0f); }),
            ("update   W3, b3", () => { Gemm.DtXSgd(b, 4, 16, dy, h2, P(688, 64), g.AsSpan(688, 64), 0f, 0f, 1e-9f, pool); Gemm.ColumnSumsSgd(b, 4, dy, P(752, 4), g.AsSpan(752, 4), 0f, 0f, 1e-9f); }),
            ("update   W2, b2", () => { Gemm.DtXSgd(b, 16, 32, d2, h1, P(160, 512), g.AsSpan(160, 512), 0f, 0f, 1e-9f, pool); Gemm.ColumnSumsSgd(b, 16, d2, P(672, 16), g.AsSpan(672, 16), 0f, 0f, 1e-9f); }),
            ("update   W1, b1", () => { Gemm.DtXSgd(b, 32, 4, d1, x, P(0, 128), g.AsSpan(0, 128), 0f, 0f, 1e-9f, pool); Gemm.ColumnSumsSgd(b, 32, d1, P(128, 32), g.AsSpan(128, 32), 0f, 0f, 1e-9f); }),
            ("guard    all gradients finite", () => Divergence.AllFinite(g)),
            ("guard    bound from δ and inputs", () => { Divergence.MaxAbs(d1); Divergence.MaxAbs(x); Divergence.MaxAbs(d2); Divergence.MaxAbs(h1); Divergence.MaxAbs(dy); Divergence.MaxAbs(h2); }),
        };
        double sum = TimeEach($"tiny MLP, batch {b}, {threads} thread(s): median µs per call", calls, "F2");
        var model = new TinyMlp(Math.Max(b, 1), 0) { Threads = threads };
        float[] output = new float[b * 4];
        double predict = Compare.Time(() => model.Predict(x, output, b), 0.2).Median * 1e6;
        double gradients = Compare.Time(() => model.ComputeGradients(x, t, b), 0.2).Median * 1e6;
        model.DivergenceGuard = false;
        double unguarded = Compare.Time(() => model.TrainStep(x, t, b), 0.2).Median * 1e6;
        model.DivergenceGuard = true;
        double step = Compare.Time(() => model.TrainStep(x, t, b), 0.3).Median * 1e6;
        Console.WriteLine($"  {"sum of the calls",-34} {sum,10:F2}");
        Console.WriteLine($"  {"Predict",-34} {predict,10:F2}");
        Console.WriteLine($"  {"ComputeGradients",-34} {gradients,10:F2}");
        Console.WriteLine($"  {"TrainStep, DivergenceGuard off",-34} {unguarded,10:F2}");
        Console.WriteLine($"  {"TrainStep",-34} {step,10:F2}");
    }

    /// <summary>The element-wise activations on <paramref name="n"/> values spread over [−4, 4] (out of place, so every
    /// repetition sees the same values): median ns per element.</summary>
    /// <summary>The int8 seed model's Predict, step by step (one thread): quantizing, the two products, the activations.</summary>
    private static void Int8(int b, int threads)
    {
        QuantizedModel q = Quantized.Seed(new SeedAutoencoder(1, 0), b);
        q.Threads = threads;
        QuantizedLayer l1 = q.Layers[0], l2 = q.Layers[1];
        float[] x = Compare.Uniform(b * 784, 1), h = new float[b * 400], y = new float[b * 784];
        short[] xq = new short[b * 784], hq = new short[b * 400];
        float[] xs = new float[b], hs = new float[b];
        Int8Gemm.QuantizeRows(b, 784, x, l1.InputRange, xq, xs);
        Int8Gemm.Product(b, 400, 784, xq, xs, l1.Weight, l1.Packed, l1.PaddedScale, l1.PaddedBias, h, 0, 400);
        l1.Activate(h, b);
        Int8Gemm.QuantizeRows(b, 400, h, l2.InputRange, hq, hs);
        var calls = new (string Name, Action Call)[]
        {
            ("quantize x (784)", () => Int8Gemm.QuantizeRows(b, 784, x, l1.InputRange, xq, xs)),
            ("product  784 → 400", () => Int8Gemm.Product(b, 400, 784, xq, xs, l1.Weight, l1.Packed, l1.PaddedScale, l1.PaddedBias, h, 0, 400)),
            ("tanh     (per row)", () => l1.Activate(h, b)),
            ("quantize h (400)", () => Int8Gemm.QuantizeRows(b, 400, h, l2.InputRange, hq, hs)),
            ("product  400 → 784", () => Int8Gemm.Product(b, 784, 400, hq, hs, l2.Weight, l2.Packed, l2.PaddedScale, l2.PaddedBias, y, 0, 784)),
            ("sigmoid  (per row)", () => l2.Activate(y, b)),
        };
        double sum = TimeEach($"int8 seed autoencoder, batch {b}: median µs per call", calls, "F2");
        double predict = Compare.Time(() => q.Predict(x, y, b), 0.3).Median * 1e6;
        Console.WriteLine($"  {"sum of the calls",-34} {sum,10:F2}");
        Console.WriteLine($"  {"Predict (" + threads + " thread(s))",-34} {predict,10:F2}   ({b / predict * 1e6:F0} samples/s)");
    }

    private static void Activations(int n)
    {
        float[] z = Compare.Uniform(n, 9), a = new float[n];
        for (int i = 0; i < n; i++) z[i] = (z[i] - 0.5f) * 8;
        foreach (var (name, call) in new (string, Action)[] { ("tanh", () => Tanh.Forward(z, a)), ("sigmoid", () => Sigmoid.Forward(z, a)) })
        {
            double t = Compare.Time(call, 0.2).Median;
            Console.WriteLine($"  {name,-10} {n} values: {t * 1e9 / n,6:F3} ns per value");
        }
    }

    /// <summary>The three products at the seed model's shapes (as in <c>compare</c>), GFLOP/s of the median call.</summary>
    private static void Products()
    {
        int[] batches = Environment.GetEnvironmentVariable("GEMM_BATCHES") is { } only ? only.Split(',').Select(int.Parse).ToArray() : [64, 256, 1024];
        foreach (int b in batches)
        {
            float[] x = Compare.Uniform(b * 784, 5), w = Compare.Uniform(400 * 784, 6), bias = new float[400], y = new float[b * 400], d = Compare.Uniform(b * 400, 7), dx = new float[b * 784], g = new float[400 * 784];
            double flops = 2.0 * b * 784 * 400;
            foreach (var (name, call) in new (string, Action)[]
            {
                ("XWt", () => Gemm.XWt(b, 400, 784, x, w, bias, y)),
                ("XW", () => Gemm.XW(b, 400, 784, d, w, dx)),
                ("DtX", () => Gemm.DtX(b, 400, 784, d, x, g, default, 0, 0)),
            })
                Console.WriteLine($"  {name,-4} batch {b,5}: {flops / Compare.Time(call, 0.2).Median / 1e9,6:F1} GFLOP/s");
        }
    }

    /// <summary>Prints the median µs of each call under <paramref name="title"/>; returns their sum.</summary>
    private static double TimeEach(string title, (string Name, Action Call)[] calls, string format)
    {
        double sum = 0;
        Console.WriteLine(title);
        foreach (var (name, call) in calls)
        {
            double t = Compare.Time(call, 0.1).Median * 1e6;
            sum += t;
            Console.WriteLine($"  {name,-34} {t.ToString(format, CultureInfo.InvariantCulture),10}");
        }
        return sum;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
