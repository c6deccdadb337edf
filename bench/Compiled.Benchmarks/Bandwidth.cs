using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace Compiled.Benchmarks;

/// <summary>
/// How fast one core (and both) can read memory of a given size: the bound for batch-1 products, which read every weight
/// once per call. Eight independent 512-bit accumulators (256-bit without AVX-512), medians of 7 repetitions of 50 ms.
/// <c>dotnet run -c Release --project bench/Compiled.Benchmarks -- bandwidth</c>
/// </summary>
public static class Bandwidth
{
    public static void Run()
    {
        Console.WriteLine("read bandwidth, GB/s (median of 7):   1 thread   2 threads (each reads its own half)");
        foreach (double mb in new[] { 0.25, 0.5, 1.0, 2.5, 5.0, 40.0 })
        {
            var data = new float[(int)(mb * 262144)];
            for (int i = 0; i < data.Length; i++) data[i] = i % 7;
            double one = Measure(() => Sum(data), data.Length);
            int half = data.Length / 2;
            double two = Measure(() => System.Threading.Tasks.Parallel.Invoke(() => Sum(data.AsSpan(0, half)), () => Sum(data.AsSpan(half))), data.Length);
            Console.WriteLine($"  {mb,6:F2} MB {one,22:F1} {two,11:F1}");
        }
    }

    private static double Measure(Action read, int floats)
    {
        for (int i = 0; i < 5; i++) read();
        var rates = new List<double>();
        for (int rep = 0; rep < 7; rep++)
        {
            int n = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed.TotalMilliseconds < 50) { read(); n++; }
            rates.Add(4.0 * floats * n / sw.Elapsed.TotalSeconds / 1e9);
        }
        rates.Sort();
        return rates[3];
    }

    private static float Sum(ReadOnlySpan<float> a)
    {
        ref float r = ref MemoryMarshal.GetReference(a);
        if (Vector512.IsHardwareAccelerated || System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            nuint i = 0;
            for (; i + 128 <= (nuint)a.Length; i += 128)
            {
                s0 += Vector512.LoadUnsafe(ref r, i); s1 += Vector512.LoadUnsafe(ref r, i + 16); s2 += Vector512.LoadUnsafe(ref r, i + 32); s3 += Vector512.LoadUnsafe(ref r, i + 48);
                s4 += Vector512.LoadUnsafe(ref r, i + 64); s5 += Vector512.LoadUnsafe(ref r, i + 80); s6 += Vector512.LoadUnsafe(ref r, i + 96); s7 += Vector512.LoadUnsafe(ref r, i + 112);
            }
            return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7);
        }
        Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default;
        for (nuint i = 0; i + 64 <= (nuint)a.Length; i += 64)
        {
            t0 += Vector256.LoadUnsafe(ref r, i); t1 += Vector256.LoadUnsafe(ref r, i + 8); t2 += Vector256.LoadUnsafe(ref r, i + 16); t3 += Vector256.LoadUnsafe(ref r, i + 24);
            t4 += Vector256.LoadUnsafe(ref r, i + 32); t5 += Vector256.LoadUnsafe(ref r, i + 40); t6 += Vector256.LoadUnsafe(ref r, i + 48); t7 += Vector256.LoadUnsafe(ref r, i + 56);
        }
        return Vector256.Sum(t0 + t1 + t2 + t3 + t4 + t5 + t6 + t7);
    }
}
