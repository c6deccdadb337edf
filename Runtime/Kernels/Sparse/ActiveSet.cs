using System;
using System.ComponentModel;

namespace Compiled.Kernels;

/// <summary>
/// The active (nonzero) entries of a row-major <c>[rows, units]</c> matrix A — a ReLU, TopK or JumpReLU code — listed
/// two ways over caller-owned memory (one int buffer and one float buffer, sized by <see cref="IntsLength"/> and
/// <see cref="ValuesLength"/>), filled by <see cref="SparseGemm.BuildActive"/>:
/// <list type="bullet">
/// <item>by row (CSR): the entries of row b are k ∈ [<see cref="RowStart"/>[b], <see cref="RowStart"/>[b + 1]), in
/// ascending unit order, entry k at unit <see cref="Columns"/>[k] with value <see cref="Values"/>[k];</item>
/// <item>by unit (CSC over the same entries): the entries of unit j are e ∈ [<see cref="UnitStart"/>[j],
/// <see cref="UnitStart"/>[j + 1]), in ascending row order, each naming its row <see cref="UnitRows"/>[e] and its
/// entry <see cref="UnitEntries"/>[e] (an index into <see cref="Columns"/>, <see cref="Values"/> and any array of
/// values aligned with them, such as the deltas written by <see cref="SparseGemm.DWAtActive"/>).</item>
/// </list>
/// A view only: it owns nothing, allocates nothing, and is built once per batch by the pass that computes the activation.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly ref struct ActiveSet
{
    /// <summary>Rows of A (the batch).</summary>
    public readonly int Rows;

    /// <summary>Columns of A (the layer's units).</summary>
    public readonly int Units;

    /// <summary>[rows + 1]: row b's entries are [RowStart[b], RowStart[b + 1]); RowStart[rows] is the entry count.</summary>
    public readonly Span<int> RowStart;

    /// <summary>[rows·units] capacity: the unit (column of A) of each entry, ascending within a row.</summary>
    public readonly Span<int> Columns;

    /// <summary>[rows·units] capacity: the value A[b, j] of each entry.</summary>
    public readonly Span<float> Values;

    /// <summary>[units + 1]: unit j's entries are [UnitStart[j], UnitStart[j + 1]) of <see cref="UnitRows"/> and <see cref="UnitEntries"/>.</summary>
    public readonly Span<int> UnitStart;

    /// <summary>[rows·units] capacity: the row of each entry in unit order (ascending rows within a unit).</summary>
    public readonly Span<int> UnitRows;

    /// <summary>[rows·units] capacity: the entry index k (into <see cref="Columns"/>/<see cref="Values"/>) of each entry in unit order.</summary>
    public readonly Span<int> UnitEntries;

    /// <summary>
    /// A view of the lists of a <c>[rows, units]</c> matrix over <paramref name="ints"/> (at least
    /// <see cref="IntsLength"/>(rows, units) ints) and <paramref name="values"/> (at least rows·units floats).
    /// </summary>
    public ActiveSet(int rows, int units, Span<int> ints, Span<float> values)
    {
        long cells = (long)rows * units;
        long need = IntsLength(rows, units);
        if (rows < 0 || units < 0 || need > int.MaxValue) ThrowHelper.KernelSpan(nameof(ints), need, ints.Length);
        if (ints.Length < need) ThrowHelper.KernelSpan(nameof(ints), need, ints.Length);
        if (values.Length < cells) ThrowHelper.KernelSpan(nameof(values), cells, values.Length);
        int c = (int)cells;
        Rows = rows;
        Units = units;
        RowStart = ints.Slice(0, rows + 1);
        UnitStart = ints.Slice(rows + 1, units + 1);
        int at = rows + units + 2;
        Columns = ints.Slice(at, c);
        UnitRows = ints.Slice(at + c, c);
        UnitEntries = ints.Slice(at + 2 * c, c);
        Values = values.Slice(0, c);
    }

    /// <summary>A view over lists already laid out (the thread split of <see cref="SparseGemm"/> rebuilds it from pointers).</summary>
    internal ActiveSet(int rows, int units, Span<int> rowStart, Span<int> columns, Span<float> values, Span<int> unitStart, Span<int> unitRows, Span<int> unitEntries)
    {
        Rows = rows; Units = units;
        RowStart = rowStart; Columns = columns; Values = values; UnitStart = unitStart; UnitRows = unitRows; UnitEntries = unitEntries;
    }

    /// <summary>Ints an <see cref="ActiveSet"/> of a <c>[rows, units]</c> matrix needs: (rows + 1) + (units + 1) + 3·rows·units.</summary>
    public static long IntsLength(int rows, int units) => (long)rows + units + 2 + 3L * rows * units;

    /// <summary>Floats an <see cref="ActiveSet"/> of a <c>[rows, units]</c> matrix needs: rows·units.</summary>
    public static long ValuesLength(int rows, int units) => (long)rows * units;

    /// <summary>The number of active entries (valid after <see cref="SparseGemm.BuildActive"/>).</summary>
    public int Count => RowStart[Rows];
}
