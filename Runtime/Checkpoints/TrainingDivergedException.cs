using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled
{
    /// <summary>
    /// A training step produced a non-finite loss or gradient. The update was not applied: the parameters are those
    /// before the step. <see cref="Term"/> names what went non-finite first (a loss term such as <c>data</c> or
    /// <c>hid1.activity_l1</c>, or a gradient such as <c>gradient of out.weight</c>).
    /// </summary>
    public sealed class TrainingDivergedException : Exception
    {
        /// <summary>Creates the exception for training step <paramref name="step"/> (counted from 0).</summary>
        public TrainingDivergedException(long step, string term, float value)
            : base(string.Format(CultureInfo.InvariantCulture,
                "Training diverged at step {0}: {1} is {2}. The update was not applied; the model keeps its parameters. " +
                "Lower the learning rate or the regularization, or check the inputs for NaN/Inf.", step, term, value))
        {
            Step = step;
            Term = term;
        }

        /// <summary>Creates the exception for a float64 model's step <paramref name="step"/> (counted from 0).</summary>
        public TrainingDivergedException(long step, string term, double value)
            : base(string.Format(CultureInfo.InvariantCulture,
                "Training diverged at step {0}: {1} is {2}. The update was not applied; the model keeps its parameters. " +
                "Lower the learning rate or the regularization, or check the inputs for NaN/Inf.", step, term, value))
        {
            Step = step;
            Term = term;
        }

        /// <summary>The training step (0 = the model's first <c>TrainStep</c>).</summary>
        public long Step { get; }

        /// <summary>What went non-finite.</summary>
        public string Term { get; }
    }
}

namespace Compiled.Kernels
{
    /// <summary>The divergence check generated into <c>TrainStep</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static partial class Divergence
    {
        /// <summary>True when every element is finite: one vectorized pass (the largest magnitude is NaN if any element is
        /// NaN, and ∞ if any is ±∞).</summary>
        public static bool AllFinite(ReadOnlySpan<float> values) => MaxAbsBits(values) < PositiveInfinityBits;

        /// <summary>max |v| over the span (NaN if any element is NaN; 0 for an empty span).</summary>
        public static float MaxAbs(ReadOnlySpan<float> values) => BitConverter.UInt32BitsToSingle(MaxAbsBits(values));

        private const uint PositiveInfinityBits = 0x7F80_0000u;

        /// <summary>
        /// The largest |v| as its bit pattern: for non-negative floats the order of the patterns is the order of the
        /// values, and every NaN pattern lies above +∞. An integer maximum (one instruction per vector, no NaN rules)
        /// instead of TensorPrimitives.MaxMagnitude, which measured 0.4 ns per element here.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static uint MaxAbsBits(ReadOnlySpan<float> values)
        {
            ReadOnlySpan<uint> bits = MemoryMarshal.Cast<float, uint>(values);
            ref uint v = ref MemoryMarshal.GetReference(bits);
            nint n = bits.Length, i = 0;
            uint max = 0;
            if (Avx512F.IsSupported && n >= 32)
            {
                Vector512<uint> mask = Vector512.Create(0x7FFF_FFFFu), a0 = Vector512<uint>.Zero, a1 = Vector512<uint>.Zero;
                for (; i + 32 <= n; i += 32)
                {
                    a0 = Vector512.Max(a0, Vector512.LoadUnsafe(ref v, (nuint)i) & mask);
                    a1 = Vector512.Max(a1, Vector512.LoadUnsafe(ref v, (nuint)(i + 16)) & mask);
                }
                Vector512<uint> a = Vector512.Max(a0, a1);
                Vector256<uint> h = Vector256.Max(a.GetLower(), a.GetUpper());
                max = MaxOf(Vector128.Max(h.GetLower(), h.GetUpper()));
            }
            else if (Vector256.IsHardwareAccelerated && n >= 16)
            {
                Vector256<uint> mask = Vector256.Create(0x7FFF_FFFFu), a0 = Vector256<uint>.Zero, a1 = Vector256<uint>.Zero;
                for (; i + 16 <= n; i += 16)
                {
                    a0 = Vector256.Max(a0, Vector256.LoadUnsafe(ref v, (nuint)i) & mask);
                    a1 = Vector256.Max(a1, Vector256.LoadUnsafe(ref v, (nuint)(i + 8)) & mask);
                }
                Vector256<uint> a = Vector256.Max(a0, a1);
                max = MaxOf(Vector128.Max(a.GetLower(), a.GetUpper()));
            }
            for (; i < n; i++) max = Math.Max(max, Unsafe.Add(ref v, i) & 0x7FFF_FFFFu);
            return max;
        }

        private static uint MaxOf(Vector128<uint> v) => Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));
    }
}
