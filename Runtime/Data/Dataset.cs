using System;
using System.Globalization;
using System.IO;

namespace Compiled.Data;

/// <summary>
/// Examples in memory: <see cref="Count"/> rows of <see cref="FeatureSize"/> features in one contiguous row-major array,
/// with targets (rows of <see cref="TargetSize"/> floats, or the features themselves, as an autoencoder wants) and
/// optional integer class labels. The arrays are used as given, not copied: do not change them while the dataset is
/// in use.
/// </summary>
public sealed class Dataset
{
    private readonly float[] _features;
    private readonly float[]? _targets;
    private readonly int[]? _labels;

    /// <summary>
    /// A dataset whose targets are its features (<see cref="TargetsAreFeatures"/>), as an autoencoder trains, with
    /// optional class labels.
    /// </summary>
    /// <param name="features">Count × <paramref name="featureSize"/> values, row-major.</param>
    /// <param name="featureSize">Features per example, at least 1.</param>
    /// <param name="labels">One class label (≥ 0) per example, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A length does not match; the message names the expected and actual sizes.</exception>
    public Dataset(float[] features, int featureSize, int[]? labels = null)
        : this(features, featureSize, null, featureSize, labels)
    {
    }

    /// <summary>A dataset with its own target rows (regression, or any target that is not the input).</summary>
    /// <param name="features">Count × <paramref name="featureSize"/> values, row-major.</param>
    /// <param name="featureSize">Features per example, at least 1.</param>
    /// <param name="targets">
    /// Count × <paramref name="targetSize"/> values, row-major; <see langword="null"/> means the targets are the features
    /// (then <paramref name="targetSize"/> must equal <paramref name="featureSize"/>).
    /// </param>
    /// <param name="targetSize">Target values per example, at least 1.</param>
    /// <param name="labels">One class label (≥ 0) per example, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A length does not match; the message names the expected and actual sizes.</exception>
    public Dataset(float[] features, int featureSize, float[]? targets, int targetSize, int[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (featureSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, "featureSize must be at least 1.");
        }

        if (features.Length % featureSize != 0)
        {
            throw new ArgumentException(Invariant(
                $"features has length {features.Length}, which is not a multiple of featureSize ({featureSize}): {features.Length / featureSize} rows and {features.Length % featureSize} values left over."),
                nameof(features));
        }

        int count = features.Length / featureSize;
        if (targetSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(targetSize), targetSize, "targetSize must be at least 1.");
        }

        if (targets is null && targetSize != featureSize)
        {
            throw new ArgumentException(Invariant(
                $"targets is null (the targets are the features), so targetSize must equal featureSize ({featureSize}); it was {targetSize}."),
                nameof(targetSize));
        }

        if (targets is not null && targets.Length != (long)count * targetSize)
        {
            throw new ArgumentException(Invariant(
                $"targets has length {targets.Length}; expected count ({count}) × targetSize ({targetSize}) = {(long)count * targetSize}."),
                nameof(targets));
        }

