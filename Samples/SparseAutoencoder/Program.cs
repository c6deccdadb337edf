using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Compiled.Data;
using Compiled.Samples;
using Samples.SparseAutoencoder;

// The seed sparse autoencoder, 784 → 400 tanh with ActivityL1(λ) → 784 sigmoid, on Fashion-MNIST (or the built-in
// images): trains once with the L1 activity penalty and once without, shows what the penalty does to the hidden code,
// and draws the learned features (most used units first, with how structured they are), the reconstructions and the
// loss curves into --out. The recipe (momentum SGD, weight decay, three epochs of the 60,000 images) and why: README.md.
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
string optimizer = options.Momentum > 0 ? $"SGD with momentum {options.Momentum}" : "SGD (momentum 0)";
Console.WriteLine($"Training: {optimizer}, learning rate {options.LearningRate}, weight decay {options.WeightDecay} ((λ/2)·ΣW²), batch {options.Batch}, {options.Epochs} epoch(s) of {data.Train.Count:N0} images, {options.Threads} thread(s); λ = {options.L1} and, for comparison, λ = 0.");
Console.WriteLine();

Run sparse = Train(options, options.L1, data, verbose: true);
Console.WriteLine();
Run dense = Train(options, 0f, data, verbose: false);

Console.WriteLine();
Console.WriteLine("Held-out comparison after training:");
Console.WriteLine($"  {"",-14} {"data loss",10} {"mean |a|",10} {"|a|<0.01",9} {"dead units",11}");
Console.WriteLine($"  {"λ = " + options.L1,-14} {sparse.Final.Data,10:F5} {sparse.Final.MeanAbs,10:F4} {sparse.Final.Below,8:P1} {sparse.Final.Dead,7}/400");
Console.WriteLine($"  {"λ = 0",-14} {dense.Final.Data,10:F5} {dense.Final.MeanAbs,10:F4} {dense.Final.Below,8:P1} {dense.Final.Dead,7}/400");
if (sparse.Final.MeanAbs < dense.Final.MeanAbs && sparse.Final.Below > dense.Final.Below)
    Console.WriteLine($"The L1 penalty did its job: mean |a| fell {dense.Final.MeanAbs / Math.Max(sparse.Final.MeanAbs, 1e-9f):F1}× and the share of near-zero hidden activations rose from {dense.Final.Below:P1} to {sparse.Final.Below:P1}.");
else
    Console.WriteLine("The L1 penalty did NOT make the code sparser in this run (try more epochs or a larger λ).");

Console.WriteLine();
WritePictures(options.Out, sparse, dense, data);
return 0;

static Run Train(Options o, float l1, SampleData data, bool verbose)
{
    var model = new SparseAutoencoder(o.Batch, seed: 42) { LearningRate = o.LearningRate, Momentum = o.Momentum, Threads = o.Threads };
    model.Regularization.Hid1ActivityL1 = l1;
    model.Regularization.WeightDecay = o.WeightDecay;
    if (verbose)
    {
        Console.Write(model.Summary());
        Console.WriteLine();
    }
    MiniBatches batches = data.Train.CreateBatches(o.Batch, seed: 7, shuffle: true, dropLast: true);
    var epochs = new List<Measured>();
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var trainData = new List<double>();
    var trainL1 = new List<double>();
    string title = $"λ = {l1}";
    for (int epoch = 0; epoch < o.Epochs; epoch++)
    {
        double sumData = 0, sumL1 = 0;
        int seen = 0;
        double rate = 0;
        ProgressDisplay.Run($"{title}, epoch {epoch + 1}/{o.Epochs}", batches.ExamplesPerEpoch, progress =>
        {
            foreach (Batch batch in batches.Epoch(epoch))
            {
                model.TrainStep(batch.Inputs, batch.Targets, batch.Count);
                sumData += model.LastLoss.Data * batch.Count;
                sumL1 += model.LastLoss.Hid1ActivityL1 * batch.Count;
                seen += batch.Count;
                progress.Advance(batch.Count, () => $"data {sumData / seen:F5}  L1 {sumL1 / seen:F4}");
            }
            rate = progress.SamplesPerSecond;
        }, silentWhenPlain: verbose);
        trainData.Add(sumData / seen);
        trainL1.Add(sumL1 / seen);
        Measured m = Measure(model, data.Test) with { SamplesPerSecond = rate };
        epochs.Add(m);
        if (verbose)
        {
            if (epoch == 0)
                Console.WriteLine($"{"epoch",5} {"data loss",10} {"L1 term",10} {"mean |a|",10} {"|a|<0.01",9} {"dead",5} {"samples/s",10}   (held-out set)");
            Console.WriteLine($"{epoch + 1,5} {m.Data,10:F5} {m.L1,10:F5} {m.MeanAbs,10:F4} {m.Below,8:P1} {m.Dead,5} {m.SamplesPerSecond,10:F0}");
        }
    }
    double seconds = clock.Elapsed.TotalSeconds;
    if (verbose) Console.WriteLine($"Trained in {seconds:F1} s.");
    return new Run(model, epochs, trainData, trainL1, l1, seconds);
}

