using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace Compiled;

/// <summary>
/// Where one tensor lives in a flat parameter block: its name in the checkpoint (e.g. <c>hid1.weight</c>), its first
/// element's index in the block (in floats, not bytes) and its shape (row-major). Its length is the product of
/// <paramref name="Shape"/> (1 for a scalar, shape <c>[]</c>).
/// </summary>
/// <param name="Name">The tensor's name in the checkpoint; unique, not empty, not <c>__metadata__</c>.</param>
/// <param name="Offset">Index of the tensor's first element in the parameter block.</param>
/// <param name="Shape">The tensor's dimensions, outermost first (a PyTorch weight is <c>[out, in]</c>).</param>
public readonly record struct TensorLayout(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}

/// <summary>How strictly <see cref="Checkpoint"/> loads a file.</summary>
public sealed class CheckpointLoadOptions
{
    /// <summary>
    /// <see langword="true"/> (the default): a tensor in the file that is not among the expected ones is an error.
    /// <see langword="false"/>: such tensors are checked (dtype, offsets, length) and skipped. Every expected tensor is
    /// required either way.
    /// </summary>
    public bool Strict { get; set; } = true;

    /// <summary>Reject a file in which an expected tensor contains NaN or ±∞ (default <see langword="false"/>).</summary>
    public bool RejectNonFinite { get; set; }
}

