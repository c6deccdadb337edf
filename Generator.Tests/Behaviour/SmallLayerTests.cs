using System;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// Generated models whose layers take the small-layer kernels against the runtime-kernel path written out call by call
/// (Gemm.XWt and the activation kernels forward, the fused loss kernel, Gemm.XW and the derivative kernels back,
/// Gemm.DtX and ColumnSums for the gradients — what the generator emits for a layer that is not small): outputs, loss,
/// every gradient and the parameters after a step, bit for bit, at batches that take each form of each product, with
/// one and two threads. The kernels themselves are held to the kernel path at every shape in SmallDenseTests.
/// </summary>
public class SmallLayerTests
{
    /// <summary>A Dense layer of the kernel-path reference.</summary>
    private sealed record Layer(int Inputs, int Units, Activation Act, float Alpha = 0f);

    /// <summary>What the tests need of a generated model (they share no interface).</summary>
    private sealed record Model(
        Func<float[]> Parameters, Func<float[]> Gradients, Func<float[], float[], int, float> ComputeGradients,
        Func<float[], float[], int, float> TrainStep, Action<float[], float[], int> Predict, float LearningRate);

    private static readonly (string Name, Layer[] Layers, Func<int, int, Model> Create)[] Cases =
    [
        ("SmallTiny", [new(4, 32, Activation.Tanh), new(32, 16, Activation.Tanh), new(16, 4, Activation.Linear)], (b, t) =>
        {
            var m = new SmallTiny(b, 7) { Threads = t };
            return new(() => m.Parameters.ToArray(), () => m.Gradients.ToArray(), (x, y, n) => m.ComputeGradients(x, y, n), (x, y, n) => m.TrainStep(x, y, n), (x, y, n) => m.Predict(x, y, n), m.LearningRate);
        }),
        ("SmallTails", [new(13, 7, Activation.Sigmoid), new(7, 15, Activation.Relu), new(15, 3, Activation.Linear)], (b, t) =>
        {
            var m = new SmallTails(b, 7) { Threads = t };
            return new(() => m.Parameters.ToArray(), () => m.Gradients.ToArray(), (x, y, n) => m.ComputeGradients(x, y, n), (x, y, n) => m.TrainStep(x, y, n), (x, y, n) => m.Predict(x, y, n), m.LearningRate);
        }),
        ("SmallWidest", [new(64, 64, Activation.Gelu), new(64, 64, Activation.Elu, 0.5f), new(64, 1, Activation.Sigmoid)], (b, t) =>
        {
            var m = new SmallWidest(b, 7) { Threads = t };
            return new(() => m.Parameters.ToArray(), () => m.Gradients.ToArray(), (x, y, n) => m.ComputeGradients(x, y, n), (x, y, n) => m.TrainStep(x, y, n), (x, y, n) => m.Predict(x, y, n), m.LearningRate);
        }),
        ("SmallOneInput", [new(1, 5, Activation.LeakyRelu, 0.2f), new(5, 2, Activation.Selu), new(2, 1, Activation.Tanh)], (b, t) =>
        {
            var m = new SmallOneInput(b, 7) { Threads = t };
            return new(() => m.Parameters.ToArray(), () => m.Gradients.ToArray(), (x, y, n) => m.ComputeGradients(x, y, n), (x, y, n) => m.TrainStep(x, y, n), (x, y, n) => m.Predict(x, y, n), m.LearningRate);
        }),
        ("SmallBetweenLarge", [new(70, 48, Activation.GeluTanh), new(48, 64, Activation.Softplus), new(64, 65, Activation.Linear)], (b, t) =>
        {
            var m = new SmallBetweenLarge(b, 7) { Threads = t };
            return new(() => m.Parameters.ToArray(), () => m.Gradients.ToArray(), (x, y, n) => m.ComputeGradients(x, y, n), (x, y, n) => m.TrainStep(x, y, n), (x, y, n) => m.Predict(x, y, n), m.LearningRate);
        }),
        ("SmallReadme", [new(24, 8, Activation.Tanh), new(8, 2, Activation.Linear)], (b, t) =>
        {
            var m = new SmallReadme(b, 7) { Threads = t };
            return new(() => m.Parameters.ToArray(), () => m.Gradients.ToArray(), (x, y, n) => m.ComputeGradients(x, y, n), (x, y, n) => m.TrainStep(x, y, n), (x, y, n) => m.Predict(x, y, n), m.LearningRate);
        }),
    ];

