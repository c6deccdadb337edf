using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// One model, many threads: inference calls (Predict, Evaluate, PredictClasses, Accuracy) run at once and each returns
/// bit for bit what a single-threaded call returns, allocating nothing after a thread's first call; training calls are
/// exclusive, and an overlap throws instead of computing on half-updated weights. Runs alone, so that no other
/// test's threads compete with these.
/// </summary>
[Collection(nameof(Alone))]
public class ConcurrencyTests
{
    private const int Threads = 8;

    private static float[] Rows(int count, int width, int seed)
    {
        var r = new Random(seed);
        var x = new float[count * width];
        for (int i = 0; i < x.Length; i++) x[i] = (float)r.NextDouble();
        return x;
    }

    /// <summary>A seed autoencoder after 20 SGD steps, so its weights are not the initial ones.</summary>
    private static SeedAutoencoder Trained(int maxBatch)
    {
        var m = new SeedAutoencoder(maxBatch, 7) { Threads = 2 };
        float[] x = Rows(maxBatch, 784, 1);
        for (int i = 0; i < 20; i++) m.TrainStep(x, x, maxBatch);
        return m;
    }

    /// <summary>
    /// Runs <paramref name="call"/>(thread, i) for i in [0, calls) on each of <see cref="Threads"/> threads started
    /// together (a thread's first call may allocate its workspace), then three rounds of the later calls. Returns the
    /// bytes each calling thread allocated in a round, and the bytes the worker pool's threads allocated then: the
    /// smallest of the three rounds. A per-call allocation shows in every round; a one-off runtime event lands in one (a
    /// collection during a round counts the unused rest of each thread's allocation buffer, 5–8 KB, as allocated: seen
    /// in the full suite, never in a round without a collection). The threads meet at spinning barriers, which allocate
    /// nothing themselves. Between them, the callers and the workers are every thread that runs model code. The
    /// process-wide total (GC.GetTotalAllocatedBytes) is not asserted here: the test runner's own threads allocate a few
    /// KB in the background of any round. It is checked exactly in a process of its own by the bench "concurrency"
    /// command, which CI runs (bench/RESULTS.md).
    /// </summary>
    private static (long[] PerThread, long Workers) RunTogether(int calls, Action<int, int> call)
    {
        var perThread = new long[Threads];
        Compiled.Kernels.WorkerPool pool = Compiled.Kernels.WorkerPool.ForThreads(2)!;
        long workers = long.MaxValue, workersBefore = 0;
        int arrived = 0, failed = 0;
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            int phase = 0;
            void Meet()
            {
                phase++;
                Interlocked.Increment(ref arrived);
                var spin = new SpinWait();
                while (Volatile.Read(ref arrived) < phase * Threads && Volatile.Read(ref failed) == 0) spin.SpinOnce();
            }
            try
            {
                Meet();
                call(t, 0); // the thread's first call may allocate its workspace
                for (int i = 1; i < calls; i++) call(t, i); // warm-up: the JIT's tiering settles
                for (int round = 0; round < 3; round++)
                {
                    Meet();
                    if (t == 0)
                    {
                        GC.Collect(); // so that no collection of earlier garbage lands in the round
                        workersBefore = pool.WorkerAllocatedBytes;
                    }
                    Meet();
                    // The thread's own counter around its calls only (not around the barriers).
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    for (int i = 1; i < calls; i++) call(t, i);
                    long mine = GC.GetAllocatedBytesForCurrentThread() - before;
                    perThread[t] = round == 0 ? mine : Math.Min(perThread[t], mine);
                    Meet();
                    if (t == 0) workers = Math.Min(workers, pool.WorkerAllocatedBytes - workersBefore);
                }
            }
            catch (Exception e)
            {
                Volatile.Write(ref failed, 1);
                lock (errors) errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.Count > 0) throw new AggregateException(errors);
        return (perThread, workers);
    }

