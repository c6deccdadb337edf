using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Compiled.Kernels;

namespace Compiled.Benchmarks;

/// <summary>
/// Our side of bench/compare: the same shapes and the same timing method as bench/compare/torch_models.py (warm-up,
/// calibrate to ~0.3 s, then 7 repetitions, median), printed as JSON lines.
/// </summary>
public static class Compare
{
    public static void Run(string[] args)
    {
        int threads = int.Parse(Arg(args, "--threads", "1"), CultureInfo.InvariantCulture);
        int[] batches = Arg(args, "--batches", "1,16,64,256,1024").Split(',').Select(int.Parse).ToArray();
        int[] inferBatches = Arg(args, "--infer-batches", "1,256").Split(',').Select(int.Parse).ToArray();
        double target = double.Parse(Arg(args, "--target", "0.3"), CultureInfo.InvariantCulture);
        // --only infer: the inference rows alone (float32 and int8), for the int8 comparison. --only small: the small
        // networks alone (the tiny MLP's step, SimpleChains' README gradient), for bench/compare/small.sh.
        string only = Arg(args, "--only", "all");
        bool inferOnly = only == "infer", smallOnly = only == "small";
        if (inferOnly || smallOnly || only == "sae") batches = [];
        if (smallOnly || only == "sae") inferBatches = [];
        // --label: the framework name the rows carry (small.sh runs two builds of Compiled side by side).
        string label = Arg(args, "--label", "compiled");
        var rows = new List<Dictionary<string, object>>();

        foreach (int b in batches)
        {
            var m = new SeedAutoencoder(b, 0) { Threads = threads, LearningRate = 0.01f };
            float[] x = Uniform(b * 784, 1);
            var (med, min, max) = Time(() => m.TrainStep(x, x, b), target);
            rows.Add(Row("train", b, med, min, max, b / med));
        }
        foreach (int b in inferBatches)
        {
            var m = new SeedAutoencoder(b, 0) { Threads = threads };
            float[] x = Uniform(b * 784, 2), y = new float[b * 784];
            var (med, min, max) = Time(() => m.Predict(x, y, b), target);
            rows.Add(Row("infer", b, med, min, max, b / med));
        }
        foreach (int b in inferBatches)
        {
            // The same network, int8 (docs/quantization.md): made from the float model's parameters as Quantize() does.
            QuantizedModel q = Quantized.Seed(new SeedAutoencoder(1, 0), b);
            q.Threads = threads;
            float[] x = Uniform(b * 784, 2), y = new float[b * 784];
            var (med, min, max) = Time(() => q.Predict(x, y, b), target);
            rows.Add(Row("infer_int8", b, med, min, max, b / med));
        }
        if (only is "all" or "sae") SaeRows(rows, threads, target);
        if (only == "dense-relu") DenseReluRows(rows, threads, target);
        foreach (int b in only is "all" or "small" ? new[] { 1, 100 } : [])
        {
            var m = new TinyMlp(b, 0) { Threads = threads, LearningRate = 0.01f };
            float[] x = Uniform(b * 4, 3), t = Uniform(b * 4, 4);
            var (med, min, max) = Time(() => m.TrainStep(x, t, b), target);
            rows.Add(Row("tiny_train", b, med, min, max, b / med));
        }
        foreach (int b in only is "all" or "small" ? new[] { 200 } : [])
        {
            // SimpleChains' README benchmark: valgrad! of 24 → 8 tanh → 2 over 200 observations — the loss and its gradient.
            var m = new ReadmeMlp(b, 0) { Threads = threads };
            float[] x = Uniform(b * 24, 5), t = Uniform(b * 2, 6);
            var (med, min, max) = Time(() => m.ComputeGradients(x, t, b), target);
            rows.Add(Row("readme_grad", b, med, min, max, b / med));
        }
        if (threads == 1 && only is "all" or "gemm")
        {
            foreach (int b in new[] { 64, 256, 1024 })
            {
                float[] x = Uniform(b * 784, 5), w = Uniform(400 * 784, 6), bias = new float[400], y = new float[b * 400], d = Uniform(b * 400, 7), dx = new float[b * 784], g = new float[400 * 784];
                double flops = 2.0 * b * 784 * 400;
                rows.Add(Row("gemm_XWt", b, Time(() => Gemm.XWt(b, 400, 784, x, w, bias, y), target).Median, 0, 0, 0, flops));
                rows.Add(Row("gemm_XW", b, Time(() => Gemm.XW(b, 400, 784, d, w, dx), target).Median, 0, 0, 0, flops));
                rows.Add(Row("gemm_DtX", b, Time(() => Gemm.DtX(b, 400, 784, d, x, g, default, 0, 0), target).Median, 0, 0, 0, flops));
            }
            // Issue 18's encoder (784 → 4096, the product a TopK SAE keeps dense) and, for the same FLOPs, its dense decoder.
            {
                const int b = 256;
                float[] x = Uniform(b * 784, 5), w = Uniform(4096 * 784, 6), bias = new float[4096], y = new float[b * 4096];
                float[] h = Uniform(b * 4096, 7), bias2 = new float[784], y2 = new float[b * 784];
                double flops = 2.0 * b * 784 * 4096;
                rows.Add(Row("gemm_XWt_784x4096", b, Time(() => Gemm.XWt(b, 4096, 784, x, w, bias, y), target).Median, 0, 0, 0, flops));
                rows.Add(Row("gemm_XWt_4096x784", b, Time(() => Gemm.XWt(b, 784, 4096, h, w, bias2, y2), target).Median, 0, 0, 0, flops));
            }
        }
        if (!smallOnly) rows.Add(new Dictionary<string, object> { ["kind"] = "fma_ceiling", ["threads"] = threads, ["gflops"] = FmaCeiling(threads) });
        foreach (var r in rows)
        {
            r["framework"] = label;
            r.TryAdd("threads", threads);
            Console.WriteLine(JsonSerializer.Serialize(r, JsonContext.Default.DictionaryStringObject));
        }
    }

