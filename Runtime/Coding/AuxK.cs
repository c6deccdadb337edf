using System;
using System.Numerics;

namespace Compiled.Kernels;

/// <summary>
/// The auxiliary loss of a TopK layer for its dead units (Gao et al. 2024, OpenAI <c>sparse_autoencoder</c>), and the
/// dead-unit counters it reads. With e = t − y the reconstruction's residual (held constant), S_b the kAux units of
/// largest pre-activation among the dead ones in row b, v_bj = max(z_bj, 0) for j ∈ S_b and ê_b = Σ_{j∈S_b} v_bj·W[:, j]
/// (the decoder W [outputs, units] without its bias), the loss is ‖e − ê‖² / ‖e − ē‖² over the batch (ē: the batch mean of
/// e; 0 when that denominator is 0). Its gradient g = −2(e − ê)/‖e − ē‖² reaches the decoder, ∂W[:, j] += Σ_b g_b·v_bj,
/// and the layer, ∂z_bj += (g_b·W[:, j])·[z_bj &gt; 0] for j ∈ S_b.
/// </summary>
/// <remarks>
/// One instance per workspace (the loss is computed by training and by <c>Evaluate</c>); it holds the selection and a
/// compact transposed copy of the dead units' decoder columns, so every row reads contiguous memory.
/// </remarks>
public sealed class AuxKWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _units, _outputs, _kAux;
    private readonly int[] _indices, _counts, _dead, _position;
    private readonly T[] _values, _residual, _columns, _columnGradients, _scratch;
    private int _deadCount, _rows;

    /// <summary>Buffers for batches of up to <paramref name="maxBatch"/> rows.</summary>
    public AuxKWorkspace(int maxBatch, int units, int outputs, int kAux)
    {
        _units = units;
        _outputs = outputs;
        _kAux = kAux;
        _indices = new int[maxBatch * kAux];
        _values = new T[maxBatch * kAux];
        _counts = new int[maxBatch];
        _residual = new T[maxBatch * outputs];
        _dead = new int[units];
        _position = new int[units];
        _columns = new T[(long)units * outputs];
        _columnGradients = new T[(long)units * outputs];
        _scratch = new T[units];
    }

    /// <summary>Units dead at the last <see cref="Loss"/>.</summary>
    public int DeadUnits => _deadCount;

    /// <summary>
    /// After a training forward pass: a unit that fired (a ≠ 0) in some row of the batch restarts its count at 0, the
    /// others count the batch's rows.
    /// </summary>
    public static void UpdateDead(ReadOnlySpan<T> a, int batch, int units, Span<long> sinceFired)
    {
        if (sinceFired.Length < units) ThrowHelper.KernelSpan(nameof(sinceFired), units, sinceFired.Length);
        for (int j = 0; j < units; j++)
        {
            bool fired = false;
            for (int b = 0; b < batch && !fired; b++) fired = a[b * units + j] != T.Zero;
            sinceFired[j] = fired ? 0 : sinceFired[j] + batch;
        }
    }

    /// <summary>
    /// The loss (before its coefficient) for a batch: selects each row's units, builds ê and keeps the gradient
    /// g = −2(e − ê)/‖e − ē‖² for the backward calls. A unit is dead when <paramref name="sinceFired"/> ≥
    /// <paramref name="deadAfter"/>.
    /// </summary>
    public double Loss(ReadOnlySpan<T> z, ReadOnlySpan<T> y, ReadOnlySpan<T> t, ReadOnlySpan<T> w, ReadOnlySpan<long> sinceFired, long deadAfter, int batch)
    {
        int units = _units, outputs = _outputs;
        if (z.Length < (long)batch * units) ThrowHelper.KernelSpan(nameof(z), (long)batch * units, z.Length);
        if (y.Length < (long)batch * outputs) ThrowHelper.KernelSpan(nameof(y), (long)batch * outputs, y.Length);
        if (t.Length < (long)batch * outputs) ThrowHelper.KernelSpan(nameof(t), (long)batch * outputs, t.Length);
        if (w.Length < (long)outputs * units) ThrowHelper.KernelSpan(nameof(w), (long)outputs * units, w.Length);
        _rows = batch;
        _deadCount = 0;
        for (int j = 0; j < units; j++)
        {
            _position[j] = -1;
            if (sinceFired[j] >= deadAfter)
            {
                _position[j] = _deadCount;
                _dead[_deadCount++] = j;
            }
        }
        Span<T> residual = _residual.AsSpan(0, batch * outputs);
        if (_deadCount == 0)
        {
            residual.Clear();
            _counts.AsSpan(0, batch).Clear();
            return 0;
        }

        // The dead units' decoder columns, transposed: row p of _columns is W[:, dead[p]].
        for (int o = 0; o < outputs; o++)
            for (int p = 0; p < _deadCount; p++) _columns[(long)p * outputs + o] = w[o * units + _dead[p]];

        // e, its batch mean, and the denominator ‖e − ē‖² = Σ‖e‖² − B‖ē‖² (double).
        double denominator = 0;
        for (int o = 0; o < outputs; o++)
        {
            double sum = 0, squares = 0;
            for (int b = 0; b < batch; b++)
            {
                double e = double.CreateTruncating(t[b * outputs + o]) - double.CreateTruncating(y[b * outputs + o]);
                sum += e;
                squares += e * e;
            }
            denominator += squares - sum * sum / batch;
        }

        // Per row: the kAux dead units of largest z (ties to the lower index), v = max(z, 0), ê, and e − ê.
        double numerator = 0;
        int k = Math.Min(_kAux, _deadCount);
        for (int b = 0; b < batch; b++)
        {
            Span<T> candidates = _scratch.AsSpan(0, _deadCount);
            for (int p = 0; p < _deadCount; p++) candidates[p] = z[b * units + _dead[p]];
            T bound = k == _deadCount ? T.NegativeInfinity : TopK.Select(candidates, _deadCount - k);
            int above = 0;
            for (int p = 0; p < _deadCount; p++)
                if (z[b * units + _dead[p]] > bound) above++;
            int ties = k - above, n = 0;
            for (int p = 0; p < _deadCount && n < k; p++)
            {
                T v = z[b * units + _dead[p]];
                if (v > bound || (v == bound && ties-- > 0))
                {
                    _indices[b * _kAux + n] = p;
                    _values[b * _kAux + n] = T.Max(v, T.Zero);
                    n++;
                }
            }
            _counts[b] = n;
            Span<T> r = residual.Slice(b * outputs, outputs);
            for (int o = 0; o < outputs; o++) r[o] = t[b * outputs + o] - y[b * outputs + o];
            for (int q = 0; q < n; q++)
            {
                T v = _values[b * _kAux + q];
                if (v == T.Zero) continue;
                ReadOnlySpan<T> column = _columns.AsSpan((int)((long)_indices[b * _kAux + q] * outputs), outputs);
                for (int o = 0; o < outputs; o++) r[o] -= v * column[o];
            }
            for (int o = 0; o < outputs; o++)
            {
                double d = double.CreateTruncating(r[o]);
                numerator += d * d;
            }
        }
        if (!(denominator > 0))
        {
            residual.Clear();
            return 0;
        }
        T scale = T.CreateTruncating(-2.0 / denominator);
        for (int i = 0; i < residual.Length; i++) residual[i] *= scale;
        return numerator / denominator;
    }

    /// <summary>
    /// ∂z_bj += coefficient·(g_b·W[:, j])·[z_bj &gt; 0] for the selected units, into <paramref name="delta"/> [batch, units]
    /// (after the layer's own derivative and mask).
    /// </summary>
    public void AddLayerGradient(ReadOnlySpan<T> z, Span<T> delta, T coefficient)
    {
        int units = _units, outputs = _outputs;
        for (int b = 0; b < _rows; b++)
        {
            ReadOnlySpan<T> g = _residual.AsSpan(b * outputs, outputs);
            for (int q = 0; q < _counts[b]; q++)
            {
                int p = _indices[b * _kAux + q], j = _dead[p];
                if (!(z[b * units + j] > T.Zero)) continue;
                ReadOnlySpan<T> column = _columns.AsSpan((int)((long)p * outputs), outputs);
                T dot = T.Zero;
                for (int o = 0; o < outputs; o++) dot += g[o] * column[o];
                delta[b * units + j] += coefficient * dot;
            }
        }
    }

    /// <summary>∂W[:, j] += coefficient·Σ_b g_b·v_bj into the decoder's gradient <paramref name="gradient"/> [outputs, units].</summary>
    public void AddDecoderGradient(Span<T> gradient, T coefficient)
    {
        int units = _units, outputs = _outputs;
        if (_deadCount == 0) return;
        Span<T> acc = _columnGradients.AsSpan(0, (int)((long)_deadCount * outputs));
        acc.Clear();
        for (int b = 0; b < _rows; b++)
        {
            ReadOnlySpan<T> g = _residual.AsSpan(b * outputs, outputs);
            for (int q = 0; q < _counts[b]; q++)
            {
                T v = _values[b * _kAux + q];
                if (v == T.Zero) continue;
                Span<T> column = acc.Slice(_indices[b * _kAux + q] * outputs, outputs);
                for (int o = 0; o < outputs; o++) column[o] += v * g[o];
            }
        }
        for (int o = 0; o < outputs; o++)
            for (int p = 0; p < _deadCount; p++) gradient[o * units + _dead[p]] += coefficient * acc[p * outputs + o];
    }
}
