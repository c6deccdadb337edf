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
if (args.Length > 0 && args[0] == "compare")
{
    Compare.Run(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GeneratorCost).Assembly).Run(args);
