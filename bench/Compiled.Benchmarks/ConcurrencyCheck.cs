namespace Compiled.Benchmarks;

/// <summary>
/// The concurrency contract measured in a process of its own (no test runner allocating in the background): 8 threads
/// call Predict on one trained seed model at batch 1 and 64, and Evaluate at 32; every output equals the single-threaded
/// one bit for bit, and after every thread's first call the whole process allocates 0 bytes
/// (GC.GetTotalAllocatedBytes(true)). Exits 1 on any difference or allocation. CI runs it.
/// </summary>
internal static class ConcurrencyCheck
{
    private const int Threads = 8;

    public static int Run()
    {
        var m = new SeedAutoencoder(64, 7) { Threads = 2 };
        var r = new Random(1);
        float[] train = new float[64 * 784];
        for (int i = 0; i < train.Length; i++) train[i] = (float)r.NextDouble();
        for (int i = 0; i < 20; i++) m.TrainStep(train, train, 64);

        bool ok = true;
        foreach (var (batch, calls, evaluate) in new[] { (1, 400, false), (64, 40, false), (32, 40, true) })
        {
            float[][] inputs = Enumerable.Range(0, Threads).Select(t =>
            {
                var rr = new Random(100 + t);
                return Enumerable.Range(0, batch * 784).Select(_ => (float)rr.NextDouble()).ToArray();
            }).ToArray();
            float[][] expected = inputs.Select(x => { var y = new float[batch * 784]; m.Predict(x, y, batch); return y; }).ToArray();
            float[] expectedLoss = inputs.Select(x => m.Evaluate(x, x, batch).Total).ToArray();
            float[][] outputs = Enumerable.Range(0, Threads).Select(_ => new float[batch * 784]).ToArray();
            int wrong = 0, arrived = 0;
            long before = 0, after = 0;
            void Meet(int phase)
            {
                Interlocked.Increment(ref arrived);
                var spin = new SpinWait();
                while (Volatile.Read(ref arrived) < phase * Threads) spin.SpinOnce();
            }
            void Call(int t)
            {
                if (evaluate)
                {
                    if (m.Evaluate(inputs[t], inputs[t], batch).Total != expectedLoss[t]) Interlocked.Increment(ref wrong);
                    return;
                }
                m.Predict(inputs[t], outputs[t], batch);
                if (!outputs[t].AsSpan().SequenceEqual(expected[t])) Interlocked.Increment(ref wrong);
            }
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                Meet(1);
                Call(t); // the thread's first call: its workspace
                for (int i = 1; i < calls; i++) Call(t);
                Meet(2);
                if (t == 0) before = GC.GetTotalAllocatedBytes(true);
                Meet(3);
                for (int i = 0; i < calls; i++) Call(t);
                Meet(4);
                if (t == 0) after = GC.GetTotalAllocatedBytes(true);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            long bytes = after - before;
            string what = evaluate ? "Evaluate" : "Predict";
            Console.WriteLine($"{what,-8} batch {batch,2}: {Threads} threads × {calls} calls after each thread's first: {wrong} outputs differ from one thread, {bytes} bytes allocated process-wide");
            ok &= wrong == 0 && bytes == 0;
        }
        return ok ? 0 : 1;
    }
}
