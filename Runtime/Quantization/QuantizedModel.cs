using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Compiled.Kernels;

namespace Compiled;

/// <summary>
/// An int8 inference form of a trained float32 model of Dense layers: weights as int8 codes with one float scale per
/// output unit (symmetric), each input row quantized to int16 on the fly with its own scale, exact int32 dot products
/// (AVX-512BW, AVX2 or 128-bit vectors; a scalar reference), then float bias and activation. The seed autoencoder's
/// 2.5 MB of float weights become 627 KB, which stays in a core's L2 cache between calls. Inference only: made from a
/// trained model (<c>model.Quantize()</c>, or <see cref="Create"/>) or a saved file (<see cref="Load(string, int)"/>).
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: <see cref="Predict"/> may be called on one instance from any number of threads at once; each calling
/// thread keeps its own scratch memory, allocated on its first call (a few hundred KB at most: rows are processed 64 at
/// a time), and every later call allocates nothing.
/// </para>
/// <para>
/// Deterministic: the integer sums are exact and every other step is the same IEEE operation per element, so a row's
/// outputs depend only on that row and the model — not on the batch it came in, the thread count, the calling thread or
/// the vector width (the activations aside, which are the float model's kernels and may differ in the last bit between
/// 512-, 256- and 128-bit machines). Accuracy and speed: docs/quantization.md.
/// </para>
/// </remarks>
public sealed partial class QuantizedModel
{
    /// <summary>The batch limit of a model loaded without one.</summary>
    public const int DefaultMaxBatch = 256;

    /// <summary>The most inputs a layer may have (the int16 input range is then still ±127).</summary>
    public const int MaxInputs = Int8Gemm.MaxInputs;

    /// <summary>Rows per pass through the layers: bounds each thread's scratch and keeps a pass's activations in L2.</summary>
    private const int ChunkRows = 64;

    /// <summary>Rows per thread below which a batch is not split by rows (each layer is split by units instead).</summary>
    private const int RowsPerPart = 4;

    /// <summary>Below this many weights a layer's product is not worth splitting across threads by units.</summary>
    private const long ColumnSplitWeights = 1L << 16;

    /// <summary>Below this many multiply-adds (rows × weights) a batch is not worth splitting across threads by rows (as
    /// for the float products).</summary>
    private const long RowSplitWork = 1L << 19;

    private readonly QuantizedLayer[] _layers;
    private readonly int _maxBatch;
    private readonly int _quantizedWidth; // the longest quantized input row (shorts)
    private readonly int _hiddenWidth;    // the widest hidden layer (floats)
    private readonly long _weights;       // multiply-adds per row
    private int _threads;
    private WorkerPool? _pool;

    private QuantizedModel(QuantizedLayer[] layers, int maxBatch)
    {
        _layers = layers;
        _maxBatch = maxBatch;
        foreach (QuantizedLayer layer in layers) _quantizedWidth = Math.Max(_quantizedWidth, 2 * Int8Gemm.Pairs(layer.Inputs));
        for (int l = 0; l + 1 < layers.Length; l++) _hiddenWidth = Math.Max(_hiddenWidth, layers[l].Units);
        foreach (QuantizedLayer layer in layers) _weights += (long)layer.Units * layer.Inputs;
        Threads = Math.Min(Environment.ProcessorCount, 64);
        Layers = Array.AsReadOnly(layers);
    }

