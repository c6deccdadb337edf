using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using Compiled;
using Compiled.Data;
using Compiled.Samples;
using Samples.SparseCoding;

// A dictionary of 1024 atoms for Fashion-MNIST (784 → 1024 → 784), trained three ways on the same images, epochs, batch
// and optimizer: ReLU + decoder-weighted L1 (Anthropic), TopK(32) with AuxK and unit-norm decoder columns (OpenAI),
// JumpReLU + L0 (SAELens). Then the held-out images through each: active units per image (L0), dead units, explained
// variance, normalized MSE, training time; which code reconstructs best at about 32 active units; and the learned atoms
// (decoder columns) as pictures, most used first. Models: Model.cs; the choices and a recorded run: README.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Options? options = Options.Parse(args);
if (options is null) return 2;
SampleData data;
try
{
    data = SampleData.Load(options.Data, options.Samples, options.TestSamples, oneHotTargets: false);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
if (data.Train.Count < options.Batch)
{
    Console.Error.WriteLine($"Only {data.Train.Count} training images were loaded; --batch ({options.Batch}) must not exceed that.");
    return 2;
}
Console.WriteLine($"Data: {data.Description}.");
Console.WriteLine($"Budget, the same for each method: Adam, learning rate {options.LearningRate}, batch {options.Batch}, {options.Epochs} epoch(s) of {data.Train.Count:N0} images in the same order, {options.Threads} thread(s), loss = mean squared error per pixel, {(options.Init == "transpose" ? "encoder initialized as the decoder's transpose" : "the generator's random initialization (--init random)")}.");
Console.WriteLine("What differs is each recipe: TopK adds the pre-encoder bias (geometric median), AuxK, unit-norm decoder columns with projected gradients and gradient clipping at 1.0; L1 and L0 ramp their λ in over the first steps.");
Console.WriteLine();

var coders = new List<ICoder>();
foreach (string method in options.Methods)
{
    ICoder coder = method switch
    {
        "l1" => new L1Coder(options.Batch, seed: 42),
        "topk" => new TopKCoder(options.Batch, seed: 42),
        _ => new JumpReluCoder(options.Batch, seed: 42),
    };
    coder.Threads = options.Threads;
    coder.LearningRate = options.LearningRate;
    if (coder is L1Coder l1 && options.L1 is float lambda1) l1.Regularization.Hid1ActivityL1 = lambda1;
    if (coder is JumpReluCoder jump && options.L0 is float lambda0) jump.Regularization.Hid1L0 = lambda0;
    coders.Add(coder);
}

var results = new List<Result>();
foreach (ICoder coder in coders)
{
    double seconds = Train(coder, data.Train, options);
    results.Add(Measure(coder, data.Test, seconds));
    Console.WriteLine();
}

int images = data.Test.Count;
Console.WriteLine($"Held-out comparison ({images:N0} test images, each method's whole set through Evaluate(test) for the reconstruction; L0 and dead units from its code on every image):");
Console.WriteLine($"  {"method",-14} {"sparsity",-32} {"L0",6} {"dead (test)",12} {"dead (train window)",20} {"explained var.",15} {"norm. MSE",10} {"train s",8}");
foreach (Result r in results)
{
    string window = r.Window.Samples > 0 ? $"{r.Window.DeadUnits} / {r.Window.Samples / 1000:N0}k" : "(no window yet)";
    Console.WriteLine($"  {r.Method,-14} {r.Sparsity,-32} {r.L0,6:F1} {r.DeadFraction,12:P1} {window,20} {r.Quality.ExplainedVariance,15:F4} {r.Quality.NormalizedMse,10:F4} {r.Seconds,8:F1}");
}
Console.WriteLine("  L0: mean active (non-zero) units per test image, out of 1024. dead (test): units that were zero on every test image.");
Console.WriteLine("  dead (train window): units that never fired in the last completed firing window of training (DeadWindowSamples samples).");
Console.WriteLine("  explained var. = 1 − Σ‖x − x̂‖² / Σ‖x − x̄‖², norm. MSE = Σ‖x − x̂‖² / Σ‖x‖², both summed over all test images (LastReconstruction).");
Console.WriteLine();
Verdict(results);

Console.WriteLine();
WritePictures(options.Out, results, data.Test);
return 0;

// Trains one method over the epochs, printing one line per epoch; returns the seconds spent (preparation included).
static double Train(ICoder coder, Dataset train, Options o)
{
    Console.WriteLine($"== {coder.Method}  ({coder.Sparsity})");
    var clock = Stopwatch.StartNew();
    if (o.Init == "transpose")
    {
        TransposeInit(coder, unitNorm: coder is TopKCoder);
        Console.WriteLine("  encoder = decoderᵀ, encoder bias 0" + (coder is TopKCoder ? " (decoder columns first scaled to unit norm)" : ""));
    }
    string? prepared = coder.Prepare(train);
    if (prepared is not null) Console.WriteLine($"  {prepared}, {clock.Elapsed.TotalSeconds:F1} s");
    MiniBatches batches = train.CreateBatches(o.Batch, seed: 7, shuffle: true, dropLast: true);
    coder.DeadWindowSamples = batches.ExamplesPerEpoch; // the firing window is an epoch: "dead (window)" = never fired in that epoch
    Console.WriteLine($"  {"epoch",5} {"data (MSE)",11} {"sparsity term",14} {"train L0",9} {"dead (window)",14} {"samples/s",10}");
    for (int epoch = 0; epoch < o.Epochs; epoch++)
    {
        double sumData = 0, sumPenalty = 0, sumL0 = 0, rate = 0;
        int seen = 0;
        ProgressDisplay.Run($"{coder.Method}, epoch {epoch + 1}/{o.Epochs}", batches.ExamplesPerEpoch, progress =>
        {
            foreach (Batch batch in batches.Epoch(epoch))
            {
                coder.TrainStep(batch.Inputs, batch.Targets, batch.Count);
                (float d, float p) = coder.LastTerms;
                sumData += d * batch.Count;
                sumPenalty += p * batch.Count;
                sumL0 += coder.LastCode.Code.L0 * batch.Count;
                seen += batch.Count;
                progress.Advance(batch.Count, () => $"MSE {sumData / seen:F5}  L0 {sumL0 / seen:F1}");
            }
            rate = progress.SamplesPerSecond;
        }, silentWhenPlain: true);
        FiringWindow window = coder.LastCode.Firing;
        string dead = window.Samples > 0 ? window.DeadUnits.ToString(CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"  {epoch + 1,5} {sumData / seen,11:F5} {sumPenalty / seen,14:F5} {sumL0 / seen,9:F1} {dead,14} {rate,10:F0}");
    }
    double seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"  trained in {seconds:F1} s");
    return seconds;
}

