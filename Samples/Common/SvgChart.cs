using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Compiled.Samples;

/// <summary>
/// A dependency-free SVG line chart, e.g. loss curves per epoch. Fixed size (<see cref="Width"/> × <see cref="Height"/>),
/// a plot area from (<see cref="PlotLeft"/>, <see cref="PlotTop"/>) to (<see cref="PlotRight"/>, <see cref="PlotBottom"/>),
/// the legend to its right. Every number is written with the invariant culture, every text XML-escaped.
/// </summary>
/// <remarks>
/// <para>The x axis spans the drawn points exactly (the smallest x at the left edge, the largest at the right); the y axis
/// is widened to the enclosing "nice" ticks (1, 2 or 5 × 10^k, about five of them). With <c>logY</c>, y is drawn on a
/// log10 scale between whole decades, and points with y ≤ 0 are skipped like NaN.</para>
/// <para>Each run of consecutive drawable points is one <c>&lt;polyline&gt;</c>; a run of a single point (an isolated value
/// between gaps, or a series of one point) is a <c>&lt;circle&gt;</c> instead, since a one-point line would be invisible.
/// A single x or y value spans a small range around it rather than dividing by zero. With nothing to draw, the chart says
/// "no data".</para>
/// </remarks>
public static class SvgChart
{
    /// <summary>Picture width in SVG user units (pixels).</summary>
    public const int Width = 720;

    /// <summary>Picture height in SVG user units (pixels).</summary>
    public const int Height = 420;

    /// <summary>The x coordinate of the smallest x value.</summary>
    public const double PlotLeft = 80;

    /// <summary>The x coordinate of the largest x value.</summary>
    public const double PlotRight = 540;

    /// <summary>The y coordinate of the top of the y axis.</summary>
    public const double PlotTop = 40;

    /// <summary>The y coordinate of the bottom of the y axis.</summary>
    public const double PlotBottom = 360;

    // Matplotlib's "tab10": distinct, and readable for the common forms of colour blindness. Past ten series the
    // colours repeat with a dash pattern.
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static readonly string[] Dashes = ["", "6 3", "2 3", "8 3 2 3"];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes <paramref name="svg"/> to <paramref name="path"/> as UTF-8, atomically (see <see cref="AtomicFile"/>).</summary>
    public static void Write(string path, string svg) => AtomicFile.WriteAllText(path, svg);

    /// <summary>The chart as an SVG document.</summary>
    /// <exception cref="ArgumentNullException">An argument, a series, or a series' name, X or Y is null.</exception>
    /// <exception cref="ArgumentException">A series' X and Y differ in length.</exception>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logY = false)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        ArgumentNullException.ThrowIfNull(series);
        for (int s = 0; s < series.Count; s++)
        {
            Series line = series[s] ?? throw new ArgumentNullException(nameof(series), $"series[{s}] is null.");
            if (line.Name is null || line.X is null || line.Y is null)
                throw new ArgumentNullException(nameof(series), $"series[{s}] has a null Name, X or Y.");
            if (line.X.Length != line.Y.Length)
                throw new ArgumentException($"series[{s}] ('{line.Name}') has {line.X.Length} x values but {line.Y.Length} y values.", nameof(series));
        }

        // The range of the drawable points, y already in log10 when logY.
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (Series line in series)
        {
            for (int i = 0; i < line.X.Length; i++)
            {
                if (!TryPoint(line, i, logY, out double x, out double y)) continue;
                xMin = Math.Min(xMin, x);
                xMax = Math.Max(xMax, x);
                yMin = Math.Min(yMin, y);
                yMax = Math.Max(yMax, y);
            }
        }

