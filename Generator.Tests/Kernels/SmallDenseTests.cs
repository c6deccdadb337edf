using System;
using System.Runtime.InteropServices;
using Compiled.Kernels;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The small-layer kernels against the runtime-kernel path they replace (Gemm.XWt, XW, DtX, ColumnSums and the
/// element-wise kernels, as the generated code calls them for a layer that is not small): bit for bit, at every shape
/// 1…64 × 1…64, batches 1, 3, 8 and 13 (a row, a few rows with the dot-product forward step, one whole tile, tiles with a
/// tail), every activation and with and without penalties. The shape is a struct whose constants come from
/// thread-static fields set per case, so one instantiation runs every shape through the same code the constant
/// instantiations of generated models run (those are tested through the models, in SmallLayerTests).
/// </summary>
public class SmallDenseTests
{
    private struct Shape : ISmallDense
    {
        [ThreadStatic] public static int K, N;
        [ThreadStatic] public static Activation Act;
        [ThreadStatic] public static float A;

        public static int Inputs => K;
        public static int Units => N;
        public static Activation Activation => Act;
        public static float Alpha => A;
    }

    /// <summary>The layer below a shape, for the fused backward step: Units = Shape.Inputs.</summary>
    private struct Below : ISmallDense
    {
        [ThreadStatic] public static int N;
        [ThreadStatic] public static Activation Act;
        [ThreadStatic] public static float A;

        public static int Inputs => 1;
        public static int Units => N;
        public static Activation Activation => Act;
        public static float Alpha => A;
    }

    private static readonly Activation[] Activations =
    [
        Activation.Linear, Activation.Tanh, Activation.Sigmoid, Activation.Relu, Activation.LeakyRelu, Activation.Elu,
        Activation.Softplus, Activation.Gelu, Activation.GeluTanh, Activation.Selu,
    ];

    private static readonly int[] Batches = [1, 3, 8, 13];

    private static float[] Rand(int n, Random r, float scale = 1f)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        // Exact zeros exercise sign(0) = 0 and relu'(0) = 0.
        if (n > 3) a[n / 2] = 0;
        return a;
    }

    /// <summary>Every shape and batch, with an activation and penalty coefficients that vary from case to case.</summary>
    private static void ForEachShape(Action<int, int, int, Activation, Random> test)
    {
        int i = 0;
        for (int k = 1; k <= SmallDense.MaxSize; k++)
            for (int n = 1; n <= SmallDense.MaxSize; n++)
                foreach (int b in Batches)
                {
                    var r = new Random(i);
                    Activation act = Activations[i++ % Activations.Length];
                    Shape.K = k; Shape.N = n; Shape.Act = act; Shape.A = act == Activation.Elu ? 0.7f : 0.05f;
                    test(k, n, b, act, r);
                }
    }

    /// <summary>Approx.SameBits (which formats its message for every element), called once a bit pattern differs.</summary>
    private static void Same(float[] expected, float[] actual, string what)
    {
        if (!MemoryMarshal.Cast<float, int>(expected.AsSpan()).SequenceEqual(MemoryMarshal.Cast<float, int>(actual.AsSpan())))
            Approx.SameBits(expected, actual, what);
    }

    private static bool UsesZ(Activation a) => a is Activation.Softplus or Activation.Gelu or Activation.GeluTanh;

    /// <summary>The kernel path's activation call for a layer of this activation (as ProductEmitter writes it).</summary>
    internal static void ReferenceForward(Activation act, float alpha, float[] z, float[] a)
    {
        switch (act)
        {
            case Activation.Tanh: Tanh.Forward(z, a); break;
            case Activation.Sigmoid: Sigmoid.Forward(z, a); break;
            case Activation.Relu: Relu.Forward(z, a); break;
            case Activation.LeakyRelu: LeakyRelu.Forward(z, a, alpha); break;
            case Activation.Elu: Elu.Forward(z, a, alpha); break;
            case Activation.Softplus: Softplus.Forward(z, a); break;
            case Activation.Gelu: Gelu.Forward(z, a); break;
            case Activation.GeluTanh: GeluTanh.Forward(z, a); break;
            case Activation.Selu: Selu.Forward(z, a); break;
            default: Linear.Forward(z, a); break;
        }
    }

    /// <summary>The kernel path's derivative call (penalties fused) for a layer of this activation.</summary>
    internal static void ReferenceBackward(Activation act, float alpha, float[] a, float[] z, float[] d, float l1, float l2)
    {
        switch (act)
        {
            case Activation.Tanh: Tanh.Backward(a, d, l1, l2); break;
            case Activation.Sigmoid: Sigmoid.Backward(a, d, l1, l2); break;
            case Activation.Relu: Relu.Backward(a, d, l1, l2); break;
            case Activation.LeakyRelu: LeakyRelu.Backward(a, d, alpha, l1, l2); break;
            case Activation.Elu: Elu.Backward(a, d, alpha, l1, l2); break;
            case Activation.Softplus: Softplus.Backward(z, a, d, l1, l2); break;
            case Activation.Gelu: Gelu.Backward(z, a, d, l1, l2); break;
            case Activation.GeluTanh: GeluTanh.Backward(z, a, d, l1, l2); break;
            case Activation.Selu: Selu.Backward(a, d, l1, l2); break;
            default: if (l1 != 0 || l2 != 0) Linear.Backward(a, d, l1, l2); break;
        }
    }

    [Fact]
    public void Forward_equals_XWt_then_the_activation_kernel_bit_for_bit()
    {
        ForEachShape((k, n, b, act, r) =>
        {
            float[] x = Rand(b * k, r), w = Rand(n * k, r), bias = Rand(n, r);
            float[] z = new float[b * n], a = new float[b * n], zRef = new float[b * n], aRef = new float[b * n];
            bool keepZ = UsesZ(act) || r.Next(2) == 0;
            SmallDense.Forward<Shape>(b, x, w, bias, a, keepZ ? z : default);
            Gemm.XWt(b, n, k, x, w, bias, zRef);
            ReferenceForward(act, Shape.A, zRef, aRef);
            string what = $"{k} → {n} {act}, batch {b}";
            Same(aRef, a, what + ": a");
            if (keepZ) Same(zRef, z, what + ": z");
        });
    }

    [Fact]
    public void InputGradient_equals_XW_and_with_the_layer_below_the_derivative_kernel_bit_for_bit()
    {
        ForEachShape((k, n, b, act, r) =>
        {
            float[] d = Rand(b * n, r), w = Rand(n * k, r);
            float[] dx = new float[b * k], dxRef = new float[b * k];
            SmallDense.InputGradient<Shape>(b, d, w, dx);
            Gemm.XW(b, n, k, d, w, dxRef);
            string what = $"{k} → {n}, batch {b}";
            Same(dxRef, dx, what + ": δ·W");

            // The layer below (k units) with the next activation, its rows a = f(z), and penalties on its output.
            Activation below = Activations[(Array.IndexOf(Activations, act) + 1) % Activations.Length];
            Below.N = k; Below.Act = below; Below.A = below == Activation.Elu ? 1.3f : 0.1f;
            float[] z = Rand(b * k, r, 3f), a = new float[b * k];
            ReferenceForward(below, Below.A, z, a);
            float l1 = r.Next(3) == 0 ? 0f : 0.01f, l2 = r.Next(3) == 0 ? 0f : 0.003f;
            SmallDense.InputGradient<Shape, Below>(b, d, w, a, UsesZ(below) ? z : default, l1, l2, dx);
            Gemm.XW(b, n, k, d, w, dxRef);
            ReferenceBackward(below, Below.A, a, z, dxRef, l1, l2);
            Same(dxRef, dx, what + $": δ_below through {below} (l1 {l1}, l2 {l2})");
        });
    }

    [Fact]
    public void Gradients_equal_DtX_and_ColumnSums_with_every_penalty_bit_for_bit()
    {
        ForEachShape((k, n, b, act, r) =>
        {
            float[] d = Rand(b * n, r), x = Rand(b * k, r), w = Rand(n * k, r), bias = Rand(n, r);
            float wl1 = r.Next(2) == 0 ? 0f : 0.02f, wl2 = r.Next(2) == 0 ? 0f : 0.005f, bl1 = r.Next(2) == 0 ? 0f : 0.01f, bl2 = r.Next(2) == 0 ? 0f : 0.004f;
            float[] g = new float[n * k], gb = new float[n], gRef = new float[n * k], gbRef = new float[n];
            SmallDense.Gradients<Shape>(b, d, x, w, bias, g, gb, wl1, wl2, bl1, bl2);
            Gemm.DtX(b, n, k, d, x, gRef, w, wl1, wl2);
            Gemm.ColumnSums(b, n, d, gbRef, bias, bl1, bl2);
            string what = $"{k} → {n}, batch {b} (W: {wl1}, {wl2}; b: {bl1}, {bl2})";
            Same(gRef, g, what + ": ∂W");
            Same(gbRef, gb, what + ": ∂b");
        });
    }

    [Fact]
    public void GradientsSgd_equals_the_gradients_then_an_SGD_step_and_the_fused_kernels_bit_for_bit()
    {
        ForEachShape((k, n, b, act, r) =>
        {
            float[] d = Rand(b * n, r), x = Rand(b * k, r), w = Rand(n * k, r), bias = Rand(n, r);
            float wl1 = r.Next(2) == 0 ? 0f : 0.02f, wl2 = r.Next(2) == 0 ? 0f : 0.005f, bl1 = r.Next(2) == 0 ? 0f : 0.01f, bl2 = r.Next(2) == 0 ? 0f : 0.004f;
            const float lr = 0.3f;
            float[] wFused = (float[])w.Clone(), bFused = (float[])bias.Clone();
            SmallDense.GradientsSgd<Shape>(b, d, x, wFused, bFused, wl1, wl2, bl1, bl2, lr);

            float[] g = new float[n * k], gb = new float[n], wStep = (float[])w.Clone(), bStep = (float[])bias.Clone();
            SmallDense.Gradients<Shape>(b, d, x, w, bias, g, gb, wl1, wl2, bl1, bl2);
            Sgd.Step(wStep, g, lr);
            Sgd.Step(bStep, gb, lr);
            string what = $"{k} → {n}, batch {b} (W: {wl1}, {wl2}; b: {bl1}, {bl2})";
            Same(wStep, wFused, what + ": W");
            Same(bStep, bFused, what + ": b");

            float[] wKernel = (float[])w.Clone(), bKernel = (float[])bias.Clone();
            Gemm.DtXSgd(b, n, k, d, x, wKernel, new float[n * k], wl1, wl2, lr);
            Gemm.ColumnSumsSgd(b, n, d, bKernel, new float[n], bl1, bl2, lr);
            Same(wKernel, wFused, what + ": W against DtXSgd");
            Same(bKernel, bFused, what + ": b against ColumnSumsSgd");
        });
    }

    [Fact]
    public void Transpose_moves_every_element_for_every_block_shape()
    {
        // 8 × 8 blocks, 4 × 4 blocks within and after them, and the element-by-element edges, with strides wider than the rows.
        for (int rows = 1; rows <= 21; rows++)
            for (int cols = 1; cols <= 21; cols++)
            {
                float[] src = Rand(rows * (cols + 3), new Random(rows * 100 + cols)), dst = new float[cols * (rows + 2)], expected = new float[dst.Length];
                for (int j = 0; j < rows; j++)
                    for (int q = 0; q < cols; q++) expected[q * (rows + 2) + j] = src[j * (cols + 3) + q];
                Transpose.Block(ref src[0], cols + 3, ref dst[0], rows + 2, rows, cols);
                Same(expected, dst, $"{rows} × {cols}");
            }
    }

    [Fact]
    public void Spans_that_are_too_short_are_refused()
    {
        Shape.K = 5; Shape.N = 7; Shape.Act = Activation.Tanh; Shape.A = 0;
        Assert.Throws<ArgumentException>(() => SmallDense.Forward<Shape>(2, new float[9], new float[35], new float[7], new float[14]));
        Assert.Throws<ArgumentException>(() => SmallDense.Forward<Shape>(2, new float[10], new float[34], new float[7], new float[14]));
        Assert.Throws<ArgumentException>(() => SmallDense.InputGradient<Shape>(2, new float[14], new float[35], new float[9]));
        Assert.Throws<ArgumentException>(() => SmallDense.Gradients<Shape>(2, new float[14], new float[10], new float[35], new float[7], new float[34], new float[7], 0, 0, 0, 0));
        Below.N = 4; Below.Act = Activation.Tanh;
        Assert.Throws<ArgumentException>(() => SmallDense.InputGradient<Shape, Below>(2, new float[14], new float[35], new float[10], default, 0, 0, new float[10]));
    }
}
