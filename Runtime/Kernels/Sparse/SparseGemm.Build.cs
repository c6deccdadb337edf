using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

public static partial class SparseGemm
{
    /// <summary>
    /// Lists the active entries of <paramref name="a"/> [rows, units] (every element that is not ±0; NaN counts as
    /// active, so it propagates as in the dense product) into <paramref name="active"/>, by row and by unit (see
    /// <see cref="ActiveSet"/>), and returns their number; rows·units minus it is the exact-zero count the sparsity
    /// telemetry reports. Rows are compressed 16 lanes at a time with AVX-512's compress (vcompressps / vpcompressd, the
    /// register form: the memory form is microcoded on AMD), else by a mask-and-popcount loop on 256/128-bit vectors;
    /// the by-unit lists are a counting sort of the entries (O(entries + units)). One thread: it costs a pass over A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int BuildActive(int rows, int units, ReadOnlySpan<float> a, in ActiveSet active)
        => Build(rows, units, a, active, sparseOnly: false);

    /// <summary>
    /// <see cref="BuildActive"/> for a step that reads the lists only when the code is sparse: true, with the lists
    /// complete, when <see cref="PreferSparse"/> holds for the count; false as soon as the rows listed so far hold too many
    /// entries for it to hold (the lists are then incomplete and must not be read). A dense code stops within its first
    /// rows·units/8 entries and skips the by-unit index, so the check costs a dense layer a fraction of a pass over A.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool BuildIfSparse(int rows, int units, ReadOnlySpan<float> a, in ActiveSet active)
        => Build(rows, units, a, active, sparseOnly: true) >= 0;

    /// <summary>The lists and their count; with <paramref name="sparseOnly"/>, −1 once the count reaches rows·units/8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Build(int rows, int units, ReadOnlySpan<float> a, in ActiveSet active, bool sparseOnly)
    {
        Check(a.Length, (long)rows * units, nameof(a));
        CheckShape(active, rows, units);
        ref float src = ref MemoryMarshal.GetReference(a);
        ref int cols = ref MemoryMarshal.GetReference(active.Columns);
        ref float vals = ref MemoryMarshal.GetReference(active.Values);
        Span<int> rowStart = active.RowStart;
        int capacity = rows * units, nnz = 0;
        long total = (long)rows * units;
        int path = Avx512F.IsSupported && units >= Vector512<float>.Count ? 512 : Width.Pick(units);
        for (int r = 0; r < rows; r++)
        {
            rowStart[r] = nnz;
            ref float row = ref Unsafe.Add(ref src, (nint)r * units);
            nnz = path switch
            {
                512 => CompressRow512(ref row, units, ref cols, ref vals, nnz, capacity),
                256 => CompressRow256(ref row, units, ref cols, ref vals, nnz),
                128 => CompressRow128(ref row, units, ref cols, ref vals, nnz),
                _ => CompressRowScalar(ref row, units, ref cols, ref vals, nnz),
            };
            if (sparseOnly && !PreferSparse(rows, units, nnz)) return -1; // the count only grows
        }
        rowStart[rows] = nnz;
        IndexByUnit(active, nnz);
        return nnz;
    }

