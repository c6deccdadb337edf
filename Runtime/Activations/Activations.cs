using System;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>An activation's derivative written in terms of its output a = f(z), so backward never needs z.</summary>
internal interface IActivationOp
{
    static abstract float Derivative(float a);
    static abstract TV Derivative<TV, TS>(TV a) where TV : struct where TS : ISimd<TV>;
}

internal readonly struct LinearOp : IActivationOp
{
    public static float Derivative(float a) => 1f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a) where TV : struct where TS : ISimd<TV> => TS.Splat(1f);
}

internal readonly struct TanhOp : IActivationOp
{
    public static float Derivative(float a) => 1f - a * a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a) where TV : struct where TS : ISimd<TV> => TS.Subtract(TS.Splat(1f), TS.Multiply(a, a));
}

internal readonly struct SigmoidOp : IActivationOp
{
    public static float Derivative(float a) => a * (1f - a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a) where TV : struct where TS : ISimd<TV> => TS.Multiply(a, TS.Subtract(TS.Splat(1f), a));
}

internal readonly struct ReluOp : IActivationOp
{
    // relu'(0) = 0, as in PyTorch and TensorFlow; a > 0 exactly when z > 0.
    public static float Derivative(float a) => a > 0 ? 1f : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Derivative<TV, TS>(TV a) where TV : struct where TS : ISimd<TV> => TS.Positive(a);
}

/// <summary>Identity activation kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Linear
{
    /// <summary>a = z (a copy unless both spans are the same memory).</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        if (!Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(z), ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a)))
            z.CopyTo(a);
    }

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, float, float)"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<LinearOp>(a, d, l1, l2);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, int, float, float, ReadOnlySpan{float})"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<LinearOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => SquaredError.Backward<LinearOp>(y, t, d, scale, l1, l2);
}

/// <summary>Hyperbolic tangent kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Tanh
{
    /// <summary>a = tanh(z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<TanhFunction>(z, a);

    /// <summary>
    /// Fused backward through the activation with the activity penalties on its output:
    /// d = (d + l1·sign(a) + 2·l2·a) ⊙ f'(a), in place; sign(0) = 0.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<TanhOp>(a, d, l1, l2);

    /// <summary>As the other overload, plus a per-unit term (KL sparsity) added to every row before the derivative.</summary>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<TanhOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => SquaredError.Backward<TanhOp>(y, t, d, scale, l1, l2);
}

/// <summary>Logistic sigmoid kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Sigmoid
{
    /// <summary>a = 1 / (1 + e^−z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => UnaryKernel.Run<SigmoidFunction>(z, a);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, float, float)"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<SigmoidOp>(a, d, l1, l2);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, int, float, float, ReadOnlySpan{float})"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<SigmoidOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => SquaredError.Backward<SigmoidOp>(y, t, d, scale, l1, l2);
}

/// <summary>Rectified linear unit kernels.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Relu
{
    /// <summary>a = max(0, z); <paramref name="z"/> and <paramref name="a"/> may be the same memory.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Max(z, 0f, a);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, float, float)"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, float l1, float l2) => ActivationBackward.Run<ReluOp>(a, d, l1, l2);

    /// <inheritdoc cref="Tanh.Backward(ReadOnlySpan{float}, Span{float}, int, float, float, ReadOnlySpan{float})"/>
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2, ReadOnlySpan<float> unitTerm)
        => ActivationBackward.Run<ReluOp>(a, d, units, l1, l2, unitTerm);

    /// <summary>
    /// Output-layer backward fused with the squared-error loss: d = (scale·(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y).
    /// Returns Σ(y − t)² from the same pass.
    /// </summary>
    public static double SquaredErrorBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
        => SquaredError.Backward<ReluOp>(y, t, d, scale, l1, l2);
}
