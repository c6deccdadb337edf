using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// Small transposes for the GEMM's packing and the small layers: whole 8×8 blocks in registers (AVX), then 4×4 blocks
/// (SSE), the rest element by element.
/// </summary>
internal static class Transpose
{
    /// <summary>
    /// dst[q·dstStride + j] = src[j·srcStride + q] for j, q in [0, rows) × [0, cols): rows of the source become columns
    /// of the destination.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block(ref float src, nint srcStride, ref float dst, nint dstStride, int rows, int cols)
    {
        int j = 0;
        if (Avx.IsSupported)
        {
            for (; j + 8 <= rows; j += 8)
            {
                ref float s = ref Unsafe.Add(ref src, j * srcStride);
                ref float d = ref Unsafe.Add(ref dst, j);
                int q = 0;
                for (; q + 8 <= cols; q += 8)
                    Eight(ref Unsafe.Add(ref s, q), srcStride, ref Unsafe.Add(ref d, q * dstStride), dstStride);
                for (; q + 4 <= cols; q += 4)
                {
                    Four(ref Unsafe.Add(ref s, q), srcStride, ref Unsafe.Add(ref d, q * dstStride), dstStride);
                    Four(ref Unsafe.Add(ref s, 4 * srcStride + q), srcStride, ref Unsafe.Add(ref d, q * dstStride + 4), dstStride);
                }
                for (; q < cols; q++)
                    for (int jj = 0; jj < 8; jj++)
                        Unsafe.Add(ref d, q * dstStride + jj) = Unsafe.Add(ref s, jj * srcStride + q);
            }
        }
        if (Sse.IsSupported)
        {
            for (; j + 4 <= rows; j += 4)
            {
                ref float s = ref Unsafe.Add(ref src, j * srcStride);
                ref float d = ref Unsafe.Add(ref dst, j);
                int q = 0;
                for (; q + 4 <= cols; q += 4)
                    Four(ref Unsafe.Add(ref s, q), srcStride, ref Unsafe.Add(ref d, q * dstStride), dstStride);
                for (; q < cols; q++)
                    for (int jj = 0; jj < 4; jj++)
                        Unsafe.Add(ref d, q * dstStride + jj) = Unsafe.Add(ref s, jj * srcStride + q);
            }
        }
        for (; j < rows; j++)
            for (int q = 0; q < cols; q++)
                Unsafe.Add(ref dst, q * dstStride + j) = Unsafe.Add(ref src, j * srcStride + q);
    }

    /// <summary>One 4×4 block: unpack pairs of rows, then move halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four(ref float s, nint ss, ref float d, nint ds)
    {
        Vector128<float> r0 = Vector128.LoadUnsafe(ref s), r1 = Vector128.LoadUnsafe(ref Unsafe.Add(ref s, ss));
        Vector128<float> r2 = Vector128.LoadUnsafe(ref Unsafe.Add(ref s, 2 * ss)), r3 = Vector128.LoadUnsafe(ref Unsafe.Add(ref s, 3 * ss));
        Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackHigh(r0, r1), t2 = Sse.UnpackLow(r2, r3), t3 = Sse.UnpackHigh(r2, r3);
        Sse.MoveLowToHigh(t0, t2).StoreUnsafe(ref d);
        Sse.MoveHighToLow(t2, t0).StoreUnsafe(ref Unsafe.Add(ref d, ds));
        Sse.MoveLowToHigh(t1, t3).StoreUnsafe(ref Unsafe.Add(ref d, 2 * ds));
        Sse.MoveHighToLow(t3, t1).StoreUnsafe(ref Unsafe.Add(ref d, 3 * ds));
    }

    /// <summary>One 8×8 block: the classic unpack / shuffle / lane-permute sequence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Eight(ref float s, nint ss, ref float d, nint ds)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref s), r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, ss));
        Vector256<float> r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 2 * ss)), r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 3 * ss));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 4 * ss)), r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 5 * ss));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 6 * ss)), r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 7 * ss));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, ds));
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, 2 * ds));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref Unsafe.Add(ref d, 3 * ds));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 4 * ds));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 5 * ds));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 6 * ds));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref Unsafe.Add(ref d, 7 * ds));
    }
}
