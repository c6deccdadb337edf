using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Numerics.Tensors;
using A = Compiled.Kernels.RealActivations;

// The float64 overloads of every kernel a generated model calls: same class, same name, same argument order as the
// float32 kernel, so a generated [Model(Precision = Precision.Float64)] differs from its float32 twin only in the
// element type. They forward to RealKernels, written once for any IEEE type (see there for what is vectorized).

namespace Compiled.Kernels
{
    public static partial class Gemm
    {
        /// <summary>Forward in double: Y[m, n] = X[m, k]·W[n, k]ᵀ + bias[n]. Single-threaded (<paramref name="pool"/> is accepted and ignored).</summary>
        public static void XWt(int m, int n, int k, ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> bias, Span<double> y, WorkerPool? pool = null)
            => RealKernels.XWt(m, n, k, x, w, bias, y);

        /// <summary>Backward to the inputs in double: Y[m, k] = D[m, n]·W[n, k]. Single-threaded.</summary>
        public static void XW(int m, int n, int k, ReadOnlySpan<double> d, ReadOnlySpan<double> w, Span<double> y, WorkerPool? pool = null)
            => RealKernels.XW(m, n, k, d, w, y);

        /// <summary>Weight gradient in double: G[n, k] = D[m, n]ᵀ·X[m, k] + l1·sign(W) + 2·l2·W (overwrites G). Single-threaded.</summary>
        public static void DtX(int m, int n, int k, ReadOnlySpan<double> d, ReadOnlySpan<double> x, Span<double> g, ReadOnlySpan<double> w, double l1, double l2, WorkerPool? pool = null)
            => RealKernels.DtX(m, n, k, d, x, g, w, l1, l2);

        /// <summary>G[n, k] += D[m, n]ᵀ·X[m, k] (float64 models): the product in <paramref name="scratch"/>, then added.</summary>
        public static void DtXAdd(int m, int n, int k, ReadOnlySpan<double> d, ReadOnlySpan<double> x, Span<double> g, Span<double> scratch, WorkerPool? pool = null)
        {
            RealKernels.DtX(m, n, k, d, x, scratch, default, 0, 0);
            TensorPrimitives.Add(g.Slice(0, n * k), scratch.Slice(0, n * k), g);
        }

        /// <summary>Y[r, c] += bias[c] for every row (float64 models).</summary>
        public static void AddBias(int rows, int cols, ReadOnlySpan<double> bias, Span<double> y)
        {
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(y.Slice(r * cols, cols), bias.Slice(0, cols), y.Slice(r * cols, cols));
        }

        /// <summary>Bias gradient in double: g[n] = Σ_b D[b, n] + l1·sign(bias) + 2·l2·bias.</summary>
        public static void ColumnSums(int m, int n, ReadOnlySpan<double> d, Span<double> g, ReadOnlySpan<double> bias, double l1, double l2)
            => RealKernels.ColumnSums(m, n, d, g, bias, l1, l2);
    }

    public static partial class Linear
    {
        /// <summary>a = z (a copy unless both spans are the same memory).</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Linear<double>, double>(z, a, 0);

        /// <summary>d = d + l1·sign(a) + 2·l2·a, in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Linear<double>, double>(a, default, d, 0, l1, l2);

        /// <summary>As the other overload, plus a per-unit term (KL sparsity) added to every row.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, int units, double l1, double l2, ReadOnlySpan<double> unitTerm)
            => RealKernels.Backward<A.Linear<double>, double>(a, default, d, 0, l1, l2, units, unitTerm);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Linear<double>, double>(false, default, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Linear<double>, double>(true, default, y, t, d, scale, 0, l1, l2);
    }

    public static partial class Tanh
    {
        /// <summary>a = tanh(z) in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Tanh<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ (1 − a²), in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Tanh<double>, double>(a, default, d, 0, l1, l2);

