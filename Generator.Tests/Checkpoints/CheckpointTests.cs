using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Compiled.Tests.Infrastructure;
using Compiled.Tests.Models;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// safetensors checkpoints: exact round trips, F64 input, one test per validation rule (each failure throws
/// <see cref="InvalidDataException"/> naming what and where, and writes nothing), atomic saves under injected write
/// failures, and a differential fuzz test against an independent reference decoder.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    /// <summary>KerasActivityL1 (6 → 5 → 6) in PyTorch state_dict order.</summary>
    private static readonly TensorLayout[] Layout =
    [
        new("hid1.weight", 0, [5, 6]),
        new("hid1.bias", 30, [5]),
        new("out.weight", 35, [6, 5]),
        new("out.bias", 65, [6]),
    ];

    private const int Count = KerasActivityL1.ParameterCount;

    private const string JsonCharacters = " {}[],:\"0123456789-.eE\\tfnu";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "compiled-checkpoint-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(_dir);

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

    // ---- Round trips -----------------------------------------------------------------------------------------------

    [Fact]
    public void Layout_matches_the_generated_model()
    {
        Assert.Equal(71, Count);
        var m = new KerasActivityL1(4, 1);
        Assert.Equal(m.Hid1Weight.ToArray(), m.Parameters.Slice(0, 30).ToArray());
        Assert.Equal(m.Hid1Bias.ToArray(), m.Parameters.Slice(30, 5).ToArray());
        Assert.Equal(m.OutWeight.ToArray(), m.Parameters.Slice(35, 30).ToArray());
        Assert.Equal(m.OutBias.ToArray(), m.Parameters.Slice(65, 6).ToArray());
    }

    [Fact]
    public void Save_then_load_reproduces_the_parameters_bit_for_bit_and_writes_a_correct_file()
    {
        var source = new KerasActivityL1(4, 1);
        RandomParameters(7).CopyTo(source.Parameters);
        string path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, source.Parameters, Layout);

        var target = new KerasActivityL1(4, 2);
        Assert.NotEqual(Bits(source.Parameters), Bits(target.Parameters));
        Checkpoint.Load(path, target.Parameters, Layout);
        Assert.Equal(Bits(source.Parameters), Bits(target.Parameters));

        // The bytes themselves: header length, JSON header, padding, data.
        byte[] file = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, n % 8); // data 8-byte aligned, as the reference implementation writes it
        Assert.Equal(8 + (long)n + Count * sizeof(float), file.Length);
        Assert.Equal((byte)'{', file[8]);
        string json = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.Equal(json.TrimEnd(' ').Length, json.TrimEnd().Length); // only spaces pad
        using (JsonDocument doc = JsonDocument.Parse(json))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.Equal(["__metadata__", "hid1.weight", "hid1.bias", "out.weight", "out.bias"], root.EnumerateObject().Select(p => p.Name).ToArray());
            JsonElement metadata = root.GetProperty("__metadata__");
            Assert.Equal("compiled", metadata.GetProperty("format").GetString());
            Assert.Equal("71", metadata.GetProperty("parameter_count").GetString());
            foreach (TensorLayout t in Layout)
            {
                JsonElement e = root.GetProperty(t.Name);
                Assert.Equal("F32", e.GetProperty("dtype").GetString());
                Assert.Equal(t.Shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());
                long length = t.Shape.Aggregate(1, (a, b) => a * b);
                Assert.Equal([t.Offset * 4L, (t.Offset + length) * 4], e.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray());
                Assert.Equal(3, e.EnumerateObject().Count());
            }
        }
        for (int i = 0; i < Count; i++)
        {
            int bits = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8 + (int)n + 4 * i));
            Assert.Equal(BitConverter.SingleToInt32Bits(source.Parameters[i]), bits);
        }

        // The same bytes through the stream overload.
        var stream = new MemoryStream();
        Checkpoint.Save(stream, source.Parameters, Layout);
        Assert.Equal(file, stream.ToArray());

        // And the loaded model computes the same thing.
        float[] x = [.. Enumerable.Range(0, 4 * 6).Select(i => (i % 7) / 7f)];
        float[] y1 = new float[4 * 6], y2 = new float[4 * 6];
        source.Parameters[13] = 0.25f; // the NaN would make the comparison vacuous
        target.Parameters[13] = 0.25f;
        source.Predict(x, y1, 4);
        target.Predict(x, y2, 4);
        Assert.Equal(y1, y2);
    }

    [Fact]
    public void Round_trip_through_a_non_seekable_stream_with_user_metadata()
    {
        float[] p = RandomParameters(3);
        var stream = new MemoryStream();
        Checkpoint.Save(stream, p, Layout, new Dictionary<string, string> { ["epoch"] = "12", ["note"] = "λ = 0.1 \"quoted\"" });
        byte[] bytes = stream.ToArray();

        float[] q = new float[Count];
        Checkpoint.Load(new NonSeekableStream(bytes, maxRead: 5), q, Layout);
        Assert.Equal(Bits(p), Bits(q));

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using JsonDocument doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        JsonElement metadata = doc.RootElement.GetProperty("__metadata__");
        Assert.Equal("12", metadata.GetProperty("epoch").GetString());
        Assert.Equal("λ = 0.1 \"quoted\"", metadata.GetProperty("note").GetString());
        Assert.Equal("compiled", metadata.GetProperty("format").GetString());
    }

    [Fact]
    public void Tensor_order_in_the_file_does_not_matter_and_a_subset_layout_loads_only_its_tensors()
    {
        float[] p = RandomParameters(4);
        string json = Header(
            Entry("out.bias", "F32", "[6]", 0, 24),
            Entry("hid1.weight", "F32", "[5,6]", 24, 144),
            Entry("out.weight", "F32", "[6,5]", 144, 264),
            Entry("hid1.bias", "F32", "[5]", 264, 284));
        byte[] data = [.. Data32(p[65..71]), .. Data32(p[0..30]), .. Data32(p[35..65]), .. Data32(p[30..35])];
        float[] q = new float[Count];
        Checkpoint.Load(new MemoryStream(RawFile(json, data)), q, Layout);
        Assert.Equal(Bits(p), Bits(q));

        // Only the output layer, non-strict: the rest of the block is untouched.
        float[] r = new float[Count];
        Array.Fill(r, 9f);
        Checkpoint.Load(new MemoryStream(RawFile(json, data)), r, [Layout[2], Layout[3]], new CheckpointLoadOptions { Strict = false });
        Assert.All(r[..35], v => Assert.Equal(9f, v));
        Assert.Equal(Bits(p[35..]), Bits(r[35..]));
    }

    [Fact]
    public void An_F64_file_loads_converted_to_float()
    {
        double[] values = [.. Enumerable.Range(0, Count).Select(i => Math.Sin(i) * Math.Pow(10, i % 5 - 2))];
        values[5] = 1e-50; // underflows to 0
        values[6] = -0.0;
        string json = Header([.. Layout.Select(t => Entry(t.Name, "F64", Shape(t), t.Offset * 8L, (t.Offset + Length(t)) * 8L))]);
        byte[] file = RawFile(json, Data64(values));

        var m = new KerasActivityL1(4, 1);
        string path = Path.Combine(_dir, "f64.safetensors");
        File.WriteAllBytes(path, file);
        Checkpoint.Load(path, m.Parameters, Layout);
        for (int i = 0; i < Count; i++) Assert.Equal(BitConverter.SingleToInt32Bits((float)values[i]), BitConverter.SingleToInt32Bits(m.Parameters[i]));
        Assert.Equal(0f, m.Parameters[5]);
        Assert.True(float.IsNegative(m.Parameters[6]));
    }

    [Fact]
    public void Mixed_dtypes_header_padding_and_unicode_names_load()
    {
        TensorLayout[] layout = [new("ä.w", 0, [2, 2]), new("b", 4, [3]), new("scalar", 7, []), new("empty", 8, [0, 4])];
        float[] p = [1, 2, 3, 4, 5, 6, 7, 8];
        string json = Header(
            Entry("ä.w", "F64", "[2,2]", 0, 32),
            Entry("b", "F32", "[3]", 32, 44),
            Entry("scalar", "F32", "[]", 44, 48),
            Entry("empty", "F32", "[0,4]", 48, 48),
            "\"__metadata__\":{}") + "    \n\t ";
        byte[] data = [.. Data64([1, 2, 3, 4]), .. Data32([5, 6, 7]), .. Data32([8])];
        float[] q = new float[8];
        Checkpoint.Load(new MemoryStream(RawFile(json, data)), q, layout);
        Assert.Equal(p, q);

        // And saved with them: the name is written as UTF-8, not escaped.
        var stream = new MemoryStream();
        Checkpoint.Save(stream, p, layout);
        Assert.Contains("\"ä.w\"", Encoding.UTF8.GetString(stream.ToArray()));
        float[] r = new float[8];
        Checkpoint.Load(new MemoryStream(stream.ToArray()), r, layout);
        Assert.Equal(p, r);
    }

    // ---- Validation: every failure is InvalidDataException naming what and where, and writes nothing --------------

    [Fact]
    public void Wrong_shape_is_rejected_naming_tensor_and_both_shapes()
    {
        string json = Header(Standard(e => e.Name == "hid1.weight" ? Entry("hid1.weight", "F32", "[6,5]", 0, 120) : null));
        string message = AssertRejected(RawFile(json, StandardData()), "tensor 'hid1.weight'", "has shape [6, 5]", "the model expects [5, 6]");
        int at = 8 + Encoding.UTF8.GetByteCount(json[..json.IndexOf("\"hid1.weight\"", StringComparison.Ordinal)]);
        Assert.Contains($"header at file byte {at})", message);
    }

    [Fact]
    public void A_shape_with_another_rank_is_rejected()
        => AssertRejected(RawFile(Header(Standard(e => e.Name == "hid1.bias" ? Entry("hid1.bias", "F32", "[5,1]", 120, 140) : null)), StandardData()),
            "'hid1.bias'", "shape [5, 1]", "expects [5]");

    [Fact]
    public void A_missing_tensor_is_rejected_in_strict_and_non_strict_mode()
    {
        byte[] file = RawFile(Header(Standard(e => e.Name == "out.bias" ? "" : null)), StandardData()[..260]);
        AssertRejected(file, "tensor 'out.bias' [6] is missing", "hid1.weight, hid1.bias, out.weight");
        AssertRejected(file, new CheckpointLoadOptions { Strict = false }, "tensor 'out.bias' [6] is missing");
    }

    [Fact]
    public void An_unexpected_tensor_is_rejected_when_strict_and_skipped_when_not()
    {
        float[] p = RandomParameters(5);
        string json = Header([.. Standard(_ => null), Entry("extra.weight", "F32", "[2]", 284, 292)]);
        byte[] file = RawFile(json, [.. Data32(p), .. Data32([100f, 200f])]);
        AssertRejected(file, "unexpected tensor 'extra.weight'", "Strict = false");

        foreach (Stream stream in new Stream[] { new MemoryStream(file), new NonSeekableStream(file, maxRead: 3) })
        {
            float[] q = new float[Count];
            Checkpoint.Load(stream, q, Layout, new CheckpointLoadOptions { Strict = false });
            Assert.Equal(Bits(p), Bits(q));
        }

        // Skipped, but still checked: an extra tensor past the end of the data is an error even when not strict.
        string bad = Header([.. Standard(_ => null), Entry("extra.weight", "F32", "[2]", 284, 292)]);
        AssertRejected(RawFile(bad, Data32(p)), new CheckpointLoadOptions { Strict = false }, ["'extra.weight'", "past the end"], ["'extra.weight'", "file ends at byte"]);
    }

    [Fact]
    public void Overlapping_offsets_are_rejected_naming_both_tensors()
        => AssertRejected(
            RawFile(Header(Standard(e => e.Name == "hid1.bias" ? Entry("hid1.bias", "F32", "[5]", 100, 120) : null)), StandardData()),
            new CheckpointLoadOptions { Strict = false }, "tensors 'hid1.weight' (data_offsets [0, 120]) and 'hid1.bias' (data_offsets [100, 120]) overlap");

    [Fact]
    public void An_unexpected_tensor_overlapping_an_expected_one_is_rejected_when_not_strict()
        => AssertRejected(
            RawFile(Header([.. Standard(_ => null), Entry("alias", "F32", "[2]", 120, 128)]), StandardData()),
            new CheckpointLoadOptions { Strict = false }, "'hid1.bias'", "'alias'", "overlap");

    [Fact]
    public void Offsets_outside_the_data_are_rejected()
    {
        // out.bias claims [260, 284) but the data section holds 280 bytes.
        AssertRejected(RawFile(Header(Standard(_ => null)), StandardData()[..280]), null,
            ["tensor 'out.bias'", "data_offsets [260, 284]", "past the end of the 280-byte data section"],
            ["tensor 'out.bias'", "data_offsets [260, 284]", "file ends at byte"]);
        // An offset beyond any file.
        AssertRejected(RawFile(Header(Standard(e => e.Name == "out.bias" ? Entry("out.bias", "F32", "[6]", 18446744073709551591, 18446744073709551615) : null)), StandardData()),
            null, ["'out.bias'", "past the end"], ["'out.bias'", "file ends at byte"]);
    }

    [Fact]
    public void A_byte_length_that_does_not_match_the_shape_is_rejected()
    {
        AssertRejected(RawFile(Header(Standard(e => e.Name == "hid1.bias" ? Entry("hid1.bias", "F32", "[5]", 120, 144) : null)), StandardData()),
            "tensor 'hid1.bias'", "data_offsets [120, 144], 24 bytes", "[5] of F32 needs 20 bytes");
        // F64 declared over F32-sized data.
        AssertRejected(RawFile(Header(Standard(e => e.Name == "hid1.bias" ? Entry("hid1.bias", "F64", "[5]", 120, 140) : null)), StandardData()),
            "'hid1.bias'", "of F64 needs 40 bytes");
        AssertRejected(RawFile(Header(Standard(e => e.Name == "hid1.bias" ? Entry("hid1.bias", "F32", "[5]", 140, 120) : null)), StandardData()),
            "'hid1.bias'", "the end is before the beginning");
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("I32")]
    [InlineData("f32")]
    [InlineData("")]
    public void An_unsupported_dtype_is_rejected(string dtype)
        => AssertRejected(RawFile(Header(Standard(e => e.Name == "out.weight" ? Entry("out.weight", dtype, "[6,5]", 140, 260) : null)), StandardData()),
            "tensor 'out.weight'", $"dtype '{dtype}'", "only F32 and F64");

    [Fact]
    public void A_header_length_larger_than_the_file_or_the_limit_is_rejected()
    {
        string json = Header(Standard(_ => null));
        byte[] good = RawFile(json, StandardData());
        int n = Encoding.UTF8.GetByteCount(json);
        ulong rest = (ulong)(good.Length - 8);
        AssertRejected(RawFile(json, StandardData(), headerLength: rest + 1), null,
            [$"header length (file bytes 0–7) is {rest + 1}", $"only {rest} bytes follow it"], [$"file ends at byte {good.Length}", $"inside the {rest + 1}-byte header"]);
        AssertRejected(RawFile(json, StandardData(), headerLength: 100_000_001), "header length (file bytes 0–7) is 100000001", "limit of 100000000");
        AssertRejected(RawFile(json, StandardData(), headerLength: ulong.MaxValue), "is 18446744073709551615", "limit");
        AssertRejected(RawFile(json, StandardData(), headerLength: 1UL << 63), "limit");
        // A header length that swallows part of the data ("AAAA…"): the JSON then has trailing garbage.
        byte[] ascii = Data32([.. Enumerable.Repeat(BitConverter.Int32BitsToSingle(0x41414141), Count)]);
        AssertRejected(RawFile(json, ascii, headerLength: (ulong)n + 8), "not valid JSON");
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void A_header_length_below_two_is_rejected(ulong length)
        => AssertRejected(RawFile("{}", StandardData(), headerLength: length), $"header length (file bytes 0–7) is {length}", "smallest header");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void A_file_shorter_than_the_length_prefix_is_rejected(int length)
        => AssertRejected(RawFile(Header(Standard(_ => null)), StandardData())[..length], $"only {length} bytes long");

    [Fact]
    public void A_truncated_header_is_rejected()
    {
        string json = Header(Standard(_ => null));
        byte[] file = RawFile(json, StandardData());
        int n = Encoding.UTF8.GetByteCount(json);
        // Cut inside the header: the length prefix promises more than the file holds.
        AssertRejected(file[..(8 + n / 2)], null, [$"header length (file bytes 0–7) is {n}", $"only {n / 2} bytes follow it"], [$"the file ends at byte {8 + n / 2}, inside the {n}-byte header"]);
        // A shorter prefix over a complete file: the JSON is cut.
        AssertRejected(RawFile(json, StandardData(), headerLength: (ulong)n - 1), "not valid JSON");
        AssertRejected(RawFile(json[..(n / 2)], []), "not valid JSON");
    }

    [Theory]
    [InlineData("{\"__metadata__\":{},}", "not valid JSON")]
    [InlineData("{,}", "not valid JSON")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,120]}} x", "not valid JSON")]
    [InlineData("{/* comment */}", "not valid JSON")]
    [InlineData("{'a':1}", "not valid JSON")]
    [InlineData("{\"a\"}", "not valid JSON")]
    [InlineData("[1,2]", "starts with 0x5B")]
    [InlineData(" {}", "starts with 0x20")]
    [InlineData("\uFEFF{}", "starts with 0xEF")]
    [InlineData("{\"__metadata__\":{\"a\":1}}", "'__metadata__' value 'a' is the number 1")]
    [InlineData("{\"__metadata__\":[]}", "'__metadata__' is an array")]
    [InlineData("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", "key 'a' twice")]
    [InlineData("{\"hid1.weight\":[]}", "tensor 'hid1.weight' is an array")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6]}}", "tensor 'hid1.weight' (file byte 9) has no 'data_offsets'")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,120],\"extra\":1}}", "unknown key 'extra'")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,120],\"dtype\":\"F32\"}}", "has the key 'dtype' twice")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,-6],\"data_offsets\":[0,120]}}", "shape has the number -6")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6.0],\"data_offsets\":[0,120]}}", "shape has the number 6.0")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,120,240]}}", "has 3 numbers")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,1e2]}}", "data_offsets has the number 1e2")]
    [InlineData("{\"hid1.weight\":{\"dtype\":32,\"shape\":[5,6],\"data_offsets\":[0,120]}}", "dtype is the number 32")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":\"5x6\",\"data_offsets\":[0,120]}}", "shape is a string")]
    [InlineData("{\"hid1.weight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,120]},\"hid1.weight\":{}}", "'hid1.weight' appears twice")]
    [InlineData("{\"hid1\\u002eweight\":{\"dtype\":\"F32\",\"shape\":[5,6],\"data_offsets\":[0,120]},\"hid1.weight\":{}}", "'hid1.weight' appears twice")]
    public void Malformed_headers_are_rejected(string json, string fragment)
        => AssertRejected(RawFile(json, StandardData()), fragment);

    [Fact]
    public void A_header_that_is_not_UTF8_is_rejected()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"hid1.weight\":{}}");
        header[5] = 0xFF;
        AssertRejected(RawFile(header, StandardData()), "not valid UTF-8 at file byte 13");
    }

    [Fact]
    public void Non_finite_values_are_rejected_on_request_naming_tensor_element_and_byte()
    {
        float[] p = RandomParameters(6);
        p[13] = 0.5f;
        p[37] = float.NaN; // out.weight element 2: row 0, column 2
        byte[] file = RawFile(Header(Standard(_ => null)), Data32(p));
        AssertRejected(file, new CheckpointLoadOptions { RejectNonFinite = true },
            "tensor 'out.weight' element 2 (index [0, 2]) is NaN", $"file byte {8 + Encoding.UTF8.GetByteCount(Header(Standard(_ => null))) + 37 * 4}");

        float[] q = new float[Count];
        Checkpoint.Load(new MemoryStream(file), q, Layout); // accepted by default
        Assert.True(float.IsNaN(q[37]));

        p[37] = 1f;
        p[66] = float.NegativeInfinity;
        AssertRejected(RawFile(Header(Standard(_ => null)), Data32(p)), new CheckpointLoadOptions { RejectNonFinite = true }, "tensor 'out.bias' element 1 is -Infinity");
    }

    [Fact]
    public void F64_values_beyond_float_range_are_rejected_and_F64_infinities_follow_the_option()
    {
        double[] values = new double[Count];
        values[31] = 1e39;
        string json = Header([.. Layout.Select(t => Entry(t.Name, "F64", Shape(t), t.Offset * 8L, (t.Offset + Length(t)) * 8L))]);
        AssertRejected(RawFile(json, Data64(values)), "tensor 'hid1.bias' element 1 is 1E+39", "beyond the range of float");

        values[31] = double.PositiveInfinity;
        float[] q = new float[Count];
        Checkpoint.Load(new MemoryStream(RawFile(json, Data64(values))), q, Layout);
        Assert.Equal(float.PositiveInfinity, q[31]);
        AssertRejected(RawFile(json, Data64(values)), new CheckpointLoadOptions { RejectNonFinite = true }, "tensor 'hid1.bias' element 1 is Infinity");
    }

    [Fact]
    public void Bad_layouts_and_reserved_metadata_are_argument_errors_and_save_writes_nothing()
    {
        string path = Path.Combine(_dir, "never.safetensors");
        float[] p = new float[Count];
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("a", 0, [5]), new("b", 4, [2])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("a", 70, [2])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("a", -1, [2])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("a", 0, [2, -1])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("a", 0, [2]), new("a", 2, [2])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("__metadata__", 0, [2])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("", 0, [2])]));
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, [new("a\ud800", 0, [2])])); // not encodable in UTF-8
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, Layout, new Dictionary<string, string> { ["k"] = "\udc00" }));
        ArgumentException e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, p, Layout, new Dictionary<string, string> { ["format"] = "x" }));
        Assert.Contains("'format' is reserved", e.Message);
        Assert.Throws<ArgumentException>(() => Checkpoint.Load(new MemoryStream(), p, [new("a", 0, [100])]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_missing_file_is_an_IO_error_not_invalid_data()
        => Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(Path.Combine(_dir, "absent.safetensors"), new float[Count], Layout));

    // ---- Atomic save -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("start")]
    [InlineData("after length")]
    [InlineData("mid-header")]
    [InlineData("mid-data")]
    [InlineData("last byte")]
    public void A_failed_save_leaves_the_old_file_intact_and_no_temporary_file(string where)
    {
        string path = Path.Combine(_dir, "model.safetensors");
        float[] old = RandomParameters(10);
        Checkpoint.Save(path, old, Layout);
        byte[] before = File.ReadAllBytes(path);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(before);
        long failAfter = where switch
        {
            "start" => 0,
            "after length" => 8,
            "mid-header" => 8 + n / 2,
            "mid-data" => 8 + n + 100,
            _ => before.Length - 1,
        };

        float[] updated = RandomParameters(11);
        IOException e = Assert.Throws<IOException>(() => Checkpoint.Save(path, updated, Layout, null, s => new FailingStream(s, failAfter)));
        Assert.Contains($"after {failAfter} bytes", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).ToArray());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        // Without a failure the same seam replaces the file.
        Checkpoint.Save(path, updated, Layout, null, s => new FailingStream(s, long.MaxValue));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        float[] q = new float[Count];
        Checkpoint.Load(path, q, Layout);
        Assert.Equal(Bits(updated), Bits(q));
    }

    [Fact]
    public void A_failed_first_save_creates_no_file()
    {
        string path = Path.Combine(_dir, "fresh.safetensors");
        Assert.Throws<IOException>(() => Checkpoint.Save(path, RandomParameters(1), Layout, null, s => new FailingStream(s, 100)));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Save_replaces_an_existing_checkpoint()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        Checkpoint.Save(path, RandomParameters(1), Layout);
        float[] second = RandomParameters(2);
        Checkpoint.Save(path, second, Layout);
        float[] q = new float[Count];
        Checkpoint.Load(path, q, Layout);
        Assert.Equal(Bits(second), Bits(q));
        Assert.Single(Directory.GetFiles(_dir));
    }

    // ---- Fuzzing ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Thousands of deterministic mutations of a valid F32 file and a valid F64 file (byte changes anywhere, in the data and in the
    /// header, non-finite values, digit changes, inserted and deleted header bytes, truncation at every length up to 200 and at random
    /// lengths, random header lengths), loaded strict and not, through seekable and non-seekable streams and files.
    /// Each load must agree with an independent reference decoder: succeed with exactly the values the reference reads,
    /// or throw <see cref="InvalidDataException"/> and leave the parameters as they were.
    /// </summary>
    [Fact]
    public void Fuzzed_files_load_exactly_what_they_contain_or_throw_InvalidDataException_without_writing()
    {
        // Valid, finite originals (so that RejectNonFinite cases are decided by the mutation, not the original).
        var originals = new List<(string Kind, byte[] Bytes)>();
        var stream = new MemoryStream();
        float[] floats = RandomParameters(1);
        floats[13] = 0.5f;
        Checkpoint.Save(stream, floats, Layout);
        originals.Add(("F32", stream.ToArray()));
        double[] doubles = [.. RandomParameters(2).Select(v => (double)v * 1.000001)];
        doubles[11] = float.MaxValue;
        doubles[13] = 1e-300; // rounds to 0
        Assert.NotNull(ReferenceDecode(originals[0].Bytes, Layout, new CheckpointLoadOptions { RejectNonFinite = true }));
        string json64 = Header([.. Layout.Select(t => Entry(t.Name, "F64", Shape(t), t.Offset * 8L, (t.Offset + Length(t)) * 8L))]);
        originals.Add(("F64", RawFile(json64, Data64(doubles))));
        Assert.NotNull(ReferenceDecode(originals[1].Bytes, Layout, new CheckpointLoadOptions { RejectNonFinite = true }));

        var random = new Random(20240611);
        var cases = new List<(string Name, byte[] Bytes)>();
        foreach ((string kind, byte[] good) in originals)
        {
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
            cases.Add(($"{kind} unchanged", good));
            for (int length = 0; length <= Math.Min(200, good.Length - 1); length++) cases.Add(($"{kind} truncated to {length}", good[..length]));
            for (int i = 0; i < 100; i++)
            {
                int length = random.Next(good.Length);
                cases.Add(($"{kind} truncated to {length}", good[..length]));
            }
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
                cases.Add(($"{kind} bytes changed at {string.Join(",", at)}", bytes));
            }
            for (int i = 0; i < 250; i++)
            {
                byte[] bytes = (byte[])good.Clone();
                int position = 8 + random.Next(n);
                bytes[position] ^= (byte)(1 << random.Next(8));
                cases.Add(($"{kind} header bit flipped at {position}", bytes));
            }
            for (int i = 0; i < 150; i++)
            {
                // Data bytes only: still a valid file, which must load with exactly the damaged values.
                byte[] bytes = (byte[])good.Clone();
                int position = 8 + n + random.Next(good.Length - 8 - n);
                bytes[position] = (byte)random.Next(256);
                cases.Add(($"{kind} data byte changed at {position}", bytes));
            }
            for (int i = 0; i < 40; i++)
            {
                // A non-finite value in the data: valid, unless RejectNonFinite.
                byte[] bytes = (byte[])good.Clone();
                int size = kind == "F32" ? 4 : 8;
                int position = 8 + n + size * random.Next((good.Length - 8 - n) / size);
                double value = (i % 3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };
                if (size == 4) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(position), (float)value);
                else BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(position), value);
                cases.Add(($"{kind} {value} at {position}", bytes));
            }
            int[] digits = [.. Enumerable.Range(8, n).Where(i => good[i] is >= (byte)'0' and <= (byte)'9')];
            for (int i = 0; i < 60; i++)
            {
                byte[] bytes = (byte[])good.Clone();
                int position = digits[random.Next(digits.Length)];
                bytes[position] = (byte)('0' + random.Next(10));
                cases.Add(($"{kind} digit changed at {position}", bytes));
            }
            for (int i = 0; i < 60; i++)
            {
                // Insert or delete one header byte and fix the length prefix, so the JSON itself is what is tested.
                int position = 8 + random.Next(n);
                byte[] bytes = i % 2 == 0
                    ? [.. good[..position], (byte)JsonCharacters[random.Next(JsonCharacters.Length)], .. good[position..]]
                    : [.. good[..position], .. good[(position + 1)..]];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(n + (i % 2 == 0 ? 1 : -1)));
                cases.Add(($"{kind} header byte {(i % 2 == 0 ? "inserted" : "deleted")} at {position}", bytes));
            }
            for (int i = 0; i < 150; i++)
            {
                ulong length = (i % 6) switch
                {
                    0 => (ulong)random.Next(0, 64),
                    1 => (ulong)(n + random.Next(-16, 17)),
                    2 => (ulong)random.NextInt64(),
                    3 => ((ulong)random.NextInt64() << 1) | 1UL << 63,
                    4 => (ulong)(100_000_000 + random.Next(-2, 3)),
                    _ => (ulong)(good.Length - 8 + random.Next(-3, 4)),
                };
                byte[] bytes = (byte[])good.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
                cases.Add(($"{kind} header length {length}", bytes));
            }
        }
        Assert.True(cases.Count >= 3000, $"only {cases.Count} cases");

        float[] sentinel = [.. Enumerable.Range(0, Count).Select(i => -1000f - i)];
        var failures = new List<string>();
        int accepted = 0, rejected = 0;
        for (int c = 0; c < cases.Count; c++)
        {
            (string name, byte[] bytes) = cases[c];
            var options = new CheckpointLoadOptions { Strict = c % 3 != 0, RejectNonFinite = c % 5 == 0 };
            string how = (c % 20) switch
            {
                0 => "file",
                < 10 => "seekable stream",
                _ => "non-seekable stream",
            };
            string label = $"case {c} ({name}; {how}; strict {options.Strict}, reject non-finite {options.RejectNonFinite})";
            float[]? expected = ReferenceDecode(bytes, Layout, options);
            float[] target = (float[])sentinel.Clone();
            try
            {
                switch (how)
                {
                    case "file":
                        string path = Path.Combine(_dir, "fuzz.safetensors");
                        File.WriteAllBytes(path, bytes);
                        Checkpoint.Load(path, target, Layout, options);
                        break;
                    case "seekable stream":
                        Checkpoint.Load(new MemoryStream(bytes, writable: false), target, Layout, options);
                        break;
                    default:
                        Checkpoint.Load(new NonSeekableStream(bytes, maxRead: 1 + c % 97), target, Layout, options);
                        break;
                }
                accepted++;
                if (expected is null) failures.Add($"{label}: loaded, but the reference rejects the file");
                else if (!Bits(expected).SequenceEqual(Bits(target))) failures.Add($"{label}: loaded values differ from the file's");
            }
            catch (InvalidDataException e)
            {
                rejected++;
                if (expected is not null) failures.Add($"{label}: rejected ({e.Message}), but the reference accepts the file");
                if (!Bits(sentinel).SequenceEqual(Bits(target))) failures.Add($"{label}: threw but changed the parameters");
                if (string.IsNullOrWhiteSpace(e.Message) || !e.Message.StartsWith("Invalid checkpoint", StringComparison.Ordinal))
                    failures.Add($"{label}: unhelpful message '{e.Message}'");
            }
            catch (Exception e)
            {
                failures.Add($"{label}: threw {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures.Take(20)));
        // Both outcomes are exercised (data-byte flips keep a file valid; most header damage does not).
        Assert.True(accepted > 300, $"accepted {accepted}");
        Assert.True(rejected > 1000, $"rejected {rejected}");
    }

    /// <summary>
    /// An independent decoder for the fuzz test, written from the format description with <see cref="JsonDocument"/>:
    /// the parameters a valid file yields, or null if the file is invalid for <paramref name="layout"/>.
    /// </summary>
    private static float[]? ReferenceDecode(byte[] file, IReadOnlyList<TensorLayout> layout, CheckpointLoadOptions options)
    {
        if (file.Length < 8) return null;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n < 2 || n > 100_000_000 || n > (ulong)(file.Length - 8)) return null;
        ReadOnlyMemory<byte> header = file.AsMemory(8, (int)n);
        if (header.Span[0] != (byte)'{' || !Utf8.IsValid(header.Span)) return null;
        long dataStart = 8 + (long)n, dataLength = file.Length - dataStart;

        var entries = new List<(string Name, string DType, ulong[] Shape, ulong Begin, ulong End)>();
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
                    if (value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String)) return null;
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
                entries.Add((property.Name, dtype.GetString()!, [.. dims], range[0], range[1]));
            }
        }

        foreach (var e in entries)
        {
            if (e.DType is not ("F32" or "F64")) return null;
            TensorLayout? expected = layout.Where(t => t.Name == e.Name).Select(t => (TensorLayout?)t).FirstOrDefault();
            if (expected is null && options.Strict) return null;
            if (expected is { } t && !e.Shape.SequenceEqual(t.Shape.Select(d => (ulong)d))) return null;
            if (e.Begin > e.End || e.End > (ulong)dataLength) return null;
            SaturatingProduct bytes = e.Shape.Aggregate(new SaturatingProduct(e.DType == "F32" ? 4UL : 8UL), (a, d) => a * d);
            if (!bytes.Is(e.End - e.Begin)) return null;
        }
        foreach (TensorLayout t in layout)
        {
            if (!entries.Any(e => e.Name == t.Name)) return null;
        }
        var nonEmpty = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < nonEmpty.Count; i++)
        {
            if (nonEmpty[i].Begin < nonEmpty[i - 1].End) return null;
        }

        float[] result = new float[Count];
        foreach (TensorLayout t in layout)
        {
            var e = entries.Single(x => x.Name == t.Name);
            for (int i = 0; i < Length(t); i++)
            {
                float value;
                if (e.DType == "F32")
                {
                    value = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + (long)e.Begin) + 4 * i));
                }
                else
                {
                    double d = BinaryPrimitives.ReadDoubleLittleEndian(file.AsSpan((int)(dataStart + (long)e.Begin) + 8 * i));
                    if (double.IsFinite(d) && float.IsInfinity((float)d)) return null; // beyond float range
                    value = (float)d;
                }
                if (options.RejectNonFinite && !float.IsFinite(value)) return null;
                result[t.Offset + i] = value;
            }
        }
        return result;
    }

    /// <summary>An element count × size that remembers overflowing (enough to compare with a byte length).</summary>
    private readonly record struct SaturatingProduct(ulong Value, bool Overflow = false)
    {
        public static SaturatingProduct operator *(SaturatingProduct a, ulong b)
        {
            if (b == 0) return new SaturatingProduct(0);
            if (a.Overflow) return a;
            if (a.Value > ulong.MaxValue / b) return new SaturatingProduct(ulong.MaxValue, Overflow: true);
            return new SaturatingProduct(a.Value * b);
        }

        public bool Is(ulong bytes) => !Overflow && Value == bytes;
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Asserts that loading <paramref name="file"/> (from a path, a seekable and a non-seekable stream) throws
    /// InvalidDataException containing every fragment and leaves a model's parameters unchanged; returns the message
    /// from the path.
    /// </summary>
    private string AssertRejected(byte[] file, params string[] fragments) => AssertRejected(file, null, fragments, fragments);

    private string AssertRejected(byte[] file, CheckpointLoadOptions? options, params string[] fragments) => AssertRejected(file, options, fragments, fragments);

    private string AssertRejected(byte[] file, CheckpointLoadOptions? options, string[] fragments, string[] nonSeekableFragments)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, file);
        var model = new KerasActivityL1(4, 3);
        float[] before = model.Parameters.ToArray();

        InvalidDataException fromPath = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, model.Parameters, Layout, options));
        Assert.Contains($"Invalid checkpoint '{path}'", fromPath.Message);
        foreach (string fragment in fragments) Assert.Contains(fragment, fromPath.Message);
        Assert.Equal(Bits(before), Bits(model.Parameters));

        InvalidDataException fromStream = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new MemoryStream(file), model.Parameters, Layout, options));
        foreach (string fragment in fragments) Assert.Contains(fragment, fromStream.Message);
        Assert.Equal(Bits(before), Bits(model.Parameters));

        foreach (int maxRead in new[] { 1, 7, 4096 })
        {
            InvalidDataException fromPipe = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(new NonSeekableStream(file, maxRead), model.Parameters, Layout, options));
            foreach (string fragment in nonSeekableFragments) Assert.Contains(fragment, fromPipe.Message);
            Assert.Equal(Bits(before), Bits(model.Parameters));
        }
        return fromPath.Message;
    }

    /// <summary>Parameters spread over magnitudes, with −0, the smallest subnormal, float.MaxValue and a NaN payload.</summary>
    private static float[] RandomParameters(int seed)
    {
        var random = new Random(seed);
        float[] p = new float[Count];
        for (int i = 0; i < p.Length; i++) p[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-4, 3)));
        p[3] = -0f;
        p[7] = float.Epsilon;
        p[11] = float.MaxValue;
        p[13] = BitConverter.Int32BitsToSingle(0x7FC01234);
        return p;
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        int[] bits = new int[values.Length];
        for (int i = 0; i < bits.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }

    private static int Length(TensorLayout t) => t.Shape.Aggregate(1, (a, b) => a * b);

    private static string Shape(TensorLayout t) => "[" + string.Join(",", t.Shape) + "]";

    private static string Entry(string name, string dtype, string shape, long begin, long end)
        => Entry(name, dtype, shape, (ulong)begin, (ulong)end);

    private static string Entry(string name, string dtype, string shape, ulong begin, ulong end)
        => string.Create(CultureInfo.InvariantCulture, $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}");

    private static string Header(params string[] entries) => "{" + string.Join(",", entries.Where(e => e.Length > 0)) + "}";

    /// <summary>The four F32 entries of <see cref="Layout"/>, contiguous, with <paramref name="replace"/> overriding some.</summary>
    private static string[] Standard(Func<TensorLayout, string?> replace)
        => [.. Layout.Select(t => replace(t) ?? Entry(t.Name, "F32", Shape(t), t.Offset * 4L, (t.Offset + Length(t)) * 4L))];

    private static byte[] StandardData() => Data32(RandomParameters(8));

    private static byte[] Data32(float[] values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] Data64(double[] values)
    {
        byte[] bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    private static byte[] RawFile(string json, byte[] data, ulong? headerLength = null) => RawFile(Encoding.UTF8.GetBytes(json), data, headerLength);

    /// <summary>A file written by hand: u64 length (little-endian, as BinaryWriter writes it), header, data.</summary>
    private static byte[] RawFile(byte[] header, byte[] data, ulong? headerLength = null)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(headerLength ?? (ulong)header.Length);
            writer.Write(header);
            writer.Write(data);
        }
        return stream.ToArray();
    }

    /// <summary>Passes writes through to <c>inner</c> until <c>failAfter</c> bytes, then throws (after writing up to the limit).</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > failAfter)
            {
                int allowed = (int)(failAfter - _written);
                inner.Write(buffer[..allowed]);
                _written = failAfter;
                throw new IOException($"Injected failure after {failAfter} bytes.");
            }
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }
}

