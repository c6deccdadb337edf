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
if (args.Length > 0 && args[0] == "compare")
{
    Compare.Run(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GeneratorCost).Assembly).Run(args);
