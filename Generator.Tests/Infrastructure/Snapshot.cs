using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Compiled.Tests.Infrastructure;

/// <summary>
/// Approved-file snapshots with Verify's naming (<c>Name.verified.cs</c> beside the tests), so Verify can drop in
/// later. A difference writes <c>Name.received.cs</c> and fails; set COMPILED_ACCEPT_SNAPSHOTS=1 (never in CI) to accept.
/// </summary>
public static class Snapshot
{
    public static void Match(string name, string actual, [CallerFilePath] string here = "")
    {
        // One folder for every snapshot, found from this file's own path (Infrastructure/ → Generator/Snapshots/).
        string folder = Path.Combine(Path.GetDirectoryName(here)!, "..", "Generator", "Snapshots");
        string verified = Path.Combine(folder, name + ".verified.cs"), received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        bool accept = Environment.GetEnvironmentVariable("COMPILED_ACCEPT_SNAPSHOTS") == "1" && Environment.GetEnvironmentVariable("CI") is null;
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (accept)
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No approved snapshot {verified}; wrote {received}. Review it, then rename it to .verified.cs."
            : $"Snapshot {name} differs from {verified}; wrote {received}. First difference at line {FirstDifference(expected, actual)}.");
    }

    private static int FirstDifference(string a, string b)
    {
        string[] x = a.Split('\n'), y = b.Split('\n');
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            if (x[i] != y[i]) return i + 1;
        return Math.Min(x.Length, y.Length) + 1;
    }
}
