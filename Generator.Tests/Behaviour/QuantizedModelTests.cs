using System;
using System.Linq;
using System.Threading;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// <see cref="QuantizedModel"/>: outputs equal the definition (scalar kernels, row by row) bit for bit at every batch and
/// thread count; every activation against its float model; the exact cases (zero rows, zero units, NaN rows); the
/// argument checks of the generated models; validation of <see cref="QuantizedModel.Create"/>.
/// </summary>
public class QuantizedModelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Predict_equals_the_definition_bit_for_bit_at_every_batch_and_thread_count(int threads)
    {
        var model = new SeedAutoencoder(1, 7);
        QuantizedModel q = model.Quantize(200);
        q.Threads = threads;
        float[] x = Quantization.Uniform(200 * 784, 11);
        float[] expected = Quantization.Reference(q, x, 200);
        // 1 (units split across threads), 5 and 7 (row tiles and leftovers), 64 and 65 (one chunk and one more row),
        // 130 and 200 (rows split across threads, several chunks each).
        foreach (int batch in new[] { 1, 5, 7, 64, 65, 130, 200 })
        {
            float[] y = new float[batch * 784];
            q.Predict(x.AsSpan(0, batch * 784), y, batch);
            Approx.SameBits(expected.AsSpan(0, batch * 784), y, $"batch {batch}, {threads} threads");
        }
    }

    [Fact]
    public void Odd_layer_widths_equal_the_definition_and_stay_close_to_the_float_model()
    {
        var model = new OddWidths(50, 3);
        QuantizedModel q = model.Quantize(50);
        float[] x = Quantization.Uniform(50 * 37, 4, -2f, 2f);
        foreach (int batch in new[] { 1, 2, 3, 4, 5, 9, 50 })
        {
            float[] y = new float[batch * 3], f = new float[batch * 3];
            q.Predict(x.AsSpan(0, batch * 37), y, batch);
            Approx.SameBits(Quantization.Reference(q, x.AsSpan(0, batch * 37), batch), y, $"batch {batch}");
            model.Predict(x.AsSpan(0, batch * 37), f, batch);
            Approx.Equal([.. f.Select(v => (double)v)], y, 0, 5e-3, $"against float, batch {batch}");
        }
    }

    /// <summary>Each activation (and α) carried into the quantized model, against its generated float model.</summary>
    [Fact]
    public void Every_activation_follows_its_float_model()
    {
        float[] x = Quantization.Uniform(8 * 5, 21, -1.5f, 1.5f);
        void Check(string what, QuantizedModel q, Func<float[], float[]> floatModel)
        {
            float[] y = new float[8 * 3];
            q.Predict(x, y, 8);
            Approx.SameBits(Quantization.Reference(q, x, 8), y, what + " (definition)");
            // Per-unit int8 weights: relative error ≈ 1/254 per weight; 5-input layers of weights ≤ 0.45, inputs ≤ 1.5.
            Approx.Equal([.. floatModel(x).Select(v => (double)v)], y, 0, 0.02, what + " (float model)");
        }
        QuantizedLayerSource L(string name, int inputs, int units, Span<float> w, Span<float> b, Activation a, float alpha = 0)
            => Quantization.Layer(name, inputs, units, w, b, a, alpha);

        var leaky = new VocLeakyRelu(8, 1);
        Check("leaky relu", QuantizedModel.Create([L("hid1", 5, 4, leaky.Hid1Weight, leaky.Hid1Bias, Activation.LeakyRelu, 0.2f), L("out", 4, 3, leaky.OutWeight, leaky.OutBias, Activation.Linear)], 8),
            v => { var y = new float[24]; leaky.Predict(v, y, 8); return y; });
        var elu = new VocElu(8, 2);
        Check("elu", QuantizedModel.Create([L("hid1", 5, 4, elu.Hid1Weight, elu.Hid1Bias, Activation.Elu, 1.5f), L("out", 4, 3, elu.OutWeight, elu.OutBias, Activation.Linear)], 8),
            v => { var y = new float[24]; elu.Predict(v, y, 8); return y; });
        var softplus = new VocSoftplus(8, 3);
        Check("softplus", QuantizedModel.Create([L("hid1", 5, 4, softplus.Hid1Weight, softplus.Hid1Bias, Activation.Softplus), L("out", 4, 3, softplus.OutWeight, softplus.OutBias, Activation.Linear)], 8),
            v => { var y = new float[24]; softplus.Predict(v, y, 8); return y; });
        var gelu = new VocGelu(8, 4);
        Check("gelu", QuantizedModel.Create([L("hid1", 5, 4, gelu.Hid1Weight, gelu.Hid1Bias, Activation.Gelu), L("out", 4, 3, gelu.OutWeight, gelu.OutBias, Activation.Linear)], 8),
            v => { var y = new float[24]; gelu.Predict(v, y, 8); return y; });
        var geluTanh = new VocGeluTanh(8, 5);
        Check("gelu tanh", QuantizedModel.Create([L("hid1", 5, 4, geluTanh.Hid1Weight, geluTanh.Hid1Bias, Activation.GeluTanh), L("out", 4, 3, geluTanh.OutWeight, geluTanh.OutBias, Activation.Linear)], 8),
            v => { var y = new float[24]; geluTanh.Predict(v, y, 8); return y; });
        var ce = new VocCe(8, 6);
        Check("relu, softmax", QuantizedModel.Create([L("hid1", 5, 4, ce.Hid1Weight, ce.Hid1Bias, Activation.Relu), L("out", 4, 3, ce.OutWeight, ce.OutBias, Activation.Softmax)], 8),
            v => { var y = new float[24]; ce.Predict(v, y, 8); return y; });
        var bce = new VocBce(8, 7);
        Check("tanh, sigmoid", QuantizedModel.Create([L("hid1", 5, 4, bce.Hid1Weight, bce.Hid1Bias, Activation.Tanh), L("out", 4, 3, bce.OutWeight, bce.OutBias, Activation.Sigmoid)], 8),
            v => { var y = new float[24]; bce.Predict(v, y, 8); return y; });
    }

    [Fact]
    public void A_zero_row_gives_exactly_the_float_models_output_and_a_zero_unit_exactly_its_bias()
    {
        var model = new SeedAutoencoder(2, 9);
        model.OutWeight.Slice(5 * 400, 400).Clear(); // unit 5 of the output layer: all weights zero
        QuantizedModel q = model.Quantize(2);
        Assert.Equal(0f, q.Layers[1].WeightScale[5]);
        Assert.True(q.Layers[1].Weight.Slice(5 * 400, 400).IndexOfAnyExcept((sbyte)0) < 0);

        // A zero input row: every hidden value is tanh(bias), computed from z = bias exactly, as the float model does.
        float[] zero = new float[784], yq = new float[784], yf = new float[784];
        q.Predict(zero, yq, 1);
        float[] hidden = new float[400];
        model.Hid1Bias.CopyTo(hidden);
        Compiled.Kernels.Tanh.Forward(hidden, hidden);
        QuantizedModel outLayer = QuantizedModel.Create([Quantization.Layer("out", 400, 784, model.OutWeight, model.OutBias, Activation.Sigmoid)], 1);
        outLayer.Predict(hidden, yf, 1);
        Approx.SameBits(yf, yq, "zero row through both layers = the output layer on tanh(bias)");

        // Unit 5 of any input is sigmoid(bias[5]) exactly: its scale is 0 and its codes are 0.
        float[] x = Quantization.Uniform(784, 3);
        q.Predict(x, yq, 1);
        float[] b = new float[784];
        model.OutBias.CopyTo(b);
        Compiled.Kernels.Sigmoid.Forward(b, b);
        Assert.Equal(b[5], yq[5]);
    }

    [Fact]
    public void A_row_with_NaN_or_infinity_gives_NaN_only_in_that_row()
    {
        var model = new OddWidths(4, 5);
        QuantizedModel q = model.Quantize(4);
        float[] x = Quantization.Uniform(4 * 37, 6);
        x[37 + 3] = float.NaN;
        x[3 * 37] = float.NegativeInfinity;
        float[] y = new float[4 * 3];
        q.Predict(x, y, 4);
        Assert.All(y.AsSpan(0, 3).ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(y.AsSpan(3, 3).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(y.AsSpan(6, 3).ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.All(y.AsSpan(9, 3).ToArray(), v => Assert.True(float.IsNaN(v)));
        float[] alone = new float[3];
        q.Predict(x.AsSpan(2 * 37, 37), alone, 1);
        Approx.SameBits(alone, y.AsSpan(6, 3), "row 2 alone");
    }

    [Fact]
    public void Predict_rejects_what_the_generated_Predict_rejects_with_the_same_messages_and_writes_nothing()
    {
        var model = new OddWidths(4, 1);
        QuantizedModel q = model.Quantize(4);
        void Same(float[] x, float[] y, int batch, Type type)
        {
            Array.Fill(y, 42f);
            Exception expected = Assert.Throws(type, () => model.Predict(x, new float[y.Length], batch));
            Exception actual = Assert.Throws(type, () => q.Predict(x, y, batch));
            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal(((ArgumentException)expected).ParamName, ((ArgumentException)actual).ParamName);
            Assert.All(y, v => Assert.Equal(42f, v));
        }
        Same(new float[0], new float[0], 0, typeof(ArgumentOutOfRangeException));
        Same(new float[5 * 37], new float[5 * 3], 5, typeof(ArgumentOutOfRangeException));
        Same(new float[-1 + 1], new float[3], -1, typeof(ArgumentOutOfRangeException));
        Same(new float[2 * 37 - 1], new float[2 * 3], 2, typeof(ArgumentException));
        Same(new float[2 * 37], new float[2 * 3 + 1], 2, typeof(ArgumentException));
        Assert.Equal(37, q.InputSize);
        Assert.Equal(3, q.OutputSize);
        Assert.Equal(4, q.MaxBatch);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(65)]
    public void Threads_outside_1_to_64_is_rejected_naming_the_value(int threads)
    {
        QuantizedModel q = new OddWidths(1, 1).Quantize(1);
        int before = q.Threads;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => q.Threads = threads);
        Assert.Equal(threads, e.ActualValue);
        Assert.Contains($"it was {threads}", e.Message);
        Assert.Equal(before, q.Threads);
        q.Threads = 64;
        q.Threads = 1;
        Assert.Equal(1, q.Threads);
        Assert.Equal(Math.Min(Environment.ProcessorCount, 64), new OddWidths(1, 1).Quantize(1).Threads);
    }

    [Fact]
    public void Create_quantizes_each_unit_symmetrically_with_its_own_scale()
    {
        float[] w = [0.5f, -0.25f, 0.125f, 0f, 0f, 0f, -3f, 1.5f, 1e-3f];
        QuantizedModel q = QuantizedModel.Create([new QuantizedLayerSource("only", 3, 3, w, new float[] { 1, 2, 3 }, Activation.Linear)], 1);
        QuantizedLayer layer = q.Layers[0];
        Assert.Equal(new[] { 0.5f / 127, 0f, 3f / 127 }, layer.WeightScale.ToArray());
        Assert.Equal(new sbyte[] { 127, -64, 32, 0, 0, 0, -127, 64, 0 }, layer.Weight.ToArray()); // −63.5 → −64, 63.5 → 64 (half to even), 0.042 → 0
        Assert.Equal(new[] { 1f, 2f, 3f }, layer.Bias.ToArray());
        Assert.Equal(32767, layer.InputRange);
        Assert.Equal(9, q.WeightBytes);
        Assert.Equal("only", layer.Name);
        Assert.Contains("only: Dense 3 → 3 Linear", q.ToString());
        Assert.Equal(21399, new SeedAutoencoder(1, 1).Quantize(1).Layers[0].InputRange); // ⌊(2³¹ − 1) / (128 · 784)⌋
    }

    [Fact]
    public void Create_rejects_bad_layers_naming_what_is_wrong()
    {
        float[] w6 = new float[6], b2 = new float[2], b3 = new float[3];
        QuantizedLayerSource ok = new("a", 3, 2, w6, b2, Activation.Tanh);
        ArgumentException E(Action a) => Assert.ThrowsAny<ArgumentException>(a);
        Assert.Contains("at least one layer", E(() => QuantizedModel.Create([], 1)).Message);
        Assert.Contains("Layer 1 is null", E(() => QuantizedModel.Create([ok, null!], 1)).Message);
        Assert.Contains("named 'a'", E(() => QuantizedModel.Create([ok, new("a", 2, 3, w6, b3, Activation.Relu)], 1)).Message);
        Assert.Contains("has 3 inputs, but layer 0 ('a') has 2 units", E(() => QuantizedModel.Create([ok, new("b", 3, 2, w6, b2, Activation.Relu)], 1)).Message);
        float[] nan = new float[6];
        nan[4] = float.NaN;
        Assert.Contains("weight [1, 1] is NaN", E(() => QuantizedModel.Create([new("a", 3, 2, nan, b2, Activation.Tanh)], 1)).Message);
        Assert.Contains("bias [1] is Infinity", E(() => QuantizedModel.Create([new("a", 3, 2, w6, new[] { 0f, float.PositiveInfinity }, Activation.Tanh)], 1)).Message);
        Assert.Equal("maxBatch", E(() => QuantizedModel.Create([ok], 0)).ParamName);
        Assert.Equal("maxBatch", E(() => QuantizedModel.Create([ok], int.MaxValue / 3 + 1)).ParamName);

        Assert.Contains("'1st' is not valid", E(() => new QuantizedLayerSource("1st", 3, 2, w6, b2, Activation.Tanh)).Message);
        Assert.Contains("'a.b' is not valid", E(() => new QuantizedLayerSource("a.b", 3, 2, w6, b2, Activation.Tanh)).Message);
        Assert.Equal("inputs", E(() => new QuantizedLayerSource("a", 0, 2, w6, b2, Activation.Tanh)).ParamName);
        Assert.Equal("units", E(() => new QuantizedLayerSource("a", 3, 0, w6, b2, Activation.Tanh)).ParamName);
        Assert.Contains("weight has length 6; expected units (3) × inputs (3) = 9", E(() => new QuantizedLayerSource("a", 3, 3, w6, b3, Activation.Tanh)).Message);
        Assert.Contains("bias has length 3; expected units (2)", E(() => new QuantizedLayerSource("a", 3, 2, w6, b3, Activation.Tanh)).Message);
        Assert.Equal("activation", E(() => new QuantizedLayerSource("a", 3, 2, w6, b2, (Activation)42)).ParamName);
        Assert.Contains("LeakyRelu's alpha", E(() => new QuantizedLayerSource("a", 3, 2, w6, b2, Activation.LeakyRelu, -0.1f)).Message);
        Assert.Contains("Elu's alpha", E(() => new QuantizedLayerSource("a", 3, 2, w6, b2, Activation.Elu, 0f)).Message);
        Assert.Equal(0f, new QuantizedLayerSource("a", 3, 2, w6, b2, Activation.Tanh, 5f).Alpha);
    }
}

/// <summary>Many threads on one instance, and allocation: alone, so process-wide counts see only this test.</summary>
[Collection(nameof(Alone))]
public class QuantizedConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Eight_threads_calling_one_instance_get_exactly_the_single_threaded_results(int threads)
    {
        var model = new SeedAutoencoder(1, 13);
        QuantizedModel q = model.Quantize(64);
        q.Threads = threads;
        const int inputs = 16;
        float[][] x = [.. Enumerable.Range(0, inputs).Select(i => Quantization.Uniform((i % 2 == 0 ? 1 : 64) * 784, 100 + i))];
        float[][] expected = [.. x.Select(v => { var y = new float[v.Length]; q.Predict(v, y, v.Length / 784); return y; })];
        int failures = 0;
        var workers = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            float[][] y = [.. x.Select(v => new float[v.Length])];
            for (int call = 0; call < 150; call++)
            {
                int i = (call * 7 + t) % inputs;
                q.Predict(x[i], y[i], x[i].Length / 784);
                if (!y[i].AsSpan().SequenceEqual(expected[i])) Interlocked.Increment(ref failures);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Equal(0, failures);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 1)]
    [InlineData(256, 1)]
    [InlineData(1, 2)]
    [InlineData(256, 2)]
    public void Predict_allocates_nothing_after_the_first_call_on_the_thread_or_anywhere(int batch, int threads)
    {
        QuantizedModel q = new SeedAutoencoder(1, 2).Quantize(256);
        q.Threads = threads;
        float[] x = Quantization.Uniform(batch * 784, 3), y = new float[batch * 784];
        for (int i = 0; i < 100; i++) q.Predict(x, y, batch); // the thread's scratch, the workers' scratch, JIT tiers
        // Short rounds, the smallest kept: the test host allocates now and then on its own threads (a few hundred bytes
        // every few tens of milliseconds, measured), while an allocation per call would show up in every round.
        int calls = batch >= 256 ? 5 : 20;
        long thread = long.MaxValue, process = long.MaxValue;
        var log = new System.Collections.Generic.List<string>();
        for (int round = 0; round < 20 && (thread > 0 || process > 0); round++)
        {
            long t0 = GC.GetAllocatedBytesForCurrentThread(), p0 = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < calls; i++) q.Predict(x, y, batch);
            long t = GC.GetAllocatedBytesForCurrentThread() - t0, p = GC.GetTotalAllocatedBytes(precise: true) - p0;
            log.Add($"{t}/{p}");
            thread = Math.Min(thread, t);
            process = Math.Min(process, p);
        }
        Assert.True(thread == 0 && process == 0, "bytes per round, this thread / process: " + string.Join(" ", log));
    }

    [Fact]
    public void The_generated_Quantize_is_the_factory_over_the_layer_views()
    {
        var m = new OddWidths(5, 3);
        QuantizedModel generated = m.Quantize(5), byHand = Quantization.FromViews(m, 5);
        Assert.Equal(5, m.Quantize().MaxBatch);
        Assert.Equal(byHand.Layers.Count, generated.Layers.Count);
        for (int i = 0; i < byHand.Layers.Count; i++)
        {
            QuantizedLayer a = byHand.Layers[i], b = generated.Layers[i];
            Assert.Equal((a.Name, a.Inputs, a.Units, a.Activation, a.Alpha), (b.Name, b.Inputs, b.Units, b.Activation, b.Alpha));
            Assert.True(a.Weight.SequenceEqual(b.Weight), a.Name + " codes");
            Approx.SameBits(a.WeightScale, b.WeightScale, a.Name + " scales");
        }
        float[] x = Quantization.Uniform(5 * 37, 9, -1, 1), y1 = new float[5 * 3], y2 = new float[5 * 3];
        byHand.Predict(x, y1, 5);
        generated.Predict(x, y2, 5);
        Approx.SameBits(y1, y2, "outputs");
    }
}
