using System;
using System.Linq;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// <c>TopK.Rows</c> against the definition written out plainly: per row, the indices sorted by value descending and then
/// by index ascending (NaN ranked as −∞, so it ties with −∞ by index), the first k kept, the activations zeroed elsewhere. On AVX-512 a float row
/// with k ≤ 128 takes the bounded selection (group maxima, then the few values above the bound); double rows, larger
/// k and rows too short for it take the quickselect path. Both must keep exactly the defined set.
/// </summary>
public class TopKKernelTests
{
    private static (byte[] Kept, float[] A) Definition(float[] z, float[] a, int batch, int units, int k)
    {
        byte[] kept = new byte[batch * units];
        float[] outA = (float[])a.Clone();
        for (int r = 0; r < batch; r++)
        {
            int[] order = Enumerable.Range(0, units)
                .OrderByDescending(j => float.IsNaN(z[r * units + j]) ? float.NegativeInfinity : z[r * units + j])
                .ThenBy(j => j).ToArray();
            foreach (int j in order.Take(k)) kept[r * units + j] = 1;
            for (int j = 0; j < units; j++)
                if (kept[r * units + j] == 0) outA[r * units + j] = 0;
        }
        return (kept, outA);
    }

    private static void Check(float[] z, int batch, int units, int k)
    {
        float[] a = z.Select(v => v * 0.5f + 1).ToArray(); // any activations: only their zeroing is checked
        (byte[] expectedKept, float[] expectedA) = Definition(z, a, batch, units, k);
        byte[] kept = new byte[batch * units];
        float[] scratch = new float[units];
        TopK.Rows<float>(z, a, kept, batch, units, k, scratch);
        Assert.Equal(expectedKept, kept);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expectedA[i]) == BitConverter.SingleToInt32Bits(a[i]) || (float.IsNaN(expectedA[i]) && float.IsNaN(a[i])),
                $"a[{i}]: expected {expectedA[i]}, got {a[i]} (units {units}, k {k})");
    }

    public static TheoryData<int, int> Shapes() => new()
    {
        { 4096, 32 }, { 4096, 1 }, { 4096, 128 }, { 4096, 129 }, { 1024, 32 }, { 1000, 17 }, { 65, 1 }, { 64, 2 }, { 63, 16 },
        { 33, 16 }, { 31, 1 }, { 2048, 100 }, { 512, 64 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void Random_rows_keep_the_defined_set(int units, int k)
    {
        var r = new Random(units * 31 + k);
        const int batch = 5;
        float[] z = Enumerable.Range(0, batch * units).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
        Check(z, batch, units, k);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Ties_at_the_boundary_go_to_the_lower_index(int units, int k)
    {
        var r = new Random(units + 7 * k);
        const int batch = 4;
        // Few distinct values: the k-th largest is tied with many others, in and out of the tail.
        float[] z = Enumerable.Range(0, batch * units).Select(_ => (float)r.Next(-3, 4)).ToArray();
        Check(z, batch, units, k);
        // A row of one repeated value, a row with +0 and −0, a row rising to the end (the largest in the scalar tail).
        float[] same = Enumerable.Repeat(0.25f, units).ToArray();
        Check(same, 1, units, k);
        float[] zeros = Enumerable.Range(0, units).Select(j => j % 2 == 0 ? 0f : -0f).ToArray();
        Check(zeros, 1, units, k);
        float[] rising = Enumerable.Range(0, units).Select(j => (float)j).ToArray();
        Check(rising, 1, units, k);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void NaN_and_infinities_rank_as_defined(int units, int k)
    {
        var r = new Random(units * 3 + k);
        float[] z = Enumerable.Range(0, 3 * units).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        for (int i = 0; i < z.Length; i += 7) z[i] = float.NaN;
        for (int i = 3; i < z.Length; i += 11) z[i] = float.PositiveInfinity;
        for (int i = 5; i < z.Length; i += 13) z[i] = float.NegativeInfinity;
        Check(z, 3, units, k);
        // Mostly NaN and −∞: fewer than k ordinary values in the row.
        float[] sparse = Enumerable.Range(0, units).Select(j => j % 3 == 0 ? float.NaN : j % 3 == 1 ? float.NegativeInfinity : (j % 97 == 2 ? 1f : float.NegativeInfinity)).ToArray();
        Check(sparse, 1, units, k);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Rows_shared_among_threads_give_the_one_thread_result(int threads)
    {
        var r = new Random(threads);
        foreach ((int batch, int units, int k) in new[] { (37, 4096, 32), (7, 1000, 17), (2, 64, 2), (9, 8192, 200) })
        {
            float[] z = Enumerable.Range(0, batch * units).Select(i => i % 5 == 0 ? 0.5f : (float)r.NextDouble()).ToArray();
            float[] a1 = (float[])z.Clone(), an = (float[])z.Clone();
            byte[] k1 = new byte[batch * units], kn = new byte[batch * units];
            TopK.Rows<float>(z, a1, k1, batch, units, k, new float[units]);
            TopK.Rows<float>(z, an, kn, batch, units, k, new float[units], WorkerPool.ForThreads(threads));
            Assert.Equal(k1, kn);
            Assert.Equal(a1, an);
            (byte[] expected, _) = Definition(z, z, batch, units, k);
            Assert.Equal(expected, kn);
        }
    }

    [Fact]
    public void Double_rows_keep_the_same_set_as_float_rows_of_the_same_values()
    {
        var r = new Random(5);
        const int batch = 3, units = 4096, k = 32;
        float[] z = Enumerable.Range(0, batch * units).Select(_ => (float)r.Next(-1000, 1000) / 8).ToArray();
        byte[] keptF = new byte[batch * units], keptD = new byte[batch * units];
        TopK.Rows<float>(z, (float[])z.Clone(), keptF, batch, units, k, new float[units]);
        double[] zd = z.Select(v => (double)v).ToArray();
        TopK.Rows<double>(zd, (double[])zd.Clone(), keptD, batch, units, k, new double[units]);
        Assert.Equal(keptD, keptF);
        Assert.Equal(batch * k, keptF.Sum(b => b));
    }
}
