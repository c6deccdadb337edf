using System;

namespace Compiled.Data;

/// <summary>
/// The geometric median of a set of rows — the point minimizing the sum of Euclidean distances to them — by Weiszfeld's
/// iterations, as OpenAI and SAELens initialize a sparse autoencoder's pre-encoder (decoder) bias.
/// </summary>
public static class GeometricMedian
{
    /// <summary>
    /// The geometric median of the rows of <paramref name="rows"/> [count, size] into <paramref name="median"/> [size]:
    /// starting from the mean, m ← Σ_i x_i/‖x_i − m‖ / Σ_i 1/‖x_i − m‖ (distances below 1e−12 count as 1e−12) until m moves
    /// by less than <paramref name="tolerance"/>·(1 + ‖m‖) or after <paramref name="maxIterations"/> iterations. Returns the
    /// iterations taken. Computed in double; allocates its working vectors once per call.
    /// </summary>
    /// <exception cref="ArgumentException">No rows, or the lengths do not match.</exception>
    public static int Compute(ReadOnlySpan<float> rows, int size, Span<float> median, int maxIterations = 100, double tolerance = 1e-7)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "size must be at least 1.");
        if (rows.Length == 0 || rows.Length % size != 0)
            throw new ArgumentException(FormattableString.Invariant($"rows has length {rows.Length}; expected a positive whole number of rows of size {size}."), nameof(rows));
        if (median.Length != size)
            throw new ArgumentException(FormattableString.Invariant($"median has length {median.Length}; expected size ({size})."), nameof(median));
        if (maxIterations < 0) throw new ArgumentOutOfRangeException(nameof(maxIterations), maxIterations, "maxIterations must be ≥ 0.");
        int count = rows.Length / size;
        var m = new double[size];
        var next = new double[size];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < size; j++) m[j] += rows[i * size + j];
        for (int j = 0; j < size; j++) m[j] /= count;
        int iterations = 0;
        while (iterations < maxIterations)
        {
            iterations++;
            Array.Clear(next);
            double weights = 0;
            for (int i = 0; i < count; i++)
            {
                double d = 0;
                for (int j = 0; j < size; j++)
                {
                    double e = rows[i * size + j] - m[j];
                    d += e * e;
                }
                double w = 1 / Math.Max(Math.Sqrt(d), 1e-12);
                weights += w;
                for (int j = 0; j < size; j++) next[j] += w * rows[i * size + j];
            }
            double moved = 0, norm = 0;
            for (int j = 0; j < size; j++)
            {
                next[j] /= weights;
                moved += (next[j] - m[j]) * (next[j] - m[j]);
                norm += next[j] * next[j];
            }
            (m, next) = (next, m);
            if (Math.Sqrt(moved) < tolerance * (1 + Math.Sqrt(norm))) break;
        }
        for (int j = 0; j < size; j++) median[j] = (float)m[j];
        return iterations;
    }

    /// <summary>The geometric median of the first <paramref name="maxRows"/> rows of <paramref name="data"/>'s features; see <see cref="Compute(ReadOnlySpan{float}, int, Span{float}, int, double)"/>.</summary>
    public static int Compute(Dataset data, Span<float> median, int maxRows = 10_000, int maxIterations = 100, double tolerance = 1e-7)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must be at least 1.");
        int n = Math.Min(maxRows, data.Count);
        return Compute(data.Features.Slice(0, n * data.FeatureSize), data.FeatureSize, median, maxIterations, tolerance);
    }
}
