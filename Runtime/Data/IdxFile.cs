using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Compiled.Data;

/// <summary>
/// A set of images read by <see cref="IdxFile.ReadImages(string)"/>: <see cref="Count"/> images of
/// <see cref="Rows"/> × <see cref="Columns"/> pixels, row-major, each pixel scaled to [0, 1] (the stored byte / 255f).
/// </summary>
/// <param name="Pixels">Count × Rows × Columns values in [0, 1]: image i starts at <c>i * PixelsPerImage</c>.</param>
/// <param name="Count">Number of images (the first dimension).</param>
/// <param name="Rows">Pixel rows per image (the second dimension).</param>
/// <param name="Columns">Pixel columns per image (the third dimension).</param>
public readonly record struct IdxImages(float[] Pixels, int Count, int Rows, int Columns)
{
    /// <summary>Rows × Columns: the length of one image, the feature size of a dataset built from these images.</summary>
    public int PixelsPerImage => Rows * Columns;
}

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic number <c>00 00 type ndims</c>
/// (<see cref="IdxDataType"/>), <c>ndims</c> big-endian int32 dimension sizes, then the elements, row-major. Gzipped
/// files (a name ending in <c>.gz</c>, or contents starting with the gzip magic <c>1F 8B</c>) are decompressed on the fly.
/// </summary>
/// <remarks>
/// A file is read whole or not at all: any problem throws <see cref="InvalidDataException"/> whose message names the
/// file and says what is wrong with the numbers involved (the magic bytes in hex, the type code, the dimensions, the
/// bytes expected and found, the extra bytes after the data, the gzip error as the inner exception). Data is read in
/// 64 KB chunks and converted straight into the one result array.
/// </remarks>
public sealed class IdxFile
{
    /// <summary>The most dimensions a file may declare (MNIST uses 1 and 3).</summary>
    public const int MaxDimensions = 16;

    private readonly int[] _dimensions;

    private IdxFile(string name, IdxDataType dataType, int[] dimensions, float[] values)
    {
        Name = name;
        DataType = dataType;
        _dimensions = dimensions;
        Values = values;
    }

    /// <summary>The path or stream name the file was read from, as given.</summary>
    public string Name { get; }

    /// <summary>The element type stored in the file.</summary>
    public IdxDataType DataType { get; }

    /// <summary>The dimension sizes, outermost first (MNIST images: count, rows, columns).</summary>
    public ReadOnlySpan<int> Dimensions => _dimensions;

    /// <summary>Number of elements: the product of <see cref="Dimensions"/>.</summary>
    public int Count => Values.Length;

    /// <summary>
    /// Every element converted to float, row-major: integers exactly up to ±2²⁴, doubles rounded to nearest. Unsigned
    /// bytes keep their 0..255 values (use <see cref="ReadImages(string)"/> for [0, 1]). The array is the caller's.
    /// </summary>
    public float[] Values { get; }

