using System;
using System.Globalization;
using Compiled.Kernels;

namespace Compiled.Data;

/// <summary>
/// Mini-batches over a <see cref="Dataset"/>, made by <see cref="Dataset.CreateBatches"/>:
/// <c>foreach (Batch b in batches.Epoch(e)) model.TrainStep(b.Inputs, b.Targets, b.Count);</c>
/// </summary>
/// <remarks>
/// <para>
/// <b>Order.</b> Without shuffling, every epoch visits the examples in dataset order. With shuffling, epoch
/// <c>e</c> visits them in a permutation that is a function of (seed, e) only, the same on every machine and runtime,
/// so resuming at epoch e reproduces it: start from the identity 0..Count−1 and run a Fisher–Yates shuffle
/// (for i = Count−1 down to 1: swap positions i and j, j = the high 64 bits of the 128-bit product
/// <c>next() × (i + 1)</c>), where <c>next()</c> is SplitMix64 (Steele, Lea, Flood 2014) whose 64-bit state starts
/// at <c>(uint)seed &lt;&lt; 32 | (uint)e</c>. Batch k holds positions k·BatchSize … of that order.
/// </para>
/// <para>
/// <b>The last batch.</b> When BatchSize does not divide Count, the last Count mod BatchSize positions form a short
/// final batch (<see cref="Batch.Count"/> &lt; BatchSize), or, with dropLast, are skipped: with shuffling those are
/// different examples each epoch.
/// </para>
/// <para>
/// <b>Reuse.</b> Every buffer is allocated when the source is created; enumerating an epoch allocates nothing. With
/// shuffling, a batch's rows are copied into buffers owned by this source, overwritten by the next batch: a
/// <see cref="Batch"/> is valid until the enumeration moves on. Without shuffling a batch points straight into the
/// dataset's arrays. Enumerate one epoch at a time: starting another epoch makes the earlier enumeration throw
/// <see cref="InvalidOperationException"/>. Not thread-safe.
/// </para>
/// </remarks>
public sealed class MiniBatches
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly float[] _inputs;
    private readonly float[] _targets;
    private readonly int[] _labels;
    private int _epoch = -1;

    internal MiniBatches(Dataset data, int batchSize, int seed, bool shuffle, bool dropLast)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        }

        _data = data;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        int n = data.Count;
        BatchesPerEpoch = (int)(dropLast ? n / batchSize : ((long)n + batchSize - 1) / batchSize);
        ExamplesPerEpoch = dropLast ? BatchesPerEpoch * batchSize : n;

        _order = new int[n];
        for (int i = 0; i < n; i++) _order[i] = i;
        int rows = Math.Min(batchSize, n);
        _inputs = shuffle ? new float[rows * data.FeatureSize] : [];
        _targets = shuffle && !data.TargetsAreFeatures ? new float[rows * data.TargetSize] : [];
        _labels = shuffle && data.HasLabels ? new int[rows] : [];
    }

    /// <summary>The dataset the batches come from.</summary>
    public Dataset Dataset => _data;

    /// <summary>Examples per batch (the last batch of an epoch may be shorter unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>The seed of the shuffle.</summary>
    public int Seed { get; }

    /// <summary>Whether each epoch has its own random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a final short batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Batches per epoch: ⌈Count / BatchSize⌉, or ⌊Count / BatchSize⌋ with <see cref="DropLast"/>.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Examples visited per epoch: Count, or BatchesPerEpoch × BatchSize with <see cref="DropLast"/>.</summary>
    public int ExamplesPerEpoch { get; }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0 for the first), for <c>foreach</c>. The order is computed when
    /// the enumeration starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public EpochBatches Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return new EpochBatches(this, epoch);
    }

    /// <summary>Fills <paramref name="order"/> with epoch <paramref name="epoch"/>'s permutation (see the remarks).</summary>
    internal static void Permutation(Span<int> order, int seed, int epoch)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        ulong state = (ulong)(uint)seed << 32 | (uint)epoch;
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)Math.BigMul(Init.SplitMix64(ref state), (ulong)(i + 1), out _);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private void Begin(int epoch)
    {
        if (Shuffle && _epoch != epoch) Permutation(_order, Seed, epoch);
        _epoch = epoch;
    }

    private Batch Gather(int index, int epoch)
    {
        if (_epoch != epoch)
        {
            throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                "Epoch {0} was started while epoch {1} was being enumerated; enumerate one epoch at a time.", _epoch, epoch));
        }

        int start = index * BatchSize;
        int count = Math.Min(BatchSize, _data.Count - start);
        int f = _data.FeatureSize, t = _data.TargetSize;
        ReadOnlySpan<int> rows = _order.AsSpan(start, count);
        float[] features = _data.FeatureArray;
        float[]? targets = _data.TargetArray;
        int[]? labels = _data.LabelArray;

        if (!Shuffle)
        {
            ReadOnlySpan<float> inputs = features.AsSpan(start * f, count * f);
            return new Batch(index, rows, inputs, targets is null ? inputs : targets.AsSpan(start * t, count * t),
                labels is null ? default : labels.AsSpan(start, count));
        }

        for (int k = 0; k < count; k++)
        {
            int r = rows[k];
            features.AsSpan(r * f, f).CopyTo(_inputs.AsSpan(k * f, f));
            if (targets is not null) targets.AsSpan(r * t, t).CopyTo(_targets.AsSpan(k * t, t));
            if (labels is not null) _labels[k] = labels[r];
        }

        ReadOnlySpan<float> gathered = _inputs.AsSpan(0, count * f);
        return new Batch(index, rows, gathered, targets is null ? gathered : _targets.AsSpan(0, count * t),
            labels is null ? default : _labels.AsSpan(0, count));
    }

    /// <summary>The batches of one epoch; use with <c>foreach</c>.</summary>
    public readonly struct EpochBatches
    {
        private readonly MiniBatches _source;
        private readonly int _epoch;

        internal EpochBatches(MiniBatches source, int epoch)
        {
            _source = source;
            _epoch = epoch;
        }

        /// <summary>The epoch number.</summary>
        public int Number => _epoch;

        /// <summary>Computes the epoch's order and returns an enumerator over its batches (allocation-free).</summary>
        public Enumerator GetEnumerator()
        {
            _source.Begin(_epoch);
            return new Enumerator(_source, _epoch);
        }
    }

    /// <summary>Enumerates the batches of one epoch without allocating.</summary>
    public ref struct Enumerator
    {
        private readonly MiniBatches _source;
        private readonly int _epoch;
        private int _next;
        private Batch _current;

        internal Enumerator(MiniBatches source, int epoch)
        {
            _source = source;
            _epoch = epoch;
        }

        /// <summary>The current batch, valid until the next <see cref="MoveNext"/>.</summary>
        public readonly Batch Current => _current;

        /// <summary>Gathers the next batch; <see langword="false"/> after the last.</summary>
        /// <exception cref="InvalidOperationException">Another epoch of the same source was started meanwhile.</exception>
        public bool MoveNext()
        {
            if (_next >= _source.BatchesPerEpoch) return false;
            _current = _source.Gather(_next, _epoch);
            _next++;
            return true;
        }
    }
}

/// <summary>One mini-batch: <see cref="Count"/> examples, row-major, in the epoch's order.</summary>
public readonly ref struct Batch
{
    internal Batch(int index, ReadOnlySpan<int> rows, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<int> labels)
    {
        Index = index;
        Rows = rows;
        Inputs = inputs;
        Targets = targets;
        Labels = labels;
    }

    /// <summary>The batch's position in its epoch (0 for the first).</summary>
    public int Index { get; }

    /// <summary>Number of examples: the batch size, or fewer for an epoch's short last batch.</summary>
    public int Count => Rows.Length;

    /// <summary>The dataset row index of each example in the batch.</summary>
    public ReadOnlySpan<int> Rows { get; }

    /// <summary>Count × FeatureSize inputs.</summary>
    public ReadOnlySpan<float> Inputs { get; }

    /// <summary>Count × TargetSize targets; the same memory as <see cref="Inputs"/> when the targets are the features.</summary>
    public ReadOnlySpan<float> Targets { get; }

    /// <summary>Count class labels, or empty when the dataset has none.</summary>
    public ReadOnlySpan<int> Labels { get; }
}
