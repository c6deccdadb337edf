using System;
using System.IO;
using System.Linq;
using Compiled.Samples;
using Xunit;

namespace Compiled.Tests.Imaging;

/// <summary>The PNG encoder, checked through an independent decoder (<see cref="PngReader"/>).</summary>
public class PngTests
{
    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Smooth content (where Sub/Up/Paeth win) with noise on top of every few rows (where None may win).
    private static byte[] Mixed(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                    pixels[(y * width + x) * channels + c] = (byte)(3 * x + 5 * y + 40 * c + (y % 4 == 3 ? random.Next(256) : 0));
        return pixels;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(1, 2)]
    [InlineData(37, 3)]
    [InlineData(3, 37)]
    [InlineData(28, 28)]
    [InlineData(581, 581)]
    public void Gray_round_trips_exactly(int width, int height)
    {
        foreach (byte[] pixels in new[] { Noise(width * height, width), Mixed(width, height, 1, height) })
        {
            var decoded = PngReader.Decode(Png.EncodeGray(pixels, width, height));
            Assert.Equal(width, decoded.Width);
            Assert.Equal(height, decoded.Height);
            Assert.Equal(0, decoded.ColorType);
            Assert.Equal(pixels, decoded.Pixels);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 3)]
    [InlineData(3, 37)]
    [InlineData(64, 17)]
    public void Rgb_round_trips_exactly(int width, int height)
    {
        foreach (byte[] pixels in new[] { Noise(width * height * 3, width), Mixed(width, height, 3, height) })
        {
            var decoded = PngReader.Decode(Png.EncodeRgb(pixels, width, height));
            Assert.Equal(width, decoded.Width);
            Assert.Equal(height, decoded.Height);
            Assert.Equal(2, decoded.ColorType);
            Assert.Equal(pixels, decoded.Pixels);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Each_filter_type_is_chosen_where_it_predicts_the_row_best(int channels)
    {
        // Rows built so that one filter predicts them (almost) exactly; the encoder's minimum-sum heuristic must pick it,
        // and the decoder must undo it. (Ties go to the lowest type, so each row is made to favour one type alone.)
        const int width = 37;
        int stride = width * channels;
        var rows = new byte[8][];
        var random = new Random(7);
        byte[] RandomRow() { var r = new byte[stride]; random.NextBytes(r); return r; }
        rows[0] = RandomRow();
        rows[1] = Enumerable.Range(0, stride).Select(i => (byte)(100 + 5 * (i / channels))).ToArray();   // Sub: constant steps
        rows[2] = RandomRow();
        rows[3] = (byte[])rows[2].Clone();                                                                   // Up: same as above
        rows[4] = new byte[stride];                                                                          // Average
        for (int i = 0; i < stride; i++)
            rows[4][i] = (byte)(((i >= channels ? rows[4][i - channels] : 0) + rows[3][i]) / 2);
        rows[5] = new byte[stride];                                                                          // None: all zero
        // Paeth: a row that repeats its left neighbour on a flat stretch above (Paeth picks a), copies the row above where
        // that is noise (picks b, since a = c there), and follows a downward step of the row above with an upward one of its
        // own (a = c + d, b = c - d: picks c). Only the first pixel after the noise misses, by d; Up misses every flat pixel.
        const int noise = 12, flat = 10, d = 40;
        rows[6] = new byte[stride];
        rows[7] = new byte[stride];
        random.NextBytes(rows[6].AsSpan(0, noise * channels));
        rows[6].AsSpan(0, noise * channels).CopyTo(rows[7]);
        for (int i = noise * channels; i < stride; i++)
        {
            bool beforeStep = i < (noise + flat) * channels;
            rows[6][i] = (byte)(beforeStep ? 100 : 100 - d);
            rows[7][i] = (byte)(beforeStep ? 100 + d : 100);
        }
        byte[] pixels = rows.SelectMany(r => r).ToArray();

        byte[] png = channels == 1 ? Png.EncodeGray(pixels, width, 8) : Png.EncodeRgb(pixels, width, 8);
        var decoded = PngReader.Decode(png);
        Assert.Equal(pixels, decoded.Pixels);
        Assert.Equal(new byte[] { 1, 2, 3, 0, 4 }, new[] { 1, 3, 4, 5, 7 }.Select(y => decoded.RowFilters[y]).ToArray());
    }

    [Fact]
    public void Large_incompressible_image_is_split_over_several_IDAT_chunks()
    {
        const int width = 200, height = 150;
        byte[] pixels = Noise(width * height * 3, 1);   // 90,000 random bytes: deflate cannot shrink them below 64 KiB
        var decoded = PngReader.Decode(Png.EncodeRgb(pixels, width, height));
        Assert.True(decoded.IdatChunks >= 2, $"{decoded.IdatChunks} IDAT chunk(s)");
        Assert.Equal(pixels, decoded.Pixels);
    }

    [Fact]
    public void File_starts_with_the_PNG_signature_and_an_IHDR_chunk()
    {
        byte[] png = Png.EncodeGray(new byte[] { 0, 255, 128, 7, 9, 11 }, 3, 2);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(new byte[] { 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0 }, png[8..29]);
        // The IEND chunk is always the same 12 bytes, CRC included.
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82 }, png[^12..]);
    }

