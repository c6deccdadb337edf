using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Data;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// Sparse coding against independent references: finite differences (float64) through TopK, BatchTopK, AuxK, JumpReLU's
/// weights, the decoder-weighted L1 and the pre-encoder bias; JumpReLU's straight-through threshold gradient against its
/// formula evaluated here; the codes' defining properties (k kept per row, the largest, ties to the lower index; k·B per
/// batch; the inference threshold); the constraints after every step; clipping and warm-up against closed forms;
/// explained variance against its definition; zero allocation per step and any thread count bit-identical.
/// </summary>
public class SparseCodingTests
{
    private const double H = 1e-6, Tol = 1e-7;

    private static double[] Random64(int n, int seed, double low = -1, double high = 1)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + r.NextDouble() * (high - low)).ToArray();
    }

    private static float[] Random32(int n, int seed, double low = -1, double high = 1) => Random64(n, seed, low, high).Select(v => (float)v).ToArray();

    // ---- Finite differences ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void TopK_gradients_match_finite_differences(int batch)
    {
        var m = new TopKCoder64(batch, 3);
        double[] x = Random64(batch * 6, 1, -2, 2), t = Random64(batch * 6, 2);
        m.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(m.Parameters, m.Gradients, () => m.ComputeGradients(x, t, batch), H, Tol, "TopK");

        var tanh = new TopKTanh64(batch, 4);
        tanh.ComputeGradients(x, t.Select(v => (v + 1) / 2).ToArray(), batch);
        FiniteDifference64.Check(tanh.Parameters, tanh.Gradients, () => tanh.ComputeGradients(x, t.Select(v => (v + 1) / 2).ToArray(), batch), H, Tol, "TopK on tanh");
    }

    [Fact]
    public void BatchTopK_gradients_match_finite_differences_of_the_training_loss()
    {
        const int batch = 6;
        var m = new BatchTopKCoder64(batch, 5);
        double[] x = Random64(batch * 6, 3, -2, 2), t = Random64(batch * 6, 4);
        int threshold = BatchTopKCoder64.ParameterLayout.Single(p => p.Name == "hid1.topk_threshold").Offset;
        Assert.Equal(BatchTopKCoder64.ParameterCount - 1, threshold); // the buffer sits after every trained tensor
        m.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(m.Parameters.Slice(0, threshold), m.Gradients.Slice(0, threshold), () => m.ComputeGradients(x, t, batch), H, Tol, "BatchTopK");
        Assert.Equal(0, m.Gradients[threshold]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void AuxK_loss_and_gradients_equal_their_formula_with_the_residual_held_constant(int batch)
    {
        // AuxK holds e = t − y constant (OpenAI detaches it), so finite differences of the loss, which move y too, are not
        // its gradient. The TopK path is checked by finite differences with the term off; the term itself against its
        // formula, evaluated here in double from the views: model(c) − model(0) = c·∂L_aux/∂θ.
        var with = new AuxKCoder64(batch, 7);
        var without = new AuxKCoder64(batch, 7);
        without.Regularization.Hid1AuxK = 0;
        double[] x = Random64(batch * 6, 5, -2, 2), t = Random64(batch * 6, 6);
        for (int i = 0; i < 5; i++)
        {
            with.ComputeGradients(x, t, batch); // units that never fire become dead (≥ 4 samples)
            without.ComputeGradients(x, t, batch);
        }
        var fd = new AuxKCoder64(batch, 7);
        fd.Regularization.Hid1AuxK = 0;
        fd.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(fd.Parameters, fd.Gradients, () => fd.ComputeGradients(x, t, batch), H, Tol, "TopK of the AuxK coder");
        long[] since = with.Hid1SamplesSinceFired.ToArray();
        Assert.Equal(since, without.Hid1SamplesSinceFired.ToArray());
        bool[] dead = since.Select(s => s >= 4).ToArray();
        Assert.Contains(true, dead);

        double[] w1 = with.Hid1Weight.ToArray(), b1 = with.Hid1Bias.ToArray(), w2 = with.OutWeight.ToArray(), b2 = with.OutBias.ToArray();
        var z = new double[batch, 10];
        var e = new double[batch, 6];
        for (int b = 0; b < batch; b++)
        {
            var a = new double[10];
            for (int j = 0; j < 10; j++)
            {
                z[b, j] = b1[j];
                for (int i = 0; i < 6; i++) z[b, j] += w1[j * 6 + i] * x[b * 6 + i];
            }
            int[] kept = Enumerable.Range(0, 10).OrderByDescending(j => z[b, j]).ThenBy(j => j).Take(2).ToArray();
            foreach (int j in kept) a[j] = Math.Max(z[b, j], 0);
            for (int o = 0; o < 6; o++)
            {
                double y = b2[o];
                for (int j = 0; j < 10; j++) y += w2[o * 10 + j] * a[j];
                e[b, o] = t[b * 6 + o] - y;
            }
        }
        double denominator = 0;
        for (int o = 0; o < 6; o++)
        {
            double mean = Enumerable.Range(0, batch).Average(b => e[b, o]);
            for (int b = 0; b < batch; b++) denominator += (e[b, o] - mean) * (e[b, o] - mean);
        }
        double numerator = 0;
        var gW1 = new double[60]; var gB1 = new double[10]; var gW2 = new double[60];
        var residualGradients = new double[batch, 6];
        var selected = new List<(int B, int J, double V)>();
        for (int b = 0; b < batch; b++)
        {
            foreach (int j in Enumerable.Range(0, 10).Where(j => dead[j]).OrderByDescending(j => z[b, j]).ThenBy(j => j).Take(3))
                selected.Add((b, j, Math.Max(z[b, j], 0)));
            for (int o = 0; o < 6; o++)
            {
                double r = e[b, o] - selected.Where(s => s.B == b).Sum(s => s.V * w2[o * 10 + s.J]);
                numerator += r * r;
                residualGradients[b, o] = denominator > 1e-12 ? -2 * r / denominator : 0; // one row: e − ē = 0, the term is 0
            }
        }
        foreach ((int b, int j, double v) in selected)
        {
            double dz = 0;
            for (int o = 0; o < 6; o++)
            {
                gW2[o * 10 + j] += residualGradients[b, o] * v;
                dz += residualGradients[b, o] * w2[o * 10 + j];
            }
            if (z[b, j] <= 0) continue;
            gB1[j] += dz;
            for (int i = 0; i < 6; i++) gW1[j * 6 + i] += dz * x[b * 6 + i];
        }
        double c = 1 / 32.0;
        Assert.Equal(denominator > 1e-12 ? c * numerator / denominator : 0, with.LastLoss.Hid1AuxK, 12);
        double[] difference = with.Gradients.ToArray().Zip(without.Gradients.ToArray(), (p, q) => p - q).ToArray();
        double[] expected = gW1.Concat(gB1).Concat(gW2).Concat(new double[6]).Select(v => c * v).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], difference[i], 12);
        if (batch > 1) Assert.Contains(expected, v => v != 0);
    }

    [Fact]
    public void JumpRelu_weight_gradients_match_finite_differences_and_the_threshold_gradient_its_estimator()
    {
        const int batch = 7;
        var m = new JumpReluCoder64(batch, 2);
        double[] x = Random64(batch * 6, 7, -2, 2), t = Random64(batch * 6, 8);
        int logTheta = JumpReluCoder64.ParameterLayout.Single(p => p.Name == "hid1.log_threshold").Offset;
        // Spread the thresholds so that some pre-activations fall inside the rectangle (|z − θ| < ε/2) and some above.
        for (int j = 0; j < 8; j++) m.Hid1LogThreshold[j] = Math.Log(0.05 + 0.1 * j);
        m.ComputeGradients(x, t, batch);
        double[] analytic = m.Gradients.ToArray();
        // Weights and biases: differentiable away from the jump.
        FiniteDifference64.Check(m.Parameters.Slice(0, logTheta), analytic.AsSpan(0, logTheta), () => m.ComputeGradients(x, t, batch), H, Tol, "JumpReLU weights");

        // log θ: Σ_b −θ·K((z − θ)/ε)/ε·(θ·g + λ₀/B), with z and g = ∂loss/∂a computed here from the views.
        double[] w1 = m.Hid1Weight.ToArray(), b1 = m.Hid1Bias.ToArray(), w2 = m.OutWeight.ToArray(), b2 = m.OutBias.ToArray();
        double eps = 0.2, l0 = m.Regularization.Hid1L0, l1 = m.Regularization.Hid1ActivityL1;
        var expected = new double[8];
        int inside = 0;
        for (int b = 0; b < batch; b++)
        {
            double[] z = new double[8], a = new double[8], y = new double[6];
            for (int j = 0; j < 8; j++)
            {
                z[j] = b1[j];
                for (int i = 0; i < 6; i++) z[j] += w1[j * 6 + i] * x[b * 6 + i];
                a[j] = z[j] > Math.Exp(m.Hid1LogThreshold[j]) ? z[j] : 0;
            }
            for (int o = 0; o < 6; o++)
            {
                y[o] = b2[o];
                for (int j = 0; j < 8; j++) y[o] += w2[o * 8 + j] * a[j];
            }
            for (int j = 0; j < 8; j++)
            {
                double g = Math.Sign(a[j]) * l1 / batch; // the activity L1 (batch mean) on a
                for (int o = 0; o < 6; o++) g += 2.0 / (batch * 6) * (y[o] - t[b * 6 + o]) * w2[o * 8 + j]; // MSE
                double theta = Math.Exp(m.Hid1LogThreshold[j]), u = (z[j] - theta) / eps;
                if (u > -0.5 && u < 0.5)
                {
                    inside++;
                    expected[j] += -theta / eps * (theta * g + l0 / batch);
                }
            }
        }
        Assert.True(inside >= 3, $"only {inside} pre-activations inside a rectangle");
        for (int j = 0; j < 8; j++) Assert.Equal(expected[j], analytic[logTheta + j], 12);
        Assert.Contains(expected, v => v != 0);
    }

    [Fact]
    public void Decoder_weighted_L1_and_the_pre_encoder_bias_match_finite_differences()
    {
        const int batch = 5;
        double[] x = Random64(batch * 6, 9, -2, 2), t = Random64(batch * 6, 10);
        var weighted = new WeightedL1Coder64(batch, 3);
        weighted.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(weighted.Parameters, weighted.Gradients, () => weighted.ComputeGradients(x, t, batch), H, Tol, "decoder-weighted L1");

        var pre = new PreBiasCoder64(batch, 3);
        for (int j = 0; j < 6; j++) pre.OutBias[j] = 0.3 * (j - 2.5); // a bias that moves the input noticeably
        pre.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(pre.Parameters, pre.Gradients, () => pre.ComputeGradients(x, t, batch), H, Tol, "pre-encoder bias");

        var openAi = new OpenAiCoder64(batch, 3);
        openAi.Regularization.Hid1AuxK = 0; // AuxK holds its residual constant: checked against its formula above
        for (int i = 0; i < 3; i++) openAi.ComputeGradients(x, t, batch);
        openAi.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(openAi.Parameters, openAi.Gradients, () => openAi.ComputeGradients(x, t, batch), H, Tol, "OpenAI-style coder");
    }

    [Fact]
    public void Decoder_weighted_L1_value_is_its_definition()
    {
        const int batch = 4;
        var m = new WeightedL1Coder64(batch, 3);
        double[] x = Random64(batch * 6, 11, -2, 2);
        m.ComputeGradients(x, x, batch);
        double[] a = m.Hid1Activations.ToArray(), w = m.OutWeight.ToArray();
        double expected = 0;
        for (int i = 0; i < 8; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 6).Sum(j => w[j * 8 + i] * w[j * 8 + i]));
            for (int b = 0; b < batch; b++) expected += Math.Abs(a[b * 8 + i]) * norm;
        }
        Assert.Equal(0.1 * expected / batch, m.LastLoss.Hid1ActivityL1, 12);
    }

    // ---- The codes ------------------------------------------------------------------------------------------------

    [Fact]
    public void TopK_keeps_the_k_largest_pre_activations_of_each_row()
    {
        const int batch = 9;
        var m = new TopKCoder(batch, 1);
        float[] x = Random32(batch * 6, 12, -2, 2), y = new float[batch * 6];
        m.Predict(x, y, batch);
        float[] a = m.Hid1Activations.ToArray(), w = m.Hid1Weight.ToArray(), bias = m.Hid1Bias.ToArray();
        for (int b = 0; b < batch; b++)
        {
            double[] z = Enumerable.Range(0, 8).Select(j => bias[j] + Enumerable.Range(0, 6).Sum(i => (double)w[j * 6 + i] * x[b * 6 + i])).ToArray();
            int[] top = Enumerable.Range(0, 8).OrderByDescending(j => z[j]).Take(3).ToArray();
            for (int j = 0; j < 8; j++)
                if (top.Contains(j)) Assert.Equal(Math.Max(z[j], 0), a[b * 8 + j], 5);
                else Assert.Equal(0f, a[b * 8 + j]);
        }
        Assert.True(m.LastSparsity.Hid1.L0 <= 3);
    }

    [Fact]
    public void TopK_breaks_ties_by_the_lower_index()
    {
        var m = new TopKCoder(2, 1);
        m.Hid1Weight.Clear();
        for (int j = 0; j < 8; j++) m.Hid1Bias[j] = j is 1 or 4 or 6 or 7 ? 0.5f : 0.2f; // four equal largest, three kept
        m.Predict(new float[12], new float[12], 2);
        float[] a = m.Hid1Activations.ToArray();
        for (int b = 0; b < 2; b++)
            Assert.Equal(new[] { 0f, 0.5f, 0f, 0f, 0.5f, 0f, 0.5f, 0f }, a.AsSpan(b * 8, 8).ToArray()); // 1, 4, 6 kept; 7 is not
    }

    [Fact]
    public void BatchTopK_keeps_k_times_B_in_training_and_thresholds_at_inference()
    {
        const int batch = 8;
        var m = new BatchTopKCoder(batch, 2) { LearningRate = 0.001f };
        float[] x = Random32(batch * 6, 13, -2, 2);
        Assert.Equal(-1f, m.Hid1TopKThreshold);
        m.ComputeGradients(x, x, batch);
        float[] a = m.Hid1Activations.ToArray();
        Assert.True(a.Count(v => v != 0) <= 2 * batch);
        // The kept activations are the 2·B largest of the batch (the pre-activations of ReLU's positive part).
        float smallestKept = a.Where(v => v > 0).Min();
        m.TrainStep(x, x, batch);
        // θ after the first step: the mean over rows of each row's smallest positive kept activation.
        float[] kept = m.Hid1Activations.ToArray(); // the training pass of that step (TrainStep's forward)
        double expected = Enumerable.Range(0, batch).Select(b => kept.Skip(b * 8).Take(8).Where(v => v > 0).DefaultIfEmpty(float.NaN).Min())
            .Where(v => !float.IsNaN(v)).Average();
        Assert.Equal(expected, m.Hid1TopKThreshold, 5);
        Assert.True(smallestKept > 0);

        // Inference keeps what exceeds θ, whatever the batch.
        float[] y = new float[batch * 6];
        m.Predict(x, y, batch);
        float[] inference = m.Hid1Activations.ToArray();
        float theta = m.Hid1TopKThreshold;
        float[] w = m.Hid1Weight.ToArray(), bias = m.Hid1Bias.ToArray();
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < 8; j++)
            {
                double z = bias[j] + Enumerable.Range(0, 6).Sum(i => (double)w[j * 6 + i] * x[b * 6 + i]);
                if (Math.Max(z, 0) > theta + 1e-5) Assert.Equal(z, inference[b * 8 + j], 4);
                else if (Math.Max(z, 0) < theta - 1e-5) Assert.Equal(0f, inference[b * 8 + j]);
            }

        // The second step moves θ by the moving average: 0.999·θ + 0.001·m.
        m.TrainStep(x, x, batch);
        float[] second = m.Hid1Activations.ToArray();
        double m2 = Enumerable.Range(0, batch).Select(b => second.Skip(b * 8).Take(8).Where(v => v > 0).DefaultIfEmpty(float.NaN).Min())
            .Where(v => !float.IsNaN(v)).Average();
        Assert.Equal(0.999 * theta + 0.001 * m2, m.Hid1TopKThreshold, 5);
    }

    [Fact]
    public void AuxK_counts_samples_since_each_unit_fired()
    {
        const int batch = 3;
        var m = new AuxKCoder(batch, 4);
        float[] x = Random32(batch * 6, 14, -2, 2);
        m.ComputeGradients(x, x, batch);
        float[] a = m.Hid1Activations.ToArray();
        long[] since = m.Hid1SamplesSinceFired.ToArray();
        for (int j = 0; j < 10; j++)
        {
            bool fired = Enumerable.Range(0, batch).Any(b => a[b * 10 + j] != 0);
            Assert.Equal(fired ? 0 : batch, since[j]);
        }
        m.Evaluate(x, x, batch); // inference reads the counters, never moves them
        Assert.Equal(since, m.Hid1SamplesSinceFired.ToArray());
        m.ComputeGradients(x, x, batch);
        for (int j = 0; j < 10; j++) Assert.Equal(since[j] == 0 ? 0 : 2 * batch, m.Hid1SamplesSinceFired[j]);
    }

    // ---- Constraints, clipping, warm-up -----------------------------------------------------------------------------

    [Fact]
    public void Constraints_hold_after_every_step()
    {
        const int batch = 8;
        var m = new ConstrainedCoder(batch, 5);
        float[] x = Random32(batch * 6, 15, -2, 2), t = Random32(batch * 6, 16);
        for (int step = 0; step < 25; step++)
        {
            m.TrainStep(x, t, batch);
            float[] w1 = m.Hid1Weight.ToArray(), w2 = m.Hid2Weight.ToArray(), w3 = m.OutWeight.ToArray();
            // hid1: UnitNorm rows, then MaxNorm(0.7) columns.
            for (int i = 0; i < 6; i++) Assert.True(Norm(w1, 8, 6, i, column: true) <= 0.7 * (1 + 1e-6));
            // hid2: NonNeg exactly, then MinMaxNorm(0.2, 0.6, rate 0.5) rows.
            Assert.All(w2, v => Assert.True(v >= 0));
            // out: UnitNorm columns (each input's outgoing weights) to 1e-6.
            for (int i = 0; i < 5; i++) Assert.Equal(1.0, Norm(w3, 6, 5, i, column: true), 6);
        }
    }

    private static double Norm(float[] w, int rows, int cols, int index, bool column)
        => Math.Sqrt(column ? Enumerable.Range(0, rows).Sum(r => (double)w[r * cols + index] * w[r * cols + index])
                            : Enumerable.Range(0, cols).Sum(c => (double)w[index * cols + c] * w[index * cols + c]));

    [Fact]
    public void The_constraints_are_Keras_formulas_applied_after_the_update()
    {
        // One SGD-free check of each formula on the kernels, against the definitions evaluated here.
        var r = new Random(3);
        float[] w = Enumerable.Range(0, 12).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        double[] norms = new double[4];
        float[] unit = (float[])w.Clone(), max = (float[])w.Clone(), minmax = (float[])w.Clone(), nonneg = (float[])w.Clone();
        Kernels.Constraints.UnitNorm<float>(unit, 3, 4, perColumn: false, norms);
        Kernels.Constraints.MaxNorm<float>(max, 3, 4, perColumn: true, 0.5, norms);
        Kernels.Constraints.MinMaxNorm<float>(minmax, 3, 4, perColumn: false, 0.8, 1.2, 0.25, norms);
        Kernels.Constraints.NonNeg<float>(nonneg);
        for (int row = 0; row < 3; row++)
        {
            double n = Norm(w, 3, 4, row, column: false);
            double desired = 0.25 * Math.Clamp(n, 0.8, 1.2) + 0.75 * n;
            for (int c = 0; c < 4; c++)
            {
                Assert.Equal(w[row * 4 + c] / (1e-7 + n), unit[row * 4 + c], 6);
                Assert.Equal(w[row * 4 + c] * desired / (1e-7 + n), minmax[row * 4 + c], 6);
            }
        }
        for (int c = 0; c < 4; c++)
        {
            double n = Norm(w, 3, 4, c, column: true);
            for (int row = 0; row < 3; row++) Assert.Equal(w[row * 4 + c] * Math.Clamp(n, 0, 0.5) / (1e-7 + n), max[row * 4 + c], 6);
        }
        for (int i = 0; i < 12; i++) Assert.Equal(w[i] >= 0 ? w[i] : 0, nonneg[i]);
    }

    [Fact]
    public void Projected_gradients_lose_their_component_along_each_column()
    {
        var r = new Random(5);
        double[] w = Enumerable.Range(0, 15).Select(_ => r.NextDouble() * 2 - 1).ToArray(), g = Enumerable.Range(0, 15).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        double[] projected = (double[])g.Clone();
        Kernels.Constraints.ProjectColumns<double>(w, projected, 3, 5, new double[5], new double[5]);
        for (int c = 0; c < 5; c++)
        {
            double dot = 0, dd = 0, gd = 0;
            for (int row = 0; row < 3; row++)
            {
                dot += projected[row * 5 + c] * w[row * 5 + c];
                dd += w[row * 5 + c] * w[row * 5 + c];
                gd += g[row * 5 + c] * w[row * 5 + c];
            }
            Assert.Equal(0, dot, 12);
            for (int row = 0; row < 3; row++) Assert.Equal(g[row * 5 + c] - gd / dd * w[row * 5 + c], projected[row * 5 + c], 12);
        }
    }

    [Fact]
    public void Clipping_scales_the_whole_gradient_to_the_norm()
    {
        const int batch = 4;
        var m = new ClippedCoder64(batch, 2);
        double[] x = Random64(batch * 6, 17, -3, 3), t = Random64(batch * 6, 18, -3, 3);
        m.ComputeGradients(x, t, batch);
        double[] g = m.Gradients.ToArray(), before = m.Parameters.ToArray();
        double norm = Math.Sqrt(g.Sum(v => v * v));
        Assert.True(norm > 0.05, "the gradient is large enough to clip");
        m.TrainStep(x, t, batch); // momentum, first step: p ← p − lr·g·c/(‖g‖ + 1e−6)
        double lr = m.LearningRate, c = 0.05 / (norm + 1e-6);
        double[] after = m.Parameters.ToArray();
        for (int i = 0; i < g.Length; i++) Assert.Equal(before[i] - lr * g[i] * c, after[i], 14);
    }

    [Fact]
    public void Warmup_ramps_the_coefficient_from_zero()
    {
        const int batch = 4;
        var m = new WarmupCoder(batch, 2);
        float[] x = Random32(batch * 6, 19, -2, 2);
        Assert.Equal(4, m.Regularization.Hid1ActivityL1WarmupSteps);
        for (int step = 0; step < 7; step++)
        {
            float expected = 0.1f * Math.Min(step / 4f, 1f);
            Assert.Equal(expected, m.Regularization.Hid1ActivityL1Effective, 6);
            Assert.Equal(0.01f * Math.Min(step / 2f, 1f), m.Regularization.OutKernelL2Effective, 6);
            m.TrainStep(x, x, batch);
            float[] a = m.Hid1Activations.ToArray();
            double sum = a.Sum(v => (double)Math.Abs(v)) / batch;
            Assert.Equal(expected * sum, m.LastLoss.Hid1ActivityL1, 5);
        }
        Assert.Equal(0.1f, m.Regularization.Hid1ActivityL1); // the base value is what was set
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Regularization.Hid1ActivityL1WarmupSteps = -1);
        m.Regularization.Hid1ActivityL1WarmupSteps = 0;
        Assert.Equal(0.1f, m.Regularization.Hid1ActivityL1Effective);
    }

    // ---- Telemetry --------------------------------------------------------------------------------------------------

    [Fact]
    public void Telemetry_reports_L0_the_firing_window_and_explained_variance()
    {
        const int batch = 10;
        var m = new TopKCoder(batch, 6);
        Assert.Equal(100_000, m.DeadWindowSamples);
        m.DeadWindowSamples = 30;
        float[] x = Random32(batch * 6, 20, -2, 2);
        var fired = new bool[8];
        for (int step = 0; step < 3; step++)
        {
            m.ComputeGradients(x, x, batch);
            float[] a = m.Hid1Activations.ToArray();
            for (int j = 0; j < 8; j++) fired[j] |= Enumerable.Range(0, batch).Any(b => a[b * 8 + j] != 0);
            SparsityReportCheck(m, a, batch);
        }
        Compiled.FiringWindow window = m.LastSparsity.Hid1Firing;
        Assert.Equal(30, window.Samples);
        Assert.Equal(fired.Count(f => !f), window.DeadUnits);
        Assert.Equal(8, Enumerable.Range(0, Compiled.FiringHistogram.Count).Sum(i => window.Histogram[i]));
        Assert.Equal(window.DeadUnits, window.Histogram.Never);

        // Explained variance and normalized MSE of an Evaluate, from their definitions.
        float[] y = new float[batch * 6];
        m.Evaluate(x, x, batch);
        m.Predict(x, y, batch);
        Compiled.ReconstructionQuality q = m.LastReconstruction;
        double sse = 0, sst = 0, ss = 0;
        for (int j = 0; j < 6; j++)
        {
            double mean = Enumerable.Range(0, batch).Average(b => (double)x[b * 6 + j]);
            for (int b = 0; b < batch; b++)
            {
                sse += Math.Pow((double)x[b * 6 + j] - y[b * 6 + j], 2);
                sst += Math.Pow(x[b * 6 + j] - mean, 2);
                ss += Math.Pow(x[b * 6 + j], 2);
            }
        }
        Assert.Equal(batch, q.Rows);
        Assert.Equal(1 - sse / sst, q.ExplainedVariance, 9);
        Assert.Equal(sse / ss, q.NormalizedMse, 9);
    }

    private static void SparsityReportCheck(TopKCoder m, float[] a, int batch)
    {
        double l0 = a.Count(v => v != 0) / (double)batch;
        Assert.Equal(l0, m.LastSparsity.Hid1.L0, 4);
    }

    [Fact]
    public void Whole_dataset_explained_variance_sums_every_row_before_dividing()
    {
        var m = new TopKCoder(8, 6);
        float[] x = Random32(37 * 6, 21, -2, 2), y = new float[37 * 6];
        m.Evaluate(new Dataset(x, 6));
        m.Predict(x, y);
        double sse = 0, sst = 0;
        for (int j = 0; j < 6; j++)
        {
            double mean = Enumerable.Range(0, 37).Average(b => (double)x[b * 6 + j]);
            for (int b = 0; b < 37; b++) { sse += Math.Pow((double)x[b * 6 + j] - y[b * 6 + j], 2); sst += Math.Pow(x[b * 6 + j] - mean, 2); }
        }
        Assert.Equal(37, m.LastReconstruction.Rows);
        Assert.Equal(1 - sse / sst, m.LastReconstruction.ExplainedVariance, 9);
    }

    // ---- Pre-encoder bias -----------------------------------------------------------------------------------------

    [Fact]
    public void The_pre_encoder_bias_centres_the_input_and_starts_at_the_geometric_median()
    {
        var m = new PreBiasCoder(4, 1);
        // Points whose geometric median is known: the corners of a square around (1, −1, …) plus its centre.
        float[] data = new float[5 * 6];
        float[] centre = [1, -1, 0.5f, 2, 0, -0.5f];
        for (int p = 0; p < 5; p++)
            for (int j = 0; j < 6; j++) data[p * 6 + j] = centre[j] + (p == 4 ? 0 : (j == p % 2 ? 1 : 0) * (p < 2 ? 1 : -1));
        int iterations = m.InitializePreEncoderBias(new Dataset(data, 6));
        Assert.InRange(iterations, 1, 100);
        for (int j = 0; j < 6; j++) Assert.Equal(centre[j], m.OutBias[j], 4);

        // Predict reads x − b_dec: a model whose output bias moved, fed x + Δ, with the first layer's bias moved by W·Δ … —
        // more simply: with b_dec = x, the first layer sees zeros.
        float[] x = Random32(6, 22), y = new float[6];
        x.CopyTo(m.OutBias);
        m.Predict(x, y, 1);
        float[] a = m.Hid1Activations.ToArray();
        for (int j = 0; j < 8; j++) Assert.Equal(Math.Max(m.Hid1Bias[j], 0), a[j], 6);
    }

    [Fact]
    public void Geometric_median_minimizes_the_sum_of_distances()
    {
        var r = new Random(4);
        float[] rows = Enumerable.Range(0, 50 * 3).Select(_ => (float)(r.NextDouble() * 4 - 2)).ToArray();
        float[] median = new float[3];
        GeometricMedian.Compute(rows, 3, median);
        double Cost(double[] m) => Enumerable.Range(0, 50).Sum(i => Math.Sqrt(Enumerable.Range(0, 3).Sum(j => Math.Pow(rows[i * 3 + j] - m[j], 2))));
        double[] best = median.Select(v => (double)v).ToArray();
        double c0 = Cost(best);
        for (int j = 0; j < 3; j++)
            foreach (double d in new[] { -1e-3, 1e-3 })
            {
                double[] moved = (double[])best.Clone();
                moved[j] += d;
                Assert.True(Cost(moved) >= c0 - 1e-9, "a move of the median lowers the cost");
            }
        Assert.Throws<ArgumentException>(() => GeometricMedian.Compute(rows.AsSpan(0, 4), 3, median));
        Assert.Throws<ArgumentException>(() => GeometricMedian.Compute(rows, 3, new float[2]));
    }

    // ---- Threads, allocation, checkpoints ---------------------------------------------------------------------------

    [Fact]
    public void Sparse_coding_steps_are_bit_identical_for_any_thread_count_and_allocate_nothing()
    {
        const int batch = 16;
        float[] x = Random32(batch * 6, 23, -2, 2), buffer = new float[batch * 6];
        float[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var m = new OpenAiCoder(batch, 9) { Threads = threads };
            for (int i = 0; i < 5; i++) m.TrainStep(x, x, batch);
            float[] p = m.Parameters.ToArray();
            if (reference is null) reference = p;
            else Assert.Equal(reference, p);
        }

        var topK = new TopKCoder(batch, 1);
        var batchTopK = new BatchTopKCoder(batch, 1);
        var auxK = new AuxKCoder(batch, 1);
        var jump = new JumpReluCoder(batch, 1);
        var constrained = new ConstrainedCoder(batch, 1);
        var weighted = new WeightedL1Coder(batch, 1);
        var clipped = new ClippedCoder(batch, 1);
        var pre = new PreBiasCoder(batch, 1);
        var openAi = new OpenAiCoder(batch, 1);
        var models = new (Action Step, string Name)[]
        {
            (() => topK.TrainStep(x, x, batch), "TopK"), (() => batchTopK.TrainStep(x, x, batch), "BatchTopK"),
            (() => auxK.TrainStep(x, x, batch), "AuxK"), (() => jump.TrainStep(x, x, batch), "JumpReLU"),
            (() => constrained.TrainStep(x, x, batch), "constraints"), (() => weighted.TrainStep(x, x, batch), "weighted L1"),
            (() => clipped.TrainStep(x, x, batch), "clipping"), (() => pre.TrainStep(x, x, batch), "pre-encoder bias"),
            (() => openAi.TrainStep(x, x, batch), "OpenAI"),
            (() => openAi.Evaluate(x, x, batch), "OpenAI, Evaluate"), (() => topK.Predict(x, new Span<float>(buffer), batch), "TopK, Predict"),
        };
        foreach ((Action step, string name) in models)
        {
            for (int i = 0; i < 5; i++) step();
            long thread = long.MaxValue;
            for (int round = 0; round < 10 && thread > 0; round++)
            {
                long t0 = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 5; i++) step();
                thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - t0);
            }
            Assert.True(thread == 0, $"{name}: {thread} bytes per 5 steps");
        }
    }

    [Fact]
    public void Checkpoints_carry_the_log_thresholds_and_the_BatchTopK_threshold()
    {
        Assert.Contains(JumpReluCoder.ParameterLayout, p => p.Name == "hid1.log_threshold" && p.Shape.SequenceEqual(new[] { 8 }));
        var a = new BatchTopKCoder(8, 1);
        float[] x = Random32(8 * 6, 24, -2, 2);
        a.TrainStep(x, x, 8);
        var stream = new System.IO.MemoryStream();
        a.Save(stream);
        stream.Position = 0;
        var b = new BatchTopKCoder(8, 2);
        b.Load(stream);
        Assert.Equal(a.Hid1TopKThreshold, b.Hid1TopKThreshold);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
    }
}
