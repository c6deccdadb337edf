using System;
using System.ComponentModel;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Compiled.Kernels;

/// <summary>f′ and f″ of an activation, from its output a (or its pre-activation z): what the contractive penalties need.</summary>
internal interface ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract void Derivatives(T a, T z, T p, out T first, out T second);
}

/// <summary>The activations with f′ and f″ in closed form (GELU and softmax have no contractive penalty).</summary>
internal static class Curvatures
{
    public readonly struct Linear<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Derivatives(T a, T z, T p, out T first, out T second) { first = T.One; second = T.Zero; }
    }

    public readonly struct Tanh<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // f′ = 1 − a², f″ = −2a·f′.
        public static void Derivatives(T a, T z, T p, out T first, out T second) { first = T.One - a * a; second = -(a + a) * first; }
    }

    public readonly struct Sigmoid<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // f′ = a(1 − a), f″ = f′(1 − 2a).
        public static void Derivatives(T a, T z, T p, out T first, out T second) { first = a * (T.One - a); second = first * (T.One - (a + a)); }
    }

    public readonly struct Relu<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Derivatives(T a, T z, T p, out T first, out T second) { first = a > T.Zero ? T.One : T.Zero; second = T.Zero; }
    }

    public readonly struct LeakyRelu<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Derivatives(T a, T z, T p, out T first, out T second) { first = a > T.Zero ? T.One : p; second = T.Zero; }
    }

    public readonly struct Elu<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Below 0: f′ = f″ = α·e^z = a + α.
        public static void Derivatives(T a, T z, T p, out T first, out T second)
        {
            if (a > T.Zero) { first = T.One; second = T.Zero; }
            else { first = a + p; second = first; }
        }
    }

    public readonly struct Selu<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Below 0: f′ = f″ = λα·e^z = a + λα.
        public static void Derivatives(T a, T z, T p, out T first, out T second)
        {
            if (a > T.Zero) { first = RealMath.Of<T>(RealActivations.Selu<T>.Lambda); second = T.Zero; }
            else { first = a + RealMath.Of<T>(RealActivations.Selu<T>.Lambda * RealActivations.Selu<T>.Alpha); second = first; }
        }
    }

    public readonly struct Softplus<T> : ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // f′ = σ(z) (1 above PyTorch's threshold 20, where softplus is the identity), f″ = σ(1 − σ) (0 there).
        public static void Derivatives(T a, T z, T p, out T first, out T second)
        {
            if (z > RealMath.Of<T>(RealActivations.Softplus<T>.Threshold)) { first = T.One; second = T.Zero; return; }
            first = T.One / (T.One + T.Exp(-z));
            second = first * (T.One - first);
        }
    }
}

