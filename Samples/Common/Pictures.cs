using System;

namespace Compiled.Samples;

/// <summary>
/// The classic autoencoder pictures from float data: a grid of learned features (one tile per row of a weight matrix,
/// each tile contrast-stretched on its own) and strips of images (values in [0, 1], shown as they are).
/// </summary>
/// <remarks>
/// Layout: tiles fill a grid <c>columns</c> wide, left to right then top to bottom, with <c>gap</c> pixels of
/// <see cref="Background"/> between tiles and around the border, so a grid of <c>c</c> columns and <c>r</c> rows is
/// <c>c·tileWidth + (c + 1)·gap</c> wide and <c>r·tileHeight + (r + 1)·gap</c> high (<see cref="GridSize"/>). Slots
/// past the last tile stay background. Tiles are row-major, top row first.
/// </remarks>
public static class Pictures
{
    /// <summary>
    /// The colour of gaps and empty slots: white, so that tiles with dark edges (digits on black, weights near their
    /// minimum) stay visibly separate.
    /// </summary>
    public const byte Background = 255;

    /// <summary>What a constant tile of <see cref="FeatureGrid(ReadOnlySpan{float}, int, int, int, int, int)"/> becomes: mid-gray, since it has no contrast to show.</summary>
    public const byte ConstantTile = 128;

    /// <summary>The width and height in pixels of a grid of <paramref name="tiles"/> tiles (see the remarks on <see cref="Pictures"/>).</summary>
    public static (int Width, int Height) GridSize(int tiles, int tileWidth, int tileHeight, int columns, int gap = 1)
        => Layout(tiles, tileWidth, tileHeight, columns, gap, nameof(tiles), nameof(tileWidth), nameof(tileHeight));

    /// <summary>
    /// Learned features as a picture: feature <c>i</c> is row <c>i</c> of <paramref name="weights"/> (row-major
    /// <c>[features, tileWidth·tileHeight]</c>, e.g. a Dense layer's weight <c>[out, in]</c>), drawn as a
    /// <paramref name="tileWidth"/> × <paramref name="tileHeight"/> tile. Each tile is stretched to [0, 255] by its own
    /// minimum and maximum over its finite values (so every feature shows its pattern, whatever its scale); a constant
    /// tile is <see cref="ConstantTile"/>; NaN and −∞ are 0, +∞ is 255. The seed model's 400 features of 28 × 28 in 20
    /// columns with gap 1 make a 581 × 581 picture.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the gap is negative, or <paramref name="weights"/> is not features × tileWidth × tileHeight long.</exception>
    public static GrayImage FeatureGrid(ReadOnlySpan<float> weights, int features, int tileWidth, int tileHeight, int columns, int gap = 1)
    {
        var (width, height) = Layout(features, tileWidth, tileHeight, columns, gap, nameof(features), nameof(tileWidth), nameof(tileHeight));
        CheckLength(weights.Length, nameof(weights), features, nameof(features), tileWidth, tileHeight, nameof(tileWidth), nameof(tileHeight));
        var image = Blank(width, height);
        int tileSize = tileWidth * tileHeight;
        for (int i = 0; i < features; i++)
            DrawTile(image, Slot(i, columns, tileWidth, tileHeight, gap), tileWidth, tileHeight, weights.Slice(i * tileSize, tileSize), normalize: true);
        return image;
    }

    /// <summary>
    /// <see cref="FeatureGrid(ReadOnlySpan{float}, int, int, int, int, int)"/> with the features in a chosen order:
    /// slot <c>k</c> shows row <c>order[k]</c> of <paramref name="weights"/> (a row-major
    /// <c>[rows, tileWidth·tileHeight]</c> matrix), and the grid has <c>order.Length</c> tiles — a subset, or all rows
    /// sorted (most used first, say).
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the gap is negative, <paramref name="order"/> is empty or names a row outside <paramref name="weights"/>, or <paramref name="weights"/> is not a whole number of tiles long.</exception>
    public static GrayImage FeatureGrid(ReadOnlySpan<float> weights, ReadOnlySpan<int> order, int tileWidth, int tileHeight, int columns, int gap = 1)
    {
        var (width, height) = Layout(order.Length, tileWidth, tileHeight, columns, gap, nameof(order), nameof(tileWidth), nameof(tileHeight));
        long tileSize = (long)tileWidth * tileHeight;
        if (weights.Length % tileSize != 0)
            throw new ArgumentException($"weights has length {weights.Length}, not a multiple of tileWidth ({tileWidth}) × tileHeight ({tileHeight}) = {tileSize}.", nameof(weights));
        long rows = weights.Length / tileSize;
        foreach (int row in order)
            if ((uint)row >= rows) throw new ArgumentException($"order names row {row}; weights has rows 0..{rows - 1}.", nameof(order));
        var image = Blank(width, height);
        int size = (int)tileSize;
        for (int k = 0; k < order.Length; k++)
            DrawTile(image, Slot(k, columns, tileWidth, tileHeight, gap), tileWidth, tileHeight, weights.Slice(order[k] * size, size), normalize: true);
        return image;
    }