        /// <summary>As the other overload, plus a per-unit term (KL sparsity) added to every row before the derivative.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, int units, double l1, double l2, ReadOnlySpan<double> unitTerm)
            => RealKernels.Backward<A.Tanh<double>, double>(a, default, d, 0, l1, l2, units, unitTerm);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Tanh<double>, double>(false, default, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Tanh<double>, double>(true, default, y, t, d, scale, 0, l1, l2);
    }

    public static partial class Sigmoid
    {
        /// <summary>a = 1 / (1 + e^−z) in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Sigmoid<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ a(1 − a), in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Sigmoid<double>, double>(a, default, d, 0, l1, l2);

        /// <summary>As the other overload, plus a per-unit term (KL sparsity) added to every row before the derivative.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, int units, double l1, double l2, ReadOnlySpan<double> unitTerm)
            => RealKernels.Backward<A.Sigmoid<double>, double>(a, default, d, 0, l1, l2, units, unitTerm);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Sigmoid<double>, double>(false, default, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Sigmoid<double>, double>(true, default, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with binary cross-entropy from the logits; returns the summed loss.</summary>
        public static double BinaryCrossEntropyBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.BinaryCrossEntropy(z, y, t, d, scale, l1, l2);
    }

    public static partial class Relu
    {
        /// <summary>a = max(0, z) in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Relu<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ [a &gt; 0], in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Relu<double>, double>(a, default, d, 0, l1, l2);

        /// <summary>As the other overload, plus a per-unit term added to every row before the derivative.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, int units, double l1, double l2, ReadOnlySpan<double> unitTerm)
            => RealKernels.Backward<A.Relu<double>, double>(a, default, d, 0, l1, l2, units, unitTerm);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Relu<double>, double>(false, default, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Relu<double>, double>(true, default, y, t, d, scale, 0, l1, l2);
    }

    public static partial class LeakyRelu
    {
        /// <summary>a = z for z &gt; 0, else α·z, in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a, double alpha) => RealKernels.Forward<A.LeakyRelu<double>, double>(z, a, alpha);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double alpha, double l1, double l2) => RealKernels.Backward<A.LeakyRelu<double>, double>(a, default, d, alpha, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double alpha, double l1, double l2)
            => RealKernels.OutputLoss<A.LeakyRelu<double>, double>(false, default, y, t, d, scale, alpha, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double alpha, double l1, double l2)
            => RealKernels.OutputLoss<A.LeakyRelu<double>, double>(true, default, y, t, d, scale, alpha, l1, l2);
    }

    public static partial class Elu
    {
        /// <summary>a = z for z &gt; 0, else α·(e^z − 1) with an accurate e^z − 1, in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a, double alpha) => RealKernels.Forward<A.Elu<double>, double>(z, a, alpha);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double alpha, double l1, double l2) => RealKernels.Backward<A.Elu<double>, double>(a, default, d, alpha, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double alpha, double l1, double l2)
            => RealKernels.OutputLoss<A.Elu<double>, double>(false, default, y, t, d, scale, alpha, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double alpha, double l1, double l2)
            => RealKernels.OutputLoss<A.Elu<double>, double>(true, default, y, t, d, scale, alpha, l1, l2);
    }

    public static partial class Selu
    {
        /// <summary>a = λ·z for z &gt; 0, else λα·(e^z − 1) with an accurate e^z − 1, in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Selu<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Selu<double>, double>(a, default, d, 0, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Selu<double>, double>(false, default, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Selu<double>, double>(true, default, y, t, d, scale, 0, l1, l2);
    }

    public static partial class Softplus
    {
        /// <summary>a = log(1 + e^z) (z above 20), with an accurate log1p, in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Softplus<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ σ(z), in place.</summary>
        public static void Backward(ReadOnlySpan<double> z, ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Softplus<double>, double>(a, z, d, 0, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Softplus<double>, double>(false, z, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Softplus<double>, double>(true, z, y, t, d, scale, 0, l1, l2);
    }

    public static partial class Gelu
    {
        /// <summary>a = z·Φ(z) with a double-accurate Φ (see <see cref="RealMath.Erfc"/>).</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.Gelu<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ (Φ(z) + z·φ(z)), in place.</summary>
        public static void Backward(ReadOnlySpan<double> z, ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.Gelu<double>, double>(a, z, d, 0, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Gelu<double>, double>(false, z, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.Gelu<double>, double>(true, z, y, t, d, scale, 0, l1, l2);
    }

    public static partial class GeluTanh
    {
        /// <summary>a = ½z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a) => RealKernels.Forward<A.GeluTanh<double>, double>(z, a, 0);

        /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(z), in place.</summary>
        public static void Backward(ReadOnlySpan<double> z, ReadOnlySpan<double> a, Span<double> d, double l1, double l2) => RealKernels.Backward<A.GeluTanh<double>, double>(a, z, d, 0, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.GeluTanh<double>, double>(false, z, y, t, d, scale, 0, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, double scale, double l1, double l2)
            => RealKernels.OutputLoss<A.GeluTanh<double>, double>(true, z, y, t, d, scale, 0, l1, l2);
    }

    public static partial class Softmax
    {
        /// <summary>a = softmax(z) per row, in double.</summary>
        public static void Forward(ReadOnlySpan<double> z, Span<double> a, int units) => RealKernels.SoftmaxForward(z, a, units);

        /// <summary>d = J_softmax·(d + l1·sign(a) + 2·l2·a) per row, in place.</summary>
        public static void Backward(ReadOnlySpan<double> a, Span<double> d, int units, double l1, double l2) => RealKernels.SoftmaxBackward(a, d, units, l1, l2);

        /// <summary>Output layer fused with the squared error; returns Σ(y − t)².</summary>
        public static double SquaredErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, int units, double scale, double l1, double l2)
            => RealKernels.SoftmaxElementLoss(false, y, t, d, units, scale, l1, l2);

        /// <summary>Output layer fused with the absolute error; returns Σ|y − t|.</summary>
        public static double AbsoluteErrorBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> t, Span<double> d, int units, double scale, double l1, double l2)
            => RealKernels.SoftmaxElementLoss(true, y, t, d, units, scale, l1, l2);

        /// <summary>Cross-entropy from class labels, from the logits; returns Σ_rows (logsumexp(z) − z[label]).</summary>
        public static double CrossEntropyBackward(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<int> labels, Span<double> d, int units, double scale, double l1, double l2)
            => RealKernels.CrossEntropy(z, y, labels, d, units, scale, l1, l2);

        /// <summary>The arg-max class of each row (first on ties).</summary>
        public static void ArgMax(ReadOnlySpan<double> y, Span<int> classes, int units) => RealKernels.ArgMax(y, classes, units);

        /// <summary>How many rows' arg-max class equals their label.</summary>
        public static int CountCorrect(ReadOnlySpan<double> y, ReadOnlySpan<int> labels, int units) => RealKernels.CountCorrect(y, labels, units);
    }

    public static partial class Penalty
    {
        /// <summary>g[i] += l1·sign(t[i]) + 2·l2·t[i], in double.</summary>
        public static void AddGradient(ReadOnlySpan<double> t, Span<double> g, double l1, double l2) => RealKernels.AddPenalty(t, g, l1, l2);
    }

    public static partial class Statistics
    {
        /// <summary>The double counterpart of the float overload: Σ|t|, Σt², counts below ε and of zeros, dead units.</summary>
        public static TensorSums Activity(ReadOnlySpan<double> t, int units, double epsilon, Span<double> unitMaxAbs)
            => RealKernels.Activity(t, units, epsilon, unitMaxAbs);

        /// <summary>Σ|w|, Σw² and exact zeros of a double weight tensor.</summary>
        public static TensorSums Weights(ReadOnlySpan<double> w) => RealKernels.Weights(w);
    }

    public static partial class KlDivergence
    {
        /// <summary>KL sparsity in double: value β·Σ_j KL(ρ‖ρ̂_j) and the per-unit gradient term (ρ̂ telemetry as float).</summary>
        public static KlSums Compute(ReadOnlySpan<double> a, int batch, int units, double rho, double beta, bool tanhRescaled, Span<double> unitTerm)
            => RealKernels.Kl(a, batch, units, rho, beta, tanhRescaled, unitTerm);
    }

    public static partial class Sgd
    {
        /// <summary>p ← p − lr·g, in double.</summary>
        public static void Step(Span<double> p, ReadOnlySpan<double> g, double lr) => RealKernels.Sgd(p, g, lr);

        /// <summary>Proximal L1 step in double: w ← sign(v)·max(|v| − threshold, 0), v = w − lr·g.</summary>
        public static void StepSoftThreshold(Span<double> w, ReadOnlySpan<double> g, double lr, double threshold) => RealKernels.SoftThreshold(w, g, lr, threshold);
    }

    public static partial class Momentum
    {
        /// <summary>One momentum (or Nesterov) update of every parameter, in double.</summary>
        public static void Step(Span<double> p, ReadOnlySpan<double> g, Span<double> v, double lr, double momentum, bool nesterov)
            => RealKernels.Momentum(p, g, v, lr, momentum, nesterov);
    }

    public static partial class Adam
    {
        /// <summary>Adam / AdamW update number <paramref name="t"/> (≥ 1), in double.</summary>
        public static void Step(Span<double> p, ReadOnlySpan<double> g, Span<double> m, Span<double> v, double lr, double beta1, double beta2, double epsilon, double decay, long t)
            => RealKernels.Adam(p, g, m, v, lr, beta1, beta2, epsilon, decay, t);
    }

    public static partial class Init
    {
        /// <summary>
        /// The float initialization, widened: exactly the values <see cref="Dense(Span{float}, Span{float}, int, int, int)"/>
        /// gives for the same seed and layer, so a float64 model starts where its float32 twin starts.
        /// </summary>
        public static void Dense(Span<double> weight, Span<double> bias, int fanIn, int seed, int layer)
        {
            float[] w = new float[weight.Length], b = new float[bias.Length];
            Dense(w, b, fanIn, seed, layer);
            for (int i = 0; i < w.Length; i++) weight[i] = w[i];
            for (int i = 0; i < b.Length; i++) bias[i] = b[i];
        }

        /// <summary>A tied layer's bias (float64 models): the float values of <c>Bias</c>, widened.</summary>
        public static void Bias(Span<double> bias, int fanIn, int seed, int layer) => Dense(default, bias, fanIn, seed, layer);

        /// <summary>Widens a row of floats into doubles (the float64 models' <c>Fit</c> converts each batch with it).</summary>
        public static void Widen(ReadOnlySpan<float> source, Span<double> destination)
        {
            if (destination.Length < source.Length) ThrowHelper.KernelSpan(nameof(destination), source.Length, destination.Length);
            for (int i = 0; i < source.Length; i++) destination[i] = source[i];
        }
    }

    public static partial class Divergence
    {
        /// <summary>True when every element is finite.</summary>
        public static bool AllFinite(ReadOnlySpan<double> values) => values.IsEmpty || double.IsFinite(TensorPrimitives.MaxMagnitude(values));

        /// <summary>max |v| over the span (NaN if any element is NaN; 0 for an empty span).</summary>
        public static double MaxAbs(ReadOnlySpan<double> values) => values.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(values));
    }

    public static partial class ThrowHelper
    {
        /// <summary>A regularization coefficient set to a negative, NaN or infinite value.</summary>
        [DoesNotReturn]
        public static void Coefficient(string name, double value)
            => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
                "{0} must be a finite number ≥ 0; it was {1}.", name, value));

        /// <summary>A KL target set outside (0, 1).</summary>
        [DoesNotReturn]
        public static void Probability(string name, double value)
            => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
                "{0} must lie strictly between 0 and 1; it was {1}.", name, value));

        /// <summary>A setting refused by its setter (float64 models).</summary>
        [DoesNotReturn]
        public static double InvalidSetting(string name, double value, string range)
            => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
                "{0} must be {1}; it was {2}. The model is unchanged.", name, range, value));

        /// <summary>Refuses a schedule whose next rate is not a finite number ≥ 0 (float64 models).</summary>
        public static void CheckSchedule(LearningRateSchedule schedule, long updates, double baseRate)
        {
            double rate = schedule.At(updates, baseRate);
            if (!(rate >= 0) || !double.IsFinite(rate))
                throw new ArgumentOutOfRangeException("Schedule", rate, string.Format(CultureInfo.InvariantCulture,
                    "The schedule gives a learning rate of {0} for update {1} (base rate {2}); a rate must be a finite number ≥ 0. The schedule was not set.", rate, updates, baseRate));
        }

        /// <summary>A scheduled rate that is not a finite number ≥ 0 (float64 models).</summary>
        [DoesNotReturn]
        public static void ScheduledRate(long updates, double rate)
            => throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
                "The learning-rate schedule gives {0} for update {1}; a rate must be a finite number ≥ 0. The step was not taken and the parameters are unchanged.", rate, updates));

