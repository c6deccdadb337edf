using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// The kernels of <see cref="QuantizedModel"/>: a float row quantized to int16, and the product of int16 rows with int8
/// weights, accumulated exactly in int32 and dequantized to float.
/// </summary>
/// <remarks>
/// <para>
/// Weights are packed once (<see cref="Pack"/>) in blocks of 16 output units: for each pair of inputs (2p, 2p + 1),
/// 32 bytes hold the pair's two weights for each of the block's 16 units. One sign-extending load (vpmovsxbw) turns them
/// into 32 int16 lanes, and one vpmaddwd against the pair (x[2p], x[2p + 1]) broadcast to every lane adds
/// w[u, 2p]·x[2p] + w[u, 2p + 1]·x[2p + 1] into unit u's int32 accumulator: a matrix–vector product with no horizontal
/// sums, and a tile of rows × units with each weight vector reused by every row. A 256-bit vector covers half a block and
/// a 128-bit vector a quarter, so one layout serves every width. Units past the last block's end and the missing input of
/// an odd count are zeros.
/// </para>
/// <para>
/// Integer sums are exact (see <see cref="InputRange"/>), and the dequantization is the same four IEEE operations per
/// element at every width, so each vector path equals <see cref="ProductScalar"/> bit for bit, and a split of the units
/// or rows across threads changes nothing.
/// </para>
/// </remarks>
internal static class Int8Gemm
{
    /// <summary>Output units per packed block.</summary>
    public const int Block = 16;

    /// <summary>Bytes of one block at one input pair: 16 units × 2 inputs.</summary>
    private const int PairBytes = 2 * Block;

    /// <summary>Largest magnitude of a weight code (int8: −128 is accepted from files; quantizing produces ±127).</summary>
    public const int WeightBound = 128;

    /// <summary>Rows whose largest |x| is below 2⁻¹⁰⁰ quantize to zero: keeps range/|x|max finite.</summary>
    public const float SmallestRowMagnitude = 7.88860905e-31f;

    /// <summary>The most inputs a layer may have: its <see cref="InputRange"/> is then still 127 (7 bits).</summary>
    public const int MaxInputs = int.MaxValue / (WeightBound * 127);

    /// <summary>
    /// The largest |code| of a quantized input row for a layer with <paramref name="inputs"/> inputs:
    /// min(32767, ⌊(2³¹ − 1) / (128·inputs)⌋). Then Σ_p |w_p|·|x_p| ≤ inputs·128·range ≤ 2³¹ − 1, so no int32 partial
    /// sum can overflow, whatever the weights and inputs (and each vpmaddwd pair sum, at most 2·128·32767, fits too).
    /// </summary>
    public static int InputRange(int inputs) => (int)Math.Min(short.MaxValue, int.MaxValue / ((long)WeightBound * inputs));

    /// <summary>Input pairs of a layer: ⌈inputs / 2⌉ (the quantized row's length is twice this).</summary>
    public static int Pairs(int inputs) => (inputs + 1) / 2;

    /// <summary>Packed blocks of a layer: ⌈units / 16⌉.</summary>
    public static int Blocks(int units) => (units + Block - 1) / Block;

    /// <summary>Bytes of the packed weights of a layer.</summary>
    public static int PackedLength(int units, int inputs) => checked(Blocks(units) * Pairs(inputs) * PairBytes);

    /// <summary>Packs row-major int8 weights [units, inputs] into the blocked layout described above.</summary>
    public static sbyte[] Pack(ReadOnlySpan<sbyte> weight, int units, int inputs)
    {
        if (weight.Length < units * inputs) ThrowHelper.KernelSpan(nameof(weight), units * inputs, weight.Length);
        int pairs = Pairs(inputs);
        var packed = new sbyte[PackedLength(units, inputs)];
        for (int u = 0; u < units; u++)
        {
            int at = u / Block * pairs * PairBytes + 2 * (u % Block);
            ReadOnlySpan<sbyte> row = weight.Slice(u * inputs, inputs);
            for (int p = 0; p < inputs; p++) packed[at + p / 2 * PairBytes + (p & 1)] = row[p];
        }
        return packed;
    }

