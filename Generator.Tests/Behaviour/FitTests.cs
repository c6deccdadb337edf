using System;
using System.Collections.Generic;
using Compiled.Data;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>The generated Fit loop: the same steps as a hand-written TrainStep loop, its report, its errors, its allocations.</summary>
public class FitTests
{
    private static Dataset Regression(int rows, int seed)
    {
        var r = new Random(seed);
        float[] x = new float[rows * 6], t = new float[rows * 4];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(r.NextDouble() * 2 - 1);
        for (int i = 0; i < t.Length; i++) t[i] = (float)r.NextDouble();
        return new Dataset(x, 6, t, 4);
    }

    [Fact]
    public void Fit_takes_exactly_the_steps_of_a_hand_written_loop_and_reports_their_mean()
    {
        Dataset data = Regression(23, 1);
        var fitted = new FdVocabularyA(8, 3);
        var manual = new FdVocabularyA(8, 3);
        var reports = new List<FdVocabularyA.EpochReport>();
        fitted.Fit(data, epochs: 2, batchSize: 8, seed: 5, onEpoch: reports.Add);

        MiniBatches batches = data.CreateBatches(8, 5, shuffle: true, dropLast: false);
        var expectedMeans = new List<double>();
        for (int e = 0; e < 2; e++)
        {
            double sum = 0, data0 = 0;
            int n = 0;
            foreach (Batch b in batches.Epoch(e))
            {
                manual.TrainStep(b.Inputs, b.Targets, b.Count);
                sum += (double)manual.LastLoss.Total * b.Count;
                data0 += (double)manual.LastLoss.Data * b.Count;
                n += b.Count;
            }
            Assert.Equal(23, n);
            expectedMeans.Add(sum / n);
            Assert.Equal(data0 / n, reports[e].Loss.Data, 5);
        }
        Assert.Equal(manual.Parameters.ToArray(), fitted.Parameters.ToArray()); // bit for bit
        Assert.Equal(2, reports.Count);
        Assert.Equal(new[] { 0, 1 }, new[] { reports[0].Epoch, reports[1].Epoch });
        Assert.All(reports, r => { Assert.Equal(3, r.Steps); Assert.Equal(23, r.Samples); Assert.True(r.Seconds > 0); });
        for (int e = 0; e < 2; e++) Assert.Equal(expectedMeans[e], reports[e].Loss.Total, 4);
        Assert.Equal(6, fitted.Step);
    }

    [Fact]
    public void Resuming_at_firstEpoch_continues_the_same_run()
    {
        Dataset data = Regression(20, 2);
        var straight = new FdVocabularyA(8, 4);
        straight.Fit(data, 3, 8, seed: 9);
        var resumed = new FdVocabularyA(8, 4);
        resumed.Fit(data, 1, 8, seed: 9);
        resumed.Fit(data, 2, 8, seed: 9, firstEpoch: 1);
        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    [Fact]
    public void Classifiers_fit_on_labels_and_learn_a_separable_task()
    {
        // Four well-separated clusters in 6-D, one per class: accuracy must reach 100 %.
        var r = new Random(3);
        int rows = 64;
        float[] x = new float[rows * 6];
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            labels[i] = i % 4;
            for (int j = 0; j < 6; j++) x[i * 6 + j] = (j == labels[i] ? 2f : 0f) + (float)(r.NextDouble() - 0.5) * 0.5f;
        }
        var data = new Dataset(x, 6, labels);
        var m = new FdCe(16, 1) { LearningRate = 0.3f };
        float before = m.Accuracy(x.AsSpan(0, 16 * 6), labels.AsSpan(0, 16), 16);
        float first = float.NaN, last = float.NaN;
        m.Fit(data, 30, 16, onEpoch: e => { if (e.Epoch == 0) first = e.Loss.Data; last = e.Loss.Data; });
        Assert.True(last < first / 4, $"cross-entropy {first} → {last}");
        Assert.Equal(1f, m.Accuracy(x.AsSpan(0, 16 * 6), labels.AsSpan(0, 16), 16));
        Assert.True(before < 1f);
    }

    [Fact]
    public void Mismatched_data_is_refused_with_the_sizes()
    {
        var m = new FdVocabularyA(8, 1);
        var wrongFeatures = new Dataset(new float[10 * 5], 5, new float[10 * 4], 4);
        Assert.Contains("5 features per row; the model's InputSize is 6", Assert.Throws<ArgumentException>(() => m.Fit(wrongFeatures, 1, 4)).Message);
        var wrongTargets = new Dataset(new float[10 * 6], 6, new float[10 * 3], 3);
        Assert.Contains("3 target values per row; the model's OutputSize is 4", Assert.Throws<ArgumentException>(() => m.Fit(wrongTargets, 1, 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(Regression(10, 1), 1, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(Regression(10, 1), -1, 4));
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => m.Fit(new Dataset([], 6, [], 4), 1, 4)).Message);
        var ce = new FdCe(8, 1);
        Assert.Contains("no class labels", Assert.Throws<ArgumentException>(() => ce.Fit(new Dataset(new float[10 * 6], 6), 1, 4)).Message);
        Assert.Equal(0, m.Step);
    }

    [Fact]
    public void Extra_epochs_allocate_nothing()
    {
        Dataset data = Regression(40, 4);
        var m = new FdVocabularyA(8, 1);
        m.Fit(data, 2, 8); // warm-up
        long one = Measure(() => m.Fit(data, 1, 8)), five = Measure(() => m.Fit(data, 5, 8));
        Assert.Equal(one, five); // the batch buffers, once per call; nothing per epoch or per batch
    }

    private static long Measure(Action a)
    {
        long best = long.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            a();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return best;
    }
}
