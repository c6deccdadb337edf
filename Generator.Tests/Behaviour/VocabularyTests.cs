using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The activations, losses and optimizers beyond the seed, against PyTorch (Golden/torch_vocabulary.json, float64)
/// and against central finite differences.
/// </summary>
public class VocabularyTests
{
    private const int B = 3;

    private static JsonElement Case(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "torch_vocabulary.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").GetProperty(name).Clone();
    }

    private static float[] F(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static double[] D(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Close(double[] expected, ReadOnlySpan<float> actual, string what, double rel = 1e-5, double abs = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= abs + rel * Math.Abs(expected[i]),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Loads the case's parameters, runs forward + backward, compares output, loss terms and every gradient.</summary>
    private static void Golden(string name, Span<float> parameters, Func<float[], float[], float> gradients, Func<float> penalty,
        Func<float> data, Func<float[], float[]> predict, Func<float[]> grads)
    {
        JsonElement c = Case(name);
        F(c, "params").CopyTo(parameters);
        float[] x = F(c, "input"), t = F(c, "target");
        float total = gradients(x, t);
        Approx.Equal(c.GetProperty("data").GetDouble(), data(), 1e-5, 1e-7, name + " data loss");
        Approx.Equal(c.GetProperty("penalty").GetDouble(), penalty(), 1e-5, 1e-7, name + " penalty");
        Approx.Equal(c.GetProperty("data").GetDouble() + c.GetProperty("penalty").GetDouble(), total, 1e-5, 1e-7, name + " total");
        Close(D(c, "grads"), grads(), name + " gradient");
        Close(D(c, "output"), predict(x), name + " output");
    }

    [Fact]
    public void LeakyRelu_matches_PyTorch()
    {
        var m = new VocLeakyRelu(B, 0);
        Golden("act_leaky_relu", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.Hid1ActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Elu_matches_PyTorch()
    {
        var m = new VocElu(B, 0);
        Golden("act_elu", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.Hid1ActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Softplus_matches_PyTorch()
    {
        var m = new VocSoftplus(B, 0);
        Golden("act_softplus", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.Hid1ActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Gelu_matches_PyTorch()
    {
        var m = new VocGelu(B, 0);
        Golden("act_gelu", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.Hid1ActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Gelu_tanh_approximation_matches_PyTorch()
    {
        var m = new VocGeluTanh(B, 0);
        Golden("act_gelu_tanh", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.Hid1ActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Mean_absolute_error_matches_PyTorch_L1Loss()
    {
        var m = new VocMae(B, 0);
        Golden("loss_mae", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.OutActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Binary_cross_entropy_matches_PyTorch_BCEWithLogitsLoss()
    {
        var m = new VocBce(B, 0);
        Golden("loss_bce", m.Parameters, (x, t) => m.ComputeGradients(x, t, B), () => m.LastLoss.OutActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());
    }

    [Fact]
    public void Softmax_cross_entropy_with_labels_matches_PyTorch_CrossEntropyLoss()
    {
        var m = new VocCe(B, 0);
        int[] labels = Case("loss_ce").GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(new[] { 2, 0, 1 }, labels);
        Golden("loss_ce", m.Parameters, (x, _) => m.ComputeGradients(x, labels, B), () => m.LastLoss.OutActivityL1, () => m.LastLoss.Data,
            x => { var y = new float[B * 3]; m.Predict(x, y, B); return y; }, () => m.Gradients.ToArray());

        // The classification helpers agree with the probabilities.
        float[] xs = F(Case("loss_ce"), "input"), probabilities = new float[B * 3];
        m.Predict(xs, probabilities, B);
        var classes = new int[B];
        m.PredictClasses(xs, classes, B);
        int correct = 0;
        for (int r = 0; r < B; r++)
        {
            int best = Enumerable.Range(0, 3).OrderByDescending(k => probabilities[r * 3 + k]).First();
            Assert.Equal(best, classes[r]);
            Assert.Equal(best, m.PredictClass(xs.AsSpan(r * 5, 5)));
            if (best == labels[r]) correct++;
        }
        Assert.Equal(correct / 3f, m.Accuracy(xs, labels, B));
        for (int r = 0; r < B; r++) Approx.Equal(1.0, probabilities[r * 3] + probabilities[r * 3 + 1] + probabilities[r * 3 + 2], 1e-6, 0, "softmax row sum");
    }

    [Fact]
    public void Labels_outside_the_classes_are_refused_before_anything_runs()
    {
        var m = new VocCe(B, 0);
        float[] before = m.Parameters.ToArray(), x = new float[B * 5];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.TrainStep(x, new[] { 0, 3, 1 }, B));
        Assert.Contains("labels[1] is 3", e.Message);
        Assert.Contains("between 0 and 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TrainStep(x, new[] { 0, -1, 1 }, B));
        var wrongCount = Assert.Throws<ArgumentException>(() => m.TrainStep(x, new[] { 0, 1 }, B));
        Assert.Contains("labels has length 2", wrongCount.Message);
        Assert.Equal(before, m.Parameters.ToArray());
        Assert.Equal(0, m.Step);
    }

    // ---- Optimizers: 5 steps, parameters after each, against torch.optim ----------------------------------------

    private static void Steps(string name, Span<float> parameters, Func<float[], float[], float> step, Func<float[]> read)
    {
        JsonElement c = Case(name);
        F(c, "params").CopyTo(parameters);
        float[] x = F(c, "input"), t = F(c, "target");
        int k = 0;
        foreach (JsonElement expected in c.GetProperty("steps").EnumerateArray())
        {
            step(x, t);
            k++;
            Close(expected.EnumerateArray().Select(v => v.GetDouble()).ToArray(), read(), $"{name} step {k}", 2e-5, 2e-6);
        }
        Assert.Equal(5, k);
    }

    [Fact]
    public void Sgd_matches_torch_optim_SGD_for_5_steps()
    {
        var m = new OptSgd(B, 0);
        Steps("opt_sgd", m.Parameters, (x, t) => m.TrainStep(x, t, B), () => m.Parameters.ToArray());
    }

    [Fact]
    public void Momentum_matches_torch_optim_SGD_momentum_for_5_steps()
    {
        var m = new OptMomentum(B, 0);
        Steps("opt_momentum", m.Parameters, (x, t) => m.TrainStep(x, t, B), () => m.Parameters.ToArray());
    }

    [Fact]
    public void Nesterov_matches_torch_optim_SGD_nesterov_for_5_steps()
    {
        var m = new OptNesterov(B, 0);
        Steps("opt_nesterov", m.Parameters, (x, t) => m.TrainStep(x, t, B), () => m.Parameters.ToArray());
    }

    [Fact]
    public void Adam_matches_torch_optim_Adam_for_5_steps()
    {
        var m = new OptAdam(B, 0);
        Steps("opt_adam", m.Parameters, (x, t) => m.TrainStep(x, t, B), () => m.Parameters.ToArray());
    }

    [Fact]
    public void AdamW_matches_torch_optim_AdamW_for_5_steps()
    {
        var m = new OptAdamW(B, 0);
        Steps("opt_adamw", m.Parameters, (x, t) => m.TrainStep(x, t, B), () => m.Parameters.ToArray());
    }

    [Fact]
    public void ResetOptimizer_restarts_Adam_as_a_fresh_torch_optimizer()
    {
        var m = new OptAdam(B, 0);
        JsonElement c = Case("opt_adam");
        float[] start = F(c, "params"), x = F(c, "input"), t = F(c, "target");
        start.CopyTo(m.Parameters);
        m.TrainStep(x, t, B);
        m.TrainStep(x, t, B);
        start.CopyTo(m.Parameters);
        m.ResetOptimizer();
        m.TrainStep(x, t, B);
        double[] first = c.GetProperty("steps")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Close(first, m.Parameters, "after reset, step 1", 2e-5, 2e-6);
    }

    [Fact]
    public void Optimizer_settings_are_tunable_and_validated()
    {
        var m = new OptAdamW(B, 0);
        Assert.Equal(0.8f, m.Beta1);
        Assert.Equal(0.99f, m.Beta2);
        Assert.Equal(1e-6f, m.Epsilon);
        Assert.Equal(0.1f, m.WeightDecay);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Beta2 = 1f);
        Assert.Contains("Beta2 must be in [0, 1)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Epsilon = 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.WeightDecay = float.NaN);
        Assert.Equal(0.99f, m.Beta2);
        var n = new OptMomentum(B, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => n.Momentum = 1f);
        n.Momentum = 0.5f;
        Assert.Equal(0.5f, n.Momentum);
    }

    [Fact]
    public void Momentum_zero_is_plain_SGD_and_schedules_follow_their_closed_forms()
    {
        JsonElement c = Case("opt_sgd");
        float[] start = F(c, "params"), x = F(c, "input"), t = F(c, "target");
        var momentum = new OptMomentum(B, 0) { Momentum = 0f };
        start.CopyTo(momentum.Parameters);
        var sgd = new OptSgd(B, 0);
        start.CopyTo(sgd.Parameters);
        for (int i = 0; i < 3; i++) { momentum.TrainStep(x, t, B); sgd.TrainStep(x, t, B); }
        Close(sgd.Parameters.ToArray().Select(v => (double)v).ToArray(), momentum.Parameters, "momentum 0 vs SGD", 1e-6, 1e-7);

        // StepLR(step_size = 2, γ = 0.5): 0.05, 0.05, 0.025, 0.025, 0.0125; CosineAnnealingLR(T = 4, η_min = 0.01).
        var step = LearningRateSchedule.Step(2, 0.5);
        Assert.Equal(new[] { 0.05f, 0.05f, 0.025f, 0.025f, 0.0125f }, Enumerable.Range(0, 5).Select(i => step.At(i, 0.05f)).ToArray());
        var cosine = LearningRateSchedule.Cosine(4, 0.01);
        double[] expected = Enumerable.Range(0, 6).Select(i => 0.01 + 0.04 * (1 + Math.Cos(Math.PI * Math.Min(i, 4) / 4)) / 2).ToArray();
        for (int i = 0; i < 6; i++) Approx.Equal(expected[i], cosine.At(i, 0.05f), 1e-6, 0, "cosine step " + i);
        Approx.Equal(0.03, cosine.At(2, 0.05f), 1e-6, 0, "cosine half way");

        // The schedule drives TrainStep: with a step schedule that halves every update, SGD's second step is half the first.
        var scheduled = new OptSgd(B, 0) { Schedule = LearningRateSchedule.Step(1, 0.5) };
        start.CopyTo(scheduled.Parameters);
        var plain = new OptSgd(B, 0) { LearningRate = 0.025f };
        scheduled.TrainStep(x, t, B);
        plain.Parameters.Clear();
        scheduled.Parameters.CopyTo(plain.Parameters);
        plain.TrainStep(x, t, B);
        scheduled.TrainStep(x, t, B);
        Close(plain.Parameters.ToArray().Select(v => (double)v).ToArray(), scheduled.Parameters, "scheduled second step", 1e-6, 1e-7);
    }

    // ---- Finite differences ------------------------------------------------------------------------------------

    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    private const double H = 1e-3, Tol = 2e-3;

    [Theory, InlineData(1), InlineData(7)]
    public void LeakyRelu_Elu_Softplus_with_penalties_pass_finite_differences(int b)
    {
        var m = new FdVocabularyA(b, 3);
        float[] x = Random(b * 6, 1, 1.5f), t = Random(b * 4, 2);
        m.ComputeGradients(x, t, b);
        FiniteDifference.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, b).Total, H, Tol, "LeakyRelu/Elu/Softplus");
    }

    [Theory, InlineData(1), InlineData(7)]
    public void Gelu_both_forms_with_mean_absolute_error_pass_finite_differences(int b)
    {
        var m = new FdVocabularyB(b, 4);
        float[] x = Random(b * 6, 3, 1.5f), t = Random(b * 4, 4);
        m.ComputeGradients(x, t, b);
        FiniteDifference.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, b).Total, H, Tol, "GELU/MAE");
    }

    [Theory, InlineData(1), InlineData(7)]
    public void Binary_cross_entropy_passes_finite_differences(int b)
    {
        var m = new FdBce(b, 5);
        float[] x = Random(b * 6, 5, 1.5f), t = Random(b * 4, 6).Select(v => (v + 1) / 2).ToArray();
        m.ComputeGradients(x, t, b);
        FiniteDifference.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, b).Total, H, Tol, "BCE");
    }

    [Theory, InlineData(1), InlineData(7)]
    public void Softmax_cross_entropy_passes_finite_differences(int b)
    {
        var m = new FdCe(b, 6);
        float[] x = Random(b * 6, 7, 1.5f);
        int[] labels = Enumerable.Range(0, b).Select(i => (i * 3 + 1) % 4).ToArray();
        m.ComputeGradients(x, labels, b);
        FiniteDifference.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, labels, b).Total, H, Tol, "softmax CE");
    }

    [Theory, InlineData(1), InlineData(7)]
    public void Softmax_under_a_regression_loss_passes_finite_differences(int b)
    {
        var m = new FdSoftmaxRegression(b, 7);
        float[] x = Random(b * 6, 8, 1.5f), t = Random(b * 4, 9);
        m.ComputeGradients(x, t, b);
        FiniteDifference.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, b).Total, H, Tol, "softmax + half SSE");
    }

    [Fact]
    public void Cross_entropy_stays_finite_for_saturated_logits()
    {
        var bce = new FdBce(1, 5);
        var ce = new FdCe(1, 6);
        bce.OutWeight.Fill(0f); bce.OutBias.Fill(200f);  // σ(200) rounds to 1: log(1 − y) would be −∞
        ce.OutWeight.Fill(0f); ce.OutBias.Fill(0f); ce.OutBias[0] = 500f;  // softmax = (1, 0, 0, 0): log 0 for label 3
        float[] x = new float[6];
        var lb = bce.Evaluate(x, new float[4], 1);
        Approx.Equal(200.0, lb.Data, 1e-6, 0, "BCE = softplus(200) − 0 = 200");
        var lc = ce.Evaluate(x, new[] { 3 }, 1);
        Approx.Equal(500.0, lc.Data, 1e-6, 0, "CE = logsumexp − z[3] = 500");
        Assert.True(float.IsFinite(bce.ComputeGradients(x, new float[4], 1)));
        Assert.All(bce.Gradients.ToArray(), g => Assert.True(float.IsFinite(g)));
    }
}
