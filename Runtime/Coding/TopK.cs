using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// TopK and BatchTopK codes (Gao et al. 2024; Bussmann et al. 2024): which units of a [batch, units] layer are kept, the
/// mask of the kept ones, and the zeroing of the others in the activations and in the deltas.
/// </summary>
/// <remarks>
/// Selection is on the pre-activation z; the layer's activation is applied to every unit and the unkept are set to 0
/// after it, so a = f(z) on the kept units exactly. Ties at the boundary go to the lower index (row-major index for
/// BatchTopK): of equal values, the earlier ones are kept. NaN ranks as −∞ (below every finite value, tied with −∞ by index). The mask holds 1 for
/// a kept unit, 0 otherwise; the backward pass multiplies the delta by it (the gradient flows through kept units only).
/// </remarks>
public static class TopK
{
    /// <summary>
    /// Per row of <paramref name="z"/> [batch, units]: keeps the <paramref name="k"/> largest values, writes the mask and
    /// sets <paramref name="a"/> to 0 outside it. <paramref name="scratch"/> holds at least <paramref name="units"/> values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<T>(ReadOnlySpan<T> z, Span<T> a, Span<byte> kept, int batch, int units, int k, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
        => Rows(z, a, kept, batch, units, k, scratch, null);

    /// <summary>The widest float row whose parts run on the pool: each part's scratch is on its own stack (32 KB).</summary>
    internal const int ParallelMaxUnits = 8192;

