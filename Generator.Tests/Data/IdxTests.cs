using System;
using System.IO;
using Compiled.Data;
using Xunit;

namespace Compiled.Tests.Data;

/// <summary>
/// The IDX reader: exact values for every type code from hand-built files (plain, gzipped, from files and from
/// non-seekable streams), then one test per malformed input, asserting <see cref="InvalidDataException"/> and the
/// numbers in its message, and truncation at every byte.
/// </summary>
public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "compiled-idx-" + Guid.NewGuid().ToString("N"));

    public IdxTests() => Directory.CreateDirectory(_dir);

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

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static IdxFile FromStream(byte[] bytes, string name = "data.idx") => IdxFile.Read(new MemoryStream(bytes), name);

    private static InvalidDataException Invalid(byte[] bytes, string name = "broken.idx")
        => Assert.Throws<InvalidDataException>(() => FromStream(bytes, name));

    // ---- Values ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Int16_file_written_by_hand_is_read_big_endian()
    {
        byte[] bytes = [0x00, 0x00, 0x0B, 0x01, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFE, 0x01, 0x02, 0x80, 0x00];
        IdxFile f = FromStream(bytes);
        Assert.Equal(IdxDataType.Int16, f.DataType);
        Assert.Equal([3], f.Dimensions.ToArray());
        Assert.Equal(3, f.Count);
        Assert.Equal([-2f, 258f, -32768f], f.Values);
        Assert.Equal("data.idx", f.Name);
    }

    public static TheoryData<byte, IdxDataType, double[], float[]> EveryType => new()
    {
        { IdxWriter.UByte, IdxDataType.UnsignedByte, [0, 1, 127, 128, 255], [0f, 1f, 127f, 128f, 255f] },
        { IdxWriter.SByte, IdxDataType.SignedByte, [-128, -1, 0, 1, 127], [-128f, -1f, 0f, 1f, 127f] },
        { IdxWriter.Int16, IdxDataType.Int16, [-32768, -2, 0, 258, 32767], [-32768f, -2f, 0f, 258f, 32767f] },
        { IdxWriter.Int32, IdxDataType.Int32, [int.MinValue, -2, 16_777_216, 0x01020304, int.MaxValue], [-2147483648f, -2f, 16777216f, 16909060f, 2147483648f] },
        { IdxWriter.Float32, IdxDataType.Float32, [1.5, -0.1f, 3.4028234663852886e38, double.NegativeInfinity, 1e-45], [1.5f, -0.1f, float.MaxValue, float.NegativeInfinity, float.Epsilon] },
        { IdxWriter.Float64, IdxDataType.Float64, [0.1, -2.5, 1e300, -1e-300, 16_777_217], [0.1f, -2.5f, float.PositiveInfinity, -0f, 16777216f] },
    };

    [Theory]
    [MemberData(nameof(EveryType))]
    public void Every_type_code_converts_exactly_from_file_gzip_and_trickling_stream(byte code, IdxDataType type, double[] stored, float[] expected)
    {
        byte[] plain = IdxWriter.Build(code, [stored.Length], stored);
        byte[] gzipped = IdxWriter.Gzip(plain);
        IdxFile[] reads =
        [
            IdxFile.Read(Write("v.idx", plain)),
            IdxFile.Read(Write("v.idx.gz", gzipped)),
            IdxFile.Read(Write("gzip-without-suffix", gzipped)), // found by its magic 1F 8B
            IdxFile.Read(new TrickleStream(plain), "trickle"),
            IdxFile.Read(new TrickleStream(gzipped), "trickle.gz"),
        ];
        foreach (IdxFile f in reads)
        {
            Assert.Equal(type, f.DataType);
            Assert.Equal([stored.Length], f.Dimensions.ToArray());
            Assert.Equal(BitsOf(expected), BitsOf(f.Values)); // bit for bit: −0 stays −0
        }
    }

    [Theory]
    [InlineData(IdxWriter.UByte, 200_000)]
    [InlineData(IdxWriter.Int16, 70_000)]
    [InlineData(IdxWriter.Float32, 40_000)]
    [InlineData(IdxWriter.Float64, 20_001)]
    public void Multi_chunk_3d_files_keep_every_element_in_place(byte code, int count)
    {
        // Several 64 KB chunks, the last one partial: a value in the wrong place or a lost chunk shows up here.
        int rows = 7, columns = count / 7;
        int n = 3 * rows * columns;
        var stored = new double[n];
        for (int i = 0; i < n; i++) stored[i] = code == IdxWriter.UByte ? i % 251 : code == IdxWriter.Int16 ? i % 30_011 - 15_000 : i * 0.25 - 1000;
        byte[] plain = IdxWriter.Build(code, [3, rows, columns], stored);

        foreach (IdxFile f in new[] { FromStream(plain), IdxFile.Read(Write("big.idx.gz", IdxWriter.Gzip(plain))) })
        {
            Assert.Equal([3, rows, columns], f.Dimensions.ToArray());
            Assert.Equal(n, f.Values.Length);
            for (int i = 0; i < n; i++)
            {
                if (f.Values[i] != (float)stored[i]) Assert.Fail($"element {i}: {f.Values[i]}, expected {(float)stored[i]}");
            }
        }
    }

    [Fact]
    public void Read_allocates_the_result_and_little_else()
    {
        byte[] plain = IdxWriter.Images(100, 28, 28, i => (byte)i);
        string path = Write("alloc-images-idx3-ubyte", plain);
        IdxFile.ReadImages(path); // warm-up: JIT, the pooled chunk
        long before = GC.GetAllocatedBytesForCurrentThread();
        IdxImages images = IdxFile.ReadImages(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long result = 78_400 * sizeof(float);
        Assert.Equal(78_400, images.Pixels.Length);
        Assert.True(allocated >= result && allocated < result + 4096, $"allocated {allocated} bytes for a {result}-byte result");
    }

    [Fact]
    public void ReadImages_scales_bytes_by_one_over_255_and_reports_the_shape()
    {
        byte[] plain = IdxWriter.Images(2, 16, 8, i => (byte)(i == 255 ? 255 : i % 256));
        foreach (IdxImages images in new[] { IdxFile.ReadImages(Write("img", plain)), IdxFile.ReadImages(Write("img.gz", IdxWriter.Gzip(plain))) })
        {
            Assert.Equal((2, 16, 8, 128), (images.Count, images.Rows, images.Columns, images.PixelsPerImage));
            Assert.Equal(256, images.Pixels.Length);
            Assert.Equal(0f, images.Pixels[0]);
            Assert.Equal(0.2f, images.Pixels[51]);
            Assert.Equal(1f, images.Pixels[255]);
            for (int i = 0; i < 256; i++) Assert.Equal(i / 255f, images.Pixels[i]);
        }
    }

    [Fact]
    public void ReadLabels_returns_integers()
    {
        int[] labels = IdxFile.ReadLabels(Write("labels.gz", IdxWriter.Gzip(IdxWriter.Labels(9, 0, 255, 3))));
        Assert.Equal([9, 0, 255, 3], labels);
        Assert.Equal([1, 2], IdxFile.ReadLabels(new TrickleStream(IdxWriter.Labels(1, 2)), "l"));
    }

    [Fact]
    public void ReadImages_and_ReadLabels_reject_other_shapes_and_types()
    {
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(new MemoryStream(IdxWriter.Labels(1, 2, 3, 4)), "x-labels"));
        Assert.Contains("x-labels", e.Message);
        Assert.Contains("3-dimensional unsigned-byte", e.Message);
        Assert.Contains("dimensions [4]", e.Message);

        e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(new MemoryStream(IdxWriter.Build(IdxWriter.Float32, [1, 2, 2], [0, 0, 0, 0])), "f"));
        Assert.Contains("Float32 elements with dimensions [1, 2, 2]", e.Message);

        e = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(new MemoryStream(IdxWriter.Build(IdxWriter.Int16, [2], [1, 2])), "int16-labels"));
        Assert.Contains("int16-labels", e.Message);
        Assert.Contains("1-dimensional unsigned-byte", e.Message);
        Assert.Contains("Int16 elements with dimensions [2]", e.Message);
    }

    // ---- Missing files ---------------------------------------------------------------------------------------------

    [Fact]
    public void A_missing_file_is_FileNotFoundException_naming_it_even_when_the_gz_exists()
    {
        string plain = Path.Combine(_dir, "train-images-idx3-ubyte");
        Write("train-images-idx3-ubyte.gz", IdxWriter.Gzip(IdxWriter.Images(1, 1, 1, _ => 0)));
        var e = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(plain));
        Assert.Equal(plain, e.FileName);
        Assert.Contains(plain, e.Message);
        Assert.Throws<FileNotFoundException>(() => IdxFile.ReadImages(plain));
        Assert.Throws<FileNotFoundException>(() => IdxFile.ReadLabels(plain));
    }

    // ---- Malformed input -------------------------------------------------------------------------------------------

    [Fact]
    public void Wrong_magic_shows_the_bytes_in_hex_and_what_was_expected()
    {
        InvalidDataException e = Invalid([0x01, 0x02, 0x08, 0x03, 0, 0, 0, 1]);
        Assert.Contains("broken.idx", e.Message);
        Assert.Contains("wrong magic number 01 02 08 03", e.Message);
        Assert.Contains("00 00 <type> <ndims>", e.Message);

        // Inside a gzip file the message says so.
        e = Assert.Throws<InvalidDataException>(() => FromStream(IdxWriter.Gzip([0x50, 0x4B, 0x03, 0x04, 1, 2]), "zip.gz"));
        Assert.Contains("wrong magic number 50 4B 03 04 (after gzip decompression)", e.Message);
    }

    [Theory]
    [InlineData(0x00, "0x00")]
    [InlineData(0x0A, "0x0A")]
    [InlineData(0x0F, "0x0F")]
    [InlineData(0xFF, "0xFF")]
    public void Unknown_type_code_is_named(byte code, string shown)
    {
        InvalidDataException e = Invalid([0, 0, code, 1, 0, 0, 0, 1, 0]);
        Assert.Contains($"unknown data type code {shown}", e.Message);
        Assert.Contains("0x08 (unsigned byte)", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(255)]
    public void Dimension_count_outside_1_to_16_is_rejected(byte ndims)
    {
        InvalidDataException e = Invalid([0, 0, 0x08, ndims, 0, 0, 0, 1]);
        Assert.Contains($"{ndims} dimensions in the magic number 00 00 08 {ndims:X2}; expected 1 to 16", e.Message);
    }

    [Theory]
    [InlineData(0, "dimension 1 of [2, 0, 3] is 0")]
    [InlineData(-5, "dimension 1 of [2, -5, 3] is -5")]
    public void Zero_or_negative_dimension_is_rejected(int size, string expected)
    {
        byte[] bytes = IdxWriter.Build(IdxWriter.UByte, [2, size, 3], []);
        Assert.Contains(expected, Invalid(bytes).Message);
    }

    [Fact]
    public void More_elements_than_an_array_holds_is_rejected_before_allocating()
    {
        byte[] bytes = IdxWriter.Build(IdxWriter.Float64, [65_536, 65_536, 2], []);
        InvalidDataException e = Invalid(bytes);
        Assert.Contains($"dimensions [65536, 65536, 2] hold more than {Array.MaxLength} elements", e.Message);

        // 2^31 elements: one more than int.MaxValue.
        e = Invalid(IdxWriter.Build(IdxWriter.UByte, [32_768, 65_536], []));
        Assert.Contains("[32768, 65536] hold more than 2147483591", e.Message);
    }

    [Fact]
    public void Truncated_data_says_how_many_bytes_were_expected_and_found()
    {
        byte[] full = IdxWriter.Build(IdxWriter.Int32, [2, 3], [1, 2, 3, 4, 5, 6]); // 24 data bytes
        byte[] cut = full.AsSpan(0, full.Length - 5).ToArray();
        const string expected = "expected 24 bytes of data after the header ([2, 3] Int32 elements of 4 bytes), found 19";
        Assert.Contains(expected, Invalid(cut).Message); // seekable: checked from the length
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => IdxFile.Read(new TrickleStream(cut), "t")).Message);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => FromStream(IdxWriter.Gzip(cut), "c.gz")).Message);
        Assert.Contains("Invalid IDX file " + Write("cut.idx", cut) + ": expected 24", Assert.Throws<InvalidDataException>(() => IdxFile.Read(Path.Combine(_dir, "cut.idx"))).Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_rejected_with_their_count()
    {
        byte[] full = IdxWriter.Build(IdxWriter.Int16, [3], [1, 2, 3]);
        byte[] longer = [.. full, 7, 7, 7];
        const string expected = "3 extra bytes after the 6 bytes of data ([3] Int16 elements)";
        Assert.Contains(expected, Invalid(longer).Message);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => IdxFile.Read(new TrickleStream(longer), "t")).Message);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => FromStream(IdxWriter.Gzip(longer), "x.gz")).Message);
        Assert.Contains("100000 extra bytes", Invalid([.. full, .. new byte[100_000]]).Message);
    }

    [Fact]
    public void Truncated_header_and_empty_file_are_described()
    {
        Assert.Contains("the file is empty", Invalid([]).Message);
        Assert.Contains("the file ends after 3 bytes, inside the 4-byte magic number (00 00 08)", Invalid([0, 0, 8]).Message);
        Assert.Contains("the header ends after 10 bytes; with 2 dimensions it is 12 bytes", Invalid([0, 0, 8, 2, 0, 0, 0, 1, 0, 0]).Message);
        // A complete gzip file of nothing: header, an empty final fixed-Huffman block, CRC-32 0, size 0.
        byte[] emptyGzip = [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Contains("Invalid IDX file e.gz: the decompressed data is empty", Invalid(emptyGzip, "e.gz").Message);
    }

    [Fact]
    public void Corrupt_gzip_is_wrapped_with_the_decoder_error_as_inner_exception()
    {
        byte[] good = IdxWriter.Gzip(IdxWriter.Images(4, 10, 10, i => (byte)(i * 7)));

        // The first deflate block (byte 10, after the 10-byte gzip header) given the reserved block type 11.
        byte[] badBlock = (byte[])good.Clone();
        badBlock[10] |= 0b110;
        InvalidDataException e = Invalid(badBlock, "corrupt.gz");
        Assert.Contains("Invalid IDX file corrupt.gz: the gzip data is corrupt", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
        Assert.Contains(e.InnerException!.Message, e.Message);

        // The data decodes, but the CRC-32 in the trailer does not match it.
        byte[] badCrc = (byte[])good.Clone();
        badCrc[^8] ^= 1;
        e = Invalid(badCrc, "crc.gz");
        Assert.Contains("Invalid IDX file crc.gz: the gzip data is corrupt", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void A_gz_name_with_plain_contents_is_rejected_not_guessed()
    {
        InvalidDataException e = Invalid(IdxWriter.Labels(1, 2), "labels.gz");
        Assert.Contains("the name ends in .gz but the data does not start with the gzip magic 1F 8B (its first bytes are 00 00 08 01)", e.Message);
        Assert.Contains("the name ends in .gz but the file is empty", Invalid([], "x.GZ").Message);
    }

    [Fact]
    public void Truncation_at_every_byte_is_InvalidDataException_never_partial_data()
    {
        byte[] full = IdxWriter.Build(IdxWriter.Int16, [2, 2, 3], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]);
        Assert.Equal(4 + 12 + 24, full.Length);
        Assert.Equal(12, FromStream(full).Count);
        for (int n = 0; n < full.Length; n++)
        {
            byte[] cut = full.AsSpan(0, n).ToArray();
            AssertInvalid(() => IdxFile.Read(new MemoryStream(cut), "cut"), n);
            AssertInvalid(() => IdxFile.Read(new TrickleStream(cut), "cut"), n);
            AssertInvalid(() => IdxFile.Read(new MemoryStream(IdxWriter.Gzip(cut)), "cut.gz"), n);
        }

        // Cutting the gzip file itself, including inside its 8-byte trailer (which GZipStream alone does not notice).
        byte[] gz = IdxWriter.Gzip(full);
        Assert.Equal(12, IdxFile.Read(new MemoryStream(gz), "cut.gz").Count);
        for (int n = 0; n < gz.Length; n++)
        {
            byte[] cut = gz.AsSpan(0, n).ToArray();
            AssertInvalid(() => IdxFile.Read(new MemoryStream(cut), "cut.gz"), n);
            AssertInvalid(() => IdxFile.Read(new TrickleStream(cut), "cut.gz"), n);
        }
    }

    [Fact]
    public void A_gzip_file_missing_its_trailer_is_rejected_with_the_sizes()
    {
        byte[] full = IdxWriter.Labels(3, 1, 4, 1, 5); // 8 + 5 = 13 bytes uncompressed
        byte[] gz = IdxWriter.Gzip(full);
        Assert.Equal(13u, BitConverter.ToUInt32(gz, gz.Length - 4)); // ISIZE, little-endian
        InvalidDataException e = Invalid(gz.AsSpan(0, gz.Length - 1).ToArray(), "short.gz");
        Assert.Contains("Invalid IDX file short.gz: the gzip data ends without its trailer", e.Message);
        Assert.Contains("but it decompressed to 13 bytes", e.Message);
    }

    private static void AssertInvalid(Func<IdxFile> read, int length)
    {
        try
        {
            IdxFile f = read();
            Assert.Fail($"a file cut to {length} bytes was read as {f.Count} values");
        }
        catch (InvalidDataException e)
        {
            Assert.StartsWith("Invalid IDX file cut", e.Message);
        }
    }

    private static uint[] BitsOf(float[] values) => Array.ConvertAll(values, BitConverter.SingleToUInt32Bits);
}
