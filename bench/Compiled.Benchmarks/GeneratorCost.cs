using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Compiled.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Compiled.Benchmarks;

/// <summary>
/// The generator's own cost on a compilation of 200 models of 3–6 layers, from the driver's timing: a full run on a
/// fresh driver, and a cached re-run after an unrelated edit. Medians over repetitions (the first, cold run is
/// reported apart: it includes JIT-compiling the generator).
/// </summary>
public static class GeneratorCost
{
    public static void Run(int models = 200, int repetitions = 30, int warmup = 10)
    {
        CSharpCompilation compilation = Compilation(models);
        var full = new List<double>();
        var cached = new List<double>();
        var own = new List<double>();
        double cold = 0;
        int files = 0;
        for (int r = -warmup; r <= repetitions; r++)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()],
                parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: Environment.GetEnvironmentVariable("STEPS") == "1"));
            driver = driver.RunGenerators(compilation);
            double t = driver.GetTimingInfo().ElapsedTime.TotalMilliseconds;
            if (r > 0) own.Add(driver.GetTimingInfo().GeneratorTimes[0].ElapsedTime.TotalMilliseconds);
            files = driver.GetRunResult().GeneratedTrees.Length;
            if (r == -warmup) cold = t; else if (r > 0) full.Add(t);

            CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
                "namespace Unrelated { public class Edit" + r.ToString(CultureInfo.InvariantCulture) + " { } }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));
            driver = driver.RunGenerators(edited);
            if (r > 0) cached.Add(driver.GetTimingInfo().ElapsedTime.TotalMilliseconds);
            if (r == repetitions && Environment.GetEnvironmentVariable("STEPS") == "1")
                foreach (var (name, steps) in driver.GetRunResult().Results[0].TrackedSteps)
                    Console.WriteLine($"  step {name}: {steps.Length} runs, {steps.Sum(x => x.ElapsedTime.TotalMilliseconds):F2} ms, reasons {string.Join(",", steps.SelectMany(x => x.Outputs).GroupBy(o => o.Reason).Select(g => g.Key + "=" + g.Count()))}");
        }
        // The same work outside the driver, in stages: reading the syntax, building the specs, emitting the text.
        var read = new List<double>();
        var build = new List<double>();
        var emit = new List<double>();
        long chars = 0;
        for (int r = 0; r < repetitions; r++)
        {
            var sw = Stopwatch.StartNew();
            var parts = compilation.SyntaxTrees.SelectMany(t => t.GetRoot().DescendantNodes(n => n is not Microsoft.CodeAnalysis.CSharp.Syntax.MemberDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax))
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax>()
                .Select(c => Compiled.Generator.Parsing.SyntaxReader.Read(c, default)).ToImmutableArray();
            var declared = Compiled.Generator.Parsing.Declarations.Merge((parts, new Compiled.Generator.Parsing.ScopeFacts(false, false, default)), default);
            read.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            var specs = declared.Select(d => Compiled.Generator.Building.ModelBuilder.Build(d.Model!).Spec!).ToList();
            build.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            chars = specs.Sum(spec => (long)Compiled.Generator.Emit.ModelEmitter.Emit(spec).Length);
            emit.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"  outside the driver, medians: read (syntax) {Median(read):F1} ms, build {Median(build):F1} ms, emit {Median(emit):F1} ms ({chars / 1e6:F1} M characters of source)");
        Console.WriteLine($"generator: {models} models → {files} files; cold first run {cold:F1} ms; " +
                          $"full run median {Median(full):F1} ms (min {full.Min():F1}, max {full.Max():F1}; the generator alone, without the driver parsing its output: {Median(own):F1} ms); " +
                          $"cached re-run after an unrelated edit median {Median(cached):F2} ms (min {cached.Min():F2}, max {cached.Max():F2}); n = {repetitions}");
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static CSharpCompilation Compilation(int models)
    {
        var rng = new Random(42);
        string[] acts = ["Linear", "Tanh", "Sigmoid", "Relu"];
        var trees = new List<SyntaxTree>();
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        for (int m = 0; m < models; m++)
        {
            var sb = new StringBuilder("using Compiled;\nnamespace Many;\n");
            sb.Append("[Input(").Append(rng.Next(4, 800)).Append(")]\n");
            int layers = rng.Next(3, 7);
            for (int l = 0; l < layers; l++)
            {
                string act = acts[rng.Next(acts.Length)];
                sb.Append("[Dense(").Append(rng.Next(2, 500)).Append(", Activation.").Append(act).Append(")]\n");
                if (rng.Next(3) == 0) sb.Append("[ActivityL1(0.01)]\n");
                if (rng.Next(4) == 0) sb.Append("[KernelL2(0.001)]\n");
                if (act == "Sigmoid" && rng.Next(3) == 0) sb.Append("[KlSparsity(0.05, 3)]\n");
            }
            if (rng.Next(4) == 0) sb.Append("[WeightDecay(0.0001)]\n");
            sb.Append("public partial class Model").Append(m).Append(";\n");
            trees.Add(CSharpSyntaxTree.ParseText(sb.ToString(), options, path: "Model" + m + ".cs"));
        }
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll")
            .Append(typeof(InputAttribute).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        return CSharpCompilation.Create("Many", trees, refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }
}
