using System;
using System.Collections.Generic;
using Xunit;

namespace Compiled.Tests.Infrastructure;

public static class Approx
{
    /// <summary>|actual − expected| ≤ rel·|expected| + abs, element by element, naming the first offender.</summary>
    public static void Equal(IReadOnlyList<double> expected, ReadOnlySpan<float> actual, double rel, double abs, string what)
    {
        Assert.True(expected.Count == actual.Length, $"{what}: length {actual.Length}, expected {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            double e = expected[i], a = actual[i];
            Assert.True(Math.Abs(a - e) <= rel * Math.Abs(e) + abs,
                $"{what}[{i}]: got {a:R}, expected {e:R} (diff {Math.Abs(a - e):E2}, allowed {rel * Math.Abs(e) + abs:E2})");
        }
    }

    public static void Equal(double expected, double actual, double rel, double abs, string what)
        => Assert.True(Math.Abs(actual - expected) <= rel * Math.Abs(expected) + abs,
            $"{what}: got {actual:R}, expected {expected:R} (diff {Math.Abs(actual - expected):E2})");

    /// <summary>The same float bit patterns, element by element (the check for "bit for bit" claims), naming the first offender.</summary>
    public static void SameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}");
    }
}
