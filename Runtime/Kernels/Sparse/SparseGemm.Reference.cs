using System;

namespace Compiled.Kernels;

// The scalar references: the formulas written out element by element, used where no vector width applies and by the
// tests. Forward and both weight gradients use the same fused multiply-adds in the same order as the vector cores, so
// on FMA hardware they agree bit for bit; the delta's reference is a plain sum over the outputs in order.
public static partial class SparseGemm
{
    /// <summary>Lists the active entries one element at a time (the reference for <see cref="BuildActive"/>).</summary>
    internal static int BuildActiveScalar(int rows, int units, ReadOnlySpan<float> a, in ActiveSet s)
    {
        int nnz = 0;
        for (int r = 0; r < rows; r++)
        {
            s.RowStart[r] = nnz;
            for (int j = 0; j < units; j++)
            {
                float v = a[r * units + j];
                if (v == 0) continue;
                s.Columns[nnz] = j;
                s.Values[nnz] = v;
                nnz++;
            }
        }
        s.RowStart[rows] = nnz;
        IndexByUnit(s, nnz);
        return nnz;
    }

    /// <summary>Y[b, o] = bias[o] + Σ_k v_k·W[o, j_k], the sum from the bias in ascending unit order, each term fused.</summary>
    internal static void ActiveXWtScalar(int n, int units, in ActiveSet s, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
    {
        for (int b = 0; b < s.Rows; b++)
            for (int o = 0; o < n; o++)
            {
                float sum = bias[o];
                for (int k = s.RowStart[b]; k < s.RowStart[b + 1]; k++)
                    sum = MathF.FusedMultiplyAdd(s.Values[k], w[o * units + s.Columns[k]], sum);
                y[b * n + o] = sum;
            }
    }

    /// <summary>δ_k = f′_k·Σ_o D[b, o]·W[o, j_k], summed in output order; the optional dense copy with zeros elsewhere.</summary>
    internal static void DWAtActiveScalar(int n, int units, in ActiveSet s, ReadOnlySpan<float> d, ReadOnlySpan<float> w,
        ReadOnlySpan<float> derivative, Span<float> delta, Span<float> dense)
    {
        if (!dense.IsEmpty) dense.Slice(0, s.Rows * units).Clear();
        for (int b = 0; b < s.Rows; b++)
            for (int k = s.RowStart[b]; k < s.RowStart[b + 1]; k++)
            {
                int j = s.Columns[k];
                float sum = 0;
                for (int o = 0; o < n; o++) sum += d[b * n + o] * w[o * units + j];
                if (!derivative.IsEmpty) sum *= derivative[k];
                delta[k] = sum;
                if (!dense.IsEmpty) dense[b * units + j] = sum;
            }
    }

    /// <summary>
    /// G[o, j] = Σ_e v_e·D[b_e, o] (unit j's entries in row order, fused) + l1·sign(W) + 2·l2·W (two fused steps); with
    /// <paramref name="update"/>, W ← G·step + W instead of storing G.
    /// </summary>
    internal static void DtActiveScalar(int n, int units, ReadOnlySpan<float> d, in ActiveSet s, Span<float> output, ReadOnlySpan<float> pen,
        float l1, float l2, bool update, float step)
    {
        for (int o = 0; o < n; o++)
            for (int j = 0; j < units; j++)
            {
                float g = 0;
                for (int e = s.UnitStart[j]; e < s.UnitStart[j + 1]; e++)
                    g = MathF.FusedMultiplyAdd(s.Values[s.UnitEntries[e]], d[s.UnitRows[e] * n + o], g);
                Finish(output, pen, o * units + j, g, l1, l2, update, step);
            }
    }

    /// <summary>G[j, c] = Σ_e δ_e·X[b_e, c] (unit j's entries in row order, fused) + penalty; or the SGD update.</summary>
    internal static void ActiveDtXScalar(int units, int k, in ActiveSet s, ReadOnlySpan<float> delta, ReadOnlySpan<float> x, Span<float> output, ReadOnlySpan<float> pen,
        float l1, float l2, bool update, float step)
    {
        for (int j = 0; j < units; j++)
            for (int c = 0; c < k; c++)
            {
                float g = 0;
                for (int e = s.UnitStart[j]; e < s.UnitStart[j + 1]; e++)
                    g = MathF.FusedMultiplyAdd(delta[s.UnitEntries[e]], x[s.UnitRows[e] * k + c], g);
                Finish(output, pen, j * k + c, g, l1, l2, update, step);
            }
    }

    private static void Finish(Span<float> output, ReadOnlySpan<float> pen, int i, float g, float l1, float l2, bool update, float step)
    {
        if (l1 != 0 || l2 != 0) g = MathF.FusedMultiplyAdd(2 * l2, pen[i], MathF.FusedMultiplyAdd(l1, ScalarMath.Sign(pen[i]), g));
        if (update) output[i] = g * step + output[i];
        else output[i] = g;
    }
}
