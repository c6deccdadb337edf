using System.Linq;
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

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void New_activations_losses_and_optimizers_train_and_predict_without_allocating(int batch)
    {
        float[] x = new float[batch * 6], t = new float[batch * 4], y = new float[batch * 4];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 7) / 7f - 0.4f;
        for (int i = 0; i < t.Length; i++) t[i] = (i % 3) / 3f;
        int[] labels = new int[batch], classes = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = i % 4;

        var a = new FdVocabularyA(batch, 1);
        var b = new FdVocabularyB(batch, 1);
        var bce = new FdBce(batch, 1);
        var ce = new FdCe(batch, 1);
        Assert.Equal(0, Allocated(() => a.TrainStep(x, t, batch)));
        Assert.Equal(0, Allocated(() => b.TrainStep(x, t, batch)));
        Assert.Equal(0, Allocated(() => bce.TrainStep(x, t, batch)));
        Assert.Equal(0, Allocated(() => ce.TrainStep(x, labels, batch)));
        Assert.Equal(0, Allocated(() => ce.PredictClasses(x, classes, batch)));
        Assert.Equal(0, Allocated(() => _ = ce.Accuracy(x, labels, batch)));
        Assert.Equal(0, Allocated(() => _ = ce.PredictClass(x.AsSpan(0, 6))));
        Assert.Equal(0, Allocated(() => b.Predict(x, y, batch)));

        float[] x5 = new float[batch * 5], t3 = new float[batch * 3];
        var adamw = new OptAdamW(batch, 1) { Schedule = LearningRateSchedule.Cosine(10_000, 1e-4) };
        var nesterov = new OptNesterov(batch, 1) { Schedule = LearningRateSchedule.Step(100, 0.9) };
        Assert.Equal(0, Allocated(() => adamw.TrainStep(x5, t3, batch)));
        Assert.Equal(0, Allocated(() => nesterov.TrainStep(x5, t3, batch)));
    }

    [Fact]
    public void Proximal_training_allocates_nothing()
    {
        var m = new ProximalLasso(4, 1);
        float[] x = new float[4 * 20], t = new float[4];
        Assert.Equal(0, Allocated(() => m.TrainStep(x, t, 4)));
    }
}

/// <summary>Runs alone, so process-wide allocation counts see only this test's threads.</summary>
[CollectionDefinition(nameof(Alone), DisableParallelization = true)]
public sealed class Alone;

/// <summary>Splitting the products across threads changes no result and allocates nothing.</summary>
[Collection(nameof(Alone))]
public class ThreadingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(128)]
    public void Two_threads_give_bit_identical_gradients_outputs_and_parameters(int batch)
    {
        var one = new SeedAutoencoder(128, 5) { Threads = 1 };
        var two = new SeedAutoencoder(128, 5) { Threads = 2 };
        var x = new float[batch * 784];
        var r = new Random(3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)r.NextDouble();
        for (int step = 0; step < 3; step++)
        {
            Assert.Equal(one.TrainStep(x, x, batch), two.TrainStep(x, x, batch));
            Assert.True(one.Gradients.SequenceEqual(two.Gradients));
            Assert.True(one.Parameters.SequenceEqual(two.Parameters));
        }
        float[] y1 = new float[batch * 784], y2 = new float[batch * 784];
        one.Predict(x, y1, batch);
        two.Predict(x, y2, batch);
        Assert.Equal(y1, y2);
    }

    [Fact]
    public void Two_threads_allocate_nothing_per_step()
    {
        var m = new SeedAutoencoder(128, 1) { Threads = 2 };
        var x = new float[128 * 784];
        for (int i = 0; i < 50; i++) m.TrainStep(x, x, 128);
        // The calling thread's counter, and each worker's own counter as it records it after every job.
        var pool = Compiled.Kernels.WorkerPool.ForThreads(2)!;
        long thread = long.MaxValue, workers = long.MaxValue;
        for (int round = 0; round < 3 && (thread > 0 || workers > 0); round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread(), workersBefore = pool.WorkerAllocatedBytes;
            for (int i = 0; i < 200; i++) m.TrainStep(x, x, 128);
            thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - before);
            workers = Math.Min(workers, pool.WorkerAllocatedBytes - workersBefore);
        }
        Assert.Equal(0, thread);
        Assert.Equal(0, workers);
        // With 256/512-bit vectors the products use packed tiles, whose buffers each worker allocates on its first job:
        // proof that the workers ran. (The 128-bit path streams rows and packs nothing.)
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            Assert.True(pool.WorkerAllocatedBytes > 0, "the workers did run (their first jobs allocated their packing buffers)");
    }

    [Fact]
    public void Threads_must_be_at_least_one()
    {
        var m = new SeedAutoencoder(1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Threads = 0);
        Assert.Equal(Environment.ProcessorCount, m.Threads);
    }
}