    /// <summary>
    /// Quantizes a trained float32 model given as its Dense layers, in order: per output unit u, scale_u = max_i |W[u, i]|
    /// / 127 and q[u, i] = round(127·W[u, i] / max_i |W[u, i]|) (half to even, computed in double; |q| ≤ 127); a unit
    /// whose weights are all 0 gets scale 0 and stays exact. Biases are kept as float.
    /// </summary>
    /// <param name="layers">The layers, input first; each layer's inputs must equal the previous layer's units.</param>
    /// <param name="maxBatch">The largest batch <see cref="Predict"/> accepts.</param>
    /// <exception cref="ArgumentException">No layers, a null layer, layers that do not chain, two layers with one name,
    /// or a NaN or infinite weight or bias (the message names the layer and element).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is below 1 or so large that a batch's
    /// inputs or outputs would not fit in an array.</exception>
    public static QuantizedModel Create(IReadOnlyList<QuantizedLayerSource> layers, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("A quantized model needs at least one layer.", nameof(layers));
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int l = 0; l < layers.Count; l++)
        {
            QuantizedLayerSource? source = layers[l] ?? throw new ArgumentException(Invariant($"Layer {l} is null."), nameof(layers));
            if (!names.Add(source.Name))
                throw new ArgumentException(Invariant($"Two layers are named '{source.Name}'; layer names must be unique."), nameof(layers));
            if (l > 0 && source.Inputs != layers[l - 1].Units)
                throw new ArgumentException(Invariant($"Layer {l} ('{source.Name}') has {source.Inputs} inputs, but layer {l - 1} ('{layers[l - 1].Name}') has {layers[l - 1].Units} units."), nameof(layers));
        }
        CheckMaxBatch(maxBatch, layers[0].Inputs, layers[^1].Units);

