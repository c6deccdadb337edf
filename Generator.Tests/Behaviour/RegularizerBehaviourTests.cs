using System;
using System.Linq;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>Run-time coefficients, Evaluate, telemetry and proximal L1.</summary>
public class RegularizerBehaviourTests
{
    private static double[] Component(GoldenCase g, string name)
    {
        var c = g.Root.GetProperty("grad_components").GetProperty(name);
        return g.LayerNames.SelectMany(l => Flat(c.GetProperty(l + ".weight")).Concat(Flat(c.GetProperty(l + ".bias")))).ToArray();
        static System.Collections.Generic.IEnumerable<double> Flat(System.Text.Json.JsonElement e)
            => e.ValueKind == System.Text.Json.JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flat) : [e.GetDouble()];
    }

    [Fact]
    public void Coefficients_are_tunable_at_run_time_and_scale_the_golden_gradient_components()
    {
        var g = GoldenCase.Load("torch_l1penalty_A");
        var m = new TorchL1Penalty(g.Batch, 0);
        g.Parameters.CopyTo(m.Parameters);
        double[] data = Component(g, "data_loss"), penalty = Component(g, "l1penalty_hid1");

        m.Regularization.Hid1ActivityL1 = 0f; // off
        m.ComputeGradients(g.Input, g.Target, g.Batch);
        Assert.Equal(0f, m.LastLoss.Hid1ActivityL1);
        Approx.Equal(data, m.Gradients, 1e-5, 1e-6, "λ = 0: data gradient only");

        m.Regularization.Hid1ActivityL1 = 0.05f; // half of the golden 0.1
        m.ComputeGradients(g.Input, g.Target, g.Batch);
        Approx.Equal(g.Penalty("l1penalty_hid1") / 2, m.LastLoss.Hid1ActivityL1, 1e-5, 1e-7, "λ = 0.05 term");
        Approx.Equal(data.Zip(penalty, (d, p) => d + p / 2).ToArray(), m.Gradients, 1e-5, 1e-6, "λ = 0.05 gradient");
    }

    [Fact]
    public void Evaluate_returns_the_breakdown_and_touches_neither_gradients_parameters_nor_LastLoss()
    {
        var g = GoldenCase.Load("keras_weight_regularizers_A");
        var m = new KerasWeightRegularizers(g.Batch, 0);
        g.Parameters.CopyTo(m.Parameters);
        float[] x0 = new float[g.Input.Length];
        m.ComputeGradients(x0, g.Target, g.Batch); // some other batch first
        float[] grads = m.Gradients.ToArray(), parameters = m.Parameters.ToArray();
        var last = m.LastLoss;

        var e = m.Evaluate(g.Input, g.Target, g.Batch);
        Approx.Equal(g.TotalLoss, e.Total, 1e-5, 1e-6, "Evaluate total");
        Approx.Equal(g.DataLoss, e.Data, 1e-5, 1e-6, "Evaluate data");
        Approx.Equal(g.Penalty("kernel_l1_hid1"), e.Hid1KernelL1, 1e-5, 1e-6, "Evaluate kernel term");
        Assert.Equal(grads, m.Gradients.ToArray());
        Assert.Equal(parameters, m.Parameters.ToArray());
        Assert.Equal(last.Total, m.LastLoss.Total);
        Assert.Equal(KerasWeightRegularizers.LossBreakdown.Count, Enumerable.Range(0, KerasWeightRegularizers.LossBreakdown.Count).Select(KerasWeightRegularizers.LossBreakdown.NameOf).Distinct().Count());
        Assert.Equal("hid1.kernel_l1", KerasWeightRegularizers.LossBreakdown.NameOf(1));
        Assert.StartsWith("total ", e.ToString());
        Assert.Contains("hid1.kernel_l1 0.12", e.ToString());
    }

    [Fact]
    public void Sparsity_telemetry_matches_counts_from_the_golden_activations()
    {
        var g = GoldenCase.Load("keras_activity_l1_A");
        var m = new KerasActivityL1(g.Batch, 0);
        g.Parameters.CopyTo(m.Parameters);
        m.SparsityEpsilon = 0.1f;
        m.ComputeGradients(g.Input, g.Target, g.Batch);
        double[] a = g.Post("hid1");
        var s = m.LastSparsity.Hid1;
        Assert.Equal(5, s.Units);
        Approx.Equal(a.Average(Math.Abs), s.MeanAbs, 1e-5, 1e-7, "mean |a|");
        Assert.Equal(a.Count(v => Math.Abs(v) < 0.1) / 20.0, s.FractionBelowEpsilon, 6);
        Assert.Equal(a.Count(v => v == 0) / 20.0, s.FractionZero, 6);
        Assert.Equal(1 / 20.0, s.FractionZero, 6); // the one exact-zero pre-activation
        int dead = Enumerable.Range(0, 5).Count(j => Enumerable.Range(0, 4).All(b => Math.Abs(a[b * 5 + j]) < 0.1));
        Assert.Equal(dead, s.DeadUnits);
        // The output layer carries a penalty too, so it reports as well.
        Approx.Equal(g.Output.Average(Math.Abs), m.LastSparsity.Out.MeanAbs, 1e-5, 1e-7, "out mean |a|");
    }

    private static (float[] X, float[] Y) Sparse(int n)
    {
        var r = new Random(7);
        float[] w = new float[20];
        w[0] = 2f; w[3] = -1.5f; w[11] = 1f; // the known sparse solution
        var x = new float[n * 20];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0.25;
            for (int j = 0; j < 20; j++) { x[i * 20 + j] = (float)(r.NextDouble() * 2 - 1); s += x[i * 20 + j] * w[j]; }
            y[i] = (float)s;
        }
        return (x, y);
    }

    [Fact]
    public void Proximal_L1_finds_exact_zeros_of_a_sparse_problem_while_the_loss_decreases()
    {
        var (x, y) = Sparse(256);
        var prox = new ProximalLasso(64, 3);
        var sub = new SubgradientLasso(64, 3);
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 150; epoch++)
            for (int b = 0; b < 4; b++)
            {
                float l = prox.TrainStep(x.AsSpan(b * 64 * 20, 64 * 20), y.AsSpan(b * 64, 64), 64);
                sub.TrainStep(x.AsSpan(b * 64 * 20, 64 * 20), y.AsSpan(b * 64, 64), 64);
                if (epoch == 0 && b == 0) first = l;
                last = l;
            }
        Assert.True(last < first / 20, $"loss {first} → {last}");
        float[] w = prox.OutWeight.ToArray();
        int[] support = [0, 3, 11];
        for (int j = 0; j < 20; j++)
        {
            if (support.Contains(j)) Assert.True(Math.Abs(w[j]) > 0.5f, $"w[{j}] = {w[j]} should be kept");
            else Assert.True(w[j] == 0f, $"w[{j}] = {w[j]:R} should be exactly 0");
        }
        // The same penalty as a subgradient leaves the zeros merely small, never exact — the reason proximal exists.
        Assert.Equal(0, sub.OutWeight.ToArray().Count(v => v == 0f));
        prox.Evaluate(x.AsSpan(0, 64 * 20), y.AsSpan(0, 64), 64);
        Assert.Equal(new Compiled.WeightSparsity(20, 17), prox.LastSparsity.OutWeight);
    }
}

