using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Compiled.Samples;
using Xunit;

namespace Compiled.Tests.Imaging;

public class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // Runs the chart under a culture that writes 0,5 and −1 (U+2212), then parses it under the same culture.
    private static XDocument ChartUnderSwedishCulture(Func<string> chart, out string text)
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("sv-SE");
            Assert.Equal(",", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator);   // the test means something
            text = chart();
            return XDocument.Parse(text);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    private static double Attr(XElement e, string name) => double.Parse((string)e.Attribute(name)!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<(double X, double Y)> Points(XElement polyline)
        => ((string)polyline.Attribute("points")!).Split(' ')
            .Select(pair => pair.Split(','))
            .Select(xy =>
            {
                Assert.Equal(2, xy.Length);
                return (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture));
            })
            .ToList();

    private static IEnumerable<XElement> All(XDocument doc, string name) => doc.Descendants(Svg + name);

    [Fact]
    public void Chart_is_well_formed_and_culture_independent_under_sv_SE()
    {
        var series = new[]
        {
            new Series("train", [1, 2, 3, 4.5], [-0.25, -1.5, 0.125, 2.75]),
            new Series("test", [1, 2, 3, 4.5], [0.5, 0.25, -0.75, 1.125]),
        };
        var doc = ChartUnderSwedishCulture(() => SvgChart.Lines("Loss", "epoch", "loss", series), out string text);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.DoesNotContain('\u2212', text);   // sv-SE's minus sign
        // Every numeric attribute parses as an invariant number.
        foreach (var e in doc.Descendants())
            foreach (var a in e.Attributes().Where(a => a.Name.LocalName is "x" or "y" or "x1" or "y1" or "x2" or "y2" or "cx" or "cy" or "r" or "width" or "height"))
                if (a.Value != "100%")
                    Assert.True(double.TryParse(a.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _), $"{e.Name.LocalName}/@{a.Name} = '{a.Value}'");
        Assert.Equal(2, All(doc, "polyline").Count());
        Assert.All(All(doc, "polyline"), p => Assert.Equal(4, Points(p).Count));
        // Tick labels are invariant too: a decimal point, no comma.
        var labels = All(doc, "text").Select(t => t.Value).ToList();
        Assert.Contains(labels, l => l.Contains('.', StringComparison.Ordinal));
        Assert.DoesNotContain(labels, l => l.Length > 0 && char.IsDigit(l[^1]) && l.Contains(',', StringComparison.Ordinal));
        Assert.Contains("train", labels);
        Assert.Contains("test", labels);
    }

    [Fact]
    public void Non_finite_points_split_lines_and_lone_points_become_dots()
    {
        double nan = double.NaN;
        var series = new[]
        {
            // Runs: [0,1], [3,4,5], [7] (lone), [9,10] → 3 polylines, 1 dot.
            new Series("a", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, nan, 3, 4, 5, double.PositiveInfinity, 6, nan, 7, 8]),
            // A non-finite x breaks the line too: runs [0,1] and [3,4].
            new Series("b", [0, 1, double.NegativeInfinity, 3, 4], [1, 1, 1, 2, 2]),
            new Series("c", [], []),
        };
        var doc = XDocument.Parse(SvgChart.Lines("t", "x", "y", series));
        var polylines = All(doc, "polyline").ToList();
        Assert.Equal(5, polylines.Count);
        Assert.Equal(new[] { 2, 3, 2, 2, 2 }, polylines.Select(p => Points(p).Count).ToArray());
        Assert.Single(All(doc, "circle"));
        Assert.All(polylines.SelectMany(Points), p => Assert.True(double.IsFinite(p.X) && double.IsFinite(p.Y)));
    }

    [Fact]
    public void Known_points_land_where_the_axis_maths_says()
    {
        // x spans the data exactly: 2 → left edge, 10 → right edge. y 1..3: step 0.5 (range 2 / 5 = 0.4 → 0.5), already
        // on ticks, so 1 → bottom, 3 → top, 2 → middle.
        var doc = XDocument.Parse(SvgChart.Lines("t", "x", "y", [new Series("s", [2, 4, 10], [1, 3, 2])]));
        var points = Points(Assert.Single(All(doc, "polyline")));
        double width = SvgChart.PlotRight - SvgChart.PlotLeft;
        Assert.Equal((SvgChart.PlotLeft, SvgChart.PlotBottom), points[0]);
        Assert.Equal((SvgChart.PlotLeft + width / 4, SvgChart.PlotTop), points[1]);
        Assert.Equal((SvgChart.PlotRight, (SvgChart.PlotTop + SvgChart.PlotBottom) / 2), points[2]);

        var labels = All(doc, "text").Select(t => t.Value).ToList();
        foreach (string tick in new[] { "1.0", "1.5", "2.0", "2.5", "3.0" })
            Assert.Contains(tick, labels);
    }

    [Fact]
    public void Y_axis_widens_to_the_enclosing_ticks()
    {
        // y 0.9..3.1: step 0.5, axis 0.5..3.5; 0.9 sits 0.4/3 of the way up.
        var doc = XDocument.Parse(SvgChart.Lines("t", "x", "y", [new Series("s", [0, 1], [0.9, 3.1])]));
        var points = Points(Assert.Single(All(doc, "polyline")));
        double height = SvgChart.PlotBottom - SvgChart.PlotTop;
        Assert.Equal(SvgChart.PlotBottom - 0.4 / 3 * height, points[0].Y, 2);
        Assert.Equal(SvgChart.PlotBottom - 2.6 / 3 * height, points[1].Y, 2);
    }

    [Fact]
    public void Rounding_noise_does_not_push_the_axis_out_by_a_whole_step()
    {
        double almostTenth = 0.3 - 0.01 * 20;   // 0.09999999999999998
        Assert.True(almostTenth < 0.1);
        var doc = XDocument.Parse(SvgChart.Lines("t", "x", "y", [new Series("s", [0, 1], [almostTenth, 0.29])]));
        var points = Points(Assert.Single(All(doc, "polyline")));
        Assert.Equal(SvgChart.PlotBottom, points[0].Y);   // the axis starts at 0.10, not 0.05
        Assert.Contains("0.10", All(doc, "text").Select(t => t.Value));
        Assert.DoesNotContain("0.05", All(doc, "text").Select(t => t.Value));
    }

    [Fact]
    public void Log_y_skips_non_positive_values_and_spans_whole_decades()
    {
        var doc = XDocument.Parse(SvgChart.Lines("t", "epoch", "loss", [new Series("s", [1, 2, 3, 4, 5], [0, -1, 10, 100, 1000])], logY: true));
        var points = Points(Assert.Single(All(doc, "polyline")));
        Assert.Equal(3, points.Count);   // 0 and -1 cannot be drawn on a log axis
        Assert.Equal((SvgChart.PlotLeft, SvgChart.PlotBottom), points[0]);                                        // x = 3, y = 10
        Assert.Equal((SvgChart.PlotRight, SvgChart.PlotTop), points[2]);                                          // x = 5, y = 1000
        Assert.Equal((SvgChart.PlotTop + SvgChart.PlotBottom) / 2, points[1].Y, 6);                               // y = 100
        var labels = All(doc, "text").Select(t => t.Value).ToList();
        Assert.Contains("10", labels);
        Assert.Contains("100", labels);
        Assert.Contains("1000", labels);
        Assert.Contains("loss (log scale)", labels);

        // Within two decades the 2 and 5 marks appear; tiny values are labelled without a long tail of zeros.
        labels = All(XDocument.Parse(SvgChart.Lines("t", "x", "y", [new Series("s", [0, 1], [0.02, 0.05])], logY: true)), "text").Select(t => t.Value).ToList();
        foreach (string tick in new[] { "0.01", "0.02", "0.05", "0.1" })
            Assert.Contains(tick, labels);
        labels = All(XDocument.Parse(SvgChart.Lines("t", "x", "y", [new Series("s", [0, 1], [1e-9, 1e-7])], logY: true)), "text").Select(t => t.Value).ToList();
        Assert.Contains("1e-9", labels);
        Assert.Contains("1e-7", labels);
    }

    [Fact]
    public void Log_y_with_nothing_positive_says_no_data()
    {
        var doc = XDocument.Parse(SvgChart.Lines("t", "x", "y", [new Series("s", [1, 2], [0, -3])], logY: true));
        Assert.Empty(All(doc, "polyline"));
        Assert.Contains("no data", All(doc, "text").Select(t => t.Value));
    }

    [Fact]
    public void Empty_series_list_is_a_valid_svg_saying_no_data()
    {
        var doc = XDocument.Parse(SvgChart.Lines("Nothing yet", "x", "y", []));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Empty(All(doc, "polyline"));
        Assert.Contains("no data", All(doc, "text").Select(t => t.Value));
        Assert.Equal("Nothing yet", All(doc, "title").Single().Value);
    }

    [Fact]
    public void Single_point_and_constant_series_do_not_divide_by_zero()
    {
        string text = SvgChart.Lines("t", "x", "y", [new Series("one", [3], [7]), new Series("flat", [3, 3, 3], [7, 7, 7])]);
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Infinity", text);
        Assert.DoesNotContain("∞", text);
        var doc = XDocument.Parse(text);
        var dot = Assert.Single(All(doc, "circle"));
        // The single value sits in the middle of the range made around it.
        Assert.Equal((SvgChart.PlotLeft + SvgChart.PlotRight) / 2, Attr(dot, "cx"), 6);
        var flat = Points(Assert.Single(All(doc, "polyline")));
        Assert.All(flat, p => Assert.Equal((Attr(dot, "cx"), Attr(dot, "cy")), p));
        Assert.InRange(Attr(dot, "cy"), SvgChart.PlotTop, SvgChart.PlotBottom);

        // Extreme values: no overflow into non-finite coordinates.
        text = SvgChart.Lines("t", "x", "y", [new Series("huge", [-double.MaxValue, double.MaxValue], [double.MaxValue, -double.MaxValue])]);
        Assert.DoesNotContain("NaN", text);
        Assert.DoesNotContain("Infinity", text);
        Assert.Equal(2, Points(Assert.Single(All(XDocument.Parse(text), "polyline"))).Count);
    }

    [Fact]
    public void Names_and_labels_are_xml_escaped()
    {
        const string name = "a & <b> \"c\" 'd'";
        var doc = XDocument.Parse(SvgChart.Lines("<title> & \"more\"", "x < y", "y > x", [new Series(name, [0, 1], [0, 1]), new Series("bell\u0007 and lone \uD800", [0, 1], [1, 0])]));
        var texts = All(doc, "text").Select(t => t.Value).ToList();
        Assert.Contains(name, texts);
        Assert.Contains("<title> & \"more\"", texts);
        Assert.Contains("x < y", texts);
        Assert.Contains("y > x", texts);
        Assert.Contains("bell\uFFFD and lone \uFFFD", texts);   // characters XML 1.0 cannot hold
        Assert.Equal("<title> & \"more\"", All(doc, "title").Single().Value);
    }

    [Fact]
    public void Series_get_distinct_colours_and_the_eleventh_a_dash_pattern()
    {
        var series = Enumerable.Range(0, 12).Select(i => new Series($"s{i}", [0, 1], [i, i + 1])).ToList();
        var polylines = All(XDocument.Parse(SvgChart.Lines("t", "x", "y", series)), "polyline").ToList();
        Assert.Equal(12, polylines.Count);
        var styles = polylines.Select(p => ((string)p.Attribute("stroke")!, (string?)p.Attribute("stroke-dasharray"))).ToList();
        Assert.Equal(12, styles.Distinct().Count());
        Assert.Equal(10, styles.Take(10).Select(s => s.Item1).Distinct().Count());
    }

    [Theory]
    [InlineData(10, 2)]
    [InlineData(9, 2)]
    [InlineData(1, 0.2)]
    [InlineData(7, 1)]
    [InlineData(0.03, 0.005)]
    [InlineData(1000, 200)]
    [InlineData(30, 5)]
    public void Nice_step_is_1_2_or_5_times_a_power_of_ten(double range, double step)
        => Assert.Equal(step, SvgChart.NiceStep(range), 12);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 10)]
    [InlineData(0.0213, 0.0567)]
    [InlineData(-37, 1234)]
    [InlineData(1e-9, 3e-9)]
    [InlineData(5e8, 9e8)]
    public void Linear_axes_get_about_five_ticks(double lo, double hi)
    {
        var ticks = SvgChart.LinearTicks(lo, hi, SvgChart.NiceStep(hi - lo));
        Assert.InRange(ticks.Count, 3, 8);
        Assert.All(ticks, t => Assert.InRange(t.Value, lo, hi));
        Assert.Equal(ticks.Count, ticks.Select(t => t.Label).Distinct().Count());
    }

    [Fact]
    public void Mismatched_lengths_and_nulls_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => SvgChart.Lines("t", "x", "y", [new Series("ok", [1], [1]), new Series("bad", [1, 2, 3], [1, 2])]));
        Assert.Equal("series", e.ParamName);
        Assert.Contains("series[1] ('bad') has 3 x values but 2 y values", e.Message);
        Assert.Throws<ArgumentNullException>(() => SvgChart.Lines("t", "x", "y", [null!]));
        Assert.Throws<ArgumentNullException>(() => SvgChart.Lines(null!, "x", "y", []));
    }

    [Fact]
    public void Write_saves_the_chart_whole()
    {
        string dir = Directory.CreateTempSubdirectory("compiled-svg-").FullName;
        try
        {
            string path = Path.Combine(dir, "loss.svg");
            string svg = SvgChart.Lines("Loss — λ", "epoch", "loss", [new Series("λ = 0.1", [1, 2], [0.5, 0.25])]);
            SvgChart.Write(path, svg);
            Assert.Equal(svg, File.ReadAllText(path));
            Assert.NotEqual(0xEF, File.ReadAllBytes(path)[0]);   // no byte order mark
            Assert.Equal("Loss — λ", XDocument.Load(path).Descendants(Svg + "title").Single().Value);
            Assert.Equal(new[] { "loss.svg" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
