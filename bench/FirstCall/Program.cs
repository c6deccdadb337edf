using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Compiled;
using Compiled.Data;

// The classifier of issue 15: 784 → 256 ReLU → 10 softmax, trained with Fit on the 60,000 Fashion-MNIST training
// images. Each mode measures the first calls of a fresh process, so run one mode per process:
//   fit      Fit for --epochs epochs (default 3, batch --batch, default 32): seconds of each epoch, the first
//            against the fastest of the others
//   predict  Predict at batch 1: the first 100 calls one by one (the first, which includes compiling the code under
//            JIT, and calls 2–100 apart), then steady state (after --warmup seconds of calls, default 3) as the median
//            of 21 blocks of 100 calls
// Prints one line "firstcall <mode> key=value ..." for bench/FirstCall/run.sh to read.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string mode = args.Length > 0 ? args[0] : "fit";
string data = "/usr/share/datasets/fashion-mnist";
int epochs = 3, batch = 32;
double warmup = 3;
for (int i = 1; i + 1 < args.Length; i += 2)
{
    string v = args[i + 1];
    switch (args[i])
    {
        case "--data": data = v; break;
        case "--epochs": epochs = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--batch": batch = int.Parse(v, CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = double.Parse(v, CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
if (!Directory.Exists(data)) { Console.Error.WriteLine($"Fashion-MNIST not found in {data} (apt-get install dataset-fashion-mnist, or --data DIR)"); return 1; }

if (mode == "fit")
{
    if (epochs < 2) { Console.Error.WriteLine("--epochs must be at least 2"); return 2; }
    Dataset train = Dataset.LoadMnistFormat(data, "train");
    var model = new Classifier(maxBatch: batch, seed: 1);
    var seconds = new double[epochs];
    model.Fit(train, epochs, batch, seed: 1, onEpoch: r => seconds[r.Epoch] = r.Seconds);
    // Steady: the fastest later epoch, the speed once everything is compiled (a later epoch can still carry
    // background recompilations; their mean is printed too).
    double steady = double.MaxValue, later = 0;
    for (int e = 1; e < epochs; e++) { steady = Math.Min(steady, seconds[e]); later += seconds[e] / (epochs - 1); }
    Console.WriteLine($"firstcall fit first={seconds[0]:F3} steady={steady:F3} ratio={seconds[0] / steady:F2} later_mean={later:F3} epochs={string.Join(',', Array.ConvertAll(seconds, s => s.ToString("F3", CultureInfo.InvariantCulture)))}");
    return 0;
}
if (mode == "predict")
{
    Dataset test = Dataset.LoadMnistFormat(data, "t10k");
    var model = new Classifier(maxBatch: 1, seed: 1);
    var output = new float[Classifier.OutputSize];
    var perCall = new double[100];
    for (int i = 0; i < 100; i++)
    {
        ReadOnlySpan<float> x = test.Features.Slice(i * Classifier.InputSize, Classifier.InputSize);
        long t = Stopwatch.GetTimestamp();
        model.Predict(x, output, 1);
        perCall[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
    }
    double first100 = 0;
    foreach (double us in perCall) first100 += us;

    var clock = Stopwatch.StartNew();
    int n = 0;
    while (clock.Elapsed.TotalSeconds < warmup)
        model.Predict(test.Features.Slice(n++ % test.Count * Classifier.InputSize, Classifier.InputSize), output, 1);
    var blocks = new double[21];
    for (int b = 0; b < blocks.Length; b++)
    {
        long t = Stopwatch.GetTimestamp();
        for (int i = 0; i < 100; i++) model.Predict(test.Features.Slice((b * 100 + i) * Classifier.InputSize, Classifier.InputSize), output, 1);
        blocks[b] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
    }
    double steady100 = Median(blocks), rest99 = first100 - perCall[0];
    double firstCall = perCall[0];
    Array.Sort(perCall);
    Console.WriteLine($"firstcall predict first_call_us={firstCall:F1} rest99_us={rest99:F1} steady99_us={steady100 * 0.99:F1} rest_ratio={rest99 / (steady100 * 0.99):F2} first100_us={first100:F1} steady100_us={steady100:F1} ratio={first100 / steady100:F2} median_of_first100_us={(perCall[49] + perCall[50]) / 2:F2}");
    return 0;
}
Console.Error.WriteLine("Usage: FirstCall fit|predict [--data DIR] [--epochs N] [--batch N] [--warmup SECONDS]");
return 2;

static double Median(ReadOnlySpan<double> values)
{
    double[] v = values.ToArray();
    Array.Sort(v);
    return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
}

[Model(Loss = Loss.SoftmaxCrossEntropy)]
[Input(784)]
[Dense(256, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class Classifier;