/// <summary>Summary(): the Keras-style table.</summary>
public class SummaryTests
{
    [Fact]
    public void Summary_lists_layers_parameter_counts_and_regularizers_with_current_coefficients()
    {
        var m = new EveryRegularizer(1, 0);
        m.Regularization.Hid1ActivityL1 = 0.25f;
        string s = m.Summary();
        string[] lines = s.Split('\n');
        Assert.True(lines[0].StartsWith("EveryRegularizer: 6 inputs, 3 Dense layers, 137 parameters", System.StringComparison.Ordinal), s); // 63 + 50 + 24
        Assert.Contains(lines, l => l.Trim().StartsWith("hid1") && l.Contains("tanh") && l.TrimEnd().EndsWith("63"));     // 9·6 + 9
        Assert.Contains(lines, l => l.Trim().StartsWith("head") && l.Contains("linear") && l.TrimEnd().EndsWith("24"));   // 4·5 + 4
        Assert.Contains(lines, l => l.Contains("hid1.activity_l1") && l.Contains("0.25") && l.Contains("λ·Σ|a|/B on hid1 output"));
        Assert.Contains(lines, l => l.Contains("hid2.kl_sparsity") && l.Contains("ρ = 0.2"));
        Assert.Contains("half squared error", s);
        Assert.Equal(EveryRegularizer.LossBreakdown.Count - 1, lines.SkipWhile(l => !l.Contains("regularizer")).Skip(1).Count(l => l.Length > 0));
    }
}
