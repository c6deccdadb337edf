using System;
using System.IO;
using System.Linq;
using Compiled.Samples;
using Xunit;

namespace Compiled.Tests.Imaging;

public class PicturesTests
{
    private const byte B = Pictures.Background;

    [Fact]
    public void Feature_grid_matches_a_hand_computed_picture()
    {
        // 3 features of 2 × 2 in 2 columns with gap 1: 7 × 7, the fourth slot empty.
        float[] weights =
        [
            -1, 0, 1, 3,            // min -1 → 0, max 3 → 255; 0 → 63.75 → 64; 1 → 127.5 → 128
            5, 5, 5, 5,             // constant → 128
            float.NaN, 2, 3, 4,     // NaN → 0; the stretch uses the finite values 2..4
        ];
        var image = Pictures.FeatureGrid(weights, features: 3, tileWidth: 2, tileHeight: 2, columns: 2, gap: 1);
        byte[] expected =
        [
            B, B,   B,   B, B,   B,   B,
            B, 0,   64,  B, 128, 128, B,
            B, 128, 255, B, 128, 128, B,
            B, B,   B,   B, B,   B,   B,
            B, 0,   0,   B, B,   B,   B,
            B, 128, 255, B, B,   B,   B,
            B, B,   B,   B, B,   B,   B,
        ];
        Assert.Equal(7, image.Width);
        Assert.Equal(7, image.Height);
        Assert.Equal(expected, image.Pixels);
        Assert.Equal(255, Pictures.Background);   // documented: white gaps
        Assert.Equal(128, Pictures.ConstantTile);
    }

    [Fact]
    public void Seed_model_features_make_a_581_pixel_square()
    {
        var weights = new float[400 * 784];
        var random = new Random(3);
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
        var image = Pictures.FeatureGrid(weights, 400, 28, 28, columns: 20);
        Assert.Equal((581, 581), (image.Width, image.Height));
        Assert.Equal(20 * 28 + 21 * 1, image.Width);
        // Every tile is stretched on its own: each reaches both 0 and 255.
        for (int f = 0; f < 400; f++)
        {
            int x0 = 1 + f % 20 * 29, y0 = 1 + f / 20 * 29;
            var tile = Enumerable.Range(0, 28 * 28).Select(i => image[x0 + i % 28, y0 + i / 28]).ToArray();
            Assert.Equal(0, tile.Min());
            Assert.Equal(255, tile.Max());
        }
        // The gaps are background: the first row, the first column, and the line between the first two tile rows.
        Assert.All(Enumerable.Range(0, 581), x => Assert.Equal(B, image[x, 0]));
        Assert.All(Enumerable.Range(0, 581), y => Assert.Equal(B, image[0, y]));
        Assert.All(Enumerable.Range(0, 581), x => Assert.Equal(B, image[x, 29]));
    }

    [Theory]
    [InlineData(400, 28, 28, 20, 1, 581, 581)]
    [InlineData(5, 3, 2, 2, 0, 6, 6)]        // 3 rows, no gaps
    [InlineData(5, 3, 2, 2, 2, 12, 14)]      // 2·3 + 3·2, 3·2 + 4·2
    [InlineData(1, 28, 28, 1, 1, 30, 30)]
    [InlineData(3, 4, 5, 10, 1, 51, 7)]      // more columns than tiles: the grid is still 10 wide
    public void Grid_size_follows_the_documented_formula(int tiles, int w, int h, int columns, int gap, int width, int height)
    {
        int rows = (tiles + columns - 1) / columns;
        Assert.Equal((columns * w + (columns + 1) * gap, rows * h + (rows + 1) * gap), (width, height));
        Assert.Equal((width, height), Pictures.GridSize(tiles, w, h, columns, gap));
        var image = Pictures.FeatureGrid(new float[tiles * w * h], tiles, w, h, columns, gap);
        Assert.Equal((width, height), (image.Width, image.Height));
    }

    [Fact]
    public void Feature_tiles_do_not_depend_on_scale_or_offset_and_survive_extreme_ranges()
    {
        float[] a = [0.1f, 0.2f, 0.4f, 0.3f];
        float[] scaled = a.Select(v => v * 1000 - 7).ToArray();
        Assert.Equal(Pictures.FeatureGrid(a, 1, 2, 2, 1).Pixels, Pictures.FeatureGrid(scaled, 1, 2, 2, 1).Pixels);

        var extreme = Pictures.FeatureGrid(new[] { -3e38f, 3e38f, 0f, float.PositiveInfinity }, 1, 2, 2, 1, gap: 0);
        Assert.Equal(new byte[] { 0, 255, 128, 255 }, extreme.Pixels);
    }