    [Theory]
    [InlineData(1, 300)]
    [InlineData(64, 60)]
    public void Predict_from_8_threads_at_once_is_bit_equal_to_one_thread_and_allocates_nothing(int batch, int calls)
    {
        SeedAutoencoder m = Trained(64);
        // Each thread its own inputs (different rows per call), and the expected outputs computed alone, first.
        var inputs = Enumerable.Range(0, Threads).Select(t => Rows(batch * 4, 784, 100 + t)).ToArray();
        var expected = new float[Threads][][];
        for (int t = 0; t < Threads; t++)
        {
            expected[t] = new float[4][];
            for (int k = 0; k < 4; k++)
            {
                expected[t][k] = new float[batch * 784];
                m.Predict(inputs[t].AsSpan(k * batch * 784, batch * 784), expected[t][k], batch);
            }
        }
        var outputs = Enumerable.Range(0, Threads).Select(_ => new float[batch * 784]).ToArray();
        int wrong = 0;
        var (perThread, workers) = RunTogether(calls, (t, i) =>
        {
            int k = i % 4;
            m.Predict(inputs[t].AsSpan(k * batch * 784, batch * 784), outputs[t], batch);
            if (!outputs[t].AsSpan().SequenceEqual(expected[t][k])) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
        Assert.All(perThread, bytes => Assert.Equal(0, bytes));
        Assert.Equal(0, workers);
    }

    [Fact]
    public void Evaluate_from_8_threads_returns_each_batch_its_own_loss_and_a_whole_sparsity_report()
    {
        SeedAutoencoder m = Trained(32);
        var inputs = Enumerable.Range(0, Threads).Select(t => Rows(32, 784, 200 + t)).ToArray();
        var expected = inputs.Select(x => (m.Evaluate(x, x, 32), m.LastSparsity.Hid1)).ToArray();
        int wrong = 0, torn = 0;
        var reports = expected.Select(e => e.Item2).ToHashSet();
        var (perThread, workers) = RunTogether(60, (t, i) =>
        {
            var loss = m.Evaluate(inputs[t], inputs[t], 32);
            if (loss.Total != expected[t].Item1.Total || loss.Data != expected[t].Item1.Data || loss.Hid1ActivityL1 != expected[t].Item1.Hid1ActivityL1)
                Interlocked.Increment(ref wrong);
            // Whichever call wrote last, the report is one of the eight whole reports, never a mix of two.
            if (!reports.Contains(m.LastSparsity.Hid1)) Interlocked.Increment(ref torn);
        });
        Assert.Equal(0, wrong);
        Assert.Equal(0, torn);
        Assert.All(perThread, bytes => Assert.Equal(0, bytes));
        Assert.Equal(0, workers);
    }

    [Fact]
    public void Classifier_helpers_from_8_threads_agree_with_one_thread()
    {
        var m = new SmallClassifier(40, 3);
        float[] x = Rows(40, 20, 5);
        int[] labels = Enumerable.Range(0, 40).Select(i => i % 5).ToArray();
        for (int i = 0; i < 30; i++) m.TrainStep(x, labels, 40);
        var classes = new int[40];
        m.PredictClasses(x, classes, 40);
        float accuracy = m.Accuracy(x, labels, 40);
        var loss = m.Evaluate(x, labels, 40);
        int wrong = 0;
        var mine = Enumerable.Range(0, Threads).Select(_ => new int[40]).ToArray();
        var (perThread, workers) = RunTogether(100, (t, i) =>
        {
            switch (i % 4)
            {
                case 0:
                    m.PredictClasses(x, mine[t], 40);
                    if (!mine[t].AsSpan().SequenceEqual(classes)) Interlocked.Increment(ref wrong);
                    break;
                case 1:
                    if (m.Accuracy(x, labels, 40) != accuracy) Interlocked.Increment(ref wrong);
                    break;
                case 2:
                    if (m.Evaluate(x, labels, 40).Total != loss.Total) Interlocked.Increment(ref wrong);
                    break;
                default:
                    if (m.PredictClass(x.AsSpan(20 * (t % 40), 20)) != classes[t % 40]) Interlocked.Increment(ref wrong);
                    break;
            }
        });
        Assert.Equal(0, wrong);
        Assert.All(perThread, bytes => Assert.Equal(0, bytes));
        Assert.Equal(0, workers);
    }

    [Fact]
    public void A_float64_model_serves_8_threads_bit_for_bit()
    {
        var m = new SeedAutoencoder64(16, 2);
        var inputs = Enumerable.Range(0, Threads).Select(t => Rows(4, 784, 300 + t).Select(v => (double)v).ToArray()).ToArray();
        var expected = inputs.Select(x => { var y = new double[4 * 784]; m.Predict(x, y, 4); return y; }).ToArray();
        var outputs = Enumerable.Range(0, Threads).Select(_ => new double[4 * 784]).ToArray();
        int wrong = 0;
        RunTogether(20, (t, i) =>
        {
            m.Predict(inputs[t], outputs[t], 4);
            if (!outputs[t].AsSpan().SequenceEqual(expected[t])) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
    }

    /// <summary>
    /// A schedule that, once armed, holds the training call that asks it for a rate (TrainStep asks after the backward
    /// pass, before any update) until released: a training call certainly in progress, for the overlap tests.
    /// </summary>
    private sealed class BlockingSchedule : LearningRateSchedule
    {
        public readonly ManualResetEventSlim Inside = new(), Release = new();
        public volatile bool Armed;

        public override float At(long step, float baseRate)
        {
            if (Armed)
            {
                Inside.Set();
                Release.Wait();
            }
            return baseRate;
        }
    }

    private static (SeedAutoencoder Model, BlockingSchedule Schedule, Thread Trainer, float[] X) TrainerInside()
    {
        var m = Trained(8);
        float[] x = Rows(8, 784, 9);
        var s = new BlockingSchedule();
        m.Schedule = s; // the setter asks for the next rate once: not armed yet
        s.Armed = true;
        var trainer = new Thread(() => m.TrainStep(x, x, 8));
        trainer.Start();
        Assert.True(s.Inside.Wait(TimeSpan.FromSeconds(30)));
        return (m, s, trainer, x);
    }

    [Fact]
    public void Predict_during_TrainStep_throws_and_the_step_completes_untorn()
    {
        var (m, s, trainer, x) = TrainerInside();
        float[] before = m.Parameters.ToArray();
        var y = new float[8 * 784];
        var e = Assert.Throws<InvalidOperationException>(() => m.Predict(x, y, 8));
        Assert.Contains("Predict", e.Message);
        Assert.Contains("training call", e.Message);
        Assert.True(y.All(v => v == 0), "Predict wrote nothing");
        Assert.Throws<InvalidOperationException>(() => m.Evaluate(x, x, 8));
        Assert.Throws<InvalidOperationException>(() => m.Save(new System.IO.MemoryStream()));
        s.Release.Set();
        trainer.Join();

        // The step went through, exactly as the same step on a copy taken before it.
        var reference = new SeedAutoencoder(8, 7) { Threads = 2 };
        before.CopyTo(reference.Parameters);
        reference.TrainStep(x, x, 8);
        Approx.SameBits(reference.Parameters, m.Parameters, "parameters after the step");
        m.Predict(x, y, 8); // and the model serves again
    }

    [Fact]
    public void A_second_training_call_during_TrainStep_throws_and_changes_nothing()
    {
        var (m, s, trainer, x) = TrainerInside();
        float[] before = m.Parameters.ToArray();
        long step = m.Step;
        var e = Assert.Throws<InvalidOperationException>(() => m.TrainStep(x, x, 8));
        Assert.Contains("TrainStep", e.Message);
        Assert.Throws<InvalidOperationException>(() => m.ComputeGradients(x, x, 8));
        Assert.Throws<InvalidOperationException>(() => m.Load(new System.IO.MemoryStream()));
        Assert.Throws<InvalidOperationException>(() => m.Fit(new Compiled.Data.Dataset(x, 784, x, 784), 1, 8));
        Approx.SameBits(before, m.Parameters, "parameters while the first step waits");
        Assert.Equal(step, m.Step);
        s.Release.Set();
        trainer.Join();
        Assert.Equal(step + 1, m.Step); // only the first step was taken
    }

    [Fact]
    public void TrainStep_during_inference_throws_and_the_inference_completes()
    {
        SeedAutoencoder m = Trained(8);
        float[] x = Rows(8, 784, 11);
        var expected = new float[8 * 784];
        m.Predict(x, expected, 8);
        float[] before = m.Parameters.ToArray();
        // Keep inference calls running on three threads while this thread tries to train.
        int stop = 0, calls = 0;
        var differing = new System.Collections.Concurrent.ConcurrentBag<float[]>();
        var readers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            var y = new float[8 * 784];
            while (Volatile.Read(ref stop) == 0)
            {
                try
                {
                    m.Predict(x, y, 8);
                }
                catch (InvalidOperationException)
                {
                    continue; // a TrainStep got in between: refused, and y untouched
                }
                Interlocked.Increment(ref calls);
                if (!y.AsSpan().SequenceEqual(expected) && differing.Count < 100) differing.Add((float[])y.Clone());
            }
        })).ToList();
        readers.ForEach(t => t.Start());
        int refused = 0, taken = 0;
        while (Volatile.Read(ref calls) < 10) Thread.Yield();
        for (int i = 0; i < 200; i++)
        {
            try
            {
                m.TrainStep(x, x, 8);
                taken++;
            }
            catch (InvalidOperationException e)
            {
                Assert.Contains("inference call", e.Message);
                refused++;
            }
            if (taken > 0) break;
        }
        Volatile.Write(ref stop, 1);
        readers.ForEach(t => t.Join());
        Assert.True(refused > 0, "some TrainStep found inference in progress");
        // Every Predict saw one whole set of weights: the old ones, or (after the one step that was taken) the new ones —
        // never a mix, which would match neither.
        Assert.True(taken <= 1);
        var after = new float[8 * 784];
        m.Predict(x, after, 8);
        Assert.All(differing, y => Assert.True(taken == 1 && y.AsSpan().SequenceEqual(after), "an output matched neither the old nor the new weights"));
    }

    [Fact]
    public void Fit_runs_onEpoch_outside_the_training_call_so_it_may_evaluate()
    {
        var m = new SeedAutoencoder(16, 1);
        float[] x = Rows(32, 784, 4);
        var data = new Compiled.Data.Dataset(x, 784, x, 784);
        var losses = new List<float>();
        m.Fit(data, 2, 16, onEpoch: _ => losses.Add(m.Evaluate(x.AsSpan(0, 16 * 784), x.AsSpan(0, 16 * 784), 16).Total));
        Assert.Equal(2, losses.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Four_models_training_at_once_on_four_threads_are_bit_identical_to_training_alone(int threadsEach)
    {
        float[] x = Rows(32, 784, 12);
        float[][] alone = Enumerable.Range(0, 4).Select(k =>
        {
            var m = new SeedAutoencoder(32, k) { Threads = threadsEach };
            for (int i = 0; i < 6; i++) m.TrainStep(x, x, 32);
            return m.Parameters.ToArray();
        }).ToArray();
        var together = Enumerable.Range(0, 4).Select(k => new SeedAutoencoder(32, k) { Threads = threadsEach }).ToArray();
        var threads = together.Select(m => new Thread(() => { for (int i = 0; i < 6; i++) m.TrainStep(x, x, 32); })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        for (int k = 0; k < 4; k++) Approx.SameBits(alone[k], together[k].Parameters, $"model {k}");
    }
}