    /// <summary>
    /// <see cref="Rows{T}(ReadOnlySpan{T}, Span{T}, Span{byte}, int, int, int, Span{T})"/> with the rows of a float layer of
    /// at most 8,192 units shared among <paramref name="pool"/>'s threads (each row is selected alone, so any split gives
    /// the same result).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Rows<T>(ReadOnlySpan<T> z, Span<T> a, Span<byte> kept, int batch, int units, int k, Span<T> scratch, WorkerPool? pool)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long n = (long)batch * units;
        if (z.Length < n) ThrowHelper.KernelSpan(nameof(z), n, z.Length);
        if (a.Length < n) ThrowHelper.KernelSpan(nameof(a), n, a.Length);
        if (kept.Length < n) ThrowHelper.KernelSpan(nameof(kept), n, kept.Length);
        if (scratch.Length < units) ThrowHelper.KernelSpan(nameof(scratch), units, scratch.Length);
        if ((uint)(k - 1) >= (uint)units) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be between 1 and units.");
        if (pool is not null && typeof(T) == typeof(float) && batch >= 2 && units <= ParallelMaxUnits)
        {
            fixed (T* pz = z, pa = a)
            fixed (byte* pk = kept)
            {
                var job = new RowsJob { Z = (float*)pz, A = (float*)pa, Kept = pk, Batch = batch, Units = units, K = k };
                pool.Run(&RowsPart, &job);
            }
            return;
        }
        for (int r = 0; r < batch; r++)
        {
            ReadOnlySpan<T> zr = z.Slice(r * units, units);
            if (typeof(T) == typeof(float)
                && KeepFloat(MemoryMarshal.Cast<T, float>(zr), MemoryMarshal.Cast<T, float>(a.Slice(r * units, units)),
                    kept.Slice(r * units, units), k, MemoryMarshal.Cast<T, float>(scratch.Slice(0, units))))
                continue;
            Keep(zr, kept.Slice(r * units, units), k, scratch.Slice(0, units));
            Zero(a.Slice(r * units, units), kept.Slice(r * units, units));
        }
    }

    private unsafe struct RowsJob
    {
        public float* Z, A;
        public byte* Kept;
        public int Batch, Units, K;
    }

    /// <summary>One part's rows: contiguous, about batch / parts of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowsPart(void* state, int part, int parts)
    {
        ref RowsJob j = ref *(RowsJob*)state;
        int per = (j.Batch + parts - 1) / parts;
        int r0 = part * per, r1 = Math.Min(j.Batch, r0 + per);
        Span<float> scratch = stackalloc float[j.Units];
        for (int r = r0; r < r1; r++)
        {
            var zr = new ReadOnlySpan<float>(j.Z + (long)r * j.Units, j.Units);
            var ar = new Span<float>(j.A + (long)r * j.Units, j.Units);
            var kr = new Span<byte>(j.Kept + (long)r * j.Units, j.Units);
            if (KeepFloat(zr, ar, kr, j.K, scratch)) continue;
            Keep(zr, kr, j.K, scratch);
            Zero(ar, kr);
        }
    }

    /// <summary>The most groups <see cref="KeepFloat"/> bounds the k-th largest value with (so k ≤ 128 takes it).</summary>
    internal const int FastGroups = 128;

    /// <summary>
    /// <see cref="Keep{T}"/> and <see cref="Zero{T}"/> of one float row, 512 bits at a time, for k ≤ 128 and rows of at
    /// least 2·16·⌈k/16⌉ values; false (nothing written) where it does not apply, NaN among the group maxima, or a
    /// bound that fails (fewer than k values above it, or −∞), so the caller takes the reference path. The same kept set.
    /// <para>
    /// The row's full vectors are dealt round-robin to g = 16·⌈k/16⌉ disjoint lanes ("groups"); the k-th largest of the g
    /// group maxima is ≤ the row's k-th largest value v (it and the k − 1 maxima above it are k distinct values of the
    /// row). So the values ≥ that bound — for a row of 4,096 and k = 32 typically a few dozen — contain every value ≥ v:
    /// v is found by selection among them alone. Then one pass marks x &gt; v and the first (k − #above) values equal to
    /// v in index order, and zeros the activations outside the kept set.
    /// </para>
    /// </summary>
    private static bool KeepFloat(ReadOnlySpan<float> x, Span<float> a, Span<byte> kept, int k, Span<float> scratch)
    {
        int n = x.Length;
        int accumulators = (k + 15) >> 4, vectors = n >> 4;
        if (!Vector512.IsHardwareAccelerated || k > FastGroups || vectors < 2 * accumulators) return false;
        int groups = accumulators << 4;
        ref float x0 = ref MemoryMarshal.GetReference(x);

        // 1. The group maxima and their k-th largest: a lower bound of v.
        Span<float> maxima = stackalloc float[FastGroups];
        for (int g = 0; g < accumulators; g++) Vector512.LoadUnsafe(ref x0, (nuint)(g << 4)).CopyTo(maxima.Slice(g << 4));
        for (int i = accumulators, g = 0; i < vectors; i++)
        {
            Span<float> m = maxima.Slice(g << 4, 16);
            Vector512.Max(Vector512.Create((ReadOnlySpan<float>)m), Vector512.LoadUnsafe(ref x0, (nuint)(i << 4))).CopyTo(m);
            if (++g == accumulators) g = 0;
        }
        for (int g = 0; g < groups; g++)
            if (float.IsNaN(maxima[g])) return false;
        float bound = Select(maxima.Slice(0, groups), groups - k);
        if (float.IsNegativeInfinity(bound)) return false;

        // 2. The values ≥ the bound (NaN never is), then v among them.
        int count = 0;
        var b = Vector512.Create(bound);
        for (int i = 0; i < vectors; i++)
        {
            Vector512<float> v = Vector512.LoadUnsafe(ref x0, (nuint)(i << 4));
            ulong bits = Vector512.GreaterThanOrEqual(v, b).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int lane = BitOperations.TrailingZeroCount(bits);
                scratch[count++] = x[(i << 4) + lane];
                bits &= bits - 1;
            }
        }
        for (int i = vectors << 4; i < n; i++)
            if (x[i] >= bound) scratch[count++] = x[i];
        if (count < k) return false;
        float kth = Select(scratch.Slice(0, count), count - k);
        int above = 0;
        for (int i = 0; i < count; i++)
            if (scratch[i] > kth) above++;
        int ties = k - above;

        // 3. Mark x > v and the first `ties` values equal to v; zero a elsewhere.
        var t = Vector512.Create(kth);
        ref float a0 = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < vectors; i++)
        {
            int at = i << 4;
            Vector512<float> v = Vector512.LoadUnsafe(ref x0, (nuint)at);
            ulong gt = Vector512.GreaterThan(v, t).ExtractMostSignificantBits();
            ulong eq = ties > 0 ? Vector512.Equals(v, t).ExtractMostSignificantBits() : 0;
            Vector128<byte>.Zero.CopyTo(kept.Slice(at, 16));
            if ((gt | eq) == 0)
            {
                Vector512<float>.Zero.StoreUnsafe(ref a0, (nuint)at);
                continue;
            }
            for (int lane = 0; lane < 16; lane++)
            {
                bool keep = ((gt >> lane) & 1) != 0 || (((eq >> lane) & 1) != 0 && ties-- > 0);
                if (keep) kept[at + lane] = 1;
                else a[at + lane] = 0;
            }
        }
        for (int i = vectors << 4; i < n; i++)
        {
            bool keep = x[i] > kth || (x[i] == kth && ties-- > 0);
            kept[i] = keep ? (byte)1 : (byte)0;
            if (!keep) a[i] = 0;
        }
        return true;
    }

    /// <summary>
    /// BatchTopK in training: of all batch·units values of <paramref name="z"/>, keeps the <paramref name="keep"/> largest
    /// (k·B), writes the mask and zeros <paramref name="a"/> outside it. <paramref name="scratch"/> holds batch·units values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Batch<T>(ReadOnlySpan<T> z, Span<T> a, Span<byte> kept, int batch, int units, int keep, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = checked(batch * units);
        if (z.Length < n) ThrowHelper.KernelSpan(nameof(z), n, z.Length);
        if (a.Length < n) ThrowHelper.KernelSpan(nameof(a), n, a.Length);
        if (kept.Length < n) ThrowHelper.KernelSpan(nameof(kept), n, kept.Length);
        if (scratch.Length < n) ThrowHelper.KernelSpan(nameof(scratch), n, scratch.Length);
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep must be at least 1.");
        if (keep >= n)
        {
            kept.Slice(0, n).Fill(1);
            return;
        }
        Keep(z.Slice(0, n), kept.Slice(0, n), keep, scratch.Slice(0, n));
        Zero(a.Slice(0, n), kept.Slice(0, n));
    }

    /// <summary>
    /// BatchTopK at inference: a ← a·[a &gt; θ] (dictionary_learning's <c>use_threshold</c>), with θ the learned threshold;
    /// a negative θ (never learned) keeps every unit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Threshold<T>(Span<T> a, T threshold) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (threshold < T.Zero) return;
        for (int i = 0; i < a.Length; i++)
            if (!(a[i] > threshold)) a[i] = T.Zero;
    }

    /// <summary>
    /// The BatchTopK threshold after a training batch: m_b = the smallest positive kept activation of row b, m = the mean
    /// of m_b over the rows that have one; θ ← m the first time (θ &lt; 0), else 0.999·θ + 0.001·m. Rows with no positive kept
    /// activation are left out of the mean; a batch with none leaves θ unchanged.
    /// </summary>
    public static T UpdateThreshold<T>(ReadOnlySpan<T> a, ReadOnlySpan<byte> kept, int batch, int units, T threshold)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        int rows = 0;
        for (int r = 0; r < batch; r++)
        {
            ReadOnlySpan<T> ar = a.Slice(r * units, units);
            ReadOnlySpan<byte> kr = kept.Slice(r * units, units);
            T min = T.PositiveInfinity;
            for (int j = 0; j < units; j++)
                if (kr[j] != 0 && ar[j] > T.Zero && ar[j] < min) min = ar[j];
            if (T.IsFinite(min))
            {
                sum += double.CreateTruncating(min);
                rows++;
            }
        }
        if (rows == 0) return threshold;
        double mean = sum / rows;
        return threshold < T.Zero ? T.CreateTruncating(mean) : T.CreateTruncating(0.999 * double.CreateTruncating(threshold) + 0.001 * mean);
    }

    /// <summary>d ← d·mask: the gradient flows through the kept units only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mask<T>(Span<T> d, ReadOnlySpan<byte> kept) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (kept.Length < d.Length) ThrowHelper.KernelSpan(nameof(kept), d.Length, kept.Length);
        Zero(d, kept);
    }

    /// <summary>Units kept in a [rows, units] mask.</summary>
    public static long Count(ReadOnlySpan<byte> kept)
    {
        long n = 0;
        foreach (byte b in kept) n += b;
        return n;
    }

    private static void Zero<T>(Span<T> values, ReadOnlySpan<byte> kept) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < values.Length; j++)
            if (kept[j] == 0) values[j] = T.Zero;
    }

    /// <summary>
    /// Marks the <paramref name="k"/> largest of <paramref name="values"/>: the k-th largest v is found by selection on a
    /// copy; every value above v is kept, then values equal to v in index order until k are kept.
    /// </summary>
    private static void Keep<T>(ReadOnlySpan<T> values, Span<byte> kept, int k, Span<T> scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = values.Length;
        for (int i = 0; i < n; i++) scratch[i] = T.IsNaN(values[i]) ? T.NegativeInfinity : values[i];
        T v = Select(scratch.Slice(0, n), n - k); // ascending order statistic: k values are ≥ v
        int above = 0;
        for (int i = 0; i < n; i++)
        {
            T x = T.IsNaN(values[i]) ? T.NegativeInfinity : values[i];
            if (x > v) above++;
        }
        int ties = k - above;
        for (int i = 0; i < n; i++)
        {
            T x = T.IsNaN(values[i]) ? T.NegativeInfinity : values[i];
            byte keep = 0;
            if (x > v) keep = 1;
            else if (x == v && ties > 0) { keep = 1; ties--; }
            kept[i] = keep;
        }
    }

    /// <summary>The value of rank <paramref name="rank"/> (0 = smallest) of <paramref name="s"/>, which it reorders (quickselect, median of three).</summary>
    internal static T Select<T>(Span<T> s, int rank) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int lo = 0, hi = s.Length - 1;
        while (hi > lo)
        {
            int mid = lo + ((hi - lo) >> 1);
            // Median of three as pivot.
            if (s[mid] < s[lo]) Swap(s, mid, lo);
            if (s[hi] < s[lo]) Swap(s, hi, lo);
            if (s[hi] < s[mid]) Swap(s, hi, mid);
            T pivot = s[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (s[i] < pivot) i++;
                while (pivot < s[j]) j--;
                if (i <= j)
                {
                    Swap(s, i, j);
                    i++;
                    j--;
                }
            }
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return s[rank];
        }
        return s[rank];
    }

    private static void Swap<T>(Span<T> s, int i, int j) => (s[i], s[j]) = (s[j], s[i]);
}