// The held-out set through Evaluate: the loss terms and the sparsity telemetry, without touching the model.
static Measured Measure(SparseAutoencoder model, Dataset data)
{
    int batch = model.MaxBatch, batches = 0;
    double dataLoss = 0, l1 = 0, meanAbs = 0, below = 0;
    int dead = 400;
    for (int start = 0; start + batch <= data.Count; start += batch, batches++)
    {
        ReadOnlySpan<float> x = data.Features.Slice(start * SparseAutoencoder.InputSize, batch * SparseAutoencoder.InputSize);
        var loss = model.Evaluate(x, x, batch);
        var s = model.LastSparsity.Hid1;
        dataLoss += loss.Data; l1 += loss.Hid1ActivityL1; meanAbs += s.MeanAbs; below += s.FractionBelowEpsilon;
        dead = Math.Min(dead, s.DeadUnits);
    }
    return new Measured((float)(dataLoss / batches), (float)(l1 / batches), (float)(meanAbs / batches), (float)(below / batches), dead, 0);
}

static void WritePictures(string directory, Run sparse, Run dense, SampleData data)
{
    Directory.CreateDirectory(directory);
    string filters = Path.Combine(directory, "filters.png"), reconstructions = Path.Combine(directory, "reconstructions.png"), loss = Path.Combine(directory, "loss.svg");

    // The 400 learned features: row j of hid1.weight as a 28×28 tile, each tile stretched to its own range, most used
    // unit first (usage = mean |a| over the held-out images); the legend lists each tile's unit, usage and score.
    Features features = Features.Of(sparse.Model, data.Test);
    Pictures.FeatureGrid(sparse.Model.Hid1Weight, features.Order, 28, 28, columns: 20).WritePng(filters);
    string legend = Path.Combine(directory, "filters.csv");
    AtomicFile.WriteAllText(legend, features.Legend());

    // Ten held-out inputs over their reconstructions.
    int n = Math.Min(10, Math.Min(data.Test.Count, sparse.Model.MaxBatch));
    ReadOnlySpan<float> inputs = data.Test.Features.Slice(0, n * 784);
    var outputs = new float[n * 784];
    sparse.Model.Predict(inputs, outputs, n);
    Pictures.InputsOverReconstructions(inputs, outputs, n, 28, 28).WritePng(reconstructions);

    // Loss curves per term, per epoch.
    double[] epochs = new double[sparse.Epochs.Count];
    for (int i = 0; i < epochs.Length; i++) epochs[i] = i + 1;
    double[] Held(Run r, Func<Measured, double> f) { var v = new double[r.Epochs.Count]; for (int i = 0; i < v.Length; i++) v[i] = f(r.Epochs[i]); return v; }
    var series = new List<Series>
    {
        new($"train data, λ={sparse.Lambda}", epochs, sparse.TrainData.ToArray()),
        new($"train L1, λ={sparse.Lambda}", epochs, sparse.TrainL1.ToArray()),
        new($"test data, λ={sparse.Lambda}", epochs, Held(sparse, m => m.Data)),
        new("test data, λ=0", epochs, Held(dense, m => m.Data)),
    };
    SvgChart.Write(loss, SvgChart.Lines("Sparse autoencoder: loss per term", "epoch", "loss", series, logY: true));

    Console.WriteLine("Learned features (hid1.weight rows as 28 × 28 images), most used units first:");
    features.Print();
    Console.WriteLine();
    Console.WriteLine("Pictures:");
    Console.WriteLine($"  {filters}  (the 400 hidden units' input weights, 20 × 20 tiles of 28 × 28, row-major, most used first)");
    Console.WriteLine($"  {legend}  (the legend: rank, unit, usage = mean |a| on held-out images, structure score of each tile)");
    Console.WriteLine($"  {reconstructions}  (top: {n} held-out inputs; bottom: their reconstructions)");
    Console.WriteLine($"  {loss}  (loss curves per term)");
}

// The hidden units ordered by use on held-out images, and how much each unit's input weights look like a picture.
sealed record Features(int[] Order, double[] Usage, double[] Score, int Images)
{
    public const int MostUsed = 100;

