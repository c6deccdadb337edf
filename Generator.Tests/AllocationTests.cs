using System;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>Steady state allocates nothing: after one warm-up call, 1,000 calls allocate 0 bytes.</summary>
public class AllocationTests
{
    /// <summary>
    /// Bytes allocated by 1,000 calls after warm-up. Measured in up to three rounds, keeping the smallest: a one-off
    /// runtime event (tiered re-JIT, a parallel test's GC) can land in one round, while a real per-call allocation
    /// shows up as at least 1,000 objects in every round.
    /// </summary>
    private static long Allocated(Action body)
    {
        for (int i = 0; i < 50; i++) body(); // warm-up: JIT, tiering, static constructors
        long best = long.MaxValue;
        for (int round = 0; round < 3 && best > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) body();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return best;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(64)]
    public void Seed_autoencoder_predict_compute_and_train_allocate_nothing(int batch)
    {
        var m = new SeedAutoencoder(64, 1);
        float[] x = new float[batch * 784], y = new float[batch * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 13) / 13f;
        Assert.Equal(0, Allocated(() => m.Predict(x, y, batch)));
        Assert.Equal(0, Allocated(() => m.ComputeGradients(x, x, batch)));
        Assert.Equal(0, Allocated(() => m.TrainStep(x, x, batch)));
        Assert.Equal(0, Allocated(() => m.Evaluate(x, x, batch)));
        Assert.Equal(0, Allocated(() => _ = m.LastLoss.Total + m.LastSparsity.Hid1.MeanAbs));
    }

    [Fact]
    public void Every_regularizer_model_trains_without_allocating()
    {
        var m = new EveryRegularizer(8, 1);
        float[] x = new float[8 * 6], t = new float[8 * 4];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 7) / 7f - 0.4f;
        Assert.Equal(0, Allocated(() => m.TrainStep(x, t, 8)));
        Assert.Equal(0, Allocated(() => m.Evaluate(x.AsSpan(0, 5 * 6), t.AsSpan(0, 5 * 4), 5)));
    }

    [Fact]
    public void Proximal_training_allocates_nothing()
    {
        var m = new ProximalLasso(4, 1);
        float[] x = new float[4 * 20], t = new float[4];
        Assert.Equal(0, Allocated(() => m.TrainStep(x, t, 4)));
    }
}
