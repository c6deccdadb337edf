using System;
using System.Linq;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// No public setting accepts a value that can make the next step corrupt the parameters: every settable number refuses
/// NaN, ±∞ and out-of-range values at the setter with an ArgumentOutOfRangeException naming the property and the value,
/// and the model — parameters and the setting itself — is unchanged. A learning-rate schedule is refused when its next
/// rate is invalid, and a schedule that reaches an invalid rate later stops that step before it changes anything.
/// </summary>
public class SettingsTests
{
    private static readonly float[] X = Enumerable.Range(0, 4 * 5).Select(i => (i % 7) / 7f - 0.3f).ToArray();
    private static readonly float[] Y = Enumerable.Range(0, 4 * 3).Select(i => (i % 5) / 5f).ToArray();

    /// <summary>Sets a bad value; asserts the exception names the property and the value, and nothing changed.</summary>
    private static void Refused<TModel>(TModel m, Func<TModel, float[]> parameters, string property, Action<TModel> set, Func<TModel, object> read, string shown)
    {
        float[] before = parameters(m);
        object setting = read(m);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => set(m));
        Assert.Equal(property, e.ParamName);
        Assert.Contains(shown, e.Message);
        Assert.Equal(setting, read(m));
        Approx.SameBits(before, parameters(m), "parameters after refusing " + property);
    }

    public static TheoryData<float, string> BadRates => new()
    {
        { float.NaN, "NaN" }, { float.PositiveInfinity, "Infinity" }, { float.NegativeInfinity, "-Infinity" }, { -0.01f, "-0.01" },
    };

    [Theory, MemberData(nameof(BadRates))]
    public void LearningRate_refuses_NaN_infinities_and_negatives(float bad, string shown)
    {
        var m = new OptMomentum(4, 1);
        Refused(m, x => x.Parameters.ToArray(), "LearningRate", x => x.LearningRate = bad, x => x.LearningRate, shown);
        m.TrainStep(X, Y, 4); // and the model still trains
        Assert.All(m.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void LearningRate_zero_is_allowed_as_in_torch_and_changes_nothing()
    {
        var m = new OptSgd(4, 1);
        float[] before = m.Parameters.ToArray();
        m.LearningRate = 0;
        m.TrainStep(X, Y, 4);
        Approx.SameBits(before, m.Parameters, "parameters after a step at rate 0");
    }

    public static TheoryData<string, float, string> BadOptimizerSettings => new()
    {
        { "Momentum", float.NaN, "NaN" }, { "Momentum", 1f, "1" }, { "Momentum", -0.1f, "-0.1" }, { "Momentum", float.PositiveInfinity, "Infinity" },
        { "Beta1", float.NaN, "NaN" }, { "Beta1", 1f, "1" }, { "Beta1", -0.5f, "-0.5" },
        { "Beta2", float.NaN, "NaN" }, { "Beta2", 1.5f, "1.5" }, { "Beta2", float.NegativeInfinity, "-Infinity" },
        { "Epsilon", float.NaN, "NaN" }, { "Epsilon", 0f, "0" }, { "Epsilon", -1e-8f, "-1E-08" }, { "Epsilon", float.PositiveInfinity, "Infinity" },
        { "WeightDecay", float.NaN, "NaN" }, { "WeightDecay", -0.1f, "-0.1" }, { "WeightDecay", float.PositiveInfinity, "Infinity" },
    };

    [Theory, MemberData(nameof(BadOptimizerSettings))]
    public void Optimizer_settings_refuse_values_outside_their_range(string property, float bad, string shown)
    {
        switch (property)
        {
            case "Momentum":
                Refused(new OptMomentum(4, 1), x => x.Parameters.ToArray(), property, x => x.Momentum = bad, x => x.Momentum, shown);
                break;
            case "Beta1":
                Refused(new OptAdamW(4, 1), x => x.Parameters.ToArray(), property, x => x.Beta1 = bad, x => x.Beta1, shown);
                break;
            case "Beta2":
                Refused(new OptAdamW(4, 1), x => x.Parameters.ToArray(), property, x => x.Beta2 = bad, x => x.Beta2, shown);
                break;
            case "Epsilon":
                Refused(new OptAdamW(4, 1), x => x.Parameters.ToArray(), property, x => x.Epsilon = bad, x => x.Epsilon, shown);
                break;
            default:
                Refused(new OptAdamW(4, 1), x => x.Parameters.ToArray(), property, x => x.WeightDecay = bad, x => x.WeightDecay, shown);
                break;
        }
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(-0.01f, "-0.01")]
    public void SparsityEpsilon_refuses_NaN_infinity_and_negatives(float bad, string shown)
        => Refused(new OptSgd(4, 1), x => x.Parameters.ToArray(), "SparsityEpsilon", x => x.SparsityEpsilon = bad, x => x.SparsityEpsilon, shown);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    [InlineData(int.MaxValue)]
    public void Threads_refuses_counts_outside_1_to_64(int bad)
        => Refused(new OptSgd(4, 1), x => x.Parameters.ToArray(), "Threads", x => x.Threads = bad, x => x.Threads, bad.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void The_default_thread_count_is_the_processor_count_at_most_64()
        => Assert.Equal(Math.Min(Environment.ProcessorCount, 64), new OptSgd(1, 1).Threads);

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(-1f, "-1")]
    public void Regularization_coefficients_refuse_NaN_infinity_and_negatives(float bad, string shown)
        => Refused(new SeedAutoencoder(1, 1), x => x.Parameters.ToArray(), "Hid1ActivityL1", x => x.Regularization.Hid1ActivityL1 = bad, x => x.Regularization.Hid1ActivityL1, shown);

    /// <summary>A schedule that gives <see cref="Rate"/> from update <see cref="From"/> on, the base rate before.</summary>
    private sealed class Broken(float rate, long from) : LearningRateSchedule
    {
        public float Rate { get; } = rate;

        public long From { get; } = from;

        public override float At(long step, float baseRate) => step >= From ? Rate : baseRate;
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-0.5f)]
    public void A_schedule_whose_next_rate_is_invalid_is_refused_when_set(float rate)
    {
        var m = new OptSgd(4, 1);
        Refused(m, x => x.Parameters.ToArray(), "Schedule", x => x.Schedule = new Broken(rate, 0), x => (object?)x.Schedule ?? "none", "update 0");
        Assert.Null(m.Schedule);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-0.5f)]
    public void A_schedule_that_turns_invalid_later_stops_that_step_before_anything_changes(float rate)
    {
        var m = new OptSgd(4, 1) { Schedule = new Broken(rate, 2) };
        m.TrainStep(X, Y, 4);
        m.TrainStep(X, Y, 4);
        float[] before = m.Parameters.ToArray();
        long step = m.Step;
        var e = Assert.Throws<InvalidOperationException>(() => m.TrainStep(X, Y, 4));
        Assert.Contains("update 2", e.Message);
        Approx.SameBits(before, m.Parameters, "parameters after the refused step");
        Assert.Equal(step, m.Step);
    }

    [Fact]
    public void A_step_schedule_whose_rate_overflows_stops_at_the_first_infinite_rate()
    {
        // γ = 1e30 per update: 0.05, 5e28, then ∞ (float) at the third update.
        var m = new OptSgd(4, 1) { Schedule = LearningRateSchedule.Step(1, 1e30) };
        m.DivergenceGuard = false;
        m.TrainStep(X, Y, 4);
        float[] afterFirst = m.Parameters.ToArray();
        m.LearningRate = 0; // a zero base keeps the second step harmless; its rate is still finite (0 · 1e30)
        m.TrainStep(X, Y, 4);
        Approx.SameBits(afterFirst, m.Parameters, "a step at rate 0");
        m.LearningRate = 0.05f;
        var e = Assert.Throws<InvalidOperationException>(() => m.TrainStep(X, Y, 4));
        Assert.Contains("update 2", e.Message);
        Approx.SameBits(afterFirst, m.Parameters, "parameters after the refused step");
    }

    [Fact]
    public void A_float64_model_refuses_the_same_values()
    {
        var m = new OptAdam64(4, 1);
        float[] Params(OptAdam64 x) => x.Parameters.ToArray().Select(v => (float)v).ToArray();
        Refused(m, Params, "LearningRate", x => x.LearningRate = double.NaN, x => x.LearningRate, "NaN");
        Refused(m, Params, "LearningRate", x => x.LearningRate = -1, x => x.LearningRate, "-1");
        Refused(m, Params, "Beta1", x => x.Beta1 = 1, x => x.Beta1, "1");
        Refused(m, Params, "SparsityEpsilon", x => x.SparsityEpsilon = double.PositiveInfinity, x => x.SparsityEpsilon, "Infinity");
        Refused(m, Params, "Threads", x => x.Threads = 0, x => x.Threads, "0");
    }
}
