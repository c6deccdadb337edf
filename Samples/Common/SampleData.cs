using System;
using System.IO;
using Compiled.Data;

namespace Compiled.Samples;

/// <summary>
/// The samples' data: Fashion-MNIST (IDX files from <c>--data DIR</c>, or the Debian package's folder when it is
/// installed), else the built-in generated images. <see cref="Description"/> says which was used.
/// </summary>
public sealed record SampleData(Dataset Train, Dataset Test, string Description, bool IsFashionMnist)
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's class names, by label.</summary>
    public static readonly string[] FashionClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads <paramref name="samples"/> training and <paramref name="testSamples"/> test rows. <paramref name="data"/>:
    /// null = Fashion-MNIST from <see cref="DebianFashionMnist"/> if present, else built-in; "none" = built-in; otherwise
    /// a folder with the four IDX files (an error if it does not exist). <paramref name="oneHotTargets"/> makes the
    /// targets one-hot class vectors (for a classifier trained with a regression loss); otherwise targets are the
    /// inputs (an autoencoder).
    /// </summary>
    public static SampleData Load(string? data, int samples, int testSamples, bool oneHotTargets)
    {
        string? directory = data switch
        {
            null => Directory.Exists(DebianFashionMnist) ? DebianFashionMnist : null,
            "none" => null,
            _ => Directory.Exists(data) ? data : throw new DirectoryNotFoundException($"--data {data}: no such folder (it should hold train-images-idx3-ubyte[.gz] and the other three IDX files)."),
        };
        if (directory is not null)
        {
            Dataset train = Dataset.LoadMnistFormat(directory, "train", samples), test = Dataset.LoadMnistFormat(directory, "t10k", testSamples);
            if (oneHotTargets) { train = OneHot(train); test = OneHot(test); }
            return new SampleData(train, test,
                $"Fashion-MNIST from {directory}: the first {train.Count:N0} training and {test.Count:N0} test images (28×28, 10 classes)", true);
        }
        if (oneHotTargets)
        {
            float[] x = SyntheticDigits.GenerateLabelled(samples, 1, out int[] y), xt = SyntheticDigits.GenerateLabelled(testSamples, 2, out int[] yt);
            return new SampleData(OneHot(new Dataset(x, SyntheticDigits.Pixels, y)), OneHot(new Dataset(xt, SyntheticDigits.Pixels, yt)),
                $"built-in generated glyphs (Fashion-MNIST not found; install dataset-fashion-mnist or pass --data DIR): {samples:N0} training and {testSamples:N0} test 28×28 images, 10 classes", false);
        }
        return new SampleData(new Dataset(SyntheticDigits.Generate(samples, 1), SyntheticDigits.Pixels), new Dataset(SyntheticDigits.Generate(testSamples, 2), SyntheticDigits.Pixels),
            $"built-in generated pen strokes (Fashion-MNIST not found; install dataset-fashion-mnist or pass --data DIR): {samples:N0} training and {testSamples:N0} held-out 28×28 images", false);
    }

    private static Dataset OneHot(Dataset d)
    {
        int classes = 10;
        var targets = new float[d.Count * classes];
        ReadOnlySpan<int> labels = d.Labels;
        for (int i = 0; i < d.Count; i++) targets[i * classes + labels[i]] = 1f;
        return new Dataset(d.Features.ToArray(), d.FeatureSize, targets, classes, labels.ToArray());
    }
}