    [Fact]
    public void Image_grid_clamps_values_from_0_1_without_stretching()
    {
        var image = Pictures.Row(new[] { -0.5f, 0f, 0.5f, 1f, 2f, float.NaN, 0.2f, 0.2f }, count: 2, width: 2, height: 2, gap: 0);
        Assert.Equal((4, 2), (image.Width, image.Height));
        // Image 0 is [-0.5, 0, 0.5, 1] (left), image 1 is [2, NaN, 0.2, 0.2] (right); 0.2 · 255 = 51.
        Assert.Equal(new byte[] { 0, 0, 255, 0, 128, 255, 51, 51 }, image.Pixels);
    }

    [Fact]
    public void Inputs_sit_over_their_reconstructions_sharing_one_gap()
    {
        float[] inputs = [0f, 1f, 0.2f, 0.4f, 1f, 1f];             // three 2 × 1 images
        float[] outputs = [1f, 0f, 0.6f, 0.8f, 0f, 0f];
        var image = Pictures.InputsOverReconstructions(inputs, outputs, count: 3, width: 2, height: 1);
        Assert.Equal((3 * 2 + 4, 2 * 1 + 3), (image.Width, image.Height));
        byte[] expected =
        [
            B, B,   B,   B, B,   B,   B, B,   B,   B,
            B, 0,   255, B, 51,  102, B, 255, 255, B,
            B, B,   B,   B, B,   B,   B, B,   B,   B,
            B, 255, 0,   B, 153, 204, B, 0,   0,   B,
            B, B,   B,   B, B,   B,   B, B,   B,   B,
        ];
        Assert.Equal(expected, image.Pixels);
        // The same as a grid of both strips concatenated, one strip per row.
        Assert.Equal(Pictures.ImageGrid(inputs.Concat(outputs).ToArray(), 6, 2, 1, columns: 3).Pixels, image.Pixels);
    }

    [Fact]
    public void Wrong_lengths_name_expected_and_actual_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => Pictures.FeatureGrid(new float[7], 2, 2, 2, 2));
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("length 7", e.Message);
        Assert.Contains("features (2) × tileWidth (2) × tileHeight (2) = 8", e.Message);

        e = Assert.Throws<ArgumentException>(() => Pictures.InputsOverReconstructions(new float[4], new float[3], 2, 2, 1));
        Assert.Equal("reconstructions", e.ParamName);
        Assert.Contains("count (2) × width (2) × height (1) = 4", e.Message);
    }

    [Fact]
    public void Bad_layout_arguments_are_rejected()
    {
        Assert.Equal("columns", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pictures.FeatureGrid(new float[4], 1, 2, 2, 0)).ParamName);
        Assert.Equal("gap", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pictures.FeatureGrid(new float[4], 1, 2, 2, 1, gap: -1)).ParamName);
        Assert.Equal("features", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pictures.FeatureGrid([], 0, 2, 2, 1)).ParamName);
        Assert.Equal("count", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pictures.Row([], 0, 2, 2)).ParamName);
        Assert.Equal("tileWidth", Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Pictures.FeatureGrid([], 1, 0, 2, 1)).ParamName);
    }

    [Fact]
    public void Gray_image_writes_a_png_that_decodes_to_its_pixels()
    {
        var image = Pictures.FeatureGrid(Enumerable.Range(0, 5 * 9).Select(i => (float)Math.Sin(i)).ToArray(), 5, 3, 3, columns: 3);
        string dir = Directory.CreateTempSubdirectory("compiled-pictures-").FullName;
        try
        {
            string path = Path.Combine(dir, "features.png");
            image.WritePng(path);
            var decoded = PngReader.Decode(File.ReadAllBytes(path));
            Assert.Equal((image.Width, image.Height), (decoded.Width, decoded.Height));
            Assert.Equal(image.Pixels, decoded.Pixels);
            Assert.Equal(image.EncodePng(), File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Gray_image_checks_its_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => new GrayImage(new byte[5], 2, 3));
        Assert.Contains("width (2) × height (3) = 6", e.Message);
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new GrayImage(new byte[6], 2, 3)[2, 0]);
    }
}
