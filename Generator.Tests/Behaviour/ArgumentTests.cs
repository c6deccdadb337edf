using System.Linq;
using System;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>Bad arguments throw with the expected and actual sizes in the message, and nothing is written.</summary>
public class ArgumentTests
{
    private static (FdTanh Model, float[] Before) Fresh()
    {
        var m = new FdTanh(4, 1);
        var x = new float[4 * 5];
        m.ComputeGradients(x, new float[4 * 3], 4); // some state to compare against
        return (m, m.Parameters.ToArray());
    }

    [Fact]
    public void Predict_rejects_wrong_input_length_naming_sizes_and_writes_nothing()
    {
        var (m, _) = Fresh();
        var outputs = new float[2 * 3];
        Array.Fill(outputs, 42f);
        var e = Assert.Throws<ArgumentException>(() => m.Predict(new float[9], outputs, 2));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("length 9", e.Message);
        Assert.Contains("batch (2) × InputSize (5) = 10", e.Message);
        Assert.All(outputs, v => Assert.Equal(42f, v));
    }

    [Fact]
    public void Predict_rejects_wrong_output_length()
    {
        var (m, _) = Fresh();
        var e = Assert.Throws<ArgumentException>(() => m.Predict(new float[10], new float[7], 2));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("batch (2) × OutputSize (3) = 6", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5)]
    public void Every_entry_point_rejects_a_batch_outside_1_to_maxBatch(int batch)
    {
        var (m, before) = Fresh();
        float[] grads = m.Gradients.ToArray();
        int n = Math.Max(batch, 0);
        var x = new float[n * 5];
        var t = new float[n * 3];
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => m.Predict(x, new float[n * 3], batch));
        Assert.Contains("maxBatch (4)", e1.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ComputeGradients(x, t, batch));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TrainStep(x, t, batch));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Evaluate(x, t, batch));
        Assert.Equal(before, m.Parameters.ToArray());
        Assert.Equal(grads, m.Gradients.ToArray());
    }

    [Fact]
    public void Training_entry_points_reject_wrong_target_length_and_change_nothing()
    {
        var (m, before) = Fresh();
        float[] grads = m.Gradients.ToArray();
        var lossBefore = m.LastLoss;
        var x = new float[3 * 5];
        var e = Assert.Throws<ArgumentException>(() => m.TrainStep(x, new float[8], 3));
        Assert.Equal("targets", e.ParamName);
        Assert.Contains("batch (3) × OutputSize (3) = 9", e.Message);
        Assert.Throws<ArgumentException>(() => m.ComputeGradients(new float[14], new float[9], 3));
        Assert.Throws<ArgumentException>(() => m.Evaluate(x, new float[10], 3));
        Assert.Equal(before, m.Parameters.ToArray());
        Assert.Equal(grads, m.Gradients.ToArray());
        Assert.Equal(lossBefore.Total, m.LastLoss.Total);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(int.MaxValue)]
    public void Constructor_rejects_a_bad_maxBatch(int maxBatch)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SeedAutoencoder(maxBatch, 0));
        Assert.Equal("maxBatch", e.ParamName);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Coefficients_reject_negative_NaN_and_infinite_values(float value)
    {
        var m = new SeedAutoencoder(1, 0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Regularization.Hid1ActivityL1 = value);
        Assert.Equal("Hid1ActivityL1", e.ParamName);
        Assert.Equal(0.1f, m.Regularization.Hid1ActivityL1);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void KL_target_must_lie_in_0_1(float rho)
    {
        var m = new NgKlSparsity(1, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Regularization.Hid1KlTarget = rho);
        Assert.Equal(0.05f, m.Regularization.Hid1KlTarget);
    }
}

/// <summary>Initialization: PyTorch nn.Linear's bounds, deterministic per seed.</summary>
public class InitializationTests
{
    [Fact]
    public void Parameters_are_uniform_within_one_over_sqrt_fan_in_and_deterministic_per_seed()
    {
        var a = new SeedAutoencoder(1, 7);
        var b = new SeedAutoencoder(1, 7);
        var c = new SeedAutoencoder(1, 8);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));
        float b1 = 1 / MathF.Sqrt(784), b2 = 1 / MathF.Sqrt(400);
        Assert.All(a.Hid1Weight.ToArray().Concat(a.Hid1Bias.ToArray()), v => Assert.InRange(v, -b1, b1));
        Assert.All(a.OutWeight.ToArray().Concat(a.OutBias.ToArray()), v => Assert.InRange(v, -b2, b2));
        // Uniform: the mean is near 0 and the variance near bound²/3 (313,600 draws).
        float[] w = a.Hid1Weight.ToArray();
        double mean = w.Average(), variance = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.001, 0.001);
        Assert.InRange(variance / (b1 * b1 / 3.0), 0.98, 1.02);
        // The parameterless constructor is seed 0 with DefaultMaxBatch.
        var d = new SeedAutoencoder();
        Assert.Equal(SeedAutoencoder.DefaultMaxBatch, d.MaxBatch);
        Assert.True(d.Parameters.SequenceEqual(new SeedAutoencoder(SeedAutoencoder.DefaultMaxBatch, 0).Parameters));
        Assert.Equal(SeedAutoencoder.ParameterCount, a.Parameters.Length);
        Assert.Equal(784 * 400 + 400 + 400 * 784 + 784, SeedAutoencoder.ParameterCount);
    }
}
