using BenchmarkDotNet.Running;
using Compiled.Benchmarks;

// dotnet run -c Release --project bench/Compiled.Benchmarks -- generator            the generator's cost (issue: < 150 ms full, < 5 ms cached)
// dotnet run -c Release --project bench/Compiled.Benchmarks -- [BenchmarkDotNet args] kernels and whole train steps
// dotnet run -c Release --project bench/Compiled.Benchmarks -- compare --threads N    our side of bench/compare (JSON lines)
if (args.Length > 0 && args[0] == "generator")
{
    GeneratorCost.Run();
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- interop-save   writes bench/interop/compiled_saved.safetensors
if (args.Length > 0 && args[0] == "interop-save")
{
    // The seed network (L1Penalty-style summed L1) initialized with seed 123: the file PyTorch loads in bench/interop.
    string path = Path.Combine(args.Length > 1 ? args[1] : Path.Combine("bench", "interop"), "compiled_saved.safetensors");
    new SeedAutoencoder(8, 123).Save(path);
    Console.WriteLine("wrote " + path);
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- guard   cost of the divergence guard per training step
if (args.Length > 0 && args[0] == "guard")
{
    foreach (int b in new[] { 1, 64, 256 })
    {
        var on = new List<double>();
        var off = new List<double>();
        for (int round = 0; round < 5; round++)
            foreach (bool guard in new[] { true, false })
            {
                var m = new SeedAutoencoder(b, 0) { Threads = 1, DivergenceGuard = guard };
                float[] x = new float[b * 784];
                for (int i = 0; i < x.Length; i++) x[i] = (i % 17) / 17f;
                (guard ? on : off).Add(Compare.Time(() => m.TrainStep(x, x, b), 0.2).Median);
            }
        double mOn = on.Order().ElementAt(2), mOff = off.Order().ElementAt(2);
        Console.WriteLine($"batch {b,4}: guard on {mOn * 1e6,9:F1} µs/step, off {mOff * 1e6,9:F1} µs/step, cost {100 * (mOn - mOff) / mOff,5:F1} % (medians of 5 alternating rounds)");
    }
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- bandwidth   memory read bandwidth by size (the batch-1 bound)
if (args.Length > 0 && args[0] == "bandwidth")
{
    Bandwidth.Run();
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- profile [--batch N] [--threads N]   the seed step, kernel by kernel
if (args.Length > 0 && args[0] == "profile")
{
    Profile.Run(args);
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- concurrency   8 threads on one model: bit-equal, 0 bytes process-wide
if (args.Length > 0 && args[0] == "concurrency")
{
    Environment.Exit(ConcurrencyCheck.Run());
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- int8-accuracy [--epochs N]   int8 against float32 on Fashion-MNIST
if (args.Length > 0 && args[0] == "int8-accuracy")
{
    Int8Accuracy.Run(args);
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- layer-kinds [--rounds N]   dropout's cost, tied vs untied
if (args.Length > 0 && args[0] == "layer-kinds")
{
    LayerKinds.Run(args);
    return;
}
// dotnet run -c Release --project bench/Compiled.Benchmarks -- sparse-switch [--threads "1 2"] [--units "1024 4096"]   dense vs sparse per product (issue 18)
if (args.Length > 0 && args[0] == "sparse-switch")
{
    SparseSwitch.Run(args);
    return;
}
if (args.Length > 0 && args[0] == "compare")
{
    Compare.Run(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GeneratorCost).Assembly).Run(args);