    [Fact]
    public void Bitwise_reference_CRC_matches_the_published_check_value()
    {
        // CRC-32/ISO-HDLC check value: crc("123456789") = 0xCBF43926. Guards the test's own reference.
        Assert.Equal(0xCBF43926u, PngReader.BitwiseCrc32("123456789"u8));
    }

    [Fact]
    public void Encoding_is_deterministic()
    {
        byte[] pixels = Mixed(41, 13, 3, 5);
        Assert.Equal(Png.EncodeRgb(pixels, 41, 13), Png.EncodeRgb(pixels, 41, 13));
    }

    [Fact]
    public void Wrong_gray_length_names_expected_and_actual_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Png.EncodeGray(new byte[9], 2, 5));
        Assert.Equal("pixels", e.ParamName);
        Assert.Contains("length 9", e.Message);
        Assert.Contains("width (2) × height (5) = 10", e.Message);
    }

    [Fact]
    public void Wrong_rgb_length_names_expected_and_actual_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Png.EncodeRgb(new byte[10], 2, 5));
        Assert.Equal("pixels", e.ParamName);
        Assert.Contains("length 10", e.Message);
        Assert.Contains("width (2) × height (5) × 3 channels = 30", e.Message);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(-3, 2)]
    public void Non_positive_sizes_are_rejected(int width, int height)
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Png.EncodeGray(ReadOnlySpan<byte>.Empty, width, height));
        Assert.Equal(width <= 0 ? "width" : "height", e.ParamName);
    }

    [Fact]
    public void Write_replaces_the_file_whole_and_leaves_no_temporary_files()
    {
        string dir = Directory.CreateTempSubdirectory("compiled-png-").FullName;
        try
        {
            string path = Path.Combine(dir, "picture.png");
            File.WriteAllText(path, "an older, longer file that must be replaced entirely");
            byte[] pixels = Mixed(5, 4, 1, 3);
            Png.WriteGray(path, pixels, 5, 4);
            Assert.Equal(Png.EncodeGray(pixels, 5, 4), File.ReadAllBytes(path));

            byte[] rgb = Mixed(5, 4, 3, 3);
            Png.WriteRgb(path, rgb, 5, 4);
            Assert.Equal(rgb, PngReader.Decode(File.ReadAllBytes(path)).Pixels);
            Assert.Equal(new[] { "picture.png" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Write_with_bad_arguments_creates_no_file()
    {
        string dir = Directory.CreateTempSubdirectory("compiled-png-").FullName;
        try
        {
            string path = Path.Combine(dir, "picture.png");
            Assert.Throws<ArgumentException>(() => Png.WriteGray(path, new byte[3], 2, 2));
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
