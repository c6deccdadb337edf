using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// An activation's derivative. Most are written in terms of the output a = f(z), so backward needs no z; those that
/// cannot be (<see cref="UsesZ"/>: softplus, GELU) read the pre-activation, which the generated code then keeps.
/// <c>p</c> is the activation's parameter (α of LeakyReLU and ELU), ignored by the others.
/// </summary>
internal interface IActivationOp
{
    static abstract bool UsesZ { get; }
    static abstract float Derivative(float a, float z, float p);
    static abstract TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>;
}

internal readonly struct LinearOp : IActivationOp
{
    public static bool UsesZ => false;
    public static float Derivative(float a, float z, float p) => 1f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV> => TS.Splat(1f);
}

internal readonly struct TanhOp : IActivationOp
{
    public static bool UsesZ => false;
    public static float Derivative(float a, float z, float p) => 1f - a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV> => TS.Subtract(TS.Splat(1f), TS.Multiply(a, a));
}

internal readonly struct SigmoidOp : IActivationOp
{
    public static bool UsesZ => false;
    public static float Derivative(float a, float z, float p) => a * (1f - a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV> => TS.Multiply(a, TS.Subtract(TS.Splat(1f), a));
}

internal readonly struct ReluOp : IActivationOp
{
    public static bool UsesZ => false;
    // relu'(0) = 0, as in PyTorch and TensorFlow; a > 0 exactly when z > 0.
    public static float Derivative(float a, float z, float p) => a > 0 ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV> => TS.Positive(a);
}

internal readonly struct LeakyReluOp : IActivationOp
{
    public static bool UsesZ => false;
    // 1 for z > 0, else α (PyTorch: α at z = 0 too). With α ≥ 0, a > 0 exactly when z > 0.
    public static float Derivative(float a, float z, float p) => a > 0 ? 1f : p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Zero, a), TS.Splat(1f), p);
}

internal readonly struct EluOp : IActivationOp
{
    public static bool UsesZ => false;
    // 1 for z > 0, else α·e^z = a + α (PyTorch: α at z = 0). With α > 0, a > 0 exactly when z > 0.
    public static float Derivative(float a, float z, float p) => a > 0 ? 1f : a + p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Zero, a), TS.Splat(1f), TS.Add(a, p));
}

internal readonly struct SeluOp : IActivationOp
{
    public static bool UsesZ => false;
    // λ for z > 0, else λα·e^z = a + λα (PyTorch: λα at z = 0). a > 0 exactly when z > 0.
    public static float Derivative(float a, float z, float p) => a > 0 ? SeluFunction.Lambda : a + SeluFunction.LambdaAlpha;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Zero, a), TS.Splat(SeluFunction.Lambda), TS.Add(a, TS.Splat(SeluFunction.LambdaAlpha)));
}

internal readonly struct SoftplusOp : IActivationOp
{
    public static bool UsesZ => true;
    // σ(z), and exactly 1 above PyTorch's threshold 20 (where softplus(z) = z).
    public static float Derivative(float a, float z, float p) => z > SoftplusFunction.Threshold ? 1f : 1f / (1f + MathF.Exp(-z));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>
        => TS.Select(TS.LessThanMask(TS.Splat(SoftplusFunction.Threshold), z), TS.Splat(1f), SigmoidFunction.Invoke<TV, TS>(z));
}

