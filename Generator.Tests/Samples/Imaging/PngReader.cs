using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using Xunit;

namespace Compiled.Tests.Imaging;

/// <summary>
/// A small PNG decoder written independently of the encoder under test (8-bit gray and RGB only): it checks the
/// signature, the chunk order, every chunk's CRC with a bitwise CRC-32, the IHDR fields, the zlib Adler-32, and undoes
/// all five filter types.
/// </summary>
internal static class PngReader
{
    public sealed record Decoded(int Width, int Height, int ColorType, byte[] Pixels, int IdatChunks, IReadOnlyList<byte> RowFilters);

    public static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static Decoded Decode(byte[] png)
    {
        Assert.True(png.Length > 8, "file shorter than the signature");
        Assert.Equal(Signature, png[..8]);
        int at = 8;
        var chunks = new List<(string Type, byte[] Data)>();
        while (at < png.Length)
        {
            Assert.True(at + 12 <= png.Length, $"truncated chunk header at {at}");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            Assert.True(length <= int.MaxValue && at + 12 + length <= png.Length, $"chunk at {at} runs past the end");
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            byte[] data = png.AsSpan(at + 8, (int)length).ToArray();
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + (int)length));
            Assert.True(BitwiseCrc32(png.AsSpan(at + 4, 4 + (int)length)) == stored, $"bad CRC on chunk {type} at {at}");
            chunks.Add((type, data));
            at += 12 + (int)length;
        }

        Assert.Equal("IHDR", chunks[0].Type);
        Assert.Equal("IEND", chunks[^1].Type);
        Assert.Empty(chunks[^1].Data);
        byte[] ihdr = chunks[0].Data;
        Assert.Equal(13, ihdr.Length);
        int width = BinaryPrimitives.ReadInt32BigEndian(ihdr);
        int height = BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4));
        Assert.True(width > 0 && height > 0);
        Assert.Equal(8, ihdr[8]);                 // bit depth
        Assert.Contains(ihdr[9], new byte[] { 0, 2 });
        Assert.Equal(0, ihdr[10]);                // deflate
        Assert.Equal(0, ihdr[11]);                // adaptive filtering
        Assert.Equal(0, ihdr[12]);                // not interlaced
        int channels = ihdr[9] == 0 ? 1 : 3;

        // IDATs must be consecutive; everything between IHDR and IEND here is IDAT (the encoder writes nothing else).
        var zlib = new MemoryStream();
        int idats = 0;
        for (int i = 1; i < chunks.Count - 1; i++)
        {
            Assert.Equal("IDAT", chunks[i].Type);
            zlib.Write(chunks[i].Data);
            idats++;
        }
        Assert.True(idats >= 1, "no IDAT chunk");

        byte[] compressed = zlib.ToArray();
        Assert.Equal(8, compressed[0] & 0x0F);                          // CM = deflate
        Assert.Equal(0, ((compressed[0] << 8) | compressed[1]) % 31);   // FCHECK
        byte[] raw;
        using (var inflater = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            var buffer = new MemoryStream();
            inflater.CopyTo(buffer);
            raw = buffer.ToArray();
        }
        Assert.Equal(Adler32(raw), BinaryPrimitives.ReadUInt32BigEndian(compressed.AsSpan(compressed.Length - 4)));

        int stride = width * channels;
        Assert.Equal((long)(stride + 1) * height, raw.Length);
        var pixels = new byte[stride * height];
        var filters = new List<byte>();
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            filters.Add(filter);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => PaethPredictor(a, b, c),
                    _ => throw new InvalidDataException($"row {y}: unknown filter type {filter}"),
                };
                pixels[y * stride + x] = (byte)(raw[y * (stride + 1) + 1 + x] + predictor);
            }
        }
        return new Decoded(width, height, ihdr[9], pixels, idats, filters);
    }

    // The PNG specification's sample code, written out again: nearest of a, b, c to a + b - c, ties in that order.
    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        if (pb <= pc) return b;
        return c;
    }

    /// <summary>CRC-32 bit by bit, no table: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        uint s1 = 1, s2 = 0;
        foreach (byte b in data)
        {
            s1 = (s1 + b) % 65521;
            s2 = (s2 + s1) % 65521;
        }
        return (s2 << 16) | s1;
    }
}
