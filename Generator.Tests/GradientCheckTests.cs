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

    private static float[] X(int b) => Random(b * 5, 100 + b, 1.5f);
    private static float[] T(int b) => Random(b * 3, 200 + b);

    private static void Run(Span<float> parameters, Func<float> compute, Func<float[]> gradients, Func<double> loss)
    {
        compute();
        FiniteDifference.Check(parameters, gradients(), loss, H, Tol, "gradient");
    }
}