        int classes = 0;
        if (labels is not null)
        {
            if (labels.Length != count)
            {
                throw new ArgumentException(Invariant(
                    $"labels has length {labels.Length}; expected one per example, count = {count} (features: {features.Length} values / featureSize {featureSize})."),
                    nameof(labels));
            }

            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] < 0)
                {
                    throw new ArgumentException(Invariant($"labels[{i}] is {labels[i]}; class labels must be ≥ 0."), nameof(labels));
                }

                classes = Math.Max(classes, labels[i] + 1);
            }
        }

        _features = features;
        _targets = targets;
        _labels = labels;
        FeatureSize = featureSize;
        TargetSize = targetSize;
        Count = count;
        ClassCount = classes;
    }

    /// <summary>Number of examples (rows).</summary>
    public int Count { get; }

    /// <summary>Features per example.</summary>
    public int FeatureSize { get; }

    /// <summary>Target values per example (<see cref="FeatureSize"/> when <see cref="TargetsAreFeatures"/>).</summary>
    public int TargetSize { get; }

    /// <summary>Count × FeatureSize features, row-major.</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>
    /// Count × TargetSize targets, row-major. When <see cref="TargetsAreFeatures"/> this is the same memory as
    /// <see cref="Features"/>.
    /// </summary>
    public ReadOnlySpan<float> Targets => _targets ?? _features;

    /// <summary><see langword="true"/> when the dataset was built without targets: each example's target is its input.</summary>
    public bool TargetsAreFeatures => _targets is null;

    /// <summary>One class label per example, or empty when the dataset has none (<see cref="HasLabels"/>).</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>Whether the dataset has class labels.</summary>
    public bool HasLabels => _labels is not null;

    /// <summary>The number of classes inferred from the labels: the largest label + 1 (0 without labels).</summary>
    public int ClassCount { get; }

    /// <summary>Features of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> FeaturesOf(int index) => _features.AsSpan(RowIndex(index) * FeatureSize, FeatureSize);

    /// <summary>Targets of example <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> TargetsOf(int index) => Targets.Slice(RowIndex(index) * TargetSize, TargetSize);

    /// <summary>
    /// The first <paramref name="count"/> examples, copied (like LINQ's <c>Take</c>, asking for more than
    /// <see cref="Count"/> gives them all).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public Dataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Slice(0, Math.Min(count, Count));
    }

    /// <summary>Examples <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> − 1, copied.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within 0..<see cref="Count"/>.</exception>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), Invariant(
                $"rows {start} to {(long)start + count} (start {start}, count {count}) do not lie within the dataset's {Count} rows."));
        }

        float[] features = _features.AsSpan(start * FeatureSize, count * FeatureSize).ToArray();
        float[]? targets = _targets?.AsSpan(start * TargetSize, count * TargetSize).ToArray();
        int[]? labels = _labels?.AsSpan(start, count).ToArray();
        return new Dataset(features, FeatureSize, targets, TargetSize, labels);
    }

    /// <summary>
    /// A reusable source of mini-batches over this dataset; see <see cref="MiniBatches"/> for the order and reuse
    /// contract. Its buffers are allocated here, once: enumerating epochs allocates nothing.
    /// </summary>
    /// <param name="batchSize">
    /// Examples per batch, at least 1. Larger than <see cref="Count"/> is allowed: one short batch per epoch, or none
    /// with <paramref name="dropLast"/>.
    /// </param>
    /// <param name="seed">Seeds the shuffle: epoch e's order is a function of (seed, e) only.</param>
    /// <param name="shuffle">Visit the examples in a new random order each epoch (default), or in dataset order.</param>
    /// <param name="dropLast">
    /// Skip the last Count mod batchSize examples of each epoch, so every batch is full. When <see langword="false"/>
    /// (default) the last batch is short (Count mod batchSize examples) if batchSize does not divide Count.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public MiniBatches CreateBatches(int batchSize, int seed, bool shuffle = true, bool dropLast = false)
        => new(this, batchSize, seed, shuffle, dropLast);

    /// <summary>
    /// Loads an MNIST-format dataset (MNIST, Fashion-MNIST, KMNIST) from <paramref name="directory"/>: images from
    /// <c>{split}-images-idx3-ubyte</c> and labels from <c>{split}-labels-idx1-ubyte</c>, each plain or with
    /// <c>.gz</c> appended (plain first). Pixels are scaled to [0, 1]; the targets are the features (autoencoder); the
    /// labels are the class labels. Debian's <c>dataset-fashion-mnist</c> package installs the gzipped files in
    /// <c>/usr/share/datasets/fashion-mnist</c>.
    /// </summary>
    /// <param name="directory">The directory holding the four files.</param>
    /// <param name="split"><c>"train"</c> (60,000 examples) or <c>"t10k"</c> (10,000), the files' prefixes.</param>
    /// <param name="limit">Keep only the first <paramref name="limit"/> examples (all of them if there are fewer).</param>
    /// <exception cref="ArgumentException"><paramref name="split"/> is neither "train" nor "t10k", or <paramref name="limit"/> is negative.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message lists the names tried.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or the two files hold different numbers of examples.</exception>
    public static Dataset LoadMnistFormat(string directory, string split = "train", int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (split is not ("train" or "t10k"))
        {
            throw new ArgumentException(Invariant($"split must be \"train\" or \"t10k\" (the MNIST file prefixes); it was \"{split}\"."), nameof(split));
        }

        if (limit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be ≥ 0.");
        }

        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(Invariant($"The MNIST-format directory {directory} does not exist."));
        }

        string imagesPath = Find(directory, split + "-images-idx3-ubyte");
        string labelsPath = Find(directory, split + "-labels-idx1-ubyte");
        IdxImages images = IdxFile.ReadImages(imagesPath);
        int[] labels = IdxFile.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException(Invariant(
                $"{images.Count} images but {labels.Length} labels: {imagesPath} and {labelsPath} must hold the same number of examples."));
        }

        var all = new Dataset(images.Pixels, images.PixelsPerImage, labels);
        return limit is int n && n < all.Count ? all.Take(n) : all;
    }

    private static string Find(string directory, string name)
    {
        string plain = Path.Combine(directory, name);
        if (File.Exists(plain)) return plain;
        string gzipped = plain + ".gz";
        if (File.Exists(gzipped)) return gzipped;
        throw new FileNotFoundException(Invariant($"Found neither {plain} nor {gzipped}."), plain);
    }

    private int RowIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, Invariant($"index must be between 0 and {Count - 1}."));
        }

        return index;
    }

    internal float[] FeatureArray => _features;

    internal float[]? TargetArray => _targets;

    internal int[]? LabelArray => _labels;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