/// <summary>The generated Save/Load members on a model.</summary>
public class GeneratedCheckpointTests
{
    [Fact]
    public void Generated_layout_names_and_shapes_follow_the_state_dict_and_cover_every_parameter()
    {
        var layout = Compiled.Tests.Models.SeedAutoencoder.ParameterLayout;
        Assert.Equal(["hid1.weight", "hid1.bias", "out.weight", "out.bias"], layout.Select(t => t.Name));
        Assert.Equal([400, 784], layout[0].Shape);
        Assert.Equal([784], layout[3].Shape);
        Assert.Equal(Compiled.Tests.Models.SeedAutoencoder.ParameterCount, layout.Sum(t => t.Shape.Aggregate(1, (a, b) => a * b)));
        Assert.Equal(313600 + 400, layout[2].Offset);
    }

    [Fact]
    public void Save_then_Load_into_another_model_reproduces_parameters_and_predictions()
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "compiled-gen-ckpt-" + System.Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            var a = new Compiled.Tests.Models.EveryRegularizer(4, 1);
            var b = new Compiled.Tests.Models.EveryRegularizer(4, 2);
            string path = System.IO.Path.Combine(dir, "model.safetensors");
            a.Save(path);
            Assert.False(a.Parameters.SequenceEqual(b.Parameters));
            b.Load(path);
            Assert.True(a.Parameters.SequenceEqual(b.Parameters));
            float[] x = Enumerable.Range(0, 4 * 6).Select(i => i / 10f - 1).ToArray(), ya = new float[16], yb = new float[16];
            a.Predict(x, ya, 4);
            b.Predict(x, yb, 4);
            Assert.Equal(ya, yb);
            // The architecture travels in the metadata.
            string header = System.Text.Encoding.UTF8.GetString(System.IO.File.ReadAllBytes(path), 8, 600);
            Assert.Contains("\"architecture\"", header);
            Assert.Contains("head: Dense 4 linear", header);
            // A checkpoint of another model is refused, naming the tensor, and changes nothing.
            var seed = new Compiled.Tests.Models.KerasActivityL1(4, 1);
            float[] before = seed.Parameters.ToArray();
            var e = Assert.Throws<System.IO.InvalidDataException>(() => seed.Load(path));
            Assert.Contains("hid1.weight", e.Message);
            Assert.Equal(before, seed.Parameters.ToArray());
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>The divergence guard: a non-finite step is refused, named, and leaves the model as it was.</summary>
public class DivergenceGuardTests
{
    [Fact]
    public void A_NaN_input_throws_naming_the_step_and_term_and_leaves_the_parameters()
    {
        var m = new Compiled.Tests.Models.FdTanh(2, 1);
        float[] x = Enumerable.Range(0, 10).Select(i => i / 10f).ToArray(), t = new float[6];
        m.TrainStep(x, t, 2);
        m.TrainStep(x, t, 2);
        float[] before = m.Parameters.ToArray();
        x[3] = float.NaN;
        var e = Assert.Throws<TrainingDivergedException>(() => m.TrainStep(x, t, 2));
        Assert.Equal(2, e.Step);
        Assert.Equal("data", e.Term);
        Assert.Contains("step 2", e.Message);
        Assert.Equal(before, m.Parameters.ToArray());
        Assert.Equal(2, m.Step);
    }

