using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Compiled.Kernels;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// Every float64 kernel against a naive double loop written here from the formula, for every length from 0 to
/// 3·VectorCount + 1 (VectorCount = Vector512&lt;double&gt;.Count, the widest the library may use) and odd M, N, K.
/// </summary>
public class Float64KernelTests
{
    private static readonly int MaxLength = 3 * Vector512<double>.Count + 1;

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 3 * Vector512<double>.Count + 1; n++) data.Add(n);
        return data;
    }

    private static double[] Random(int n, int seed, double scale = 2)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (r.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static void Close(double expected, double actual, double tol, string what)
        => Assert.True(Math.Abs(actual - expected) <= tol * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static void Close(double[] expected, ReadOnlySpan<double> actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], actual[i], tol, what + "[" + i + "]");
    }

    private static double Sign(double x) => x > 0 ? 1 : x < 0 ? -1 : 0;

    // ---- Matrix products -------------------------------------------------------------------------------------------

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int m in new[] { 1, 2, 3, 7, 9 })
            foreach (int n in new[] { 1, 3, 4, 5, 8, 9, 17 })
                foreach (int k in new[] { 1, 2, 3, 5, 7, 8, 9, 16, 17, 25, 33 })
                    data.Add(m, n, k);
        return data;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void The_three_products_and_the_column_sums_match_naive_loops(int m, int n, int k)
    {
        double[] x = Random(m * k, 1), w = Random(n * k, 2), bias = Random(n, 3), d = Random(m * n, 4);
        const double Tol = 1e-14;

        var y = new double[m * n];
        Gemm.XWt(m, n, k, x, w, bias, y);
        var yRef = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = bias[j];
                for (int p = 0; p < k; p++) s += x[i * k + p] * w[j * k + p];
                yRef[i * n + j] = s;
            }
        Close(yRef, y, Tol * k, "XWt");

        var back = new double[m * k];
        Gemm.XW(m, n, k, d, w, back);
        var backRef = new double[m * k];
        for (int i = 0; i < m; i++)
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int p = 0; p < n; p++) s += d[i * n + p] * w[p * k + c];
                backRef[i * k + c] = s;
            }
        Close(backRef, back, Tol * n, "XW");

        foreach (var (l1, l2) in new[] { (0.0, 0.0), (0.03, 0.02) })
        {
            var g = Enumerable.Repeat(double.NaN, n * k).ToArray(); // overwritten, never read
            Gemm.DtX(m, n, k, d, x, g, l1 != 0 ? w : default, l1, l2);
            var gRef = new double[n * k];
            for (int o = 0; o < n; o++)
                for (int c = 0; c < k; c++)
                {
                    double s = 0;
                    for (int b = 0; b < m; b++) s += d[b * n + o] * x[b * k + c];
                    gRef[o * k + c] = s + l1 * Sign(w[o * k + c]) + 2 * l2 * w[o * k + c];
                }
            Close(gRef, g, Tol * m, $"DtX l1={l1}");

            var cs = Enumerable.Repeat(double.NaN, n).ToArray();
            Gemm.ColumnSums(m, n, d, cs, l1 != 0 ? bias : default, l1, l2);
            var csRef = new double[n];
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int b = 0; b < m; b++) s += d[b * n + j];
                csRef[j] = s + l1 * Sign(bias[j]) + 2 * l2 * bias[j];
            }
            Close(csRef, cs, Tol * m, $"ColumnSums l1={l1}");
        }
    }

    [Fact]
    public void The_generic_product_instantiated_at_float_agrees_with_the_tuned_float_kernel()
    {
        const int m = 9, n = 17, k = 33;
        float[] x = Random(m * k, 5).Select(v => (float)v).ToArray(), w = Random(n * k, 6).Select(v => (float)v).ToArray(), b = Random(n, 7).Select(v => (float)v).ToArray();
        float[] tuned = new float[m * n], generic = new float[m * n];
        Gemm.XWt(m, n, k, x, w, b, tuned);
        RealKernels.XWt<float>(m, n, k, x, w, b, generic);
        for (int i = 0; i < tuned.Length; i++) Assert.True(Math.Abs(tuned[i] - generic[i]) <= 1e-5f * Math.Max(1, Math.Abs(tuned[i])), $"[{i}] {tuned[i]} vs {generic[i]}");
    }

    // ---- Activations -----------------------------------------------------------------------------------------------

    /// <summary>Φ from erfc (itself checked against Python's math.erfc below).</summary>
    private static double Phi(double z) => z >= 0 ? 1 - 0.5 * RealMath.Erfc(z / Math.Sqrt(2)) : 0.5 * RealMath.Erfc(-z / Math.Sqrt(2));

    /// <summary>Each activation: forward and the fused backward, from independent formulas.</summary>
    [Theory, MemberData(nameof(Lengths))]
    public void Every_activation_forward_and_backward_matches_its_formula(int n)
    {
        double[] z = Random(n, 10 + n, 4), dIn = Random(n, 20 + n);
        const double L1 = 0.07, L2 = 0.04, Tol = 1e-14, K = 0.7978845608028654, C = 0.044715;
        var cases = new (string Name, Func<double, double> F, Func<double, double, double> Df, Action<double[], double[]> Forward, Action<double[], double[], double[]> Backward)[]
        {
            ("linear", v => v, (v, a) => 1, (zz, a) => Linear.Forward(zz, a), (zz, a, d) => Linear.Backward(a, d, L1, L2)),
            ("tanh", Math.Tanh, (v, a) => 1 - a * a, (zz, a) => Tanh.Forward(zz, a), (zz, a, d) => Tanh.Backward(a, d, L1, L2)),
            ("sigmoid", v => 1 / (1 + Math.Exp(-v)), (v, a) => a * (1 - a), (zz, a) => Sigmoid.Forward(zz, a), (zz, a, d) => Sigmoid.Backward(a, d, L1, L2)),
            ("relu", v => Math.Max(v, 0), (v, a) => v > 0 ? 1 : 0, (zz, a) => Relu.Forward(zz, a), (zz, a, d) => Relu.Backward(a, d, L1, L2)),
            ("leaky_relu", v => v > 0 ? v : 0.2 * v, (v, a) => v > 0 ? 1 : 0.2, (zz, a) => LeakyRelu.Forward(zz, a, 0.2), (zz, a, d) => LeakyRelu.Backward(a, d, 0.2, L1, L2)),
            ("elu", v => v > 0 ? v : 1.5 * (Math.Exp(v) - 1), (v, a) => v > 0 ? 1 : 1.5 * Math.Exp(v), (zz, a) => Elu.Forward(zz, a, 1.5), (zz, a, d) => Elu.Backward(a, d, 1.5, L1, L2)),
            ("softplus", v => Math.Log(1 + Math.Exp(v)), (v, a) => 1 / (1 + Math.Exp(-v)), (zz, a) => Softplus.Forward(zz, a), (zz, a, d) => Softplus.Backward(zz, a, d, L1, L2)),
            ("gelu", v => v * Phi(v), (v, a) => Phi(v) + v * Math.Exp(-v * v / 2) / Math.Sqrt(2 * Math.PI), (zz, a) => Gelu.Forward(zz, a), (zz, a, d) => Gelu.Backward(zz, a, d, L1, L2)),
            ("gelu_tanh", v => 0.5 * v * (1 + Math.Tanh(K * (v + C * v * v * v))),
                (v, a) => { double t = Math.Tanh(K * (v + C * v * v * v)); return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * K * (1 + 3 * C * v * v); },
                (zz, a) => GeluTanh.Forward(zz, a), (zz, a, d) => GeluTanh.Backward(zz, a, d, L1, L2)),
        };
        foreach (var (name, f, df, forward, backward) in cases)
        {
            var a = new double[n];
            forward(z, a);
            Close(z.Select(f).ToArray(), a, Tol, name + " forward");
            var inPlace = (double[])z.Clone();
            forward(inPlace, inPlace);
            Close(a, inPlace, 0, name + " forward in place");
            var d = (double[])dIn.Clone();
            backward(z, a, d);
            Close(Enumerable.Range(0, n).Select(i => (dIn[i] + L1 * Sign(a[i]) + 2 * L2 * a[i]) * df(z[i], a[i])).ToArray(), d, Tol, name + " backward");
        }
    }

    [Theory, MemberData(nameof(Lengths))]
    public void The_fused_output_losses_match_their_formulas(int n)
    {
        int units = Math.Max(1, Math.Min(n, 5)), rows = n / units, len = rows * units;
        double[] z = Random(len, 30 + n, 3), t = Random(len, 40 + n).Select(v => (v + 1) / 2).ToArray();
        double[] y = z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
        const double Scale = 0.3, L1 = 0.05, L2 = 0.02, Tol = 1e-13;

        var d = new double[len];
        double sq = Sigmoid.SquaredErrorBackward(y, t, d, Scale, L1, L2);
        Close(y.Zip(t, (a, b) => (a - b) * (a - b)).Sum(), sq, Tol, "squared error sum");
        Close(Enumerable.Range(0, len).Select(i => (Scale * (y[i] - t[i]) + L1 * Sign(y[i]) + 2 * L2 * y[i]) * y[i] * (1 - y[i])).ToArray(), d, Tol, "squared error delta");

        double ab = Sigmoid.AbsoluteErrorBackward(y, t, d, Scale, L1, L2);
        Close(y.Zip(t, (a, b) => Math.Abs(a - b)).Sum(), ab, Tol, "absolute error sum");
        Close(Enumerable.Range(0, len).Select(i => (Scale * Sign(y[i] - t[i]) + L1 * Sign(y[i]) + 2 * L2 * y[i]) * y[i] * (1 - y[i])).ToArray(), d, Tol, "absolute error delta");

        double bce = Sigmoid.BinaryCrossEntropyBackward(z, y, t, d, Scale, L1, L2);
        Close(Enumerable.Range(0, len).Select(i => -(t[i] * Math.Log(y[i]) + (1 - t[i]) * Math.Log(1 - y[i]))).Sum(), bce, 1e-12, "BCE sum");
        Close(Enumerable.Range(0, len).Select(i => Scale * (y[i] - t[i]) + (L1 * Sign(y[i]) + 2 * L2 * y[i]) * y[i] * (1 - y[i])).ToArray(), d, Tol, "BCE delta");

        // Softmax rows and cross-entropy with labels.
        var p = new double[len];
        Softmax.Forward(z, p, units);
        int[] labels = Enumerable.Range(0, rows).Select(r => r % units).ToArray();
        var expectedP = new double[len];
        double ce = 0;
        for (int r = 0; r < rows; r++)
        {
            double sum = 0;
            for (int j = 0; j < units; j++) sum += Math.Exp(z[r * units + j]);
            for (int j = 0; j < units; j++) expectedP[r * units + j] = Math.Exp(z[r * units + j]) / sum;
            ce += Math.Log(sum) - z[r * units + labels[r]];
        }
        Close(expectedP, p, Tol, "softmax");
        double ceSum = Softmax.CrossEntropyBackward(z, p, labels, d, units, Scale, 0, 0);
        Close(ce, ceSum, 1e-12, "cross-entropy sum");
        Close(Enumerable.Range(0, len).Select(i => Scale * (p[i] - (labels[i / units] == i % units ? 1 : 0))).ToArray(), d, Tol, "cross-entropy delta");

        // Softmax backward: J·g per row.
        double[] g = Random(len, 50 + n), gb = (double[])g.Clone();
        Softmax.Backward(p, gb, units, L1, L2);
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int j = 0; j < units; j++) { int i = r * units + j; dot += p[i] * (g[i] + L1 * Sign(p[i]) + 2 * L2 * p[i]); }
            for (int j = 0; j < units; j++) { int i = r * units + j; Close(p[i] * (g[i] + L1 * Sign(p[i]) + 2 * L2 * p[i] - dot), gb[i], Tol, "softmax backward"); }
        }
    }

    // ---- Penalties, statistics, KL, optimizers ----------------------------------------------------------------------

    [Theory, MemberData(nameof(Lengths))]
    public void Penalties_statistics_and_optimizer_steps_match_naive_loops(int n)
    {
        double[] t = Random(n, 60 + n), g0 = Random(n, 70 + n), p0 = Random(n, 80 + n);
        if (n > 2) t[1] = 0; // an exact zero: sign(0) = 0, counted as zero and below ε
        const double Tol = 1e-15;

        var g = (double[])g0.Clone();
        Penalty.AddGradient(t, g, 0.1, 0.2);
        Close(Enumerable.Range(0, n).Select(i => g0[i] + 0.1 * Sign(t[i]) + 0.4 * t[i]).ToArray(), g, Tol, "penalty");

        TensorSums w = Statistics.Weights(t);
        Close(t.Sum(Math.Abs), w.SumAbs, 1e-14, "Σ|w|");
        Close(t.Sum(v => v * v), w.SumSquares, 1e-14, "Σw²");
        Assert.Equal(t.Count(v => v == 0), w.Zeros);
        int units = Math.Max(1, Math.Min(n, 4)), len = n / units * units;
        TensorSums s = Statistics.Activity(t.AsSpan(0, len), units, 0.5, new double[units]);
        Assert.Equal(t.Take(len).Count(v => Math.Abs(v) < 0.5), s.BelowEpsilon);
        Assert.Equal(Enumerable.Range(0, units).Count(j => len > 0 && Enumerable.Range(0, len / units).All(r => Math.Abs(t[r * units + j]) < 0.5)), s.DeadUnits);

        var p = (double[])p0.Clone();
        Sgd.Step(p, g0, 0.1);
        Close(p0.Zip(g0, (a, b) => a - 0.1 * b).ToArray(), p, Tol, "sgd");
        p = (double[])p0.Clone();
        Sgd.StepSoftThreshold(p, g0, 0.1, 0.05);
        Close(p0.Zip(g0, (a, b) => { double v = a - 0.1 * b; return Sign(v) * Math.Max(Math.Abs(v) - 0.05, 0); }).ToArray(), p, Tol, "soft threshold");

        foreach (bool nesterov in new[] { false, true })
        {
            p = (double[])p0.Clone();
            double[] v = new double[n], pr = (double[])p0.Clone(), vr = new double[n];
            for (int step = 0; step < 3; step++)
            {
                Momentum.Step(p, g0, v, 0.1, 0.9, nesterov);
                for (int i = 0; i < n; i++) { vr[i] = 0.9 * vr[i] + g0[i]; pr[i] -= 0.1 * (nesterov ? g0[i] + 0.9 * vr[i] : vr[i]); }
            }
            Close(pr, p, 1e-14, nesterov ? "nesterov" : "momentum");
        }

        foreach (double decay in new[] { 0.0, 0.1 })
        {
            p = (double[])p0.Clone();
            double[] m1 = new double[n], m2 = new double[n], pr = (double[])p0.Clone(), mr = new double[n], vr = new double[n];
            for (int step = 1; step <= 3; step++)
            {
                Adam.Step(p, g0, m1, m2, 0.01, 0.8, 0.99, 1e-6, decay, step);
                for (int i = 0; i < n; i++)
                {
                    pr[i] *= 1 - 0.01 * decay;
                    mr[i] = 0.8 * mr[i] + 0.2 * g0[i];
                    vr[i] = 0.99 * vr[i] + 0.01 * g0[i] * g0[i];
                    double mHat = mr[i] / (1 - Math.Pow(0.8, step)), vHat = vr[i] / (1 - Math.Pow(0.99, step));
                    pr[i] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-6);
                }
            }
            Close(pr, p, 1e-13, "adam decay=" + decay);
        }
    }

    [Fact]
    public void KL_sparsity_value_and_unit_term_match_the_formula()
    {
        const int batch = 5, units = 7;
        double[] a = Random(batch * units, 90).Select(v => 0.5 + 0.4 * v).ToArray();
        var term = new double[units];
        KlSums k = KlDivergence.Compute(a, batch, units, 0.1, 3.0, tanhRescaled: false, term);
        double value = 0;
        for (int j = 0; j < units; j++)
        {
            double q = Enumerable.Range(0, batch).Sum(b => a[b * units + j]) / batch;
            value += 0.1 * Math.Log(0.1 / q) + 0.9 * Math.Log(0.9 / (1 - q));
            Close(3.0 / batch * (-0.1 / q + 0.9 / (1 - q)), term[j], 1e-14, "KL unit term");
        }
        Close(3.0 * value, k.Value, 1e-14, "KL value");
    }

    // ---- The special functions behind GELU, softplus and ELU --------------------------------------------------------

    [Fact]
    public void Erfc_log1p_and_expm1_are_double_accurate()
    {
        // Python's math.erfc (correctly rounded to within an ulp or two).
        (double X, double Erfc)[] reference =
        [
            (0.1, 0.8875370839817152), (0.5, 0.4795001221869535), (1, 0.15729920705028513), (2, 0.004677734981047265),
            (2.5, 0.0004069520174449589), (3, 2.2090496998585438e-05), (5, 1.5374597944280351e-12), (8, 1.1224297172982928e-29),
        ];
        foreach (var (x, erfc) in reference)
            Assert.True(Math.Abs(RealMath.Erfc(x) - erfc) <= 2e-12 * erfc, $"erfc({x}) = {RealMath.Erfc(x):R}, expected {erfc:R}");
        Assert.Equal(1.0, RealMath.Erfc(0));
        Assert.Equal(0.5, RealMath.Phi(0));
        for (double z = -8; z <= 8; z += 0.37) Assert.True(Math.Abs(RealMath.Phi(z) + RealMath.Phi(-z) - 1) <= 1e-15, $"Φ({z}) + Φ(−z)");
        foreach (double x in new[] { 1e-300, 1e-17, 1e-10, 1e-5, 0.3, -0.3, -1e-12 })
        {
            Close(x - x * x / 2 + x * x * x / 3, RealMath.Log1p(x), Math.Abs(x) < 1e-3 ? 1e-15 : 1, "log1p");
            Close(x + x * x / 2 + x * x * x / 6, RealMath.ExpM1(x), Math.Abs(x) < 1e-3 ? 1e-15 : 1, "expm1");
            Assert.True(Math.Abs(RealMath.Log1p(x) - x) <= Math.Abs(x) * Math.Max(Math.Abs(x), 1e-16), $"log1p({x}) relative");
            Assert.True(Math.Abs(RealMath.ExpM1(x) - x) <= Math.Abs(x) * Math.Max(Math.Abs(x), 1e-16), $"expm1({x}) relative");
        }
        Close(Math.Log(1.3), RealMath.Log1p(0.3), 1e-15, "log1p(0.3)");
        Close(Math.Exp(0.3) - 1, RealMath.ExpM1(0.3), 1e-15, "expm1(0.3)");
    }
}
