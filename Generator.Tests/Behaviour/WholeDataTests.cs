using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Compiled.Data;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The whole-dataset calls (Predict, Evaluate, PredictClasses, Accuracy over any number of rows, and Fit's validation
/// data) against the loops a user writes with the batch calls over chunks of MaxBatch rows: equal bit for bit, in both
/// precisions, with a short last chunk, allocation-free after the first call, every bad argument refused before anything
/// is written.
/// </summary>
public class WholeDataTests
{
    private const int MaxBatch = 16;

    private static float[] Uniform(int count, int seed, float low = -1, float high = 1)
    {
        var r = new Random(seed);
        float[] x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = low + (float)r.NextDouble() * (high - low);
        return x;
    }

    private static int[] Labels(int rows, int classes, int seed)
    {
        var r = new Random(seed);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) y[i] = r.Next(classes);
        return y;
    }

    private static double[] Wide(float[] x) => Array.ConvertAll(x, v => (double)v);

    /// <summary>A classifier trained a little, so that its predictions are not all one class.</summary>
    private static VocCe TrainedClassifier(Dataset data)
    {
        var m = new VocCe(MaxBatch, 3) { LearningRate = 0.1f };
        m.Fit(data, epochs: 2, batchSize: MaxBatch, seed: 1);
        return m;
    }

    /// <summary>Rows whose class is the largest of their first three features: learnable, so a validation loss can fall.</summary>
    private static Dataset ClassData(int rows, int seed)
    {
        float[] x = Uniform(rows * VocCe.InputSize, seed);
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.AsSpan(r * VocCe.InputSize, 3);
            y[r] = row[0] >= row[1] && row[0] >= row[2] ? 0 : row[1] >= row[2] ? 1 : 2;
        }
        return new Dataset(x, VocCe.InputSize, y);
    }

    // ---- Predict ----

    [Theory]
    [InlineData(100)] // six full chunks and one of 4
    [InlineData(16)]  // exactly one chunk
    [InlineData(5)]   // fewer rows than MaxBatch
    [InlineData(1)]
    public void Predict_over_any_rows_equals_the_loop_over_chunks_bit_for_bit(int rows)
    {
        var m = new NgKlSparsity(MaxBatch, 7);
        float[] x = Uniform(rows * NgKlSparsity.InputSize, rows);
        float[] whole = new float[rows * NgKlSparsity.OutputSize], loop = new float[whole.Length];
        m.Predict(x, whole);
        for (int first = 0; first < rows; first += MaxBatch)
        {
            int b = Math.Min(MaxBatch, rows - first);
            m.Predict(x.AsSpan(first * NgKlSparsity.InputSize, b * NgKlSparsity.InputSize), loop.AsSpan(first * NgKlSparsity.OutputSize, b * NgKlSparsity.OutputSize), b);
        }
        Assert.Equal(loop, whole);
        Assert.All(whole, v => Assert.True(v > 0 && v < 1)); // sigmoid outputs: every row was written

        float[] fromData = new float[whole.Length];
        m.Predict(new Dataset(x, NgKlSparsity.InputSize), fromData);
        Assert.Equal(whole, fromData);
    }

    [Fact]
    public void Predict_of_no_rows_does_nothing()
    {
        var m = new NgKlSparsity(MaxBatch, 7);
        m.Predict(ReadOnlySpan<float>.Empty, Span<float>.Empty);
        m.Predict(new Dataset([], NgKlSparsity.InputSize), Span<float>.Empty);
    }

    [Fact]
    public void Float64_models_widen_a_dataset_chunk_by_chunk_exactly()
    {
        const int rows = 37;
        var m = new NgKlSparsity64(MaxBatch, 2);
        float[] x = Uniform(rows * NgKlSparsity64.InputSize, 4), t = Uniform(rows * NgKlSparsity64.OutputSize, 5, 0, 1);
        var data = new Dataset(x, NgKlSparsity64.InputSize, t, NgKlSparsity64.OutputSize);

        double[] fromData = new double[rows * NgKlSparsity64.OutputSize], fromSpans = new double[fromData.Length];
        m.Predict(data, fromData);
        m.Predict(Wide(x), fromSpans);
        Assert.Equal(fromSpans, fromData);

        var a = m.Evaluate(data);
        var b = m.Evaluate(Wide(x), Wide(t));
        for (int i = 0; i < NgKlSparsity64.LossBreakdown.Count; i++) Assert.Equal(b[i], a[i]);
        Assert.True(a.Hid1KlSparsity > 0);
    }

    // ---- Evaluate ----

    /// <summary>The loop the documentation describes: each chunk's terms weighted by its rows, summed in double, over the rows.</summary>
    private static double[] EvaluateLoop(int rows, int terms, Func<int, int, float[]> chunk)
    {
        double[] sums = new double[terms];
        for (int first = 0; first < rows; first += MaxBatch)
        {
            int b = Math.Min(MaxBatch, rows - first);
            float[] loss = chunk(first, b);
            for (int i = 0; i < terms; i++) sums[i] += (double)loss[i] * b;
        }
        for (int i = 0; i < terms; i++) sums[i] /= rows;
        return sums;
    }

    [Theory]
    [InlineData(100)]
    [InlineData(7)]
    public void Evaluate_weighs_each_chunk_by_its_rows_exactly_as_the_loop_does(int rows)
    {
        // A KL penalty is a statistic of the batch: per chunk, as the loop computes it.
        var m = new NgKlSparsity(MaxBatch, 11);
        int n = NgKlSparsity.LossBreakdown.Count;
        float[] x = Uniform(rows * NgKlSparsity.InputSize, 1), t = Uniform(rows * NgKlSparsity.OutputSize, 2, 0, 1);
        double[] expected = EvaluateLoop(rows, n, (first, b) =>
        {
            var l = m.Evaluate(x.AsSpan(first * NgKlSparsity.InputSize, b * NgKlSparsity.InputSize), t.AsSpan(first * NgKlSparsity.OutputSize, b * NgKlSparsity.OutputSize), b);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = l[i];
            return v;
        });
        NgKlSparsity.LossBreakdown whole = m.Evaluate(x, t);
        for (int i = 0; i < n; i++) Assert.Equal((float)expected[i], whole[i]);
        // Total is the double sum of the terms rounded once (LossBreakdown's constructor), not a sum of rounded terms.
        double total = 0;
        for (int i = 0; i < n; i++) total += expected[i];
        Assert.Equal((float)total, whole.Total);
        Assert.True(whole.Hid1KlSparsity > 0 && whole.WeightDecay > 0);

        NgKlSparsity.LossBreakdown fromData = m.Evaluate(new Dataset(x, NgKlSparsity.InputSize, t, NgKlSparsity.OutputSize));
        for (int i = 0; i < n; i++) Assert.Equal(whole[i], fromData[i]);
    }

    [Fact]
    public void Evaluate_of_an_autoencoder_dataset_compares_with_the_features()
    {
        var m = new NgKlSparsity(MaxBatch, 11);
        float[] x = Uniform(40 * NgKlSparsity.InputSize, 6, 0, 1);
        var fromData = m.Evaluate(new Dataset(x, NgKlSparsity.InputSize));
        var fromSpans = m.Evaluate(x, x);
        Assert.Equal(fromSpans.Total, fromData.Total);
    }

    [Fact]
    public void Evaluate_draws_no_noise()
    {
        // Whole-dataset Evaluate is the batch Evaluate per chunk: the noise of training is not drawn.
        var m = new SmallDenoising(MaxBatch, 5);
        float[] x = Uniform(50 * SmallDenoising.InputSize, 3, 0, 1);
        double[] expected = EvaluateLoop(50, SmallDenoising.LossBreakdown.Count, (first, b) =>
        {
            var s = x.AsSpan(first * SmallDenoising.InputSize, b * SmallDenoising.InputSize);
            return [m.Evaluate(s, s, b).Data];
        });
        Assert.Equal((float)expected[0], m.Evaluate(x, x).Data);
        Assert.Equal(m.Evaluate(x, x).Data, m.Evaluate(x, x).Data);
    }

    // ---- Classifiers ----

    [Theory]
    [InlineData(100)]
    [InlineData(3)]
    public void PredictClasses_and_Accuracy_equal_the_loops_over_chunks(int rows)
    {
        VocCe m = TrainedClassifier(ClassData(200, 20));
        Dataset test = ClassData(rows, 30);
        float[] x = test.Features.ToArray();
        int[] y = test.Labels.ToArray();

        int[] loop = new int[rows];
        int correct = 0;
        for (int first = 0; first < rows; first += MaxBatch)
        {
            int b = Math.Min(MaxBatch, rows - first);
            m.PredictClasses(x.AsSpan(first * VocCe.InputSize, b * VocCe.InputSize), loop.AsSpan(first, b), b);
            correct += (int)Math.Round(m.Accuracy(x.AsSpan(first * VocCe.InputSize, b * VocCe.InputSize), y.AsSpan(first, b), b) * b);
        }
        int[] whole = new int[rows], fromData = new int[rows];
        m.PredictClasses(x, whole);
        m.PredictClasses(test, fromData);
        Assert.Equal(loop, whole);
        Assert.Equal(loop, fromData);

        int counted = 0;
        for (int i = 0; i < rows; i++) if (loop[i] == y[i]) counted++;
        Assert.Equal(counted, correct);
        Assert.Equal(counted / (float)rows, m.Accuracy(x, y));
        Assert.Equal(counted / (float)rows, m.Accuracy(test));
        if (rows == 100) Assert.InRange(new HashSet<int>(loop).Count, 2, VocCe.OutputSize); // not a constant prediction
    }

    [Fact]
    public void Evaluate_of_a_classifier_equals_the_loop()
    {
        VocCe m = TrainedClassifier(ClassData(200, 20));
        Dataset test = ClassData(70, 31);
        float[] x = test.Features.ToArray();
        int[] y = test.Labels.ToArray();
        double[] expected = EvaluateLoop(70, VocCe.LossBreakdown.Count, (first, b) =>
        {
            var l = m.Evaluate(x.AsSpan(first * VocCe.InputSize, b * VocCe.InputSize), y.AsSpan(first, b), b);
            return [l[0], l[1]];
        });
        var whole = m.Evaluate(test);
        Assert.Equal((float)expected[0], whole.Data);
        Assert.Equal((float)expected[1], whole[1]);
        Assert.True(whole[1] > 0);
    }

    [Fact]
    public void Float64_classifiers_take_datasets_too()
    {
        var m = new VocCe64(MaxBatch, 3) { LearningRate = 0.1 };
        Dataset train = ClassData(200, 20), test = ClassData(45, 32);
        m.Fit(train, 2, MaxBatch, seed: 1);
        double[] x = Wide(test.Features.ToArray());
        int[] y = test.Labels.ToArray();
        int[] a = new int[45], b = new int[45];
        m.PredictClasses(test, a);
        m.PredictClasses(x, b);
        Assert.Equal(b, a);
        Assert.Equal(m.Accuracy(x, y), m.Accuracy(test));
        Assert.Equal(m.Evaluate(x, y).Total, m.Evaluate(test).Total);
    }

    // ---- Fit's validation data ----

    [Fact]
    public void Fit_reports_the_validation_loss_and_accuracy_after_each_epoch()
    {
        Dataset train = ClassData(120, 40), validation = ClassData(50, 41);
        var m = new VocCe(MaxBatch, 3) { LearningRate = 0.1f };
        var plain = new VocCe(MaxBatch, 3) { LearningRate = 0.1f };
        var reports = new List<VocCe.EpochReport>();
        var evaluated = new List<(float Total, float Data, float Accuracy)>();
        m.Fit(train, 5, MaxBatch, seed: 2, onEpoch: r =>
        {
            reports.Add(r);
            VocCe.LossBreakdown e = m.Evaluate(validation);
            evaluated.Add((e.Total, e.Data, m.Accuracy(validation)));
        }, validation: validation);
        var plainReports = new List<VocCe.EpochReport>();
        plain.Fit(train, 5, MaxBatch, seed: 2, onEpoch: plainReports.Add);

        Assert.Equal(plain.Parameters.ToArray(), m.Parameters.ToArray()); // validation changes nothing
        for (int e = 0; e < 5; e++)
        {
            Assert.Equal(plainReports[e].Loss.Total, reports[e].Loss.Total);
            VocCe.LossBreakdown v = reports[e].Validation!.Value;
            Assert.Equal(evaluated[e].Total, v.Total);
            Assert.Equal(evaluated[e].Data, v.Data);
            Assert.Equal(evaluated[e].Accuracy, reports[e].ValidationAccuracy);
            Assert.Null(plainReports[e].Validation);
            Assert.Null(plainReports[e].ValidationAccuracy);
            Assert.Contains("; validation total", reports[e].ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("validation", plainReports[e].ToString(), StringComparison.Ordinal);
        }
        Assert.True(evaluated[4].Data < evaluated[0].Data && evaluated[4].Accuracy > evaluated[0].Accuracy, "the validation loss falls and the accuracy rises as the model learns");
    }

    [Fact]
    public void Fit_validation_on_an_autoencoder_and_a_float64_model()
    {
        float[] x = Uniform(60 * NgKlSparsity64.InputSize, 8, 0, 1), v = Uniform(20 * NgKlSparsity64.InputSize, 9, 0, 1);
        var m = new NgKlSparsity64(MaxBatch, 1);
        var validation = new Dataset(v, NgKlSparsity64.InputSize);
        var seen = new List<(double Reported, double Evaluated)>();
        m.Fit(new Dataset(x, NgKlSparsity64.InputSize), 2, MaxBatch, onEpoch: r => seen.Add((r.Validation!.Value.Total, m.Evaluate(validation).Total)), validation: validation);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, s => Assert.Equal(s.Evaluated, s.Reported));
    }

    [Fact]
    public void Fit_checks_the_validation_data_before_the_first_step()
    {
        var m = new VocCe(MaxBatch, 3);
        float[] before = m.Parameters.ToArray();
        Dataset train = ClassData(40, 1);
        var e1 = Assert.Throws<ArgumentException>(() => m.Fit(train, 1, MaxBatch, validation: new Dataset(new float[12], 6, [0, 1])));
        Assert.Equal("validation", e1.ParamName);
        Assert.Contains("6 features per row; the model's InputSize is 5", e1.Message, StringComparison.Ordinal);
        Assert.Contains("no class labels", Assert.Throws<ArgumentException>(() => m.Fit(train, 1, MaxBatch, validation: new Dataset(new float[10], 5))).Message, StringComparison.Ordinal);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(train, 1, MaxBatch, validation: new Dataset(new float[10], 5, [0, 3])));
        Assert.Contains("labels[1] is 3", e3.Message, StringComparison.Ordinal);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => m.Fit(train, 1, MaxBatch, validation: new Dataset([], 5, []))).Message, StringComparison.Ordinal);
        Assert.Equal(before, m.Parameters.ToArray());
        Assert.Equal(0, m.Step);
    }

    [Fact]
    public void Fit_refuses_training_labels_beyond_the_classes_before_the_first_step()
    {
        var m = new VocCe(MaxBatch, 3);
        float[] before = m.Parameters.ToArray();
        int[] labels = Labels(40, 3, 1);
        labels[33] = 3;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.Fit(new Dataset(Uniform(40 * 5, 2), 5, labels), 1, MaxBatch));
        Assert.Contains("labels[33] is 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, m.Parameters.ToArray());
        Assert.Equal(0, m.Step);
    }

    // ---- Errors ----

    [Fact]
    public void Bad_spans_are_refused_naming_the_sizes_and_nothing_is_written()
    {
        var m = new VocCe(MaxBatch, 3);
        float[] x = Uniform(20 * 5, 1);
        float[] outputs = new float[20 * 3];
        Array.Fill(outputs, float.NaN);

        var e = Assert.Throws<ArgumentException>(() => m.Predict(x.AsSpan(0, 99), outputs));
        Assert.Equal("inputs", e.ParamName);
        Assert.Contains("length 99, which is not a whole number of rows of InputSize (5): 19 rows and 4 values left over", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => m.Predict(x, outputs.AsSpan(0, 59)));
        Assert.Equal("outputs", e.ParamName);
        Assert.Contains("expected rows (20) × OutputSize (3) = 60", e.Message, StringComparison.Ordinal);
        Assert.All(outputs, v => Assert.True(float.IsNaN(v)));

        int[] classes = new int[19];
        Array.Fill(classes, -7);
        e = Assert.Throws<ArgumentException>(() => m.PredictClasses(x, classes));
        Assert.Contains("classes has length 19; expected one per row of the inputs (20)", e.Message, StringComparison.Ordinal);
        Assert.All(classes, c => Assert.Equal(-7, c));

        int[] labels = Labels(20, 3, 2);
        Assert.Contains("labels has length 19", Assert.Throws<ArgumentException>(() => m.Evaluate(x, labels.AsSpan(0, 19))).Message, StringComparison.Ordinal);
        labels[17] = 5;
        Assert.Contains("labels[17] is 5", Assert.Throws<ArgumentOutOfRangeException>(() => m.Accuracy(x, labels)).Message, StringComparison.Ordinal);
        Assert.Contains("labels[17] is 5", Assert.Throws<ArgumentOutOfRangeException>(() => m.Evaluate(x, labels)).Message, StringComparison.Ordinal);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => m.Evaluate(ReadOnlySpan<float>.Empty, ReadOnlySpan<int>.Empty)).Message, StringComparison.Ordinal);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => m.Accuracy(ReadOnlySpan<float>.Empty, ReadOnlySpan<int>.Empty)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_datasets_are_refused_naming_the_sizes()
    {
        var ce = new VocCe(MaxBatch, 3);
        Assert.Throws<ArgumentNullException>(() => ce.Evaluate((Dataset)null!));
        Assert.Contains("6 features per row; the model's InputSize is 5", Assert.Throws<ArgumentException>(() => ce.Predict(new Dataset(new float[12], 6), new float[6])).Message, StringComparison.Ordinal);
        Assert.Contains("no class labels", Assert.Throws<ArgumentException>(() => ce.Accuracy(new Dataset(new float[10], 5))).Message, StringComparison.Ordinal);
        Assert.Contains("labels[0] is 4", Assert.Throws<ArgumentOutOfRangeException>(() => ce.Evaluate(new Dataset(new float[10], 5, [4, 0]))).Message, StringComparison.Ordinal);
        ce.PredictClasses(new Dataset(new float[10], 5), new int[2]); // predicting needs no labels

        var ae = new NgKlSparsity(MaxBatch, 3);
        Assert.Contains("5 target values per row; the model's OutputSize is 6",
            Assert.Throws<ArgumentException>(() => ae.Evaluate(new Dataset(new float[12], 6, new float[10], 5))).Message, StringComparison.Ordinal);
        Assert.Contains("expected rows (2) × OutputSize (6) = 12",
            Assert.Throws<ArgumentException>(() => ae.Predict(new Dataset(new float[12], 6), new float[11])).Message, StringComparison.Ordinal);
        var ae64 = new NgKlSparsity64(MaxBatch, 3);
        Assert.Contains("expected rows (2) × OutputSize (6) = 12",
            Assert.Throws<ArgumentException>(() => ae64.Predict(new Dataset(new float[12], 6), new double[11])).Message, StringComparison.Ordinal);
    }

    // ---- Threads, concurrency, allocation ----

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        float[] x = Uniform(300 * FashionClassifier.InputSize, 3, 0, 1);
        int[] y = Labels(300, FashionClassifier.OutputSize, 4);
        float[]? reference = null;
        float referenceLoss = 0;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var m = new FashionClassifier(64, 5) { Threads = threads };
            float[] outputs = new float[300 * FashionClassifier.OutputSize];
            m.Predict(x, outputs);
            float loss = m.Evaluate(x, y).Total;
            if (reference is null)
            {
                reference = outputs;
                referenceLoss = loss;
            }
            else
            {
                Assert.Equal(reference, outputs);
                Assert.Equal(referenceLoss, loss);
            }
        }
    }

    [Fact]
    public void Concurrent_whole_dataset_calls_equal_the_sequential_ones()
    {
        VocCe m = TrainedClassifier(ClassData(200, 20));
        Dataset test = ClassData(333, 50);
        float expectedLoss = m.Evaluate(test).Total, expectedAccuracy = m.Accuracy(test);
        var results = new (float Loss, float Accuracy)[8];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (int k = 0; k < 20; k++) results[i] = (m.Evaluate(test).Total, m.Accuracy(test));
        });
        Assert.All(results, r => { Assert.Equal(expectedLoss, r.Loss); Assert.Equal(expectedAccuracy, r.Accuracy); });
    }

    [Fact]
    public void Whole_dataset_calls_allocate_nothing_after_the_first()
    {
        VocCe m = TrainedClassifier(ClassData(200, 20));
        Dataset test = ClassData(100, 60);
        float[] x = test.Features.ToArray(), outputs = new float[100 * VocCe.OutputSize];
        int[] y = test.Labels.ToArray(), classes = new int[100];
        var m64 = new NgKlSparsity64(MaxBatch, 1);
        var data64 = new Dataset(Uniform(50 * 6, 3, 0, 1), 6);
        double[] outputs64 = new double[50 * 6];

        void All()
        {
            m.Predict(x, outputs);
            m.Predict(test, outputs);
            m.Evaluate(x, y);
            m.Evaluate(test);
            m.PredictClasses(x, classes);
            m.PredictClasses(test, classes);
            m.Accuracy(x, y);
            m.Accuracy(test);
            m64.Predict(data64, outputs64);
            m64.Evaluate(data64);
        }

        for (int i = 0; i < 3; i++) All(); // the thread's first calls: its workspaces, the float64 model's widening buffers, JIT tiers

        // Short rounds, the smallest kept: a collection during a round counts the unused rest of the thread's allocation
        // buffer as allocated, while an allocation per call would show in every round. (These models are too small to
        // split a product across the worker threads; process-wide counts are checked exactly in a process of their own
        // by the bench "concurrency" command, since the test host's other tests allocate on their threads meanwhile.)
        long thread = long.MaxValue;
        for (int round = 0; round < 20 && thread > 0; round++)
        {
            long t0 = GC.GetAllocatedBytesForCurrentThread();
            All();
            thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - t0);
        }
        Assert.Equal(0, thread);
    }
}