    /// <summary>
    /// Issue 18's sparse autoencoders, as torch_models.py's sae_rows: TopK(32) 784→4096→784 and ReLU + L1(0.001)
    /// 784→1024→784, Adam 1e-3, batch 256, on the sparse path (SparseKernels, the default) and, for the table's
    /// reference, forced dense. The ReLU + L1 model first trains 300 steps on its batch to reach its working sparsity.
    /// Then the ReLU + L1 model trained on Fashion-MNIST instead (when installed), and Predict at batch 1 and 256 with the
    /// first two models (sparse path).
    /// </summary>
    private static void SaeRows(List<Dictionary<string, object>> rows, int threads, double target)
    {
        const int b = 256;
        float[] x = Uniform(b * 784, 8), y = new float[b * 784];
        var topk = new TopKSae(b, 0) { Threads = threads };
        var l1 = new ReluL1Sae(b, 0) { Threads = threads };
        for (int i = 0; i < 300; i++) l1.TrainStep(x, x, b);
        foreach (bool sparse in new[] { true, false })
        {
            string suffix = sparse ? "" : "_dense";
            topk.SparseKernels = l1.SparseKernels = sparse;
            var (med, min, max) = Time(() => topk.TrainStep(x, x, b), target);
            rows.Add(Density(Row("sae_topk_train" + suffix, b, med, min, max, b / med), topk.Hid1Activations));
            (med, min, max) = Time(() => l1.TrainStep(x, x, b), target);
            rows.Add(Density(Row("sae_l1_train" + suffix, b, med, min, max, b / med), l1.Hid1Activations));
        }
        topk.SparseKernels = l1.SparseKernels = true;

        // The same ReLU + L1 model trained on Fashion-MNIST (when installed): 2 epochs over the first 25,600 training
        // images in order, batches of 256, then timed on the first batch — the code's density on real images.
        const string Images = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
        if (File.Exists(Images))
        {
            float[] pixels = Compiled.Data.IdxFile.ReadImages(Images).Pixels;
            var fm = new ReluL1Sae(b, 0) { Threads = threads };
            for (int epoch = 0; epoch < 2; epoch++)
                for (int first = 0; first < 25_600; first += b)
                    fm.TrainStep(pixels.AsSpan(first * 784, b * 784), pixels.AsSpan(first * 784, b * 784), b);
            float[] batch0 = pixels.AsSpan(0, b * 784).ToArray();
            foreach (bool sparse in new[] { true, false })
            {
                fm.SparseKernels = sparse;
                var (med, min, max) = Time(() => fm.TrainStep(batch0, batch0, b), target);
                rows.Add(Density(Row("sae_l1_fm_train" + (sparse ? "" : "_dense"), b, med, min, max, b / med), fm.Hid1Activations));
            }
        }

        foreach (int ib in new[] { 1, 256 })
        {
            var (med, min, max) = Time(() => topk.Predict(x.AsSpan(0, ib * 784), y.AsSpan(0, ib * 784), ib), target);
            rows.Add(Row("sae_topk_infer", ib, med, min, max, ib / med));
            (med, min, max) = Time(() => l1.Predict(x.AsSpan(0, ib * 784), y.AsSpan(0, ib * 784), ib), target);
            rows.Add(Row("sae_l1_infer", ib, med, min, max, ib / med));
        }
    }

