using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Compiled;

// The file: safetensors, each layer as three tensors, {name}.weight (I8 [units, inputs]), {name}.weight_scale
// (F32 [units]) and {name}.bias (F32 [units]), and __metadata__ naming the format, its version, the layers in order
// and each layer's activation (and α). See docs/quantization.md.
public sealed partial class QuantizedModel
{
    /// <summary>The <c>format</c> metadata value of a quantized model file.</summary>
    public const string FileFormat = "compiled-int8";

    /// <summary>The <c>format_version</c> this library writes and reads.</summary>
    public const string FileFormatVersion = "1";

    private const string FormatKey = "format", VersionKey = "format_version", LayersKey = "layers";

    /// <summary>
    /// Writes the model to a safetensors file, atomically (a temporary file in the same folder, flushed to disk, then
    /// renamed over <paramref name="path"/>; on failure an existing file is left as it was).
    /// </summary>
    /// <exception cref="IOException">Writing failed; a previous file at <paramref name="path"/> is unchanged.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (List<KeyValuePair<string, string>> metadata, List<Checkpoint.RawTensor> tensors) = FileContents();
        using var file = new Checkpoint.AtomicFile(path, wrapStream: null);
        Checkpoint.WriteRaw(file.Stream, metadata, tensors);
        file.Commit();
    }

    /// <summary>Writes the model to <paramref name="stream"/> (from its position) in the safetensors format; flushes, does not close.</summary>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        (List<KeyValuePair<string, string>> metadata, List<Checkpoint.RawTensor> tensors) = FileContents();
        Checkpoint.WriteRaw(stream, metadata, tensors);
        stream.Flush();
    }

    /// <summary>
    /// The metadata and tensors of the file: the float tensors first (scales and biases, layer by layer), then the int8
    /// weights, so that every F32 tensor starts 4-byte aligned; the data is contiguous, as the reference implementation
    /// requires.
    /// </summary>
    private (List<KeyValuePair<string, string>>, List<Checkpoint.RawTensor>) FileContents()
    {
        var names = new string[_layers.Length];
        for (int l = 0; l < names.Length; l++) names[l] = _layers[l].Name;
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(FormatKey, FileFormat),
            new(VersionKey, FileFormatVersion),
            new(LayersKey, string.Join(",", names)),
        };
        foreach (QuantizedLayer layer in _layers)
        {
            metadata.Add(new(layer.Name + ".activation", ActivationName(layer.Activation)));
            if (QuantizedLayerSource.HasAlpha(layer.Activation))
                metadata.Add(new(layer.Name + ".alpha", layer.Alpha.ToString("R", CultureInfo.InvariantCulture)));
        }
        var tensors = new List<Checkpoint.RawTensor>();
        foreach (QuantizedLayer layer in _layers)
        {
            tensors.Add(new(layer.Name + ".weight_scale", "F32", [layer.Units], Bytes(layer.WeightScale)));
            tensors.Add(new(layer.Name + ".bias", "F32", [layer.Units], Bytes(layer.Bias)));
        }
        foreach (QuantizedLayer layer in _layers)
            tensors.Add(new(layer.Name + ".weight", "I8", [layer.Units, layer.Inputs], MemoryMarshal.AsBytes(layer.Weight).ToArray()));
        return (metadata, tensors);
    }

    private static byte[] Bytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return bytes;
    }

    /// <summary>
    /// Reads a model written by <see cref="Save(string)"/>. The whole file is validated before the model is built; any
    /// problem throws <see cref="InvalidDataException"/> saying what is wrong and where.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="maxBatch">The largest batch the loaded model's <see cref="Predict"/> accepts.</param>
    /// <exception cref="InvalidDataException">The file is not a valid quantized model: truncated, a bad header length or
    /// JSON, offsets outside the data or overlapping, another format or version, a missing, unknown or misnamed layer or
    /// tensor, a wrong dtype or shape, layers that do not chain, an unknown activation or a bad α, a negative, NaN or
    /// infinite scale, or a NaN or infinite bias.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static QuantizedModel Load(string path, int maxBatch = DefaultMaxBatch)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(file, maxBatch, string.Create(CultureInfo.InvariantCulture, $"quantized model '{path}'"));
    }

    /// <summary>Reads a model from <paramref name="stream"/> (from its position; seekable or not), as <see cref="Load(string, int)"/> does. The stream is not closed.</summary>
    /// <exception cref="InvalidDataException">The data is not a valid quantized model (see the path overload).</exception>
    /// <exception cref="ArgumentException">The stream is not readable, or <paramref name="maxBatch"/> is out of range.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static QuantizedModel Load(Stream stream, int maxBatch = DefaultMaxBatch)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        return Read(stream, maxBatch, "quantized model");
    }

    private static QuantizedModel Read(Stream stream, int maxBatch, string source)
    {
        QuantizedLayer[] layers;
        try
        {
            layers = ReadLayers(stream, source);
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or OverflowException or FormatException or InvalidOperationException)
        {
            // Safety net, as for parameter checkpoints: every data-dependent failure is reported as invalid data.
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Invalid {source}: {e.Message}"), e);
        }
        CheckMaxBatch(maxBatch, layers[0].Inputs, layers[^1].Units);
        return new QuantizedModel(layers, maxBatch);
    }

    /// <summary>One layer's entries and settings while the file is checked.</summary>
    private sealed class LayerEntries(string name)
    {
        public string Name { get; } = name;
        public Checkpoint.Entry? Weight, Scale, Bias;
        public Activation Activation;
        public float Alpha;
    }

    private static QuantizedLayer[] ReadLayers(Stream stream, string source)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        List<Checkpoint.Entry> entries = Checkpoint.ReadEntries(stream, source, metadata, out int n, out long? dataLength);

        // The metadata: format, version, layers and their activations.
        string format = Required(metadata, FormatKey, source);
        if (format != FileFormat)
            throw Fail(source, $"its format is '{format}', not '{FileFormat}'{(format == "compiled" ? " (a float checkpoint: load it into its generated model)" : "")}.");
        string version = Required(metadata, VersionKey, source);
        if (version != FileFormatVersion)
            throw Fail(source, $"its format_version is '{version}'; this library reads version {FileFormatVersion}.");
        string list = Required(metadata, LayersKey, source);
        var layers = new List<LayerEntries>();
        var byName = new Dictionary<string, LayerEntries>(StringComparer.Ordinal);
        foreach (string name in list.Split(','))
        {
            if (!QuantizedLayerSource.IsValidName(name))
                throw Fail(source, $"the metadata 'layers' ('{list}') holds the layer name '{name}': a name starts with an ASCII letter and has only ASCII letters, digits and '_'.");
            var layer = new LayerEntries(name);
            if (!byName.TryAdd(name, layer))
                throw Fail(source, $"the metadata 'layers' ('{list}') names '{name}' twice.");
            layers.Add(layer);
            string activation = Required(metadata, name + ".activation", source);
            layer.Activation = ParseActivation(activation)
                ?? throw Fail(source, $"layer '{name}' has activation '{activation}'; expected one of Linear, Tanh, Sigmoid, Relu, LeakyRelu, Elu, Softplus, Gelu, GeluTanh, Softmax.");
            bool hasAlpha = metadata.TryGetValue(name + ".alpha", out string? alphaText);
            if (QuantizedLayerSource.HasAlpha(layer.Activation))
            {
                if (!hasAlpha) throw Fail(source, $"layer '{name}' ({activation}) has no '{name}.alpha' in the metadata.");
                if (!float.TryParse(alphaText, NumberStyles.Float, CultureInfo.InvariantCulture, out float alpha) || !float.IsFinite(alpha)
                    || alpha < 0 || (layer.Activation == Activation.Elu && alpha == 0))
                    throw Fail(source, $"layer '{name}' has alpha '{alphaText}'; {activation} needs a finite number {(layer.Activation == Activation.Elu ? "> 0" : "≥ 0")}.");
                layer.Alpha = alpha;
            }
            else if (hasAlpha)
            {
                throw Fail(source, $"layer '{name}' ({activation}) has '{name}.alpha' in the metadata, but {activation} has no parameter.");
            }
        }

        // The tensors: exactly three per layer, with their dtypes; shapes that chain.
        foreach (Checkpoint.Entry e in entries)
        {
            string at = Checkpoint.At(e);
            int dot = e.Name.LastIndexOf('.');
            LayerEntries? layer = dot > 0 && byName.TryGetValue(e.Name[..dot], out LayerEntries? found) ? found : null;
            string kind = dot > 0 ? e.Name[(dot + 1)..] : "";
            if (layer is null || kind is not ("weight" or "weight_scale" or "bias"))
                throw Fail(source, $"unexpected {at}: a quantized model has {{layer}}.weight, {{layer}}.weight_scale and {{layer}}.bias for the layers {list}.");
            string dtype = kind == "weight" ? "I8" : "F32";
            if (e.DType != dtype)
                throw Fail(source, $"{at} has dtype '{e.DType}'; expected {dtype}.");
            e.ElementSize = kind == "weight" ? 1 : 4;
            if (kind == "weight") layer.Weight = e;
            else if (kind == "weight_scale") layer.Scale = e;
            else layer.Bias = e;
        }
        for (int l = 0; l < layers.Count; l++)
        {
            LayerEntries layer = layers[l];
            string name = layer.Name;
            Checkpoint.Entry weight = layer.Weight ?? throw Missing(source, name + ".weight", entries);
            Checkpoint.Entry scale = layer.Scale ?? throw Missing(source, name + ".weight_scale", entries);
            Checkpoint.Entry bias = layer.Bias ?? throw Missing(source, name + ".bias", entries);
            if (weight.Shape!.Count != 2 || weight.Shape[0] < 1 || weight.Shape[1] < 1 || weight.Shape[1] > (ulong)MaxInputs
                || weight.Shape[0] > (ulong)Array.MaxLength / weight.Shape[1])
                throw Fail(source, $"{Checkpoint.At(weight)} has shape {Format(weight.Shape)}; expected [units, inputs] with 1 ≤ inputs ≤ {MaxInputs} and at most {Array.MaxLength} elements.");
            ulong units = weight.Shape[0], inputs = weight.Shape[1];
            if (l > 0 && inputs != layers[l - 1].Weight!.Shape![0])
                throw Fail(source, $"layer '{name}' has {inputs} inputs ({Checkpoint.At(weight)}, shape {Format(weight.Shape)}), but layer '{layers[l - 1].Name}' has {layers[l - 1].Weight!.Shape![0]} units.");
            foreach (Checkpoint.Entry e in new[] { scale, bias })
            {
                if (e.Shape!.Count != 1 || e.Shape[0] != units)
                    throw Fail(source, $"{Checkpoint.At(e)} has shape {Format(e.Shape)}; expected [{units}] (the units of {name}.weight).");
            }
        }
        foreach (Checkpoint.Entry e in entries) Checkpoint.CheckExtent(e, n, dataLength, source);
        List<Checkpoint.Entry> sorted = Checkpoint.CheckOverlaps(entries, n, source);

        // The data, then its values.
        Checkpoint.ReadData(stream, sorted, n, source);
        var built = new QuantizedLayer[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            LayerEntries layer = layers[l];
            int units = (int)layer.Weight!.Shape![0], inputs = (int)layer.Weight.Shape[1];
            float[] scale = Floats(layer.Scale!, n, source, nonNegative: true);
            float[] bias = Floats(layer.Bias!, n, source, nonNegative: false);
            sbyte[] weight = MemoryMarshal.Cast<byte, sbyte>(layer.Weight.Data).ToArray();
            built[l] = new QuantizedLayer(layer.Name, inputs, units, layer.Activation, layer.Alpha, weight, scale, bias);
        }
        return built;
    }

    /// <summary>An F32 tensor's values; each finite (and ≥ 0 for scales), or the error names the element and its byte.</summary>
    private static float[] Floats(Checkpoint.Entry e, int n, string source, bool nonNegative)
    {
        byte[] data = e.Data!;
        var values = new float[data.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            float v = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * sizeof(float)));
            if (!float.IsFinite(v) || (nonNegative && v < 0))
                throw Fail(source, $"tensor '{e.Name}' element {i} is {v.ToString("R", CultureInfo.InvariantCulture)} (file byte {8 + (ulong)n + e.Begin + (ulong)i * sizeof(float)}); {(nonNegative ? "a scale must be finite and ≥ 0" : "a bias must be finite")}.");
            values[i] = v;
        }
        return values;
    }

    private static Activation? ParseActivation(string name) => name switch
    {
        "Linear" => Activation.Linear,
        "Tanh" => Activation.Tanh,
        "Sigmoid" => Activation.Sigmoid,
        "Relu" => Activation.Relu,
        "LeakyRelu" => Activation.LeakyRelu,
        "Elu" => Activation.Elu,
        "Softplus" => Activation.Softplus,
        "Gelu" => Activation.Gelu,
        "GeluTanh" => Activation.GeluTanh,
        "Softmax" => Activation.Softmax,
        _ => null,
    };

    private static string Required(Dictionary<string, string> metadata, string key, string source)
        => metadata.TryGetValue(key, out string? value) ? value
            : throw Fail(source, $"the metadata has no '{key}' (a quantized model's header names {FormatKey}, {VersionKey}, {LayersKey} and each layer's activation).");

    private static InvalidDataException Missing(string source, string name, List<Checkpoint.Entry> entries)
    {
        var names = new List<string>();
        foreach (Checkpoint.Entry e in entries) names.Add(e.Name);
        return Fail(source, $"tensor '{name}' is missing (the file has: {(names.Count == 0 ? "no tensors" : string.Join(", ", names))}).");
    }

    private static string Format(List<ulong> shape) => "[" + string.Join(", ", shape) + "]";

    private static InvalidDataException Fail(string source, FormattableString message) => Checkpoint.Fail(source, message);
}