    /// <summary>One row: vcompressps/vpcompressd into registers, then a whole-vector store where the lists have room
    /// (the lanes past the count are overwritten by the next store), element by element at the very end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int CompressRow512(ref float row, int units, ref int cols, ref float vals, int at, int capacity)
    {
        Vector512<int> iota = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        int i = 0;
        for (; i + 16 <= units; i += 16)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref row, (nuint)i);
            Vector512<float> nonzero = ~Vector512.Equals(v, Vector512<float>.Zero);
            at = Emit512(v, nonzero, iota + Vector512.Create(i), ref cols, ref vals, at, capacity);
        }
        if (i < units)
        {
            // The overlapping last vector: lanes below the fresh ones were listed by the previous vector.
            int last = units - 16;
            Vector512<float> v = Vector512.LoadUnsafe(ref row, (nuint)last);
            Vector512<float> fresh = Vector512.GreaterThanOrEqual(iota, Vector512.Create(i - last)).AsSingle();
            Vector512<float> nonzero = ~Vector512.Equals(v, Vector512<float>.Zero) & fresh;
            at = Emit512(v, nonzero, iota + Vector512.Create(last), ref cols, ref vals, at, capacity);
        }
        return at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Emit512(Vector512<float> v, Vector512<float> nonzero, Vector512<int> index, ref int cols, ref float vals, int at, int capacity)
    {
        ulong bits = nonzero.ExtractMostSignificantBits();
        int count = BitOperations.PopCount(bits);
#if NET10_0_OR_GREATER
        // No branch on the count: at 2–10 % density whether a chunk of 16 is empty is a coin flip the predictor loses.
        Vector512<float> cv = Avx512F.Compress(Vector512<float>.Zero, nonzero, v);
        Vector512<int> ci = Avx512F.Compress(Vector512<int>.Zero, nonzero.AsInt32(), index);
#else
        if (bits == 0) return at;
        // net9.0 has no compress intrinsic: the mask's bits, walked.
        if (count != 16)
        {
            while (bits != 0)
            {
                int t = BitOperations.TrailingZeroCount(bits);
                Unsafe.Add(ref vals, at) = v.GetElement(t);
                Unsafe.Add(ref cols, at) = index.GetElement(t);
                at++;
                bits &= bits - 1;
            }
            return at;
        }
        Vector512<float> cv = v;
        Vector512<int> ci = index;
#endif
        if (at + 16 <= capacity)
        {
            cv.StoreUnsafe(ref vals, (nuint)at);
            ci.StoreUnsafe(ref cols, (nuint)at);
        }
        else
        {
            for (int t = 0; t < count; t++)
            {
                Unsafe.Add(ref vals, at + t) = cv.GetElement(t);
                Unsafe.Add(ref cols, at + t) = ci.GetElement(t);
            }
        }
        return at + count;
    }

    /// <summary>One row on 256-bit vectors: the nonzero mask's bits, walked with trailing-zero counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int CompressRow256(ref float row, int units, ref int cols, ref float vals, int at)
    {
        int i = 0;
        for (; i + 8 <= units; i += 8)
            at = EmitBits(~Vector256.Equals(Vector256.LoadUnsafe(ref row, (nuint)i), Vector256<float>.Zero).ExtractMostSignificantBits(), ref row, i, ref cols, ref vals, at);
        if (i < units)
        {
            int last = units - 8;
            uint bits = ~Vector256.Equals(Vector256.LoadUnsafe(ref row, (nuint)last), Vector256<float>.Zero).ExtractMostSignificantBits();
            at = EmitBits(bits & (0xFFu << (i - last)), ref row, last, ref cols, ref vals, at);
        }
        return at;
    }

    /// <summary>One row on 128-bit vectors (SSE-only x64, ARM64), as <see cref="CompressRow256"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int CompressRow128(ref float row, int units, ref int cols, ref float vals, int at)
    {
        int i = 0;
        for (; i + 4 <= units; i += 4)
            at = EmitBits(~Vector128.Equals(Vector128.LoadUnsafe(ref row, (nuint)i), Vector128<float>.Zero).ExtractMostSignificantBits() & 0xFu, ref row, i, ref cols, ref vals, at);
        if (i < units)
        {
            int last = units - 4;
            uint bits = ~Vector128.Equals(Vector128.LoadUnsafe(ref row, (nuint)last), Vector128<float>.Zero).ExtractMostSignificantBits() & 0xFu;
            at = EmitBits(bits & (0xFu << (i - last)), ref row, last, ref cols, ref vals, at);
        }
        return at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EmitBits(uint bits, ref float row, int i, ref int cols, ref float vals, int at)
    {
        bits &= 0xFFu;
        while (bits != 0)
        {
            int t = BitOperations.TrailingZeroCount(bits);
            Unsafe.Add(ref cols, at) = i + t;
            Unsafe.Add(ref vals, at) = Unsafe.Add(ref row, i + t);
            at++;
            bits &= bits - 1;
        }
        return at;
    }

    /// <summary>The scalar reference for one row: every element that is not ±0, in order.</summary>
    internal static int CompressRowScalar(ref float row, int units, ref int cols, ref float vals, int at)
    {
        for (int j = 0; j < units; j++)
        {
            float v = Unsafe.Add(ref row, j);
            if (v == 0) continue;
            Unsafe.Add(ref cols, at) = j;
            Unsafe.Add(ref vals, at) = v;
            at++;
        }
        return at;
    }

    /// <summary>The by-unit lists: a counting sort of the entries on their unit, rows visited in order so each unit's
    /// entries come in ascending row order.</summary>
    private static void IndexByUnit(in ActiveSet s, int nnz)
    {
        Span<int> us = s.UnitStart;
        ReadOnlySpan<int> cols = s.Columns, rowStart = s.RowStart;
        Span<int> unitRows = s.UnitRows, unitEntries = s.UnitEntries;
        us.Clear();
        for (int k = 0; k < nnz; k++) us[cols[k] + 1]++;
        for (int j = 0; j < s.Units; j++) us[j + 1] += us[j];
        // us[j] is now unit j's start; fill, advancing it to unit j's end (= unit j + 1's start), then shift back.
        for (int r = 0; r < s.Rows; r++)
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++)
            {
                int p = us[cols[k]]++;
                unitRows[p] = r;
                unitEntries[p] = k;
            }
        for (int j = s.Units; j > 0; j--) us[j] = us[j - 1];
        us[0] = 0;
    }
}
