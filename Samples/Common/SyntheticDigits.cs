using System;

namespace Compiled.Samples;

/// <summary>
/// Deterministic built-in datasets so the samples run with no files: 28×28 grey images of anti-aliased pen strokes,
/// values in [0, 1], the same for the same seed on every machine. Structured like handwriting, not like noise.
/// </summary>
public static class SyntheticDigits
{
    /// <summary>Image side in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per image (28 × 28), the Fashion-MNIST row size.</summary>
    public const int Pixels = Side * Side;

    /// <summary>Classes of <see cref="GenerateLabelled"/>.</summary>
    public const int Classes = 10;

    /// <summary>
    /// <paramref name="count"/> unlabelled images, row-major [count, 784]: 1–3 strokes (some curved) and an occasional
    /// soft blob each.
    /// </summary>
    public static float[] Generate(int count, int seed)
    {
        var data = new float[count * Pixels];
        ulong state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 12345;
        for (int n = 0; n < count; n++)
        {
            Span<float> img = data.AsSpan(n * Pixels, Pixels);
            int strokes = 1 + (int)(Next(ref state) * 3);
            for (int s = 0; s < strokes; s++)
            {
                // A quadratic Bézier from p0 to p2 bending towards p1.
                double x0 = 5 + Next(ref state) * 18, y0 = 5 + Next(ref state) * 18;
                double x2 = 5 + Next(ref state) * 18, y2 = 5 + Next(ref state) * 18;
                double bend = Next(ref state) < 0.5 ? 0 : 1;
                double x1 = (x0 + x2) / 2 + bend * (Next(ref state) - 0.5) * 16, y1 = (y0 + y2) / 2 + bend * (Next(ref state) - 0.5) * 16;
                Curve(img, x0, y0, x1, y1, x2, y2, 0.9 + Next(ref state) * 0.9);
            }
            if (Next(ref state) < 0.3)
            {
                double cx = 6 + Next(ref state) * 16, cy = 6 + Next(ref state) * 16, r = 1.5 + Next(ref state) * 2.5;
                for (int y = 0; y < Side; y++)
                    for (int x = 0; x < Side; x++)
                    {
                        double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (r * r);
                        img[y * Side + x] = (float)Math.Max(img[y * Side + x], Math.Exp(-d2));
                    }
            }
        }
        return data;
    }

    /// <summary>
    /// <paramref name="count"/> labelled images of 10 glyph classes: each class is a fixed pair of strokes (drawn from
    /// a fixed seed), each image a copy with its own shift (±2.5 px), control-point jitter (±2 px) and pen width.
    /// Labels cycle through the classes in a shuffled order.
    /// </summary>
    public static float[] GenerateLabelled(int count, int seed, out int[] labels)
    {
        // The class templates: the same for every seed, so train and test sets share them.
        var templates = new double[Classes, 2, 6];
        ulong t = 0xC1A55E5UL;
        for (int c = 0; c < Classes; c++)
            for (int s = 0; s < 2; s++)
                for (int k = 0; k < 6; k++)
                    templates[c, s, k] = 6 + Next(ref t) * 16;

        var data = new float[count * Pixels];
        labels = new int[count];
        ulong state = (ulong)(uint)seed * 0xD1B54A32D192ED03UL + 777;
        for (int n = 0; n < count; n++)
        {
            int c = (int)(Next(ref state) * Classes);
            labels[n] = c;
            Span<float> img = data.AsSpan(n * Pixels, Pixels);
            double dx = (Next(ref state) - 0.5) * 5, dy = (Next(ref state) - 0.5) * 5, width = 0.8 + Next(ref state) * 0.8;
            for (int s = 0; s < 2; s++)
            {
                double J() => (Next(ref state) - 0.5) * 4;
                Curve(img, templates[c, s, 0] + dx + J(), templates[c, s, 1] + dy + J(), templates[c, s, 2] + dx + J(),
                    templates[c, s, 3] + dy + J(), templates[c, s, 4] + dx + J(), templates[c, s, 5] + dy + J(), width);
            }
        }
        return data;
    }

    private static void Curve(Span<float> img, double x0, double y0, double x1, double y1, double x2, double y2, double width)
    {
        const int Steps = 24;
        double px = x0, py = y0;
        for (int k = 1; k <= Steps; k++)
        {
            double t = k / (double)Steps, u = 1 - t;
            double qx = u * u * x0 + 2 * u * t * x1 + t * t * x2, qy = u * u * y0 + 2 * u * t * y1 + t * t * y2;
            Segment(img, px, py, qx, qy, width);
            px = qx; py = qy;
        }
    }

    private static void Segment(Span<float> img, double ax, double ay, double bx, double by, double width)
    {
        int x0 = Math.Max(0, (int)Math.Floor(Math.Min(ax, bx) - width - 1)), x1 = Math.Min(Side - 1, (int)Math.Ceiling(Math.Max(ax, bx) + width + 1));
        int y0 = Math.Max(0, (int)Math.Floor(Math.Min(ay, by) - width - 1)), y1 = Math.Min(Side - 1, (int)Math.Ceiling(Math.Max(ay, by) + width + 1));
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                double t = len2 == 0 ? 0 : Math.Clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0, 1);
                double ex = ax + t * dx - x, ey = ay + t * dy - y;
                double ink = Math.Clamp(width + 0.5 - Math.Sqrt(ex * ex + ey * ey), 0, 1);
                ref float p = ref img[y * Side + x];
                p = (float)Math.Max(p, ink);
            }
    }

    private static double Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
    }
}