    [Fact]
    public void An_overflowing_weight_is_refused_before_the_update()
    {
        // A weight of 3e38 makes the first pre-activation overflow: the step must not be applied.
        var m = new Compiled.Tests.Models.FdLinear(1, 1);
        m.Parameters[0] = 3e38f;
        float[] before = m.Parameters.ToArray();
        var e = Assert.Throws<TrainingDivergedException>(() => m.TrainStep([1, 1, 1, 1, 1], [0, 0, 0], 1));
        Assert.Equal(0, e.Step);
        Assert.Equal(before, m.Parameters.ToArray());
    }

    [Fact]
    public void With_the_guard_off_the_update_is_applied_as_is()
    {
        var m = new Compiled.Tests.Models.FdTanh(1, 1) { DivergenceGuard = false };
        float[] x = [float.NaN, 0, 0, 0, 0];
        m.TrainStep(x, new float[3], 1);
        Assert.Contains(m.Parameters.ToArray(), float.IsNaN);
        Assert.Equal(1, m.Step);
    }

    [Fact]
    public void AllFinite_detects_NaN_and_infinities_anywhere()
    {
        var v = new float[1000];
        Assert.True(Compiled.Kernels.Divergence.AllFinite(v));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int at = 0; at < v.Length; at += 97)
            {
                v[at] = bad;
                Assert.False(Compiled.Kernels.Divergence.AllFinite(v));
                v[at] = 0;
            }
        v[5] = float.MaxValue; v[6] = float.MaxValue;
        Assert.True(Compiled.Kernels.Divergence.AllFinite(v));
    }

