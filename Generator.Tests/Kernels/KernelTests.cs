using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// Every vector path (512- and 256-bit) against the scalar reference, for every length from 0 to 3·VectorCount + 1
/// and odd matrix shapes: tails are where bugs live.
/// </summary>
public class KernelTests
{
    private static float[] Rand(int n, int seed)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1);
        // Exact zeros exercise sign(0) = 0 and relu'(0) = 0.
        if (n > 3) { a[1] = 0; a[n - 2] = 0; }
        return a;
    }

    private static void Near(float[] expected, float[] actual, float tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    public static TheoryData<int> Lengths()
    {
        var d = new TheoryData<int>();
        for (int n = 0; n <= 3 * 16 + 1; n++) d.Add(n);
        return d;
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 5, 7 }, { 3, 4, 8 }, { 2, 9, 16 }, { 5, 7, 17 }, { 4, 4, 33 }, { 7, 13, 49 }, { 9, 3, 24 }, { 6, 17, 40 }, { 1, 20, 100 },
        // Past the cache blocks (W rows per block = 384 KiB / 4k; depth block = 384 KiB / 4·cols) and every tile edge.
        { 19, 131, 1000 }, { 13, 1030, 97 }, { 8, 16, 16 }, { 12, 66, 33 },
        // Short k (a 4-input layer): the transposed small-k paths of the forward product and the weight gradient.
        { 100, 32, 4 }, { 7, 17, 3 }, { 9, 8, 7 },
        // Small layers (output ≤ 64 wide, weights ≤ 4096): multi-row tiles, 1–2 vectors, overlapping column tails, 4-wide outputs.
        { 100, 16, 32 }, { 100, 4, 16 }, { 37, 24, 20 }, { 64, 64, 64 }, { 11, 5, 9 }, { 13, 40, 12 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void XWt_vector_paths_match_scalar(int m, int n, int k)
    {
        float[] x = Rand(m * k, 1), w = Rand(n * k, 2), b = Rand(n, 3);
        var expected = new float[m * n];
        Gemm.XWtScalar(m, n, k, x, w, b, expected);
        // Float rounding of a k-term sum in a different order grows with k (measured 1.5e-5 at k = 1000, 4 lanes).
        float tol = 1e-5f * Math.Max(1f, k / 250f);
        if (k >= 16) { var y = new float[m * n]; Gemm.XWtCore<Vector512<float>, V512>(m, n, k, x, w, b, y); Near(expected, y, tol, "512"); }
        if (k >= 8) { var y = new float[m * n]; Gemm.XWtCore<Vector256<float>, V256>(m, n, k, x, w, b, y); Near(expected, y, tol, "256"); }
        if (k >= 4) { var y = new float[m * n]; Gemm.XWtCore<Vector128<float>, V128>(m, n, k, x, w, b, y); Near(expected, y, tol, "128"); }
        var viaDispatch = new float[m * n];
        Gemm.XWt(m, n, k, x, w, b, viaDispatch);
        Near(expected, viaDispatch, tol, "dispatch");
        // The small form reads Wᵀ [k, n].
        var wt = new float[k * n];
        for (int o = 0; o < n; o++) for (int p = 0; p < k; p++) wt[p * n + o] = w[o * k + p];
        if (n >= 16) { var y = new float[m * n]; Gemm.SmallCore<Vector512<float>, V512>(m, n, k, x, k, 1, wt, y, b, default, 0, 0); Near(expected, y, tol, "small 512"); }
        if (n >= 8) { var y = new float[m * n]; Gemm.SmallCore<Vector256<float>, V256>(m, n, k, x, k, 1, wt, y, b, default, 0, 0); Near(expected, y, tol, "small 256"); }
        if (n >= 4) { var y = new float[m * n]; Gemm.SmallCore<Vector128<float>, V128>(m, n, k, x, k, 1, wt, y, b, default, 0, 0); Near(expected, y, tol, "small 128"); }
    }

    [Theory]
    [InlineData(256, 64, 64)]
    [InlineData(300, 48, 40)]
    [InlineData(203, 64, 60)]
    [InlineData(600, 20, 60)]
    public void A_small_layer_split_across_threads_is_bit_identical_to_one_thread(int m, int n, int k)
    {
        float[] x = Rand(m * k, 21), w = Rand(n * k, 22), b = Rand(n, 23), d = Rand(m * n, 24);
        foreach (int threads in new[] { 2, 3 })
        {
            WorkerPool? pool = WorkerPool.ForThreads(threads);
            float[] y1 = new float[m * n], y2 = new float[m * n];
            Gemm.XWt(m, n, k, x, w, b, y1);
            Gemm.XWt(m, n, k, x, w, b, y2, pool);
            Approx.SameBits(y1, y2, $"XWt {threads} threads");
            float[] z1 = new float[m * k], z2 = new float[m * k];
            Gemm.XW(m, n, k, d, w, z1);
            Gemm.XW(m, n, k, d, w, z2, pool);
            Approx.SameBits(z1, z2, $"XW {threads} threads");
            float[] g1 = new float[n * k], g2 = new float[n * k];
            Gemm.DtX(m, n, k, d, x, g1, w, 0.3f, 0.2f);
            Gemm.DtX(m, n, k, d, x, g2, w, 0.3f, 0.2f, pool);
            Approx.SameBits(g1, g2, $"DtX {threads} threads");
            float[] u1 = (float[])w.Clone(), u2 = (float[])w.Clone();
            Gemm.DtXSgd(m, n, k, d, x, u1, new float[n * k], 0.3f, 0.2f, 0.1f);
            Gemm.DtXSgd(m, n, k, d, x, u2, new float[n * k], 0.3f, 0.2f, 0.1f, pool);
            Approx.SameBits(u1, u2, $"DtXSgd {threads} threads");
        }
    }

    public static TheoryData<int, int, int> SgdShapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (object[] s in Shapes) data.Add((int)s[0], (int)s[1], (int)s[2]);
        data.Add(300, 40, 784); // three depth blocks: partial sums in the scratch, the update on the last block
        data.Add(1, 400, 784);  // the seed model's batch-1 shapes
        data.Add(1, 784, 400);
        return data;
    }

    [Theory]
    [InlineData(400, 784)]
    [InlineData(784, 400)]
    [InlineData(130, 513)]
    [InlineData(1000, 70)]
    [InlineData(70, 1000)]
    [InlineData(257, 300)]
    public void A_batch_1_product_split_on_its_columns_is_bit_identical_to_one_thread(int n, int k)
    {
        float[] x = Rand(k, 11), w = Rand(n * k, 12), b = Rand(n, 13), d = Rand(n, 14);
        float[] y1 = new float[n], y2 = new float[n];
        Gemm.XWt(1, n, k, x, w, b, y1);
        Gemm.XWt(1, n, k, x, w, b, y2, WorkerPool.ForThreads(2));
        Approx.SameBits(y1, y2, "XWt");
        float[] z1 = new float[k], z2 = new float[k];
        Gemm.XW(1, n, k, d, w, z1);
        Gemm.XW(1, n, k, d, w, z2, WorkerPool.ForThreads(2));
        Approx.SameBits(z1, z2, "XW");
    }

    [Theory, MemberData(nameof(SgdShapes))]
    public void DtXSgd_is_bit_for_bit_DtX_then_an_SGD_step(int m, int n, int k)
    {
        float[] d = Rand(m * n, 7), x = Rand(m * k, 8), w0 = Rand(n * k, 9), b0 = Rand(n, 10);
        const float lr = 0.37f;
        foreach (var (l1, l2) in new[] { (0f, 0f), (0.3f, 0.2f) })
            foreach (WorkerPool? pool in new[] { null, WorkerPool.ForThreads(2) })
            {
                float[] expected = (float[])w0.Clone(), g = new float[n * k];
                Gemm.DtX(m, n, k, d, x, g, expected, l1, l2, pool);
                Sgd.Step(expected, g, lr);
                float[] fused = (float[])w0.Clone();
                Gemm.DtXSgd(m, n, k, d, x, fused, new float[n * k], l1, l2, lr, pool);
                Approx.SameBits(expected, fused, $"DtXSgd l1 {l1} threads {(pool is null ? 1 : 2)}");

                float[] bExpected = (float[])b0.Clone(), bg = new float[n];
                Gemm.ColumnSums(m, n, d, bg, bExpected, l1, l2);
                Sgd.Step(bExpected, bg, lr);
                float[] bFused = (float[])b0.Clone();
                Gemm.ColumnSumsSgd(m, n, d, bFused, new float[n], l1, l2, lr);
                Approx.SameBits(bExpected, bFused, "ColumnSumsSgd");
            }

        // Each vector core on its own (the dispatch picks one per machine): the update epilogue against the same core's
        // stored gradient followed by the step, including the overlapping column tails.
        void Core(string name, int width, Action<float[], float[], float[]> run)
        {
            if (k < width) return;
            float[] g = new float[n * k], expected = (float[])w0.Clone();
            run(g, expected, []);
            Sgd.Step(expected, g, lr);
            float[] fused = (float[])w0.Clone();
            run(new float[n * k], fused, fused);
            Approx.SameBits(expected, fused, name);
        }
        Core("broadcast 512", 16, (g, pen, upd) => Gemm.BroadcastCore<Vector512<float>, V512>(n, k, m, d, 1, n, x, k, 1, g, default, pen, 0.3f, 0.2f, upd, -lr));
        Core("broadcast 256", 8, (g, pen, upd) => Gemm.BroadcastCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, k, 1, g, default, pen, 0.3f, 0.2f, upd, -lr));
        Core("rows 512", 16, (g, pen, upd) => Gemm.RowsCore<Vector512<float>, V512>(n, k, m, d, 1, n, x, g, pen, 0.3f, 0.2f, default, upd, -lr));
        Core("rows 256", 8, (g, pen, upd) => Gemm.RowsCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, g, pen, 0.3f, 0.2f, default, upd, -lr));
        Core("rows 128", 4, (g, pen, upd) => Gemm.RowsCore<Vector128<float>, V128>(n, k, m, d, 1, n, x, g, pen, 0.3f, 0.2f, default, upd, -lr));
        Core("small 512", 16, (g, pen, upd) => Gemm.SmallCore<Vector512<float>, V512>(n, k, m, d, 1, n, x, g, default, pen, 0.3f, 0.2f, upd, -lr));
        Core("small 256", 8, (g, pen, upd) => Gemm.SmallCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, g, default, pen, 0.3f, 0.2f, upd, -lr));
        Core("small 128", 4, (g, pen, upd) => Gemm.SmallCore<Vector128<float>, V128>(n, k, m, d, 1, n, x, g, default, pen, 0.3f, 0.2f, upd, -lr));
    }

    [Theory, MemberData(nameof(Shapes))]
    public void XW_and_DtX_vector_paths_match_scalar(int m, int n, int k)
    {
        // Long sums are blocked, so their float rounding differs from the straight scalar loop: allow for depth.
        float tol = 1e-5f * (1 + MathF.Sqrt(Math.Max(m, n)) / 8);
        float[] d = Rand(m * n, 4), w = Rand(n * k, 5), x = Rand(m * k, 6);
        // Y = D·W
        var yRef = new float[m * k];
        Gemm.BroadcastScalar(m, k, n, d, n, 1, w, yRef, default, 0, 0);
        var y = new float[m * k];
        Gemm.XW(m, n, k, d, w, y);
        Near(yRef, y, tol, "XW");
        if (k >= 16) { var v = new float[m * k]; Gemm.BroadcastCore<Vector512<float>, V512>(m, k, n, d, n, 1, w, v, default, 0, 0); Near(yRef, v, tol, "XW 512"); }
        if (k >= 8) { var v = new float[m * k]; Gemm.BroadcastCore<Vector256<float>, V256>(m, k, n, d, n, 1, w, v, default, 0, 0); Near(yRef, v, tol, "XW 256"); }
        if (k >= 4) { var v = new float[m * k]; Gemm.RowsCore<Vector128<float>, V128>(m, k, n, d, n, 1, w, v, default, 0, 0); Near(yRef, v, tol, "XW rows 128"); }

        // G = Dᵀ·X + l1·sign(W) + 2·l2·W
        var gRef = new float[n * k];
        Gemm.BroadcastScalar(n, k, m, d, 1, n, x, gRef, w, 0.3f, 0.2f);
        var g = new float[n * k];
        Gemm.DtX(m, n, k, d, x, g, w, 0.3f, 0.2f);
        Near(gRef, g, tol, "DtX");
        if (k >= 16) { var v = new float[n * k]; Gemm.BroadcastCore<Vector512<float>, V512>(n, k, m, d, 1, n, x, v, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX 512"); }
        if (k >= 8) { var v = new float[n * k]; Gemm.BroadcastCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, v, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX 256"); }
        // The row-streaming kernel (few rows or a short depth) on both products.
        if (k >= 16) { var v = new float[m * k]; Gemm.RowsCore<Vector512<float>, V512>(m, k, n, d, n, 1, w, v, default, 0, 0); Near(yRef, v, tol, "XW rows 512"); }
        if (k >= 8) { var v = new float[n * k]; Gemm.RowsCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, v, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX rows 256"); }
        if (k >= 4) { var v = new float[n * k]; Gemm.RowsCore<Vector128<float>, V128>(n, k, m, d, 1, n, x, v, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX rows 128"); }
        // The small form (multi-row tiles, B read in place) on both products, at every width the output allows.
        if (k >= 16) { var v = new float[m * k]; Gemm.SmallCore<Vector512<float>, V512>(m, k, n, d, n, 1, w, v, default, default, 0, 0); Near(yRef, v, tol, "XW small 512"); }
        if (k >= 8) { var v = new float[m * k]; Gemm.SmallCore<Vector256<float>, V256>(m, k, n, d, n, 1, w, v, default, default, 0, 0); Near(yRef, v, tol, "XW small 256"); }
        if (k >= 4) { var v = new float[m * k]; Gemm.SmallCore<Vector128<float>, V128>(m, k, n, d, n, 1, w, v, default, default, 0, 0); Near(yRef, v, tol, "XW small 128"); }
        if (k >= 16) { var v = new float[n * k]; Gemm.SmallCore<Vector512<float>, V512>(n, k, m, d, 1, n, x, v, default, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX small 512"); }
        if (k >= 8) { var v = new float[n * k]; Gemm.SmallCore<Vector256<float>, V256>(n, k, m, d, 1, n, x, v, default, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX small 256"); }
        if (k >= 4) { var v = new float[n * k]; Gemm.SmallCore<Vector128<float>, V128>(n, k, m, d, 1, n, x, v, default, w, 0.3f, 0.2f); Near(gRef, v, tol, "DtX small 128"); }

        // Reference by definition, to anchor the scalar path itself.
        for (int o = 0; o < n; o++)
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int b = 0; b < m; b++) s += d[b * n + o] * (double)x[b * k + c];
                float wv = w[o * k + c];
                s += 0.3 * (wv > 0 ? 1 : wv < 0 ? -1 : 0) + 0.4 * wv;
                Assert.True(Math.Abs(s - gRef[o * k + c]) < 1e-4, $"definition G[{o},{c}]");
            }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void ColumnSums_match_definition(int m, int n, int unused)
    {
        _ = unused;
        float[] d = Rand(m * n, 7), b = Rand(n, 8);
        var g = new float[n];
        Gemm.ColumnSums(m, n, d, g, b, 0.1f, 0.05f);
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < m; i++) s += d[i * n + j];
            s += 0.1 * (b[j] > 0 ? 1 : b[j] < 0 ? -1 : 0) + 0.1 * b[j];
            Assert.True(Math.Abs(s - g[j]) < 1e-5, $"column {j}");
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Fused_activation_backward_matches_scalar_for_every_tail(int n)
    {
        float[] a = Rand(n, 9), z = Rand(n, 19), d0 = Rand(n, 10);
        Check<TanhOp>(0); Check<SigmoidOp>(0); Check<ReluOp>(0); Check<LinearOp>(0);
        Check<LeakyReluOp>(0.2f); Check<EluOp>(1.5f); Check<SoftplusOp>(0); Check<GeluOp>(0); Check<GeluTanhOp>(0);

        void Check<TAct>(float p) where TAct : struct, IActivationOp
        {
            var expected = (float[])d0.Clone();
            ActivationBackward.Scalar<TAct>(a, z, expected, p, 0.1f, 0.05f);
            if (n >= 16) { var d = (float[])d0.Clone(); ActivationBackward.Core<TAct, Vector512<float>, V512>(a, z, d, p, 0.1f, 0.05f); Near(expected, d, 2e-6f, typeof(TAct).Name + " 512"); }
            if (n >= 8) { var d = (float[])d0.Clone(); ActivationBackward.Core<TAct, Vector256<float>, V256>(a, z, d, p, 0.1f, 0.05f); Near(expected, d, 2e-6f, typeof(TAct).Name + " 256"); }
            if (n >= 4) { var d = (float[])d0.Clone(); ActivationBackward.Core<TAct, Vector128<float>, V128>(a, z, d, p, 0.1f, 0.05f); Near(expected, d, 2e-6f, typeof(TAct).Name + " 128"); }
            for (int i = 0; i < n; i++)
            {
                float s = a[i] > 0 ? 1 : a[i] < 0 ? -1 : 0;
                Assert.Equal((d0[i] + 0.1f * s + 0.1f * a[i]) * TAct.Derivative(a[i], z[i], p), expected[i], 5);
            }
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Output_loss_backward_matches_scalar_for_every_tail(int n)
    {
        float[] y = Rand(n, 11), t = Rand(n, 12), z = Rand(n, 13);
        Check<SquaredErrorOp, SigmoidOp>(0, e => e * e);
        Check<AbsoluteErrorOp, SigmoidOp>(0, Math.Abs);
        Check<SquaredErrorOp, GeluOp>(0, e => e * e);
        Check<AbsoluteErrorOp, LeakyReluOp>(0.1f, Math.Abs);

        void Check<TLoss, TAct>(float p, Func<double, double> loss) where TLoss : struct, IElementLoss where TAct : struct, IActivationOp
        {
            string what = typeof(TLoss).Name + "/" + typeof(TAct).Name;
            var expected = new float[n];
            float sum = OutputLoss.Scalar<TLoss, TAct>(z, y, t, expected, 0.5f, p, 0.1f, 0.02f);
            double defined = 0;
            for (int i = 0; i < n; i++) defined += loss(y[i] - (double)t[i]);
            Assert.True(Math.Abs(defined - sum) <= 1e-5 * (1 + defined), $"{what} scalar sum {sum} vs {defined}");
            if (n >= 16) { var d = new float[n]; float s = OutputLoss.Core<TLoss, TAct, Vector512<float>, V512>(z, y, t, d, 0.5f, p, 0.1f, 0.02f); Near(expected, d, 2e-6f, what + " 512"); Assert.True(Math.Abs(defined - s) <= 1e-5 * (1 + defined), $"{what} 512 sum {s} vs {defined}"); }
            if (n >= 8) { var d = new float[n]; float s = OutputLoss.Core<TLoss, TAct, Vector256<float>, V256>(z, y, t, d, 0.5f, p, 0.1f, 0.02f); Near(expected, d, 2e-6f, what + " 256"); Assert.True(Math.Abs(defined - s) <= 1e-5 * (1 + defined), $"{what} 256 sum {s} vs {defined}"); }
            if (n >= 4) { var d = new float[n]; float s = OutputLoss.Core<TLoss, TAct, Vector128<float>, V128>(z, y, t, d, 0.5f, p, 0.1f, 0.02f); Near(expected, d, 2e-6f, what + " 128"); Assert.True(Math.Abs(defined - s) <= 1e-5 * (1 + defined), $"{what} 256 sum {s} vs {defined}"); }
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Penalty_gradient_matches_scalar_for_every_tail(int n)
    {
        float[] t = Rand(n, 13), g0 = Rand(n, 14);
        var expected = (float[])g0.Clone();
        Penalty.Scalar(t, expected, 0.2f, 0.1f);
        if (n >= 16) { var g = (float[])g0.Clone(); Penalty.Core<Vector512<float>, V512>(t, g, 0.2f, 0.1f); Near(expected, g, 1e-6f, "512"); }
        if (n >= 8) { var g = (float[])g0.Clone(); Penalty.Core<Vector256<float>, V256>(t, g, 0.2f, 0.1f); Near(expected, g, 1e-6f, "256"); }
        if (n >= 4) { var g = (float[])g0.Clone(); Penalty.Core<Vector128<float>, V128>(t, g, 0.2f, 0.1f); Near(expected, g, 1e-6f, "128"); }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Statistics_match_scalar_for_every_tail(int n)
    {
        float[] t = Rand(n, 15);
        for (int i = 0; i < n; i += 5) t[i] = 0.001f; // below ε = 0.01
        var maxRef = new float[n];
        var r = Statistics.RowScalar(t, 0.01f, maxRef);
        int below = 0, zeros = 0; double abs = 0, sq = 0;
        foreach (float v in t) { abs += Math.Abs(v); sq += v * (double)v; if (Math.Abs(v) < 0.01f) below++; if (v == 0) zeros++; }
        Assert.Equal(abs, r.SumAbs, 4); Assert.Equal(sq, r.SumSq, 4); Assert.Equal(below, r.Below); Assert.Equal(zeros, r.Zeros);
        if (n >= 16) { var mx = new float[n]; var v = Statistics.RowCore<Vector512<float>, V512>(t, 0.01f, mx); Assert.Equal((r.SumAbs, r.Below, r.Zeros), (v.SumAbs, v.Below, v.Zeros), new Tolerant()); Assert.Equal(maxRef, mx); }
        if (n >= 8) { var mx = new float[n]; var v = Statistics.RowCore<Vector256<float>, V256>(t, 0.01f, mx); Assert.Equal((r.SumAbs, r.Below, r.Zeros), (v.SumAbs, v.Below, v.Zeros), new Tolerant()); Assert.Equal(maxRef, mx); }
        if (n >= 4) { var mx = new float[n]; var v = Statistics.RowCore<Vector128<float>, V128>(t, 0.01f, mx); Assert.Equal((r.SumAbs, r.Below, r.Zeros), (v.SumAbs, v.Below, v.Zeros), new Tolerant()); Assert.Equal(maxRef, mx); }
    }

    [Fact]
    public void Activity_statistics_count_dead_units()
    {
        // 3 rows × 4 units; unit 1 never exceeds ε, unit 3 is exactly 0 everywhere.
        float[] a = [0.5f, 0.001f, -0.3f, 0f, -0.2f, -0.002f, 0.004f, 0f, 0.9f, 0f, 0.2f, 0f];
        var s = Statistics.Activity(a, 4, 0.01f, new float[4]);
        Assert.Equal(2, s.DeadUnits);
        Assert.Equal(7, s.BelowEpsilon);
        Assert.Equal(4, s.Zeros);
        Assert.Equal(2.107, s.SumAbs, 5);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Soft_threshold_step_matches_scalar_and_makes_exact_zeros(int n)
    {
        float[] w0 = Rand(n, 16), g = Rand(n, 17);
        var expected = (float[])w0.Clone();
        Sgd.SoftScalar(expected, g, 0.1f, 0.05f);
        for (int i = 0; i < n; i++)
        {
            float v = w0[i] - 0.1f * g[i];
            float want = Math.Abs(v) <= 0.05f ? 0f : v - Math.Sign(v) * 0.05f;
            Assert.Equal(want, expected[i], 6);
        }
        if (n >= 16) { var w = (float[])w0.Clone(); Sgd.SoftCore<Vector512<float>, V512>(w, g, 0.1f, 0.05f); Near(expected, w, 1e-6f, "512"); }
        if (n >= 8) { var w = (float[])w0.Clone(); Sgd.SoftCore<Vector256<float>, V256>(w, g, 0.1f, 0.05f); Near(expected, w, 1e-6f, "256"); }
        if (n >= 4) { var w = (float[])w0.Clone(); Sgd.SoftCore<Vector128<float>, V128>(w, g, 0.1f, 0.05f); Near(expected, w, 1e-6f, "128"); }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Tanh_matches_the_double_precision_tanh_and_keeps_zero_exact(int n)
    {
        float[] z = Rand(n, 18);
        for (int i = 0; i < n; i++) z[i] *= (i % 4) switch { 0 => 1e-6f, 1 => 1f, 2 => 4f, _ => 30f };
        void Check(float[] a, string what)
        {
            for (int i = 0; i < n; i++)
            {
                double want = Math.Tanh(z[i]);
                Assert.True(Math.Abs(a[i] - want) <= 2e-7 * Math.Abs(want) + 1e-30, $"{what} tanh({z[i]:R}) = {a[i]:R}, want {want:R}");
                if (z[i] == 0) Assert.Equal(0f, a[i]);
                Assert.Equal(Math.Sign(z[i]), Math.Sign(a[i]));
            }
        }
        var s = new float[n]; UnaryKernel.Scalar<TanhFunction>(z, s); Check(s, "scalar");
        if (n >= 16) { var a = new float[n]; UnaryKernel.Core<TanhFunction, Vector512<float>, V512>(z, a); Check(a, "512"); var inPlace = (float[])z.Clone(); UnaryKernel.Core<TanhFunction, Vector512<float>, V512>(inPlace, inPlace); Check(inPlace, "512 in place"); }
        if (n >= 8) { var a = new float[n]; UnaryKernel.Core<TanhFunction, Vector256<float>, V256>(z, a); Check(a, "256"); var inPlace = (float[])z.Clone(); UnaryKernel.Core<TanhFunction, Vector256<float>, V256>(inPlace, inPlace); Check(inPlace, "256 in place"); }
        if (n >= 4) { var a = new float[n]; UnaryKernel.Core<TanhFunction, Vector128<float>, V128>(z, a); Check(a, "128"); var inPlace = (float[])z.Clone(); UnaryKernel.Core<TanhFunction, Vector128<float>, V128>(inPlace, inPlace); Check(inPlace, "256 in place"); }
    }

    [Fact]
    public void Tanh_and_sigmoid_stay_within_2e_7_relative_on_a_dense_sweep()
    {
        // 400,001 points over [−20, 20] (both branches of tanh, the switch at 0.625, saturation) and the tiny values.
        const int n = 400_001;
        float[] z = new float[n + 64];
        for (int i = 0; i < n; i++) z[i] = -20f + 40f * i / (n - 1);
        for (int i = 0; i < 64; i++) z[n + i] = (i % 2 == 0 ? 1 : -1) * MathF.Pow(10, -i / 2f);
        void Check(string what, Action<float[], float[]> tanh, Action<float[], float[]> sigmoid)
        {
            float[] a = new float[z.Length];
            tanh(z, a);
            for (int i = 0; i < z.Length; i++)
            {
                double want = Math.Tanh(z[i]);
                if (!(Math.Abs(a[i] - want) <= 2e-7 * Math.Abs(want))) Assert.Fail($"{what} tanh({z[i]:R}) = {a[i]:R}, want {want:R}");
            }
            sigmoid(z, a);
            for (int i = 0; i < z.Length; i++)
            {
                double want = 1 / (1 + Math.Exp(-(double)z[i]));
                if (!(Math.Abs(a[i] - want) <= 2e-7 * want)) Assert.Fail($"{what} sigmoid({z[i]:R}) = {a[i]:R}, want {want:R}");
            }
        }
        // NaN stays NaN (the divergence guard relies on it), infinities saturate.
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -float.NaN, 1e30f, -1e30f, 0f, -0f, 5f, -5f, 0.5f, -0.5f, 1f, 2f, 3f, 4f];
        void Specials(string what, Action<float[], float[]> tanh, Action<float[], float[]> sigmoid)
        {
            float[] t = new float[special.Length], g = new float[special.Length];
            tanh(special, t);
            sigmoid(special, g);
            Assert.True(float.IsNaN(t[0]) && float.IsNaN(t[3]) && float.IsNaN(g[0]) && float.IsNaN(g[3]), what + " NaN");
            Assert.Equal([1f, -1f, 1f, -1f], new[] { t[1], t[2], t[4], t[5] });
            Assert.Equal([1f, 1f], new[] { g[1], g[4] });
            // Below: 0 at 512 bits (vscalefps underflows as e^x does); the 256/128-bit exp saturates at e^88.7, which
            // leaves σ(−∞) = 2.9e−39.
            Assert.InRange(g[2], 0f, 3e-39f);
            Assert.InRange(g[5], 0f, 3e-39f);
        }
        if (Avx512F.IsSupported) Specials("512", (x, y) => UnaryKernel.Core<TanhFunction, Vector512<float>, V512>(x, y), (x, y) => UnaryKernel.Core<SigmoidFunction, Vector512<float>, V512>(x, y));
        if (Vector256.IsHardwareAccelerated) Specials("256", (x, y) => UnaryKernel.Core<TanhFunction, Vector256<float>, V256>(x, y), (x, y) => UnaryKernel.Core<SigmoidFunction, Vector256<float>, V256>(x, y));
        Specials("128", (x, y) => UnaryKernel.Core<TanhFunction, Vector128<float>, V128>(x, y), (x, y) => UnaryKernel.Core<SigmoidFunction, Vector128<float>, V128>(x, y));
        if (Avx512F.IsSupported) Check("512", (x, y) => UnaryKernel.Core<TanhFunction, Vector512<float>, V512>(x, y), (x, y) => UnaryKernel.Core<SigmoidFunction, Vector512<float>, V512>(x, y));
        if (Vector256.IsHardwareAccelerated) Check("256", (x, y) => UnaryKernel.Core<TanhFunction, Vector256<float>, V256>(x, y), (x, y) => UnaryKernel.Core<SigmoidFunction, Vector256<float>, V256>(x, y));
        Check("128", (x, y) => UnaryKernel.Core<TanhFunction, Vector128<float>, V128>(x, y), (x, y) => UnaryKernel.Core<SigmoidFunction, Vector128<float>, V128>(x, y));
    }

    [Theory, MemberData(nameof(Lengths))]
    public void Sigmoid_matches_the_double_precision_logistic(int n)
    {
        float[] z = Rand(n, 19);
        for (int i = 0; i < n; i++) z[i] *= (i % 3) switch { 0 => 1f, 1 => 12f, _ => 120f };
        void Check(float[] a, string what)
        {
            for (int i = 0; i < n; i++)
            {
                double want = 1 / (1 + Math.Exp(-(double)z[i]));
                Assert.True(Math.Abs(a[i] - want) <= 3e-7 * want + 1e-37, $"{what} σ({z[i]:R}) = {a[i]:R}, want {want:R}");
            }
        }
        var s = new float[n]; UnaryKernel.Scalar<SigmoidFunction>(z, s); Check(s, "scalar");
        if (n >= 16) { var a = new float[n]; UnaryKernel.Core<SigmoidFunction, Vector512<float>, V512>(z, a); Check(a, "512"); }
        if (n >= 8) { var a = new float[n]; UnaryKernel.Core<SigmoidFunction, Vector256<float>, V256>(z, a); Check(a, "256"); var inPlace = (float[])z.Clone(); UnaryKernel.Core<SigmoidFunction, Vector256<float>, V256>(inPlace, inPlace); Check(inPlace, "256 in place"); }
        if (n >= 4) { var a = new float[n]; UnaryKernel.Core<SigmoidFunction, Vector128<float>, V128>(z, a); Check(a, "128"); var inPlace = (float[])z.Clone(); UnaryKernel.Core<SigmoidFunction, Vector128<float>, V128>(inPlace, inPlace); Check(inPlace, "256 in place"); }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(8, 8)]
    [InlineData(9, 17)]
    [InlineData(16, 5)]
    [InlineData(24, 40)]
    public void Transpose_blocks_match_the_definition(int rows, int cols)
    {
        float[] src = Rand(rows * (cols + 3), 30);
        var dst = new float[cols * (rows + 2)];
        Transpose.Block(ref src[0], cols + 3, ref dst[0], rows + 2, rows, cols);
        for (int j = 0; j < rows; j++)
            for (int q = 0; q < cols; q++)
                Assert.Equal(src[j * (cols + 3) + q], dst[q * (rows + 2) + j]);
    }

    [Fact]
    public void KL_divergence_value_and_gradient_match_the_closed_form()
    {
        // 2 rows × 2 units of sigmoid-like activations; ρ̂ = (0.2, 0.6).
        float[] a = [0.1f, 0.5f, 0.3f, 0.7f];
        var term = new float[2];
        var kl = KlDivergence.Compute(a, 2, 2, 0.05f, 3f, tanhRescaled: false, term);
        static double Kl(double p, double q) => p * Math.Log(p / q) + (1 - p) * Math.Log((1 - p) / (1 - q));
        Assert.Equal(3 * (Kl(0.05, 0.2) + Kl(0.05, 0.6)), kl.Value, 5);
        Assert.Equal(3.0 / 2 * (-0.05 / 0.2 + 0.95 / 0.8), term[0], 4);
        Assert.Equal(3.0 / 2 * (-0.05 / 0.6 + 0.95 / 0.4), term[1], 4);
        Assert.Equal(0.4f, kl.MeanRhoHat, 5);
    }

    [Fact]
    public void Kernels_refuse_spans_shorter_than_their_sizes()
    {
        Assert.Throws<ArgumentException>(() => Gemm.XWt(2, 2, 2, new float[3], new float[4], new float[2], new float[4]));
        Assert.Throws<ArgumentException>(() => Gemm.DtX(2, 2, 2, new float[4], new float[4], new float[4], new float[1], 0.1f, 0));
        Assert.Throws<ArgumentException>(() => Sgd.Step(new float[3], new float[2], 0.1f));
    }

    private sealed class Tolerant : System.Collections.Generic.IEqualityComparer<(float, float, float)>
    {
        public bool Equals((float, float, float) x, (float, float, float) y)
            => Math.Abs(x.Item1 - y.Item1) <= 1e-4f * (1 + Math.Abs(x.Item1)) && x.Item2 == y.Item2 && x.Item3 == y.Item3;
        public int GetHashCode((float, float, float) obj) => 0;
    }
}