    /// <summary>
    /// What the sparse path costs a ReLU code that is not sparse: the Fashion-MNIST classifier (784 → 256 ReLU → 10
    /// softmax, about half its code active on uniform inputs), a training step and Predict at batch 64, with the
    /// sparse-path check on (the default) and off.
    /// </summary>
    private static void DenseReluRows(List<Dictionary<string, object>> rows, int threads, double target)
    {
        const int b = 64;
        float[] x = Uniform(b * 784, 9), y = new float[b * 10];
        int[] t = new int[b];
        for (int i = 0; i < b; i++) t[i] = i % 10;
        var m = new FashionClassifier(b, 0) { Threads = threads };
        foreach (bool sparse in new[] { true, false })
        {
            m.SparseKernels = sparse;
            string suffix = sparse ? "" : "_off";
            var (med, min, max) = Time(() => m.TrainStep(x, t, b), target);
            rows.Add(Density(Row("relu_dense_train" + suffix, b, med, min, max, b / med), m.Hid1Activations));
            (med, min, max) = Time(() => m.Predict(x, y, b), target);
            rows.Add(Row("relu_dense_infer" + suffix, b, med, min, max, b / med));
        }
    }

    /// <summary>The fraction of non-zero entries of the code the last pass on this thread computed.</summary>
    private static Dictionary<string, object> Density(Dictionary<string, object> row, ReadOnlySpan<float> code)
    {
        int n = 0;
        foreach (float v in code) if (v != 0) n++;
        row["density"] = (double)n / code.Length;
        return row;
    }

    private static Dictionary<string, object> Row(string kind, int batch, double med, double min, double max, double samplesPerSecond, double flops = 0)
    {
        var r = new Dictionary<string, object> { ["kind"] = kind, ["B"] = batch, ["us_med"] = med * 1e6, ["us_min"] = min * 1e6, ["us_max"] = max * 1e6 };
        if (samplesPerSecond > 0) r["samples_per_s"] = samplesPerSecond;
        if (flops > 0) r["gflops"] = flops / med / 1e9;
        return r;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    internal static float[] Uniform(int n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)r.NextDouble();
        return a;
    }

    /// <summary>As the Python reference: one call to warm up, double n until a batch of calls takes target/4, scale n to
    /// ~target, then 7 repetitions; seconds per call (median, min, max).</summary>
    public static (double Median, double Min, double Max) Time(Action fn, double target)
    {
        for (int i = 0; i < 20; i++) fn();
        int n = 1;
        double t;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) fn();
            t = sw.Elapsed.TotalSeconds;
            if (t > target / 4) break;
            n *= 2;
        }
        n = Math.Max(3, (int)(n * target / t));
        var ts = new double[7];
        for (int rep = 0; rep < ts.Length; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) fn();
            ts[rep] = sw.Elapsed.TotalSeconds / n;
        }
        Array.Sort(ts);
        return (ts[3], ts[0], ts[6]);
    }

    /// <summary>The machine's FMA throughput: 12 independent AVX-512 (or AVX2) FMA chains per thread, in registers.</summary>
    public static double FmaCeiling(int threads)
    {
        const long Iterations = 20_000_000;
        double best = 0;
        for (int rep = 0; rep < 3; rep++)
        {
            var sw = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => FmaLoop(Iterations))).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            double flops = threads * Iterations * 12.0 * 2 * (Avx512F.IsSupported ? 16 : 8);
            best = Math.Max(best, flops / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    private static float FmaLoop(long iterations)
    {
        if (Avx512F.IsSupported)
        {
            var a0 = Vector512.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
            var m = Vector512.Create(0.999999f); var c = Vector512.Create(1e-7f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c); a2 = Avx512F.FusedMultiplyAdd(a2, m, c); a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
                a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c); a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
                a8 = Avx512F.FusedMultiplyAdd(a8, m, c); a9 = Avx512F.FusedMultiplyAdd(a9, m, c); a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
        if (Fma.IsSupported)
        {
            var a0 = Vector256.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
            var m = Vector256.Create(0.999999f); var c = Vector256.Create(1e-7f);
            for (long i = 0; i < iterations; i++)
            {
                a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c); a3 = Fma.MultiplyAdd(a3, m, c);
                a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c); a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c);
                a8 = Fma.MultiplyAdd(a8, m, c); a9 = Fma.MultiplyAdd(a9, m, c); a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }
        return 0;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : System.Text.Json.Serialization.JsonSerializerContext;