    [Fact]
    public void MaxAbs_is_the_largest_magnitude_at_every_length_and_position()
    {
        var rng = new Random(5);
        for (int n = 0; n <= 70; n++)
        {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() - 0.5) * 10;
            float want = n == 0 ? 0f : v.Max(MathF.Abs);
            Assert.Equal(want, Compiled.Kernels.Divergence.MaxAbs(v));
            for (int at = 0; at < n; at++)
            {
                float keep = v[at];
                v[at] = -1e30f;
                Assert.Equal(1e30f, Compiled.Kernels.Divergence.MaxAbs(v));
                v[at] = float.NegativeInfinity;
                Assert.Equal(float.PositiveInfinity, Compiled.Kernels.Divergence.MaxAbs(v));
                Assert.False(Compiled.Kernels.Divergence.AllFinite(v));
                v[at] = -float.NaN;
                Assert.True(float.IsNaN(Compiled.Kernels.Divergence.MaxAbs(v)));
                Assert.False(Compiled.Kernels.Divergence.AllFinite(v));
                v[at] = keep;
            }
            Assert.True(Compiled.Kernels.Divergence.AllFinite(v));
        }
        Assert.Equal(0f, Compiled.Kernels.Divergence.MaxAbs([-0f, 0f]));
    }
}