    /// <summary>Reads the IDX file at <paramref name="path"/> (gzipped or not).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>; no other name is tried.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX file; the message says why.</exception>
    public static IdxFile Read(string path)
    {
        using FileStream stream = OpenFile(path);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads an IDX file (gzipped or not) from <paramref name="stream"/>'s current position to its end. The stream is
    /// not closed.
    /// </summary>
    /// <param name="stream">A readable stream; need not be seekable.</param>
    /// <param name="name">Names the data in error messages; a name ending in <c>.gz</c> means the data must be gzipped.</param>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX file; the message says why.</exception>
    public static IdxFile Read(Stream stream, string name)
    {
        using var reader = new Reader(stream, name);
        Header header = reader.ReadHeader();
        float[] values = new float[header.Count];
        reader.ReadValues(header, values);
        reader.ReadEnd(header);
        return new IdxFile(name, header.Type, header.Dimensions, values);
    }

    /// <summary>
    /// Reads images stored as a 3-dimensional unsigned-byte IDX file (count × rows × columns, as
    /// <c>train-images-idx3-ubyte</c>), each pixel scaled to [0, 1] by dividing by 255f (0 → 0, 255 → 1).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a well-formed IDX file, or not 3-dimensional unsigned bytes.</exception>
    public static IdxImages ReadImages(string path)
    {
        using FileStream stream = OpenFile(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads images from a stream; see <see cref="ReadImages(string)"/>. The stream is not closed.</summary>
    /// <param name="stream">A readable stream; need not be seekable.</param>
    /// <param name="name">Names the data in error messages; a name ending in <c>.gz</c> means the data must be gzipped.</param>
    /// <exception cref="InvalidDataException">Not a well-formed IDX file, or not 3-dimensional unsigned bytes.</exception>
    public static IdxImages ReadImages(Stream stream, string name)
    {
        using var reader = new Reader(stream, name);
        Header header = reader.ReadHeader();
        reader.Require(header, 3, "images must be a 3-dimensional unsigned-byte IDX file (count × rows × columns)");
        float[] pixels = new float[header.Count];
        reader.ReadValues(header, pixels);
        reader.ReadEnd(header);
        TensorPrimitives.Divide(pixels, 255f, pixels);
        return new IdxImages(pixels, header.Dimensions[0], header.Dimensions[1], header.Dimensions[2]);
    }

    /// <summary>Reads class labels stored as a 1-dimensional unsigned-byte IDX file (as <c>train-labels-idx1-ubyte</c>).</summary>
    /// <returns>One label (0..255) per example.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a well-formed IDX file, or not 1-dimensional unsigned bytes.</exception>
    public static int[] ReadLabels(string path)
    {
        using FileStream stream = OpenFile(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads class labels from a stream; see <see cref="ReadLabels(string)"/>. The stream is not closed.</summary>
    /// <param name="stream">A readable stream; need not be seekable.</param>
    /// <param name="name">Names the data in error messages; a name ending in <c>.gz</c> means the data must be gzipped.</param>
    /// <exception cref="InvalidDataException">Not a well-formed IDX file, or not 1-dimensional unsigned bytes.</exception>
    public static int[] ReadLabels(Stream stream, string name)
    {
        using var reader = new Reader(stream, name);
        Header header = reader.ReadHeader();
        reader.Require(header, 1, "labels must be a 1-dimensional unsigned-byte IDX file");
        int[] labels = new int[header.Count];
        reader.ReadLabels(header, labels);
        reader.ReadEnd(header);
        return labels;
    }

    /// <summary>Size in bytes of one element of <paramref name="type"/>.</summary>
    internal static int ElementSize(IdxDataType type) => type switch
    {
        IdxDataType.UnsignedByte or IdxDataType.SignedByte => 1,
        IdxDataType.Int16 => 2,
        IdxDataType.Int32 or IdxDataType.Float32 => 4,
        _ => 8,
    };

    private static FileStream OpenFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        var parts = new string[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) parts[i] = bytes[i].ToString("X2", CultureInfo.InvariantCulture);
        return string.Join(' ', parts);
    }

    private static string Shape(int[] dimensions) => "[" + string.Join(", ", Array.ConvertAll(dimensions, d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private readonly record struct Header(IdxDataType Type, int[] Dimensions, int Count)
    {
        public long DataBytes => (long)Count * ElementSize(Type);
    }

    /// <summary>One pass over one file: gzip detection, header, data in chunks, the end check.</summary>
    private sealed class Reader : IDisposable
    {
        private const int ChunkBytes = 1 << 16; // a multiple of every element size, so no element straddles two chunks

        private readonly Stream _source;
        private readonly PrefixedStream _raw;
        private readonly Stream _input;
        private readonly string _name;
        private readonly bool _gzip;
        private byte[]? _chunk;

        public Reader(Stream stream, string name)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(name);
            _source = stream;
            _name = name;

            // Peek at the first bytes: an IDX magic number starts 00 00, a gzip member 1F 8B. They go back in front of
            // the stream, so a non-seekable stream works too.
            byte[] prefix = new byte[4];
            int n = ReadAtMost(stream, prefix);
            _gzip = n >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B;
            if (!_gzip && name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(n == 0
                    ? Invariant($"the name ends in .gz but the file is empty; expected gzip data, which starts with 1F 8B.")
                    : Invariant($"the name ends in .gz but the data does not start with the gzip magic 1F 8B (its first bytes are {Hex(prefix.AsSpan(0, n))})."));
            }

            _raw = new PrefixedStream(prefix, n, stream);
            _input = _gzip ? new GZipStream(_raw, CompressionMode.Decompress) : _raw;
            _chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        }

        public Header ReadHeader()
        {
            Span<byte> magic = stackalloc byte[4];
            int n = ReadFully(magic);
            if (n < 4)
            {
                throw Fail(n == 0
                    ? Invariant($"the {Data()} is empty; an IDX file starts with a 4-byte magic number 00 00 <type> <ndims>.")
                    : Invariant($"the {Data()} ends after {n} bytes, inside the 4-byte magic number ({Hex(magic[..n])}); an IDX file starts with 00 00 <type> <ndims>."));
            }

            if (magic[0] != 0 || magic[1] != 0)
            {
                throw Fail(Invariant($"wrong magic number {Hex(magic)}{After()}; an IDX file starts with 00 00 <type> <ndims> (MNIST images: 00 00 08 03, labels: 00 00 08 01)."));
            }

            var type = (IdxDataType)magic[2];
            if (!Enum.IsDefined(type))
            {
                throw Fail(Invariant($"unknown data type code 0x{magic[2]:X2} in the magic number {Hex(magic)}; expected 0x08 (unsigned byte), 0x09 (signed byte), 0x0B (int16), 0x0C (int32), 0x0D (float32) or 0x0E (float64)."));
            }

            int ndims = magic[3];
            if (ndims < 1 || ndims > MaxDimensions)
            {
                throw Fail(Invariant($"{ndims} dimensions in the magic number {Hex(magic)}; expected 1 to {MaxDimensions}."));
            }

            Span<byte> sizes = stackalloc byte[4 * ndims];
            n = ReadFully(sizes);
            if (n < sizes.Length)
            {
                throw Fail(Invariant($"the header ends after {4 + n} bytes; with {ndims} dimensions it is {4 + sizes.Length} bytes (the magic number and {ndims} big-endian int32 sizes)."));
            }

            int[] dimensions = new int[ndims];
            for (int i = 0; i < ndims; i++) dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.Slice(4 * i));
            long count = 1;
            for (int i = 0; i < ndims; i++)
            {
                if (dimensions[i] < 1)
                {
                    throw Fail(Invariant($"dimension {i} of {Shape(dimensions)} is {dimensions[i]}; every dimension must be at least 1."));
                }

                count *= dimensions[i]; // both factors < 2^31: no overflow before the check below
                if (count > Array.MaxLength)
                {
                    throw Fail(Invariant($"dimensions {Shape(dimensions)} hold more than {Array.MaxLength} elements, the most an array can hold."));
                }
            }

            var header = new Header(type, dimensions, (int)count);

            // A plain, seekable stream knows its length: check it before allocating the result.
            if (!_gzip && _source.CanSeek)
            {
                long remaining = _source.Length - _source.Position;
                if (remaining < header.DataBytes) throw Truncated(header, remaining);
                if (remaining > header.DataBytes) throw Trailing(header, remaining - header.DataBytes);
            }

            return header;
        }

        public void Require(Header header, int dimensions, string what)
        {
            if (header.Type != IdxDataType.UnsignedByte || header.Dimensions.Length != dimensions)
            {
                throw Fail(Invariant($"{what}; this one holds {header.Type} elements with dimensions {Shape(header.Dimensions)}."));
            }
        }

        public void ReadValues(Header header, Span<float> values)
        {
            int size = ElementSize(header.Type);
            int perChunk = ChunkBytes / size;
            for (int done = 0; done < values.Length; done += perChunk)
            {
                int count = Math.Min(perChunk, values.Length - done);
                Span<byte> bytes = Next(header, done, count * size);
                Span<float> destination = values.Slice(done, count);
                switch (header.Type)
                {
                    case IdxDataType.UnsignedByte:
                        TensorPrimitives.ConvertTruncating<byte, float>(bytes, destination);
                        break;
                    case IdxDataType.SignedByte:
                        TensorPrimitives.ConvertTruncating<sbyte, float>(MemoryMarshal.Cast<byte, sbyte>(bytes), destination);
                        break;
                    case IdxDataType.Int16:
                        Span<short> shorts = MemoryMarshal.Cast<byte, short>(bytes);
                        if (BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(shorts, shorts);
                        TensorPrimitives.ConvertTruncating<short, float>(shorts, destination);
                        break;
                    case IdxDataType.Int32:
                        Span<int> ints = MemoryMarshal.Cast<byte, int>(bytes);
                        if (BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(ints, ints);
                        TensorPrimitives.ConvertTruncating<int, float>(ints, destination);
                        break;
                    case IdxDataType.Float32:
                        Span<int> words = MemoryMarshal.Cast<byte, int>(bytes);
                        if (BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(words, words);
                        MemoryMarshal.Cast<int, float>(words).CopyTo(destination);
                        break;
                    default:
                        Span<long> longs = MemoryMarshal.Cast<byte, long>(bytes);
                        if (BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(longs, longs);
                        TensorPrimitives.ConvertTruncating<double, float>(MemoryMarshal.Cast<long, double>(longs), destination);
                        break;
                }
            }
        }

        public void ReadLabels(Header header, Span<int> labels)
        {
            for (int done = 0; done < labels.Length; done += ChunkBytes)
            {
                int count = Math.Min(ChunkBytes, labels.Length - done);
                TensorPrimitives.ConvertTruncating<byte, int>(Next(header, done, count), labels.Slice(done, count));
            }
        }

        /// <summary>Checks that the data ends exactly where the header says it does.</summary>
        public void ReadEnd(Header header)
        {
            long extra = 0;
            int n;
            while ((n = ReadFully(_chunk)) > 0) extra += n;
            if (extra > 0) throw Trailing(header, extra);
            if (_gzip) CheckGzipEnd(header);
        }

        /// <summary>
        /// GZipStream verifies the trailer (CRC-32 and size) when it is there, but ends quietly when the compressed data
        /// stops short of it. A whole file ends with its uncompressed size mod 2³², little-endian: check that.
        /// </summary>
        private void CheckGzipEnd(Header header)
        {
            while (_raw.Read(_chunk) > 0)
            {
            }

            uint expected = unchecked((uint)(4 + 4L * header.Dimensions.Length + header.DataBytes));
            if (_raw.Total < 18 || _raw.LastFour != expected)
            {
                throw Fail(Invariant($"the gzip data ends without its trailer: its last 4 bytes read as size {_raw.LastFour}, but it decompressed to {expected} bytes. The file is truncated (or is several concatenated gzip members, which is not supported)."));
            }
        }

        public void Dispose()
        {
            _input.Dispose(); // the prefixed view (and the gzip decoder); never the caller's stream
            if (_chunk is { } chunk)
            {
                _chunk = null;
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        /// <summary>The next <paramref name="length"/> data bytes, after <paramref name="elementsDone"/> elements.</summary>
        private Span<byte> Next(Header header, int elementsDone, int length)
        {
            Span<byte> bytes = _chunk.AsSpan(0, length);
            int n = ReadFully(bytes);
            if (n < length) throw Truncated(header, (long)elementsDone * ElementSize(header.Type) + n);
            return bytes;
        }

        private int ReadFully(Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n;
                try
                {
                    n = _input.Read(buffer[total..]);
                }
                catch (InvalidDataException e) when (_gzip)
                {
                    throw new InvalidDataException(Invariant($"Invalid IDX file {_name}: the gzip data is corrupt ({e.Message})"), e);
                }

                if (n == 0) break;
                total += n;
            }

            return total;
        }

        private static int ReadAtMost(Stream stream, Span<byte> buffer)
        {
            int total = 0, n;
            while (total < buffer.Length && (n = stream.Read(buffer[total..])) > 0) total += n;
            return total;
        }

        private string Data() => _gzip ? "decompressed data" : "file";

        private string After() => _gzip ? " (after gzip decompression)" : "";

        private InvalidDataException Truncated(Header header, long found)
            => Fail(Invariant($"expected {header.DataBytes} bytes of data after the header ({Shape(header.Dimensions)} {header.Type} elements of {ElementSize(header.Type)} bytes), found {found}."));

        private InvalidDataException Trailing(Header header, long extra)
            => Fail(Invariant($"{extra} extra bytes after the {header.DataBytes} bytes of data ({Shape(header.Dimensions)} {header.Type} elements); the file must end with its data."));

        private InvalidDataException Fail(string message) => new(Invariant($"Invalid IDX file {_name}: {message}"));
    }

    /// <summary>A read-only, forward-only stream: a few bytes already read, then the rest of another stream (not owned).</summary>
    private sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
    {
        private int _position;

        /// <summary>Bytes read so far.</summary>
        public long Total { get; private set; }

        /// <summary>The last 4 bytes read, as a little-endian number (the gzip trailer's size field).</summary>
        public uint LastFour { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            if (_position < prefixLength && buffer.Length > 0)
            {
                n = Math.Min(buffer.Length, prefixLength - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
            }
            else
            {
                n = rest.Read(buffer);
            }

            for (int i = Math.Max(0, n - 4); i < n; i++) LastFour = LastFour >> 8 | (uint)buffer[i] << 24;
            Total += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
