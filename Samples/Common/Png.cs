using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Compiled.Samples;

/// <summary>
/// A minimal PNG encoder: 8-bit grayscale (color type 0) and 8-bit RGB (color type 2), not interlaced. Each row gets the
/// filter (None, Sub, Up, Average or Paeth) with the smallest sum of absolute filtered bytes, as libpng's default
/// heuristic does; the filtered rows are compressed with <see cref="ZLibStream"/> and split over IDAT chunks of at most
/// 64 KiB. Pixels are row-major, top row first; RGB pixels are interleaved R, G, B.
/// </summary>
public static class Png
{
    private const int MaxIdatBytes = 1 << 16;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The PNG file bytes of a grayscale image: one byte per pixel, 0 black, 255 white.</summary>
    /// <exception cref="ArgumentException">A size is not positive or <paramref name="pixels"/> is not width × height long.</exception>
    public static byte[] EncodeGray(ReadOnlySpan<byte> pixels, int width, int height) => Encode(pixels, width, height, channels: 1);

    /// <summary>The PNG file bytes of an RGB image: three bytes per pixel, R, G, B.</summary>
    /// <exception cref="ArgumentException">A size is not positive or <paramref name="pixels"/> is not width × height × 3 long.</exception>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> pixels, int width, int height) => Encode(pixels, width, height, channels: 3);

    /// <summary>Writes <see cref="EncodeGray"/>'s bytes to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    public static void WriteGray(string path, ReadOnlySpan<byte> pixels, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, EncodeGray(pixels, width, height));
    }

    /// <summary>Writes <see cref="EncodeRgb"/>'s bytes to <paramref name="path"/> atomically (see <see cref="AtomicFile"/>).</summary>
    public static void WriteRgb(string path, ReadOnlySpan<byte> pixels, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, EncodeRgb(pixels, width, height));
    }

    private static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        long expected = (long)width * height * channels;
        if (pixels.Length != expected)
        {
            string shape = channels == 1 ? $"width ({width}) × height ({height})" : $"width ({width}) × height ({height}) × {channels} channels";
            throw new ArgumentException($"pixels has length {pixels.Length}; expected {shape} = {expected}.", nameof(pixels));
        }
        // Arrays are indexed by int: the filtered stream (one filter byte per row) must fit too.
        if (expected + height > Array.MaxLength)
            throw new ArgumentException($"A {width} × {height} image is too large to encode in memory.", nameof(pixels));

        byte[] compressed = Compress(pixels, width * channels, height, channels);
        int idatCount = Math.Max(1, (compressed.Length + MaxIdatBytes - 1) / MaxIdatBytes);
        var png = new byte[Signature.Length + (12 + 13) + idatCount * 12 + compressed.Length + 12];
        Signature.CopyTo(png);
        int at = Signature.Length;

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                              // bit depth
        header[9] = (byte)(channels == 1 ? 0 : 2);  // color type: grayscale or truecolor
        header[10] = 0;                             // compression: deflate
        header[11] = 0;                             // filter method: adaptive, five types
        header[12] = 0;                             // no interlace
        at = WriteChunk(png, at, "IHDR"u8, header);

        for (int offset = 0, i = 0; i < idatCount; i++, offset += MaxIdatBytes)
            at = WriteChunk(png, at, "IDAT"u8, compressed.AsSpan(offset, Math.Min(MaxIdatBytes, compressed.Length - offset)));

        at = WriteChunk(png, at, "IEND"u8, []);
        if (at != png.Length) throw new InvalidOperationException("PNG size miscounted.");
        return png;
    }

    // Length (big-endian), type, data, CRC-32 of type and data.
    private static int WriteChunk(byte[] png, int at, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(at), data.Length);
        type.CopyTo(png.AsSpan(at + 4));
        data.CopyTo(png.AsSpan(at + 8));
        uint crc = Crc32.Compute(png.AsSpan(at + 4, 4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(at + 8 + data.Length), crc);
        return at + 12 + data.Length;
    }

    private static byte[] Compress(ReadOnlySpan<byte> pixels, int stride, int height, int bytesPerPixel)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            // candidates[f] holds the row filtered with type f, the filter type byte first.
            var candidates = new byte[5][];
            for (int f = 0; f < 5; f++)
            {
                candidates[f] = new byte[1 + stride];
                candidates[f][0] = (byte)f;
            }
            ReadOnlySpan<byte> previous = default;   // the row above, unfiltered; empty for the first row (treated as zeros)
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> row = pixels.Slice(y * stride, stride);
                int best = 0;
                long bestCost = long.MaxValue;
                for (int f = 0; f < 5; f++)
                {
                    Span<byte> filtered = candidates[f].AsSpan(1);
                    Filter(f, row, previous, bytesPerPixel, filtered);
                    long cost = 0;
                    foreach (byte b in filtered) cost += Math.Abs((int)(sbyte)b);
                    if (cost < bestCost)
                    {
                        bestCost = cost;
                        best = f;
                    }
                }
                zlib.Write(candidates[best]);
                previous = row;
            }
        }
        return output.ToArray();
    }

    private static void Filter(int type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int bpp, Span<byte> output)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = above.IsEmpty ? 0 : above[i];
            int c = i >= bpp && !above.IsEmpty ? above[i - bpp] : 0;
            int predictor = type switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
