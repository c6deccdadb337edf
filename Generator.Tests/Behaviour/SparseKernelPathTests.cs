using System;
using System.Linq;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The generated steps through the sparse kernels (issue 18): a code below 1 active entry in 8 is read by its next
/// layer's product, its own delta and both weight gradients over the active entries only. Checked against the same model
/// on the dense kernels (<c>SparseKernels = false</c>) and against the float64 twin (dense double kernels, checked by
/// finite differences elsewhere): outputs, every gradient, and parameters after training steps (plain, Adam, fused SGD);
/// any thread count bit-identical; nothing allocated per step.
/// </summary>
public class SparseKernelPathTests
{
    private static float[] Random32(int n, int seed, double low = -1, double high = 1)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(low + r.NextDouble() * (high - low))).ToArray();
    }

    /// <summary>|a − b| ≤ tol·max|b| over a tensor: the sparse path sums the same terms as the dense one, in another order.</summary>
    private static void Close(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double tol, string what)
    {
        double scale = 0, worst = 0;
        for (int i = 0; i < b.Length; i++) scale = Math.Max(scale, Math.Abs(b[i]));
        for (int i = 0; i < b.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        Assert.True(worst <= tol * Math.Max(scale, 1e-30), $"{what}: worst difference {worst:E2} against max |value| {scale:E2} (tolerance {tol:E0} relative)");
    }

    private static double Density(ReadOnlySpan<float> a) { int n = 0; foreach (float v in a) if (v != 0) n++; return (double)n / a.Length; }

    [Fact]
    public void A_sparse_ReLU_code_gives_the_dense_results()
    {
        const int batch = 32;
        var sparse = new SparseRelu(batch, 3);
        var dense = new SparseRelu(batch, 3) { SparseKernels = false };
        sparse.Hid1Bias.Fill(-0.5f); // most pre-activations below 0
        dense.Hid1Bias.Fill(-0.5f);
        float[] x = Random32(batch * 20, 1), t = Random32(batch * 20, 2);
        float[] ys = new float[batch * 20], yd = new float[batch * 20];
        sparse.Predict(x, ys, batch);
        double density = Density(sparse.Hid1Activations); // the activations of the calling thread's last pass on this model
        dense.Predict(x, yd, batch);
        Assert.InRange(density, 0.001, 0.125); // the sparse path is taken
        Close(ys, yd, 1e-6, "Predict");

        sparse.ComputeGradients(x, t, batch);
        dense.ComputeGradients(x, t, batch);
        Assert.Equal(dense.LastLoss.Total, sparse.LastLoss.Total, 5);
        Close(sparse.Gradients.Slice(0, 96 * 20), dense.Gradients.Slice(0, 96 * 20), 1e-5, "hid1.weight gradient");
        Close(sparse.Gradients, dense.Gradients, 1e-5, "every gradient");
        for (int i = 0; i < 10; i++)
        {
            sparse.TrainStep(x, t, batch);
            dense.TrainStep(x, t, batch);
        }
        Close(sparse.Parameters, dense.Parameters, 1e-5, "parameters after 10 steps");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TopK_codes_give_the_dense_results_with_Adam_and_fused_SGD(bool sgd)
    {
        const int batch = 16;
        float[] x = Random32(batch * 24, 3, -2, 2), t = Random32(batch * 24, 4);
        Func<bool, (Action Step, Func<float[]> Parameters, Func<float[]> Gradients, Action Grad, Func<float[]> Code)> make = sparseKernels =>
        {
            if (sgd)
            {
                var m = new SparseTopKSgd(batch, 5) { SparseKernels = sparseKernels };
                return (() => m.TrainStep(x, t, batch), () => m.Parameters.ToArray(), () => m.Gradients.ToArray(), () => m.ComputeGradients(x, t, batch), () => m.Hid1Activations.ToArray());
            }
            var a = new SparseTopK(batch, 5) { SparseKernels = sparseKernels };
            return (() => a.TrainStep(x, t, batch), () => a.Parameters.ToArray(), () => a.Gradients.ToArray(), () => a.ComputeGradients(x, t, batch), () => a.Hid1Activations.ToArray());
        };
        var sparse = make(true);
        var dense = make(false);
        sparse.Grad();
        dense.Grad();
        Assert.InRange(Density(sparse.Code()), 0.001, 0.125);
        Close(sparse.Gradients(), dense.Gradients(), 1e-5, "gradients");
        for (int i = 0; i < 8; i++)
        {
            sparse.Step();
            dense.Step();
        }
        Close(sparse.Parameters(), dense.Parameters(), 1e-4, "parameters after 8 steps");
    }

    [Fact]
    public void A_JumpReLU_code_reads_its_next_layer_sparsely()
    {
        const int batch = 24;
        var sparse = new SparseJumpRelu(batch, 2);
        var dense = new SparseJumpRelu(batch, 2) { SparseKernels = false };
        float[] x = Random32(batch * 16, 5, -1.5, 1.5), t = Random32(batch * 16, 6);
        sparse.ComputeGradients(x, t, batch);
        dense.ComputeGradients(x, t, batch);
        Assert.InRange(Density(sparse.Hid1Activations), 0.001, 0.125);
        Close(sparse.Gradients, dense.Gradients, 1e-5, "gradients, log-thresholds included");
    }

    [Fact]
    public void The_sparse_path_agrees_with_the_float64_twin()
    {
        // The float64 twin runs the dense double kernels (finite-difference checked in SparseCodingTests); the float32
        // model from the same parameters runs the sparse kernels: the same numbers to float32 precision.
        const int batch = 16;
        var m = new SparseTopK(batch, 8);
        var twin = new SparseTopK64(batch, 8);
        for (int i = 0; i < SparseTopK.ParameterCount; i++) twin.Parameters[i] = m.Parameters[i];
        float[] x = Random32(batch * 24, 7, -2, 2), t = Random32(batch * 24, 8);
        m.ComputeGradients(x, t, batch);
        twin.ComputeGradients(x.Select(v => (double)v).ToArray(), t.Select(v => (double)v).ToArray(), batch);
        Assert.InRange(Density(m.Hid1Activations), 0.001, 0.125);
        Close(m.Gradients, twin.Gradients.ToArray().Select(v => (float)v).ToArray(), 1e-4, "float32 sparse against float64 dense");
        Assert.Equal(twin.LastLoss.Total, m.LastLoss.Total, 4);
    }

    [Fact]
    public void The_sparse_path_is_bit_identical_for_any_thread_count_and_allocates_nothing()
    {
        const int batch = 64;
        float[] x = Random32(batch * 24, 9, -2, 2), t = Random32(batch * 24, 10);
        float[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var m = new SparseTopK(batch, 11) { Threads = threads };
            for (int i = 0; i < 4; i++) m.TrainStep(x, t, batch);
            float[] p = m.Parameters.ToArray();
            if (reference is null) reference = p;
            else Assert.Equal(reference, p);
        }

        var model = new SparseTopKSgd(batch, 1);
        float[] y = new float[batch * 24];
        void Work()
        {
            model.TrainStep(x, t, batch);
            model.Predict(x, y, batch);
        }
        for (int i = 0; i < 5; i++) Work();
        long thread = long.MaxValue;
        for (int round = 0; round < 10 && thread > 0; round++)
        {
            long t0 = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 5; i++) Work();
            thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - t0);
        }
        Assert.Equal(0, thread);
    }
}
