using System;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>Analytic gradients against central finite differences: every activation, with and without ActivityL1.</summary>
public class GradientCheckTests
{
    private const double H = 1e-3, Tol = 2e-3;

    private static float[] Random(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    public static TheoryData<int> Batches => new() { 1, 7 };

    [Theory, MemberData(nameof(Batches))]
    public void Linear(int b) { var m = new FdLinear(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Tanh(int b) { var m = new FdTanh(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Sigmoid(int b) { var m = new FdSigmoid(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Relu(int b) { var m = new FdRelu(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Linear_with_ActivityL1(int b) { var m = new FdLinearL1(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Tanh_with_ActivityL1(int b) { var m = new FdTanhL1(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Sigmoid_with_ActivityL1(int b) { var m = new FdSigmoidL1(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Relu_with_ActivityL1(int b) { var m = new FdReluL1(b, 3); Run(m.Parameters, () => m.ComputeGradients(X(b), T(b), b), () => m.Gradients.ToArray(), () => m.Evaluate(X(b), T(b), b).Total); }

    [Theory, MemberData(nameof(Batches))]
    public void Every_regularizer_placement_and_scaling_at_once(int b)
    {
        var m = new EveryRegularizer(b, 5);
        float[] x = Random(b * 6, 11), t = Random(b * 4, 12);
        Run(m.Parameters, () => m.ComputeGradients(x, t, b), () => m.Gradients.ToArray(), () => m.Evaluate(x, t, b).Total);
        // Every term must actually contribute, or the check above proves less than it claims.
        var loss = m.Evaluate(x, t, b);
        for (int i = 1; i < EveryRegularizer.LossBreakdown.Count; i++)
            Assert.True(loss[i] > 0, $"{EveryRegularizer.LossBreakdown.NameOf(i)} is {loss[i]}");
        Assert.Equal(14, EveryRegularizer.LossBreakdown.Count); // data + 13 terms
    }

    [Theory, MemberData(nameof(Batches))]
    public void Remaining_placements_scalings_and_KL_on_tanh_and_on_the_output(int b)
    {
        var m = new EveryRegularizerMore(b, 8);
        float[] x = Random(b * 5, 21, 1.2f), t = Random(b * 3, 22);
        Run(m.Parameters, () => m.ComputeGradients(x, t, b), () => m.Gradients.ToArray(), () => m.Evaluate(x, t, b).Total);
        var loss = m.Evaluate(x, t, b);
        for (int i = 1; i < EveryRegularizerMore.LossBreakdown.Count; i++)
            Assert.True(loss[i] > 0, $"{EveryRegularizerMore.LossBreakdown.NameOf(i)} is {loss[i]}");
    }

    /// <summary>
    /// At an exact kink of |·| (z = 0 exactly, so a = tanh(0) = 0), central differences of λ|a| are 0 by symmetry,
    /// which is what sign(0) = 0 gives: here the check runs with no parameter skipped. (relu'(0) = 0 is asymmetric,
    /// so central differences cannot test it: the golden cases and the kernel tests do.)
    /// </summary>
    [Fact]
    public void At_the_exact_zero_kink_sign_of_zero_is_zero_in_both_placements()
    {
        var g = Infrastructure.GoldenCase.Load("keras_activity_l1_A");
        var post = new KerasActivityL1(g.Batch, 0);
        g.Parameters.CopyTo(post.Parameters);
        post.ComputeGradients(g.Input, g.Target, g.Batch);
        Assert.Equal(0f, post.Hid1Activations[2]); // sample 0, unit 2 sits exactly on the kink
        FiniteDifference.Check(post.Parameters, post.Gradients.ToArray(), () => post.Evaluate(g.Input, g.Target, g.Batch).Total, H, Tol, "post", skipKinks: false);

        var gp = Infrastructure.GoldenCase.Load("keras_activity_l1_pre_activation_A");
        var pre = new KerasActivityL1Pre(gp.Batch, 0);
        gp.Parameters.CopyTo(pre.Parameters);
        pre.ComputeGradients(gp.Input, gp.Target, gp.Batch);
        FiniteDifference.Check(pre.Parameters, pre.Gradients.ToArray(), () => pre.Evaluate(gp.Input, gp.Target, gp.Batch).Total, H, Tol, "pre", skipKinks: false);
    }

    private static float[] X(int b) => Random(b * 5, 100 + b, 1.5f);
    private static float[] T(int b) => Random(b * 3, 200 + b);

    private static void Run(Span<float> parameters, Func<float> compute, Func<float[]> gradients, Func<double> loss)
    {
        compute();
        FiniteDifference.Check(parameters, gradients(), loss, H, Tol, "gradient");
    }
}