/// <summary>
/// The penalties that are not sums of norms: the contractive penalties (Rifai et al. 2011, and theanets' variant) and
/// Keras' orthogonal regularizer, each as a value and its exact gradient. Every entry takes the layer's activation as the
/// public <see cref="Activation"/> enum (one switch per call, none per element). See docs/regularizers.md.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Structural
{
    // ---- Rifai: λ·(1/B)·Σ_b Σ_j (h′_bj)²·Σ_i W_ji² ---------------------------------------------------------------------

    /// <summary>
    /// Σ_b Σ_j (h′_bj)²·c_j with c_j = Σ_i W_ji² (the penalty before λ/B), keeping s_j = Σ_b (h′_bj)² in
    /// <paramref name="unitSquares"/> and c_j in <paramref name="rowSquares"/> for the gradients.
    /// </summary>
    public static double RifaiValue(Activation activation, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> z, int units, ReadOnlySpan<float> w, int inputs, Span<float> unitSquares, Span<float> rowSquares)
        => RifaiValue<float>(activation, alpha, a, z, units, w, inputs, unitSquares, rowSquares);

    /// <summary>δ_z += coefficient·2·h′·h″·c_j: the penalty's gradient through the activation (after the derivative pass).</summary>
    public static void RifaiDelta(Activation activation, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> z, Span<float> d, int units, ReadOnlySpan<float> rowSquares, float coefficient)
        => RifaiDelta<float>(activation, alpha, a, z, d, units, rowSquares, coefficient);

    /// <summary>∂/∂W_ji += coefficient·2·s_j·W_ji (after the weight gradient was written).</summary>
    public static void RifaiWeights(ReadOnlySpan<float> w, Span<float> g, int units, int inputs, ReadOnlySpan<float> unitSquares, float coefficient)
        => RifaiWeights<float>(w, g, units, inputs, unitSquares, coefficient);

    /// <summary>The penalty before λ/B (float64 models).</summary>
    public static double RifaiValue(Activation activation, double alpha, ReadOnlySpan<double> a, ReadOnlySpan<double> z, int units, ReadOnlySpan<double> w, int inputs, Span<double> unitSquares, Span<double> rowSquares)
        => RifaiValue<double>(activation, alpha, a, z, units, w, inputs, unitSquares, rowSquares);

    /// <summary>The gradient through the activation (float64 models).</summary>
    public static void RifaiDelta(Activation activation, double alpha, ReadOnlySpan<double> a, ReadOnlySpan<double> z, Span<double> d, int units, ReadOnlySpan<double> rowSquares, double coefficient)
        => RifaiDelta<double>(activation, alpha, a, z, d, units, rowSquares, coefficient);

    /// <summary>The weight gradient (float64 models).</summary>
    public static void RifaiWeights(ReadOnlySpan<double> w, Span<double> g, int units, int inputs, ReadOnlySpan<double> unitSquares, double coefficient)
        => RifaiWeights<double>(w, g, units, inputs, unitSquares, coefficient);

    internal static double RifaiValue<T>(Activation activation, T alpha, ReadOnlySpan<T> a, ReadOnlySpan<T> z, int units, ReadOnlySpan<T> w, int inputs, Span<T> unitSquares, Span<T> rowSquares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(unitSquares.Length, units, nameof(unitSquares)); Check(rowSquares.Length, units, nameof(rowSquares)); Check(w.Length, (long)units * inputs, nameof(w));
        for (int j = 0; j < units; j++) rowSquares[j] = TensorPrimitives.SumOfSquares(w.Slice(j * inputs, inputs));
        unitSquares.Slice(0, units).Clear();
        switch (activation)
        {
            case Activation.Linear: SumFirstSquares<Curvatures.Linear<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.Tanh: SumFirstSquares<Curvatures.Tanh<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.Sigmoid: SumFirstSquares<Curvatures.Sigmoid<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.Relu: SumFirstSquares<Curvatures.Relu<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.LeakyRelu: SumFirstSquares<Curvatures.LeakyRelu<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.Elu: SumFirstSquares<Curvatures.Elu<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.Selu: SumFirstSquares<Curvatures.Selu<T>, T>(a, z, alpha, units, unitSquares); break;
            case Activation.Softplus: SumFirstSquares<Curvatures.Softplus<T>, T>(a, z, alpha, units, unitSquares); break;
            default: throw Unsupported(activation);
        }
        double value = 0;
        for (int j = 0; j < units; j++) value += double.CreateTruncating(unitSquares[j]) * double.CreateTruncating(rowSquares[j]);
        return value;
    }

    private static void SumFirstSquares<TC, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> z, T alpha, int units, Span<T> sums)
        where TC : struct, ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < a.Length; i++)
        {
            TC.Derivatives(a[i], z.IsEmpty ? a[i] : z[i], alpha, out T first, out _);
            sums[i % units] += first * first;
        }
    }

    internal static void RifaiDelta<T>(Activation activation, T alpha, ReadOnlySpan<T> a, ReadOnlySpan<T> z, Span<T> d, int units, ReadOnlySpan<T> rowSquares, T coefficient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, d.Length, nameof(a)); Check(rowSquares.Length, units, nameof(rowSquares));
        switch (activation)
        {
            case Activation.Linear: case Activation.Relu: case Activation.LeakyRelu: return; // f″ = 0 (almost everywhere)
            case Activation.Tanh: AddCurvatureDelta<Curvatures.Tanh<T>, T>(a, z, alpha, d, units, rowSquares, coefficient); break;
            case Activation.Sigmoid: AddCurvatureDelta<Curvatures.Sigmoid<T>, T>(a, z, alpha, d, units, rowSquares, coefficient); break;
            case Activation.Elu: AddCurvatureDelta<Curvatures.Elu<T>, T>(a, z, alpha, d, units, rowSquares, coefficient); break;
            case Activation.Selu: AddCurvatureDelta<Curvatures.Selu<T>, T>(a, z, alpha, d, units, rowSquares, coefficient); break;
            case Activation.Softplus: AddCurvatureDelta<Curvatures.Softplus<T>, T>(a, z, alpha, d, units, rowSquares, coefficient); break;
            default: throw Unsupported(activation);
        }
    }

    /// <summary>d += coefficient·2·f′·f″·perUnit[j].</summary>
    private static void AddCurvatureDelta<TC, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> z, T alpha, Span<T> d, int units, ReadOnlySpan<T> perUnit, T coefficient)
        where TC : struct, ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = coefficient + coefficient;
        for (int i = 0; i < d.Length; i++)
        {
            TC.Derivatives(a[i], z.IsEmpty ? a[i] : z[i], alpha, out T first, out T second);
            d[i] += two * first * second * perUnit[i % units];
        }
    }

    internal static void RifaiWeights<T>(ReadOnlySpan<T> w, Span<T> g, int units, int inputs, ReadOnlySpan<T> unitSquares, T coefficient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(w.Length, (long)units * inputs, nameof(w)); Check(g.Length, (long)units * inputs, nameof(g)); Check(unitSquares.Length, units, nameof(unitSquares));
        for (int j = 0; j < units; j++)
        {
            T s = (coefficient + coefficient) * unitSquares[j];
            TensorPrimitives.MultiplyAdd(w.Slice(j * inputs, inputs), s, g.Slice(j * inputs, inputs), g.Slice(j * inputs, inputs));
        }
    }

    // ---- theanets: mean((∂ mean(h) / ∂x)²), h = f(x·Wᵀ + b) of the first layer --------------------------------------

    /// <summary>
    /// The penalty mean((∂ mean(h)/∂x)²) over batch × inputs, before λ: J = (1/(B·U))·H′·W, kept with H′ for the gradient.
    /// </summary>
    public static double TheanetsValue(Activation activation, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> z, int batch, int units, ReadOnlySpan<float> w, int inputs,
        Span<float> firstDerivatives, Span<float> jacobian, WorkerPool? pool = null)
    {
        FirstDerivatives(activation, alpha, a, z, firstDerivatives.Slice(0, batch * units));
        Gemm.XW(batch, units, inputs, firstDerivatives.Slice(0, batch * units), w, jacobian.Slice(0, batch * inputs), pool);
        return TheanetsFinish<float>(jacobian.Slice(0, batch * inputs), batch, units, inputs);
    }

    /// <summary>
    /// The gradient of λ·penalty through the activation: δ_z += (G·Wᵀ)/(B·U) ⊙ f″ with G = λ·(2/(B·I))·J, written over the
    /// Jacobian already divided by B·U, where <c>TheanetsWeights</c> then reads it. <paramref name="rows"/> [B·U] is scratch.
    /// </summary>
    public static void TheanetsBackward(Activation activation, float alpha, ReadOnlySpan<float> a, ReadOnlySpan<float> z, Span<float> d, int batch, int units, ReadOnlySpan<float> w, int inputs,
        ReadOnlySpan<float> firstDerivatives, Span<float> jacobian, Span<float> rows, float coefficient, WorkerPool? pool = null)
    {
        Span<float> g = jacobian.Slice(0, batch * inputs);
        // G/(B·U): the one scale both uses of G need.
        TensorPrimitives.Multiply(g, (float)(coefficient * 2.0 / ((double)batch * inputs) / ((double)batch * units)), g);
        Gemm.XWt(batch, units, inputs, g, w, Zeros<float>(units), rows.Slice(0, batch * units), pool);
        AddSecond(activation, alpha, a, z, d.Slice(0, batch * units), units, rows);
    }

    /// <summary>The weight gradient's share of the theanets penalty, added: ∂/∂W += H′ᵀ·G/(B·U) (after <c>TheanetsBackward</c>).</summary>
    public static void TheanetsWeights(int batch, int units, int inputs, ReadOnlySpan<float> firstDerivatives, ReadOnlySpan<float> jacobian, Span<float> weightGradient, Span<float> scratch, WorkerPool? pool = null)
        => Gemm.DtXAdd(batch, units, inputs, firstDerivatives.Slice(0, batch * units), jacobian.Slice(0, batch * inputs), weightGradient, scratch, pool);

    /// <summary>The penalty before λ (float64 models).</summary>
    public static double TheanetsValue(Activation activation, double alpha, ReadOnlySpan<double> a, ReadOnlySpan<double> z, int batch, int units, ReadOnlySpan<double> w, int inputs,
        Span<double> firstDerivatives, Span<double> jacobian, WorkerPool? pool = null)
    {
        FirstDerivatives(activation, alpha, a, z, firstDerivatives.Slice(0, batch * units));
        RealKernels.XW(batch, units, inputs, firstDerivatives.Slice(0, batch * units), w, jacobian.Slice(0, batch * inputs));
        return TheanetsFinish<double>(jacobian.Slice(0, batch * inputs), batch, units, inputs);
    }

    /// <summary>The gradient through the activation (float64 models).</summary>
    public static void TheanetsBackward(Activation activation, double alpha, ReadOnlySpan<double> a, ReadOnlySpan<double> z, Span<double> d, int batch, int units, ReadOnlySpan<double> w, int inputs,
        ReadOnlySpan<double> firstDerivatives, Span<double> jacobian, Span<double> rows, double coefficient, WorkerPool? pool = null)
    {
        Span<double> g = jacobian.Slice(0, batch * inputs);
        TensorPrimitives.Multiply(g, coefficient * 2.0 / ((double)batch * inputs) / ((double)batch * units), g);
        RealKernels.XWt(batch, units, inputs, g, w, Zeros<double>(units), rows.Slice(0, batch * units));
        AddSecond(activation, alpha, a, z, d.Slice(0, batch * units), units, rows);
    }

    /// <summary>The weight gradient's share (float64 models).</summary>
    public static void TheanetsWeights(int batch, int units, int inputs, ReadOnlySpan<double> firstDerivatives, ReadOnlySpan<double> jacobian, Span<double> weightGradient, Span<double> scratch, WorkerPool? pool = null)
        => Gemm.DtXAdd(batch, units, inputs, firstDerivatives.Slice(0, batch * units), jacobian.Slice(0, batch * inputs), weightGradient, scratch);

    private static double TheanetsFinish<T>(Span<T> jacobian, int batch, int units, int inputs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // J = H′·W/(B·U); the penalty is Σ J² / (B·I).
        T c = T.One / T.CreateTruncating((double)batch * units);
        TensorPrimitives.Multiply(jacobian, c, jacobian);
        return double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(jacobian)) / ((double)batch * inputs);
    }

    private static void FirstDerivatives<T>(Activation activation, T alpha, ReadOnlySpan<T> a, ReadOnlySpan<T> z, Span<T> first) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, first.Length, nameof(a));
        switch (activation)
        {
            case Activation.Linear: First<Curvatures.Linear<T>, T>(a, z, alpha, first); break;
            case Activation.Tanh: First<Curvatures.Tanh<T>, T>(a, z, alpha, first); break;
            case Activation.Sigmoid: First<Curvatures.Sigmoid<T>, T>(a, z, alpha, first); break;
            case Activation.Relu: First<Curvatures.Relu<T>, T>(a, z, alpha, first); break;
            case Activation.LeakyRelu: First<Curvatures.LeakyRelu<T>, T>(a, z, alpha, first); break;
            case Activation.Elu: First<Curvatures.Elu<T>, T>(a, z, alpha, first); break;
            case Activation.Selu: First<Curvatures.Selu<T>, T>(a, z, alpha, first); break;
            case Activation.Softplus: First<Curvatures.Softplus<T>, T>(a, z, alpha, first); break;
            default: throw Unsupported(activation);
        }
    }

    private static void First<TC, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> z, T alpha, Span<T> first) where TC : struct, ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < first.Length; i++)
        {
            TC.Derivatives(a[i], z.IsEmpty ? a[i] : z[i], alpha, out T f, out _);
            first[i] = f;
        }
    }

    /// <summary>d += rows ⊙ f″ (rows already hold the upstream gradient with respect to f′).</summary>
    private static void AddSecond<T>(Activation activation, T alpha, ReadOnlySpan<T> a, ReadOnlySpan<T> z, Span<T> d, int units, ReadOnlySpan<T> rows) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Linear: case Activation.Relu: case Activation.LeakyRelu: return;
            case Activation.Tanh: Second<Curvatures.Tanh<T>, T>(a, z, alpha, d, rows); break;
            case Activation.Sigmoid: Second<Curvatures.Sigmoid<T>, T>(a, z, alpha, d, rows); break;
            case Activation.Elu: Second<Curvatures.Elu<T>, T>(a, z, alpha, d, rows); break;
            case Activation.Selu: Second<Curvatures.Selu<T>, T>(a, z, alpha, d, rows); break;
            case Activation.Softplus: Second<Curvatures.Softplus<T>, T>(a, z, alpha, d, rows); break;
            default: throw Unsupported(activation);
        }
    }

    private static void Second<TC, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> z, T alpha, Span<T> d, ReadOnlySpan<T> rows) where TC : struct, ICurvature<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < d.Length; i++)
        {
            TC.Derivatives(a[i], z.IsEmpty ? a[i] : z[i], alpha, out _, out T second);
            d[i] += rows[i] * second;
        }
    }

    // ---- Keras OrthogonalRegularizer ----------------------------------------------------------------------------------

    /// <summary>
    /// Σ_{j≠k} |v̂_j·v̂_k| / (n(n − 1)) over the n vectors of W (its rows when <paramref name="perUnit"/>, else its columns),
    /// each normalized by √max(‖v‖², 10⁻¹²) as tf.keras' l2_normalize does: the penalty before its factor (Keras'
    /// 0.5·Σ|P| / (n(n − 1)/2)). With a non-empty <paramref name="gradient"/> [units·inputs], also writes
    /// coefficient·∂penalty/∂W there. Scratch: <paramref name="normalized"/> and <paramref name="temp"/> [n·d] (temp only
    /// for the gradient), <paramref name="gram"/> [n·n], <paramref name="norms"/> [n].
    /// </summary>
    public static double Orthogonal(ReadOnlySpan<float> w, int units, int inputs, bool perUnit, Span<float> normalized, Span<float> gram, Span<float> norms, Span<float> temp,
        Span<float> gradient, float coefficient, WorkerPool? pool = null)
        => Orthogonal<float>(w, units, inputs, perUnit, normalized, gram, norms, temp, gradient, coefficient, pool);

    /// <summary>The orthogonal penalty (float64 models); see the float overload.</summary>
    public static double Orthogonal(ReadOnlySpan<double> w, int units, int inputs, bool perUnit, Span<double> normalized, Span<double> gram, Span<double> norms, Span<double> temp,
        Span<double> gradient, double coefficient, WorkerPool? pool = null)
        => Orthogonal<double>(w, units, inputs, perUnit, normalized, gram, norms, temp, gradient, coefficient, pool);

    private const double NormFloor = 1e-12;

    internal static double Orthogonal<T>(ReadOnlySpan<T> w, int units, int inputs, bool perUnit, Span<T> normalized, Span<T> gram, Span<T> norms, Span<T> temp,
        Span<T> gradient, T coefficient, WorkerPool? pool)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = perUnit ? units : inputs, d = perUnit ? inputs : units;
        Check(w.Length, (long)units * inputs, nameof(w)); Check(normalized.Length, (long)n * d, nameof(normalized));
        Check(gram.Length, (long)n * n, nameof(gram)); Check(norms.Length, n, nameof(norms));
        Span<T> v = normalized.Slice(0, n * d), p = gram.Slice(0, n * n);
        // The vectors, one per row of v, normalized.
        if (perUnit) w.Slice(0, n * d).CopyTo(v);
        else
            for (int j = 0; j < units; j++)
                for (int i = 0; i < inputs; i++) v[i * units + j] = w[j * inputs + i];
        for (int j = 0; j < n; j++)
        {
            Span<T> row = v.Slice(j * d, d);
            T r = T.Sqrt(T.Max(TensorPrimitives.SumOfSquares<T>(row), T.CreateTruncating(NormFloor)));
            norms[j] = r;
            TensorPrimitives.Divide(row, r, row);
        }
        Gram(n, d, v, p, pool);
        double sum = 0;
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++)
                if (j != k) sum += double.CreateTruncating(T.Abs(p[j * n + k]));
        double value = sum / ((double)n * (n - 1));
        if (gradient.IsEmpty) return value;

        // ∂/∂v̂_j = (2/(n(n − 1)))·Σ_{k≠j} sign(p_jk)·v̂_k; then through the normalization: (g − (g·v̂)v̂)/r.
        Check(temp.Length, (long)n * d, nameof(temp)); Check(gradient.Length, (long)units * inputs, nameof(gradient));
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++) p[j * n + k] = j == k ? T.Zero : RealMath.Sign(p[j * n + k]);
        Span<T> gh = temp.Slice(0, n * d);
        Product(n, n, d, p, v, gh, pool);
        T scale = coefficient * T.CreateTruncating(2.0 / ((double)n * (n - 1)));
        for (int j = 0; j < n; j++)
        {
            Span<T> gj = gh.Slice(j * d, d);
            ReadOnlySpan<T> vj = v.Slice(j * d, d);
            TensorPrimitives.Multiply(gj, scale, gj);
            T along = TensorPrimitives.Dot<T>(gj, vj);
            TensorPrimitives.MultiplyAdd(vj, -along, gj, gj);
            TensorPrimitives.Divide(gj, norms[j], gj);
        }
        if (perUnit) gh.CopyTo(gradient);
        else
            for (int j = 0; j < units; j++)
                for (int i = 0; i < inputs; i++) gradient[j * inputs + i] = gh[i * units + j];
        return value;
    }

    /// <summary>P = V·Vᵀ [n, n] for V [n, d].</summary>
    private static void Gram<T>(int n, int d, ReadOnlySpan<T> v, Span<T> p, WorkerPool? pool) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Gemm.XWt(n, n, d, MemoryMarshal.Cast<T, float>(v), MemoryMarshal.Cast<T, float>(v), Zeros<float>(n), MemoryMarshal.Cast<T, float>(p), pool);
        else
            RealKernels.XWt(n, n, d, v, v, Zeros<T>(n), p);
    }

    /// <summary>Y [m, k] = S [m, n]·V [n, k].</summary>
    private static void Product<T>(int m, int n, int k, ReadOnlySpan<T> s, ReadOnlySpan<T> v, Span<T> y, WorkerPool? pool) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            Gemm.XW(m, n, k, MemoryMarshal.Cast<T, float>(s), MemoryMarshal.Cast<T, float>(v), MemoryMarshal.Cast<T, float>(y), pool);
        else
            RealKernels.XW(m, n, k, s, v, y);
    }

    /// <summary>target += source: a penalty's gradient, computed with its value, added to the gradient block.</summary>
    public static void AddTo(ReadOnlySpan<float> source, Span<float> target) => TensorPrimitives.Add(target.Slice(0, source.Length), source, target);

    /// <summary>target += source (float64 models).</summary>
    public static void AddTo(ReadOnlySpan<double> source, Span<double> target) => TensorPrimitives.Add(target.Slice(0, source.Length), source, target);

    // ---- Helpers --------------------------------------------------------------------------------------------------

    private static class ZeroBuffer<T> where T : unmanaged
    {
        public static T[] Values = [];
    }

    /// <summary>n zeros (a bias for the products that have none), from a buffer that only ever grows.</summary>
    internal static ReadOnlySpan<T> Zeros<T>(int n) where T : unmanaged
    {
        T[] z = Volatile.Read(ref ZeroBuffer<T>.Values);
        if (z.Length < n) Volatile.Write(ref ZeroBuffer<T>.Values, z = new T[Math.Max(n, 2 * z.Length)]);
        return z.AsSpan(0, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int actual, long expected, string name)
    {
        if (actual < expected) ThrowHelper.KernelSpan(name, expected, actual);
    }

    private static NotSupportedException Unsupported(Activation activation)
        => new("The contractive penalty needs f′ and f″ in closed form; " + activation + " has none here (the generator refuses it at compile time).");
}
