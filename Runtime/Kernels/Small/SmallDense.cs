using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// A small Dense layer's forward step, backward step and parameter gradients, each one call compiled for the layer's
/// constant sizes and activation (the type argument <c>TL</c>, a struct the generator writes per layer). Called by
/// generated code for layers whose inputs and units are both at most <see cref="MaxSize"/>: there the runtime GEMM's
/// set-up, its per-call decisions and the separate kernel calls cost as much as the arithmetic.
/// </summary>
/// <remarks>
/// Every result is the runtime kernels' (Gemm.XWt, XW, DtX, ColumnSums, their SGD forms and the element-wise kernels)
/// bit for bit, for every shape, batch size, thread count and vector width: each element of a product is the same
/// sequential chain of multiply-adds, the element-wise steps are the same kernels, and each penalty term takes the same
/// form (fused on vectors, unfused where the kernel path computes it one element at a time). Row-major throughout,
/// weights in PyTorch's <c>[units, inputs]</c> layout and read in place (the forward step from 8 rows on reads a
/// transposed copy on the stack, as the runtime's small form does). Single-threaded; allocates nothing.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SmallDense
{
    /// <summary>Largest inputs and units of a small layer: the kernels' limit (where below it the runtime GEMM would win is not measured yet).</summary>
    public const int MaxSize = 64;

    // ---- Forward ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// a = f(x·Wᵀ + b) for <paramref name="batch"/> rows; <paramref name="z"/> = x·Wᵀ + b is kept too unless empty. The
    /// product tiles add the bias as they store; the activation follows over the rows just written.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward<TL>(int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> a, Span<float> z = default)
        where TL : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        Check(x.Length, (long)batch * k, nameof(x)); Check(weight.Length, k * n, nameof(weight)); Check(bias.Length, n, nameof(bias));
        Check(a.Length, (long)batch * n, nameof(a));
        if (!z.IsEmpty) Check(z.Length, (long)batch * n, nameof(z));
        Span<float> sums = (z.IsEmpty ? a : z).Slice(0, batch * n);
        if (Gemm.SmallWidth(n) != 0 && (k < 8 || batch >= 8))
        {
            // The runtime's small form: Wᵀ [inputs, units] on the stack, each row of outputs whole vectors.
            Span<float> wt = stackalloc float[k * n];
            Transpose.Block(ref MemoryMarshal.GetReference(weight), k, ref MemoryMarshal.GetReference(wt), n, n, k);
            switch (SmallTiles.Width(n))
            {
                case 512: Product<Vector512<float>, V512>(sums, batch, n, k, x, k, 1, wt, bias); break;
                case 256: Product<Vector256<float>, V256>(sums, batch, n, k, x, k, 1, wt, bias); break;
                default: Product<Vector128<float>, V128>(sums, batch, n, k, x, k, 1, wt, bias); break;
            }
        }
        else
        {
            // A few rows of a wider input, or too few units for a vector: the runtime's dot products, W read as stored.
            switch (Width.Pick(k))
            {
                case 512: Gemm.XWtCore<Vector512<float>, V512>(batch, n, k, x, weight, bias, sums); break;
                case 256: Gemm.XWtCore<Vector256<float>, V256>(batch, n, k, x, weight, bias, sums); break;
                case 128: Gemm.XWtCore<Vector128<float>, V128>(batch, n, k, x, weight, bias, sums); break;
                default: Gemm.XWtScalar(batch, n, k, x, weight, bias, sums); break;
            }
        }
        if (TL.Activation != Activation.Linear || !z.IsEmpty) SmallActivation.Forward<TL>(sums, a.Slice(0, batch * n));
    }

    /// <summary>
    /// Out[r, c] = Σ_p a[r·aRow + p·aCol]·b[p·cols + c] (+ bias[c]) for r &lt; rows, c &lt; cols, p &lt; depth, into
    /// <paramref name="output"/> [rows, cols]: the small form's tiles at the vector width <typeparamref name="TV"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Product<TV, TS>(Span<float> output, int rows, int cols, int depth, ReadOnlySpan<float> a, nint aRow, nint aCol,
        ReadOnlySpan<float> b, ReadOnlySpan<float> bias) where TV : struct where TS : ISimd<TV>
        => SmallTiles.Product<TV, TS>(ref MemoryMarshal.GetReference(output), cols, rows, cols, depth, ref MemoryMarshal.GetReference(a), aRow, aCol,
            ref MemoryMarshal.GetReference(b), cols, bias);

    // ---- Backward to the input ----------------------------------------------------------------------------------------

    /// <summary>∂loss/∂input = δ·W into <paramref name="destination"/> [batch, inputs] (W read in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient<TL>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> weight, Span<float> destination)
        where TL : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        Check(delta.Length, (long)batch * n, nameof(delta)); Check(weight.Length, k * n, nameof(weight)); Check(destination.Length, (long)batch * k, nameof(destination));
        DeltaProduct<TL>(batch, delta, weight, destination);
    }

    /// <summary>
    /// The below layer's delta in one call: δ_below = (δ·W + l1·sign(a) + 2·l2·a) ⊙ f′(a) — the product, then the
    /// activity penalties on the below layer's output and its activation's derivative (<typeparamref name="TBelow"/>) over
    /// the rows just written, with a and z the below layer's rows (z read only by the activations whose derivative needs it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient<TL, TBelow>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> weight, ReadOnlySpan<float> belowA,
        ReadOnlySpan<float> belowZ, float l1, float l2, Span<float> destination)
        where TL : struct, ISmallDense where TBelow : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        if (TBelow.Units != k) ThrowHelper.KernelSpan("belowUnits", k, TBelow.Units);
        Check(delta.Length, (long)batch * n, nameof(delta)); Check(weight.Length, k * n, nameof(weight)); Check(destination.Length, (long)batch * k, nameof(destination));
        Check(belowA.Length, (long)batch * k, nameof(belowA));
        if (SmallActivation.UsesZ<TBelow>()) Check(belowZ.Length, (long)batch * k, nameof(belowZ));
        Span<float> d = destination.Slice(0, batch * k);
        DeltaProduct<TL>(batch, delta, weight, d);
        // Linear without penalties multiplies by 1: nothing to do (the kernel path omits that call too).
        if (TBelow.Activation != Activation.Linear || l1 != 0 || l2 != 0) SmallActivation.Backward<TBelow>(belowA, belowZ, d, l1, l2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DeltaProduct<TL>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> weight, Span<float> destination) where TL : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        switch (SmallTiles.Width(k))
        {
            case 512: Product<Vector512<float>, V512>(destination, batch, k, n, delta, n, 1, weight, default); break;
            case 256: Product<Vector256<float>, V256>(destination, batch, k, n, delta, n, 1, weight, default); break;
            case 128: Product<Vector128<float>, V128>(destination, batch, k, n, delta, n, 1, weight, default); break;
            default:
                // Fewer than 4 inputs: the scalar reference of the runtime's broadcast form, in its order.
                for (int r = 0; r < batch; r++)
                    for (int c = 0; c < k; c++)
                    {
                        float s = 0;
                        for (int o = 0; o < n; o++) s += delta[r * n + o] * weight[o * k + c];
                        destination[r * k + c] = s;
                    }
                break;
        }
    }

    // ---- Parameter gradients ------------------------------------------------------------------------------------------

    /// <summary>
    /// ∂W = δᵀ·x + l1·sign(W) + 2·l2·W into <paramref name="weightGradient"/> and ∂b = Σ_batch δ + bl1·sign(b) + 2·bl2·b
    /// into <paramref name="biasGradient"/> (each penalty only where its coefficient is not 0, as in the kernels).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gradients<TL>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Span<float> weightGradient, Span<float> biasGradient, float wl1, float wl2, float bl1, float bl2)
        where TL : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        CheckGradients<TL>(batch, delta, x);
        Check(weightGradient.Length, k * n, nameof(weightGradient)); Check(biasGradient.Length, n, nameof(biasGradient));
        if (wl1 != 0 || wl2 != 0) Check(weight.Length, k * n, nameof(weight));
        if (bl1 != 0 || bl2 != 0) Check(bias.Length, n, nameof(bias));
        Span<float> g = weightGradient.Slice(0, k * n), gb = biasGradient.Slice(0, n);
        WeightProduct<TL>(batch, delta, x, g);
        SmallEpilogues.ColumnSums(batch, n, delta, gb);
        if (wl1 != 0 || wl2 != 0) SmallEpilogues.AddPenalty(g, weight, wl1, wl2, WeightPenaltyFused<TL>());
        if (bl1 != 0 || bl2 != 0) SmallEpilogues.AddPenalty(gb, bias, bl1, bl2, BiasPenaltyFused<TL>());
    }

    /// <summary>
    /// SGD fused with the parameter gradients: W ← W − lr·(δᵀ·x + penalties), b ← b − lr·(Σ δ + penalties): bit for bit
    /// <see cref="Gradients{TL}"/> followed by <c>Sgd.Step</c> (the same sums and terms, then w + g·(−lr)). The gradients
    /// live on the stack, not in the model's gradient block.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GradientsSgd<TL>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> weight, Span<float> bias,
        float wl1, float wl2, float bl1, float bl2, float lr)
        where TL : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        CheckGradients<TL>(batch, delta, x);
        Check(weight.Length, k * n, nameof(weight)); Check(bias.Length, n, nameof(bias));
        Span<float> g = stackalloc float[k * n];
        Span<float> gb = stackalloc float[n];
        WeightProduct<TL>(batch, delta, x, g);
        SmallEpilogues.ColumnSums(batch, n, delta, gb);
        SmallEpilogues.Update(weight.Slice(0, k * n), g, wl1, wl2, WeightPenaltyFused<TL>(), -lr);
        SmallEpilogues.Update(bias.Slice(0, n), gb, bl1, bl2, BiasPenaltyFused<TL>(), -lr);
    }

    private static void CheckGradients<TL>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> x) where TL : struct, ISmallDense
    {
        Check(delta.Length, (long)batch * TL.Units, nameof(delta)); Check(x.Length, (long)batch * TL.Inputs, nameof(x));
    }

    /// <summary>
    /// Whether Gemm.DtX adds the weight penalties on vectors (with multiply-adds, its broadcast form) rather than one
    /// element at a time (its few-inputs form, and the scalar form below 4 inputs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WeightPenaltyFused<TL>() where TL : struct, ISmallDense
        => !TransposedInKernel<TL>() && Gemm.SmallWidth(TL.Inputs) != 0;

    /// <summary>Whether Gemm.ColumnSums adds the bias penalties on vectors (it does unless the row is too short for one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool BiasPenaltyFused<TL>() where TL : struct, ISmallDense => Width.Pick(TL.Units) != 0;

    /// <summary>Whether Gemm.DtX computes this layer's weight gradient as Gᵀ (fewer than 8 inputs, units a vector wide).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TransposedInKernel<TL>() where TL : struct, ISmallDense => TL.Inputs < 8 && Width.Pick(TL.Units) != 0;

    /// <summary>
    /// G = δᵀ·x [units, inputs] into <paramref name="g"/>, each element Σ_batch δ·x in batch order: with vectors along
    /// the inputs (rows of G are units), or, when that uses the vectors worse (a 4-input layer), Gᵀ = xᵀ·δ with vectors
    /// along the units, transposed after. Below 4 inputs and 8 units the kernel path sums one element at a time (without
    /// multiply-adds), so this does too.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WeightProduct<TL>(int batch, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> g) where TL : struct, ISmallDense
    {
        int k = TL.Inputs, n = TL.Units;
        int byInputs = SmallTiles.Width(k), byUnits = SmallTiles.Width(n);
        if (byInputs == 0 && !TransposedInKernel<TL>())
        {
            for (int o = 0; o < n; o++)
                for (int c = 0; c < k; c++)
                {
                    float s = 0;
                    for (int r = 0; r < batch; r++) s += delta[r * n + o] * x[r * k + c];
                    g[o * k + c] = s;
                }
            return;
        }
        // Gᵀ needs a transpose after: worth it from a few rows on.
        bool transposed = byInputs == 0 || (byUnits != 0 && batch >= 8 && k * SmallTiles.Vectors(n, byUnits) < n * SmallTiles.Vectors(k, byInputs));
        if (!transposed)
        {
            switch (byInputs)
            {
                case 512: Product<Vector512<float>, V512>(g, n, k, batch, delta, 1, n, x, default); break;
                case 256: Product<Vector256<float>, V256>(g, n, k, batch, delta, 1, n, x, default); break;
                default: Product<Vector128<float>, V128>(g, n, k, batch, delta, 1, n, x, default); break;
            }
            return;
        }
        Span<float> gt = stackalloc float[k * n];
        switch (byUnits)
        {
            case 512: Product<Vector512<float>, V512>(gt, k, n, batch, x, 1, k, delta, default); break;
            case 256: Product<Vector256<float>, V256>(gt, k, n, batch, x, 1, k, delta, default); break;
            default: Product<Vector128<float>, V128>(gt, k, n, batch, x, 1, k, delta, default); break;
        }
        Transpose.Block(ref MemoryMarshal.GetReference(gt), n, ref MemoryMarshal.GetReference(g), k, k, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int actual, long expected, string name)
    {
        if (actual < expected || expected < 0) ThrowHelper.KernelSpan(name, expected, actual);
    }
}
