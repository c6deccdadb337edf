using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Compiled.Kernels;

/// <summary>
/// One vector width for the int8 × int16 product, as a set of static operations over its int32 lanes (one lane per
/// output unit), so the tiles of <see cref="Int8Gemm"/> are written once and specialized by the JIT. Every operation is
/// exact integer arithmetic or a single IEEE operation per lane, so every width computes bit for bit what the scalar
/// reference computes.
/// </summary>
internal interface IInt8Simd<TV> where TV : struct
{
    /// <summary>int32 lanes per vector: output units per accumulator.</summary>
    static abstract int Count { get; }

    static abstract TV Zero { get; }

    /// <summary>2·<see cref="Count"/> int8 weights at <paramref name="source"/>, sign-extended to int16 (the vector's bits).</summary>
    static abstract TV LoadWeights(ref sbyte source);

    /// <summary>Two int16 inputs (x[2p] in the low half, x[2p+1] in the high half) in every int32 lane.</summary>
    static abstract TV BroadcastPair(int pair);

    /// <summary>acc + a₀·b₀ + a₁·b₁ per int32 lane, (a₀, a₁) and (b₀, b₁) its int16 halves (vpmaddwd, vpaddd).</summary>
    static abstract TV MultiplyAddPairs(TV a, TV b, TV acc);

    /// <summary>
    /// Count values d[i] = (float)acc[i] · (rowScale · unitScale[i]) + bias[i]: a conversion, two multiplications and
    /// an addition, each rounded (no FMA, which the 128-bit path may not have), as the scalar reference does.
    /// </summary>
    static abstract void Dequantize(TV acc, float rowScale, ref float unitScale, ref float bias, ref float destination);

    /// <summary>Count values d[i] = (short)round(x[i] · inverseScale), rounding half to even (|x·inverseScale| &lt; 32767.5).</summary>
    static abstract void Quantize(ref float source, float inverseScale, ref short destination);
}

/// <summary>AVX-512BW: 16 units per vector.</summary>
internal readonly struct I512 : IInt8Simd<Vector512<int>>
{
    public static int Count => 16;
    public static Vector512<int> Zero => Vector512<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> LoadWeights(ref sbyte source)
        => Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref source)).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> BroadcastPair(int pair) => Vector512.Create(pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAddPairs(Vector512<int> a, Vector512<int> b, Vector512<int> acc)
        => acc + Avx512BW.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dequantize(Vector512<int> acc, float rowScale, ref float unitScale, ref float bias, ref float destination)
    {
        Vector512<float> scale = Vector512.Create(rowScale) * Vector512.LoadUnsafe(ref unitScale);
        (Vector512.ConvertToSingle(acc) * scale + Vector512.LoadUnsafe(ref bias)).StoreUnsafe(ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Quantize(ref float source, float inverseScale, ref short destination)
    {
        // vcvtps2dq rounds with the current mode, round-to-nearest-even (.NET never changes it); vpmovdw narrows.
        Vector512<int> q = Avx512F.ConvertToVector512Int32(Vector512.LoadUnsafe(ref source) * Vector512.Create(inverseScale));
        Avx512F.ConvertToVector256Int16(q).StoreUnsafe(ref destination);
    }
}

/// <summary>AVX2: 8 units per vector (half of a packed 16-unit block).</summary>
internal readonly struct I256 : IInt8Simd<Vector256<int>>
{
    public static int Count => 8;
    public static Vector256<int> Zero => Vector256<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> LoadWeights(ref sbyte source)
        => Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref source)).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> BroadcastPair(int pair) => Vector256.Create(pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAddPairs(Vector256<int> a, Vector256<int> b, Vector256<int> acc)
        => acc + Avx2.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dequantize(Vector256<int> acc, float rowScale, ref float unitScale, ref float bias, ref float destination)
    {
        Vector256<float> scale = Vector256.Create(rowScale) * Vector256.LoadUnsafe(ref unitScale);
        (Vector256.ConvertToSingle(acc) * scale + Vector256.LoadUnsafe(ref bias)).StoreUnsafe(ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Quantize(ref float source, float inverseScale, ref short destination)
    {
        Vector256<int> q = Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref source) * Vector256.Create(inverseScale));
        Vector256.Narrow(q, q).GetLower().StoreUnsafe(ref destination);
    }
}

/// <summary>
/// 128-bit vectors, 4 units per vector: SSE2/SSE4.1 on x64 without AVX (and under <c>DOTNET_EnableAVX=0</c>), and
/// ARM64 through the portable operations.
/// </summary>
internal readonly struct I128 : IInt8Simd<Vector128<int>>
{
    public static int Count => 4;
    public static Vector128<int> Zero => Vector128<int>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> LoadWeights(ref sbyte source)
        => Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref source))).AsSByte()).AsInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> BroadcastPair(int pair) => Vector128.Create(pair);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAddPairs(Vector128<int> a, Vector128<int> b, Vector128<int> acc)
        => acc + (Sse2.IsSupported ? Sse2.MultiplyAddAdjacent(a.AsInt16(), b.AsInt16()) : MultiplyAddPairsPortable(a, b));

    /// <summary>
    /// pmaddwd from portable operations (ARM64): the low halves sign-extended by a shift pair, the high halves by an
    /// arithmetic shift, two 32-bit products. Equal to pmaddwd whenever the pair sum fits in int32, which it always
    /// does here (|w| ≤ 128, |x| ≤ 32767).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<int> MultiplyAddPairsPortable(Vector128<int> a, Vector128<int> b)
    {
        Vector128<int> aLow = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(a, 16), 16), bLow = Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(b, 16), 16);
        return aLow * bLow + Vector128.ShiftRightArithmetic(a, 16) * Vector128.ShiftRightArithmetic(b, 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dequantize(Vector128<int> acc, float rowScale, ref float unitScale, ref float bias, ref float destination)
    {
        Vector128<float> scale = Vector128.Create(rowScale) * Vector128.LoadUnsafe(ref unitScale);
        (Vector128.ConvertToSingle(acc) * scale + Vector128.LoadUnsafe(ref bias)).StoreUnsafe(ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Quantize(ref float source, float inverseScale, ref short destination)
    {
        Vector128<float> v = Vector128.LoadUnsafe(ref source) * Vector128.Create(inverseScale);
        // cvtps2dq rounds half to even; elsewhere Round (ties to even) makes the values integral before converting.
        Vector128<int> q = Sse2.IsSupported ? Sse2.ConvertToVector128Int32(v) : Vector128.ConvertToInt32(Vector128.Round(v));
        Unsafe.WriteUnaligned(ref Unsafe.As<short, byte>(ref destination), Vector128.Narrow(q, q).AsInt64().ToScalar());
    }
}

/// <summary>The int8 product's vector width: the widest the CPU has (any width handles any layer: packed blocks are padded).</summary>
internal static class Int8Width
{
    public static int Pick()
    {
        if (Avx512BW.IsSupported) return 512;
        if (Avx2.IsSupported) return 256;
        return Vector128.IsHardwareAccelerated ? 128 : 0;
    }

    /// <summary>The float vector width for an element-wise pass over <paramref name="length"/> values (quantizing a row).</summary>
    public static int PickElementwise(int length)
    {
        if (Avx512BW.IsSupported && length >= 16) return 512;
        if (Avx2.IsSupported && length >= 8) return 256;
        return Vector128.IsHardwareAccelerated && length >= 4 ? 128 : 0;
    }
}
