using System;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>The Keras documentation's scalar examples (Golden/keras_trivial_A.json), through the public API.</summary>
public class RegularizerExampleTests
{
    private static void Identity(Span<float> weight, Span<float> bias, int n)
    {
        weight.Clear();
        bias.Clear();
        for (int i = 0; i < n; i++) weight[i * n + i] = 1;
    }

    private static float[] Fill(int count, float value)
    {
        var a = new float[count];
        Array.Fill(a, value);
        return a;
    }

    [Fact]
    public void L1_of_0_1_on_a_2x2x4_tensor_of_threes_is_2_4_with_batch_division_and_4_8_without()
    {
        var g = GoldenCase.Load("keras_trivial_A").Root.GetProperty("examples");
        double divided = g[1].GetProperty("value_batch_divided").GetDouble(), undivided = g[1].GetProperty("value_not_divided").GetDouble();
        double direct = g[0].GetProperty("value").GetDouble();
        Assert.Equal(2.4, divided, 12);
        Assert.Equal(4.8, undivided, 12);

        // The (2, 2, 4) tensor is a batch of 2 rows of 8 features, the output of an identity layer.
        float[] x = Fill(16, 3f);
        var mean = new ActivityL1BatchMean8(2, 0);
        Identity(mean.OutWeight, mean.OutBias, 8);
        Approx.Equal(divided, mean.Evaluate(x, x, 2).OutActivityL1, 1e-6, 0, "BatchMean (tf.keras 2, Keras ≥ 3.14)");

        var sum = new ActivityL1Sum8(2, 0);
        Identity(sum.OutWeight, sum.OutBias, 8);
        Approx.Equal(undivided, sum.Evaluate(x, x, 2).OutActivityL1, 1e-6, 0, "Sum (Keras 2.2, Keras 3.0–3.13, PyTorch seed)");
        // Calling the regularizer on the tensor directly is the undivided sum.
        Approx.Equal(direct, sum.Evaluate(x, x, 2).OutActivityL1, 1e-6, 0, "direct call");
    }

    [Fact]
    public void Dense_with_kernel_L1_and_activity_L2_on_twos_gives_0_25_plus_5()
    {
        var e = GoldenCase.Load("keras_trivial_A").Root.GetProperty("examples")[2];
        var m = new KernelL1ActivityL2(5, 0);
        m.OutWeight.Fill(1f);
        m.OutBias.Clear();
        float[] x = Fill(25, 2f);
        var loss = m.Evaluate(x, Fill(25, 10f), 5); // targets = outputs, so the data loss is 0
        Assert.Equal(0f, loss.Data);
        Approx.Equal(e.GetProperty("kernel_term").GetDouble(), loss.OutKernelL1, 1e-6, 0, "kernel term");
        Approx.Equal(e.GetProperty("activity_term_batch_divided").GetDouble(), loss.OutActivityL2, 1e-6, 0, "activity term");
        Approx.Equal(e.GetProperty("total_batch_divided").GetDouble(), loss.Total, 1e-6, 0, "total");
    }

    [Fact]
    public void ActivityRegularization_layer_l1_0_2_l2_0_3_on_a_two_is_1_6()
    {
        var e = GoldenCase.Load("keras_trivial_A").Root.GetProperty("examples")[3];
        var m = new ActivityRegularization1(1, 0);
        m.OutWeight[0] = 1f;
        m.OutBias[0] = 0f;
        var loss = m.Evaluate([2f], [2f], 1);
        Approx.Equal(e.GetProperty("value_batch_divided").GetDouble(), loss.OutActivityL1 + loss.OutActivityL2, 1e-6, 0, "l1 + l2");
    }
}
