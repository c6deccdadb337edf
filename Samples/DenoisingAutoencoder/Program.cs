using System;
using System.Globalization;
using System.IO;
using Compiled.Data;
using Compiled.Samples;
using Samples.DenoisingAutoencoder;

// A denoising autoencoder (Gaussian noise on the input in training, the clean image as the target, a tied decoder) on
// Fashion-MNIST, against the same network trained on clean images: the held-out reconstruction error of clean and of
// noisy images, and a picture of noisy inputs over both models' reconstructions and the originals.
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
Console.WriteLine($"Data: {data.Description}.");
Console.WriteLine($"Training: Adam lr 0.001, batch {options.Batch}, {options.Epochs} epoch(s), {options.Threads} thread(s); the denoising model sees N(0, {Noise}²) noise on its inputs, the plain one clean inputs.");
Console.WriteLine();

// Held-out inputs with the noise the denoising model trained with (N(0, σ²) added to each pixel, not clipped).
float[] noisyTest = Noisy(data.Test.Features, seed: 99);
var denoising = new DenoisingAutoencoder(options.Batch, seed: 42) { Threads = options.Threads };
var plain = new PlainAutoencoder(options.Batch, seed: 42) { Threads = options.Threads };
Console.Write(denoising.Summary());
Console.WriteLine();
Console.WriteLine($"{"epoch",5} {"denoising: train",17} {"clean test",11} {"noisy test",11}   {"plain: train",13} {"clean test",11} {"noisy test",11}");
for (int epoch = 0; epoch < options.Epochs; epoch++)
{
    double d = 0, p = 0;
    denoising.Fit(data.Train, 1, options.Batch, seed: 7, onEpoch: r => d = r.Loss.Data, firstEpoch: epoch);
    plain.Fit(data.Train, 1, options.Batch, seed: 7, onEpoch: r => p = r.Loss.Data, firstEpoch: epoch);
    Console.WriteLine($"{epoch + 1,5} {d,17:F4} {Error(denoising.Predict, data.Test.Features),11:F4} {Error(denoising.Predict, noisyTest),11:F4}   {p,13:F4} {Error(plain.Predict, data.Test.Features),11:F4} {Error(plain.Predict, noisyTest),11:F4}");
}
double dNoisy = Error(denoising.Predict, noisyTest), pNoisy = Error(plain.Predict, noisyTest);
double dClean = Error(denoising.Predict, data.Test.Features), pClean = Error(plain.Predict, data.Test.Features);
double noiseOnly = MeanSquared(noisyTest, data.Test.Features.ToArray());
Console.WriteLine();
Console.WriteLine($"Held-out mean squared error per pixel against the clean images ({data.Test.Count:N0} images):");
Console.WriteLine($"  {"",-22} {"from clean inputs",18} {"from noisy inputs",18}");
Console.WriteLine($"  {"denoising (noise σ " + Noise + ")",-22} {dClean,18:F5} {dNoisy,18:F5}");
Console.WriteLine($"  {"plain",-22} {pClean,18:F5} {pNoisy,18:F5}");
Console.WriteLine($"  (the noisy inputs themselves are {noiseOnly:F5} from the clean images)");
Console.WriteLine(dNoisy < pNoisy
    ? $"From noisy inputs the denoising autoencoder's reconstructions are {pNoisy / dNoisy:F2}× closer to the clean images than the plain one's."
    : "The denoising autoencoder did NOT reconstruct noisy inputs better than the plain one in this run (train longer).");

Directory.CreateDirectory(options.Out);
string picture = Path.Combine(options.Out, "denoising.png");
int n = Math.Min(10, Math.Min(data.Test.Count, options.Batch));
var rows = new float[4 * n * 784];
noisyTest.AsSpan(0, n * 784).CopyTo(rows);
denoising.Predict(noisyTest.AsSpan(0, n * 784), rows.AsSpan(n * 784, n * 784), n);
plain.Predict(noisyTest.AsSpan(0, n * 784), rows.AsSpan(2 * n * 784, n * 784), n);
data.Test.Features.Slice(0, n * 784).CopyTo(rows.AsSpan(3 * n * 784));
Pictures.ImageGrid(rows, 4 * n, 28, 28, columns: n).WritePng(picture);
Console.WriteLine();
Console.WriteLine($"Picture: {picture}  (rows: {n} noisy held-out inputs; the denoising model's reconstructions; the plain model's; the originals)");
return 0;

// The mean squared error per pixel of a model's reconstructions of `inputs` against the clean test images, in batches.
double Error(PredictFn predict, ReadOnlySpan<float> inputs)
{
    var output = new float[options.Batch * 784];
    ReadOnlySpan<float> clean = data.Test.Features;
    double sum = 0;
    int rows = inputs.Length / 784;
    for (int start = 0; start < rows; start += options.Batch)
    {
        int b = Math.Min(options.Batch, rows - start);
        predict(inputs.Slice(start * 784, b * 784), output.AsSpan(0, b * 784), b);
        for (int i = 0; i < b * 784; i++)
        {
            double e = output[i] - clean[start * 784 + i];
            sum += e * e;
        }
    }
    return sum / inputs.Length;
}

static double MeanSquared(float[] a, float[] b)
{
    double sum = 0;
    for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (double)(a[i] - b[i]);
    return sum / a.Length;
}

static float[] Noisy(ReadOnlySpan<float> images, int seed)
{
    var r = new Random(seed);
    var noisy = new float[images.Length];
    for (int i = 0; i < noisy.Length; i++)
    {
        double n = Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
        noisy[i] = (float)(images[i] + Noise * n);
    }
    return noisy;
}

delegate void PredictFn(ReadOnlySpan<float> inputs, Span<float> outputs, int batch);

static partial class Program
{
    /// <summary>σ of the training noise, as written on the model.</summary>
    public const double Noise = 0.5;
}

sealed record Options(int Epochs, int Samples, int TestSamples, int Batch, int Threads, string? Data, string Out)
{
    public const string Usage = "Usage: DenoisingAutoencoder [--epochs N] [--samples N] [--batch N] [--threads N] [--data DIR|none] [--out DIR]";

    public static Options? Parse(string[] args)
    {
        int epochs = 5, samples = 60000, batch = 64, threads = Environment.ProcessorCount;
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
                "--batch" => int.TryParse(v, out batch) && batch > 0 && batch <= 1024,
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
        return new Options(epochs, samples, Math.Min(10000, samples), batch, threads, data, output);
    }
}
