using System;
using System.Linq;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// Every network case of Golden/ (PyTorch, float64) through the public API: outputs, every loss term, the total and
/// every gradient. Our arithmetic is float32, so 1e-5 relative (plus a 1e-6 absolute floor for values near 0).
/// </summary>
public class GoldenTests
{
    private const double Rel = 1e-5, Abs = 1e-6;

    /// <summary>Loads parameters, runs ComputeGradients, checks output, data loss, total and gradients.</summary>
    private static void Check<TLoss>(GoldenCase g, Span<float> parameters, Func<float> computeGradients, Func<TLoss> lastLoss,
        Func<float[], int, float[]> predict, ReadOnlySpan<float> gradients, Func<TLoss, float> data)
    {
        g.Parameters.CopyTo(parameters);
        float total = computeGradients();
        Approx.Equal(g.TotalLoss, total, Rel, Abs, "total loss");
        Approx.Equal(g.DataLoss, data(lastLoss()), Rel, Abs, "data loss");
        Approx.Equal(g.GradTotalDouble, gradients, Rel, Abs, "gradient");
        Approx.Equal(g.Output, predict(g.Input, g.Batch), Rel, Abs, "output");
    }

    [Fact]
    public void Keras_activity_L1_on_both_layers()
    {
        var g = GoldenCase.Load("keras_activity_l1_A");
        var m = new KerasActivityL1(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("activity_l1_hid1"), m.LastLoss.Hid1ActivityL1, Rel, Abs, "hid1 term");
        Approx.Equal(g.Penalty("activity_l1_out"), m.LastLoss.OutActivityL1, Rel, Abs, "out term");
        Approx.Equal(g.Post("hid1"), m.Hid1Activations, Rel, Abs, "hid1 activations");
    }

    [Fact]
    public void Keras_activity_L1_after_the_activation()
    {
        var g = GoldenCase.Load("keras_activity_l1_post_activation_A");
        var m = new KerasActivityL1Post(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("activity_l1_hid1_post"), m.LastLoss.Hid1ActivityL1, Rel, Abs, "hid1 term");
    }

    [Fact]
    public void Keras_activity_L1_before_the_activation()
    {
        var g = GoldenCase.Load("keras_activity_l1_pre_activation_A");
        var m = new KerasActivityL1Pre(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("activity_l1_hid1_pre"), m.LastLoss.Hid1ActivityL1Pre, Rel, Abs, "hid1 pre term");
    }

    [Fact]
    public void Keras_kernel_and_bias_regularizers()
    {
        var g = GoldenCase.Load("keras_weight_regularizers_A");
        var m = new KerasWeightRegularizers(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("kernel_l1_hid1"), m.LastLoss.Hid1KernelL1, Rel, Abs, "hid1 kernel L1");
        Approx.Equal(g.Penalty("kernel_l2_hid1"), m.LastLoss.Hid1KernelL2, Rel, Abs, "hid1 kernel L2");
        Approx.Equal(g.Penalty("bias_l1_hid1"), m.LastLoss.Hid1BiasL1, Rel, Abs, "hid1 bias L1");
        Approx.Equal(g.Penalty("kernel_l2_out"), m.LastLoss.OutKernelL2, Rel, Abs, "out kernel L2");
        Approx.Equal(g.Penalty("bias_l1_out"), m.LastLoss.OutBiasL1, Rel, Abs, "out bias L1");
    }

    [Fact]
    public void Ng_KL_sparsity_with_weight_decay_and_half_squared_error()
    {
        var g = GoldenCase.Load("kl_sparsity_A");
        var m = new NgKlSparsity(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("kl_hid1"), m.LastLoss.Hid1KlSparsity, Rel, Abs, "KL term");
        Approx.Equal(g.Penalty("weight_decay"), m.LastLoss.WeightDecay, Rel, Abs, "weight decay");
        // ρ̂ telemetry is the batch mean of each unit: check its mean against the golden activations.
        double[] a = g.Post("hid1");
        double meanRho = a.Average();
        Approx.Equal(meanRho, m.LastSparsity.Hid1Kl.MeanRhoHat, 1e-5, 1e-6, "mean ρ̂");
        Assert.Equal(0.05f, m.LastSparsity.Hid1Kl.Target);
    }

    [Fact]
    public void Ng_KL_sparsity_on_tanh_uses_the_rescaled_mean()
    {
        var g = GoldenCase.Load("kl_tanh_rescaled_A");
        var m = new NgKlTanh(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("kl_hid1"), m.LastLoss.Hid1KlSparsity, Rel, Abs, "KL term");
    }

    [Fact]
    public void Theanets_hidden_L1_with_the_default_pattern()
    {
        var g = GoldenCase.Load("theanets_hidden_l1_A");
        var m = new TheanetsHiddenL1(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("hidden_l1"), m.LastLoss.HiddenL1, Rel, Abs, "hidden_l1");
    }

    [Fact]
    public void Theanets_weight_L1_and_L2()
    {
        var g = GoldenCase.Load("theanets_weight_l1_l2_A");
        var m = new TheanetsWeightL1L2(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("weight_l1"), m.LastLoss.WeightL1, Rel, Abs, "weight_l1");
        Approx.Equal(g.Penalty("weight_l2"), m.LastLoss.WeightL2, Rel, Abs, "weight_l2");
    }

    [Fact]
    public void PyTorch_seed_L1Penalty_sums_without_averaging()
    {
        var g = GoldenCase.Load("torch_l1penalty_A");
        var m = new TorchL1Penalty(g.Batch, 0);
        Check(g, m.Parameters, () => m.ComputeGradients(g.Input, g.Target, g.Batch), () => m.LastLoss,
            (x, b) => { var y = new float[b * 6]; m.Predict(x, y, b); return y; }, m.Gradients, l => l.Data);
        Approx.Equal(g.Penalty("l1penalty_hid1"), m.LastLoss.Hid1ActivityL1, Rel, Abs, "L1Penalty term");
        // What PyTorch prints is the data loss alone; ours reports it as Data, with the penalty beside it.
        Approx.Equal(g.FrameworkReportedLoss, m.LastLoss.Data, Rel, Abs, "framework-reported loss");
    }

    [Fact]
    public void Exact_zero_preactivations_of_the_golden_cases_are_exactly_zero_here_too()
    {
        // sign(0) = 0 is only exercised if z is exactly 0 in float32 as well: check that it is.
        var g = GoldenCase.Load("keras_activity_l1_A");
        var m = new KerasActivityL1(g.Batch, 0);
        g.Parameters.CopyTo(m.Parameters);
        m.ComputeGradients(g.Input, g.Target, g.Batch);
        var zeros = g.ExactZeroPreactivations.ToList();
        Assert.NotEmpty(zeros);
        foreach (var (layer, sample, unit) in zeros)
        {
            Assert.Equal("hid1", layer);
            Assert.Equal(0f, m.Hid1Activations[sample * 5 + unit]);
        }
    }

    [Fact]
    public void TrainStep_applies_SGD_to_the_golden_gradient()
    {
        var g = GoldenCase.Load("torch_l1penalty_A");
        var m = new TorchL1Penalty(g.Batch, 0) { LearningRate = 0.01f };
        float[] p0 = g.Parameters;
        p0.CopyTo(m.Parameters);
        m.TrainStep(g.Input, g.Target, g.Batch);
        double[] grad = g.GradTotalDouble;
        double[] expected = p0.Select((p, i) => p - 0.01 * grad[i]).ToArray();
        Approx.Equal(expected, m.Parameters, 1e-6, 1e-7, "parameters after one SGD step");
    }
}
