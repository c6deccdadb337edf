using System;
using Compiled.Tests.Models;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// TrainStep of a plain-SGD float32 model applies each parameter gradient as it is computed. Its reference is the
/// unfused definition — ComputeGradients, then p ← p − lr·g over the gradient block — and it must agree bit for bit,
/// at every batch size, thread count and with every penalty; the guard must still refuse a diverged step.
/// </summary>
public class FusedSgdTests
{
    private static float[] Data(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(8, 2)]
    [InlineData(64, 1)]
    [InlineData(8, 1)]
    [InlineData(64, 2)] // from here the gradients are checked (cheaper than bounding them) and the update is unfused
    [InlineData(200, 2)]
    public void Three_steps_equal_ComputeGradients_then_SGD_bit_for_bit(int batch, int threads)
    {
        var fused = new FusedSgd(256, 11) { Threads = threads, LearningRate = 0.3f };
        var reference = new FusedSgd(256, 11) { Threads = threads };
        for (int step = 0; step < 3; step++)
        {
            float[] x = Data(batch * FusedSgd.InputSize, 100 + step), t = Data(batch * FusedSgd.OutputSize, 200 + step, 0.5f);
            t = Array.ConvertAll(t, v => v + 0.5f);
            float lossFused = fused.TrainStep(x, t, batch);
            float lossReference = reference.ComputeGradients(x, t, batch);
            Compiled.Kernels.Sgd.Step(reference.Parameters, reference.Gradients, 0.3f);
            Assert.Equal(lossReference, lossFused);
            Approx.SameBits(reference.Parameters, fused.Parameters, $"step {step}");
        }
        Assert.Equal(3, fused.Step);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(256)] // several depth blocks of both products: partial sums go through the scratch
    public void The_seed_autoencoder_trains_as_its_unfused_definition(int batch)
    {
        var fused = new SeedAutoencoder(batch, 3) { Threads = 2 };
        var reference = new SeedAutoencoder(batch, 3) { Threads = 2 };
        float[] x = Array.ConvertAll(Data(batch * 784, 5), v => MathF.Abs(v));
        fused.TrainStep(x, x, batch);
        reference.ComputeGradients(x, x, batch);
        Compiled.Kernels.Sgd.Step(reference.Parameters, reference.Gradients, reference.LearningRate);
        Approx.SameBits(reference.Parameters, fused.Parameters, "seed");
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(200, 2)]
    public void With_the_guard_off_every_batch_is_fused_and_the_update_is_the_same(int batch, int threads)
    {
        var fused = new FusedSgd(batch, 4) { DivergenceGuard = false, Threads = threads };
        var reference = new FusedSgd(batch, 4) { Threads = threads };
        float[] x = Data(batch * 9, 1), t = Array.ConvertAll(Data(batch * 20, 2), v => 0.5f + 0.4f * v);
        fused.TrainStep(x, t, batch);
        reference.ComputeGradients(x, t, batch);
        Compiled.Kernels.Sgd.Step(reference.Parameters, reference.Gradients, reference.LearningRate);
        Approx.SameBits(reference.Parameters, fused.Parameters, "guard off");
    }

    [Fact]
    public void When_the_deltas_cannot_bound_the_gradients_they_are_computed_checked_and_applied_unfused()
    {
        // Inputs near 1e37 with first-layer weights near 1e-37: every activation and the loss stay moderate, but
        // B·max|δ|·max|x| exceeds the guard's 1e36 bound, so TrainStep computes the gradients (finite here), checks them
        // and takes the ordinary SGD step — which leaves Gradients filled, and the parameters as the definition says.
        var fused = new FusedSgd(4, 2);
        var reference = new FusedSgd(4, 2);
        foreach (FusedSgd m in new[] { fused, reference })
        {
            Span<float> w = m.Hid1Weight;
            float[] small = Data(w.Length, 3, 1e-37f);
            small.CopyTo(w);
        }
        float[] x = Data(4 * 9, 6, 1e37f), t = Array.ConvertAll(Data(4 * 20, 7), v => 0.5f + 0.4f * v);
        float loss = fused.TrainStep(x, t, 4);
        Assert.True(float.IsFinite(loss));
        reference.ComputeGradients(x, t, 4);
        Assert.Contains(reference.Gradients.ToArray(), g => MathF.Abs(g) > 1e30f); // the case the bound could not rule out
        Approx.SameBits(reference.Gradients, fused.Gradients, "gradients of the unfused fallback");
        Compiled.Kernels.Sgd.Step(reference.Parameters, reference.Gradients, reference.LearningRate);
        Approx.SameBits(reference.Parameters, fused.Parameters, "fallback update");
    }

    [Fact]
    public void A_non_finite_loss_is_refused_and_no_parameter_changes()
    {
        var m = new FusedSgd(2, 1);
        float[] before = m.Parameters.ToArray();
        float[] x = Data(2 * 9, 1), t = Data(2 * 20, 2);
        x[3] = float.NaN;
        Assert.Throws<TrainingDivergedException>(() => { m.TrainStep(x, t, 2); });
        Approx.SameBits(before, m.Parameters, "after a refused step");
        Assert.Equal(0, m.Step);
    }

    [Fact]
    public void A_fused_step_allocates_nothing()
    {
        var m = new FusedSgd(64, 1) { Threads = 1 };
        float[] x = Data(64 * 9, 1), t = Array.ConvertAll(Data(64 * 20, 2), v => 0.5f + 0.4f * v);
        for (int i = 0; i < 3; i++) m.TrainStep(x, t, 64);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) m.TrainStep(x, t, 64);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