/// <summary>
/// Saves and loads a flat parameter block (such as a generated model's <c>Parameters</c>) as a
/// <see href="https://github.com/huggingface/safetensors">safetensors</see> file: an 8-byte little-endian header length
/// N, N bytes of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end)}</c> (offsets
/// relative to the first byte after the header) plus an optional <c>"__metadata__"</c> object of strings, then the raw
/// little-endian data. Files are written as the reference implementation writes them (F32, header padded with spaces
/// to 8 bytes, tensors contiguous), the layout PyTorch's <c>safetensors.torch.load_file</c> reads into a state_dict.
/// </summary>
/// <remarks>
/// <para>
/// Loading validates the whole file before it writes a single parameter: any problem throws
/// <see cref="InvalidDataException"/>, whose message says what is wrong and where (tensor name, expected and actual
/// shape, offsets, byte position), and leaves the parameters unchanged. F32 and F64 tensors are accepted (F64 rounded to
/// float; a finite value beyond float range is an error). Unused bytes between tensors are tolerated; overlapping
/// tensors are not.
/// </para>
/// <para>
/// The double overloads (float64 models) write F64 tensors, and read F64 tensors bit for bit and F32 tensors widened
/// (exactly), with the same validation.
/// </para>
/// <para>
/// Saving to a path is atomic: the file is written to a temporary file next to it, flushed to disk and renamed over
/// the target, so a failure leaves any previous file intact. No reflection: the header is read and written with
/// <see cref="Utf8JsonReader"/> and <see cref="Utf8JsonWriter"/>.
/// </para>
/// </remarks>
public static partial class Checkpoint
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    internal const int MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";
    private const int ChunkBytes = 1 << 16;

    // ---- Save ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Writes <paramref name="tensors"/> of <paramref name="parameters"/> to <paramref name="path"/> as a safetensors file
    /// (dtype F32, in the order given). Atomic: the data goes to a temporary file in the same directory, which is flushed
    /// to disk and then renamed over <paramref name="path"/>; on failure it is deleted and an existing file is left as
    /// it was.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="parameters">The parameter block the layouts refer to.</param>
    /// <param name="tensors">Name, offset and shape of each tensor to store.</param>
    /// <param name="metadata">
    /// Extra <c>__metadata__</c> entries. <c>"format": "compiled"</c> and <c>"parameter_count"</c> (the number of floats
    /// stored) are always written; these two keys are reserved.
    /// </param>
    /// <exception cref="ArgumentException">
    /// A layout is invalid (empty or duplicate name, negative dimension, outside <paramref name="parameters"/>, overlapping
    /// another) or <paramref name="metadata"/> uses a reserved key. Nothing is written.
    /// </exception>
    /// <exception cref="IOException">Writing failed; a previous file at <paramref name="path"/> is unchanged.</exception>
    public static void Save(string path, ReadOnlySpan<float> parameters, IReadOnlyList<TensorLayout> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
        => Save(path, parameters, tensors, metadata, wrapStream: null);

    /// <summary>
    /// Writes <paramref name="tensors"/> of <paramref name="parameters"/> to <paramref name="stream"/> as a safetensors
    /// file (dtype F32, in the order given), starting at its current position. The stream is flushed, not closed.
    /// </summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="parameters">The parameter block the layouts refer to.</param>
    /// <param name="tensors">Name, offset and shape of each tensor to store.</param>
    /// <param name="metadata">
    /// Extra <c>__metadata__</c> entries; <c>"format"</c> and <c>"parameter_count"</c> are reserved (always written).
    /// </param>
    /// <exception cref="ArgumentException">
    /// A layout is invalid, <paramref name="metadata"/> uses a reserved key, or the stream is not writable. Nothing is
    /// written.
    /// </exception>
    public static void Save(Stream stream, ReadOnlySpan<float> parameters, IReadOnlyList<TensorLayout> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        int[] counts = CheckLayouts(parameters.Length, tensors);
        byte[] header = BuildHeader<float>(tensors, counts, metadata);
        Write(stream, header, parameters, tensors, counts);
        stream.Flush();
    }

    /// <summary>
    /// <see cref="Save(string, ReadOnlySpan{float}, IReadOnlyList{TensorLayout}, IReadOnlyDictionary{string, string}?)"/>
    /// with a seam for tests: <paramref name="wrapStream"/> (if given) wraps the temporary file's stream, e.g. in one
    /// that fails after some bytes.
    /// </summary>
    internal static void Save(string path, ReadOnlySpan<float> parameters, IReadOnlyList<TensorLayout> tensors,
        IReadOnlyDictionary<string, string>? metadata, Func<Stream, Stream>? wrapStream)
        => SaveFile(path, parameters, tensors, metadata, wrapStream);

    /// <summary>The atomic save, for float (F32) or double (F64) parameters.</summary>
    private static void SaveFile<T>(string path, ReadOnlySpan<T> parameters, IReadOnlyList<TensorLayout> tensors,
        IReadOnlyDictionary<string, string>? metadata, Func<Stream, Stream>? wrapStream)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int[] counts = CheckLayouts(parameters.Length, tensors);
        byte[] header = BuildHeader<T>(tensors, counts, metadata);
        using var file = new AtomicFile(path, wrapStream);
        Write(file.Stream, header, parameters, tensors, counts);
        file.Commit();
    }

    /// <summary>
    /// A file written atomically: <see cref="Stream"/> writes to a temporary file in the target's directory;
    /// <see cref="Commit"/> flushes it to disk and renames it over the target. Disposed without a commit (the writer
    /// threw), it deletes the temporary file and leaves an existing target as it was.
    /// </summary>
    internal sealed class AtomicFile : IDisposable
    {
        private readonly string _target, _temporary;
        private readonly FileStream _file;
        private bool _done;

        /// <param name="path">The file to create or replace.</param>
        /// <param name="wrapStream">Tests: wraps the temporary file's stream (e.g. in one that fails after some bytes).</param>
        public AtomicFile(string path, Func<Stream, Stream>? wrapStream)
        {
            _target = Path.GetFullPath(path);
            _temporary = _target + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant() + ".tmp";
            _file = new FileStream(_temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, ChunkBytes);
            try
            {
                Stream = wrapStream is null ? _file : wrapStream(_file);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>Where the contents go.</summary>
        public Stream Stream { get; } = Stream.Null;

        public void Commit()
        {
            Stream.Flush();
            _file.Flush(flushToDisk: true);
            if (!ReferenceEquals(Stream, _file)) Stream.Dispose();
            _file.Dispose();
            File.Move(_temporary, _target, overwrite: true);
            _done = true;
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            // The writer's exception is the one to report; cleaning up is best effort.
            try
            {
                if (!ReferenceEquals(Stream, _file)) Stream.Dispose();
            }
            catch (Exception)
            {
            }
            try
            {
                _file.Dispose();
            }
            catch (Exception)
            {
            }
            try
            {
                File.Delete(_temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private static byte[] BuildHeader<T>(IReadOnlyList<TensorLayout> tensors, int[] counts, IReadOnlyDictionary<string, string>? metadata)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = Unsafe.SizeOf<T>();
        long stored = 0;
        foreach (int count in counts) stored += count;

        var extra = new List<KeyValuePair<string, string>>();
        if (metadata is not null)
        {
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                if (pair.Key is null || pair.Value is null)
                    throw new ArgumentException("Checkpoint metadata keys and values must not be null.", nameof(metadata));
                if (!IsWellFormed(pair.Key) || !IsWellFormed(pair.Value))
                    throw new ArgumentException("Checkpoint metadata contains an unpaired surrogate, which UTF-8 cannot encode.", nameof(metadata));
                if (pair.Key is "format" or "parameter_count")
                    throw new ArgumentException(Invariant($"Checkpoint metadata key '{pair.Key}' is reserved: it is always written by Save."), nameof(metadata));
                extra.Add(pair);
            }
            extra.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key)); // deterministic files
        }

        var buffer = new ArrayBufferWriter<byte>(256 + 96 * tensors.Count);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            writer.WriteString("format", "compiled");
            writer.WriteString("parameter_count", stored.ToString(CultureInfo.InvariantCulture));
            foreach (KeyValuePair<string, string> pair in extra) writer.WriteString(pair.Key, pair.Value);
            writer.WriteEndObject();
            long begin = 0;
            for (int t = 0; t < tensors.Count; t++)
            {
                TensorLayout layout = tensors[t];
                long end = begin + (long)counts[t] * elementSize;
                writer.WriteStartObject(layout.Name);
                writer.WriteString("dtype", elementSize == sizeof(float) ? "F32" : "F64");
                writer.WriteStartArray("shape");
                foreach (int dimension in layout.Shape) writer.WriteNumberValue(dimension);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(begin);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                begin = end;
            }
            writer.WriteEndObject();
        }

        // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
        int length = (buffer.WrittenCount + 7) & ~7;
        byte[] header = new byte[length];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void Write<T>(Stream stream, byte[] header, ReadOnlySpan<T> parameters, IReadOnlyList<TensorLayout> tensors, int[] counts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int elementSize = Unsafe.SizeOf<T>();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);

        int chunkFloats = ChunkBytes / elementSize;
        byte[]? swapped = BitConverter.IsLittleEndian ? null : new byte[ChunkBytes];
        for (int t = 0; t < tensors.Count; t++)
        {
            ReadOnlySpan<T> values = parameters.Slice(tensors[t].Offset, counts[t]);
            while (!values.IsEmpty)
            {
                ReadOnlySpan<T> chunk = values[..Math.Min(values.Length, chunkFloats)];
                if (swapped is null)
                {
                    stream.Write(MemoryMarshal.AsBytes(chunk));
                }
                else
                {
                    if (typeof(T) == typeof(float))
                        for (int i = 0; i < chunk.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(swapped.AsSpan(i * sizeof(float)), MemoryMarshal.Cast<T, float>(chunk)[i]);
                    else
                        for (int i = 0; i < chunk.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(swapped.AsSpan(i * sizeof(double)), MemoryMarshal.Cast<T, double>(chunk)[i]);
                    stream.Write(swapped, 0, chunk.Length * elementSize);
                }
                values = values[chunk.Length..];
            }
        }
    }

    // ---- Load ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads the safetensors file at <paramref name="path"/> into <paramref name="parameters"/>: each of
    /// <paramref name="tensors"/> must be in the file with exactly its shape, as F32 or F64 (converted to float). The whole
    /// file is validated and decoded before anything is written to <paramref name="parameters"/>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="parameters">The parameter block to fill; changed only if loading succeeds.</param>
    /// <param name="tensors">Name, offset and shape of each tensor expected in the file.</param>
    /// <param name="options">Strictness; <see langword="null"/> for the defaults (strict, non-finite values accepted).</param>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid checkpoint for <paramref name="tensors"/>: truncated, bad header length or JSON, unsupported
    /// dtype, wrong shape, offsets outside the data or overlapping, wrong byte length, a missing tensor, an unexpected
    /// tensor (strict mode), a non-finite value (<see cref="CheckpointLoadOptions.RejectNonFinite"/>) or an F64 value
    /// beyond float range. <paramref name="parameters"/> is unchanged.
    /// </exception>
    /// <exception cref="ArgumentException">A layout is invalid (see <see cref="Save(string, ReadOnlySpan{float}, IReadOnlyList{TensorLayout}, IReadOnlyDictionary{string, string}?)"/>).</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static void Load(string path, Span<float> parameters, IReadOnlyList<TensorLayout> tensors, CheckpointLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int[] counts = CheckLayouts(parameters.Length, tensors);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.SequentialScan);
        Load(file, parameters, tensors, counts, options ?? new CheckpointLoadOptions(), Invariant($"checkpoint '{path}'"));
    }

    /// <summary>
    /// Reads a safetensors file from <paramref name="stream"/> (from its current position; seekable or not) into
    /// <paramref name="parameters"/>, as
    /// <see cref="Load(string, Span{float}, IReadOnlyList{TensorLayout}, CheckpointLoadOptions?)"/> does. Byte positions
    /// in error messages count from the starting position. The stream is not closed.
    /// </summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="parameters">The parameter block to fill; changed only if loading succeeds.</param>
    /// <param name="tensors">Name, offset and shape of each tensor expected in the file.</param>
    /// <param name="options">Strictness; <see langword="null"/> for the defaults (strict, non-finite values accepted).</param>
    /// <exception cref="InvalidDataException">
    /// The data is not a valid checkpoint for <paramref name="tensors"/> (see the path overload). <paramref name="parameters"/>
    /// is unchanged.
    /// </exception>
    /// <exception cref="ArgumentException">A layout is invalid, or the stream is not readable.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static void Load(Stream stream, Span<float> parameters, IReadOnlyList<TensorLayout> tensors, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        int[] counts = CheckLayouts(parameters.Length, tensors);
        Load(stream, parameters, tensors, counts, options ?? new CheckpointLoadOptions(), "checkpoint");
    }

    private static void Load<T>(Stream stream, Span<T> parameters, IReadOnlyList<TensorLayout> tensors, int[] counts,
        CheckpointLoadOptions options, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] decoded;
        int[] decodedAt;
        try
        {
            (decoded, decodedAt) = Read<T>(stream, tensors, counts, options, source);
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or OverflowException or FormatException or InvalidOperationException)
        {
            // Safety net: every data-dependent failure is reported as invalid data.
            throw new InvalidDataException(Invariant($"Invalid {source}: {e.Message}"), e);
        }

        // Everything is valid: only now touch the parameters.
        for (int t = 0; t < tensors.Count; t++)
            decoded.AsSpan(decodedAt[t], counts[t]).CopyTo(parameters.Slice(tensors[t].Offset, counts[t]));
    }

    /// <summary>One entry of the header.</summary>
    internal sealed class Entry(string name, long headerPosition)
    {
        public string Name { get; } = name;
        public long HeaderPosition { get; } = headerPosition;
        public string? DType { get; set; }
        public int ElementSize { get; set; }
        public List<ulong>? Shape { get; set; }
        public ulong Begin { get; set; }
        public ulong End { get; set; }
        public bool HasOffsets { get; set; }
        public int Expected { get; set; } = -1;
        /// <summary>The tensor's bytes, for files read without a layout (<see cref="ReadData"/>).</summary>
        public byte[]? Data { get; set; }
    }

    private static (T[] Decoded, int[] DecodedAt) Read<T>(Stream stream, IReadOnlyList<TensorLayout> tensors, int[] counts,
        CheckpointLoadOptions options, string source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        List<Entry> entries = ReadEntries(stream, source, metadata: null, out int n, out long? dataLength);

        // Every entry on its own.
        var expectedByName = new Dictionary<string, int>(tensors.Count, StringComparer.Ordinal);
        for (int t = 0; t < tensors.Count; t++) expectedByName.Add(tensors[t].Name, t);
        var found = new Entry?[tensors.Count];
        foreach (Entry e in entries)
        {
            string at = At(e);
            if (e.DType is not ("F32" or "F64"))
                throw Fail(source, $"{at} has dtype '{e.DType}'; only F32 and F64 are supported.");
            e.ElementSize = e.DType == "F32" ? 4 : 8;
            if (expectedByName.TryGetValue(e.Name, out int t))
            {
                e.Expected = t;
                found[t] = e;
                if (!SameShape(e.Shape!, tensors[t].Shape))
                    throw Fail(source, $"{at} has shape {Format(e.Shape!)}; the model expects {Format(tensors[t].Shape)}.");
            }
            else if (options.Strict)
            {
                throw Fail(source, $"unexpected {at}: the model has no such tensor (expected: {Names(tensors)}). Set CheckpointLoadOptions.Strict = false to skip it.");
            }
            CheckExtent(e, n, dataLength, source);
        }
        for (int t = 0; t < tensors.Count; t++)
        {
            if (found[t] is null)
                throw Fail(source, $"tensor '{tensors[t].Name}' {Format(tensors[t].Shape)} is missing (the file has: {Names(entries)}).");
        }

        List<Entry> sorted = CheckOverlaps(entries, n, source);

        // Decode, in file order, into a buffer of our own.
        var decodedAt = new int[tensors.Count];
        int total = 0;
        for (int t = 0; t < tensors.Count; t++)
        {
            decodedAt[t] = total;
            total += counts[t];
        }
        var decoded = new T[total];
        byte[] scratch = new byte[ChunkBytes];
        ulong position = 0; // in the data section
        foreach (Entry e in sorted)
        {
            if (e.Begin > position)
            {
                Skip(stream, e.Begin - position, scratch, position, e, n, source);
                position = e.Begin;
            }
            if (e.End <= position) continue; // empty
            if (e.Expected < 0)
            {
                Skip(stream, e.End - position, scratch, position, e, n, source);
            }
            else
            {
                Span<T> target = decoded.AsSpan(decodedAt[e.Expected], counts[e.Expected]);
                if (typeof(T) == typeof(float))
                {
                    Span<float> floats = MemoryMarshal.Cast<T, float>(target);
                    if (e.ElementSize == 4) ReadF32(stream, floats, e, n, source);
                    else ReadF64(stream, floats, scratch, e, n, source);
                }
                else
                {
                    Span<double> doubles = MemoryMarshal.Cast<T, double>(target);
                    if (e.ElementSize == 4) ReadF32Widened(stream, doubles, scratch, e, n, source);
                    else ReadF64Exact(stream, doubles, e, n, source);
                }
                if (options.RejectNonFinite)
                {
                    for (int i = 0; i < target.Length; i++)
                    {
                        if (!T.IsFinite(target[i]))
                            throw Fail(source, $"tensor '{e.Name}' element {i}{Index(i, tensors[e.Expected].Shape)} is {target[i]} (file byte {8 + (ulong)n + e.Begin + (ulong)i * (ulong)e.ElementSize}); non-finite values are rejected.");
                    }
                }
            }
            position = e.End;
        }
        return (decoded, decodedAt);
    }

    /// <summary>
    /// Reads the length prefix and the header and parses its entries (and, if <paramref name="metadata"/> is given, the
    /// <c>__metadata__</c> strings into it). <paramref name="headerLength"/> is the header's length N (the data section
    /// starts at file byte 8 + N); <paramref name="dataLength"/> the data section's length, when the stream can tell.
    /// </summary>
    internal static List<Entry> ReadEntries(Stream stream, string source, Dictionary<string, string>? metadata, out int headerLength, out long? dataLength)
    {
        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < prefix.Length)
            throw Fail(source, $"the file is only {got} bytes long; a checkpoint starts with an 8-byte little-endian header length.");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        long? afterPrefix = stream.CanSeek ? stream.Length - stream.Position : null;
        if (length < 2)
            throw Fail(source, $"the header length (file bytes 0–7) is {length}; the smallest header, '{{}}', is 2 bytes.");
        if (length > MaxHeaderLength)
            throw Fail(source, $"the header length (file bytes 0–7) is {length}, above the limit of {MaxHeaderLength} bytes.");
        if (afterPrefix is long rest && length > (ulong)rest)
            throw Fail(source, $"the header length (file bytes 0–7) is {length}, but only {rest} bytes follow it (file length {rest + 8}).");
        headerLength = (int)length;
        byte[] header = ReadHeader(stream, headerLength, source);
        List<Entry> entries = ParseHeader(header, source, metadata);
        dataLength = stream.CanSeek ? stream.Length - stream.Position : null;
        return entries;
    }

    /// <summary>How error messages name an entry: its name and where its header entry starts.</summary>
    internal static string At(Entry e) => Invariant($"tensor '{e.Name}' (header at file byte {8 + e.HeaderPosition})");

    /// <summary>
    /// An entry's data_offsets against its shape and dtype (<see cref="Entry.ElementSize"/>, set by the caller) and, when
    /// known, the data section's length.
    /// </summary>
    internal static void CheckExtent(Entry e, int n, long? dataLength, string source)
    {
        string at = At(e);
        if (e.Begin > e.End)
            throw Fail(source, $"{at} has data_offsets [{e.Begin}, {e.End}]: the end is before the beginning.");
        ulong bytes = ByteLength(e.Shape!, e.ElementSize, out bool overflow);
        if (overflow || e.End - e.Begin != bytes)
            throw Fail(source, $"{at} has data_offsets [{e.Begin}, {e.End}], {e.End - e.Begin} bytes; its shape {Format(e.Shape!)} of {e.DType} needs {(overflow ? "more than 2^64" : bytes.ToString(CultureInfo.InvariantCulture))} bytes.");
        if (dataLength is long length && e.End > (ulong)length)
            throw Fail(source, $"{at} has data_offsets [{e.Begin}, {e.End}], past the end of the {length}-byte data section (file bytes {8 + n}–{8 + n + length - 1}).");
    }

    /// <summary>No two tensors share bytes (empty tensors occupy none); returns the entries in file order.</summary>
    internal static List<Entry> CheckOverlaps(List<Entry> entries, int n, string source)
    {
        var sorted = new List<Entry>(entries);
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        Entry? previous = null;
        foreach (Entry e in sorted)
        {
            if (e.Begin == e.End) continue;
            if (previous is not null && e.Begin < previous.End)
                throw Fail(source, $"tensors '{previous.Name}' (data_offsets [{previous.Begin}, {previous.End}]) and '{e.Name}' (data_offsets [{e.Begin}, {e.End}]) overlap at file bytes {8 + (ulong)n + e.Begin}–{8 + (ulong)n + Math.Min(e.End, previous.End) - 1}.");
            previous = e;
        }
        return sorted;
    }

    private static byte[] ReadHeader(Stream stream, int length, string source)
    {
        // Grow as bytes arrive: a garbage length must not allocate 100 MB for a 100-byte stream.
        byte[] header = new byte[Math.Min(length, ChunkBytes)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == header.Length) Array.Resize(ref header, (int)Math.Min(length, 2L * header.Length));
            int read = stream.Read(header, filled, header.Length - filled);
            if (read == 0)
                throw Fail(source, $"the file ends at byte {8 + filled}, inside the {length}-byte header (file bytes 8–{8L + length - 1}).");
            filled += read;
        }
        return header;
    }

    private static void Skip(Stream stream, ulong count, byte[] scratch, ulong position, Entry next, int n, string source)
    {
        if (stream.CanSeek)
        {
            // In range: offsets were checked against the stream's length.
            stream.Seek((long)count, SeekOrigin.Current);
            return;
        }
        ulong left = count;
        while (left > 0)
        {
            int read = stream.Read(scratch, 0, (int)Math.Min(left, (ulong)scratch.Length));
            if (read == 0) throw DataEnds(source, n, position + (count - left), next);
            left -= (ulong)read;
        }
    }

    private static void ReadF32(Stream stream, Span<float> target, Entry e, int n, string source)
    {
        const int chunkFloats = 1 << 24;
        ulong done = 0;
        for (int start = 0; start < target.Length; start += chunkFloats)
        {
            Span<float> values = target.Slice(start, Math.Min(chunkFloats, target.Length - start));
            Span<byte> bytes = MemoryMarshal.AsBytes(values);
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length) throw DataEnds(source, n, e.Begin + done + (ulong)read, e);
            done += (ulong)read;
            if (!BitConverter.IsLittleEndian)
            {
                Span<int> bits = MemoryMarshal.Cast<float, int>(values);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
        }
    }

    private static void ReadF64(Stream stream, Span<float> target, byte[] scratch, Entry e, int n, string source)
    {
        int chunkDoubles = scratch.Length / sizeof(double);
        for (int start = 0; start < target.Length; start += chunkDoubles)
        {
            int count = Math.Min(chunkDoubles, target.Length - start);
            int read = stream.ReadAtLeast(scratch.AsSpan(0, count * sizeof(double)), count * sizeof(double), throwOnEndOfStream: false);
            if (read < count * sizeof(double)) throw DataEnds(source, n, e.Begin + (ulong)start * sizeof(double) + (ulong)read, e);
            for (int i = 0; i < count; i++)
            {
                double value = BinaryPrimitives.ReadDoubleLittleEndian(scratch.AsSpan(i * sizeof(double)));
                float narrowed = (float)value;
                if (float.IsInfinity(narrowed) && double.IsFinite(value))
                    throw Fail(source, $"tensor '{e.Name}' element {start + i} is {value.ToString("R", CultureInfo.InvariantCulture)} (file byte {8 + (ulong)n + e.Begin + (ulong)(start + i) * sizeof(double)}), beyond the range of float.");
                target[start + i] = narrowed;
            }
        }
    }

    /// <summary>F32 data into a double model: every float is exactly representable, so widening loses nothing.</summary>
    private static void ReadF32Widened(Stream stream, Span<double> target, byte[] scratch, Entry e, int n, string source)
    {
        int chunkFloats = scratch.Length / sizeof(float);
        for (int start = 0; start < target.Length; start += chunkFloats)
        {
            int count = Math.Min(chunkFloats, target.Length - start);
            int read = stream.ReadAtLeast(scratch.AsSpan(0, count * sizeof(float)), count * sizeof(float), throwOnEndOfStream: false);
            if (read < count * sizeof(float)) throw DataEnds(source, n, e.Begin + (ulong)start * sizeof(float) + (ulong)read, e);
            for (int i = 0; i < count; i++) target[start + i] = BinaryPrimitives.ReadSingleLittleEndian(scratch.AsSpan(i * sizeof(float)));
        }
    }

    /// <summary>F64 data into a double model, bit for bit.</summary>
    private static void ReadF64Exact(Stream stream, Span<double> target, Entry e, int n, string source)
    {
        const int chunkDoubles = 1 << 23;
        ulong done = 0;
        for (int start = 0; start < target.Length; start += chunkDoubles)
        {
            Span<double> values = target.Slice(start, Math.Min(chunkDoubles, target.Length - start));
            Span<byte> bytes = MemoryMarshal.AsBytes(values);
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length) throw DataEnds(source, n, e.Begin + done + (ulong)read, e);
            done += (ulong)read;
            if (!BitConverter.IsLittleEndian)
            {
                Span<long> bits = MemoryMarshal.Cast<double, long>(values);
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
        }
    }

    private static InvalidDataException DataEnds(string source, int n, ulong dataPosition, Entry e)
        => Fail(source, $"the file ends at byte {8 + (ulong)n + dataPosition} (data byte {dataPosition}), but tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}].");

    // ---- Header JSON -----------------------------------------------------------------------------------------------

    private static List<Entry> ParseHeader(byte[] header, string source, Dictionary<string, string>? metadata)
    {
        if (header[0] != (byte)'{')
            throw Fail(source, $"the header (file byte 8) starts with 0x{header[0]:X2}; it must be a JSON object starting with '{{'.");
        int invalid = FirstInvalidUtf8(header);
        if (invalid >= 0)
            throw Fail(source, $"the header is not valid UTF-8 at file byte {8 + invalid}.");

        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        try
        {
            Next(ref reader, JsonTokenType.StartObject, "the header", source);
            while (true)
            {
                if (!reader.Read()) throw Fail(source, $"the header ends inside the top-level object.");
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                long at = reader.TokenStartIndex;
                if (!names.Add(name))
                    throw Fail(source, $"'{name}' appears twice in the header (the second time at file byte {8 + at}).");
                if (name == MetadataKey) ReadMetadata(ref reader, source, metadata);
                else entries.Add(ReadEntry(ref reader, name, at, source));
            }
            if (reader.Read())
                throw Fail(source, $"the header has content after its JSON object, at file byte {8 + reader.TokenStartIndex}.");
        }
        catch (JsonException e)
        {
            string where = e.LineNumber == 0 && e.BytePositionInLine is long b
                ? Invariant($"at file byte {8 + b}")
                : Invariant($"at header line {e.LineNumber + 1}, byte {e.BytePositionInLine} of the line");
            throw Fail(source, $"the header is not valid JSON {where}: {e.Message}", e);
        }
        return entries;
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, string source, Dictionary<string, string>? metadata)
    {
        Next(ref reader, JsonTokenType.StartObject, "'__metadata__'", source);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!reader.Read()) throw Fail(source, $"the header ends inside '__metadata__'.");
            if (reader.TokenType == JsonTokenType.EndObject) return;
            string key = reader.GetString()!;
            if (!keys.Add(key))
                throw Fail(source, $"'__metadata__' has the key '{key}' twice (file byte {8 + reader.TokenStartIndex}).");
            Next(ref reader, JsonTokenType.String, Invariant($"'__metadata__' value '{key}'"), source);
            metadata?.Add(key, reader.GetString()!);
        }
    }

    private static Entry ReadEntry(ref Utf8JsonReader reader, string name, long at, string source)
    {
        var entry = new Entry(name, at);
        string what = Invariant($"tensor '{name}'");
        Next(ref reader, JsonTokenType.StartObject, what, source);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!reader.Read()) throw Fail(source, $"the header ends inside {what}.");
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string key = reader.GetString()!;
            long keyAt = reader.TokenStartIndex;
            if (!keys.Add(key))
                throw Fail(source, $"{what} has the key '{key}' twice (file byte {8 + keyAt}).");
            switch (key)
            {
                case "dtype":
                    Next(ref reader, JsonTokenType.String, what + " dtype", source);
                    entry.DType = reader.GetString();
                    break;
                case "shape":
                    entry.Shape = ReadIntegers(ref reader, what + " shape", source);
                    break;
                case "data_offsets":
                    List<ulong> offsets = ReadIntegers(ref reader, what + " data_offsets", source);
                    if (offsets.Count != 2)
                        throw Fail(source, $"{what} data_offsets (file byte {8 + keyAt}) has {offsets.Count} numbers; expected [begin, end].");
                    entry.Begin = offsets[0];
                    entry.End = offsets[1];
                    entry.HasOffsets = true;
                    break;
                default:
                    throw Fail(source, $"{what} has an unknown key '{key}' (file byte {8 + keyAt}); expected dtype, shape and data_offsets.");
            }
        }
        if (entry.DType is null || entry.Shape is null || !entry.HasOffsets)
        {
            string missing = entry.DType is null ? "dtype" : entry.Shape is null ? "shape" : "data_offsets";
            throw Fail(source, $"{what} (file byte {8 + at}) has no '{missing}'.");
        }
        return entry;
    }

    private static List<ulong> ReadIntegers(ref Utf8JsonReader reader, string what, string source)
    {
        Next(ref reader, JsonTokenType.StartArray, what, source);
        var values = new List<ulong>();
        while (true)
        {
            if (!reader.Read()) throw Fail(source, $"the header ends inside {what}.");
            if (reader.TokenType == JsonTokenType.EndArray) return values;
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong value))
                throw Fail(source, $"{what} has {Describe(ref reader)} at file byte {8 + reader.TokenStartIndex}; expected an integer ≥ 0.");
            values.Add(value);
        }
    }

    private static void Next(ref Utf8JsonReader reader, JsonTokenType expected, string what, string source)
    {
        if (!reader.Read()) throw Fail(source, $"the header ends where {what} should be.");
        if (reader.TokenType != expected)
        {
            string kind = expected switch
            {
                JsonTokenType.StartObject => "an object",
                JsonTokenType.StartArray => "an array",
                _ => "a string",
            };
            throw Fail(source, $"{what} is {Describe(ref reader)} at file byte {8 + reader.TokenStartIndex}; expected {kind}.");
        }
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => Invariant($"the number {Encoding.UTF8.GetString(reader.ValueSpan)}"),
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return -1;
        int position = 0;
        while (position < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[position..], out _, out int consumed) != OperationStatus.Done) return position;
            position += consumed;
        }
        return position;
    }

    // ---- Layouts and formatting ------------------------------------------------------------------------------------

    /// <summary>Checks the caller's layouts and returns each one's element count.</summary>
    private static int[] CheckLayouts(int parameterCount, IReadOnlyList<TensorLayout> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var counts = new int[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < tensors.Count; t++)
        {
            TensorLayout layout = tensors[t];
            if (string.IsNullOrEmpty(layout.Name))
                throw new ArgumentException(Invariant($"Tensor layout {t} has no name."), nameof(tensors));
            if (layout.Name == MetadataKey)
                throw new ArgumentException(Invariant($"Tensor layout {t}: '{MetadataKey}' is reserved for metadata."), nameof(tensors));
            if (!IsWellFormed(layout.Name))
                throw new ArgumentException(Invariant($"Tensor layout {t}: the name contains an unpaired surrogate, which UTF-8 cannot encode."), nameof(tensors));
            if (!names.Add(layout.Name))
                throw new ArgumentException(Invariant($"Tensor '{layout.Name}' appears twice in the layouts."), nameof(tensors));
            if (layout.Shape is null)
                throw new ArgumentException(Invariant($"Tensor '{layout.Name}' has no shape."), nameof(tensors));
            long count = 1;
            foreach (int dimension in layout.Shape)
            {
                if (dimension < 0)
                    throw new ArgumentException(Invariant($"Tensor '{layout.Name}' has shape {Format(layout.Shape)}, with a negative dimension."), nameof(tensors));
                count = Math.Min(count * dimension, int.MaxValue + 1L);
            }
            if (layout.Offset < 0 || layout.Offset + count > parameterCount)
                throw new ArgumentException(Invariant($"Tensor '{layout.Name}' {Format(layout.Shape)} at offset {layout.Offset} needs parameters [{layout.Offset}, {layout.Offset + count}), outside the {parameterCount} parameters given."), nameof(tensors));
            counts[t] = (int)count;
        }

        var order = new int[tensors.Count];
        for (int t = 0; t < order.Length; t++) order[t] = t;
        Array.Sort(order, (a, b) => tensors[a].Offset.CompareTo(tensors[b].Offset));
        int previous = -1;
        foreach (int t in order)
        {
            if (counts[t] == 0) continue;
            if (previous >= 0 && tensors[t].Offset < tensors[previous].Offset + counts[previous])
                throw new ArgumentException(Invariant($"Tensors '{tensors[previous].Name}' [{tensors[previous].Offset}, {tensors[previous].Offset + counts[previous]}) and '{tensors[t].Name}' [{tensors[t].Offset}, {tensors[t].Offset + counts[t]}) overlap in the parameters."), nameof(tensors));
            previous = t;
        }
        return counts;
    }

    private static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return false;
        }
        return true;
    }

    private static bool SameShape(List<ulong> actual, int[] expected)
    {
        if (actual.Count != expected.Length) return false;
        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i] != (ulong)expected[i]) return false;
        }
        return true;
    }

    private static ulong ByteLength(List<ulong> shape, int elementSize, out bool overflow)
    {
        overflow = false;
        ulong bytes = (ulong)elementSize;
        foreach (ulong dimension in shape)
        {
            if (dimension == 0) return 0;
        }
        foreach (ulong dimension in shape)
        {
            if (bytes > ulong.MaxValue / dimension)
            {
                overflow = true;
                return 0;
            }
            bytes *= dimension;
        }
        return bytes;
    }

    private static string Format(List<ulong> shape) => "[" + string.Join(", ", shape) + "]";

    private static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string Index(int flat, int[] shape)
    {
        if (shape.Length < 2) return "";
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return " (index [" + string.Join(", ", index) + "])";
    }

    private static string Names(IReadOnlyList<TensorLayout> tensors)
    {
        var names = new List<string>(tensors.Count);
        foreach (TensorLayout layout in tensors) names.Add(layout.Name);
        return Names(names);
    }

    private static string Names(List<Entry> entries)
    {
        var names = new List<string>(entries.Count);
        foreach (Entry e in entries) names.Add(e.Name);
        return Names(names);
    }

    private static string Names(List<string> names)
    {
        if (names.Count == 0) return "no tensors";
        const int shown = 10;
        string list = string.Join(", ", names.GetRange(0, Math.Min(shown, names.Count)));
        return names.Count > shown ? Invariant($"{list}, … ({names.Count} in all)") : list;
    }

    internal static InvalidDataException Fail(string source, FormattableString message, Exception? inner = null)
        => new(Invariant($"Invalid {source}: ") + message.ToString(CultureInfo.InvariantCulture), inner);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
