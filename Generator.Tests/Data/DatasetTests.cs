using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Compiled.Data;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// Dataset validation and copies, the mini-batch contract (every row once per epoch, short or dropped last batch,
/// targets and labels follow their rows, a shuffle that is a function of (seed, epoch) checked against an independent
/// implementation, no allocation) and <see cref="Dataset.LoadMnistFormat"/> on hand-made files.
/// </summary>
public sealed class DatasetTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "compiled-dataset-" + Guid.NewGuid().ToString("N"));

    public DatasetTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Row i: features [i, i + 0.5, −i], targets [1000 + i, 2000 + i], label i mod 10 (or none).</summary>
    private static Dataset Numbered(int count, bool targets = true, bool labels = true)
    {
        var f = new float[count * 3];
        var t = new float[count * 2];
        var l = new int[count];
        for (int i = 0; i < count; i++)
        {
            f[3 * i] = i;
            f[3 * i + 1] = i + 0.5f;
            f[3 * i + 2] = -i;
            t[2 * i] = 1000 + i;
            t[2 * i + 1] = 2000 + i;
            l[i] = i % 10;
        }

        return targets ? new Dataset(f, 3, t, 2, labels ? l : null) : new Dataset(f, 3, labels ? l : null);
    }

    // ---- Construction ----------------------------------------------------------------------------------------------

    [Fact]
    public void Constructor_messages_name_expected_and_actual_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset(new float[10], 3));
        Assert.Equal("features", e.ParamName);
        Assert.Contains("features has length 10, which is not a multiple of featureSize (3): 3 rows and 1 values left over", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, new float[7], 4));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("targets has length 7; expected count (2) × targetSize (4) = 8", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, [1, 2, 3]));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("labels has length 3; expected one per example, count = 2", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, [0, -4]));
        Assert.Contains("labels[1] is -4", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Dataset(new float[6], 3, null, 2));
        Assert.Contains("targetSize must equal featureSize (3); it was 2", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[6], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset(new float[6], 3, new float[6], 0));
        Assert.Throws<ArgumentNullException>(() => new Dataset(null!, 3));
    }

    [Fact]
    public void Without_targets_the_targets_are_the_features()
    {
        Dataset d = Numbered(4, targets: false);
        Assert.True(d.TargetsAreFeatures);
        Assert.Equal((4, 3, 3), (d.Count, d.FeatureSize, d.TargetSize));
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(d.Features), ref MemoryMarshal.GetReference(d.Targets)));
        Assert.Equal([2f, 2.5f, -2f], d.TargetsOf(2).ToArray());

        Dataset withTargets = Numbered(4);
        Assert.False(withTargets.TargetsAreFeatures);
        Assert.Equal([1002f, 2002f], withTargets.TargetsOf(2).ToArray());
        Assert.Equal([3f, 3.5f, -3f], withTargets.FeaturesOf(3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => withTargets.FeaturesOf(4).ToArray());
    }

    [Fact]
    public void ClassCount_is_the_largest_label_plus_one()
    {
        Assert.Equal(10, Numbered(25).ClassCount);
        Assert.Equal(4, Numbered(4).ClassCount);
        Assert.Equal(8, new Dataset(new float[3], 1, [7, 0, 2]).ClassCount);
        Dataset none = Numbered(4, labels: false);
        Assert.False(none.HasLabels);
        Assert.Equal(0, none.ClassCount);
        Assert.Equal(0, none.Labels.Length);
    }

    [Fact]
    public void Take_and_Slice_copy_the_rows_they_keep()
    {
        Dataset d = Numbered(5);
        Dataset first = d.Take(2);
        Assert.Equal(2, first.Count);
        Assert.Equal([0f, 0.5f, 0f, 1f, 1.5f, -1f], first.Features.ToArray());
        Assert.Equal([1000f, 2000f, 1001f, 2001f], first.Targets.ToArray());
        Assert.Equal([0, 1], first.Labels.ToArray());
        Assert.False(Unsafe.AreSame(ref MemoryMarshal.GetReference(d.Features), ref MemoryMarshal.GetReference(first.Features)));

        Assert.Equal(5, d.Take(10).Count);
        Assert.Equal(0, d.Take(0).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Take(-1));

        Dataset middle = d.Slice(3, 2);
        Assert.Equal([3f, 3.5f, -3f, 4f, 4.5f, -4f], middle.Features.ToArray());
        Assert.Equal([3, 4], middle.Labels.ToArray());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => d.Slice(4, 2));
        Assert.Contains("rows 4 to 6 (start 4, count 2) do not lie within the dataset's 5 rows", e.Message);

        Dataset auto = Numbered(5, targets: false).Take(3);
        Assert.True(auto.TargetsAreFeatures);
    }

    // ---- Batches ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(23, 1, false, 23, 1)]
    [InlineData(23, 5, false, 5, 3)]
    [InlineData(23, 5, true, 4, 5)]
    [InlineData(23, 7, false, 4, 2)]
    [InlineData(23, 7, true, 3, 7)]
    [InlineData(23, 23, true, 1, 23)]
    [InlineData(23, 32, false, 1, 23)]
    [InlineData(23, 32, true, 0, 0)]
    [InlineData(21, 7, false, 3, 7)]
    public void Every_row_once_per_epoch_with_the_documented_last_batch(int count, int batchSize, bool dropLast, int batches, int lastCount)
    {
        Dataset d = Numbered(count);
        foreach (bool shuffle in new[] { true, false })
        {
            MiniBatches source = d.CreateBatches(batchSize, seed: 5, shuffle, dropLast);
            Assert.Equal(batches, source.BatchesPerEpoch);
            Assert.Equal(dropLast ? batches * batchSize : count, source.ExamplesPerEpoch);
            for (int epoch = 0; epoch < 3; epoch++)
            {
                var seen = new List<int>();
                int n = 0;
                foreach (Batch b in source.Epoch(epoch))
                {
                    Assert.Equal(n, b.Index);
                    Assert.Equal(n == batches - 1 ? lastCount : batchSize, b.Count);
                    AssertRowsMatch(d, b);
                    for (int k = 0; k < b.Count; k++) seen.Add(b.Rows[k]);
                    n++;
                }

                Assert.Equal(batches, n);
                Assert.Equal(source.ExamplesPerEpoch, seen.Count);
                Assert.Equal(seen.Count, seen.Distinct().Count());
                Assert.All(seen, r => Assert.InRange(r, 0, count - 1));
                if (!shuffle) Assert.Equal(Enumerable.Range(0, seen.Count), seen);
            }
        }
    }

    [Fact]
    public void Autoencoder_batches_use_the_inputs_as_targets_and_unlabelled_batches_have_no_labels()
    {
        Dataset d = Numbered(10, targets: false, labels: false);
        foreach (Batch b in d.CreateBatches(4, seed: 1).Epoch(0))
        {
            Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(b.Inputs), ref MemoryMarshal.GetReference(b.Targets)));
            Assert.Equal(b.Count * 3, b.Targets.Length);
            Assert.Equal(0, b.Labels.Length);
            AssertRowsMatch(d, b);
        }
    }

    [Fact]
    public void Unshuffled_batches_point_into_the_dataset_without_copying()
    {
        Dataset d = Numbered(10);
        foreach (Batch b in d.CreateBatches(4, seed: 0, shuffle: false).Epoch(0))
        {
            Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(b.Inputs), ref Unsafe.AsRef(in d.Features[b.Index * 4 * 3])));
            Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(b.Targets), ref Unsafe.AsRef(in d.Targets[b.Index * 4 * 2])));
            Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(b.Labels), ref Unsafe.AsRef(in d.Labels[b.Index * 4])));
        }
    }

    [Fact]
    public void The_shuffle_is_the_documented_SplitMix64_Fisher_Yates_and_is_stable()
    {
        // The reference SplitMix64 (Vigna's splitmix64.c) from state 0 first returns 0xE220A8397B1DCDAF.
        ulong s0 = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, ReferenceSplitMix64(ref s0));

        // Fixed cases, computed once by an independent Python implementation of the documented algorithm.
        Assert.Equal([1, 0, 7, 6, 5, 8, 4, 3, 2, 9], Order(Numbered(10), 42, 0));
        Assert.Equal([8, 5, 0, 6, 7, 2, 3, 9, 1, 4], Order(Numbered(10), 42, 1));
        Assert.Equal([4, 9, 3, 7, 8, 2, 6, 1, 0, 5], Order(Numbered(10), -1, 3));

        // And against the C# re-implementation below for many sizes, seeds and epochs.
        foreach (int n in new[] { 1, 2, 3, 10, 97, 1000 })
        {
            foreach (int seed in new[] { 0, 1, -7, int.MaxValue })
            {
                for (int epoch = 0; epoch < 4; epoch++) Assert.Equal(ReferenceOrder(n, seed, epoch), Order(Numbered(n), seed, epoch));
            }
        }
    }

    [Fact]
    public void Order_depends_on_seed_and_epoch_only()
    {
        Dataset d = Numbered(50);
        MiniBatches a = d.CreateBatches(7, seed: 11);
        MiniBatches b = d.CreateBatches(7, seed: 11);
        int[] a0 = Order(a, 0), a1 = Order(a, 1), a2 = Order(a, 2);
        Assert.Equal(a0, Order(b, 0));
        Assert.Equal(a2, Order(b, 2)); // resuming at epoch 2 without epochs 0 and 1
        Assert.Equal(a1, Order(b, 1)); // and going back
        Assert.Equal(a0, Order(a, 0));
        Assert.NotEqual(a0, a1);
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a0, Order(d.CreateBatches(7, seed: 12), 0));
        Assert.Equal(a1, Order(d.CreateBatches(50, seed: 11), 1)); // the batch size does not change the order
        Assert.Equal(Enumerable.Range(0, 50), a0.Order());
    }

    [Fact]
    public void Starting_another_epoch_invalidates_an_unfinished_enumeration()
    {
        MiniBatches source = Numbered(20).CreateBatches(5, seed: 3);
        MiniBatches.Enumerator first = source.Epoch(0).GetEnumerator();
        Assert.True(first.MoveNext());
        MiniBatches.Enumerator second = source.Epoch(1).GetEnumerator();
        Assert.True(second.MoveNext());
        try
        {
            first.MoveNext();
            Assert.Fail("the stale enumeration continued");
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("Epoch 1 was started while epoch 0 was being enumerated", e.Message);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => source.Epoch(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbered(3).CreateBatches(0, seed: 1));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(7, true)]
    [InlineData(32, false)]
    [InlineData(32, true)]
    public void Whole_epochs_allocate_nothing_after_the_first(int batchSize, bool dropLast)
    {
        var features = new float[100 * 16];
        var targets = new float[100 * 3];
        var labels = new int[100];
        for (int i = 0; i < features.Length; i++) features[i] = i;
        var sources = new[]
        {
            new Dataset(features, 16, targets, 3, labels).CreateBatches(batchSize, seed: 9, shuffle: true, dropLast),
            new Dataset(features, 16).CreateBatches(batchSize, seed: 9, shuffle: true, dropLast),
            new Dataset(features, 16, labels).CreateBatches(batchSize, seed: 9, shuffle: false, dropLast),
        };
        foreach (MiniBatches source in sources)
        {
            double checksum = RunEpochs(source, 0, 1); // warm-up
            Assert.True(checksum > 0);

            // Smallest of three rounds: a one-off runtime event can land in one; a per-batch allocation is in all.
            long best = long.MaxValue;
            for (int round = 0; round < 3 && best > 0; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                checksum = RunEpochs(source, 1 + 10 * round, 10);
                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            Assert.Equal(0, best);
            Assert.True(checksum > 0);
        }
    }

    // ---- LoadMnistFormat -------------------------------------------------------------------------------------------

    private void Write(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(_dir, name), bytes);

    [Fact]
    public void LoadMnistFormat_reads_plain_and_gzipped_splits()
    {
        Write("train-images-idx3-ubyte.gz", IdxWriter.Gzip(IdxWriter.Images(5, 2, 3, i => (byte)(i * 8))));
        Write("train-labels-idx1-ubyte", IdxWriter.Labels(4, 0, 9, 1, 2));
        Write("t10k-images-idx3-ubyte", IdxWriter.Images(2, 2, 3, i => (byte)(255 - i)));
        Write("t10k-labels-idx1-ubyte.gz", IdxWriter.Gzip(IdxWriter.Labels(3, 7)));

        Dataset train = Dataset.LoadMnistFormat(_dir);
        Assert.Equal((5, 6, 10), (train.Count, train.FeatureSize, train.ClassCount));
        Assert.True(train.TargetsAreFeatures);
        Assert.Equal([4, 0, 9, 1, 2], train.Labels.ToArray());
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i * 8 / 255f), train.Features.ToArray());

        Dataset test = Dataset.LoadMnistFormat(_dir, "t10k");
        Assert.Equal((2, 6, 8), (test.Count, test.FeatureSize, test.ClassCount));
        Assert.Equal([3, 7], test.Labels.ToArray());
        Assert.Equal(1f, test.Features[0]);
        Assert.Equal(244 / 255f, test.Features[11]);

        Dataset three = Dataset.LoadMnistFormat(_dir, "train", limit: 3);
        Assert.Equal(3, three.Count);
        Assert.Equal([4, 0, 9], three.Labels.ToArray());
        Assert.Equal(train.Features[..18].ToArray(), three.Features.ToArray());
        Assert.Equal(5, Dataset.LoadMnistFormat(_dir, "train", limit: 100).Count);
        Assert.Equal(0, Dataset.LoadMnistFormat(_dir, "train", limit: 0).Count);
    }

    [Fact]
    public void LoadMnistFormat_prefers_the_plain_file_when_both_exist()
    {
        Write("train-images-idx3-ubyte", IdxWriter.Images(1, 1, 2, _ => 255));
        Write("train-images-idx3-ubyte.gz", IdxWriter.Gzip(IdxWriter.Images(1, 1, 2, _ => 0)));
        Write("train-labels-idx1-ubyte", IdxWriter.Labels(1));
        Assert.Equal([1f, 1f], Dataset.LoadMnistFormat(_dir).Features.ToArray());
    }

    [Fact]
    public void LoadMnistFormat_reports_a_count_mismatch()
    {
        Write("train-images-idx3-ubyte", IdxWriter.Images(5, 2, 2, i => (byte)i));
        Write("train-labels-idx1-ubyte.gz", IdxWriter.Gzip(IdxWriter.Labels(1, 2, 3, 4)));
        var e = Assert.Throws<InvalidDataException>(() => Dataset.LoadMnistFormat(_dir));
        Assert.StartsWith("5 images but 4 labels", e.Message);
        Assert.Contains(Path.Combine(_dir, "train-images-idx3-ubyte"), e.Message);
        Assert.Contains(Path.Combine(_dir, "train-labels-idx1-ubyte.gz"), e.Message);
    }

    [Fact]
    public void LoadMnistFormat_lists_the_names_it_tried()
    {
        Write("train-images-idx3-ubyte", IdxWriter.Images(1, 1, 1, _ => 0));
        string plain = Path.Combine(_dir, "train-labels-idx1-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => Dataset.LoadMnistFormat(_dir));
        Assert.Equal($"Found neither {plain} nor {plain}.gz.", e.Message);
        Assert.Equal(plain, e.FileName);

        string images = Path.Combine(_dir, "t10k-images-idx3-ubyte");
        e = Assert.Throws<FileNotFoundException>(() => Dataset.LoadMnistFormat(_dir, "t10k"));
        Assert.Equal($"Found neither {images} nor {images}.gz.", e.Message);

        var split = Assert.Throws<ArgumentException>(() => Dataset.LoadMnistFormat(_dir, "test"));
        Assert.Contains("split must be \"train\" or \"t10k\" (the MNIST file prefixes); it was \"test\"", split.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.LoadMnistFormat(_dir, "train", -1));
        string missing = Path.Combine(_dir, "nowhere");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => Dataset.LoadMnistFormat(missing)).Message);
    }

    [Fact]
    public void LoadMnistFormat_passes_on_a_malformed_file_error()
    {
        Write("train-images-idx3-ubyte", IdxWriter.Labels(1, 2));
        Write("train-labels-idx1-ubyte", IdxWriter.Labels(1, 2));
        var e = Assert.Throws<InvalidDataException>(() => Dataset.LoadMnistFormat(_dir));
        Assert.Contains("Invalid IDX file " + Path.Combine(_dir, "train-images-idx3-ubyte") + ": images must be a 3-dimensional", e.Message);
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------------

    /// <summary>Each batch row holds exactly the features, targets and label of the dataset row it names.</summary>
    private static void AssertRowsMatch(Dataset d, Batch b)
    {
        Assert.Equal(b.Count * d.FeatureSize, b.Inputs.Length);
        Assert.Equal(b.Count * d.TargetSize, b.Targets.Length);
        Assert.Equal(d.HasLabels ? b.Count : 0, b.Labels.Length);
        for (int k = 0; k < b.Count; k++)
        {
            int r = b.Rows[k];
            Assert.Equal(d.FeaturesOf(r).ToArray(), b.Inputs.Slice(k * d.FeatureSize, d.FeatureSize).ToArray());
            Assert.Equal(d.TargetsOf(r).ToArray(), b.Targets.Slice(k * d.TargetSize, d.TargetSize).ToArray());
            if (d.HasLabels) Assert.Equal(d.Labels[r], b.Labels[k]);
        }
    }

    private static int[] Order(Dataset d, int seed, int epoch) => Order(d.CreateBatches(3, seed), epoch);

    /// <summary>The epoch's order as seen through the batches (row indices, checked against the inputs).</summary>
    private static int[] Order(MiniBatches source, int epoch)
    {
        var rows = new List<int>();
        foreach (Batch b in source.Epoch(epoch))
        {
            for (int k = 0; k < b.Count; k++)
            {
                Assert.Equal(b.Rows[k], (int)b.Inputs[k * source.Dataset.FeatureSize]); // row i's first feature is i
                rows.Add(b.Rows[k]);
            }
        }

        return rows.ToArray();
    }

    private static double RunEpochs(MiniBatches source, int first, int epochs)
    {
        double sum = 0;
        for (int e = first; e < first + epochs; e++)
        {
            foreach (Batch b in source.Epoch(e)) sum += b.Inputs[b.Inputs.Length - 1] + b.Targets[0] + b.Labels.Length + b.Count;
        }

        return sum;
    }

    /// <summary>The documented algorithm written from the documentation, with UInt128 for the multiply-high.</summary>
    private static int[] ReferenceOrder(int n, int seed, int epoch)
    {
        int[] order = Enumerable.Range(0, n).ToArray();
        ulong state = ((ulong)(uint)seed << 32) | (uint)epoch;
        for (int i = n - 1; i >= 1; i--)
        {
            ulong x = ReferenceSplitMix64(ref state);
            int j = (int)(ulong)(((UInt128)x * (UInt128)(ulong)(i + 1)) >> 64);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    private static ulong ReferenceSplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
