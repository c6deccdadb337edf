using System;

namespace Compiled.Samples;

/// <summary>An 8-bit grayscale picture: <see cref="Pixels"/> row-major, top row first, 0 black, 255 white.</summary>
public sealed class GrayImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> × <paramref name="height"/> picture.</summary>
    /// <exception cref="ArgumentException">A size is not positive or <paramref name="pixels"/> is not width × height long.</exception>
    public GrayImage(byte[] pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (pixels.Length != (long)width * height)
            throw new ArgumentException($"pixels has length {pixels.Length}; expected width ({width}) × height ({height}) = {(long)width * height}.", nameof(pixels));
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Row-major bytes, <see cref="Width"/> × <see cref="Height"/>.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel in column <paramref name="x"/> of row <paramref name="y"/> (row 0 at the top).</summary>
    public byte this[int x, int y]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(x);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
            ArgumentOutOfRangeException.ThrowIfNegative(y);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
            return Pixels[y * Width + x];
        }
    }

    /// <summary>The picture as PNG file bytes.</summary>
    public byte[] EncodePng() => Png.EncodeGray(Pixels, Width, Height);

    /// <summary>Writes the picture as a PNG file, atomically (see <see cref="AtomicFile"/>).</summary>
    public void WritePng(string path) => Png.WriteGray(path, Pixels, Width, Height);
}
