using System;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

public static partial class SparseGemm
{
    /// <summary>
    /// The values of a dense [rows, units] matrix at the active entries, aligned with them:
    /// <paramref name="aligned"/>[k] = <paramref name="dense"/>[b, Columns[k]] for every entry k of row b — the form
    /// <see cref="ActiveDtX"/> reads, after the activation's backward kernel has finished a delta in its dense buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(in ActiveSet active, ReadOnlySpan<float> dense, Span<float> aligned)
    {
        int rows = active.Rows, units = active.Units, count = active.Count;
        if (dense.Length < (long)rows * units) ThrowHelper.KernelSpan(nameof(dense), (long)rows * units, dense.Length);
        if (aligned.Length < count) ThrowHelper.KernelSpan(nameof(aligned), count, aligned.Length);
        ReadOnlySpan<int> starts = active.RowStart, columns = active.Columns;
        for (int b = 0; b < rows; b++)
        {
            ReadOnlySpan<float> row = dense.Slice(b * units, units);
            for (int k = starts[b]; k < starts[b + 1]; k++) aligned[k] = row[columns[k]];
        }
    }
}
