using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Compiled.Kernels;

/// <summary>
/// Binary cross-entropy fused with a sigmoid output, computed from the logits z as PyTorch's
/// <c>BCEWithLogitsLoss</c> does: loss = max(z, 0) − t·z + log(1 + e^−|z|), finite for every finite z (a separate
/// sigmoid followed by log would give log 0 = −∞ once σ(z) rounds to 0 or 1). Gradient in z: σ(z) − t.
/// </summary>
internal static class BinaryCrossEntropy
{
    /// <summary>
    /// d = scale·(y − t) + (l1·sign(y) + 2·l2·y)·y(1 − y) with y = σ(z) (activity penalties on the sigmoid output);
    /// returns Σ loss over the elements.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        if (z.Length < y.Length) ThrowHelper.KernelSpan(nameof(z), y.Length, z.Length);
        if (d.Length < y.Length) ThrowHelper.KernelSpan(nameof(d), y.Length, d.Length);
        const int Chunk = 8192;
        double total = 0;
        for (int i = 0; i < y.Length; i += Chunk)
        {
            int len = Math.Min(Chunk, y.Length - i);
            ReadOnlySpan<float> zc = z.Slice(i, len), yc = y.Slice(i, len), tc = t.Slice(i, len);
            Span<float> dc = d.Slice(i, len);
            total += Width.Pick(len) switch
            {
                512 => Core<Vector512<float>, V512>(zc, yc, tc, dc, scale, l1, l2),
                256 => Core<Vector256<float>, V256>(zc, yc, tc, dc, scale, l1, l2),
                128 => Core<Vector128<float>, V128>(zc, yc, tc, dc, scale, l1, l2),
                _ => Scalar(zc, yc, tc, dc, scale, l1, l2),
            };
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Core<TV, TS>(ReadOnlySpan<float> zSpan, ReadOnlySpan<float> ySpan, ReadOnlySpan<float> tSpan, Span<float> dSpan, float scale, float l1, float l2)
        where TV : struct where TS : ISimd<TV>
    {
        ref float z = ref MemoryMarshal.GetReference(zSpan);
        ref float y = ref MemoryMarshal.GetReference(ySpan);
        ref float t = ref MemoryMarshal.GetReference(tSpan);
        ref float d = ref MemoryMarshal.GetReference(dSpan);
        int n = ySpan.Length, vc = TS.Count;
        TV vs = TS.Splat(scale), vl1 = TS.Splat(l1), vl2 = TS.Splat(2 * l2), acc = TS.Zero;
        nint i = 0;
        for (; i + vc <= n; i += vc)
        {
            acc = TS.Add(acc, Element<TV, TS>(TS.Load(ref z, i), TS.Load(ref y, i), TS.Load(ref t, i), vs, vl1, vl2, out TV dv));
            TS.Store(dv, ref d, i);
        }
        if (i < n)
        {
            nint last = n - vc;
            TV loss = Element<TV, TS>(TS.Load(ref z, last), TS.Load(ref y, last), TS.Load(ref t, last), vs, vl1, vl2, out TV dv);
            acc = TS.Add(acc, TS.And(loss, TS.LanesFrom((int)(i - last))));
            TS.Store(dv, ref d, last);
        }
        return TS.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Element<TV, TS>(TV z, TV y, TV t, TV scale, TV vl1, TV vl2, out TV d) where TV : struct where TS : ISimd<TV>
    {
        TV penalty = TS.MultiplyAdd(vl2, y, TS.Multiply(vl1, TS.Sign(y)));
        d = TS.MultiplyAdd(TS.Multiply(penalty, y), TS.Subtract(TS.Splat(1f), y), TS.Multiply(scale, TS.Subtract(y, t)));
        TV softplusNegAbs = SoftplusFunction.Log1pUnit<TV, TS>(TS.Exp(TS.Subtract(TS.Zero, TS.Abs(z))));
        return TS.Add(TS.Subtract(TS.Max(z, TS.Zero), TS.Multiply(t, z)), softplusNegAbs);
    }

    internal static float Scalar(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, float scale, float l1, float l2)
    {
        double acc = 0;
        for (int i = 0; i < y.Length; i++)
        {
            acc += Math.Max(z[i], 0) - (double)t[i] * z[i] + Math.Log(1 + Math.Exp(-Math.Abs((double)z[i])));
            d[i] = scale * (y[i] - t[i]) + (l1 * ScalarMath.Sign(y[i]) + 2 * l2 * y[i]) * y[i] * (1 - y[i]);
        }
        return (float)acc;
    }
}

/// <summary>
/// Softmax over each row of [batch, units], its backward through the Jacobian, and its fusion with the data losses
/// (cross-entropy from integer labels, computed from the logits as log-sum-exp − z[label]).
/// </summary>
internal static class SoftmaxRows
{
    /// <summary>a = exp(z − max z) / Σ exp(z − max z) per row; z and a may be the same memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> z, Span<float> a, int units)
    {
        if (a.Length < z.Length) ThrowHelper.KernelSpan(nameof(a), z.Length, a.Length);
        for (int r = 0; r + units <= z.Length; r += units)
        {
            ReadOnlySpan<float> zr = z.Slice(r, units);
            Span<float> ar = a.Slice(r, units);
            float max = TensorPrimitives.Max(zr);
            TensorPrimitives.Subtract(zr, max, ar);
            TensorPrimitives.Exp(ar, ar);
            TensorPrimitives.Divide(ar, TensorPrimitives.Sum(ar), ar);
        }
    }

    /// <summary>
    /// In place, per row: g = d + l1·sign(a) + 2·l2·a, then d = a ⊙ (g − Σ_j a_j·g_j) — the softmax Jacobian applied
    /// to g.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> a, Span<float> d, int units, float l1, float l2)
    {
        if (a.Length < d.Length) ThrowHelper.KernelSpan(nameof(a), d.Length, a.Length);
        for (int r = 0; r + units <= d.Length; r += units)
            Jacobian(a.Slice(r, units), d.Slice(r, units), l1, l2);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Jacobian(ReadOnlySpan<float> a, Span<float> g, float l1, float l2)
    {
        if (l1 != 0 || l2 != 0)
            for (int i = 0; i < g.Length; i++) g[i] += l1 * ScalarMath.Sign(a[i]) + 2 * l2 * a[i];
        float dot = TensorPrimitives.Dot(a, g);
        for (int i = 0; i < g.Length; i++) g[i] = a[i] * (g[i] - dot);
    }

    /// <summary>A softmax output under MSE or MAE: d = J·(scale·loss'(y − t) + penalties); returns Σ loss.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ElementLossBackward<TLoss>(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> d, int units, float scale, float l1, float l2)
        where TLoss : struct, IElementLoss
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        if (d.Length < y.Length) ThrowHelper.KernelSpan(nameof(d), y.Length, d.Length);
        double total = 0;
        for (int r = 0; r + units <= y.Length; r += units)
        {
            Span<float> dr = d.Slice(r, units);
            for (int i = 0; i < units; i++)
            {
                float e = y[r + i] - t[r + i];
                total += TLoss.Value(e);
                dr[i] = scale * TLoss.Gradient(e);
            }
            Jacobian(y.Slice(r, units), dr, l1, l2);
        }
        return total;
    }

    /// <summary>
    /// Cross-entropy with class labels fused with the softmax: per row loss = log Σ_j e^{z_j} − z_label (computed as
    /// max + log Σ e^{z_j − max}), d = scale·(y − onehot(label)) + J·(activity penalties). Returns Σ loss over rows.
    /// Labels must be in [0, units) (checked by the generated entry points before anything runs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CrossEntropyBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<int> labels, Span<float> d, int units,
        float scale, float l1, float l2)
    {
        int rows = y.Length / units;
        if (labels.Length < rows) ThrowHelper.KernelSpan(nameof(labels), rows, labels.Length);
        if (z.Length < y.Length) ThrowHelper.KernelSpan(nameof(z), y.Length, z.Length);
        if (d.Length < y.Length) ThrowHelper.KernelSpan(nameof(d), y.Length, d.Length);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> zr = z.Slice(r * units, units), yr = y.Slice(r * units, units);
            Span<float> dr = d.Slice(r * units, units);
            int label = labels[r];
            float max = TensorPrimitives.Max(zr);
            double sum = 0;
            for (int i = 0; i < units; i++) sum += Math.Exp(zr[i] - max);
            total += max + Math.Log(sum) - zr[label];
            dr.Clear();
            if (l1 != 0 || l2 != 0) Jacobian(yr, dr, l1, l2); // J·(activity penalties) first
            for (int i = 0; i < units; i++) dr[i] += scale * yr[i];
            dr[label] -= scale;
        }
        return total;
    }

    /// <summary>Index of the largest element of each row (the first, on ties), as PyTorch's argmax.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgMax(ReadOnlySpan<float> y, Span<int> classes, int units)
    {
        for (int r = 0; r < classes.Length; r++) classes[r] = ArgMax(y.Slice(r * units, units));
    }

    /// <summary>Rows whose arg-max is their label.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CountCorrect(ReadOnlySpan<float> y, ReadOnlySpan<int> labels, int units)
    {
        int correct = 0;
        for (int r = 0; r < labels.Length; r++)
            if (ArgMax(y.Slice(r * units, units)) == labels[r]) correct++;
        return correct;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
            if (row[i] > row[best]) best = i;
        return best;
    }
}
