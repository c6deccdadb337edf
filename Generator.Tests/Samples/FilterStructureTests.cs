using System;
using System.Linq;
using Compiled.Samples;
using Xunit;

namespace Compiled.Tests.Features;

// The structure score the sparse autoencoder sample prints for filters.png, on filters whose neighbour correlation is
// known in closed form, and the usage order of the tiles.
public class FilterStructureTests
{
    private const int Side = 28;

    private static float[] Tile(Func<int, int, double> pixel)
    {
        var tile = new float[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                tile[y * Side + x] = (float)pixel(x, y);
        return tile;
    }

    [Fact]
    public void A_constant_gradient_scores_one()
    {
        // Every right and lower neighbour is the pixel plus the same step: v = u + c on every pair, r = 1.
        Assert.Equal(1.0, FilterStructure.NeighbourCorrelation(Tile((x, y) => 0.01 * (x + y) - 0.2), Side, Side), 12);
    }

    [Fact]
    public void A_checkerboard_scores_minus_one()
    {
        Assert.Equal(-1.0, FilterStructure.NeighbourCorrelation(Tile((x, y) => (x + y) % 2 == 0 ? 0.3 : -0.1), Side, Side), 12);
    }

    [Fact]
    public void Horizontal_stripes_pool_plus_one_and_minus_one_pairs_to_the_hand_computed_value()
    {
        // Rows alternate +1 / −1: the 756 horizontal pairs have v = u, the 756 vertical ones v = −u. Over the 1,512
        // pooled pairs mean(u) = 28/1512 (rows 0..26 as first pixels: 14 of +1, 13 of −1), mean(v) = −28/1512,
        // Σuv = 0, Σu² = Σv² = 1512, so r = m² / (1 − m²) with m = 28/1512.
        double m = 28.0 / 1512, expected = m * m / (1 - m * m);
        Assert.Equal(expected, FilterStructure.NeighbourCorrelation(Tile((x, y) => y % 2 == 0 ? 1 : -1), Side, Side), 12);
    }

    [Fact]
    public void Random_noise_scores_near_zero()
    {
        var random = new Random(11);
        var weights = new float[400 * Side * Side];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 2 - 1) * 0.0357f;   // nn.Linear(784, …) initial range
        int[] all = Enumerable.Range(0, 400).ToArray();
        double mean = FilterStructure.MeanNeighbourCorrelation(weights, Side, Side, all);
        // One filter: sd ≈ 1/√1512 ≈ 0.026; the mean of 400: ≈ 0.0013.
        Assert.InRange(mean, -0.01, 0.01);
        foreach (int f in all)
            Assert.InRange(FilterStructure.NeighbourCorrelation(weights.AsSpan(f * Side * Side, Side * Side), Side, Side), -0.15, 0.15);
    }

    [Fact]
    public void A_smooth_blob_scores_high_and_the_picture_gives_the_same_score()
    {
        // A Gaussian bump plus a little noise: structured, not a ramp.
        var random = new Random(5);
        float[] blob = Tile((x, y) => Math.Exp(-((x - 12) * (x - 12) + (y - 15) * (y - 15)) / 30.0) + 0.02 * random.NextDouble());
        float[] noise = Tile((x, y) => random.NextDouble());
        float[] weights = [.. blob, .. noise];
        double blobScore = FilterStructure.NeighbourCorrelation(blob, Side, Side);
        Assert.InRange(blobScore, 0.8, 0.999);

        // Any increasing affine map leaves the score as it is, so the tiles of filters.png (each stretched to 0..255)
        // give it back up to the rounding to 8 bits.
        float[] scaled = blob.Select(v => 3.5f * v - 2f).ToArray();
        Assert.Equal(blobScore, FilterStructure.NeighbourCorrelation(scaled, Side, Side), 5);
        GrayImage picture = Pictures.FeatureGrid(weights, [1, 0], Side, Side, columns: 2);
        float[] fromPicture = new float[Side * Side];
        for (int y = 0; y < Side; y++)
            for (int x = 0; x < Side; x++)
                fromPicture[y * Side + x] = picture[1 + Side + 1 + x, 1 + y];   // slot 1 holds row 0, the blob
        Assert.Equal(blobScore, FilterStructure.NeighbourCorrelation(fromPicture, Side, Side), 2);
        Assert.Equal((blobScore + FilterStructure.NeighbourCorrelation(noise, Side, Side)) / 2,
            FilterStructure.MeanNeighbourCorrelation(weights, Side, Side, [0, 1]), 12);
    }

    [Fact]
    public void A_tile_without_contrast_scores_zero_and_bad_arguments_throw()
    {
        Assert.Equal(0.0, FilterStructure.NeighbourCorrelation(new float[Side * Side], Side, Side));
        Assert.Throws<ArgumentException>(() => FilterStructure.NeighbourCorrelation(new float[10], Side, Side));
        Assert.Throws<ArgumentException>(() => FilterStructure.NeighbourCorrelation(new float[1], 1, 1));
        Assert.Throws<ArgumentException>(() => FilterStructure.MeanNeighbourCorrelation(new float[2 * Side * Side], Side, Side, [2]));
        Assert.Throws<ArgumentException>(() => FilterStructure.MeanNeighbourCorrelation(new float[2 * Side * Side], Side, Side, []));
    }

    [Fact]
    public void Usage_is_the_mean_absolute_activation_and_orders_units_most_used_first()
    {
        // Three units over two rows: |a| sums 0.5, 1.5, 0.5.
        float[] activations = [0.25f, -1f, 0.5f, -0.25f, 0.5f, 0f];
        var sums = new double[3];
        FilterStructure.AccumulateAbs(activations, 3, sums);
        Assert.Equal([0.5, 1.5, 0.5], sums);
        // Ties keep the lower index first.
        Assert.Equal([1, 0, 2], FilterStructure.MostUsedFirst(sums));
        Assert.Throws<ArgumentException>(() => FilterStructure.AccumulateAbs(activations, 4, new double[4]));
    }

    [Fact]
    public void An_ordered_feature_grid_draws_the_chosen_rows_in_slot_order()
    {
        // Rows 0, 1, 2 of 1 × 2 tiles; the order [2, 0] draws row 2 in the first slot and row 0 in the second.
        float[] weights = [0, 1, 5, 5, 1, 0];
        GrayImage image = Pictures.FeatureGrid(weights, [2, 0], tileWidth: 2, tileHeight: 1, columns: 2);
        Assert.Equal((7, 3), (image.Width, image.Height));
        Assert.Equal([255, 0, Pictures.Background, 0, 255], Enumerable.Range(1, 5).Select(x => image[x, 1]).ToArray());
        Assert.Throws<ArgumentException>(() => Pictures.FeatureGrid(weights, [3], 2, 1, columns: 1));
        Assert.Throws<ArgumentException>(() => Pictures.FeatureGrid(weights.AsSpan(0, 5), [0], 2, 1, columns: 1));
    }
}
