using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests;

/// <summary>
/// [Model(Precision = Precision.Float64)]: the generated double model against finite differences (1e−7), PyTorch's
/// float64 references (1e−10, vocabulary 1e−9), its float32 twin (~1e−5), allocations, checkpoints, and the double
/// kernels against naive loops. Measured worst errors are written to the test output.
/// </summary>
public class Float64Tests(ITestOutputHelper output)
{
    // ---- 1. Gradient checks --------------------------------------------------------------------------------------------

    /// <summary>h = 1e−6: truncation ~h²·L''' ≈ 1e−12, rounding ~ε·L/h ≈ 1e−10, both well below the 1e−7 tolerance.</summary>
    private const double H = 1e-6, Tol = 1e-7;

    public static TheoryData<int> Batches => new() { 1, 7 };

    private static double[] Random(int n, int seed, double scale = 1)
    {
        var r = new Random(seed);
        var a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    private static double[] X(int b, int features = 5) => Random(b * features, 100 + b, 1.5);
    private static double[] T(int b, int outputs = 3) => Random(b * outputs, 200 + b);

    private void Fd(string what, Span<double> parameters, Func<double> compute, Func<double[]> gradients, Func<double> loss)
    {
        compute();
        double worst = FiniteDifference64.Check(parameters, gradients(), loss, H, Tol, what);
        output.WriteLine($"{what}: worst |fd − g|/max(1,|g|) = {worst:E2} over {parameters.Length} parameters");
    }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_Linear_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Linear(b, 3); Fd("linear b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_Tanh_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Tanh(b, 3); Fd("tanh b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_Sigmoid_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Sigmoid(b, 3); Fd("sigmoid b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_Relu_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Relu(b, 3); Fd("relu b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_LeakyRelu_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64LeakyRelu(b, 3); Fd("leaky_relu b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_Elu_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Elu(b, 3); Fd("elu b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_Softplus_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Softplus(b, 3); Fd("softplus b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_exact_Gelu_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64Gelu(b, 3); Fd("gelu b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_GeluTanh_with_activity_penalties_match_finite_differences(int b)
    { var m = new Fd64GeluTanh(b, 3); Fd("gelu_tanh b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_half_squared_error_match_finite_differences(int b)
    { var m = new Fd64Half(b, 3); Fd("half SSE b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_mean_absolute_error_match_finite_differences(int b)
    { var m = new Fd64Mae(b, 3); Fd("MAE b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_binary_cross_entropy_match_finite_differences(int b)
    {
        double[] t = T(b).Select(v => (v + 1) / 2).ToArray();
        var m = new Fd64Bce(b, 3);
        Fd("BCE b=" + b, m.Parameters, () => m.ComputeGradients(X(b), t, b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), t, b).Total);
    }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_of_softmax_cross_entropy_with_labels_match_finite_differences(int b)
    {
        int[] labels = Enumerable.Range(0, b).Select(i => (i * 3 + 1) % 4).ToArray();
        var m = new Fd64Ce(b, 3);
        Fd("softmax CE b=" + b, m.Parameters, () => m.ComputeGradients(X(b), labels, b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), labels, b).Total);
    }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_through_the_softmax_Jacobian_under_a_regression_loss_match_finite_differences(int b)
    { var m = new Fd64SoftmaxRegression(b, 3); Fd("softmax regression b=" + b, m.Parameters, () => m.ComputeGradients(X(b), T(b, 4), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b, 4), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_with_KL_kernel_bias_weight_decay_and_theanets_terms_match_finite_differences(int b)
    {
        var m = new EveryRegularizer64(b, 5);
        double[] x = Random(b * 6, 11), t = Random(b * 4, 12);
        Fd("every regularizer b=" + b, m.Parameters, () => m.ComputeGradients(x, t, b), () => m.Gradients.ToArray(), () => m.Evaluate(x, t, b).Total);
        var loss = m.Evaluate(x, t, b);
        for (int i = 1; i < EveryRegularizer64.LossBreakdown.Count; i++)
            Assert.True(loss[i] > 0, $"{EveryRegularizer64.LossBreakdown.NameOf(i)} is {loss[i]}");
    }

    [Theory, MemberData(nameof(Batches))]
    public void Gradients_with_KL_on_tanh_and_on_the_output_match_finite_differences(int b)
    {
        var m = new EveryRegularizerMore64(b, 8);
        double[] x = Random(b * 5, 21, 1.2), t = Random(b * 3, 22);
        Fd("KL on tanh and output b=" + b, m.Parameters, () => m.ComputeGradients(x, t, b), () => m.Gradients.ToArray(), () => m.Evaluate(x, t, b).Total);
    }

    // ---- 2. Golden: PyTorch float64 ------------------------------------------------------------------------------------

    private const double GoldenRel = 1e-10, GoldenAbs = 1e-13;

    private static double Worst(IReadOnlyList<double> expected, ReadOnlySpan<double> actual, double rel, double abs, string what)
    {
        Assert.Equal(expected.Count, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            double e = expected[i], a = actual[i], err = Math.Abs(a - e);
            Assert.True(err <= rel * Math.Abs(e) + abs, $"{what}[{i}]: got {a:R}, expected {e:R} (diff {err:E2})");
            worst = Math.Max(worst, err / Math.Max(Math.Abs(e), abs / rel));
        }
        return worst;
    }

    private double Scalar(double expected, double actual, double rel, double abs, string what)
    {
        Approx.Equal(expected, actual, rel, abs, what);
        return Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), abs / rel);
    }

    /// <summary>One golden case: parameters in, ComputeGradients, then total, data, gradients, outputs (relative errors).</summary>
    private delegate double ComputeFn(ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int batch);

    private delegate void PredictFn(ReadOnlySpan<double> inputs, Span<double> outputs, int batch);

    private void Golden(string name, Span<double> parameters, ComputeFn compute, Func<double> data,
        Func<double[], int, double[]> predict, Func<double[]> gradients, params (string Penalty, Func<double> Value)[] terms)
    {
        var g = GoldenCase.Load(name);
        g.ParametersDouble.CopyTo(parameters);
        double total = compute(g.InputDouble, g.TargetDouble, g.Batch);
        double worst = Scalar(g.TotalLoss, total, GoldenRel, GoldenAbs, name + " total");
        worst = Math.Max(worst, Scalar(g.DataLoss, data(), GoldenRel, GoldenAbs, name + " data"));
        foreach (var (penalty, value) in terms) worst = Math.Max(worst, Scalar(g.Penalty(penalty), value(), GoldenRel, GoldenAbs, name + " " + penalty));
        worst = Math.Max(worst, Worst(g.GradTotalDouble, gradients(), GoldenRel, GoldenAbs, name + " gradient"));
        worst = Math.Max(worst, Worst(g.Output, predict(g.InputDouble, g.Batch), GoldenRel, GoldenAbs, name + " output"));
        output.WriteLine($"{name}: worst relative error {worst:E2}");
    }

    private static Func<double[], int, double[]> Predictor(PredictFn predict, int outputs)
        => (x, b) => { var y = new double[b * outputs]; predict(x, y, b); return y; };

    [Fact]
    public void The_seed_L1Penalty_case_reproduces_PyTorch_float64_to_1e10()
    {
        var m = new TorchL1Penalty64(4, 0);
        Golden("torch_l1penalty_A", m.Parameters, m.ComputeGradients, () => m.LastLoss.Data, Predictor(m.Predict, 6), () => m.Gradients.ToArray(),
            ("l1penalty_hid1", () => m.LastLoss.Hid1ActivityL1));
    }

    [Fact]
    public void Keras_activity_L1_reproduces_PyTorch_float64_to_1e10()
    {
        var m = new KerasActivityL1x64(4, 0);
        Golden("keras_activity_l1_A", m.Parameters, m.ComputeGradients, () => m.LastLoss.Data, Predictor(m.Predict, 6), () => m.Gradients.ToArray(),
            ("activity_l1_hid1", () => m.LastLoss.Hid1ActivityL1), ("activity_l1_out", () => m.LastLoss.OutActivityL1));
    }

    [Fact]
    public void Keras_post_and_pre_activation_L1_and_weight_regularizers_reproduce_PyTorch_float64_to_1e10()
    {
        var post = new KerasActivityL1Post64(4, 0);
        Golden("keras_activity_l1_post_activation_A", post.Parameters, post.ComputeGradients, () => post.LastLoss.Data, Predictor(post.Predict, 6), () => post.Gradients.ToArray(),
            ("activity_l1_hid1_post", () => post.LastLoss.Hid1ActivityL1));
        var pre = new KerasActivityL1Pre64(4, 0);
        Golden("keras_activity_l1_pre_activation_A", pre.Parameters, pre.ComputeGradients, () => pre.LastLoss.Data, Predictor(pre.Predict, 6), () => pre.Gradients.ToArray(),
            ("activity_l1_hid1_pre", () => pre.LastLoss.Hid1ActivityL1Pre));
        var w = new KerasWeightRegularizers64(4, 0);
        Golden("keras_weight_regularizers_A", w.Parameters, w.ComputeGradients, () => w.LastLoss.Data, Predictor(w.Predict, 6), () => w.Gradients.ToArray(),
            ("kernel_l1_hid1", () => w.LastLoss.Hid1KernelL1), ("kernel_l2_hid1", () => w.LastLoss.Hid1KernelL2), ("bias_l1_hid1", () => w.LastLoss.Hid1BiasL1),
            ("kernel_l2_out", () => w.LastLoss.OutKernelL2), ("bias_l1_out", () => w.LastLoss.OutBiasL1));
    }

    [Fact]
    public void KL_sparsity_and_theanets_cases_reproduce_PyTorch_float64_to_1e10()
    {
        var kl = new NgKlSparsity64(4, 0);
        Golden("kl_sparsity_A", kl.Parameters, kl.ComputeGradients, () => kl.LastLoss.Data, Predictor(kl.Predict, 6), () => kl.Gradients.ToArray(),
            ("kl_hid1", () => kl.LastLoss.Hid1KlSparsity), ("weight_decay", () => kl.LastLoss.WeightDecay));
        var klt = new NgKlTanh64(4, 0);
        Golden("kl_tanh_rescaled_A", klt.Parameters, klt.ComputeGradients, () => klt.LastLoss.Data, Predictor(klt.Predict, 6), () => klt.Gradients.ToArray(),
            ("kl_hid1", () => klt.LastLoss.Hid1KlSparsity));
        var h = new TheanetsHiddenL1x64(4, 0);
        Golden("theanets_hidden_l1_A", h.Parameters, h.ComputeGradients, () => h.LastLoss.Data, Predictor(h.Predict, 6), () => h.Gradients.ToArray(),
            ("hidden_l1", () => h.LastLoss.HiddenL1));
        var wl = new TheanetsWeightL1L2x64(4, 0);
        Golden("theanets_weight_l1_l2_A", wl.Parameters, wl.ComputeGradients, () => wl.LastLoss.Data, Predictor(wl.Predict, 6), () => wl.Gradients.ToArray(),
            ("weight_l1", () => wl.LastLoss.WeightL1), ("weight_l2", () => wl.LastLoss.WeightL2));
    }

    // ---- Vocabulary (activations, losses, 5 optimizer steps) to 1e−9 ----------------------------------------------------

    private const double VocRel = 1e-9, VocAbs = 1e-12;
    private const int B = 3;

    private static JsonElement Case(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "torch_vocabulary.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").GetProperty(name).Clone();
    }

    private static double[] D(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private void Vocabulary(string name, Span<double> parameters, Func<double[], double[], double> compute, Func<double> penalty, Func<double> data,
        Func<double[], double[]> predict, Func<double[]> gradients)
    {
        JsonElement c = Case(name);
        D(c, "params").CopyTo(parameters);
        double[] x = D(c, "input"), t = D(c, "target");
        double total = compute(x, t);
        double worst = Scalar(c.GetProperty("data").GetDouble(), data(), VocRel, VocAbs, name + " data");
        worst = Math.Max(worst, Scalar(c.GetProperty("penalty").GetDouble(), penalty(), VocRel, VocAbs, name + " penalty"));
        worst = Math.Max(worst, Scalar(c.GetProperty("data").GetDouble() + c.GetProperty("penalty").GetDouble(), total, VocRel, VocAbs, name + " total"));
        worst = Math.Max(worst, Worst(D(c, "grads"), gradients(), VocRel, VocAbs, name + " gradient"));
        worst = Math.Max(worst, Worst(D(c, "output"), predict(x), VocRel, VocAbs, name + " output"));
        output.WriteLine($"{name}: worst relative error {worst:E2}");
    }

    private static Func<double[], double[]> Predict3(PredictFn predict) => x => { var y = new double[B * 3]; predict(x, y, B); return y; };

    [Fact]
    public void Every_vocabulary_activation_reproduces_PyTorch_float64_to_1e9()
    {
        var lr = new VocLeakyRelu64(B, 0);
        Vocabulary("act_leaky_relu", lr.Parameters, (x, t) => lr.ComputeGradients(x, t, B), () => lr.LastLoss.Hid1ActivityL1, () => lr.LastLoss.Data, Predict3(lr.Predict), () => lr.Gradients.ToArray());
        var elu = new VocElu64(B, 0);
        Vocabulary("act_elu", elu.Parameters, (x, t) => elu.ComputeGradients(x, t, B), () => elu.LastLoss.Hid1ActivityL1, () => elu.LastLoss.Data, Predict3(elu.Predict), () => elu.Gradients.ToArray());
        var sp = new VocSoftplus64(B, 0);
        Vocabulary("act_softplus", sp.Parameters, (x, t) => sp.ComputeGradients(x, t, B), () => sp.LastLoss.Hid1ActivityL1, () => sp.LastLoss.Data, Predict3(sp.Predict), () => sp.Gradients.ToArray());
        var gelu = new VocGelu64(B, 0);
        Vocabulary("act_gelu", gelu.Parameters, (x, t) => gelu.ComputeGradients(x, t, B), () => gelu.LastLoss.Hid1ActivityL1, () => gelu.LastLoss.Data, Predict3(gelu.Predict), () => gelu.Gradients.ToArray());
        var gt = new VocGeluTanh64(B, 0);
        Vocabulary("act_gelu_tanh", gt.Parameters, (x, t) => gt.ComputeGradients(x, t, B), () => gt.LastLoss.Hid1ActivityL1, () => gt.LastLoss.Data, Predict3(gt.Predict), () => gt.Gradients.ToArray());
    }

    [Fact]
    public void Every_vocabulary_loss_reproduces_PyTorch_float64_to_1e9()
    {
        var mae = new VocMae64(B, 0);
        Vocabulary("loss_mae", mae.Parameters, (x, t) => mae.ComputeGradients(x, t, B), () => mae.LastLoss.OutActivityL1, () => mae.LastLoss.Data, Predict3(mae.Predict), () => mae.Gradients.ToArray());
        var bce = new VocBce64(B, 0);
        Vocabulary("loss_bce", bce.Parameters, (x, t) => bce.ComputeGradients(x, t, B), () => bce.LastLoss.OutActivityL1, () => bce.LastLoss.Data, Predict3(bce.Predict), () => bce.Gradients.ToArray());
        var ce = new VocCe64(B, 0);
        int[] labels = Case("loss_ce").GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Vocabulary("loss_ce", ce.Parameters, (x, _) => ce.ComputeGradients(x, labels, B), () => ce.LastLoss.OutActivityL1, () => ce.LastLoss.Data, Predict3(ce.Predict), () => ce.Gradients.ToArray());
        double[] xs = D(Case("loss_ce"), "input"), p = new double[B * 3];
        ce.Predict(xs, p, B);
        var classes = new int[B];
        ce.PredictClasses(xs, classes, B);
        for (int r = 0; r < B; r++) Assert.Equal(Enumerable.Range(0, 3).OrderByDescending(k => p[r * 3 + k]).First(), classes[r]);
        Assert.Equal(classes.Zip(labels).Count(z => z.First == z.Second) / 3.0, ce.Accuracy(xs, labels, B));
    }

    private void Steps(string name, Span<double> parameters, Func<double[], double[], double> step, Func<double[]> read)
    {
        JsonElement c = Case(name);
        D(c, "params").CopyTo(parameters);
        double[] x = D(c, "input"), t = D(c, "target");
        int k = 0;
        double worst = 0;
        foreach (JsonElement expected in c.GetProperty("steps").EnumerateArray())
        {
            step(x, t);
            k++;
            worst = Math.Max(worst, Worst(expected.EnumerateArray().Select(v => v.GetDouble()).ToArray(), read(), VocRel, VocAbs, $"{name} step {k}"));
        }
        Assert.Equal(5, k);
        output.WriteLine($"{name}: 5 steps, worst relative error {worst:E2}");
    }

    [Fact]
    public void Five_steps_of_every_optimizer_reproduce_torch_optim_float64_to_1e9()
    {
        var sgd = new OptSgd64(B, 0);
        Steps("opt_sgd", sgd.Parameters, (x, t) => sgd.TrainStep(x, t, B), () => sgd.Parameters.ToArray());
        var mom = new OptMomentum64(B, 0);
        Steps("opt_momentum", mom.Parameters, (x, t) => mom.TrainStep(x, t, B), () => mom.Parameters.ToArray());
        var nes = new OptNesterov64(B, 0);
        Steps("opt_nesterov", nes.Parameters, (x, t) => nes.TrainStep(x, t, B), () => nes.Parameters.ToArray());
        var adam = new OptAdam64(B, 0);
        Steps("opt_adam", adam.Parameters, (x, t) => adam.TrainStep(x, t, B), () => adam.Parameters.ToArray());
        var adamw = new OptAdamW64(B, 0);
        Steps("opt_adamw", adamw.Parameters, (x, t) => adamw.TrainStep(x, t, B), () => adamw.Parameters.ToArray());
    }

    // ---- 3. Float32 vs float64: the element-type switch changes precision, nothing else --------------------------------

    private static double RelativeToMax(ReadOnlySpan<float> single, ReadOnlySpan<double> twin)
    {
        double max = 0, diff = 0;
        for (int i = 0; i < twin.Length; i++)
        {
            max = Math.Max(max, Math.Abs(twin[i]));
            diff = Math.Max(diff, Math.Abs(single[i] - twin[i]));
        }
        return diff / max;
    }

    [Fact]
    public void The_seed_autoencoder_agrees_in_both_precisions_from_the_same_initialization()
    {
        const int b = 16;
        var f = new SeedAutoencoder(b, 7);
        var d = new SeedAutoencoder64(b, 7);
        for (int i = 0; i < f.Parameters.Length; i++) Assert.Equal((double)f.Parameters[i], d.Parameters[i]); // same init, widened
        var r = new Random(3);
        float[] x = Enumerable.Range(0, b * 784).Select(_ => (float)r.NextDouble()).ToArray();
        double[] xd = x.Select(v => (double)v).ToArray();

        float[] yf = new float[b * 784];
        double[] yd = new double[b * 784];
        f.Predict(x, yf, b);
        d.Predict(xd, yd, b);
        double outputs = RelativeToMax(yf, yd);
        float lf = f.ComputeGradients(x, x, b);
        double ld = d.ComputeGradients(xd, xd, b);
        double loss = Math.Abs(lf - ld) / ld, gradients = RelativeToMax(f.Gradients, d.Gradients);
        for (int s = 0; s < 5; s++) { f.TrainStep(x, x, b); d.TrainStep(xd, xd, b); }
        double parameters = RelativeToMax(f.Parameters, d.Parameters);
        output.WriteLine($"seed autoencoder f32 vs f64: outputs {outputs:E2}, loss {loss:E2}, gradients {gradients:E2} (of max |g|), parameters after 5 steps {parameters:E2}");
        Assert.True(outputs < 1e-5, $"outputs {outputs:E2}");
        Assert.True(loss < 1e-5, $"loss {loss:E2}");
        Assert.True(gradients < 1e-5, $"gradients {gradients:E2}");
        Assert.True(parameters < 1e-5, $"parameters {parameters:E2}");
        Assert.Equal(f.LastSparsity.Hid1.DeadUnits, d.LastSparsity.Hid1.DeadUnits);
    }

    [Fact]
    public void A_mixed_model_with_Adam_agrees_in_both_precisions()
    {
        const int b = 7;
        var f = new Mixed32(b, 2);
        var d = new Mixed64(b, 2);
        double[] xd = X(b, 6), td = T(b, 4);
        float[] x = xd.Select(v => (float)v).ToArray(), t = td.Select(v => (float)v).ToArray();
        xd = x.Select(v => (double)v).ToArray();
        td = t.Select(v => (double)v).ToArray();
        float lf = f.ComputeGradients(x, t, b);
        double ld = d.ComputeGradients(xd, td, b);
        double gradients = RelativeToMax(f.Gradients, d.Gradients);
        for (int s = 0; s < 10; s++) { f.TrainStep(x, t, b); d.TrainStep(xd, td, b); }
        double parameters = RelativeToMax(f.Parameters, d.Parameters);
        output.WriteLine($"mixed f32 vs f64: loss {Math.Abs(lf - ld) / ld:E2}, gradients {gradients:E2}, parameters after 10 Adam steps {parameters:E2}");
        Assert.True(Math.Abs(lf - ld) / ld < 1e-5);
        Assert.True(gradients < 1e-5, $"gradients {gradients:E2}");
        Assert.True(parameters < 1e-5, $"parameters {parameters:E2}");
        for (int i = 0; i < Mixed64.LossBreakdown.Count; i++) Assert.Equal(Mixed32.LossBreakdown.NameOf(i), Mixed64.LossBreakdown.NameOf(i));
    }

    // ---- 4. Zero allocations after warm-up --------------------------------------------------------------------------------

    private static long Allocated(Action body)
    {
        for (int i = 0; i < 50; i++) body();
        long best = long.MaxValue;
        for (int round = 0; round < 3 && best > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++) body();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return best;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Float64_training_and_inference_allocate_nothing(int batch)
    {
        var m = new SeedAutoencoder64(4, 1);
        double[] x = new double[batch * 784], y = new double[batch * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 13) / 13.0;
        Assert.Equal(0, Allocated(() => m.Predict(x, y, batch)));
        Assert.Equal(0, Allocated(() => m.ComputeGradients(x, x, batch)));
        Assert.Equal(0, Allocated(() => m.TrainStep(x, x, batch)));
        Assert.Equal(0, Allocated(() => m.Evaluate(x, x, batch)));

        double[] xs = new double[batch * 5], ts = new double[batch * 3];
        int[] labels = Enumerable.Range(0, batch).Select(i => i % 3).ToArray(), classes = new int[batch];
        var adamw = new OptAdamW64(batch, 1) { Schedule = LearningRateSchedule.Cosine(10_000, 1e-4) };
        var ce = new VocCe64(batch, 1);
        var every = new EveryRegularizer64(batch, 1);
        var lasso = new ProximalLasso64(batch, 1);
        double[] x6 = new double[batch * 6], t4 = new double[batch * 4], x20 = new double[batch * 20], t1 = new double[batch];
        Assert.Equal(0, Allocated(() => adamw.TrainStep(xs, ts, batch)));
        Assert.Equal(0, Allocated(() => ce.TrainStep(xs, labels, batch)));
        Assert.Equal(0, Allocated(() => ce.PredictClasses(xs, classes, batch)));
        Assert.Equal(0, Allocated(() => every.TrainStep(x6, t4, batch)));
        Assert.Equal(0, Allocated(() => lasso.TrainStep(x20, t1, batch)));
    }

    // ---- 5. Checkpoints -------------------------------------------------------------------------------------------------

    [Fact]
    public void A_float64_checkpoint_round_trips_bit_exactly_and_a_float32_checkpoint_loads_into_it()
    {
        var m = new SeedAutoencoder64(4, 3);
        // Values no float can hold: the round trip must keep every bit.
        for (int i = 0; i < m.Parameters.Length; i++) m.Parameters[i] += Math.PI * 1e-9 * (i % 17);
        var stream = new MemoryStream();
        m.Save(stream);
        byte[] bytes = stream.ToArray();
        string header = Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0));
        Assert.Contains("\"dtype\":\"F64\"", header);
        Assert.DoesNotContain("F32", header);
        var copy = new SeedAutoencoder64(4, 99);
        copy.Load(new MemoryStream(bytes));
        for (int i = 0; i < m.Parameters.Length; i++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(m.Parameters[i]), BitConverter.DoubleToInt64Bits(copy.Parameters[i]));

        // Through a file (the atomic path) as well.
        string path = Path.Combine(Path.GetTempPath(), "compiled-f64-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            m.Save(path);
            var fromFile = new SeedAutoencoder64(4, 98);
            fromFile.Load(path);
            Assert.True(m.Parameters.SequenceEqual(fromFile.Parameters));
        }
        finally
        {
            File.Delete(path);
        }

        // A float32 model's checkpoint loads exactly (every float is a double).
        var single = new SeedAutoencoder(4, 5);
        var f32 = new MemoryStream();
        single.Save(f32);
        copy.Load(new MemoryStream(f32.ToArray()));
        for (int i = 0; i < copy.Parameters.Length; i++) Assert.Equal((double)single.Parameters[i], copy.Parameters[i]);

        // And the float64 checkpoint loads into the float32 model, rounded to nearest.
        single.Load(new MemoryStream(bytes));
        for (int i = 0; i < single.Parameters.Length; i++) Assert.Equal((float)m.Parameters[i], single.Parameters[i]);
    }

    // ---- The run-time surface in double ------------------------------------------------------------------------------

    [Fact]
    public void Guard_settings_schedule_and_summary_work_in_double()
    {
        // DivergenceGuard: a NaN input is refused, naming the step; the parameters are untouched.
        var m = new Fd64Tanh(2, 1);
        double[] x = Enumerable.Range(0, 10).Select(i => i / 10.0).ToArray(), t = new double[6];
        m.TrainStep(x, t, 2);
        double[] before = m.Parameters.ToArray();
        x[3] = double.NaN;
        var e = Assert.Throws<TrainingDivergedException>(() => m.TrainStep(x, t, 2));
        Assert.Equal(1, e.Step);
        Assert.Equal(before, m.Parameters.ToArray());

        // Coefficients and optimizer settings are doubles, validated as in float32.
        m.Regularization.Hid1ActivityL1 = 1e-300;
        Assert.Equal(1e-300, m.Regularization.Hid1ActivityL1);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Regularization.Hid1ActivityL1 = -1);
        var mom = new OptMomentum64(1, 0) { Momentum = 0.999999999999 };
        Assert.Equal(0.999999999999, mom.Momentum);
        Assert.Throws<ArgumentOutOfRangeException>(() => mom.Momentum = 1.0);

        // The schedule's rate is computed in double, step by step.
        var sgd = new OptSgd64(1, 0) { Schedule = LearningRateSchedule.Step(2, 0.5) };
        double[] x5 = [0.1, 0.2, 0.3, 0.4, 0.5], t3 = [0.1, 0.2, 0.3];
        for (int step = 0; step < 5; step++)
        {
            sgd.ComputeGradients(x5, t3, 1);
            double[] p = sgd.Parameters.ToArray(), g = sgd.Gradients.ToArray();
            sgd.TrainStep(x5, t3, 1);
            double lr = 0.05 * Math.Pow(0.5, step / 2);
            for (int i = 0; i < p.Length; i++) Assert.Equal(p[i] - lr * g[i], sgd.Parameters[i], 15);
        }

        // The summary says which precision the model is.
        Assert.Contains("float64", new SeedAutoencoder64(1, 0).Summary());
        Assert.DoesNotContain("float64", new SeedAutoencoder(1, 0).Summary());
    }

    // ---- Generated source ---------------------------------------------------------------------------------------------------

    public const string SeedFloat64 = GeneratorHarness.Usings + """
        namespace Demo;

        [Model(Precision = Precision.Float64)]
        [Input(784)]
        [Dense(400, Activation.Tanh)]
        [ActivityL1(0.1)]                 // sparse hidden code, as in Ng's sparse autoencoder
        [Dense(784, Activation.Sigmoid)]
        public partial class SparseAutoencoder64;
        """;

    [Fact]
    public void Snapshot_of_the_seed_autoencoder_in_float64()
    {
        var r = GeneratorHarness.Run(SeedFloat64);
        Assert.Empty(r.GeneratorDiagnostics);
        Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string source = r.Sources["Demo.SparseAutoencoder64.g.cs"];
        Assert.DoesNotContain("float[]", source);
        // The Dataset's float rows are read (Widen's parameter) and widened, never stored: no float buffer or span over one.
        Assert.DoesNotContain("Span<float>(", source);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(source, "<float>"));
        Snapshot.Match("SparseAutoencoder64", source);
    }

    [Fact]
    public void Every_float32_snapshot_model_also_compiles_warning_free_in_float64()
    {
        foreach (string model in new[] { SnapshotTests.Deep, SnapshotTests.Classifier })
        {
            string source = model.Replace("[Model(", "[Model(Precision = Precision.Float64, ");
            Assert.Contains("Float64", source);
            var r = GeneratorHarness.Run(source);
            Assert.Empty(r.GeneratorDiagnostics);
            Assert.Empty(r.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        }
    }

    [Fact]
    public void Fit_trains_a_float64_model_on_a_float_dataset_exactly_as_the_TrainStep_loop()
    {
        const int rows = 10, batch = 4;
        var r = new Random(9);
        float[] inputs = Enumerable.Range(0, rows * 5).Select(_ => (float)r.NextDouble()).ToArray();
        float[] targets = Enumerable.Range(0, rows * 3).Select(_ => (float)r.NextDouble()).ToArray();
        var data = new Compiled.Data.Dataset(inputs, 5, targets, 3);
        var fit = new OptAdam64(batch, 1);
        var loop = new OptAdam64(batch, 1);
        var reports = new List<OptAdam64.EpochReport>();
        fit.Fit(data, epochs: 2, batchSize: batch, seed: 4, onEpoch: reports.Add);
        foreach (int epoch in new[] { 0, 1 })
            foreach (Compiled.Data.Batch b in data.CreateBatches(batch, 4, shuffle: true, dropLast: false).Epoch(epoch))
                loop.TrainStep(b.Inputs.ToArray().Select(v => (double)v).ToArray(), b.Targets.ToArray().Select(v => (double)v).ToArray(), b.Count);
        Assert.True(fit.Parameters.SequenceEqual(loop.Parameters));
        Assert.Equal(2, reports.Count);
        Assert.Equal(rows, reports[1].Samples);
    }
}