// Anthropic's and OpenAI's initialization: the encoder starts as the transpose of the decoder (each unit's input weights =
// its atom), so every unit starts responding to the pattern it writes; the generator's random init leaves them unrelated.
// Measured (README.md): it cuts the units dead on the test images from 40–60 % to about 10 % for all three recipes.
static void TransposeInit(ICoder coder, bool unitNorm)
{
    Span<float> d = coder.Decoder, e = coder.Encoder;
    var norms = new double[1024];
    for (int p = 0; p < 784; p++) for (int i = 0; i < 1024; i++) norms[i] += (double)d[p * 1024 + i] * d[p * 1024 + i];
    for (int p = 0; p < 784; p++)
        for (int i = 0; i < 1024; i++)
        {
            if (unitNorm) d[p * 1024 + i] = (float)(d[p * 1024 + i] / Math.Sqrt(norms[i]));
            e[i * 784 + p] = d[p * 1024 + i];
        }
    coder.EncoderBias.Clear();
}

// The held-out images through one model: the code of every image (chunk by chunk through Evaluate, reading
// LastSparsity and the activations) and the reconstruction over the whole set (one Evaluate(test) call).
static Result Measure(ICoder coder, Dataset test, double seconds)
{
    const int units = 1024;
    var fired = new long[units];
    var sumAbs = new double[units];
    double l0Telemetry = 0;
    long nonZero = 0;
    for (int start = 0; start < test.Count; start += coder.MaxBatch)
    {
        int batch = Math.Min(coder.MaxBatch, test.Count - start);
        coder.EvaluateBatch(test.Features.Slice(start * 784, batch * 784), batch);
        l0Telemetry += (double)coder.LastCode.Code.L0 * batch;
        ReadOnlySpan<float> a = coder.Hid1Activations;
        for (int row = 0; row < batch; row++)
            for (int j = 0; j < units; j++)
            {
                float v = a[row * units + j];
                if (v != 0) { fired[j]++; nonZero++; sumAbs[j] += Math.Abs(v); }
            }
    }
    double l0 = (double)nonZero / test.Count;
    // LastSparsity's L0 is a float per batch; the count above is exact. They must agree to float precision.
    if (Math.Abs(l0Telemetry / test.Count - l0) > 1e-3 * Math.Max(1, l0))
        Console.WriteLine($"  WARNING: LastSparsity's L0 ({l0Telemetry / test.Count:F4}) differs from the activations' count ({l0:F4}).");
    (float mse, ReconstructionQuality quality) = coder.EvaluateAll(test);
    int dead = 0;
    foreach (long n in fired) if (n == 0) dead++;
    var frequency = new double[units];
    var meanAbs = new double[units];
    for (int j = 0; j < units; j++) { frequency[j] = (double)fired[j] / test.Count; meanAbs[j] = sumAbs[j] / test.Count; }
    Console.WriteLine($"  held out: L0 {l0:F1}, dead {dead}/{units}, explained variance {quality.ExplainedVariance:F4}, normalized MSE {quality.NormalizedMse:F4}, MSE {mse:F5}");
    return new Result(coder, coder.Method, coder.Sparsity, l0, (double)dead / units, coder.LastCode.Firing, quality, mse, seconds, frequency, meanAbs);
}

