using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The quantized model's safetensors file: exact round trips, the file as written (dtypes, shapes, contiguous data,
/// metadata), one test per validation rule (each failure is an <see cref="InvalidDataException"/> naming what and where,
/// from a path, a seekable and a non-seekable stream), and a differential fuzz test against an independent decoder.
/// </summary>
public sealed class QuantizedFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "compiled-int8-" + Guid.NewGuid().ToString("N"));

    public QuantizedFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Three layers with every kind of parameter: α of LeakyRelu and Elu, Softmax, a unit of zeros (scale 0).</summary>
    private static QuantizedModel Small()
    {
        var r = new Random(7);
        float[] W(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1))];
        float[] w2 = W(12);
        Array.Clear(w2, 4, 4); // hid2 unit 1: all zero
        return QuantizedModel.Create(
        [
            new("hid1", 5, 4, W(20), W(4), Activation.LeakyRelu, 0.2f),
            new("hid2", 4, 3, w2, W(3), Activation.Elu, 0.7f),
            new("out", 3, 2, W(6), W(2), Activation.Softmax),
        ], 8);
    }

    private static byte[] Saved(QuantizedModel model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    private static void SameModel(QuantizedModel expected, QuantizedModel actual)
    {
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (int l = 0; l < expected.Layers.Count; l++)
        {
            QuantizedLayer e = expected.Layers[l], a = actual.Layers[l];
            Assert.Equal((e.Name, e.Inputs, e.Units, e.Activation, e.InputRange), (a.Name, a.Inputs, a.Units, a.Activation, a.InputRange));
            Assert.Equal(BitConverter.SingleToInt32Bits(e.Alpha), BitConverter.SingleToInt32Bits(a.Alpha));
            Assert.True(e.Weight.SequenceEqual(a.Weight), $"{e.Name}.weight");
            Approx.SameBits(e.WeightScale, a.WeightScale, e.Name + ".weight_scale");
            Approx.SameBits(e.Bias, a.Bias, e.Name + ".bias");
        }
    }

    // ---- Round trips --------------------------------------------------------------------------------------------------

    [Fact]
    public void Save_then_Load_reproduces_the_model_and_its_outputs_bit_for_bit()
    {
        QuantizedModel model = new SeedAutoencoder(1, 4).Quantize(16);
        string path = Path.Combine(_dir, "seed.int8.safetensors");
        model.Save(path);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(bytes, Saved(model)); // the path and the stream write the same bytes
        Assert.InRange(bytes.Length, 627_200 + 2 * 4 * (400 + 784), 627_200 + 2 * 4 * (400 + 784) + 1024);

        float[] x = Quantization.Uniform(16 * 784, 5), expected = new float[16 * 784];
        model.Predict(x, expected, 16);
        foreach (QuantizedModel loaded in new[] { QuantizedModel.Load(path, 16), QuantizedModel.Load(new MemoryStream(bytes), 16), QuantizedModel.Load(new NonSeekableStream(bytes, 4093), 16) })
        {
            SameModel(model, loaded);
            Assert.Equal(16, loaded.MaxBatch);
            float[] y = new float[16 * 784];
            loaded.Predict(x, y, 16);
            Approx.SameBits(expected, y, "outputs after loading");
        }
        Assert.Equal(QuantizedModel.DefaultMaxBatch, QuantizedModel.Load(path).MaxBatch);
        SameModel(Small(), QuantizedModel.Load(new NonSeekableStream(Saved(Small()), 1)));
    }

    [Fact]
    public void The_file_holds_I8_weights_F32_scales_and_biases_contiguously_with_the_metadata()
    {
        QuantizedModel model = Small();
        byte[] file = Saved(model);
        (JsonObject header, byte[] data) = Split(file);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, n % 8);

        JsonObject metadata = header["__metadata__"]!.AsObject();
        Assert.Equal("compiled-int8", (string?)metadata["format"]);
        Assert.Equal("1", (string?)metadata["format_version"]);
        Assert.Equal("hid1,hid2,out", (string?)metadata["layers"]);
        Assert.Equal("LeakyRelu", (string?)metadata["hid1.activation"]);
        Assert.Equal("0.2", (string?)metadata["hid1.alpha"]);
        Assert.Equal("Elu", (string?)metadata["hid2.activation"]);
        Assert.Equal("0.7", (string?)metadata["hid2.alpha"]);
        Assert.Equal("Softmax", (string?)metadata["out.activation"]);
        Assert.Null(metadata["out.alpha"]);

        var tensors = header.Where(p => p.Key != "__metadata__").Select(p => (Name: p.Key, DType: (string)p.Value!["dtype"]!,
            Shape: p.Value["shape"]!.AsArray().Select(d => (int)d!).ToArray(), Begin: (long)p.Value["data_offsets"]![0]!, End: (long)p.Value["data_offsets"]![1]!)).ToList();
        Assert.Equal(9, tensors.Count);
        long at = 0;
        foreach (var t in tensors.OrderBy(t => t.Begin))
        {
            Assert.Equal(at, t.Begin); // contiguous from 0, as the reference implementation requires
            at = t.End;
            if (t.DType == "F32") Assert.Equal(0, t.Begin % 4);
        }
        Assert.Equal(data.Length, at);
        Assert.True(tensors.Where(t => t.DType == "F32").Max(t => t.End) <= tensors.Where(t => t.DType == "I8").Min(t => t.Begin), "float tensors first");
        foreach (QuantizedLayer layer in model.Layers)
        {
            var w = tensors.Single(t => t.Name == layer.Name + ".weight");
            Assert.Equal("I8", w.DType);
            Assert.Equal([layer.Units, layer.Inputs], w.Shape);
            Assert.Equal(MemoryMarshal(layer.Weight), data[(int)w.Begin..(int)w.End]);
            var s = tensors.Single(t => t.Name == layer.Name + ".weight_scale");
            Assert.Equal("F32", s.DType);
            Assert.Equal([layer.Units], s.Shape);
            Assert.Equal(Floats(layer.WeightScale), data[(int)s.Begin..(int)s.End]);
            var b = tensors.Single(t => t.Name == layer.Name + ".bias");
            Assert.Equal("F32", b.DType);
            Assert.Equal([layer.Units], b.Shape);
            Assert.Equal(Floats(layer.Bias), data[(int)b.Begin..(int)b.End]);
        }
        Assert.Equal(0f, model.Layers[1].WeightScale[1]);

        static byte[] MemoryMarshal(ReadOnlySpan<sbyte> v) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(v).ToArray();
        static byte[] Floats(ReadOnlySpan<float> v)
        {
            var bytes = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), v[i]);
            return bytes;
        }
    }

    [Fact]
    public void A_weight_code_of_minus_128_loads_and_computes_exactly()
    {
        // Create never writes −128 (|q| ≤ 127), but other tools' symmetric int8 can; the overflow bound allows for it.
        byte[] file = With(Saved(Small()), data: (h, d) => d[Offset(h, "hid1.weight")] = 0x80);
        QuantizedModel loaded = QuantizedModel.Load(new MemoryStream(file));
        Assert.Equal(-128, loaded.Layers[0].Weight[0]);
        float[] x = Quantization.Uniform(3 * 5, 9, -1, 1), y = new float[3 * 2];
        loaded.Predict(x, y, 3);
        Approx.SameBits(Quantization.Reference(loaded, x, 3), y, "with −128");
    }

    // ---- One test per rule -------------------------------------------------------------------------------------------

    [Fact]
    public void A_float_checkpoint_is_not_a_quantized_model()
    {
        var stream = new MemoryStream();
        new SeedAutoencoder(1, 1).Save(stream);
        AssertRejected(stream.ToArray(), "its format is 'compiled', not 'compiled-int8'", "a float checkpoint");
    }

    [Theory]
    [InlineData("format_version", "2", "its format_version is '2'; this library reads version 1")]
    [InlineData("format", "compiled-int4", "its format is 'compiled-int4'")]
    [InlineData("layers", "hid1,hid2", "unexpected tensor 'out.weight")]
    [InlineData("layers", "hid1,hid1,out", "names 'hid1' twice")]
    [InlineData("layers", "hid1,2nd,out", "the layer name '2nd'")]
    [InlineData("layers", "", "the layer name ''")]
    [InlineData("hid2.activation", "Swish", "layer 'hid2' has activation 'Swish'")]
    [InlineData("hid2.activation", "elu", "layer 'hid2' has activation 'elu'")]
    [InlineData("hid2.activation", "Tanh", "layer 'hid2' (Tanh) has 'hid2.alpha' in the metadata, but Tanh has no parameter")]
    [InlineData("hid1.alpha", "-0.5", "layer 'hid1' has alpha '-0.5'; LeakyRelu needs a finite number ≥ 0")]
    [InlineData("hid2.alpha", "0", "layer 'hid2' has alpha '0'; Elu needs a finite number > 0")]
    [InlineData("hid2.alpha", "NaN", "layer 'hid2' has alpha 'NaN'")]
    [InlineData("hid1.alpha", "0.2x", "layer 'hid1' has alpha '0.2x'")]
    [InlineData("out.activation", "LeakyRelu", "layer 'out' (LeakyRelu) has no 'out.alpha' in the metadata")]
    public void Bad_metadata_is_rejected_naming_the_key(string key, string value, string fragment)
        => AssertRejected(With(Saved(Small()), h => h["__metadata__"]![key] = value), fragment);

    [Theory]
    [InlineData("format")]
    [InlineData("format_version")]
    [InlineData("layers")]
    [InlineData("hid1.activation")]
    public void Missing_metadata_is_rejected_naming_the_key(string key)
        => AssertRejected(With(Saved(Small()), h => h["__metadata__"]!.AsObject().Remove(key)), $"the metadata has no '{key}'");

    [Fact]
    public void A_file_without_metadata_is_rejected()
        => AssertRejected(With(Saved(Small()), h => h.Remove("__metadata__")), "the metadata has no 'format'");

    [Theory]
    [InlineData("hid1.weight", "F32", "has dtype 'F32'; expected I8")]
    [InlineData("hid1.weight", "U8", "has dtype 'U8'; expected I8")]
    [InlineData("hid2.weight_scale", "F64", "has dtype 'F64'; expected F32")]
    [InlineData("out.bias", "I8", "has dtype 'I8'; expected F32")]
    public void A_wrong_dtype_is_rejected(string tensor, string dtype, string fragment)
        => AssertRejected(With(Saved(Small()), h => h[tensor]!["dtype"] = dtype), $"tensor '{tensor}'", fragment);

    [Fact]
    public void Wrong_shapes_are_rejected_naming_tensor_and_shapes()
    {
        byte[] good = Saved(Small());
        AssertRejected(With(good, h => h["hid2.bias"]!["shape"] = new JsonArray(4)), "tensor 'hid2.bias'", "has shape [4]; expected [3]");
        AssertRejected(With(good, h => h["hid1.weight_scale"]!["shape"] = new JsonArray(2, 2)), "has shape [2, 2]; expected [4]");
        AssertRejected(With(good, h => h["hid1.weight"]!["shape"] = new JsonArray(20)), "tensor 'hid1.weight'", "has shape [20]; expected [units, inputs]");
        AssertRejected(With(good, h => h["hid1.weight"]!["shape"] = new JsonArray(0, 5)), "has shape [0, 5]");
        // Same element count, transposed: the next layer no longer chains.
        AssertRejected(With(good, h => h["hid2.weight"]!["shape"] = new JsonArray(4, 3)), "layer 'hid2' has 3 inputs", "but layer 'hid1' has 4 units");
    }

    [Fact]
    public void Missing_and_unexpected_tensors_are_rejected()
    {
        byte[] good = Saved(Small());
        AssertRejected(With(good, h => h.Remove("hid2.bias")), "tensor 'hid2.bias' is missing", "the file has: ");
        AssertRejected(With(good, h => h.Remove("out.weight")), "tensor 'out.weight' is missing");
        AssertRejected(With(good, h => h["hid1.extra"] = h["out.bias"]!.DeepClone()), "unexpected tensor 'hid1.extra'");
        AssertRejected(With(good, h => h["hid3.bias"] = h["out.bias"]!.DeepClone()), "unexpected tensor 'hid3.bias'");
        AssertRejected(With(good, h => h["weight"] = h["out.bias"]!.DeepClone()), "unexpected tensor 'weight'");
    }

    [Fact]
    public void Bad_scales_and_biases_are_rejected_naming_element_and_byte()
    {
        byte[] good = Saved(Small());
        foreach ((float value, string what) in new[] { (float.NaN, "NaN"), (float.PositiveInfinity, "Infinity"), (-1e-3f, "-0.001") })
        {
            string message = AssertRejected(With(good, data: (h, d) => BinaryPrimitives.WriteSingleLittleEndian(d.AsSpan(Offset(h, "hid2.weight_scale") + 8), value)),
                $"tensor 'hid2.weight_scale' element 2 is {what}", "a scale must be finite and ≥ 0");
            Assert.Contains("(file byte ", message);
        }
        AssertRejected(With(good, data: (h, d) => BinaryPrimitives.WriteSingleLittleEndian(d.AsSpan(Offset(h, "out.bias") + 4), float.NegativeInfinity)),
            "tensor 'out.bias' element 1 is -Infinity", "a bias must be finite");
        // −0 is not negative.
        QuantizedModel loaded = QuantizedModel.Load(new MemoryStream(With(good, data: (h, d) => BinaryPrimitives.WriteSingleLittleEndian(d.AsSpan(Offset(h, "hid2.weight_scale")), -0f))));
        Assert.Equal(-0f, loaded.Layers[1].WeightScale[0]);
    }

    [Fact]
    public void Bad_offsets_are_rejected_as_for_parameter_checkpoints()
    {
        byte[] good = Saved(Small());
        AssertRejected(With(good, h => h["hid1.bias"]!["data_offsets"] = new JsonArray(Offset(h, "hid1.bias"), Offset(h, "hid1.bias") + 12)), "tensor 'hid1.bias'", "12 bytes; its shape [4] of F32 needs 16 bytes");
        AssertRejected(With(good, h => h["hid1.bias"]!["data_offsets"] = new JsonArray(Offset(h, "hid1.weight_scale"), Offset(h, "hid1.weight_scale") + 16)), "overlap");
        AssertRejected(With(good, h => h["out.weight"]!["data_offsets"] = new JsonArray(100_000, 100_006)), "past the end of the");
    }

    [Fact]
    public void Truncated_files_and_header_garbage_are_rejected()
    {
        byte[] good = Saved(Small());
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        AssertRejected(good[..5], "the file is only 5 bytes long");
        AssertRejected(good[..(8 + n / 2)], "but only");
        AssertRejected(good[..(8 + n / 2)], "the file ends at byte", "inside the", nonSeekableOnly: true);
        AssertRejected(good[..(good.Length - 1)], "the file ends at byte", "but tensor 'out.weight' has data_offsets", nonSeekableOnly: true);
        AssertRejected(good[..(good.Length - 1)], "past the end of the");
        byte[] garbage = (byte[])good.Clone();
        garbage[8] = (byte)'[';
        AssertRejected(garbage, "starts with 0x5B");
        garbage = (byte[])good.Clone();
        garbage[8 + n / 2] = (byte)'}';
        AssertRejected(garbage, "Invalid quantized model");
        BinaryPrimitives.WriteUInt64LittleEndian(garbage, ulong.MaxValue);
        AssertRejected(garbage, "the header length (file bytes 0–7) is 18446744073709551615");
    }

    [Fact]
    public void Arguments_are_checked_and_a_missing_file_is_an_IO_error()
    {
        Assert.Throws<FileNotFoundException>(() => QuantizedModel.Load(Path.Combine(_dir, "none.safetensors")));
        Assert.Throws<ArgumentException>(() => QuantizedModel.Load(""));
        Assert.Throws<ArgumentNullException>(() => QuantizedModel.Load((Stream)null!));
        Assert.Throws<ArgumentException>(() => QuantizedModel.Load(new NotReadable()));
        Assert.Throws<ArgumentException>(() => Small().Save(new MemoryStream([], writable: false)));
        Assert.Equal("maxBatch", Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedModel.Load(new MemoryStream(Saved(Small())), 0)).ParamName);
    }

    [Fact]
    public void Save_replaces_an_existing_file_atomically()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        File.WriteAllText(path, "old");
        Small().Save(path);
        SameModel(Small(), QuantizedModel.Load(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    // ---- Fuzzing -----------------------------------------------------------------------------------------------------

    private const string JsonCharacters = " {}[],:\"0123456789-.eE\\tfnu";

    /// <summary>
    /// Thousands of damaged files (truncations, byte changes in header and data, header bit flips, digit changes, inserted
    /// and deleted header bytes, random header lengths, NaN/∞/negative floats, −128 weights), loaded from a path, a
    /// seekable and a non-seekable stream. Each load must agree with an independent decoder written from the format
    /// description with <see cref="JsonDocument"/>: succeed with exactly the model it describes, or throw
    /// <see cref="InvalidDataException"/> with a helpful message — never another exception.
    /// </summary>
    [Fact]
    public void Fuzzed_files_load_exactly_what_they_contain_or_throw_InvalidDataException()
    {
        byte[] good = Saved(Small());
        Assert.NotNull(ReferenceDecode(good));
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var random = new Random(20261201);
        var cases = new List<(string Name, byte[] Bytes)> { ("unchanged", good) };
        for (int length = 0; length < good.Length; length += length < 200 ? 1 : 7) cases.Add(($"truncated to {length}", good[..length]));
        for (int i = 0; i < 600; i++)
        {
            byte[] bytes = (byte[])good.Clone();
            int flips = 1 + (i % 4 == 0 ? random.Next(4) : 0);
            var at = new List<int>();
            for (int f = 0; f < flips; f++)
            {
                int position = random.Next(bytes.Length);
                at.Add(position);
                bytes[position] = i % 2 == 0 ? (byte)(bytes[position] ^ (1 << random.Next(8))) : (byte)random.Next(256);
            }
            cases.Add(($"bytes changed at {string.Join(",", at)}", bytes));
        }
        for (int i = 0; i < 400; i++)
        {
            byte[] bytes = (byte[])good.Clone();
            int position = 8 + random.Next(n);
            bytes[position] ^= (byte)(1 << random.Next(8));
            cases.Add(($"header bit flipped at {position}", bytes));
        }
        for (int i = 0; i < 300; i++)
        {
            // Data bytes only: still a valid file unless a float turns NaN, infinite or a negative scale.
            byte[] bytes = (byte[])good.Clone();
            int position = 8 + n + random.Next(good.Length - 8 - n);
            bytes[position] = (byte)random.Next(256);
            cases.Add(($"data byte changed at {position}", bytes));
        }
        for (int i = 0; i < 60; i++)
        {
            byte[] bytes = (byte[])good.Clone();
            int position = 8 + n + 4 * random.Next(24); // among the float tensors, which come first
            float value = (i % 4) switch { 0 => float.NaN, 1 => float.PositiveInfinity, 2 => -1f, _ => -0f };
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(position), value);
            cases.Add(($"{value} at {position}", bytes));
        }
        int[] digits = [.. Enumerable.Range(8, n).Where(i => good[i] is >= (byte)'0' and <= (byte)'9')];
        for (int i = 0; i < 150; i++)
        {
            byte[] bytes = (byte[])good.Clone();
            int position = digits[random.Next(digits.Length)];
            bytes[position] = (byte)('0' + random.Next(10));
            cases.Add(($"digit changed at {position}", bytes));
        }
        for (int i = 0; i < 150; i++)
        {
            int position = 8 + random.Next(n);
            byte[] bytes = i % 2 == 0
                ? [.. good[..position], (byte)JsonCharacters[random.Next(JsonCharacters.Length)], .. good[position..]]
                : [.. good[..position], .. good[(position + 1)..]];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(n + (i % 2 == 0 ? 1 : -1)));
            cases.Add(($"header byte {(i % 2 == 0 ? "inserted" : "deleted")} at {position}", bytes));
        }
        for (int i = 0; i < 150; i++)
        {
            ulong length = (i % 5) switch
            {
                0 => (ulong)random.Next(0, 64),
                1 => (ulong)(n + random.Next(-16, 17)),
                2 => (ulong)random.NextInt64(),
                3 => (ulong)(100_000_000 + random.Next(-2, 3)),
                _ => (ulong)(good.Length - 8 + random.Next(-3, 4)),
            };
            byte[] bytes = (byte[])good.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
            cases.Add(($"header length {length}", bytes));
        }
        Assert.True(cases.Count >= 2000, $"only {cases.Count} cases");

        var failures = new List<string>();
        int accepted = 0, rejected = 0;
        string path = Path.Combine(_dir, "fuzz.safetensors");
        for (int c = 0; c < cases.Count; c++)
        {
            (string name, byte[] bytes) = cases[c];
            string how = (c % 10) switch { 0 => "file", < 5 => "seekable stream", _ => "non-seekable stream" };
            string label = $"case {c} ({name}; {how})";
            Decoded? expected = ReferenceDecode(bytes);
            try
            {
                QuantizedModel loaded;
                if (how == "file")
                {
                    File.WriteAllBytes(path, bytes);
                    loaded = QuantizedModel.Load(path);
                }
                else
                {
                    loaded = QuantizedModel.Load(how == "seekable stream" ? new MemoryStream(bytes, writable: false) : new NonSeekableStream(bytes, 1 + c % 61));
                }
                accepted++;
                if (expected is null) failures.Add($"{label}: loaded, but the reference rejects the file");
                else if (!expected.Matches(loaded)) failures.Add($"{label}: the loaded model differs from the file's");
            }
            catch (InvalidDataException e)
            {
                rejected++;
                if (expected is not null) failures.Add($"{label}: rejected ({e.Message}), but the reference accepts the file");
                if (!e.Message.StartsWith("Invalid quantized model", StringComparison.Ordinal)) failures.Add($"{label}: unhelpful message '{e.Message}'");
            }
            catch (Exception e)
            {
                failures.Add($"{label}: threw {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(accepted > 300, $"accepted {accepted}");
        Assert.True(rejected > 1000, $"rejected {rejected}");
    }

    /// <summary>What a valid file describes, layer by layer.</summary>
    private sealed record Decoded(List<(string Name, Activation Activation, float Alpha, int Units, int Inputs, byte[] Weight, float[] Scale, float[] Bias)> Layers)
    {
        public bool Matches(QuantizedModel model)
        {
            if (model.Layers.Count != Layers.Count) return false;
            for (int l = 0; l < Layers.Count; l++)
            {
                var e = Layers[l];
                QuantizedLayer a = model.Layers[l];
                if (a.Name != e.Name || a.Activation != e.Activation || a.Units != e.Units || a.Inputs != e.Inputs) return false;
                if (BitConverter.SingleToInt32Bits(a.Alpha) != BitConverter.SingleToInt32Bits(e.Alpha)) return false;
                if (!System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Weight).SequenceEqual(e.Weight)) return false;
                for (int u = 0; u < e.Units; u++)
                {
                    if (BitConverter.SingleToInt32Bits(a.WeightScale[u]) != BitConverter.SingleToInt32Bits(e.Scale[u])) return false;
                    if (BitConverter.SingleToInt32Bits(a.Bias[u]) != BitConverter.SingleToInt32Bits(e.Bias[u])) return false;
                }
            }
            return true;
        }
    }

    /// <summary>An independent decoder, from the format description (docs/quantization.md): the model, or null.</summary>
    private static Decoded? ReferenceDecode(byte[] file)
    {
        if (file.Length < 8) return null;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n < 2 || n > 100_000_000 || n > (ulong)(file.Length - 8)) return null;
        ReadOnlyMemory<byte> header = file.AsMemory(8, (int)n);
        if (header.Span[0] != (byte)'{' || !Utf8.IsValid(header.Span)) return null;
        long dataStart = 8 + (long)n, dataLength = file.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, (string DType, ulong[] Shape, ulong Begin, ulong End)>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return null;
            var names = new HashSet<string>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name)) return null;
                JsonElement value = property.Value;
                if (value.ValueKind != JsonValueKind.Object) return null;
                var keys = value.EnumerateObject().Select(p => p.Name).ToList();
                if (keys.Count != keys.Distinct().Count()) return null;
                if (property.Name == "__metadata__")
                {
                    foreach (JsonProperty p in value.EnumerateObject())
                    {
                        if (p.Value.ValueKind != JsonValueKind.String) return null;
                        metadata[p.Name] = p.Value.GetString()!;
                    }
                    continue;
                }
                if (keys.Count != 3 || !keys.Contains("dtype") || !keys.Contains("shape") || !keys.Contains("data_offsets")) return null;
                JsonElement dtype = value.GetProperty("dtype"), shape = value.GetProperty("shape"), offsets = value.GetProperty("data_offsets");
                if (dtype.ValueKind != JsonValueKind.String || shape.ValueKind != JsonValueKind.Array || offsets.ValueKind != JsonValueKind.Array) return null;
                var dims = new List<ulong>();
                foreach (JsonElement d in shape.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Number || !d.TryGetUInt64(out ulong v)) return null;
                    dims.Add(v);
                }
                var range = new List<ulong>();
                foreach (JsonElement d in offsets.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Number || !d.TryGetUInt64(out ulong v)) return null;
                    range.Add(v);
                }
                if (range.Count != 2) return null;
                tensors[property.Name] = (dtype.GetString()!, [.. dims], range[0], range[1]);
            }
        }

        if (!metadata.TryGetValue("format", out string? format) || format != "compiled-int8") return null;
        if (!metadata.TryGetValue("format_version", out string? version) || version != "1") return null;
        if (!metadata.TryGetValue("layers", out string? list)) return null;
        string[] layerNames = list.Split(',');
        if (layerNames.Distinct().Count() != layerNames.Length) return null;
        var layers = new List<(string Name, Activation Activation, float Alpha)>();
        foreach (string name in layerNames)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, @"^[A-Za-z][A-Za-z0-9_]*\z")) return null;
            if (!metadata.TryGetValue(name + ".activation", out string? activationName)) return null;
            Activation activation;
            switch (activationName)
            {
                case "Linear": activation = Activation.Linear; break;
                case "Tanh": activation = Activation.Tanh; break;
                case "Sigmoid": activation = Activation.Sigmoid; break;
                case "Relu": activation = Activation.Relu; break;
                case "LeakyRelu": activation = Activation.LeakyRelu; break;
                case "Elu": activation = Activation.Elu; break;
                case "Softplus": activation = Activation.Softplus; break;
                case "Gelu": activation = Activation.Gelu; break;
                case "GeluTanh": activation = Activation.GeluTanh; break;
                case "Softmax": activation = Activation.Softmax; break;
                default: return null;
            }
            bool hasAlpha = metadata.TryGetValue(name + ".alpha", out string? alphaText);
            float alpha = 0;
            if (activation is Activation.LeakyRelu or Activation.Elu)
            {
                if (!hasAlpha || !float.TryParse(alphaText, NumberStyles.Float, CultureInfo.InvariantCulture, out alpha) || !float.IsFinite(alpha)) return null;
                if (activation == Activation.LeakyRelu ? alpha < 0 : alpha <= 0) return null;
            }
            else if (hasAlpha)
            {
                return null;
            }
            layers.Add((name, activation, alpha));
        }
        foreach ((string name, var t) in tensors)
        {
            int dot = name.LastIndexOf('.');
            if (dot <= 0 || !layerNames.Contains(name[..dot])) return null;
            string kind = name[(dot + 1)..];
            if (kind == "weight" ? t.DType != "I8" : kind is "weight_scale" or "bias" ? t.DType != "F32" : true) return null;
        }
        var result = new Decoded([]);
        ulong previousUnits = 0;
        foreach ((string name, Activation activation, float alpha) in layers)
        {
            if (!tensors.TryGetValue(name + ".weight", out var w) || !tensors.TryGetValue(name + ".weight_scale", out var s) || !tensors.TryGetValue(name + ".bias", out var b)) return null;
            if (w.Shape.Length != 2 || w.Shape[0] < 1 || w.Shape[1] < 1 || w.Shape[1] > (ulong)QuantizedModel.MaxInputs || w.Shape[0] > (ulong)Array.MaxLength / w.Shape[1]) return null;
            if (previousUnits != 0 && w.Shape[1] != previousUnits) return null;
            previousUnits = w.Shape[0];
            if (!s.Shape.SequenceEqual([w.Shape[0]]) || !b.Shape.SequenceEqual([w.Shape[0]])) return null;
        }
        foreach (var t in tensors.Values)
        {
            ulong size = t.DType == "I8" ? 1UL : 4UL;
            ulong elements = 1;
            bool overflow = false;
            foreach (ulong d in t.Shape)
            {
                if (d != 0 && elements > ulong.MaxValue / d) overflow = true;
                elements = overflow ? 0 : elements * d;
            }
            if (t.Shape.Contains(0UL)) { overflow = false; elements = 0; }
            if (t.Begin > t.End || overflow || elements > ulong.MaxValue / size || t.End - t.Begin != elements * size || t.End > (ulong)dataLength) return null;
        }
        var spans = tensors.Values.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < spans.Count; i++)
            if (spans[i].Begin < spans[i - 1].End) return null;
        foreach ((string name, Activation activation, float alpha) in layers)
        {
            var w = tensors[name + ".weight"];
            int units = (int)w.Shape[0], inputs = (int)w.Shape[1];
            byte[] weight = file.AsSpan((int)(dataStart + (long)w.Begin), units * inputs).ToArray();
            float[] Floats(string tensor, bool scale)
            {
                var t = tensors[tensor];
                var values = new float[units];
                for (int u = 0; u < units; u++)
                {
                    values[u] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + (long)t.Begin) + 4 * u));
                    if (!float.IsFinite(values[u]) || (scale && values[u] < 0)) throw new FormatException();
                }
                return values;
            }
            try
            {
                result.Layers.Add((name, activation, alpha, units, inputs, weight, Floats(name + ".weight_scale", true), Floats(name + ".bias", false)));
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return result;
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------------

    private static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (JsonNode.Parse(file.AsSpan(8, n))!.AsObject(), file[(8 + n)..]);
    }

    /// <summary>The file with its header and data edited (the header re-serialized, its length prefix updated).</summary>
    private static byte[] With(byte[] file, Action<JsonObject>? header = null, Action<JsonObject, byte[]>? data = null)
    {
        (JsonObject h, byte[] d) = Split(file);
        data?.Invoke(h, d);
        header?.Invoke(h);
        byte[] json = Encoding.UTF8.GetBytes(h.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        byte[] result = new byte[8 + json.Length + d.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        d.CopyTo(result, 8 + json.Length);
        return result;
    }

    private static int Offset(JsonObject header, string tensor) => (int)header[tensor]!["data_offsets"]![0]!;

    /// <summary>
    /// Loading <paramref name="file"/> from a path, a seekable and a non-seekable stream throws InvalidDataException whose
    /// message starts "Invalid quantized model" and contains every fragment (with <paramref name="nonSeekableOnly"/>, only
    /// the non-seekable stream is checked: a seekable one can report some problems earlier); returns one message.
    /// </summary>
    private string AssertRejected(byte[] file, params string[] fragments) => AssertRejected(file, fragments, nonSeekableOnly: false);

    private string AssertRejected(byte[] file, string fragment0, string fragment1, bool nonSeekableOnly) => AssertRejected(file, [fragment0, fragment1], nonSeekableOnly);

    private string AssertRejected(byte[] file, string[] fragments, bool nonSeekableOnly)
    {
        string message = "";
        if (!nonSeekableOnly)
        {
            string path = Path.Combine(_dir, "bad.safetensors");
            File.WriteAllBytes(path, file);
            message = Assert.Throws<InvalidDataException>(() => QuantizedModel.Load(path)).Message;
            Assert.StartsWith($"Invalid quantized model '{path}': ", message);
            foreach (string fragment in fragments) Assert.Contains(fragment, message);
            string fromStream = Assert.Throws<InvalidDataException>(() => QuantizedModel.Load(new MemoryStream(file))).Message;
            Assert.StartsWith("Invalid quantized model: ", fromStream);
            foreach (string fragment in fragments) Assert.Contains(fragment, fromStream);
        }
        foreach (int maxRead in new[] { 1, 7, 4096 })
        {
            string fromPipe = Assert.Throws<InvalidDataException>(() => QuantizedModel.Load(new NonSeekableStream(file, maxRead))).Message;
            if (nonSeekableOnly) message = fromPipe;
            // Lengths a seekable stream checks up front, which a pipe finds out only when its data ends.
            if (!nonSeekableOnly && fragments.Any(f => f.Contains("past the end") || f.Contains("but only"))) continue;
            foreach (string fragment in fragments) Assert.Contains(fragment, fromPipe);
        }
        return message;
    }

    private sealed class NotReadable : MemoryStream
    {
        public override bool CanRead => false;
    }
}
