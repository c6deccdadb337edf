using System.Globalization;
using Compiled.Data;

namespace Compiled.Benchmarks;

/// <summary>
/// The accuracy of the int8 form (docs/quantization.md), on Fashion-MNIST: the seed autoencoder as the sample trains it
/// (SGD 0.01, batch 64) and a 784 → 256 relu → 10 softmax classifier (SGD 0.1, batch 64), each trained for a number of
/// epochs, then float32 against int8 on the 10,000 test images: max and mean |Δ output| for the autoencoder, accuracy
/// and agreement of the predicted classes for the classifier. Writes both float models as safetensors to --out, for
/// bench/compare/int8_accuracy.py (PyTorch's quantize_dynamic on the same weights).
/// <c>dotnet run -c Release --project bench/Compiled.Benchmarks -- int8-accuracy [--data DIR] [--epochs N] [--samples N]
/// [--batch N] [--test N] [--out DIR]</c>: --samples limits the training images (both models), --batch is the
/// autoencoder's batch (the classifier's is 64), --test limits the test images. <c>--samples 9600 --batch 32 --test 1000</c>
/// trains the autoencoder exactly as Generator.Tests' QuantizedAccuracyTests does (300 steps).
/// </summary>
public static class Int8Accuracy
{
    public static void Run(string[] args)
    {
        string data = Arg(args, "--data", "/usr/share/datasets/fashion-mnist");
        int epochs = int.Parse(Arg(args, "--epochs", "1"), CultureInfo.InvariantCulture);
        string output = Arg(args, "--out", Path.Combine("bench", "compare", "int8"));
        int? samples = args.Contains("--samples") ? int.Parse(Arg(args, "--samples", "0"), CultureInfo.InvariantCulture) : null;
        int? tests = args.Contains("--test") ? int.Parse(Arg(args, "--test", "0"), CultureInfo.InvariantCulture) : null;
        int batch = int.Parse(Arg(args, "--batch", "64"), CultureInfo.InvariantCulture);
        Directory.CreateDirectory(output);
        Dataset train = Dataset.LoadMnistFormat(data, "train", samples);
        Dataset test = Dataset.LoadMnistFormat(data, "t10k", tests);
        if (test.Count % 100 != 0) throw new ArgumentException("--test must be a multiple of 100");
        Console.WriteLine($"Fashion-MNIST from {data}: {train.Count:N0} training, {test.Count:N0} test images; {epochs} epoch(s) of SGD, the autoencoder at batch {batch}, the classifier at 64");

        var autoencoder = new SampleAutoencoder(100, 42) { LearningRate = 0.01f };
        autoencoder.Fit(train, epochs, batchSize: batch, seed: 1);
        QuantizedModel q = QuantizedModel.Create(
        [
            new QuantizedLayerSource("hid1", 784, 400, autoencoder.Hid1Weight.ToArray(), autoencoder.Hid1Bias.ToArray(), Activation.Tanh),
            new QuantizedLayerSource("out", 400, 784, autoencoder.OutWeight.ToArray(), autoencoder.OutBias.ToArray(), Activation.Sigmoid),
        ], 100);
        double max = 0, sum = 0, loss = 0;
        float[] yf = new float[100 * 784], yq = new float[100 * 784];
        for (int start = 0; start < test.Count; start += 100)
        {
            ReadOnlySpan<float> x = test.Features.Slice(start * 784, 100 * 784);
            autoencoder.Predict(x, yf, 100);
            q.Predict(x, yq, 100);
            for (int i = 0; i < yf.Length; i++)
            {
                double d = Math.Abs(yf[i] - yq[i]);
                max = Math.Max(max, d);
                sum += d;
                loss += (yf[i] - x[i]) * (yf[i] - x[i]);
            }
        }
        Console.WriteLine($"seed autoencoder: test reconstruction ½‖y − x‖² per image {loss / 2 / test.Count:F3}; int8 against float32 over {test.Count * 784:N0} outputs: max |Δ| {max:E3}, mean |Δ| {sum / (test.Count * 784.0):E3}");
        autoencoder.Save(Path.Combine(output, "seed_autoencoder.safetensors"));

        var classifier = new FashionClassifier(100, 42);
        classifier.Fit(train, epochs, batchSize: 64, seed: 1);
        QuantizedModel qc = QuantizedModel.Create(
        [
            new QuantizedLayerSource("hid1", 784, 256, classifier.Hid1Weight.ToArray(), classifier.Hid1Bias.ToArray(), Activation.Relu),
            new QuantizedLayerSource("out", 256, 10, classifier.OutWeight.ToArray(), classifier.OutBias.ToArray(), Activation.Softmax),
        ], 100);
        int correctFloat = 0, correctInt8 = 0, agree = 0;
        float[] pf = new float[100 * 10], pq = new float[100 * 10];
        int[] cf = new int[100], cq = new int[100];
        for (int start = 0; start < test.Count; start += 100)
        {
            ReadOnlySpan<float> x = test.Features.Slice(start * 784, 100 * 784);
            classifier.Predict(x, pf, 100);
            qc.Predict(x, pq, 100);
            Kernels.Softmax.ArgMax(pf, cf, 10);
            Kernels.Softmax.ArgMax(pq, cq, 10);
            for (int i = 0; i < 100; i++)
            {
                int label = test.Labels[start + i];
                correctFloat += cf[i] == label ? 1 : 0;
                correctInt8 += cq[i] == label ? 1 : 0;
                agree += cf[i] == cq[i] ? 1 : 0;
            }
        }
        Console.WriteLine($"classifier: test accuracy float32 {100.0 * correctFloat / test.Count:F2} %, int8 {100.0 * correctInt8 / test.Count:F2} % (Δ {100.0 * (correctInt8 - correctFloat) / test.Count:+0.00;-0.00} points); same predicted class on {100.0 * agree / test.Count:F2} % of the images");
        classifier.Save(Path.Combine(output, "classifier.safetensors"));
        Console.WriteLine($"float models written to {output}/ (for bench/compare/int8_accuracy.py)");
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