// Which code reconstructs best, at what L0, by how much.
static void Verdict(List<Result> results)
{
    if (results.Count < 2) return;
    Result best = results[0];
    foreach (Result r in results) if (r.Quality.ExplainedVariance > best.Quality.ExplainedVariance) best = r;
    var line = new StringBuilder($"Best explained variance: {best.Method}, {best.Quality.ExplainedVariance:F4} at L0 {best.L0:F1}");
    foreach (Result r in results)
    {
        if (r == best) continue;
        double unexplained = (1 - r.Quality.ExplainedVariance) / (1 - best.Quality.ExplainedVariance);
        line.Append(CultureInfo.InvariantCulture, $"; {r.Method} {r.Quality.ExplainedVariance:F4} at L0 {r.L0:F1} ({best.Quality.ExplainedVariance - r.Quality.ExplainedVariance:+0.0000;-0.0000} for {best.Method}, whose unexplained variance is {1 / unexplained:P0} of its)");
    }
    Console.WriteLine(line.Append('.').ToString());
    double low = double.MaxValue, high = 0;
    foreach (Result r in results) { low = Math.Min(low, r.L0); high = Math.Max(high, r.L0); }
    Console.WriteLine(high <= 1.25 * low
        ? $"The codes' L0 lie within 25 % of each other ({low:F1}–{high:F1}), so this compares like with like."
        : $"CAUTION: the codes' L0 differ by more than 25 % ({low:F1}–{high:F1}); a denser code explains more variance for that reason alone (tune --l1 / --l0).");
}

