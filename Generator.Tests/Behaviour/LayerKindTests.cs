using System;
using System.Linq;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The layer kinds beyond Dense against independent references: central finite differences through every kind (same
/// step, same draw), every noise kind at rate 0 equal to no layer bit for bit, the draws' statistics over 10⁶ values
/// within 5 standard errors of their targets, independence across steps, streams and neighbours, any thread count
/// bit-identical, Predict untouched by noise, and zero allocation per step.
/// </summary>
public class LayerKindTests
{
    private const double H = 1e-6, Tol = 1e-7;

    private static double[] Random64(int n, int seed, double scale = 1)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (r.NextDouble() * 2 - 1) * scale).ToArray();
    }

    private static float[] Random32(int n, int seed, double scale = 1) => Random64(n, seed, scale).Select(v => (float)v).ToArray();

    // ---- Finite differences ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Gradients_through_every_noise_kind_match_finite_differences_at_the_same_draw(int batch)
    {
        var m = new Fd64Noise(batch, 3);
        double[] x = Random64(batch * 6, 1, 1.5), t = Random64(batch * 3, 2).Select(v => (v + 1) / 2).ToArray();
        m.ComputeGradients(x, t, batch);
        double[] mask = m.InputDropoutMask.ToArray();
        Assert.Contains(0.0, mask); // some input dropped …
        Assert.Contains(1 / 0.7, mask); // … and some kept: the draw is exercised
        FiniteDifference64.Check(m.Parameters, m.Gradients, () => m.ComputeGradients(x, t, batch), H, Tol, "noise kinds");
        Assert.Equal(mask, m.InputDropoutMask.ToArray()); // every ComputeGradients at this step drew the same
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Gradients_of_a_tied_stack_match_finite_differences(int batch)
    {
        var m = new Fd64Tied(batch, 4);
        double[] x = Random64(batch * 6, 3), t = Random64(batch * 6, 4);
        m.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, batch).Total, H, Tol, "tied stack");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Gradients_of_both_contractive_forms_match_finite_differences(int batch)
    {
        var m = new Fd64Contractive(batch, 5);
        double[] x = Random64(batch * 6, 5, 1.5), t = Random64(batch * 3, 6);
        m.ComputeGradients(x, t, batch);
        var loss = m.Evaluate(x, t, batch);
        Assert.True(loss.Hid1Contractive > 0 && loss.Hid2Contractive > 0 && loss.OutContractive > 0, loss.ToString());
        FiniteDifference64.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, batch).Total, H, Tol, "contractive");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Gradients_of_the_contractive_penalty_on_piecewise_activations_match_finite_differences(int batch)
    {
        var m = new Fd64ContractivePiecewise(batch, 6);
        double[] x = Random64(batch * 6, 7, 1.5), t = Random64(batch * 3, 8);
        m.ComputeGradients(x, t, batch);
        FiniteDifference64.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, batch).Total, H, Tol, "contractive, piecewise");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Gradients_of_the_orthogonal_penalty_in_both_modes_match_finite_differences(int batch)
    {
        var m = new Fd64Orthogonal(batch, 7);
        double[] x = Random64(batch * 6, 9), t = Random64(batch * 4, 10);
        m.ComputeGradients(x, t, batch);
        var loss = m.Evaluate(x, t, batch);
        Assert.True(loss.Hid1KernelOrthogonal > 0 && loss.OutKernelOrthogonal > 0, loss.ToString());
        FiniteDifference64.Check(m.Parameters, m.Gradients, () => m.Evaluate(x, t, batch).Total, H, Tol, "orthogonal");
    }

    // ---- Rate 0, Predict, threads, allocation ---------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(9)]
    public void Every_noise_kind_at_rate_0_equals_no_layer_bit_for_bit(int batch)
    {
        var plain = new PlainForZeroNoise(16, 11);
        var zero = new ZeroNoise(16, 11);
        Approx.SameBits(plain.Parameters, zero.Parameters, "initial parameters (noise renames nothing and draws no weights)");
        float[] x = Random32(batch * 12, 12, 2), t = Random32(batch * 4, 13).Select(v => (v + 1) / 2).ToArray();
        x[0] = -0f; // a signed zero must pass through untouched
        for (int step = 0; step < 4; step++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(plain.TrainStep(x, t, batch)), BitConverter.SingleToInt32Bits(zero.TrainStep(x, t, batch)));
            Approx.SameBits(plain.Parameters, zero.Parameters, $"parameters after step {step}");
        }
        Approx.SameBits(plain.Hid1Activations, zero.Hid1Activations, "activations");
    }

    [Fact]
    public void Predict_Evaluate_and_the_activations_of_inference_are_untouched_by_noise()
    {
        var noisy = new SeedDropout(8, 21);
        var clean = new SeedAutoencoder(8, 21);
        Approx.SameBits(clean.Parameters, noisy.Parameters, "same initial parameters");
        float[] x = Random32(8 * 784, 22).Select(v => (v + 1) / 2).ToArray();
        for (int i = 0; i < 3; i++) noisy.TrainStep(x, x, 8); // the noise acts in training …
        noisy.Parameters.CopyTo(clean.Parameters);
        float[] y1 = new float[8 * 784], y2 = new float[8 * 784];
        noisy.Predict(x, y1, 8);
        clean.Predict(x, y2, 8);
        Approx.SameBits(y2, y1, "Predict"); // … never in inference
        Assert.Equal(clean.Evaluate(x, x, 8).Total, noisy.Evaluate(x, x, 8).Total);
        Assert.Contains(0f, noisy.Hid1DropoutMask.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    public void Noise_and_tied_models_train_bit_identically_on_1_2_and_3_threads(int batch)
    {
        float[] x = Random32(batch * 784, 31).Select(v => (v + 1) / 2).ToArray();
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var m = new SeedDropout(64, 5) { Threads = threads };
            for (int step = 0; step < 3; step++) m.TrainStep(x, x, batch);
            float[] p = m.Parameters.ToArray().Concat(m.Hid1DropoutMask.ToArray()).ToArray();
            if (first is null) first = p;
            else Approx.SameBits(first, p, $"{threads} threads, batch {batch}");
        }
        float[] small = Random32(batch * 6, 32), smallFirst = [];
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var m = new NoiseAndTiedStack(64, 6) { Threads = threads };
            for (int step = 0; step < 3; step++) m.TrainStep(small, small, batch);
            if (threads == 1) smallFirst = m.Parameters.ToArray();
            else Approx.SameBits(smallFirst, m.Parameters, $"tied stack, {threads} threads");
        }
    }

    [Fact]
    public void Steps_of_noise_tied_and_structural_models_allocate_nothing()
    {
        static long Allocated(Action body)
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
        float[] x = Random32(16 * 784, 41).Select(v => (v + 1) / 2).ToArray();
        var seed = new SeedDropout(16, 1) { Threads = 1 };
        Assert.Equal(0, Allocated(() => seed.TrainStep(x, x, 16)));
        float[] s = Random32(8 * 6, 42);
        var stack = new NoiseAndTiedStack(8, 1);
        Assert.Equal(0, Allocated(() => stack.TrainStep(s, s, 8)));
        var structural = new StructuralPenalties(8, 1);
        Assert.Equal(0, Allocated(() => structural.TrainStep(s, s, 8)));
        Assert.Equal(0, Allocated(() => structural.Evaluate(s, s, 8)));
    }

    public static TheoryData<int> Lengths()
    {
        var d = new TheoryData<int>();
        for (int n = 0; n <= 3 * 16 + 1; n++) d.Add(n);
        d.Add(1000);
        return d;
    }

    [Theory, MemberData(nameof(Lengths))]
    public void The_vector_dropout_draws_exactly_the_scalar_reference(int n)
    {
        float[] x = Random32(n, n), y = new float[n], mask = new float[n], yRef = new float[n], maskRef = new float[n];
        ulong key = Noise.Key(3, n, 1);
        Noise.Dropout(x, y, mask, 0.3f, key);
        Noise.Dropout<float>(x, yRef, maskRef, 0.3f, key);
        Approx.SameBits(maskRef, mask, "mask");
        Approx.SameBits(yRef, y, "y");
    }

    // ---- The draws' statistics --------------------------------------------------------------------------------------

    private const int N = 1_000_000;

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void Dropout_keeps_1_minus_rate_of_the_values_within_5_standard_errors(double rate)
    {
        var x = new float[N];
        Array.Fill(x, 1f);
        float[] y = new float[N], mask = new float[N];
        Noise.Dropout(x, y, mask, (float)rate, Noise.Key(7, 3, 0));
        float keep = 1 / (1 - (float)rate);
        Assert.All(mask, v => Assert.True(v == 0 || v == keep));
        long kept = mask.Count(v => v != 0);
        double se = Math.Sqrt(N * rate * (1 - rate));
        Assert.InRange(kept, N * (1 - rate) - 5 * se, N * (1 - rate) + 5 * se);
        Approx.SameBits(mask, y, "y = 1·m");
    }

    [Fact]
    public void Gaussian_noise_has_mean_0_and_variance_sigma_squared_within_5_standard_errors()
    {
        float[] x = new float[N], y = new float[N], added = new float[N];
        const double sigma = 0.5;
        Noise.Gaussian(x, y, added, (float)sigma, Noise.Key(8, 0, 1));
        var (mean, variance) = Moments(added);
        Assert.InRange(mean, -5 * sigma / Math.Sqrt(N), 5 * sigma / Math.Sqrt(N));
        double seVar = sigma * sigma * Math.Sqrt(2.0 / (N - 1));
        Assert.InRange(variance, sigma * sigma - 5 * seVar, sigma * sigma + 5 * seVar);
        // Normal, not just the right two moments: the fraction beyond 2σ (4.55 %) within 5 standard errors.
        double p = 2 * 0.022750131948179, tail = added.Count(v => Math.Abs(v) > 2 * sigma) / (double)N;
        Assert.InRange(tail, p - 5 * Math.Sqrt(p * (1 - p) / N), p + 5 * Math.Sqrt(p * (1 - p) / N));
    }

    [Fact]
    public void Gaussian_dropout_multiplies_by_a_factor_of_mean_1_and_variance_rate_over_1_minus_rate()
    {
        float[] x = new float[N], y = new float[N], mask = new float[N];
        Array.Fill(x, 1f);
        const double rate = 0.3, v = rate / (1 - rate);
        Noise.GaussianDropout(x, y, mask, (float)rate, Noise.Key(9, 1, 0));
        var (mean, variance) = Moments(mask);
        Assert.InRange(mean, 1 - 5 * Math.Sqrt(v / N), 1 + 5 * Math.Sqrt(v / N));
        double seVar = v * Math.Sqrt(2.0 / (N - 1));
        Assert.InRange(variance, v - 5 * seVar, v + 5 * seVar);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public void Alpha_dropout_keeps_mean_0_and_variance_1_of_standard_normal_inputs(double rate)
    {
        var r = new Random(17);
        float[] x = new float[N], y = new float[N], mask = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));
        Noise.AlphaDropout(x, y, mask, (float)rate, Noise.Key(10, 2, 0));
        var (mean, variance) = Moments(y);
        // The output's variance is 1 by construction; its fourth moment is at most a few times that of N(0, 1).
        Assert.InRange(mean, -5 / Math.Sqrt(N), 5 / Math.Sqrt(N));
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(4.0 / N), 1 + 5 * Math.Sqrt(4.0 / N));
        double kept = mask.Count(v => v != 0) / (double)N, se = Math.Sqrt(rate * (1 - rate) / N);
        Assert.InRange(kept, 1 - rate - 5 * se, 1 - rate + 5 * se);
    }

    [Fact]
    public void Draws_of_different_steps_streams_and_neighbouring_values_are_uncorrelated()
    {
        double Correlation(ulong keyA, ulong keyB, int offset)
        {
            float[] x = new float[N + 1], ya = new float[N + 1], yb = new float[N + 1], a = new float[N + 1], b = new float[N + 1];
            Noise.Gaussian(x, ya, a, 1f, keyA);
            Noise.Gaussian(x, yb, b, 1f, keyB);
            double sab = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
            for (int i = 0; i < N; i++)
            {
                double u = a[i], v = b[i + offset];
                sab += u * v; sa += u; sb += v; saa += u * u; sbb += v * v;
            }
            double cov = sab / N - sa / N * (sb / N);
            return cov / Math.Sqrt((saa / N - sa / N * (sa / N)) * (sbb / N - sb / N * (sb / N)));
        }
        double bound = 5 / Math.Sqrt(N);
        Assert.InRange(Correlation(Noise.Key(1, 5, 0), Noise.Key(1, 6, 0), 0), -bound, bound); // consecutive steps
        Assert.InRange(Correlation(Noise.Key(1, 5, 0), Noise.Key(1, 5, 1), 0), -bound, bound); // two layers, one step
        Assert.InRange(Correlation(Noise.Key(1, 5, 0), Noise.Key(2, 5, 0), 0), -bound, bound); // two seeds
        Assert.InRange(Correlation(Noise.Key(1, 5, 0), Noise.Key(1, 5, 0), 1), -bound, bound); // neighbouring values
        Assert.Equal(1.0, Correlation(Noise.Key(1, 5, 0), Noise.Key(1, 5, 0), 0), 12); // and the same key draws the same
    }

    private static (double Mean, double Variance) Moments(float[] values)
    {
        double mean = values.Average(v => (double)v);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return (mean, variance);
    }
}
