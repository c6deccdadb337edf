using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Compiled;

// Files described by their own header rather than by a caller's layout (the quantized model's I8 + F32 files): the
// header, offsets and overlaps are checked by the same code as for parameter checkpoints, the caller checks names,
// dtypes and shapes, and the data is read as bytes.
public static partial class Checkpoint
{
    /// <summary>One tensor to write: its name, safetensors dtype, shape and little-endian bytes.</summary>
    internal readonly record struct RawTensor(string Name, string DType, int[] Shape, byte[] Data);

    /// <summary>
    /// Reads each entry's bytes (<see cref="Entry.Data"/>), in file order, after the caller has checked the entries
    /// (names, dtypes, <see cref="CheckExtent"/>) and <see cref="CheckOverlaps"/> has sorted them. On a non-seekable
    /// stream a buffer grows as bytes arrive, so a header that promises more data than the stream holds fails at the end
    /// of the stream instead of allocating what it promised.
    /// </summary>
    internal static void ReadData(Stream stream, List<Entry> sorted, int n, string source)
    {
        byte[] scratch = new byte[ChunkBytes];
        ulong position = 0; // in the data section
        foreach (Entry e in sorted)
        {
            if (e.Begin > position)
            {
                Skip(stream, e.Begin - position, scratch, position, e, n, source);
                position = e.Begin;
            }
            if (e.End <= position)
            {
                e.Data = [];
                continue;
            }
            ulong length = e.End - e.Begin;
            if (length > (ulong)Array.MaxLength)
                throw Fail(source, $"{At(e)} has {length} bytes of data, more than an array holds.");
            byte[] data = new byte[(int)Math.Min(length, 1UL << 20)];
            int filled = 0;
            while ((ulong)filled < length)
            {
                if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(length, 2UL * (ulong)data.Length));
                int read = stream.Read(data, filled, data.Length - filled);
                if (read == 0) throw DataEnds(source, n, e.Begin + (ulong)filled, e);
                filled += read;
            }
            e.Data = data;
            position = e.End;
        }
    }

    /// <summary>
    /// Writes a safetensors file of the given tensors, contiguous in the order given, with exactly the metadata given
    /// (in that order; no reserved keys are added). The header is padded with spaces to a multiple of 8 bytes.
    /// </summary>
    internal static void WriteRaw(Stream stream, IReadOnlyList<KeyValuePair<string, string>> metadata, IReadOnlyList<RawTensor> tensors)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 96 * tensors.Count);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            foreach (KeyValuePair<string, string> pair in metadata) writer.WriteString(pair.Key, pair.Value);
            writer.WriteEndObject();
            long begin = 0;
            foreach (RawTensor t in tensors)
            {
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.DType);
                writer.WriteStartArray("shape");
                foreach (int dimension in t.Shape) writer.WriteNumberValue(dimension);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(begin);
                writer.WriteNumberValue(begin + t.Data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                begin += t.Data.Length;
            }
            writer.WriteEndObject();
        }
        int length = (buffer.WrittenCount + 7) & ~7;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)length);
        stream.Write(prefix);
        stream.Write(buffer.WrittenSpan);
        for (int i = buffer.WrittenCount; i < length; i++) stream.WriteByte((byte)' ');
        foreach (RawTensor t in tensors) stream.Write(t.Data);
    }
}
