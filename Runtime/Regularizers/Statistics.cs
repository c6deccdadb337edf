using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>Sums over a tensor that the penalties and the sparsity telemetry need, all from one pass.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct TensorSums(double SumAbs, double SumSquares, int BelowEpsilon, int Zeros, int DeadUnits);

/// <summary>One-pass reductions over activations and weights.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Statistics
{
    /// <summary>
    /// Σ|t|, Σt², count(|t| &lt; ε), count(t == 0) over a row-major <c>[rows, units]</c> tensor, and the number of units
    /// whose |t| stays below ε on every row ("dead" in this batch). <paramref name="unitMaxAbs"/> is scratch of
    /// <paramref name="units"/> floats; pass it empty to skip the dead-unit count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TensorSums Activity(ReadOnlySpan<float> t, int units, float epsilon, Span<float> unitMaxAbs)
    {
        bool dead = !unitMaxAbs.IsEmpty;
        if (dead)
        {
            if (unitMaxAbs.Length < units) ThrowHelper.KernelSpan(nameof(unitMaxAbs), units, unitMaxAbs.Length);
            unitMaxAbs.Slice(0, units).Clear();
        }
        double sumAbs = 0, sumSq = 0;
        int below = 0, zeros = 0;
        int rows = units == 0 ? 0 : t.Length / units;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = t.Slice(r * units, units);
            Span<float> max = dead ? unitMaxAbs.Slice(0, units) : default;
            (float a, float s, float b, float z) = Width.Pick(units) switch
            {
                512 => RowCore<Vector512<float>, V512>(row, epsilon, max),
                256 => RowCore<Vector256<float>, V256>(row, epsilon, max),
                128 => RowCore<Vector128<float>, V128>(row, epsilon, max),
                _ => RowScalar(row, epsilon, max),
            };
            sumAbs += a; sumSq += s; below += (int)b; zeros += (int)z;
        }
        int deadUnits = 0;
        if (dead && rows > 0)
            foreach (float m in unitMaxAbs.Slice(0, units))
                if (m < epsilon) deadUnits++;
        return new TensorSums(sumAbs, sumSq, below, zeros, deadUnits);
    }

    /// <summary>Σ|w|, Σw² and the exact-zero count of a weight block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TensorSums Weights(ReadOnlySpan<float> w)
    {
        double sumAbs = 0, sumSq = 0;
        int zeros = 0;
        // Chunks keep the float partial sums short, so large matrices do not lose precision.
        const int Chunk = 4096;
        for (int i = 0; i < w.Length; i += Chunk)
        {
            ReadOnlySpan<float> part = w.Slice(i, Math.Min(Chunk, w.Length - i));
            (float a, float s, float _, float z) = Width.Pick(part.Length) switch
            {
                512 => RowCore<Vector512<float>, V512>(part, 0f, default),
                256 => RowCore<Vector256<float>, V256>(part, 0f, default),
                128 => RowCore<Vector128<float>, V128>(part, 0f, default),
                _ => RowScalar(part, 0f, default),
            };
            sumAbs += a; sumSq += s; zeros += (int)z;
        }
        return new TensorSums(sumAbs, sumSq, 0, zeros, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float SumAbs, float SumSq, float Below, float Zeros) RowCore<TV, TS>(ReadOnlySpan<float> rowSpan, float epsilon, Span<float> maxSpan)
        where TV : struct where TS : ISimd<TV>
    {
        ref float t = ref MemoryMarshal.GetReference(rowSpan);
        ref float mx = ref MemoryMarshal.GetReference(maxSpan);
        bool dead = !maxSpan.IsEmpty;
        int n = rowSpan.Length, vc = TS.Count;
        TV eps = TS.Splat(epsilon);
        TV abs = TS.Zero, sq = TS.Zero, below = TS.Zero, zeros = TS.Zero;
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            TV v = TS.Load(ref t, i), av = TS.Abs(v);
            abs = TS.Add(abs, av); sq = TS.MultiplyAdd(v, v, sq);
            below = TS.Add(below, TS.LessThan(av, eps)); zeros = TS.Add(zeros, TS.IsZero(v));
            if (dead) TS.Store(TS.Max(TS.Load(ref mx, i), av), ref mx, i);
        }
        if (i < n)
        {
            nint last = n - vc;
            TV fresh = TS.LanesFrom((int)(i - last));
            TV v = TS.And(TS.Load(ref t, last), fresh), av = TS.Abs(v);
            abs = TS.Add(abs, av); sq = TS.MultiplyAdd(v, v, sq);
            below = TS.Add(below, TS.And(TS.LessThan(av, eps), fresh)); zeros = TS.Add(zeros, TS.And(TS.IsZero(v), fresh));
            if (dead) TS.Store(TS.Max(TS.Load(ref mx, last), av), ref mx, last);
        }
        return (TS.Sum(abs), TS.Sum(sq), TS.Sum(below), TS.Sum(zeros));
    }

    internal static (float SumAbs, float SumSq, float Below, float Zeros) RowScalar(ReadOnlySpan<float> row, float epsilon, Span<float> max)
    {
        float abs = 0, sq = 0, below = 0, zeros = 0;
        for (int i = 0; i < row.Length; i++)
        {
            float v = row[i], av = MathF.Abs(v);
            abs += av; sq += v * v;
            if (av < epsilon) below++;
            if (v == 0) zeros++;
            if (!max.IsEmpty && av > max[i]) max[i] = av;
        }
        return (abs, sq, below, zeros);
    }
}
