using System;
using System.Diagnostics;
using System.Globalization;
using Samples.SparseAutoencoder;

// The seed sparse autoencoder on the built-in dataset: trains once with the L1 activity penalty and once without,
// and shows what the penalty does to the hidden code.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var options = Options.Parse(args);
if (options is null) return 2;

float[] train = SyntheticDigits.Generate(options.Samples, seed: 1);
float[] test = SyntheticDigits.Generate(500, seed: 2);
Console.WriteLine($"Data: built-in synthetic pen strokes, {options.Samples} training and 500 held-out 28×28 images.");
Console.WriteLine($"Model: 784 → 400 tanh, ActivityL1(λ = {options.L1}, per-sample sum, batch mean) on hid1 → 784 sigmoid; MSE; SGD lr {options.LearningRate}; batch {options.Batch}; {options.Epochs} epochs; {options.Threads} thread(s).");
Console.WriteLine();

Result sparse = Train(options, options.L1, train, test, verbose: true);
Console.WriteLine();
Result dense = Train(options, 0f, train, test, verbose: false);

Console.WriteLine();
Console.WriteLine("Held-out comparison after training:");
Console.WriteLine($"  {"",-14} {"data loss",10} {"mean |a|",10} {"|a|<0.01",9} {"dead units",11}");
Console.WriteLine($"  {"λ = " + options.L1,-14} {sparse.Data,10:F5} {sparse.MeanAbs,10:F4} {sparse.Below,8:P1} {sparse.Dead,7}/400");
Console.WriteLine($"  {"λ = 0",-14} {dense.Data,10:F5} {dense.MeanAbs,10:F4} {dense.Below,8:P1} {dense.Dead,7}/400");
if (sparse.MeanAbs < dense.MeanAbs && sparse.Below > dense.Below)
    Console.WriteLine($"The L1 penalty did its job: mean |a| fell {dense.MeanAbs / Math.Max(sparse.MeanAbs, 1e-9f):F1}× and the share of near-zero hidden activations rose from {dense.Below:P1} to {sparse.Below:P1}.");
else
    Console.WriteLine("The L1 penalty did NOT make the code sparser in this run (try more epochs or a larger λ).");
return 0;

static Result Train(Options o, float l1, float[] train, float[] test, bool verbose)
{
    var model = new SparseAutoencoder(o.Batch, seed: 42) { LearningRate = o.LearningRate, Threads = o.Threads };
    model.Regularization.Hid1ActivityL1 = l1;
    int n = train.Length / SparseAutoencoder.InputSize;
    if (verbose)
    {
        Console.Write(model.Summary());
        Console.WriteLine();
    }
    if (verbose)
        Console.WriteLine($"{"epoch",5} {"data loss",10} {"L1 term",10} {"mean |a|",10} {"|a|<0.01",9} {"dead",5} {"samples/s",10}");
    Result r = default;
    for (int epoch = 1; epoch <= o.Epochs; epoch++)
    {
        var clock = Stopwatch.StartNew();
        for (int start = 0; start + o.Batch <= n; start += o.Batch)
        {
            ReadOnlySpan<float> x = train.AsSpan(start * SparseAutoencoder.InputSize, o.Batch * SparseAutoencoder.InputSize);
            model.TrainStep(x, x, o.Batch);
        }
        double rate = n / o.Batch * o.Batch / clock.Elapsed.TotalSeconds;
        r = Measure(model, test);
        if (verbose)
            Console.WriteLine($"{epoch,5} {r.Data,10:F5} {r.L1,10:F5} {r.MeanAbs,10:F4} {r.Below,8:P1} {r.Dead,5} {rate,10:F0}");
    }
    return r;
}

// The held-out set through Evaluate: the loss terms and the sparsity telemetry, without touching the model.
static Result Measure(SparseAutoencoder model, float[] data)
{
    int batch = model.MaxBatch, n = data.Length / SparseAutoencoder.InputSize, batches = 0;
    double dataLoss = 0, l1 = 0, meanAbs = 0, below = 0;
    int dead = 400;
    for (int start = 0; start + batch <= n; start += batch, batches++)
    {
        ReadOnlySpan<float> x = data.AsSpan(start * SparseAutoencoder.InputSize, batch * SparseAutoencoder.InputSize);
        var loss = model.Evaluate(x, x, batch);
        var s = model.LastSparsity.Hid1;
        dataLoss += loss.Data; l1 += loss.Hid1ActivityL1; meanAbs += s.MeanAbs; below += s.FractionBelowEpsilon;
        dead = Math.Min(dead, s.DeadUnits);
    }
    return new Result((float)(dataLoss / batches), (float)(l1 / batches), (float)(meanAbs / batches), (float)(below / batches), dead);
}

readonly record struct Result(float Data, float L1, float MeanAbs, float Below, int Dead);

sealed record Options(int Epochs, int Samples, int Batch, float L1, float LearningRate, int Threads)
{
    public static Options? Parse(string[] args)
    {
        int epochs = 10, samples = 4000, batch = 32, threads = Environment.ProcessorCount;
        float l1 = 0.1f, lr = 0.05f;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? v = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = a switch
            {
                "--epochs" => int.TryParse(v, out epochs) && epochs > 0,
                "--samples" => int.TryParse(v, out samples) && samples > 0,
                "--batch" => int.TryParse(v, out batch) && batch > 0,
                "--l1" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out l1) && l1 >= 0,
                "--lr" => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out lr) && lr > 0,
                "--threads" => int.TryParse(v, out threads) && threads > 0,
                _ => false,
            };
            if (!ok)
            {
                Console.Error.WriteLine($"Bad or unknown option '{a} {v}'.");
                Console.Error.WriteLine("Usage: SparseAutoencoder [--epochs N] [--samples N] [--batch N] [--l1 λ] [--lr η] [--threads N]");
                return null;
            }
            i++;
        }
        if (samples < batch) { Console.Error.WriteLine($"--samples ({samples}) must be at least --batch ({batch})."); return null; }
        return new Options(epochs, samples, batch, l1, lr, threads);
    }
}