    public static Features Of(SparseAutoencoder model, Dataset heldOut)
    {
        const int units = 400;
        var sums = new double[units];
        int rows = 0;
        for (int start = 0; start < heldOut.Count; start += model.MaxBatch)
        {
            int batch = Math.Min(model.MaxBatch, heldOut.Count - start);
            ReadOnlySpan<float> x = heldOut.Features.Slice(start * SparseAutoencoder.InputSize, batch * SparseAutoencoder.InputSize);
            model.Evaluate(x, x, batch);
            FilterStructure.AccumulateAbs(model.Hid1Activations, units, sums);
            rows += batch;
        }
        var usage = new double[units];
        for (int j = 0; j < units; j++) usage[j] = sums[j] / rows;
        var score = new double[units];
        ReadOnlySpan<float> weights = model.Hid1Weight;
        for (int j = 0; j < units; j++) score[j] = FilterStructure.NeighbourCorrelation(weights.Slice(j * 784, 784), 28, 28);
        return new Features(FilterStructure.MostUsedFirst(usage), usage, score, rows);
    }

    // Mean score of the tiles at ranks [from, to).
    public double MeanScore(int from, int to)
    {
        double sum = 0;
        for (int k = from; k < to; k++) sum += Score[Order[k]];
        return sum / (to - from);
    }

    public void Print()
    {
        int n = Order.Length;
        Console.WriteLine($"  structure score (mean correlation of neighbouring pixels within a tile; noise ≈ 0, stroke-like 0.4–0.7):");
        Console.WriteLine($"    {MostUsed} most used units: {MeanScore(0, Math.Min(MostUsed, n)):F3}    all {n}: {MeanScore(0, n):F3}");
        Console.WriteLine($"  usage = mean |a| of the unit over the {Images:N0} held-out images; per row of tiles in filters.png:");
        Console.WriteLine($"    {"row",3} {"ranks",9} {"usage",15} {"score",6}");
        for (int row = 0; row * 20 < n; row++)
        {
            int from = row * 20, to = Math.Min(n, from + 20);
            Console.WriteLine($"    {row + 1,3} {$"{from + 1}–{to}",9} {$"{Usage[Order[from]]:F3}–{Usage[Order[to - 1]]:F3}",15} {MeanScore(from, to),6:F3}");
        }
    }

    // filters.csv: one line per tile in picture order.
    public string Legend()
    {
        var text = new System.Text.StringBuilder("rank,unit,usage_mean_abs_a,structure_score\n");
        for (int k = 0; k < Order.Length; k++)
            text.Append(CultureInfo.InvariantCulture, $"{k + 1},{Order[k]},{Usage[Order[k]]:G6},{Score[Order[k]]:F4}\n");
        return text.ToString();
    }
}

readonly record struct Measured(float Data, float L1, float MeanAbs, float Below, int Dead, double SamplesPerSecond);

sealed record Run(SparseAutoencoder Model, List<Measured> Epochs, List<double> TrainData, List<double> TrainL1, float Lambda, double Seconds)
{
    public Measured Final => Epochs[^1];
}

sealed record Options(int Epochs, int Samples, int TestSamples, int Batch, float L1, float LearningRate, float Momentum, float WeightDecay, int Threads, string? Data, string Out)
{
    public const string Usage = "Usage: SparseAutoencoder [--epochs N] [--samples N] [--batch N] [--l1 λ] [--lr η] [--momentum μ] [--weight-decay λ] [--threads N] [--data DIR|none] [--out DIR]";

    public static Options? Parse(string[] args)
    {
        int epochs = 3, samples = 60000, batch = 32, threads = Environment.ProcessorCount;
        float l1 = 0.1f, lr = 0.01f, momentum = 0.9f, weightDecay = 0.003f;
        string? data = null;
        string output = "out";
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "--help" or "-h") { Console.WriteLine(Usage); Environment.Exit(0); }
            string? v = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = a switch
            {
                "--epochs" => int.TryParse(v, out epochs) && epochs > 0,
                "--samples" => int.TryParse(v, out samples) && samples > 0,
                "--batch" => int.TryParse(v, out batch) && batch > 0,
                "--l1" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out l1) && l1 >= 0,
                "--lr" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out lr) && lr > 0,
                "--momentum" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out momentum) && momentum is >= 0 and < 1,
                "--weight-decay" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out weightDecay) && weightDecay >= 0,
                "--threads" => int.TryParse(v, out threads) && threads > 0,
                "--data" => (data = v) is not null,
                "--out" => (output = v ?? "") .Length > 0,
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
        return new Options(epochs, samples, Math.Max(batch, Math.Min(2000, samples)), batch, l1, lr, momentum, weightDecay, threads, data, output);
    }
}
