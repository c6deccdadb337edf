namespace Compiled.Benchmarks;

/// <summary>
/// What the layer kinds cost, measured alternating in one run (medians of rounds): the seed step with and without
/// [Dropout(0.2)] at batch 1, 64 and 256, and a tied autoencoder's step against the untied one. One thread.
/// </summary>
internal static class LayerKinds
{
    public static void Run(string[] args)
    {
        int rounds = args.Length > 2 && args[1] == "--rounds" ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"layer-kinds: {rounds} alternating rounds, 1 thread, medians (µs per TrainStep)");
        foreach (int batch in new[] { 1, 64, 256 })
        {
            var plain = new SeedAutoencoder(batch, 0) { Threads = 1 };
            var dropout = new SeedDropout(batch, 0) { Threads = 1 };
            float[] x = Data(batch * 784);
            var (a, b) = Alternate(rounds, () => plain.TrainStep(x, x, batch), () => dropout.TrainStep(x, x, batch));
            Console.WriteLine($"seed batch {batch,3}: plain {a * 1e6,10:F1}  dropout(0.2) {b * 1e6,10:F1}  cost {100 * (b - a) / a,6:F1} %");
        }
        foreach (int batch in new[] { 1, 64, 256 })
        {
            var untied = new UntiedAutoencoder(batch, 0) { Threads = 1 };
            var tied = new TiedAutoencoder(batch, 0) { Threads = 1 };
            float[] x = Data(batch * 784);
            var (a, b) = Alternate(rounds, () => untied.TrainStep(x, x, batch), () => tied.TrainStep(x, x, batch));
            Console.WriteLine($"784-256-784 batch {batch,3}: untied {a * 1e6,10:F1}  tied {b * 1e6,10:F1}  ratio {b / a,5:F2}");
        }
    }

    private static float[] Data(int n)
    {
        var r = new Random(1);
        return Enumerable.Range(0, n).Select(_ => (float)r.NextDouble()).ToArray();
    }

    /// <summary>Medians over <paramref name="rounds"/> rounds of A then B, each timed as bench/compare times (~0.2 s).</summary>
    private static (double A, double B) Alternate(int rounds, Action a, Action b)
    {
        var ta = new List<double>();
        var tb = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            ta.Add(Compare.Time(a, 0.2).Median);
            tb.Add(Compare.Time(b, 0.2).Median);
        }
        return (ta.Order().ElementAt(rounds / 2), tb.Order().ElementAt(rounds / 2));
    }
}
