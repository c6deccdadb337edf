using System;
using System.Linq;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The sparse kernels (issue 18) against independent references: the scalar reference (the same fused terms in the same
/// order: bit for bit on FMA hardware, for every vector width the machine has), the dense kernels (the same sums over
/// every term, zeros included: within a bound scaled by Σ|term|, as the order of summation differs) and a float64 sum.
/// Densities 0, one active unit, 1 %, 10 %, 50 %, 100 % and a batch mixing empty and full rows; units 1 … 4096 and
/// outputs 1 … 784 with tails; 1/2/3 threads bit-identical; no allocation per call.
/// </summary>
public class SparseKernelTests
{
    /// <summary>Density codes: −1 one active entry in the whole batch, −2 rows alternately empty, full and 10 %.</summary>
    private const double One = -1, Mixed = -2;

    private static readonly double[] Densities = [0, One, 0.01, 0.1, 0.5, 1.0, Mixed];

    private static float[] Rand(int n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>A [rows, units] code with the given density; active values are nonzero of either sign.</summary>
    private static float[] Code(int rows, int units, double density, int seed)
    {
        var r = new Random(seed);
        var a = new float[rows * units];
        if (density == One)
        {
            if (a.Length > 0) a[r.Next(a.Length)] = 0.75f;
            return a;
        }
        for (int b = 0; b < rows; b++)
        {
            double p = density == Mixed ? (b % 3) switch { 0 => 0.0, 1 => 1.0, _ => 0.1 } : density;
            for (int j = 0; j < units; j++)
                if (r.NextDouble() < p) a[b * units + j] = (float)(r.NextDouble() * 2 - 1) is var v && v != 0 ? v : 0.5f;
        }
        return a;
    }

    private static (int[] Ints, float[] Values) Storage(int rows, int units)
        => (new int[ActiveSet.IntsLength(rows, units)], new float[ActiveSet.ValuesLength(rows, units)]);

    /// <summary>|actual − expected| ≤ tol·scale + 1e-30 per element, naming the first offender.</summary>
    private static void Near(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, ReadOnlySpan<double> scale, double tol, string what)
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: length");
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)expected[i] - actual[i]);
            // The message is formatted only on failure: these spans hold millions of elements.
            if (!(diff <= tol * scale[i] + 1e-30))
                Assert.Fail($"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R} (diff {diff:E2}, Σ|term| {scale[i]:E2})");
        }
    }

    /// <summary>The same float bit patterns (as <see cref="Approx.SameBits"/>, formatting a message only on failure).</summary>
    private static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}");
    }

    /// <summary>The widths this machine runs (the scalar reference is always compared too).</summary>
    private static int[] Widths()
    {
        var w = new System.Collections.Generic.List<int>();
        if (Avx512F.IsSupported) w.Add(512);
        if (Vector256.IsHardwareAccelerated) w.Add(256);
        if (Vector128.IsHardwareAccelerated) w.Add(128);
        return [.. w];
    }

    /// <summary>The vector cores agree with the scalar reference bit for bit where both fuse their multiply-adds.</summary>
    private static bool Fused => Fma.IsSupported || Avx512F.IsSupported;

    // ------------------------------------------------------------------------------------------------------------
    // Building the lists
    // ------------------------------------------------------------------------------------------------------------

    public static TheoryData<int> BuildUnits()
    {
        var d = new TheoryData<int>();
        for (int u = 0; u <= 3 * 16 + 1; u++) d.Add(u);
        d.Add(1000); d.Add(4096);
        return d;
    }

    [Theory, MemberData(nameof(BuildUnits))]
    public void BuildIfSparse_decides_as_PreferSparse_on_the_whole_count_and_then_lists_the_same(int units)
    {
        const int rows = 9;
        // Around the 1-in-8 boundary too: exactly rows·units/8 entries (not sparse) and one fewer (sparse), the extra
        // entries in the last row, so an early stop cannot be decided by the first rows alone.
        var codes = Densities.Select(d => Code(rows, units, d, units + 5)).ToList();
        int boundary = rows * units / 8;
        if (units > 0 && boundary > 0)
        {
            foreach (int count in new[] { boundary - 1, boundary, boundary + 1 })
            {
                if (count < 0 || count > rows * units) continue;
                float[] c = new float[rows * units];
                for (int i = 0; i < count; i++) c[rows * units - 1 - i] = 0.5f + i;
                codes.Add(c);
            }
        }
        foreach (float[] a in codes)
        {
            var (ints, vals) = Storage(rows, units);
            var full = new ActiveSet(rows, units, ints, vals);
            int nnz = SparseGemm.BuildActive(rows, units, a, full);
            var (ints2, vals2) = Storage(rows, units);
            var s = new ActiveSet(rows, units, ints2, vals2);
            bool sparse = SparseGemm.BuildIfSparse(rows, units, a, s);
            Assert.Equal((long)nnz * 8 < (long)rows * units, sparse);
            if (!sparse) continue;
            Assert.Equal(ints, ints2);
            Assert.Equal(vals.Select(BitConverter.SingleToInt32Bits), vals2.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory, MemberData(nameof(BuildUnits))]
    public void BuildActive_lists_every_nonzero_by_row_and_by_unit_on_every_path(int units)
    {
        const int rows = 7;
        foreach (double density in Densities)
        {
            float[] a = Code(rows, units, density, units + 11);
            if (a.Length > 3) { a[0] = -0f; a[a.Length - 1] = float.NaN; }
            // Independent expectation: a plain walk of the matrix.
            var (ints, vals) = Storage(rows, units);
            var s = new ActiveSet(rows, units, ints, vals);
            int nnz = SparseGemm.BuildActive(rows, units, a, s);
            int expected = 0;
            for (int b = 0; b < rows; b++)
            {
                Assert.Equal(expected, s.RowStart[b]);
                for (int j = 0; j < units; j++)
                {
                    float v = a[b * units + j];
                    if (v == 0) continue;
                    Assert.Equal(j, s.Columns[expected]);
                    Assert.Equal(BitConverter.SingleToInt32Bits(v), BitConverter.SingleToInt32Bits(s.Values[expected]));
                    expected++;
                }
            }
            Assert.Equal(expected, nnz);
            Assert.Equal(nnz, s.Count);
            // By unit: every entry once, rows ascending, pointing back at its own (row, unit).
            Assert.Equal(0, s.UnitStart[0]);
            Assert.Equal(nnz, s.UnitStart[units]);
            for (int j = 0; j < units; j++)
                for (int e = s.UnitStart[j]; e < s.UnitStart[j + 1]; e++)
                {
                    int k = s.UnitEntries[e], b = s.UnitRows[e];
                    Assert.Equal(j, s.Columns[k]);
                    Assert.True(k >= s.RowStart[b] && k < s.RowStart[b + 1]);
                    if (e > s.UnitStart[j]) Assert.True(b > s.UnitRows[e - 1]);
                }
            // Every row path gives the same lists as the scalar reference.
            var (ri, rv) = Storage(rows, units);
            var reference = new ActiveSet(rows, units, ri, rv);
            SparseGemm.BuildActiveScalar(rows, units, a, reference);
            Assert.Equal(ri, ints);
            foreach (int width in Widths())
            {
                if (units < width / 32) continue;
                var (wi, wv) = Storage(rows, units);
                int at = 0;
                for (int b = 0; b < rows; b++)
                {
                    ref float row = ref a[b * units];
                    ref int cols = ref wi[0];
                    at = width switch
                    {
                        512 => SparseGemm.CompressRow512(ref row, units, ref cols, ref wv[0], at, rows * units),
                        256 => SparseGemm.CompressRow256(ref row, units, ref cols, ref wv[0], at),
                        _ => SparseGemm.CompressRow128(ref row, units, ref cols, ref wv[0], at),
                    };
                }
                Assert.Equal(nnz, at);
                Assert.Equal(s.Columns.Slice(0, nnz).ToArray(), wi.AsSpan(0, nnz).ToArray());
                SameBits(s.Values.Slice(0, nnz), wv.AsSpan(0, nnz), $"{width}-bit values, units {units}, density {density}");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // The products
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>(rows, units, n): units 1, 7, 33, 1000, 4096 and outputs 1, 13, 784 (every tail), plus vector-edge shapes.</summary>
    public static TheoryData<int, int, int> Shapes()
    {
        var d = new TheoryData<int, int, int>();
        foreach (int units in new[] { 1, 7, 33, 1000, 4096 })
            foreach (int n in new[] { 1, 13, 784 })
                d.Add(units * n > 100_000 ? 5 : 9, units, n);
        d.Add(12, 16, 16); d.Add(6, 17, 31); d.Add(4, 64, 33); d.Add(3, 48, 65); d.Add(10, 9, 8); d.Add(5, 5, 4);
        return d;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Forward_equals_the_scalar_reference_bit_for_bit_and_the_dense_product(int rows, int units, int n)
    {
        float[] w = Rand(n * units, 2), bias = Rand(n, 3);
        foreach (double density in Densities)
        {
            float[] a = Code(rows, units, density, 5);
            var (ints, vals) = Storage(rows, units);
            var s = new ActiveSet(rows, units, ints, vals);
            SparseGemm.BuildActive(rows, units, a, s);
            var reference = new float[rows * n];
            SparseGemm.ActiveXWtScalar(n, units, s, w, bias, reference);
            var y = new float[rows * n];
            SparseGemm.ActiveXWt(rows, n, units, s, w, bias, y);
            string what = $"forward {rows}×{units}→{n}, density {density}";
            if (Fused) SameBits(reference, y, what);
            foreach (int width in Widths())
            {
                int vc = width / 32;
                if (n < vc) continue;
                var yw = new float[rows * n];
                int panels = SparseGemm.Panels(n, SparseGemm.PanelWidth(n, vc));
                switch (width)
                {
                    case 512: SparseGemm.ActiveXWtCore<Vector512<float>, V512>(n, units, s, w, bias, yw, 0, panels); break;
                    case 256: SparseGemm.ActiveXWtCore<Vector256<float>, V256>(n, units, s, w, bias, yw, 0, panels); break;
                    default: SparseGemm.ActiveXWtCore<Vector128<float>, V128>(n, units, s, w, bias, yw, 0, panels); break;
                }
                if (Fused) SameBits(reference, yw, $"{what}, {width}-bit");
            }
            // The dense product over every term, and the exact sum in float64.
            var dense = new float[rows * n];
            Gemm.XWt(rows, n, units, a, w, bias, dense);
            var scale = new double[rows * n];
            var exact = new float[rows * n];
            for (int b = 0; b < rows; b++)
                for (int o = 0; o < n; o++)
                {
                    double sum = bias[o], abs = Math.Abs(bias[o]);
                    for (int j = 0; j < units; j++) { double t = (double)a[b * units + j] * w[o * units + j]; sum += t; abs += Math.Abs(t); }
                    exact[b * n + o] = (float)sum;
                    scale[b * n + o] = abs;
                }
            Near(dense, y, scale, Tolerance(units), what + " vs dense");
            Near(exact, y, scale, Tolerance(units), what + " vs float64");
        }
    }

    /// <summary>
    /// Bound on |sparse − dense| / Σ|term| for sums of up to <paramref name="terms"/> float32 terms: 1e-6 up to 1000 terms;
    /// a 4096-term sum is a chain of 4096 roundings, each up to 2⁻²⁴ of the partial sum, so the bound grows with it.
    /// </summary>
    private static double Tolerance(int terms) => 1e-6 * Math.Max(1, terms / 1000.0);

    [Theory, MemberData(nameof(Shapes))]
    public void Delta_at_active_entries_equals_the_dense_backward_product_there(int rows, int units, int n)
    {
        float[] w = Rand(n * units, 2), dNext = Rand(rows * n, 7);
        foreach (double density in Densities)
        {
            float[] a = Code(rows, units, density, 9);
            var (ints, vals) = Storage(rows, units);
            var s = new ActiveSet(rows, units, ints, vals);
            int nnz = SparseGemm.BuildActive(rows, units, a, s);
            float[] derivative = Rand(Math.Max(nnz, 1), 4);
            foreach (bool withDerivative in new[] { false, true })
            {
                ReadOnlySpan<float> fp = withDerivative ? derivative.AsSpan(0, nnz) : default;
                var delta = new float[nnz];
                var denseOut = Rand(rows * units, 1); // garbage: the kernel must clear it
                SparseGemm.DWAtActive(rows, n, units, s, dNext, w, fp, delta, denseOut);
                var refDelta = new float[nnz];
                var refDense = new float[rows * units];
                SparseGemm.DWAtActiveScalar(n, units, s, dNext, w, fp, refDelta, refDense);
                // Dense: D·W everywhere, then sampled at the entries.
                var full = new float[rows * units];
                Gemm.XW(rows, n, units, dNext, w, full);
                var expected = new float[nnz];
                var scale = new double[nnz];
                for (int b = 0; b < rows; b++)
                    for (int k = s.RowStart[b]; k < s.RowStart[b + 1]; k++)
                    {
                        int j = s.Columns[k];
                        double f = withDerivative ? fp[k] : 1, abs = 0;
                        for (int o = 0; o < n; o++) abs += Math.Abs((double)dNext[b * n + o] * w[o * units + j] * f);
                        expected[k] = full[b * units + j] * (float)f;
                        scale[k] = abs;
                    }
                string what = $"delta {rows}×{units}←{n}, density {density}, f′ {withDerivative}";
                Near(expected, delta, scale, Tolerance(n), what + " vs dense");
                Near(refDelta, delta, scale, Tolerance(n), what + " vs scalar");
                // Dense form: δ at the entries, exact zeros elsewhere.
                for (int i = 0; i < rows * units; i++)
                    if (a[i] == 0) Assert.True(denseOut[i] == 0 && !float.IsNegative(denseOut[i]), $"{what}: dense[{i}] = {denseOut[i]}");
                for (int b = 0; b < rows; b++)
                    for (int k = s.RowStart[b]; k < s.RowStart[b + 1]; k++) Assert.Equal(delta[k], denseOut[b * units + s.Columns[k]]);
                foreach (int width in Widths())
                {
                    int vc = width / 32;
                    if (n < vc) continue;
                    var dw = new float[nnz];
                    switch (width)
                    {
                        case 512: SparseGemm.DWAtActiveCore<Vector512<float>, V512>(n, units, s, dNext, w, fp, dw, default, 0, rows); break;
                        case 256: SparseGemm.DWAtActiveCore<Vector256<float>, V256>(n, units, s, dNext, w, fp, dw, default, 0, rows); break;
                        default: SparseGemm.DWAtActiveCore<Vector128<float>, V128>(n, units, s, dNext, w, fp, dw, default, 0, rows); break;
                    }
                    Near(refDelta, dw, scale, Tolerance(n), $"{what}, {width}-bit");
                }
            }
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Next_layer_weight_gradient_equals_DtX_with_penalties_and_its_SGD_update(int rows, int units, int n)
    {
        float[] w = Rand(n * units, 2), dNext = Rand(rows * n, 7);
        if (w.Length > 2) w[1] = 0; // sign(0) = 0 in the penalty
        foreach (double density in Densities)
            foreach ((float l1, float l2) in new[] { (0f, 0f), (0.03f, 0.02f) })
            {
                float[] a = Code(rows, units, density, 13);
                var (ints, vals) = Storage(rows, units);
                var s = new ActiveSet(rows, units, ints, vals);
                SparseGemm.BuildActive(rows, units, a, s);
                string what = $"∂W_next {rows}×{units}→{n}, density {density}, l1 {l1}, l2 {l2}";
                var g = Rand(n * units, 99); // overwritten
                SparseGemm.DtActive(rows, n, units, dNext, s, g, w, l1, l2);
                var reference = new float[n * units];
                SparseGemm.DtActiveScalar(n, units, dNext, s, reference, w, l1, l2, false, 0);
                if (Fused) SameBits(reference, g, what);
                var dense = new float[n * units];
                Gemm.DtX(rows, n, units, dNext, a, dense, w, l1, l2);
                var scale = new double[n * units];
                for (int o = 0; o < n; o++)
                    for (int j = 0; j < units; j++)
                    {
                        double abs = Math.Abs(l1) + 2 * l2 * Math.Abs(w[o * units + j]);
                        for (int b = 0; b < rows; b++) abs += Math.Abs((double)dNext[b * n + o] * a[b * units + j]);
                        scale[o * units + j] = abs;
                    }
                Near(dense, g, scale, Tolerance(rows), what + " vs dense");
                foreach (int width in Widths())
                {
                    int vc = width / 32;
                    if (Math.Min(n, units) < vc) continue;
                    var gw = new float[n * units];
                    int panels = SparseGemm.Panels(n, vc);
                    switch (width)
                    {
                        case 512: SparseGemm.DtActiveCore<Vector512<float>, V512>(n, units, dNext, s, gw, w, l1, l2, false, 0, 0, panels); break;
                        case 256: SparseGemm.DtActiveCore<Vector256<float>, V256>(n, units, dNext, s, gw, w, l1, l2, false, 0, 0, panels); break;
                        default: SparseGemm.DtActiveCore<Vector128<float>, V128>(n, units, dNext, s, gw, w, l1, l2, false, 0, 0, panels); break;
                    }
                    if (Fused) SameBits(reference, gw, $"{what}, {width}-bit");
                }
                // Fused SGD: bit for bit the gradient then Sgd.Step; near the dense fused update.
                const float lr = 0.1f;
                var u = (float[])w.Clone();
                SparseGemm.DtActiveSgd(rows, n, units, dNext, s, u, l1, l2, lr);
                var stepped = (float[])w.Clone();
                Sgd.Step(stepped, g, lr);
                SameBits(stepped, u, what + ", SGD");
                var denseU = (float[])w.Clone();
                Gemm.DtXSgd(rows, n, units, dNext, a, denseU, new float[n * units], l1, l2, lr);
                for (int i = 0; i < scale.Length; i++) scale[i] = lr * scale[i] + Math.Abs(w[i]);
                Near(denseU, u, scale, Tolerance(rows), what + ", SGD vs dense");
            }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Weight_gradient_from_the_sparse_delta_equals_DtX_with_penalties_and_its_SGD_update(int rows, int units, int k)
    {
        float[] w = Rand(units * k, 2), x = Rand(rows * k, 7);
        if (w.Length > 2) w[1] = 0;
        foreach (double density in Densities)
            foreach ((float l1, float l2) in new[] { (0f, 0f), (0.03f, 0.02f) })
            {
                float[] a = Code(rows, units, density, 17);
                var (ints, vals) = Storage(rows, units);
                var s = new ActiveSet(rows, units, ints, vals);
                int nnz = SparseGemm.BuildActive(rows, units, a, s);
                // δ: values aligned with the entries; its dense form is δ at the entries, zeros elsewhere.
                float[] delta = Rand(Math.Max(nnz, 1), 21);
                var deltaDense = new float[rows * units];
                for (int b = 0; b < rows; b++)
                    for (int e = s.RowStart[b]; e < s.RowStart[b + 1]; e++) deltaDense[b * units + s.Columns[e]] = delta[e];
                string what = $"∂W {rows}×{units}, k {k}, density {density}, l1 {l1}, l2 {l2}";
                var g = Rand(units * k, 99);
                SparseGemm.ActiveDtX(rows, units, k, s, delta, x, g, w, l1, l2);
                var reference = new float[units * k];
                SparseGemm.ActiveDtXScalar(units, k, s, delta, x, reference, w, l1, l2, false, 0);
                if (Fused) SameBits(reference, g, what);
                var dense = new float[units * k];
                Gemm.DtX(rows, units, k, deltaDense, x, dense, w, l1, l2);
                var scale = new double[units * k];
                for (int j = 0; j < units; j++)
                    for (int c = 0; c < k; c++)
                    {
                        double abs = Math.Abs(l1) + 2 * l2 * Math.Abs(w[j * k + c]);
                        for (int b = 0; b < rows; b++) abs += Math.Abs((double)deltaDense[b * units + j] * x[b * k + c]);
                        scale[j * k + c] = abs;
                    }
                Near(dense, g, scale, Tolerance(rows), what + " vs dense");
                foreach (int width in Widths())
                {
                    int vc = width / 32;
                    if (k < vc) continue;
                    var gw = new float[units * k];
                    switch (width)
                    {
                        case 512: SparseGemm.ActiveDtXCore<Vector512<float>, V512>(k, s, delta, x, gw, w, l1, l2, false, 0, 0, units); break;
                        case 256: SparseGemm.ActiveDtXCore<Vector256<float>, V256>(k, s, delta, x, gw, w, l1, l2, false, 0, 0, units); break;
                        default: SparseGemm.ActiveDtXCore<Vector128<float>, V128>(k, s, delta, x, gw, w, l1, l2, false, 0, 0, units); break;
                    }
                    if (Fused) SameBits(reference, gw, $"{what}, {width}-bit");
                }
                const float lr = 0.1f;
                var u = (float[])w.Clone();
                SparseGemm.ActiveDtXSgd(rows, units, k, s, delta, x, u, l1, l2, lr);
                var stepped = (float[])w.Clone();
                Sgd.Step(stepped, g, lr);
                SameBits(stepped, u, what + ", SGD");
                var denseU = (float[])w.Clone();
                Gemm.DtXSgd(rows, units, k, deltaDense, x, denseU, new float[units * k], l1, l2, lr);
                for (int i = 0; i < scale.Length; i++) scale[i] = lr * scale[i] + Math.Abs(w[i]);
                Near(denseU, u, scale, Tolerance(rows), what + ", SGD vs dense");
            }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Threads, allocation, arguments
    // ------------------------------------------------------------------------------------------------------------

    public static TheoryData<int, int, int, double> ThreadShapes() => new()
    {
        { 64, 1000, 784, 0.1 }, { 256, 4096, 784, 32.0 / 4096 }, { 37, 333, 131, 0.5 }, { 40, 1024, 784, Mixed }, { 33, 4096, 13, 0.05 },
    };

    [Theory, MemberData(nameof(ThreadShapes))]
    public void Every_product_is_bit_identical_on_1_2_and_3_threads(int rows, int units, int n, double density)
    {
        float[] a = Code(rows, units, density, 3), w = Rand(n * units, 2), bias = Rand(n, 5), dNext = Rand(rows * n, 7), x = Rand(rows * n, 8), w2 = Rand(units * n, 9);
        var (ints, vals) = Storage(rows, units);
        var s = new ActiveSet(rows, units, ints, vals);
        int nnz = SparseGemm.BuildActive(rows, units, a, s);
        float[]? y1 = null, d1 = null, dd1 = null, g1 = null, u1 = null, h1 = null, v1 = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            WorkerPool? pool = WorkerPool.ForThreads(threads);
            var y = new float[rows * n];
            SparseGemm.ActiveXWt(rows, n, units, s, w, bias, y, pool);
            var d = new float[nnz];
            var dd = new float[rows * units];
            SparseGemm.DWAtActive(rows, n, units, s, dNext, w, default, d, dd, pool);
            var g = new float[n * units];
            SparseGemm.DtActive(rows, n, units, dNext, s, g, w, 0.01f, 0.02f, pool);
            var u = (float[])w.Clone();
            SparseGemm.DtActiveSgd(rows, n, units, dNext, s, u, 0.01f, 0.02f, 0.1f, pool);
            var h = new float[units * n];
            SparseGemm.ActiveDtX(rows, units, n, s, d, x, h, w2, 0.01f, 0.02f, pool);
            var v = (float[])w2.Clone();
            SparseGemm.ActiveDtXSgd(rows, units, n, s, d, x, v, 0f, 0f, 0.1f, pool);
            if (threads == 1) { y1 = y; d1 = d; dd1 = dd; g1 = g; u1 = u; h1 = h; v1 = v; continue; }
            string what = $"{rows}×{units}, n {n}, {threads} threads";
            SameBits(y1, y, "forward " + what);
            SameBits(d1, d, "delta " + what);
            SameBits(dd1, dd, "dense delta " + what);
            SameBits(g1, g, "∂W_next " + what);
            SameBits(u1, u, "∂W_next SGD " + what);
            SameBits(h1, h, "∂W " + what);
            SameBits(v1, v, "∂W SGD " + what);
        }
    }

    [Fact]
    public void Steady_state_calls_allocate_nothing_on_the_caller_or_the_workers()
    {
        const int rows = 64, units = 1024, n = 784;
        float[] a = Code(rows, units, 0.05, 3), w = Rand(n * units, 2), bias = Rand(n, 5), dNext = Rand(rows * n, 7), x = Rand(rows * n, 8), w2 = Rand(units * n, 9);
        var (ints, vals) = Storage(rows, units);
        float[] y = new float[rows * n], d = new float[rows * units], dd = new float[rows * units], g = new float[n * units], h = new float[units * n];
        foreach (int threads in new[] { 1, 2, 3 })
        {
            WorkerPool? pool = WorkerPool.ForThreads(threads);
            void Step()
            {
                var s = new ActiveSet(rows, units, ints, vals);
                SparseGemm.BuildActive(rows, units, a, s);
                SparseGemm.ActiveXWt(rows, n, units, s, w, bias, y, pool);
                SparseGemm.DWAtActive(rows, n, units, s, dNext, w, default, d, dd, pool);
                SparseGemm.DtActive(rows, n, units, dNext, s, g, w, 0.01f, 0.02f, pool);
                SparseGemm.DtActiveSgd(rows, n, units, dNext, s, w, 0.01f, 0.02f, 1e-6f, pool);
                SparseGemm.ActiveDtX(rows, units, n, s, d, x, h, w2, 0.01f, 0.02f, pool);
                SparseGemm.ActiveDtXSgd(rows, units, n, s, d, x, w2, 0f, 0f, 1e-6f, pool);
            }
            Step(); Step();
            long workers = pool?.WorkerAllocatedBytes ?? 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++) Step();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(workers, pool?.WorkerAllocatedBytes ?? 0);
        }
    }

    [Fact]
    public void The_switch_rule_takes_the_sparse_path_below_one_active_entry_in_eight()
    {
        Assert.True(SparseGemm.PreferSparse(256, 4096, 256 * 32));      // TopK(32) of 4096: 0.8 %
        Assert.True(SparseGemm.PreferSparse(256, 1024, 256 * 61));      // ReLU + L1 at 6 %
        Assert.True(SparseGemm.PreferSparse(256, 1024, 256 * 128 - 1));
        Assert.False(SparseGemm.PreferSparse(256, 1024, 256 * 128));    // exactly 12.5 %
        Assert.False(SparseGemm.PreferSparse(256, 1024, 256 * 512));    // a fresh ReLU layer: half active
        Assert.False(SparseGemm.PreferSparse(0, 1024, 0));
        Assert.True(SparseGemm.PreferSparse(int.MaxValue, 1024, 1));    // 64-bit products: no overflow
    }

    [Fact]
    public void Short_spans_and_a_set_of_another_shape_are_refused()
    {
        const int rows = 3, units = 20, n = 5;
        float[] a = Code(rows, units, 0.5, 1), w = Rand(n * units, 2), bias = Rand(n, 3), d = Rand(rows * n, 4);
        var (ints, vals) = Storage(rows, units);
        Assert.Throws<ArgumentException>(() => new ActiveSet(rows, units, ints.AsSpan(1), vals));
        Assert.Throws<ArgumentException>(() => new ActiveSet(rows, units, ints, vals.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => SparseGemm.BuildActive(rows, units, a.AsSpan(1), new ActiveSet(rows, units, ints, vals)));
        Assert.Throws<ArgumentException>(() => SparseGemm.BuildActive(rows - 1, units, a, new ActiveSet(rows, units, ints, vals)));
        int nnz = SparseGemm.BuildActive(rows, units, a, new ActiveSet(rows, units, ints, vals));
        Assert.Throws<ArgumentException>(() => SparseGemm.ActiveXWt(rows, n, units, new ActiveSet(rows, units, ints, vals), w.AsSpan(1), bias, new float[rows * n]));
        Assert.Throws<ArgumentException>(() => SparseGemm.ActiveXWt(rows, n, units, new ActiveSet(rows, units, ints, vals), w, bias, new float[rows * n - 1]));
        Assert.Throws<ArgumentException>(() => SparseGemm.DWAtActive(rows, n, units, new ActiveSet(rows, units, ints, vals), d, w, default, new float[nnz - 1], default));
        Assert.Throws<ArgumentException>(() => SparseGemm.DWAtActive(rows, n, units, new ActiveSet(rows, units, ints, vals), d, w, new float[nnz - 1], new float[nnz], default));
        Assert.Throws<ArgumentException>(() => SparseGemm.DtActive(rows, n, units, d, new ActiveSet(rows, units, ints, vals), new float[n * units], w.AsSpan(1), 0.1f, 0));
        Assert.Throws<ArgumentException>(() => SparseGemm.DtActiveSgd(rows, n, units, d.AsSpan(1), new ActiveSet(rows, units, ints, vals), w, 0, 0, 0.1f));
        Assert.Throws<ArgumentException>(() => SparseGemm.ActiveDtX(rows, units, n, new ActiveSet(rows, units, ints, vals), new float[nnz], new float[rows * n], new float[units * n - 1], default, 0, 0));
        Assert.Throws<ArgumentException>(() => SparseGemm.ActiveDtXSgd(rows, units, n, new ActiveSet(rows, units, ints, vals), new float[nnz - 1], new float[rows * n], new float[units * n], 0, 0, 0.1f));
    }
}
