using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The int8 kernels: every vector width the CPU has against the scalar reference, bit for bit (integer sums are exact
/// and the float steps are the same IEEE operations), for every length from 1 to 3·16 + 1, odd shapes, every row-tile
/// remainder, unit ranges of a thread split, and the largest magnitudes the overflow bound allows.
/// </summary>
public class QuantizedKernelTests
{
    /// <summary>The widths this machine can run (each is called directly, not through the dispatch).</summary>
    public static IEnumerable<int> Widths()
    {
        if (Avx512BW.IsSupported) yield return 512;
        if (Avx2.IsSupported) yield return 256;
        if (Vector128.IsHardwareAccelerated) yield return 128;
    }

    public static TheoryData<int> Lengths()
    {
        var d = new TheoryData<int>();
        for (int n = 1; n <= 3 * 16 + 1; n++) d.Add(n);
        return d;
    }

    private static float[] Values(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        if (n > 3) { a[1] = 0; a[n - 2] = -0f; }
        return a;
    }

    private static sbyte[] Codes(int n, int seed)
    {
        var r = new Random(seed);
        var a = new sbyte[n];
        for (int i = 0; i < n; i++) a[i] = (sbyte)r.Next(-128, 128);
        return a;
    }

    [Fact]
    public void The_machine_runs_at_least_one_vector_width()
    {
        // Guards the comparisons below against silently testing nothing (every x64 and ARM64 CPU .NET runs on has 128-bit vectors).
        Assert.NotEmpty(Widths());
        Assert.Equal(Widths().First(), Int8Width.Pick());
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Quantized_rows_match_the_scalar_reference_at_every_length(int k)
    {
        const int rows = 9;
        int stride = 2 * Int8Gemm.Pairs(k), range = Int8Gemm.InputRange(k);
        float[] x = Values(rows * k, k, 3f);
        // Row 1: exact ties (max = range, so the inverse scale is 1 and 2.5 → 2, −3.5 → −4, 0.5 → 0). Row 2: zeros. Row 3:
        // a NaN. Row 4: +∞. Row 5: below 2⁻¹⁰⁰ (treated as zero). Row 6: one value, the rest −0. Row 7: huge values.
        for (int i = 0; i < k; i++) x[k + i] = (i % 4) switch { 0 => 2.5f, 1 => -3.5f, 2 => 0.5f, _ => -1.5f };
        x[k + k - 1] = range;
        Array.Clear(x, 2 * k, k);
        x[3 * k + k - 1] = float.NaN;
        x[4 * k] = float.PositiveInfinity;
        for (int i = 0; i < k; i++) x[5 * k + i] = 1e-31f * (i % 3);
        for (int i = 0; i < k; i++) x[6 * k + i] = i == k / 3 ? -0.75f : -0f;
        for (int i = 0; i < k; i++) x[7 * k + i] = 3e38f * (i % 2 == 0 ? 1 : -0.4f);

        short[] expected = Filled<short>(rows * stride, 99);
        float[] expectedScale = new float[rows];
        Int8Gemm.QuantizeRows(rows, k, x, range, expected, expectedScale, width: 0);
        // Spot checks of the reference itself.
        if (k >= 5) Assert.Equal(new short[] { 2, -4, 0, -2 }, expected.AsSpan(stride, 4).ToArray());
        Assert.Equal(1f, expectedScale[1]);
        Assert.True(expected.AsSpan(2 * stride, stride).IndexOfAnyExcept((short)0) < 0 && expectedScale[2] == 0);
        Assert.True(float.IsNaN(expectedScale[3]) && float.IsNaN(expectedScale[4]) && expectedScale[5] == 0);
        Assert.Equal(-range, expected[6 * stride + k / 3]);
        Assert.True(expected.AsSpan(0, rows * stride).ToArray() is var all && Array.TrueForAll(all, v => Math.Abs((int)v) <= range));
        if (stride > k) for (int r = 0; r < rows; r++) Assert.Equal(0, expected[r * stride + k]);

        foreach (int width in Widths())
        {
            if (k < width / 32) continue; // the dispatch never runs a width on a row shorter than one vector
            short[] actual = Filled<short>(rows * stride, 99);
            float[] scale = new float[rows];
            Int8Gemm.QuantizeRows(rows, k, x, range, actual, scale, width);
            Assert.Equal(expected, actual);
            Approx.SameBits(expectedScale, scale, $"row scales {width}");
        }
        short[] dispatched = new short[rows * stride];
        Int8Gemm.QuantizeRows(rows, k, x, range, dispatched, new float[rows]);
        Assert.Equal(expected, dispatched);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void The_product_matches_the_scalar_reference_for_every_unit_count(int units)
    {
        foreach (int inputs in new[] { 1, 2, 7, 16, 33, units })
            foreach (int rows in new[] { 1, 2, 3, 4, 5, 7, 9 })
                CheckProduct(rows, units, inputs, seed: units * 1000 + inputs * 10 + rows);
    }

    [Theory]
    [InlineData(1, 400, 784)]  // the seed model at batch 1
    [InlineData(13, 784, 400)]
    [InlineData(64, 10, 256)]  // a classifier head
    [InlineData(6, 1, 3)]      // one unit
    [InlineData(11, 97, 1001)] // odd everything
    public void The_product_matches_the_scalar_reference_for_model_shapes(int rows, int units, int inputs)
        => CheckProduct(rows, units, inputs, seed: rows + units + inputs);

    private static void CheckProduct(int rows, int units, int inputs, int seed)
    {
        int stride = 2 * Int8Gemm.Pairs(inputs), range = Int8Gemm.InputRange(inputs), padded = Int8Gemm.Blocks(units) * Int8Gemm.Block;
        sbyte[] w = Codes(units * inputs, seed);
        sbyte[] packed = Int8Gemm.Pack(w, units, inputs);
        float[] x = Values(rows * inputs, seed + 1, 5f);
        short[] q = new short[rows * stride];
        float[] rowScale = new float[rows];
        Int8Gemm.QuantizeRows(rows, inputs, x, range, q, rowScale, width: 0);
        float[] scale = new float[padded], bias = new float[padded];
        Values(units, seed + 2, 0.01f).CopyTo(scale, 0);
        Values(units, seed + 3).CopyTo(bias, 0);
        scale[0] = Math.Abs(scale[0]);

        float[] expected = Filled<float>(rows * units, -7f);
        Int8Gemm.Product(rows, units, inputs, q, rowScale, w, packed, scale, bias, expected, 0, units, width: 0);
        // The reference against the definition, in double: the int32 sum is exact.
        for (int r = 0; r < rows; r++)
            for (int u = 0; u < units; u++)
            {
                long sum = 0;
                for (int p = 0; p < inputs; p++) sum += (long)w[u * inputs + p] * q[r * stride + p];
                Assert.Equal((float)sum * (rowScale[r] * scale[u]) + bias[u], expected[r * units + u]);
            }

        foreach (int width in Widths())
        {
            float[] actual = Filled<float>(rows * units, -7f);
            Int8Gemm.Product(rows, units, inputs, q, rowScale, w, packed, scale, bias, actual, 0, units, width);
            Approx.SameBits(expected, actual, $"{width}-bit, {rows} × {units} × {inputs}");
            // A thread's share (whole 16-unit blocks, the last one possibly short): a middle block and the end; nothing
            // outside them is written.
            foreach ((int u0, int u1) in new[] { (16, 32), (units - (units - 1) % 16 - 1, units) })
            {
                if (u1 > units || u0 < 0) continue;
                float[] part = Filled<float>(rows * units, -7f);
                Int8Gemm.Product(rows, units, inputs, q, rowScale, w, packed, scale, bias, part, u0, u1, width);
                for (int r = 0; r < rows; r++)
                    for (int u = 0; u < units; u++)
                        Assert.Equal(u >= u0 && u < u1 ? expected[r * units + u] : -7f, part[r * units + u]);
            }
            Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.Product(rows, units, inputs, q, rowScale, w, packed, scale, bias, new float[rows * units], 8, units, width));
            if (units > 16 && units % 16 != 1)
                Assert.Throws<ArgumentOutOfRangeException>(() => Int8Gemm.Product(rows, units, inputs, q, rowScale, w, packed, scale, bias, new float[rows * units], 0, units - 1, width));
        }
    }

    [Fact]
    public void The_largest_magnitudes_the_bound_allows_do_not_overflow()
    {
        // Every weight −128 and every input code ±range, at lengths where the bound is tight: the sum must equal the exact
        // value computed in 64 bits.
        foreach (int inputs in new[] { 512, 513, 784, 4099, 65_537 })
        {
            int range = Int8Gemm.InputRange(inputs);
            Assert.True((long)inputs * 128 * range <= int.MaxValue, $"bound at {inputs}");
            Assert.True(range == Math.Min(32767, int.MaxValue / (128 * inputs)));
            const int units = 17, rows = 5;
            sbyte[] w = new sbyte[units * inputs];
            Array.Fill(w, (sbyte)-128);
            for (int i = 0; i < inputs; i++) w[3 * inputs + i] = 127; // one unit of +127
            int stride = 2 * Int8Gemm.Pairs(inputs);
            short[] q = new short[rows * stride];
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < inputs; i++) q[r * stride + i] = (short)(r % 2 == 0 ? -range : range);
            float[] rowScale = [1f, 1f, 1f, 1f, 1f];
            float[] scale = Filled<float>(Int8Gemm.Blocks(units) * 16, 1f), bias = new float[Int8Gemm.Blocks(units) * 16];
            sbyte[] packed = Int8Gemm.Pack(w, units, inputs);
            foreach (int width in new[] { 0 }.Concat(Widths()))
            {
                float[] z = new float[rows * units];
                Int8Gemm.Product(rows, units, inputs, q, rowScale, w, packed, scale, bias, z, 0, units, width);
                for (int r = 0; r < rows; r++)
                    for (int u = 0; u < units; u++)
                    {
                        long exact = (long)inputs * (u == 3 ? 127 : -128) * (r % 2 == 0 ? -range : range);
                        Assert.True((float)exact == z[r * units + u], $"width {width}, inputs {inputs}, row {r}, unit {u}: {z[r * units + u]} vs {exact}");
                    }
            }
        }
    }

    [Fact]
    public void Packing_puts_each_weight_pair_in_its_unit_lane()
    {
        const int units = 20, inputs = 5; // two blocks (the second 4/16 full), an odd input count
        sbyte[] w = new sbyte[units * inputs];
        for (int u = 0; u < units; u++) for (int i = 0; i < inputs; i++) w[u * inputs + i] = (sbyte)(u * 5 + i - 50);
        sbyte[] packed = Int8Gemm.Pack(w, units, inputs);
        Assert.Equal(2 * 3 * 32, packed.Length);
        for (int u = 0; u < 32; u++)
            for (int i = 0; i < 6; i++)
            {
                sbyte expected = u < units && i < inputs ? w[u * inputs + i] : (sbyte)0;
                Assert.Equal(expected, packed[u / 16 * 3 * 32 + i / 2 * 32 + 2 * (u % 16) + (i & 1)]);
            }
    }

    [Fact]
    public void The_portable_pair_product_equals_pmaddwd()
    {
        // The ARM64 form of vpmaddwd, checked here against SSE2 on the values the kernels can produce.
        if (!Sse2.IsSupported) return;
        var r = new Random(5);
        for (int i = 0; i < 10_000; i++)
        {
            Vector128<short> a = Vector128.Create((short)r.Next(-128, 128), (short)r.Next(-128, 128), (short)r.Next(-128, 128), (short)r.Next(-128, 128),
                (short)r.Next(-128, 128), (short)r.Next(-128, 128), (short)r.Next(-128, 128), (short)r.Next(-128, 128));
            Vector128<short> b = Vector128.Create((short)r.Next(-32767, 32768), (short)r.Next(-32767, 32768), (short)r.Next(-32767, 32768), (short)r.Next(-32767, 32768),
                (short)r.Next(-32767, 32768), (short)r.Next(-32767, 32768), (short)r.Next(-32767, 32768), (short)r.Next(-32767, 32768));
            if (i == 0) { a = Vector128.Create((short)-128); b = Vector128.Create((short)-32767); }
            Assert.Equal(Sse2.MultiplyAddAdjacent(a, b), I128.MultiplyAddPairsPortable(a.AsInt32(), b.AsInt32()));
        }
    }

    private static T[] Filled<T>(int n, T value)
    {
        var a = new T[n];
        Array.Fill(a, value);
        return a;
    }
}