static void WritePictures(string directory, List<Result> results, Dataset test)
{
    Directory.CreateDirectory(directory);
    Console.WriteLine("Learned atoms (decoder columns, out.weight[:, i] as 28 × 28 tiles), most used first (firing frequency on the test images, then mean |a|):");
    Console.WriteLine("  structure score = mean correlation of neighbouring pixels within a tile (noise ≈ 0, stroke-like 0.4–0.7)");
    Console.WriteLine($"  {"method",-14} {"100 most used",14} {"all that fired",15} {"all 1024",9}   picture, legend");
    var pictures = new List<string>();
    foreach (Result r in results)
    {
        const int units = 1024;
        // Atom i is column i of the decoder [784, 1024]; transposed into rows for the grid.
        ReadOnlySpan<float> decoder = r.Coder.Decoder;
        var atoms = new float[units * 784];
        var norms = new double[units];
        for (int p = 0; p < 784; p++)
            for (int i = 0; i < units; i++)
            {
                float w = decoder[p * units + i];
                atoms[i * 784 + p] = w;
                norms[i] += (double)w * w;
            }
        int[] order = new int[units];
        for (int i = 0; i < units; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int c = r.Frequency[b].CompareTo(r.Frequency[a]);
            if (c == 0) c = r.MeanAbs[b].CompareTo(r.MeanAbs[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var score = new double[units];
        for (int i = 0; i < units; i++) score[i] = FilterStructure.NeighbourCorrelation(atoms.AsSpan(i * 784, 784), 28, 28);
        double top = 0, used = 0, all = 0;
        int usedCount = 0;
        for (int k = 0; k < units; k++)
        {
            int i = order[k];
            if (k < 100) top += score[i];
            if (r.Frequency[i] > 0) { used += score[i]; usedCount++; }
            all += score[i];
        }
        string slug = r.Coder switch { L1Coder => "l1", TopKCoder => "topk", _ => "jumprelu" };
        string png = Path.Combine(directory, $"atoms-{slug}.png"), csv = Path.Combine(directory, $"atoms-{slug}.csv");
        Pictures.FeatureGrid(atoms, order, 28, 28, columns: 32).WritePng(png);
        var legend = new StringBuilder("rank,unit,firing_frequency,mean_abs_a,decoder_norm,structure_score\n");
        for (int k = 0; k < units; k++)
        {
            int i = order[k];
            legend.Append(CultureInfo.InvariantCulture, $"{k + 1},{i},{r.Frequency[i]:G6},{r.MeanAbs[i]:G6},{Math.Sqrt(norms[i]):G6},{score[i]:F4}\n");
        }
        AtomicFile.WriteAllText(csv, legend.ToString());
        string usedText = usedCount > 0 ? (used / usedCount).ToString("F3", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"  {r.Method,-14} {top / 100,14:F3} {usedText,15} {all / units,9:F3}   {png}, {csv}");
        pictures.Add(png);
    }

    // Ten test images over each method's reconstructions.
    int n = Math.Min(10, test.Count);
    var rows = new float[(results.Count + 1) * n * 784];
    test.Features.Slice(0, n * 784).CopyTo(rows);
    for (int m = 0; m < results.Count; m++)
        results[m].Coder.Predict(test.Features.Slice(0, n * 784), rows.AsSpan((m + 1) * n * 784, n * 784), n);
    string reconstructions = Path.Combine(directory, "reconstructions.png");
    Pictures.ImageGrid(rows, (results.Count + 1) * n, 28, 28, columns: n).WritePng(reconstructions);
    Console.WriteLine();
    Console.WriteLine("Pictures:");
    foreach (string p in pictures)
        Console.WriteLine($"  {p}  (1024 atoms, 32 × 32 tiles of 28 × 28, row-major, most used first, each tile stretched to its own range; legend: the .csv beside it)");
    var names = new StringBuilder();
    foreach (Result r in results) names.Append(CultureInfo.InvariantCulture, $"; {r.Method}");
    Console.WriteLine($"  {reconstructions}  (rows: {n} test images{names}'s reconstructions)");
}

sealed record Result(ICoder Coder, string Method, string Sparsity, double L0, double DeadFraction, FiringWindow Window,
    ReconstructionQuality Quality, float Mse, double Seconds, double[] Frequency, double[] MeanAbs);

sealed record Options(int Epochs, int Samples, int TestSamples, int Batch, float LearningRate, float? L1, float? L0, string Init, int Threads, string[] Methods, string? Data, string Out)
{
    public const string Usage = "Usage: SparseCoding [--epochs N] [--samples N] [--batch N] [--lr η] [--l1 λ] [--l0 λ] [--only l1,topk,jumprelu] [--init transpose|random] [--threads N] [--data DIR|none] [--out DIR]";

    public static Options? Parse(string[] args)
    {
        int epochs = 5, samples = 60000, batch = 256, threads = Environment.ProcessorCount;
        float lr = 0.001f;
        float? l1 = null, l0 = null;
        string[] methods = ["l1", "topk", "jumprelu"];
        string? data = null;
        string output = "out";
        string init = "transpose";
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "--help" or "-h") { Console.WriteLine(Usage); Environment.Exit(0); }
            string? v = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = a switch
            {
                "--epochs" => int.TryParse(v, out epochs) && epochs > 0,
                "--samples" => int.TryParse(v, out samples) && samples > 0,
                "--batch" => int.TryParse(v, out batch) && batch > 0 && batch <= 4096,
                "--lr" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out lr) && lr > 0,
                "--l1" => TryLambda(v, out l1),
                "--l0" => TryLambda(v, out l0),
                "--only" => TryMethods(v, out methods),
                "--init" => (init = v ?? "") is "random" or "transpose",
                "--threads" => int.TryParse(v, out threads) && threads is > 0 and <= 64,
                "--data" => (data = v) is not null,
                "--out" => (output = v ?? "").Length > 0,
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"Bad or unknown option '{a} {v}'.");
                Console.Error.WriteLine(Usage);
                return null;
            }
            i++;
        }
        if (samples < batch) { Console.Error.WriteLine($"--samples ({samples}) must be at least --batch ({batch})."); return null; }
        return new Options(epochs, samples, Math.Min(10000, samples), batch, lr, l1, l0, init, threads, methods, data, output);
    }

    private static bool TryLambda(string? v, out float? lambda)
    {
        bool ok = float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float x) && x >= 0 && float.IsFinite(x);
        lambda = ok ? x : null;
        return ok;
    }

    private static bool TryMethods(string? v, out string[] methods)
    {
        methods = (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string m in methods) if (m is not ("l1" or "topk" or "jumprelu")) return false;
        return methods.Length > 0;
    }
}