        /// <summary>An optimizer setting out of range.</summary>
        [DoesNotReturn]
        public static void Setting(string name, double value, string range)
            => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
                "{0} must be {1}; it was {2}.", name, range, value));
    }
}

namespace Compiled
{
    public static partial class Checkpoint
    {
        /// <summary>
        /// Writes <paramref name="tensors"/> of double <paramref name="parameters"/> to <paramref name="path"/> as a
        /// safetensors file with dtype F64, atomically (as the float overload).
        /// </summary>
        /// <exception cref="ArgumentException">A layout is invalid or <paramref name="metadata"/> uses a reserved key. Nothing is written.</exception>
        /// <exception cref="IOException">Writing failed; a previous file at <paramref name="path"/> is unchanged.</exception>
        public static void Save(string path, ReadOnlySpan<double> parameters, IReadOnlyList<TensorLayout> tensors,
            IReadOnlyDictionary<string, string>? metadata = null)
            => SaveFile(path, parameters, tensors, metadata, wrapStream: null);

        /// <summary>Writes double parameters to <paramref name="stream"/> as a safetensors file with dtype F64.</summary>
        /// <exception cref="ArgumentException">A layout is invalid, <paramref name="metadata"/> uses a reserved key, or the stream is not writable.</exception>
        public static void Save(Stream stream, ReadOnlySpan<double> parameters, IReadOnlyList<TensorLayout> tensors,
            IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
            int[] counts = CheckLayouts(parameters.Length, tensors);
            byte[] header = BuildHeader<double>(tensors, counts, metadata);
            Write(stream, header, parameters, tensors, counts);
            stream.Flush();
        }