    public static TheoryData<string, int, int> Runs()
    {
        var d = new TheoryData<string, int, int>();
        foreach (var c in Cases)
            // 1 and 5: the dot-product forward form; 8, 37: the tiles (37 with a tail); 200: the thread split's size.
            foreach (int batch in new[] { 1, 5, 8, 37, 200 })
                foreach (int threads in new[] { 1, 2 })
                    d.Add(c.Name, batch, threads);
        return d;
    }

    private static float[] Rand(int n, int seed, float scale = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return a;
    }

    [Theory, MemberData(nameof(Runs))]
    public void Outputs_loss_gradients_and_a_step_equal_the_kernel_path_bit_for_bit(string name, int batch, int threads)
    {
        var (_, layers, create) = Array.Find(Cases, c => c.Name == name);
        int inputs = layers[0].Inputs, outputs = layers[^1].Units;
        float[] x = Rand(batch * inputs, 1), t = Rand(batch * outputs, 2, 0.5f);

        Model m = create(batch, threads);
        float[] p = m.Parameters();
        var (data, output, gradients) = KernelPath(layers, p, x, t, batch);

        float[] y = new float[batch * outputs];
        m.Predict(x, y, batch);
        Approx.SameBits(output, y, name + ": Predict");
        float loss = m.ComputeGradients(x, t, batch);
        Assert.Equal((float)data, loss);
        Approx.SameBits(gradients, m.Gradients(), name + ": gradients");

        // A step: fused into the gradient pass (batch 1, or the guard's bound), or the gradients then an SGD step.
        Model fresh = create(batch, threads);
        fresh.TrainStep(x, t, batch);
        Sgd.Step(p, gradients, m.LearningRate);
        Approx.SameBits(p, fresh.Parameters(), name + ": parameters after TrainStep");
    }

    /// <summary>
    /// The kernel path: each Dense layer's calls as the generator writes them for a layer that is not small, for MSE
    /// (mean over batch × outputs) without penalties. Returns the data loss, the output rows and the gradient block.
    /// </summary>
    private static (double Data, float[] Output, float[] Gradients) KernelPath(Layer[] layers, float[] p, float[] x, float[] t, int b)
    {
        int count = layers.Length;
        var z = new float[count][];
        var a = new float[count][];
        var offsets = new int[count];
        float[] input = x;
        for (int l = 0, offset = 0; l < count; l++)
        {
            var (k, n, act, alpha) = layers[l];
            offsets[l] = offset;
            z[l] = new float[b * n];
            a[l] = new float[b * n];
            Gemm.XWt(b, n, k, input, p.AsSpan(offset, n * k), p.AsSpan(offset + n * k, n), z[l]);
            SmallDenseTests.ReferenceForward(act, alpha, z[l], a[l]);
            input = a[l];
            offset += n * k + n;
        }

        Layer top = layers[^1];
        var d = new float[count][];
        d[^1] = new float[b * top.Units];
        float scale = 2f / (b * top.Units);
        double sum = top.Act switch
        {
            Activation.Tanh => Tanh.SquaredErrorBackward(a[^1], t, d[^1], scale, 0f, 0f),
            Activation.Sigmoid => Sigmoid.SquaredErrorBackward(a[^1], t, d[^1], scale, 0f, 0f),
            _ => Linear.SquaredErrorBackward(a[^1], t, d[^1], scale, 0f, 0f),
        };
        for (int l = count - 1; l > 0; l--)
        {
            var (k, n, _, _) = layers[l];
            d[l - 1] = new float[b * k];
            Gemm.XW(b, n, k, d[l], p.AsSpan(offsets[l], n * k), d[l - 1]);
            SmallDenseTests.ReferenceBackward(layers[l - 1].Act, layers[l - 1].Alpha, a[l - 1], z[l - 1], d[l - 1], 0f, 0f);
        }

        var g = new float[p.Length];
        for (int l = 0; l < count; l++)
        {
            var (k, n, _, _) = layers[l];
            Gemm.DtX(b, n, k, d[l], l == 0 ? x : a[l - 1], g.AsSpan(offsets[l], n * k), default, 0f, 0f);
            Gemm.ColumnSums(b, n, d[l], g.AsSpan(offsets[l] + n * k, n), default, 0f, 0f);
        }
        return (sum / (b * (double)top.Units), a[^1], g);
    }
}