        var built = new QuantizedLayer[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            QuantizedLayerSource s = layers[l];
            ReadOnlySpan<float> w = s.Weight.Span, b = s.Bias.Span;
            var codes = new sbyte[s.Units * s.Inputs];
            var scale = new float[s.Units];
            for (int u = 0; u < s.Units; u++)
            {
                ReadOnlySpan<float> row = w.Slice(u * s.Inputs, s.Inputs);
                float max = 0;
                for (int i = 0; i < row.Length; i++)
                {
                    if (!float.IsFinite(row[i]))
                        throw new ArgumentException(Invariant($"Layer '{s.Name}': weight [{u}, {i}] is {row[i]}; only finite weights can be quantized."), nameof(layers));
                    max = Math.Max(max, Math.Abs(row[i]));
                }
                if (!float.IsFinite(b[u]))
                    throw new ArgumentException(Invariant($"Layer '{s.Name}': bias [{u}] is {b[u]}; a quantized model needs finite biases."), nameof(layers));
                if (max == 0) continue; // scale 0, codes 0: the unit's output is its bias, exactly
                scale[u] = max / 127f;
                Span<sbyte> q = codes.AsSpan(u * s.Inputs, s.Inputs);
                for (int i = 0; i < row.Length; i++) q[i] = (sbyte)Math.Round(127.0 * row[i] / max, MidpointRounding.ToEven);
            }
            built[l] = new QuantizedLayer(s.Name, s.Inputs, s.Units, s.Activation, s.Alpha, codes, scale, b);
        }
        return new QuantizedModel(built, maxBatch);
    }

    private static void CheckMaxBatch(int maxBatch, int inputs, int outputs)
    {
        int limit = int.MaxValue / Math.Max(inputs, outputs);
        if (maxBatch < 1 || maxBatch > limit) ThrowHelper.MaxBatch(maxBatch, limit);
    }

    /// <summary>Features per input row.</summary>
    public int InputSize => _layers[0].Inputs;

    /// <summary>Features per output row.</summary>
    public int OutputSize => _layers[^1].Units;

    /// <summary>The largest batch <see cref="Predict"/> accepts.</summary>
    public int MaxBatch => _maxBatch;

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<QuantizedLayer> Layers { get; }

    /// <summary>Bytes of int8 weight codes (what a call reads from memory, besides the small scales and biases).</summary>
    public long WeightBytes => _weights;

    /// <summary>
    /// Threads a call is split across (default: the processor count, at most 64; 1 = the calling thread only): large
    /// batches by rows, small ones by output units within each layer. The workers are the process-wide pool the
    /// generated models use; results do not depend on the thread count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1..64.</exception>
    public int Threads
    {
        get => _threads;
        set
        {
            if (value < 1 || value > 64)
                throw new ArgumentOutOfRangeException(nameof(value), value, Invariant($"Threads must be between 1 and 64; it was {value}."));
            _threads = value;
            Volatile.Write(ref _pool, WorkerPool.ForThreads(value));
        }
    }

    /// <summary>
    /// Runs the model on <paramref name="batch"/> rows: <paramref name="inputs"/> is [batch, InputSize],
    /// <paramref name="outputs"/> [batch, OutputSize], row-major. A row containing NaN or ±∞ gives NaN in every output of
    /// that row (its inputs have no finite scale); the other rows are unaffected.
    /// </summary>
    /// <exception cref="ArgumentException">A span is not batch × features long, or batch is outside 1..MaxBatch. Nothing
    /// is written.</exception>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        if ((uint)(batch - 1) >= (uint)_maxBatch) ThrowHelper.BatchOutOfRange(batch, _maxBatch);
        if (inputs.Length != batch * InputSize) ThrowHelper.SpanLength(nameof(inputs), inputs.Length, batch, InputSize, nameof(InputSize));
        if (outputs.Length != batch * OutputSize) ThrowHelper.SpanLength(nameof(outputs), outputs.Length, batch, OutputSize, nameof(OutputSize));
        WorkerPool? pool = Volatile.Read(ref _pool);
        if (pool is not null && batch >= RowsPerPart * pool.Threads && batch * _weights >= RowSplitWork) SplitRows(pool, inputs, outputs, batch);
        else Rows(inputs, outputs, batch, pool);
    }

    /// <summary>
    /// The layers over <paramref name="rows"/> rows, <see cref="ChunkRows"/> at a time, with the calling thread's scratch;
    /// each layer's product split by units across <paramref name="pool"/> when it is worth it.
    /// </summary>
    private void Rows(ReadOnlySpan<float> inputs, Span<float> outputs, int rows, WorkerPool? pool)
    {
        Workspace ws = Workspace.For(Math.Min(_maxBatch, ChunkRows), _quantizedWidth, _hiddenWidth);
        QuantizedLayer[] layers = _layers;
        for (int r0 = 0; r0 < rows; r0 += ChunkRows)
        {
            int m = Math.Min(ChunkRows, rows - r0);
            ReadOnlySpan<float> x = inputs.Slice(r0 * InputSize, m * InputSize);
            for (int l = 0; l < layers.Length; l++)
            {
                QuantizedLayer layer = layers[l];
                Span<float> z = l == layers.Length - 1
                    ? outputs.Slice(r0 * OutputSize, m * OutputSize)
                    : (l % 2 == 0 ? ws.Hidden0 : ws.Hidden1).AsSpan(0, m * layer.Units);
                Int8Gemm.QuantizeRows(m, layer.Inputs, x, layer.InputRange, ws.Quantized, ws.RowScale);
                if (pool is not null && (long)layer.Units * layer.Inputs >= ColumnSplitWeights && layer.Units >= 2 * Int8Gemm.Block)
                    SplitUnits(pool, layer, m, ws, z);
                else
                    Int8Gemm.Product(m, layer.Units, layer.Inputs, ws.Quantized, ws.RowScale, layer.Weight, layer.Packed, layer.PaddedScale, layer.PaddedBias, z, 0, layer.Units);
                layer.Activate(z, m);
                x = z;
            }
        }
    }

    // ---- Threads ------------------------------------------------------------------------------------------------------
    // The job lives on the caller's stack for the duration of WorkerPool.Run (which returns when every part is done);
    // the managed references in it stay visible to the GC there, and the spans are pinned.

    private unsafe struct RowJob
    {
        public QuantizedModel Model;
        public float* Inputs, Outputs;
        public int Batch;
    }

    private unsafe void SplitRows(WorkerPool pool, ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        fixed (float* x = inputs, y = outputs)
        {
            var job = new RowJob { Model = this, Inputs = x, Outputs = y, Batch = batch };
            pool.Run(&RunRows, Unsafe.AsPointer(ref job));
        }
    }

    /// <summary>One part's rows (multiples of 4, a tile's height), through every layer, with its own thread's scratch.</summary>
    private static unsafe void RunRows(void* state, int part, int parts)
    {
        ref RowJob j = ref Unsafe.AsRef<RowJob>(state);
        int per = ((j.Batch + parts - 1) / parts + RowsPerPart - 1) / RowsPerPart * RowsPerPart;
        int r0 = part * per, r1 = Math.Min(j.Batch, r0 + per);
        if (r0 >= r1) return;
        QuantizedModel model = j.Model;
        int rows = r1 - r0;
        model.Rows(new ReadOnlySpan<float>(j.Inputs + (long)r0 * model.InputSize, rows * model.InputSize),
            new Span<float>(j.Outputs + (long)r0 * model.OutputSize, rows * model.OutputSize), rows, pool: null);
    }

    private unsafe struct UnitJob
    {
        public QuantizedLayer Layer;
        public short* Quantized;
        public float* RowScale, Z;
        public int Rows, QuantizedLength;
    }

    private static unsafe void SplitUnits(WorkerPool pool, QuantizedLayer layer, int rows, Workspace ws, Span<float> z)
    {
        fixed (short* q = ws.Quantized)
        fixed (float* s = ws.RowScale, pz = z)
        {
            var job = new UnitJob { Layer = layer, Quantized = q, RowScale = s, Z = pz, Rows = rows, QuantizedLength = rows * 2 * Int8Gemm.Pairs(layer.Inputs) };
            pool.Run(&RunUnits, Unsafe.AsPointer(ref job));
        }
    }

    /// <summary>One part's output units (whole 16-unit blocks) of one layer's product, for every row.</summary>
    private static unsafe void RunUnits(void* state, int part, int parts)
    {
        ref UnitJob j = ref Unsafe.AsRef<UnitJob>(state);
        QuantizedLayer layer = j.Layer;
        int units = layer.Units;
        int per = ((units + parts - 1) / parts + Int8Gemm.Block - 1) / Int8Gemm.Block * Int8Gemm.Block;
        int u0 = part * per, u1 = Math.Min(units, u0 + per);
        if (u0 >= u1) return;
        Int8Gemm.Product(j.Rows, units, layer.Inputs, new ReadOnlySpan<short>(j.Quantized, j.QuantizedLength), new ReadOnlySpan<float>(j.RowScale, j.Rows),
            layer.Weight, layer.Packed, layer.PaddedScale, layer.PaddedBias, new Span<float>(j.Z, j.Rows * units), u0, u1);
    }

    /// <summary>A thread's scratch: quantized input rows, their scales, and two buffers of hidden activations.</summary>
    private sealed class Workspace
    {
        [ThreadStatic]
        private static Workspace? t_current;

        public short[] Quantized = [];
        public float[] RowScale = [], Hidden0 = [], Hidden1 = [];

        /// <summary>This thread's scratch, grown (only ever grown) to fit <paramref name="rows"/> rows of the given widths.</summary>
        public static Workspace For(int rows, int quantizedWidth, int hiddenWidth)
        {
            Workspace ws = t_current ??= new Workspace();
            if (ws.Quantized.Length < rows * quantizedWidth) ws.Quantized = new short[rows * quantizedWidth];
            if (ws.RowScale.Length < rows) ws.RowScale = new float[rows];
            if (ws.Hidden0.Length < rows * hiddenWidth)
            {
                ws.Hidden0 = new float[rows * hiddenWidth];
                ws.Hidden1 = new float[rows * hiddenWidth];
            }
            return ws;
        }
    }

    // ---- Description --------------------------------------------------------------------------------------------------

    /// <summary>The name of an activation as files and descriptions write it (the enum member's name).</summary>
    internal static string ActivationName(Activation activation) => activation switch
    {
        Activation.Linear => "Linear",
        Activation.Tanh => "Tanh",
        Activation.Sigmoid => "Sigmoid",
        Activation.Relu => "Relu",
        Activation.LeakyRelu => "LeakyRelu",
        Activation.Elu => "Elu",
        Activation.Softplus => "Softplus",
        Activation.Gelu => "Gelu",
        Activation.GeluTanh => "GeluTanh",
        Activation.Softmax => "Softmax",
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>One line per layer, and the weights' size.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Invariant($"QuantizedModel {InputSize} → {OutputSize}, {WeightBytes:N0} bytes of int8 weights, max batch {MaxBatch}\n"));
        foreach (QuantizedLayer layer in _layers) text.Append("  ").Append(layer.ToString()).Append('\n');
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