    /// <summary>
    /// <paramref name="count"/> images (row-major <c>[count, width·height]</c>, values in [0, 1]) in a grid
    /// <paramref name="columns"/> wide, 0 → black and 1 → white, values outside clamped, NaN black. No per-image
    /// stretching, so images can be compared with each other. For several strips in one picture (inputs, then the
    /// reconstructions of two models, ...), concatenate them and pass <c>columns</c> = images per strip.
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the gap is negative, or <paramref name="images"/> is not count × width × height long.</exception>
    public static GrayImage ImageGrid(ReadOnlySpan<float> images, int count, int width, int height, int columns, int gap = 1)
    {
        var (gridWidth, gridHeight) = Layout(count, width, height, columns, gap, nameof(count), nameof(width), nameof(height));
        CheckLength(images.Length, nameof(images), count, nameof(count), width, height);
        var image = Blank(gridWidth, gridHeight);
        int size = width * height;
        for (int i = 0; i < count; i++)
            DrawTile(image, Slot(i, columns, width, height, gap), width, height, images.Slice(i * size, size), normalize: false);
        return image;
    }

    /// <summary><see cref="ImageGrid"/> in one row: <paramref name="count"/> images side by side.</summary>
    public static GrayImage Row(ReadOnlySpan<float> images, int count, int width, int height, int gap = 1)
        => ImageGrid(images, count, width, height, columns: count, gap);

    /// <summary>
    /// Two strips sharing their gaps: <paramref name="count"/> inputs on top, their reconstructions underneath, each
    /// reconstruction below its input (both row-major <c>[count, width·height]</c>, values in [0, 1] as in <see cref="ImageGrid"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, the gap is negative, or either span is not count × width × height long.</exception>
    public static GrayImage InputsOverReconstructions(ReadOnlySpan<float> inputs, ReadOnlySpan<float> reconstructions, int count, int width, int height, int gap = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var (gridWidth, gridHeight) = Layout(2 * count, width, height, columns: count, gap, nameof(count), nameof(width), nameof(height));
        CheckLength(inputs.Length, nameof(inputs), count, nameof(count), width, height);
        CheckLength(reconstructions.Length, nameof(reconstructions), count, nameof(count), width, height);
        var image = Blank(gridWidth, gridHeight);
        int size = width * height;
        for (int i = 0; i < count; i++)
        {
            DrawTile(image, Slot(i, count, width, height, gap), width, height, inputs.Slice(i * size, size), normalize: false);
            DrawTile(image, Slot(count + i, count, width, height, gap), width, height, reconstructions.Slice(i * size, size), normalize: false);
        }
        return image;
    }

    // Checks the layout arguments (reported under the caller's parameter names) and sizes the grid.
    private static (int Width, int Height) Layout(int tiles, int tileWidth, int tileHeight, int columns, int gap,
        string tilesName, string tileWidthName, string tileHeightName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tiles, tilesName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileWidth, tileWidthName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileHeight, tileHeightName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        int rows = (tiles + columns - 1) / columns;
        long width = (long)columns * tileWidth + (long)(columns + 1) * gap;
        long height = (long)rows * tileHeight + (long)(rows + 1) * gap;
        if (width * height > Array.MaxLength)
            throw new ArgumentException($"A grid of {tiles} tiles of {tileWidth} × {tileHeight} in {columns} columns would be {width} × {height} pixels, too large.", tilesName);
        return ((int)width, (int)height);
    }

    private static void CheckLength(int actual, string name, int count, string countName, int width, int height, string widthName = "width", string heightName = "height")
    {
        long expected = (long)count * width * height;
        if (actual != expected)
            throw new ArgumentException($"{name} has length {actual}; expected {countName} ({count}) × {widthName} ({width}) × {heightName} ({height}) = {expected}.", name);
    }

    private static GrayImage Blank(int width, int height)
    {
        var pixels = new byte[width * height];
        pixels.AsSpan().Fill(Background);
        return new GrayImage(pixels, width, height);
    }

    // Top-left corner of slot i.
    private static (int X, int Y) Slot(int i, int columns, int tileWidth, int tileHeight, int gap)
        => (gap + i % columns * (tileWidth + gap), gap + i / columns * (tileHeight + gap));

    private static void DrawTile(GrayImage image, (int X, int Y) corner, int tileWidth, int tileHeight, ReadOnlySpan<float> tile, bool normalize)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        if (normalize)
        {
            foreach (float v in tile)
            {
                if (!float.IsFinite(v)) continue;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }
        // In double: max − min of two finite floats cannot overflow there.
        double range = (double)max - min;
        for (int y = 0; y < tileHeight; y++)
        {
            Span<byte> row = image.Pixels.AsSpan((corner.Y + y) * image.Width + corner.X, tileWidth);
            ReadOnlySpan<float> source = tile.Slice(y * tileWidth, tileWidth);
            for (int x = 0; x < tileWidth; x++)
            {
                float v = source[x];
                row[x] = !normalize ? ToByte(v)
                    : float.IsNaN(v) ? (byte)0
                    : float.IsInfinity(v) ? (v > 0 ? (byte)255 : (byte)0)
                    : range > 0 ? ToByte(((double)v - min) / range)
                    : ConstantTile;
            }
        }
    }

    // [0, 1] → [0, 255], rounded to nearest; below 0 and NaN → 0, above 1 → 255.
    private static byte ToByte(double v) => v > 0 ? v < 1 ? (byte)(v * 255 + 0.5) : (byte)255 : (byte)0;
}
