using System;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// A small layer's activation and derivative over its rows, picked by its constant <see cref="ISmallDense.Activation"/>
/// (each switch folds to one call when the kernel is compiled for the layer): the runtime's element-wise kernels
/// themselves, so a small layer's activations and deltas are the kernel path's, bit for bit.
/// </summary>
internal static class SmallActivation
{
    /// <summary>Whether the derivative reads z (softplus, GELU): the layer then keeps z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool UsesZ<TL>() where TL : struct, ISmallDense
        => TL.Activation is Activation.Softplus or Activation.Gelu or Activation.GeluTanh;

    /// <summary>a = f(z) over the rows (z and a may be the same memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<TL>(ReadOnlySpan<float> z, Span<float> a) where TL : struct, ISmallDense
    {
        switch (TL.Activation)
        {
            case Activation.Tanh: UnaryKernel.Run<TanhFunction>(z, a); break;
            case Activation.Sigmoid: UnaryKernel.Run<SigmoidFunction>(z, a); break;
            case Activation.Relu: Relu.Forward(z, a); break;
            case Activation.LeakyRelu: UnaryKernel.Run<LeakyReluFunction>(z, a, TL.Alpha); break;
            case Activation.Elu: UnaryKernel.Run<EluFunction>(z, a, TL.Alpha); break;
            case Activation.Softplus: UnaryKernel.Run<SoftplusFunction>(z, a); break;
            case Activation.Gelu: UnaryKernel.Run<GeluFunction>(z, a); break;
            case Activation.GeluTanh: UnaryKernel.Run<GeluTanhFunction>(z, a); break;
            case Activation.Selu: UnaryKernel.Run<SeluFunction>(z, a); break;
            default: Linear.Forward(z, a); break;
        }
    }

    /// <summary>d = (d + l1·sign(a) + 2·l2·a) ⊙ f′(a, z) over the rows, in place (z read only where the derivative needs it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<TL>(ReadOnlySpan<float> a, ReadOnlySpan<float> z, Span<float> d, float l1, float l2) where TL : struct, ISmallDense
    {
        switch (TL.Activation)
        {
            case Activation.Tanh: ActivationBackward.Run<TanhOp>(a, z, d, 0f, l1, l2); break;
            case Activation.Sigmoid: ActivationBackward.Run<SigmoidOp>(a, z, d, 0f, l1, l2); break;
            case Activation.Relu: ActivationBackward.Run<ReluOp>(a, z, d, 0f, l1, l2); break;
            case Activation.LeakyRelu: ActivationBackward.Run<LeakyReluOp>(a, z, d, TL.Alpha, l1, l2); break;
            case Activation.Elu: ActivationBackward.Run<EluOp>(a, z, d, TL.Alpha, l1, l2); break;
            case Activation.Softplus: ActivationBackward.Run<SoftplusOp>(a, z, d, 0f, l1, l2); break;
            case Activation.Gelu: ActivationBackward.Run<GeluOp>(a, z, d, 0f, l1, l2); break;
            case Activation.GeluTanh: ActivationBackward.Run<GeluTanhOp>(a, z, d, 0f, l1, l2); break;
            case Activation.Selu: ActivationBackward.Run<SeluOp>(a, z, d, 0f, l1, l2); break;
            default: ActivationBackward.Run<LinearOp>(a, z, d, 0f, l1, l2); break;
        }
    }
}
