using System;

namespace Compiled.Samples;

/// <summary>
/// How much a learned feature looks like a picture rather than noise, and how much a hidden unit is used — the two
/// numbers the sparse autoencoder sample prints beside <c>filters.png</c>.
/// </summary>
/// <remarks>
/// <para>
/// The structure score of one filter (a row of a Dense weight matrix, viewed as a <c>width × height</c> image, row-major)
/// is the Pearson correlation between each pixel and its neighbour, over all pairs of horizontal neighbours
/// <c>(x, y), (x + 1, y)</c> and vertical neighbours <c>(x, y), (x, y + 1)</c> pooled into one set of pairs: with
/// <c>u</c> the first pixel of a pair and <c>v</c> the second, <c>r = cov(u, v) / (sd(u)·sd(v))</c> over the
/// <c>(width − 1)·height + width·(height − 1)</c> pairs. Random weights score ≈ 0 (±0.03 for 28 × 28), smooth
/// stroke-like features 0.4–0.7, a linear ramp close to 1. A filter without contrast (every pixel equal) scores 0.
/// The score is unchanged by any increasing affine map of the pixel values, so it can be recomputed from a picture
/// whose tiles are each stretched to [0, 255] (<see cref="Pictures.FeatureGrid(ReadOnlySpan{float}, ReadOnlySpan{int}, int, int, int, int)"/>) up to the rounding to 8 bits.
/// </para>
/// <para>
/// The usage of a hidden unit is its mean |activation| over a set of inputs (held-out images in the sample): units
/// that the sparsity penalty switched off have usage ≈ 0, and their input weights keep whatever noise they started with.
/// </para>
/// </remarks>
public static class FilterStructure
{
    /// <summary>The neighbour correlation of one filter (see the remarks on <see cref="FilterStructure"/>).</summary>
    /// <exception cref="ArgumentException">A size is below 2 × 1 / 1 × 2 (no neighbours), or <paramref name="filter"/> is not width × height long.</exception>
    public static double NeighbourCorrelation(ReadOnlySpan<float> filter, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width * height < 2) throw new ArgumentException($"A {width} × {height} filter has no neighbouring pixels.", nameof(width));
        if (filter.Length != width * height)
            throw new ArgumentException($"filter has length {filter.Length}; expected width ({width}) × height ({height}) = {width * height}.", nameof(filter));

        // Two passes (means, then centred sums) in double: the weights of a trained layer are small and close together.
        double sumU = 0, sumV = 0;
        long pairs = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double p = filter[y * width + x];
                if (x + 1 < width) { sumU += p; sumV += filter[y * width + x + 1]; pairs++; }
                if (y + 1 < height) { sumU += p; sumV += filter[(y + 1) * width + x]; pairs++; }
            }
        double meanU = sumU / pairs, meanV = sumV / pairs;
        double cov = 0, varU = 0, varV = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double u = filter[y * width + x] - meanU;
                if (x + 1 < width) Add(u, filter[y * width + x + 1] - meanV);
                if (y + 1 < height) Add(u, filter[(y + 1) * width + x] - meanV);
            }
        return varU > 0 && varV > 0 ? cov / Math.Sqrt(varU * varV) : 0;

        void Add(double u, double v) { cov += u * v; varU += u * u; varV += v * v; }
    }

    /// <summary>
    /// The mean neighbour correlation of the filters <paramref name="which"/> (indices of rows of
    /// <paramref name="weights"/>, a row-major <c>[features, width·height]</c> matrix).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="which"/> is empty or holds an index outside the matrix, or the sizes do not match.</exception>
    public static double MeanNeighbourCorrelation(ReadOnlySpan<float> weights, int width, int height, ReadOnlySpan<int> which)
    {
        int size = width * height;
        if (size <= 0 || weights.Length % size != 0)
            throw new ArgumentException($"weights has length {weights.Length}, not a multiple of width ({width}) × height ({height}).", nameof(weights));
        if (which.IsEmpty) throw new ArgumentException("No filters were chosen.", nameof(which));
        int features = weights.Length / size;
        double sum = 0;
        foreach (int i in which)
        {
            if ((uint)i >= (uint)features) throw new ArgumentException($"Filter index {i} is outside 0..{features - 1}.", nameof(which));
            sum += NeighbourCorrelation(weights.Slice(i * size, size), width, height);
        }
        return sum / which.Length;
    }

    /// <summary>
    /// Adds the |activation| of each of <paramref name="units"/> units over a batch (row-major
    /// <c>[batch, units]</c>) into <paramref name="sums"/>; divide by the number of rows seen for the mean |a| per unit.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sums"/> is not <paramref name="units"/> long or <paramref name="activations"/> is not a whole number of rows.</exception>
    public static void AccumulateAbs(ReadOnlySpan<float> activations, int units, Span<double> sums)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        if (sums.Length != units) throw new ArgumentException($"sums has length {sums.Length}; expected units ({units}).", nameof(sums));
        if (activations.Length % units != 0)
            throw new ArgumentException($"activations has length {activations.Length}, not a multiple of units ({units}).", nameof(activations));
        for (int row = 0; row < activations.Length; row += units)
            for (int j = 0; j < units; j++)
                sums[j] += Math.Abs(activations[row + j]);
    }

    /// <summary>
    /// The unit indices ordered by <paramref name="usage"/>, largest first; equal usage keeps the lower index first,
    /// so the order is deterministic.
    /// </summary>
    public static int[] MostUsedFirst(ReadOnlySpan<double> usage)
    {
        var order = new int[usage.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        double[] keys = usage.ToArray();
        Array.Sort(order, (a, b) =>
        {
            int byUsage = keys[b].CompareTo(keys[a]);
            return byUsage != 0 ? byUsage : a.CompareTo(b);
        });
        return order;
    }
}
