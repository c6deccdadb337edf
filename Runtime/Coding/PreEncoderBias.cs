using System;
using System.Numerics;

namespace Compiled.Kernels;

/// <summary>
/// The pre-encoder bias of OpenAI's and SAELens' sparse autoencoders: the decoder's bias b is subtracted from the input,
/// x̃ = x − b, and the gradient that reaches x̃ is subtracted from b's gradient (∂loss/∂b += −Σ_batch ∂loss/∂x̃).
/// </summary>
public static class PreEncoderBias
{
    /// <summary>x̃ = x − b per row of <paramref name="x"/> [rows, size].</summary>
    public static void Subtract<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> bias, Span<T> centered, int size) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (centered.Length < x.Length) ThrowHelper.KernelSpan(nameof(centered), x.Length, centered.Length);
        if (bias.Length < size) ThrowHelper.KernelSpan(nameof(bias), size, bias.Length);
        int rows = x.Length / size;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < size; j++) centered[r * size + j] = x[r * size + j] - bias[j];
    }

    /// <summary>∂loss/∂b −= Σ_rows ∂loss/∂x̃ (column sums of <paramref name="inputGradient"/> [rows, size], in double).</summary>
    public static void AddBiasGradient<T>(ReadOnlySpan<T> inputGradient, Span<T> biasGradient, int size) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (biasGradient.Length < size) ThrowHelper.KernelSpan(nameof(biasGradient), size, biasGradient.Length);
        int rows = inputGradient.Length / size;
        for (int j = 0; j < size; j++)
        {
            double s = 0;
            for (int r = 0; r < rows; r++) s += double.CreateTruncating(inputGradient[r * size + j]);
            biasGradient[j] -= T.CreateTruncating(s);
        }
    }
}
