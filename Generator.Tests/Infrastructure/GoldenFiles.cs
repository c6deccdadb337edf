using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Compiled.Tests.Infrastructure;

/// <summary>
/// What the two-step golden tests (layer kinds, sparse coding) share: reading the copied JSON, writing numbers so that
/// they read back exactly, and the tolerance check that remembers the worst relative error per group.
/// </summary>
internal static class GoldenFiles
{
    /// <summary>A golden file as copied next to the test assembly (Golden/*.json).</summary>
    public static string Copied(string file) => Path.Combine(AppContext.BaseDirectory, "Golden", file);

    public static JsonElement Root(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>A JSON array of the values in round-trip form.</summary>
    public static string Numbers(double[] values) => "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
}

/// <summary>
/// |actual − expected| ≤ rel·|expected| + abs, with float32 models at 1e-5 relative (1e-6 absolute floor) and float64
/// models at 1e-10 (1e-13); records, per group, the worst error relative to max(|expected|, abs/rel) for the test's log.
/// </summary>
internal sealed class GoldenTolerance(bool isDouble)
{
    public const double Rel32 = 1e-5, Abs32 = 1e-6, Rel64 = 1e-10, Abs64 = 1e-13;

    public readonly double Rel = isDouble ? Rel64 : Rel32, Abs = isDouble ? Abs64 : Abs32;
    public readonly Dictionary<string, double> Seen = new();

    public void Check(string group, string what, double expected, double actual)
    {
        double err = Math.Abs(actual - expected);
        Assert.True(err <= Rel * Math.Abs(expected) + Abs,
            $"{what}: got {actual:R}, expected {expected:R} (diff {err:E2}, allowed {Rel * Math.Abs(expected) + Abs:E2})");
        Seen[group] = Math.Max(Seen.GetValueOrDefault(group), err / Math.Max(Math.Abs(expected), Abs / Rel));
    }

    public void Check(string group, string what, double[] expected, double[] actual)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++) Check(group, $"{what}[{i}]", expected[i], actual[i]);
    }
}