internal readonly struct GeluOp : IActivationOp
{
    public static bool UsesZ => true;
    // d/dz z·Φ(z) = Φ(z) + z·φ(z).
    public static float Derivative(float a, float z, float p)
        => (float)(GeluFunction.Phi(z) + z * Math.Exp(-0.5 * z * z) * GeluFunction.InvSqrt2Pi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>
    {
        TV density = TS.Multiply(TS.Splat((float)GeluFunction.InvSqrt2Pi), TS.Exp(TS.Multiply(TS.Splat(-0.5f), TS.Multiply(z, z))));
        return TS.MultiplyAdd(z, density, GeluFunction.Phi<TV, TS>(z));
    }
}

internal readonly struct GeluTanhOp : IActivationOp
{
    public static bool UsesZ => true;
    // PyTorch's formula: ½(1 + t) + ½z·(1 − t²)·k·(1 + 3c·z²), t = tanh(k(z + c·z³)).
    public static float Derivative(float a, float z, float p)
    {
        double t = Math.Tanh(GeluTanhFunction.K * (z + GeluTanhFunction.C * z * z * z));
        return (float)(0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GeluTanhFunction.K * (1 + 3 * GeluTanhFunction.C * z * z));
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a, TV z, TV p) where TV : struct where TS : ISimd<TV>
    {
        TV z2 = TS.Multiply(z, z);
        TV t = TanhFunction.Invoke<TV, TS>(TS.Multiply(TS.Splat((float)GeluTanhFunction.K), TS.MultiplyAdd(TS.Multiply(TS.Splat((float)GeluTanhFunction.C), z2), z, z)));
        TV half = TS.Splat(0.5f), one = TS.Splat(1f);
        TV left = TS.Multiply(half, TS.Add(one, t));
        TV inner = TS.Multiply(TS.Splat((float)GeluTanhFunction.K), TS.MultiplyAdd(TS.Splat((float)(3 * GeluTanhFunction.C)), z2, one));
        TV right = TS.Multiply(TS.Multiply(TS.Multiply(half, z), TS.Subtract(one, TS.Multiply(t, t))), inner);
        return TS.Add(left, right);
    }
}

/// <summary>Identity activation kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Linear
{
    /// <summary>a = z (a copy unless both spans are the same memory).</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        if (!Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a)))
            z.CopyTo(a);
    }

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, float, float)"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<LinearOp>(a, default, d, 0f, l1, l2);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, int, float, float, ReadOnlySpan{float})"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<LinearOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, LinearOp>(default, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute-error loss: d = (scale·sign(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y). Returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, LinearOp>(default, y, t, d, scale, 0f, l1, l2);
}

/// <summary>Hyperbolic tangent kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Tanh
{
    /// <summary>a = tanh(z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<TanhFunction>(z, a);

    /// <summary>
    /// Fused backward through the activation with the activity penalties on its output:
    /// d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place; sign(0) = 0.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<TanhOp>(a, default, d, 0f, l1, l2);

    /// <summary>As the other overload, plus a per-unit term (KL sparsity) added to every row before the derivative.</summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<TanhOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, TanhOp>(default, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute-error loss: d = (scale·sign(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y). Returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, TanhOp>(default, y, t, d, scale, 0f, l1, l2);
}

/// <summary>Logistic sigmoid kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Sigmoid
{
    /// <summary>a = 1 / (1 + e^−z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<SigmoidFunction>(z, a);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, float, float)"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<SigmoidOp>(a, default, d, 0f, l1, l2);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, int, float, float, ReadOnlySpan{float})"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<SigmoidOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, SigmoidOp>(default, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute-error loss: d = (scale·sign(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y). Returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, SigmoidOp>(default, y, t, d, scale, 0f, l1, l2);

    /// <summary>
    /// Output-layer backward fused with binary cross-entropy computed from the logits <paramref name="z"/>
    /// (PyTorch <c>BCEWithLogitsLoss</c>): d = scale·(y − t) + (l1·sign(y) + 2·l2·y)·y(1 − y). Returns the summed loss.
    /// </summary>
    public static double BinaryCrossEntropyBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => BinaryCrossEntropy.Backward(z, y, t, d, scale, l1, l2);
}

/// <summary>Rectified linear unit kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Relu
{
    /// <summary>a = max(0, z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Max(z, 0f, a);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, float, float)"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<ReluOp>(a, default, d, 0f, l1, l2);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, int, float, float, ReadOnlySpan{float})"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<ReluOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, ReluOp>(default, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute-error loss: d = (scale·sign(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y). Returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, ReluOp>(default, y, t, d, scale, 0f, l1, l2);
}

/// <summary>Leaky ReLU kernels: z for z &gt; 0, else α·z.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class LeakyRelu
{
    /// <summary>a = f(z) with the negative slope α; <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a, float alpha) => UnaryKernel.Run<LeakyReluFunction>(z, a, alpha);

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place; the derivative is read from the output (α ≥ 0 / α &gt; 0).</summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float alpha, float l1, float l2) => ActivationBackward.Run<LeakyReluOp>(a, default, d, alpha, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float alpha, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, LeakyReluOp>(default, y, t, d, scale, alpha, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float alpha, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, LeakyReluOp>(default, y, t, d, scale, alpha, l1, l2);
}

/// <summary>ELU kernels: z for z &gt; 0, else α·(e^z − 1).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Elu
{
    /// <summary>a = f(z) with the scale α of the negative part; <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a, float alpha) => UnaryKernel.Run<EluFunction>(z, a, alpha);

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place; the derivative is read from the output (α ≥ 0 / α &gt; 0).</summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float alpha, float l1, float l2) => ActivationBackward.Run<EluOp>(a, default, d, alpha, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float alpha, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, EluOp>(default, y, t, d, scale, alpha, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float alpha, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, EluOp>(default, y, t, d, scale, alpha, l1, l2);
}

/// <summary>SELU kernels: λ·z for z &gt; 0, else λα·(e^z − 1) (PyTorch <c>nn.SELU</c>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Selu
{
    /// <summary>a = f(z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<SeluFunction>(z, a);

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place; the derivative is read from the output.</summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<SeluOp>(a, default, d, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, SeluOp>(default, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, SeluOp>(default, y, t, d, scale, 0f, l1, l2);
}

/// <summary>Softplus kernels: log(1 + e^z), PyTorch threshold 20.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Softplus
{
    /// <summary>a = f(z); <paramref name="z"/> is kept by the generated code because the derivative needs it.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<SoftplusFunction>(z, a);

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(z), in place.</summary>
    public static void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<SoftplusOp>(a, z, d, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, SoftplusOp>(z, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, SoftplusOp>(z, y, t, d, scale, 0f, l1, l2);
}

/// <summary>Exact GELU kernels: z·Φ(z).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Gelu
{
    /// <summary>a = f(z); <paramref name="z"/> is kept by the generated code because the derivative needs it.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<GeluFunction>(z, a);

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(z), in place.</summary>
    public static void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<GeluOp>(a, z, d, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, GeluOp>(z, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, GeluOp>(z, y, t, d, scale, 0f, l1, l2);
}

/// <summary>GELU kernels, tanh approximation.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class GeluTanh
{
    /// <summary>a = f(z); <paramref name="z"/> is kept by the generated code because the derivative needs it.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<GeluTanhFunction>(z, a);

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(z), in place.</summary>
    public static void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<GeluTanhOp>(a, z, d, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<SquaredErrorOp, GeluTanhOp>(z, y, t, d, scale, 0f, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => OutputLoss.Backward<AbsoluteErrorOp, GeluTanhOp>(z, y, t, d, scale, 0f, l1, l2);
}

/// <summary>Softmax output kernels (over each row of [batch, units]).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Softmax
{
    /// <summary>a = softmax(z) per row, shifted by the row maximum; <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a, int units) => SoftmaxRows.Forward(z, a, units);

    /// <summary>d = J_softmax · (d + l1·sign(a) + 2·l2·a) per row, in place.</summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2) => SoftmaxRows.Backward(a, d, units, l1, l2);

    /// <summary>Output-layer backward fused with the squared error; returns Σ(y − t)².</summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, int units, float scale, float l1, float l2)
        => SoftmaxRows.ElementLossBackward<SquaredErrorOp>(y, t, d, units, scale, l1, l2);

    /// <summary>Output-layer backward fused with the absolute error; returns Σ|y − t|.</summary>
    public static double AbsoluteErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, int units, float scale, float l1, float l2)
        => SoftmaxRows.ElementLossBackward<AbsoluteErrorOp>(y, t, d, units, scale, l1, l2);

    /// <summary>Cross-entropy from class labels, computed from the logits: d = scale·(y − onehot) + J·penalties; returns Σ_rows (logsumexp(z) − z[label]).</summary>
    public static double CrossEntropyBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<int> labels, Span<float> d, int units, float scale, float l1, float l2)
        => SoftmaxRows.CrossEntropyBackward(z, y, labels, d, units, scale, l1, l2);

    /// <summary>The arg-max class of each row (first on ties).</summary>
    public static void ArgMax(ReadOnlySpan<float> y, Span<int> classes, int units) => SoftmaxRows.ArgMax(y, classes, units);

    /// <summary>How many rows' arg-max class equals their label.</summary>
    public static int CountCorrect(ReadOnlySpan<float> y, ReadOnlySpan<int> labels, int units) => SoftmaxRows.CountCorrect(y, labels, units);
}