        /// <summary>
        /// Reads a safetensors file into double <paramref name="parameters"/>: F64 tensors bit for bit, F32 tensors widened
        /// (exactly). Validated entirely before anything is written, as the float overload.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a valid checkpoint for <paramref name="tensors"/>; <paramref name="parameters"/> is unchanged.</exception>
        /// <exception cref="IOException">The file cannot be opened or read.</exception>
        public static void Load(string path, Span<double> parameters, IReadOnlyList<TensorLayout> tensors, CheckpointLoadOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            int[] counts = CheckLayouts(parameters.Length, tensors);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.SequentialScan);
            Load(file, parameters, tensors, counts, options ?? new CheckpointLoadOptions(), FormattableString.Invariant($"checkpoint '{path}'"));
        }

        /// <summary>Reads a safetensors file from <paramref name="stream"/> into double <paramref name="parameters"/> (F32 or F64).</summary>
        /// <exception cref="InvalidDataException">The data is not a valid checkpoint for <paramref name="tensors"/>; <paramref name="parameters"/> is unchanged.</exception>
        public static void Load(Stream stream, Span<double> parameters, IReadOnlyList<TensorLayout> tensors, CheckpointLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
            int[] counts = CheckLayouts(parameters.Length, tensors);
            Load(stream, parameters, tensors, counts, options ?? new CheckpointLoadOptions(), "checkpoint");
        }
    }
}