    // ---- Quantizing input rows --------------------------------------------------------------------------------------

    /// <summary>
    /// Quantizes each of <paramref name="rows"/> float rows of <paramref name="inputs"/> values symmetrically to int16:
    /// s = max|x| / range, q = round(x · (range / max|x|)) (half to even; |q| ≤ range), written to
    /// <paramref name="quantized"/> with a row stride of 2·Pairs(inputs) (the padding value of an odd count is 0), and
    /// s to <paramref name="rowScale"/>. A row of zeros (max|x| below 2⁻¹⁰⁰) gets q = 0, s = 0; a row holding NaN or ±∞
    /// gets q = 0, s = NaN, so every output of the row is NaN.
    /// </summary>
    public static void QuantizeRows(int rows, int inputs, ReadOnlySpan<float> x, int range, Span<short> quantized, Span<float> rowScale)
        => QuantizeRows(rows, inputs, x, range, quantized, rowScale, Int8Width.PickElementwise(inputs));

    /// <summary><see cref="QuantizeRows(int, int, ReadOnlySpan{float}, int, Span{short}, Span{float})"/> at a given width (0: the scalar reference).</summary>
    internal static void QuantizeRows(int rows, int inputs, ReadOnlySpan<float> x, int range, Span<short> quantized, Span<float> rowScale, int width)
    {
        int stride = 2 * Pairs(inputs);
        if (x.Length < rows * inputs) ThrowHelper.KernelSpan(nameof(x), rows * inputs, x.Length);
        if (quantized.Length < rows * stride) ThrowHelper.KernelSpan(nameof(quantized), rows * stride, quantized.Length);
        if (rowScale.Length < rows) ThrowHelper.KernelSpan(nameof(rowScale), rows, rowScale.Length);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = x.Slice(r * inputs, inputs);
            Span<short> q = quantized.Slice(r * stride, stride);
            float max = width == 0 ? MaxAbsScalar(row) : Divergence.MaxAbs(row);
            if (!float.IsFinite(max) || max < SmallestRowMagnitude)
            {
                q.Clear();
                rowScale[r] = float.IsFinite(max) ? 0f : float.NaN;
                continue;
            }
            float inverse = range / max;
            rowScale[r] = max / range;
            ref float source = ref MemoryMarshal.GetReference(row);
            ref short destination = ref MemoryMarshal.GetReference(q);
            switch (width)
            {
                case 512: QuantizeRow<Vector512<int>, I512>(ref source, inputs, inverse, ref destination); break;
                case 256: QuantizeRow<Vector256<int>, I256>(ref source, inputs, inverse, ref destination); break;
                case 128: QuantizeRow<Vector128<int>, I128>(ref source, inputs, inverse, ref destination); break;
                default:
                    for (int i = 0; i < inputs; i++) q[i] = (short)MathF.Round(row[i] * inverse);
                    break;
            }
            if (stride > inputs) q[inputs] = 0;
        }
    }

    /// <summary>One row, Count values per step; the last step overlaps the previous one (it rewrites the same values).</summary>
    private static void QuantizeRow<TV, TS>(ref float source, int n, float inverse, ref short destination)
        where TV : struct where TS : IInt8Simd<TV>
    {
        int vc = TS.Count;
        nint i = 0;
        for (; i + vc <= n; i += vc) TS.Quantize(ref Unsafe.Add(ref source, i), inverse, ref Unsafe.Add(ref destination, i));
        if (i < n) TS.Quantize(ref Unsafe.Add(ref source, n - vc), inverse, ref Unsafe.Add(ref destination, n - vc));
    }

    /// <summary>max |x| with NaN above +∞ (as <see cref="Divergence.MaxAbs(ReadOnlySpan{float})"/>), element by element.</summary>
    private static float MaxAbsScalar(ReadOnlySpan<float> row)
    {
        float max = 0;
        foreach (float v in row)
        {
            if (float.IsNaN(v)) return float.NaN;
            max = Math.Max(max, Math.Abs(v));
        }
        return max;
    }

    // ---- The product ------------------------------------------------------------------------------------------------

    /// <summary>
    /// z[r, u] = (float)(Σ_p w[u, p]·q[r, p]) · (rowScale[r] · unitScale[u]) + bias[u] for the rows of
    /// <paramref name="quantized"/> (row stride 2·Pairs(inputs)) and the units [<paramref name="unit0"/>,
    /// <paramref name="unit1"/>) (each a multiple of 16, or unit1 = units), into <paramref name="z"/> [rows, units]. The vector paths read
    /// <paramref name="packed"/> and the scale and bias padded to whole blocks; the scalar path reads
    /// <paramref name="weight"/> [units, inputs].
    /// </summary>
    public static void Product(int rows, int units, int inputs, ReadOnlySpan<short> quantized, ReadOnlySpan<float> rowScale,
        ReadOnlySpan<sbyte> weight, ReadOnlySpan<sbyte> packed, ReadOnlySpan<float> unitScale, ReadOnlySpan<float> bias, Span<float> z,
        int unit0, int unit1)
        => Product(rows, units, inputs, quantized, rowScale, weight, packed, unitScale, bias, z, unit0, unit1, Int8Width.Pick());

    /// <summary>The product at a given width (0: the scalar reference).</summary>
    internal static void Product(int rows, int units, int inputs, ReadOnlySpan<short> quantized, ReadOnlySpan<float> rowScale,
        ReadOnlySpan<sbyte> weight, ReadOnlySpan<sbyte> packed, ReadOnlySpan<float> unitScale, ReadOnlySpan<float> bias, Span<float> z,
        int unit0, int unit1, int width)
    {
        int pairs = Pairs(inputs), padded = Blocks(units) * Block;
        if (quantized.Length < rows * 2 * pairs) ThrowHelper.KernelSpan(nameof(quantized), rows * 2 * pairs, quantized.Length);
        if (rowScale.Length < rows) ThrowHelper.KernelSpan(nameof(rowScale), rows, rowScale.Length);
        if (z.Length < rows * units) ThrowHelper.KernelSpan(nameof(z), rows * units, z.Length);
        if ((uint)unit0 > (uint)unit1 || unit1 > units || unit0 % Block != 0 || (unit1 % Block != 0 && unit1 != units))
            throw new ArgumentOutOfRangeException(nameof(unit0), Invariant($"The units [{unit0}, {unit1}) of {units} are not whole blocks of {Block}."));
        if (width == 0)
        {
            if (weight.Length < units * inputs) ThrowHelper.KernelSpan(nameof(weight), units * inputs, weight.Length);
            if (unitScale.Length < units) ThrowHelper.KernelSpan(nameof(unitScale), units, unitScale.Length);
            if (bias.Length < units) ThrowHelper.KernelSpan(nameof(bias), units, bias.Length);
            ProductScalar(rows, units, inputs, quantized, rowScale, weight, unitScale, bias, z, unit0, unit1);
            return;
        }
        if (packed.Length < PackedLength(units, inputs)) ThrowHelper.KernelSpan(nameof(packed), PackedLength(units, inputs), packed.Length);
        if (unitScale.Length < padded) ThrowHelper.KernelSpan(nameof(unitScale), padded, unitScale.Length);
        if (bias.Length < padded) ThrowHelper.KernelSpan(nameof(bias), padded, bias.Length);
        switch (width)
        {
            case 512: Core<Vector512<int>, I512>(rows, units, pairs, quantized, rowScale, packed, unitScale, bias, z, unit0, unit1); break;
            case 256: Core<Vector256<int>, I256>(rows, units, pairs, quantized, rowScale, packed, unitScale, bias, z, unit0, unit1); break;
            default: Core<Vector128<int>, I128>(rows, units, pairs, quantized, rowScale, packed, unitScale, bias, z, unit0, unit1); break;
        }
    }

    /// <summary>The scalar reference, from the row-major weights.</summary>
    internal static void ProductScalar(int rows, int units, int inputs, ReadOnlySpan<short> quantized, ReadOnlySpan<float> rowScale,
        ReadOnlySpan<sbyte> weight, ReadOnlySpan<float> unitScale, ReadOnlySpan<float> bias, Span<float> z, int unit0, int unit1)
    {
        int stride = 2 * Pairs(inputs);
        for (int r = 0; r < rows; r++)
            for (int u = unit0; u < unit1; u++)
            {
                int acc = 0;
                for (int p = 0; p < inputs; p++) acc += weight[u * inputs + p] * quantized[r * stride + p];
                z[r * units + u] = (float)acc * (rowScale[r] * unitScale[u]) + bias[u];
            }
    }

    /// <summary>
    /// Vector columns of Count units, four at a time (one for the last few); over them, tiles of 4 rows (512-bit: 16
    /// accumulators) or 2 rows (256/128-bit, 16 registers: 8 accumulators), then single rows (batch 1: 4 independent
    /// accumulator chains, each weight read once).
    /// </summary>
    [SkipLocalsInit]
    internal static void Core<TV, TS>(int rows, int units, int pairs, ReadOnlySpan<short> quantized, ReadOnlySpan<float> rowScale,
        ReadOnlySpan<sbyte> packed, ReadOnlySpan<float> unitScale, ReadOnlySpan<float> bias, Span<float> z, int unit0, int unit1)
        where TV : struct where TS : IInt8Simd<TV>
    {
        int vc = TS.Count;
        Span<float> tail = stackalloc float[Block];
        Span<int> finished = stackalloc int[16 * Block];
        var o = new Output<TV, TS>(z, rowScale, unitScale, bias, units, tail, finished);
        ref int x = ref Unsafe.As<short, int>(ref MemoryMarshal.GetReference(quantized));
        ref sbyte w = ref MemoryMarshal.GetReference(packed);
        int c1 = (unit1 + vc - 1) / vc;
        for (int c = unit0 / vc; c < c1;)
        {
            int v = c1 - c >= 4 ? 4 : 1;
            int r = 0;
            if (vc == 16)
                for (; r + 4 <= rows; r += 4) Tile4<TV, TS>(o, ref Unsafe.Add(ref x, (nint)r * pairs), pairs, ref w, r, c, v);
            else
                for (; r + 2 <= rows; r += 2) Tile2<TV, TS>(o, ref Unsafe.Add(ref x, (nint)r * pairs), pairs, ref w, r, c, v);
            for (; r < rows; r++) Tile1<TV, TS>(o, ref Unsafe.Add(ref x, (nint)r * pairs), pairs, ref w, r, c, v);
            c += v;
        }
    }

    /// <summary>The first weight byte of vector column <paramref name="c"/> (units c·Count …) at input pair 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref sbyte Column<TS, TV>(ref sbyte packed, int c, int pairs) where TV : struct where TS : IInt8Simd<TV>
    {
        int unit = c * TS.Count;
        return ref Unsafe.Add(ref packed, (nint)(unit / Block) * pairs * PairBytes + 2 * (unit % Block));
    }

    private static void Tile4<TV, TS>(in Output<TV, TS> o, ref int x0, nint pairs, ref sbyte packed, int r, int c, int v)
        where TV : struct where TS : IInt8Simd<TV>
    {
        ref int x1 = ref Unsafe.Add(ref x0, pairs);
        ref int x2 = ref Unsafe.Add(ref x1, pairs);
        ref int x3 = ref Unsafe.Add(ref x2, pairs);
        ref sbyte w0 = ref Column<TS, TV>(ref packed, c, (int)pairs);
        if (v == 4)
        {
            ref sbyte w1 = ref Column<TS, TV>(ref packed, c + 1, (int)pairs);
            ref sbyte w2 = ref Column<TS, TV>(ref packed, c + 2, (int)pairs);
            ref sbyte w3 = ref Column<TS, TV>(ref packed, c + 3, (int)pairs);
            TV a00 = TS.Zero, a01 = TS.Zero, a02 = TS.Zero, a03 = TS.Zero, a10 = TS.Zero, a11 = TS.Zero, a12 = TS.Zero, a13 = TS.Zero;
            TV a20 = TS.Zero, a21 = TS.Zero, a22 = TS.Zero, a23 = TS.Zero, a30 = TS.Zero, a31 = TS.Zero, a32 = TS.Zero, a33 = TS.Zero;
            for (nint p = 0; p < pairs; p++)
            {
                nint at = p * PairBytes;
                TV b0 = TS.LoadWeights(ref Unsafe.Add(ref w0, at)), b1 = TS.LoadWeights(ref Unsafe.Add(ref w1, at));
                TV b2 = TS.LoadWeights(ref Unsafe.Add(ref w2, at)), b3 = TS.LoadWeights(ref Unsafe.Add(ref w3, at)), xv;
                xv = TS.BroadcastPair(Unsafe.Add(ref x0, p));
                a00 = TS.MultiplyAddPairs(xv, b0, a00); a01 = TS.MultiplyAddPairs(xv, b1, a01); a02 = TS.MultiplyAddPairs(xv, b2, a02); a03 = TS.MultiplyAddPairs(xv, b3, a03);
                xv = TS.BroadcastPair(Unsafe.Add(ref x1, p));
                a10 = TS.MultiplyAddPairs(xv, b0, a10); a11 = TS.MultiplyAddPairs(xv, b1, a11); a12 = TS.MultiplyAddPairs(xv, b2, a12); a13 = TS.MultiplyAddPairs(xv, b3, a13);
                xv = TS.BroadcastPair(Unsafe.Add(ref x2, p));
                a20 = TS.MultiplyAddPairs(xv, b0, a20); a21 = TS.MultiplyAddPairs(xv, b1, a21); a22 = TS.MultiplyAddPairs(xv, b2, a22); a23 = TS.MultiplyAddPairs(xv, b3, a23);
                xv = TS.BroadcastPair(Unsafe.Add(ref x3, p));
                a30 = TS.MultiplyAddPairs(xv, b0, a30); a31 = TS.MultiplyAddPairs(xv, b1, a31); a32 = TS.MultiplyAddPairs(xv, b2, a32); a33 = TS.MultiplyAddPairs(xv, b3, a33);
            }
            o.Keep(0, a00); o.Keep(1, a01); o.Keep(2, a02); o.Keep(3, a03);
            o.Keep(4, a10); o.Keep(5, a11); o.Keep(6, a12); o.Keep(7, a13);
            o.Keep(8, a20); o.Keep(9, a21); o.Keep(10, a22); o.Keep(11, a23);
            o.Keep(12, a30); o.Keep(13, a31); o.Keep(14, a32); o.Keep(15, a33);
            o.Put(r, c, 4, 4);
            return;
        }
        TV s0 = TS.Zero, s1 = TS.Zero, s2 = TS.Zero, s3 = TS.Zero;
        for (nint p = 0; p < pairs; p++)
        {
            TV b = TS.LoadWeights(ref Unsafe.Add(ref w0, p * PairBytes));
            s0 = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x0, p)), b, s0);
            s1 = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x1, p)), b, s1);
            s2 = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x2, p)), b, s2);
            s3 = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x3, p)), b, s3);
        }
        o.Keep(0, s0); o.Keep(1, s1); o.Keep(2, s2); o.Keep(3, s3);
        o.Put(r, c, 4, 1);
    }

    private static void Tile2<TV, TS>(in Output<TV, TS> o, ref int x0, nint pairs, ref sbyte packed, int r, int c, int v)
        where TV : struct where TS : IInt8Simd<TV>
    {
        ref int x1 = ref Unsafe.Add(ref x0, pairs);
        ref sbyte w0 = ref Column<TS, TV>(ref packed, c, (int)pairs);
        if (v == 4)
        {
            ref sbyte w1 = ref Column<TS, TV>(ref packed, c + 1, (int)pairs);
            ref sbyte w2 = ref Column<TS, TV>(ref packed, c + 2, (int)pairs);
            ref sbyte w3 = ref Column<TS, TV>(ref packed, c + 3, (int)pairs);
            TV a00 = TS.Zero, a01 = TS.Zero, a02 = TS.Zero, a03 = TS.Zero, a10 = TS.Zero, a11 = TS.Zero, a12 = TS.Zero, a13 = TS.Zero;
            for (nint p = 0; p < pairs; p++)
            {
                nint at = p * PairBytes;
                TV b0 = TS.LoadWeights(ref Unsafe.Add(ref w0, at)), b1 = TS.LoadWeights(ref Unsafe.Add(ref w1, at));
                TV b2 = TS.LoadWeights(ref Unsafe.Add(ref w2, at)), b3 = TS.LoadWeights(ref Unsafe.Add(ref w3, at)), xv;
                xv = TS.BroadcastPair(Unsafe.Add(ref x0, p));
                a00 = TS.MultiplyAddPairs(xv, b0, a00); a01 = TS.MultiplyAddPairs(xv, b1, a01); a02 = TS.MultiplyAddPairs(xv, b2, a02); a03 = TS.MultiplyAddPairs(xv, b3, a03);
                xv = TS.BroadcastPair(Unsafe.Add(ref x1, p));
                a10 = TS.MultiplyAddPairs(xv, b0, a10); a11 = TS.MultiplyAddPairs(xv, b1, a11); a12 = TS.MultiplyAddPairs(xv, b2, a12); a13 = TS.MultiplyAddPairs(xv, b3, a13);
            }
            o.Keep(0, a00); o.Keep(1, a01); o.Keep(2, a02); o.Keep(3, a03);
            o.Keep(4, a10); o.Keep(5, a11); o.Keep(6, a12); o.Keep(7, a13);
            o.Put(r, c, 2, 4);
            return;
        }
        TV s0 = TS.Zero, s1 = TS.Zero;
        for (nint p = 0; p < pairs; p++)
        {
            TV b = TS.LoadWeights(ref Unsafe.Add(ref w0, p * PairBytes));
            s0 = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x0, p)), b, s0);
            s1 = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x1, p)), b, s1);
        }
        o.Keep(0, s0); o.Keep(1, s1);
        o.Put(r, c, 2, 1);
    }

    private static void Tile1<TV, TS>(in Output<TV, TS> o, ref int x0, nint pairs, ref sbyte packed, int r, int c, int v)
        where TV : struct where TS : IInt8Simd<TV>
    {
        ref sbyte w0 = ref Column<TS, TV>(ref packed, c, (int)pairs);
        if (v == 4)
        {
            ref sbyte w1 = ref Column<TS, TV>(ref packed, c + 1, (int)pairs);
            ref sbyte w2 = ref Column<TS, TV>(ref packed, c + 2, (int)pairs);
            ref sbyte w3 = ref Column<TS, TV>(ref packed, c + 3, (int)pairs);
            TV a0 = TS.Zero, a1 = TS.Zero, a2 = TS.Zero, a3 = TS.Zero;
            for (nint p = 0; p < pairs; p++)
            {
                nint at = p * PairBytes;
                TV xv = TS.BroadcastPair(Unsafe.Add(ref x0, p));
                a0 = TS.MultiplyAddPairs(xv, TS.LoadWeights(ref Unsafe.Add(ref w0, at)), a0);
                a1 = TS.MultiplyAddPairs(xv, TS.LoadWeights(ref Unsafe.Add(ref w1, at)), a1);
                a2 = TS.MultiplyAddPairs(xv, TS.LoadWeights(ref Unsafe.Add(ref w2, at)), a2);
                a3 = TS.MultiplyAddPairs(xv, TS.LoadWeights(ref Unsafe.Add(ref w3, at)), a3);
            }
            o.Keep(0, a0); o.Keep(1, a1); o.Keep(2, a2); o.Keep(3, a3);
            o.Put(r, c, 1, 4);
            return;
        }
        TV s = TS.Zero;
        for (nint p = 0; p < pairs; p++)
            s = TS.MultiplyAddPairs(TS.BroadcastPair(Unsafe.Add(ref x0, p)), TS.LoadWeights(ref Unsafe.Add(ref w0, p * PairBytes)), s);
        o.Keep(0, s);
        o.Put(r, c, 1, 1);
    }

    /// <summary>
    /// The output side of a product: a tile's finished accumulators are first stored to a small stack buffer
    /// (<see cref="Keep"/>), which ends their lives in registers; then each is dequantized into its row
    /// (<see cref="Put"/>). (Dequantizing straight from the registers kept them live across the tail's copy, a call, and
    /// the JIT then spilled three of the four batch-1 accumulators to the stack inside the loop: 8.95 µs instead of
    /// ~2.6 µs for the seed model's first layer.) A vector reaching past the last unit (the padded end of the last block)
    /// is computed whole and only its valid lanes copied, so nothing is written past a row.
    /// </summary>
    private readonly ref struct Output<TV, TS> where TV : struct where TS : IInt8Simd<TV>
    {
        private readonly ref float _z, _rowScale, _unitScale, _bias;
        private readonly int _units;
        private readonly Span<float> _tail;
        private readonly ref int _finished;

        public Output(Span<float> z, ReadOnlySpan<float> rowScale, ReadOnlySpan<float> unitScale, ReadOnlySpan<float> bias, int units, Span<float> tail, Span<int> finished)
        {
            _z = ref MemoryMarshal.GetReference(z);
            _rowScale = ref MemoryMarshal.GetReference(rowScale);
            _unitScale = ref MemoryMarshal.GetReference(unitScale);
            _bias = ref MemoryMarshal.GetReference(bias);
            _units = units;
            _tail = tail;
            _finished = ref MemoryMarshal.GetReference(finished);
        }

        /// <summary>Stores finished accumulator <paramref name="i"/> of a tile (row-major over the tile's rows × columns).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Keep(int i, TV acc) => Unsafe.WriteUnaligned(ref Unsafe.As<int, byte>(ref Unsafe.Add(ref _finished, i * TS.Count)), acc);

        /// <summary>Dequantizes a kept tile of <paramref name="rows"/> × <paramref name="columns"/> vectors from (row, c).</summary>
        public void Put(int row, int c, int rows, int columns)
        {
            for (int i = 0; i < rows; i++)
            {
                float rowScale = Unsafe.Add(ref _rowScale, row + i);
                ref float destination = ref Unsafe.Add(ref _z, (nint)(row + i) * _units);
                for (int j = 0; j < columns; j++)
                {
                    TV acc = Unsafe.ReadUnaligned<TV>(ref Unsafe.As<int, byte>(ref Unsafe.Add(ref _finished, (i * columns + j) * TS.Count)));
                    int unit = (c + j) * TS.Count;
                    if (unit + TS.Count <= _units)
                    {
                        TS.Dequantize(acc, rowScale, ref Unsafe.Add(ref _unitScale, unit), ref Unsafe.Add(ref _bias, unit), ref Unsafe.Add(ref destination, unit));
                        continue;
                    }
                    TS.Dequantize(acc, rowScale, ref Unsafe.Add(ref _unitScale, unit), ref Unsafe.Add(ref _bias, unit), ref MemoryMarshal.GetReference(_tail));
                    _tail.Slice(0, _units - unit).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref destination, unit), _units - unit));
                }
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
