using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace Compiled.Kernels;

/// <summary>
/// The kernels of a Dense network written once for any IEEE element type T, for the float64 models (the float32 ones
/// keep their hand-tuned vector kernels). Vectorized where the work is (the three products and the optimizer steps go
/// through <see cref="TensorPrimitives"/>, which is SIMD for double), plain loops for the element-wise activations,
/// whose double accuracy comes from <see cref="RealMath"/>. Single-threaded: float64 is for accuracy, not speed.
/// Spans are checked as the float32 kernels check them.
/// </summary>
internal static class RealKernels
{
    private static void Check(int actual, long expected, string name)
    {
        // expected is a product of sizes in 64 bits (no overflow); a negative size makes it negative, which is refused too.
        if (actual < expected || expected < 0) ThrowHelper.KernelSpan(name, expected, actual);
    }

    // ---- Matrix products (row-major; W is [out, in]) ----------------------------------------------------------------

    /// <summary>Y[m, n] = X[m, k]·W[n, k]ᵀ + bias[n]: one dot product of a row of X with a row of W per output, so both
    /// operands stream along contiguous memory; W is walked in blocks of rows that stay in cache while X passes.</summary>
    public static void XWt<T>(int m, int n, int k, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(x.Length, (long)m * k, nameof(x)); Check(w.Length, (long)n * k, nameof(w)); Check(bias.Length, n, nameof(bias)); Check(y.Length, (long)m * n, nameof(y));
        int block = Math.Max(1, (256 * 1024) / (Math.Max(k, 1) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()));
        for (int j0 = 0; j0 < n; j0 += block)
        {
            int j1 = Math.Min(n, j0 + block);
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<T> xi = x.Slice(i * k, k);
                Span<T> yi = y.Slice(i * n, n);
                for (int j = j0; j < j1; j++) yi[j] = bias[j] + TensorPrimitives.Dot(xi, w.Slice(j * k, k));
            }
        }
    }

    /// <summary>Y[m, k] = D[m, n]·W[n, k]: each row of Y is Σ_p D[i, p]·W[p, :], one vectorized axpy per term.</summary>
    public static void XW<T>(int m, int n, int k, ReadOnlySpan<T> d, ReadOnlySpan<T> w, Span<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(w.Length, (long)n * k, nameof(w)); Check(y.Length, (long)m * k, nameof(y));
        for (int i = 0; i < m; i++)
        {
            Span<T> yi = y.Slice(i * k, k);
            yi.Clear();
            for (int p = 0; p < n; p++) TensorPrimitives.MultiplyAdd(w.Slice(p * k, k), d[i * n + p], yi, yi);
        }
    }

    /// <summary>G[n, k] = D[m, n]ᵀ·X[m, k] + l1·sign(W) + 2·l2·W (overwrites G): axpy of each row of X into the rows of G.</summary>
    public static void DtX<T>(int m, int n, int k, ReadOnlySpan<T> d, ReadOnlySpan<T> x, Span<T> g, ReadOnlySpan<T> w, T l1, T l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(x.Length, (long)m * k, nameof(x)); Check(g.Length, (long)n * k, nameof(g));
        bool epilogue = l1 != T.Zero || l2 != T.Zero;
        if (epilogue) Check(w.Length, (long)n * k, nameof(w));
        g = g.Slice(0, n * k);
        g.Clear();
        for (int b = 0; b < m; b++)
        {
            ReadOnlySpan<T> xb = x.Slice(b * k, k);
            for (int o = 0; o < n; o++)
            {
                Span<T> go = g.Slice(o * k, k);
                TensorPrimitives.MultiplyAdd(xb, d[b * n + o], go, go);
            }
        }
        if (epilogue) AddPenalty(w, g, l1, l2);
    }

    /// <summary>g[n] = Σ_b D[b, n] + l1·sign(bias) + 2·l2·bias.</summary>
    public static void ColumnSums<T>(int m, int n, ReadOnlySpan<T> d, Span<T> g, ReadOnlySpan<T> bias, T l1, T l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(d.Length, (long)m * n, nameof(d)); Check(g.Length, n, nameof(g));
        bool epilogue = l1 != T.Zero || l2 != T.Zero;
        if (epilogue) Check(bias.Length, n, nameof(bias));
        g = g.Slice(0, n);
        g.Clear();
        for (int b = 0; b < m; b++) TensorPrimitives.Add(g, d.Slice(b * n, n), g);
        if (epilogue) AddPenalty(bias, g, l1, l2);
    }

    /// <summary>g[i] += l1·sign(t[i]) + 2·l2·t[i].</summary>
    public static void AddPenalty<T>(ReadOnlySpan<T> t, Span<T> g, T l1, T l2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(t.Length, g.Length, nameof(t));
        T twoL2 = l2 + l2;
        for (int i = 0; i < g.Length; i++) g[i] += l1 * RealMath.Sign(t[i]) + twoL2 * t[i];
    }

    // ---- Activations ------------------------------------------------------------------------------------------------

    /// <summary>a = f(z); z and a may be the same memory.</summary>
    public static void Forward<TAct, T>(ReadOnlySpan<T> z, Span<T> a, T p) where TAct : struct, IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, z.Length, nameof(a));
        for (int i = 0; i < z.Length; i++) a[i] = TAct.Value(z[i], p);
    }

    /// <summary>d = (d + l1·sign(a) + 2·l2·a [+ unitTerm[j]]) ⊙ f'(a, z), in place.</summary>
    public static void Backward<TAct, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> z, Span<T> d, T p, T l1, T l2, int units = 0, ReadOnlySpan<T> unitTerm = default)
        where TAct : struct, IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, d.Length, nameof(a));
        if (TAct.UsesZ) Check(z.Length, d.Length, nameof(z));
        bool hasUnit = !unitTerm.IsEmpty;
        if (hasUnit) Check(unitTerm.Length, units, nameof(unitTerm));
        T twoL2 = l2 + l2;
        for (int i = 0; i < d.Length; i++)
        {
            T g = d[i] + l1 * RealMath.Sign(a[i]) + twoL2 * a[i];
            if (hasUnit) g += unitTerm[i % units];
            d[i] = g * TAct.Derivative(a[i], TAct.UsesZ ? z[i] : a[i], p);
        }
    }

    /// <summary>
    /// Output layer fused with an element-wise loss: d = (scale·loss'(y − t) + l1·sign(y) + 2·l2·y) ⊙ f'(y, z), returning
    /// Σ loss(y − t), with loss = e² (derivative taken as e; the 2 is in the scale) or |e| (derivative sign(e)).
    /// </summary>
    public static double OutputLoss<TAct, T>(bool absolute, ReadOnlySpan<T> z, ReadOnlySpan<T> y, ReadOnlySpan<T> t, Span<T> d, T scale, T p, T l1, T l2)
        where TAct : struct, IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        Check(d.Length, y.Length, nameof(d));
        if (TAct.UsesZ) Check(z.Length, y.Length, nameof(z));
        double total = 0;
        T twoL2 = l2 + l2;
        for (int i = 0; i < y.Length; i++)
        {
            T e = y[i] - t[i];
            total += double.CreateTruncating(absolute ? T.Abs(e) : e * e);
            T gradient = absolute ? RealMath.Sign(e) : e;
            d[i] = (scale * gradient + l1 * RealMath.Sign(y[i]) + twoL2 * y[i]) * TAct.Derivative(y[i], TAct.UsesZ ? z[i] : y[i], p);
        }
        return total;
    }

    /// <summary>Binary cross-entropy from the logits (PyTorch BCEWithLogitsLoss): Σ max(z, 0) − t·z + log(1 + e^−|z|);
    /// d = scale·(y − t) + (l1·sign(y) + 2·l2·y)·y(1 − y).</summary>
    public static double BinaryCrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> y, ReadOnlySpan<T> t, Span<T> d, T scale, T l1, T l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        Check(z.Length, y.Length, nameof(z)); Check(d.Length, y.Length, nameof(d));
        double total = 0;
        T twoL2 = l2 + l2;
        for (int i = 0; i < y.Length; i++)
        {
            double zi = double.CreateTruncating(z[i]);
            total += Math.Max(zi, 0) - double.CreateTruncating(t[i]) * zi + RealMath.Log1p(Math.Exp(-Math.Abs(zi)));
            d[i] = scale * (y[i] - t[i]) + (l1 * RealMath.Sign(y[i]) + twoL2 * y[i]) * y[i] * (T.One - y[i]);
        }
        return total;
    }

    // ---- Softmax rows -----------------------------------------------------------------------------------------------

    public static void SoftmaxForward<T>(ReadOnlySpan<T> z, Span<T> a, int units) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, z.Length, nameof(a));
        for (int r = 0; r + units <= z.Length; r += units)
        {
            ReadOnlySpan<T> zr = z.Slice(r, units);
            Span<T> ar = a.Slice(r, units);
            T max = TensorPrimitives.Max(zr), sum = T.Zero;
            for (int i = 0; i < units; i++) sum += ar[i] = T.Exp(zr[i] - max);
            for (int i = 0; i < units; i++) ar[i] /= sum;
        }
    }

    /// <summary>Per row: g = d + l1·sign(a) + 2·l2·a, then d = a ⊙ (g − a·g).</summary>
    public static void SoftmaxBackward<T>(ReadOnlySpan<T> a, Span<T> d, int units, T l1, T l2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(a.Length, d.Length, nameof(a));
        for (int r = 0; r + units <= d.Length; r += units) Jacobian(a.Slice(r, units), d.Slice(r, units), l1, l2);
    }

    private static void Jacobian<T>(ReadOnlySpan<T> a, Span<T> g, T l1, T l2) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (l1 != T.Zero || l2 != T.Zero) AddPenalty(a, g, l1, l2);
        T dot = T.Zero;
        for (int i = 0; i < g.Length; i++) dot += a[i] * g[i];
        for (int i = 0; i < g.Length; i++) g[i] = a[i] * (g[i] - dot);
    }

    public static double SoftmaxElementLoss<T>(bool absolute, ReadOnlySpan<T> y, ReadOnlySpan<T> t, Span<T> d, int units, T scale, T l1, T l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (t.Length != y.Length) ThrowHelper.KernelSpan(nameof(t), y.Length, t.Length);
        Check(d.Length, y.Length, nameof(d));
        double total = 0;
        for (int r = 0; r + units <= y.Length; r += units)
        {
            for (int i = r; i < r + units; i++)
            {
                T e = y[i] - t[i];
                total += double.CreateTruncating(absolute ? T.Abs(e) : e * e);
                d[i] = scale * (absolute ? RealMath.Sign(e) : e);
            }
            Jacobian(y.Slice(r, units), d.Slice(r, units), l1, l2);
        }
        return total;
    }

    /// <summary>Cross-entropy from labels and logits: Σ_rows max + log Σ e^{z − max} − z[label]; d = scale·(y − onehot) + J·penalties.</summary>
    public static double CrossEntropy<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> y, ReadOnlySpan<int> labels, Span<T> d, int units, T scale, T l1, T l2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = y.Length / units;
        Check(labels.Length, rows, nameof(labels)); Check(z.Length, y.Length, nameof(z)); Check(d.Length, y.Length, nameof(d));
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<T> zr = z.Slice(r * units, units), yr = y.Slice(r * units, units);
            Span<T> dr = d.Slice(r * units, units);
            int label = labels[r];
            double max = double.CreateTruncating(TensorPrimitives.Max(zr)), sum = 0;
            for (int i = 0; i < units; i++) sum += Math.Exp(double.CreateTruncating(zr[i]) - max);
            total += max + Math.Log(sum) - double.CreateTruncating(zr[label]);
            dr.Clear();
            if (l1 != T.Zero || l2 != T.Zero) Jacobian(yr, dr, l1, l2);
            for (int i = 0; i < units; i++) dr[i] += scale * yr[i];
            dr[label] -= scale;
        }
        return total;
    }

    public static void ArgMax<T>(ReadOnlySpan<T> y, Span<int> classes, int units) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < classes.Length; r++) classes[r] = ArgMax(y.Slice(r * units, units));
    }

    public static int CountCorrect<T>(ReadOnlySpan<T> y, ReadOnlySpan<int> labels, int units) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int correct = 0;
        for (int r = 0; r < labels.Length; r++)
            if (ArgMax(y.Slice(r * units, units)) == labels[r]) correct++;
        return correct;
    }

    private static int ArgMax<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
            if (row[i] > row[best]) best = i;
        return best;
    }

    // ---- Penalty sums, telemetry, KL ----------------------------------------------------------------------------------

    public static TensorSums Activity<T>(ReadOnlySpan<T> t, int units, T epsilon, Span<T> unitMaxAbs) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool dead = !unitMaxAbs.IsEmpty;
        if (dead)
        {
            Check(unitMaxAbs.Length, units, nameof(unitMaxAbs));
            unitMaxAbs.Slice(0, units).Clear();
        }
        double sumAbs = 0, sumSq = 0;
        int below = 0, zeros = 0;
        int rows = units == 0 ? 0 : t.Length / units;
        for (int i = 0; i < rows * units; i++)
        {
            T v = t[i], av = T.Abs(v);
            double dv = double.CreateTruncating(v);
            sumAbs += Math.Abs(dv);
            sumSq += dv * dv;
            if (av < epsilon) below++;
            if (v == T.Zero) zeros++;
            if (dead && av > unitMaxAbs[i % units]) unitMaxAbs[i % units] = av;
        }
        int deadUnits = 0;
        if (dead && rows > 0)
            foreach (T m in unitMaxAbs.Slice(0, units))
                if (m < epsilon) deadUnits++;
        return new TensorSums(sumAbs, sumSq, below, zeros, deadUnits);
    }

    public static TensorSums Weights<T>(ReadOnlySpan<T> w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sumAbs = 0, sumSq = 0;
        int zeros = 0;
        foreach (T v in w)
        {
            double dv = double.CreateTruncating(v);
            sumAbs += Math.Abs(dv);
            sumSq += dv * dv;
            if (v == T.Zero) zeros++;
        }
        return new TensorSums(sumAbs, sumSq, 0, zeros, 0);
    }

    public static KlSums Kl<T>(ReadOnlySpan<T> a, int batch, int units, T rho, T beta, bool tanhRescaled, Span<T> unitTerm)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(unitTerm.Length, units, nameof(unitTerm));
        Span<T> term = unitTerm.Slice(0, units);
        ColumnSums(batch, units, a, term, default, T.Zero, T.Zero);
        double value = 0, sumRho = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        double p = double.CreateTruncating(rho), b = double.CreateTruncating(beta), scale = b / batch * (tanhRescaled ? 0.5 : 1.0);
        for (int j = 0; j < units; j++)
        {
            double q = double.CreateTruncating(term[j]) / batch;
            if (tanhRescaled) q = (1 + q) / 2;
            value += p * Math.Log(p / q) + (1 - p) * Math.Log((1 - p) / (1 - q));
            term[j] = T.CreateTruncating(scale * (-p / q + (1 - p) / (1 - q)));
            sumRho += q;
            min = Math.Min(min, q);
            max = Math.Max(max, q);
        }
        return new KlSums(b * value, units == 0 ? 0 : (float)(sumRho / units), (float)min, (float)max);
    }

    // ---- Optimizers ---------------------------------------------------------------------------------------------------

    public static void Sgd<T>(Span<T> p, ReadOnlySpan<T> g, T lr) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != p.Length) ThrowHelper.KernelSpan(nameof(g), p.Length, g.Length);
        TensorPrimitives.MultiplyAdd(g, -lr, p, p);
    }

    public static void SoftThreshold<T>(Span<T> w, ReadOnlySpan<T> g, T lr, T threshold) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != w.Length) ThrowHelper.KernelSpan(nameof(g), w.Length, g.Length);
        for (int i = 0; i < w.Length; i++)
        {
            T v = w[i] - lr * g[i];
            w[i] = RealMath.Sign(v) * T.Max(T.Abs(v) - threshold, T.Zero);
        }
    }

    public static void Momentum<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> v, T lr, T momentum, bool nesterov) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != p.Length) ThrowHelper.KernelSpan(nameof(g), p.Length, g.Length);
        if (v.Length != p.Length) ThrowHelper.KernelSpan(nameof(v), p.Length, v.Length);
        for (int i = 0; i < p.Length; i++)
        {
            v[i] = v[i] * momentum + g[i];
            p[i] -= lr * (nesterov ? g[i] + momentum * v[i] : v[i]);
        }
    }

    public static void Adam<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, T lr, T beta1, T beta2, T epsilon, T decay, long t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.Length != p.Length) ThrowHelper.KernelSpan(nameof(g), p.Length, g.Length);
        if (m.Length != p.Length) ThrowHelper.KernelSpan(nameof(m), p.Length, m.Length);
        if (v.Length != p.Length) ThrowHelper.KernelSpan(nameof(v), p.Length, v.Length);
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Adam's step count starts at 1.");
        double b1 = double.CreateTruncating(beta1), b2 = double.CreateTruncating(beta2);
        T stepSize = lr / T.CreateTruncating(1 - Math.Pow(b1, t)), invSqrt2 = T.CreateTruncating(1 / Math.Sqrt(1 - Math.Pow(b2, t)));
        T keep = T.One - lr * decay, ob1 = T.One - beta1, ob2 = T.One - beta2;
        for (int i = 0; i < p.Length; i++)
        {
            m[i] = m[i] * beta1 + g[i] * ob1;
            v[i] = v[i] * beta2 + g[i] * g[i] * ob2;
            T denom = T.Sqrt(v[i]) * invSqrt2 + epsilon;
            p[i] = p[i] * keep - stepSize * (m[i] / denom);
        }
    }
}