        var svg = new StringBuilder();
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.Append(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append("<title>").Append(Escape(title)).Append("</title>\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(Invariant, $"<text x=\"{Num((PlotLeft + PlotRight) / 2)}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">").Append(Escape(title)).Append("</text>\n");

        if (xMin > xMax)
        {
            svg.Append(Invariant, $"<text x=\"{Num((PlotLeft + PlotRight) / 2)}\" y=\"{Num((PlotTop + PlotBottom) / 2)}\" text-anchor=\"middle\" fill=\"#666\">no data</text>\n");
            svg.Append("</svg>\n");
            return svg.ToString();
        }

        // Axes. x: exactly the data; y: out to the enclosing ticks.
        (xMin, xMax) = Widen(xMin, xMax);
        List<(double Value, string Label)> xTicks = LinearTicks(xMin, xMax, NiceStep(xMax - xMin));
        List<(double Value, string Label)> yTicks;
        if (logY)
        {
            yMin = Math.Floor(yMin);
            yMax = Math.Ceiling(yMax);
            if (yMax == yMin) yMax = yMin + 1;
            yTicks = LogTicks(yMin, yMax);
        }
        else
        {
            (yMin, yMax) = Widen(yMin, yMax);
            double step = NiceStep(yMax - yMin);
            if (double.IsFinite(step) && step > 0)
            {
                // The tolerance keeps 0.3 - 0.2 = 0.0999… from pulling the axis down a whole step to 0.05.
                double low = Math.Floor(yMin / step + 1e-9) * step, high = Math.Ceiling(yMax / step - 1e-9) * step;
                if (double.IsFinite(low) && double.IsFinite(high))
                    (yMin, yMax) = (low, high);
            }
            yTicks = LinearTicks(yMin, yMax, step);
        }

        double Px(double x) => PlotLeft + Fraction(x, xMin, xMax) * (PlotRight - PlotLeft);
        double Py(double y) => PlotBottom - Fraction(y, yMin, yMax) * (PlotBottom - PlotTop);

        // Grid, frame, ticks and labels.
        svg.Append("<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
        foreach (var (value, _) in xTicks)
            svg.Append(Invariant, $"<line x1=\"{Num(Px(value))}\" y1=\"{Num(PlotTop)}\" x2=\"{Num(Px(value))}\" y2=\"{Num(PlotBottom)}\"/>\n");
        foreach (var (value, _) in yTicks)
            svg.Append(Invariant, $"<line x1=\"{Num(PlotLeft)}\" y1=\"{Num(Py(value))}\" x2=\"{Num(PlotRight)}\" y2=\"{Num(Py(value))}\"/>\n");
        svg.Append("</g>\n");
        svg.Append(Invariant, $"<rect x=\"{Num(PlotLeft)}\" y=\"{Num(PlotTop)}\" width=\"{Num(PlotRight - PlotLeft)}\" height=\"{Num(PlotBottom - PlotTop)}\" fill=\"none\" stroke=\"#333\"/>\n");
        foreach (var (value, label) in xTicks)
            svg.Append(Invariant, $"<text x=\"{Num(Px(value))}\" y=\"{Num(PlotBottom + 16)}\" text-anchor=\"middle\">{Escape(label)}</text>\n");
        foreach (var (value, label) in yTicks)
            svg.Append(Invariant, $"<text x=\"{Num(PlotLeft - 6)}\" y=\"{Num(Py(value) + 4)}\" text-anchor=\"end\">{Escape(label)}</text>\n");
        svg.Append(Invariant, $"<text x=\"{Num((PlotLeft + PlotRight) / 2)}\" y=\"{Num(PlotBottom + 38)}\" text-anchor=\"middle\">").Append(Escape(xLabel)).Append("</text>\n");
        double yMid = (PlotTop + PlotBottom) / 2;
        svg.Append(Invariant, $"<text x=\"20\" y=\"{Num(yMid)}\" text-anchor=\"middle\" transform=\"rotate(-90 20 {Num(yMid)})\">").Append(Escape(yLabel + (logY ? " (log scale)" : ""))).Append("</text>\n");

        // The lines: one polyline per run of drawable points, a dot for a run of one.
        var run = new List<(double X, double Y)>();
        for (int s = 0; s < series.Count; s++)
        {
            Series line = series[s];
            string colour = Palette[s % Palette.Length];
            string dash = Dashes[s / Palette.Length % Dashes.Length];
            string dashAttribute = dash.Length == 0 ? "" : $" stroke-dasharray=\"{dash}\"";
            for (int i = 0; i <= line.X.Length; i++)
            {
                if (i < line.X.Length && TryPoint(line, i, logY, out double x, out double y))
                {
                    run.Add((Px(x), Py(y)));
                    continue;
                }
                if (run.Count == 1)
                {
                    svg.Append(Invariant, $"<circle cx=\"{Num(run[0].X)}\" cy=\"{Num(run[0].Y)}\" r=\"2.5\" fill=\"{colour}\"/>\n");
                }
                else if (run.Count > 1)
                {
                    svg.Append(Invariant, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"{dashAttribute} points=\"");
                    for (int p = 0; p < run.Count; p++)
                        svg.Append(Invariant, $"{(p == 0 ? "" : " ")}{Num(run[p].X)},{Num(run[p].Y)}");
                    svg.Append("\"/>\n");
                }
                run.Clear();
            }
        }

        // Legend, in series order.
        for (int s = 0; s < series.Count; s++)
        {
            double y = PlotTop + 8 + s * 18;
            string dash = Dashes[s / Palette.Length % Dashes.Length];
            string dashAttribute = dash.Length == 0 ? "" : $" stroke-dasharray=\"{dash}\"";
            svg.Append(Invariant, $"<line x1=\"{Num(PlotRight + 14)}\" y1=\"{Num(y)}\" x2=\"{Num(PlotRight + 38)}\" y2=\"{Num(y)}\" stroke=\"{Palette[s % Palette.Length]}\" stroke-width=\"2\"{dashAttribute}/>\n");
            svg.Append(Invariant, $"<text x=\"{Num(PlotRight + 44)}\" y=\"{Num(y + 4)}\">").Append(Escape(series[s].Name)).Append("</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static bool TryPoint(Series line, int i, bool logY, out double x, out double y)
    {
        x = line.X[i];
        y = line.Y[i];
        if (!double.IsFinite(x) || !double.IsFinite(y)) return false;
        if (!logY) return true;
        if (y <= 0) return false;
        y = Math.Log10(y);
        return true;
    }

    // Where v falls between lo and hi, 0 to 1; halved first so that hi − lo cannot overflow.
    private static double Fraction(double v, double lo, double hi) => (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);

    // A single value gets a range around it, so that nothing divides by zero.
    private static (double Lo, double Hi) Widen(double lo, double hi)
    {
        if (lo < hi) return (lo, hi);
        double d = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
        if (double.IsFinite(lo - d) && double.IsFinite(hi + d)) return (lo - d, hi + d);
        return lo > 0 ? (lo * 0.5, hi) : (lo, hi * 0.5);   // ±double.MaxValue
    }

    /// <summary>A step of 1, 2 or 5 × 10^k that cuts <paramref name="range"/> into about five parts.</summary>
    internal static double NiceStep(double range)
    {
        double rough = range / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double normalized = rough / magnitude;
        double nice = normalized < 1.5 ? 1 : normalized < 3.5 ? 2 : normalized < 7.5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>The multiples of <paramref name="step"/> inside [lo, hi], labelled with just enough decimals; none if the step is not finite (a range too wide for a double).</summary>
    internal static List<(double Value, string Label)> LinearTicks(double lo, double hi, double step)
    {
        var ticks = new List<(double, string)>();
        if (!double.IsFinite(step) || step <= 0) return ticks;
        int decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step)), 0, 15);
        bool scientific = Math.Max(Math.Abs(lo), Math.Abs(hi)) >= 1e7 || step < 1e-6;
        double first = Math.Ceiling(lo / step - 1e-9);
        for (int k = 0; k < 50; k++)
        {
            double value = (first + k) * step;
            if (value > hi + step * 1e-9) break;
            value = Math.Round(value, decimals);
            if (value == 0) value = 0;   // no "-0"
            string label = scientific ? value.ToString("0.###E+0", Invariant) : value.ToString("F" + decimals.ToString(Invariant), Invariant);
            ticks.Add((Math.Clamp(value, lo, hi), label));
        }
        return ticks;
    }

    /// <summary>Ticks for a log10 axis from decade <paramref name="lo"/> to <paramref name="hi"/>: every decade (or every n-th when there are many), and 2 and 5 between when there are at most two.</summary>
    internal static List<(double Value, string Label)> LogTicks(double lo, double hi)
    {
        var ticks = new List<(double, string)>();
        int decades = (int)Math.Min(hi - lo, 10_000);
        int every = Math.Max(1, (int)Math.Ceiling(decades / 8.0));
        int[] mantissas = decades <= 2 ? [1, 2, 5] : [1];
        for (int d = 0; d <= decades; d += every)
        {
            int exponent = (int)lo + d;
            foreach (int m in mantissas)
            {
                double value = exponent + Math.Log10(m);
                if (value > hi) break;
                string label = exponent is >= -4 and <= 6
                    ? (m * Math.Pow(10, exponent)).ToString("0.##########", Invariant)
                    : m.ToString(Invariant) + "e" + exponent.ToString(Invariant);
                ticks.Add((value, label));
            }
        }
        return ticks;
    }

    // Coordinates: two decimals at most, invariant culture.
    private static string Num(double v) => v.ToString("0.##", Invariant);

    /// <summary>Text for XML content and attributes: the five special characters escaped, characters XML 1.0 cannot hold replaced by U+FFFD.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(c) || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == '\uFFFE' || c == '\uFFFF')
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }
}
