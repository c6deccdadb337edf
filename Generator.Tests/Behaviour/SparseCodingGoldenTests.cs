using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Compiled.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests;

/// <summary>
/// Sparse coding (issue 17) against PyTorch float64, in two committed steps:
/// <list type="number">
/// <item>each case's parameters (the model's initial ones, scaled and changed as the registry says) and data, recorded in
/// Golden/sparse_coding_inputs.json — written by <see cref="Recorded_inputs_are_what_the_registry_makes_today"/> when
/// COMPILED_WRITE_GOLDEN_INPUTS=1, and otherwise checked against what the registry makes now;</item>
/// <item>Golden/scripts/make_sparse_coding.py builds each network in PyTorch from its attributes, runs the case's calls
/// (training passes, inference, torch.optim steps with the projection, clipping, constraints and threshold update around
/// them) and writes Golden/torch_sparse_coding.json.</item>
/// </list>
/// Every call goes through the public API: ComputeGradients (LastLoss terms, total, Gradients, the hidden activations, AuxK's
/// counters), Evaluate and Predict (terms, total, output, inference activations) and TrainStep (its total, LastLoss, every
/// parameter and buffer after it, the counters, Step). float32 models at 1e-5 relative (1e-6 absolute floor), float64 twins
/// at 1e-10 (1e-13).
/// </summary>
public class SparseCodingGoldenTests(ITestOutputHelper output)
{
    private const int B = SparseCodingCases.Batch;
    private const string InputsFile = "sparse_coding_inputs.json", GoldenFile = "torch_sparse_coding.json";

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (ScCase c in SparseCodingCases.All) data.Add(c.Name);
        return data;
    }

    private static string SourceFolder([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "..", "Golden");

    private static double[] D(JsonElement e) => GoldenFiles.Doubles(e);

    private static long[] L(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt64()).ToArray();

    // ---- Step 1: the inputs of the PyTorch script --------------------------------------------------------------------------

    /// <summary>A case's parameters and data as the registry makes them: the same on every machine (System.Random with a seed).</summary>
    private static (double[] Params, double[][] Inputs, double[][] Targets) Make(ScCase c, ScModel m)
    {
        double[] p = m.GetParameters();
        foreach (TensorLayout t in m.Layout)
            if (t.Name.EndsWith(".weight", StringComparison.Ordinal) || t.Name.EndsWith(".bias", StringComparison.Ordinal))
                for (int i = t.Offset; i < t.Offset + t.Length; i++) p[i] *= c.Scale; // wider than nn.Linear's init
        c.Adjust?.Invoke(p, name => m.Layout.Single(l => l.Name == name));
        for (int i = 0; i < p.Length; i++) p[i] = (float)p[i]; // float32 numbers: the twin runs on the same values
        var r = new Random(c.Seed * 7919 + 1);
        var inputs = new double[c.Batches][];
        var targets = new double[c.Batches][];
        for (int b = 0; b < c.Batches; b++)
        {
            double[] x = new double[B * m.InputSize], t = new double[B * m.OutputSize];
            double range = c.Data == ScData.Large ? 6 : 3;
            for (int i = 0; i < x.Length; i++) x[i] = (float)(r.NextDouble() * range - range / 2);
            for (int i = 0; i < t.Length; i++)
                t[i] = c.Data switch
                {
                    ScData.Autoencoder => x[i],
                    ScData.UnitTargets => (float)(0.05 + 0.9 * r.NextDouble()),
                    ScData.Large => (float)(r.NextDouble() * 6 - 3),
                    _ => (float)(r.NextDouble() * 2 - 1),
                };
            inputs[b] = x;
            targets[b] = t;
        }
        return (p, inputs, targets);
    }

    /// <summary>
    /// With COMPILED_WRITE_GOLDEN_INPUTS=1, writes Golden/sparse_coding_inputs.json from the registry (then checks it as
    /// below). Otherwise: the recorded file is what the registry makes today — the models' names, layouts and terms, each
    /// case's calls, its parameters and data bit for bit — and each float64 twin has its float32 case's numbers.
    /// </summary>
    [Fact]
    public void Recorded_inputs_are_what_the_registry_makes_today()
    {
        string path = GoldenFiles.Copied(InputsFile);
        if (Environment.GetEnvironmentVariable("COMPILED_WRITE_GOLDEN_INPUTS") == "1")
        {
            path = Path.GetFullPath(Path.Combine(SourceFolder(), InputsFile));
            File.WriteAllText(path, WriteInputs());
            output.WriteLine("wrote " + path);
        }
        JsonElement cases = GoldenFiles.Root(path).GetProperty("cases");
        Assert.Equal(SparseCodingCases.All.Select(c => c.Name).Order(), cases.EnumerateObject().Select(p => p.Name).Order());
        foreach (ScCase c in SparseCodingCases.All)
        {
            JsonElement rec = cases.GetProperty(c.Name);
            ScModel m = c.Create(c.Seed);
            Assert.Equal(m.Model, rec.GetProperty("model").GetString());
            Assert.Equal(m.IsDouble ? "float64" : "float32", rec.GetProperty("precision").GetString());
            Assert.Equal(c.Seed, rec.GetProperty("seed").GetInt32());
            Assert.True(Same(Parse(Layout(m)), rec.GetProperty("layout")), $"{c.Name}: the layout differs from the recorded one");
            Assert.Equal(m.TermNames, rec.GetProperty("terms").EnumerateArray().Select(v => v.GetString()!));
            Assert.Equal(c.Ops.Select(o => o.ToString()), rec.GetProperty("ops").EnumerateArray().Select(o => o[0].GetString() + " " + o[1].GetInt32()));
            var (p, x, t) = Make(c, m);
            Assert.True(p.SequenceEqual(D(rec.GetProperty("params"))), $"{c.Name}: the parameters differ from the recorded ones");
            JsonElement[] batches = rec.GetProperty("batches").EnumerateArray().ToArray();
            Assert.Equal(c.Batches, batches.Length);
            for (int b = 0; b < c.Batches; b++)
            {
                Assert.True(x[b].SequenceEqual(D(batches[b].GetProperty("input"))), $"{c.Name}: batch {b}'s input differs");
                Assert.True(t[b].SequenceEqual(D(batches[b].GetProperty("target"))), $"{c.Name}: batch {b}'s target differs");
            }
        }
        foreach (ScCase c in SparseCodingCases.All.Where(c => !c.Name.EndsWith("_f64", StringComparison.Ordinal)))
        {
            JsonElement single = cases.GetProperty(c.Name), twin = cases.GetProperty(c.Name + "_f64");
            foreach (string key in new[] { "layout", "terms", "ops", "params", "batches" })
                Assert.True(Same(single.GetProperty(key), twin.GetProperty(key)), $"{c.Name}: the float64 twin's {key} differ");
        }
    }

    private static JsonElement Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>The same JSON value: numbers as doubles (the two files are written by C# and Python), strings, arrays and objects alike.</summary>
    private static bool Same(JsonElement a, JsonElement b) => a.ValueKind == b.ValueKind && a.ValueKind switch
    {
        JsonValueKind.Number => a.GetDouble() == b.GetDouble(),
        JsonValueKind.String => a.GetString() == b.GetString(),
        JsonValueKind.Array => a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Same(p.First, p.Second)),
        JsonValueKind.Object => a.EnumerateObject().Select(p => p.Name).Order().SequenceEqual(b.EnumerateObject().Select(p => p.Name).Order())
                                && a.EnumerateObject().All(p => Same(p.Value, b.GetProperty(p.Name))),
        _ => true,
    };

    private static string Layout(ScModel m)
        => "[" + string.Join(", ", m.Layout.Select(l => $"{{\"name\": \"{l.Name}\", \"offset\": {l.Offset}, \"shape\": [{string.Join(", ", l.Shape)}]}}")) + "]";

    /// <summary>The inputs file: per case the model, its layout, terms and calls, the parameters and every batch.</summary>
    private static string WriteInputs()
    {
        var s = new StringBuilder();
        s.Append("{\n \"source\": \"Compiled's sparse-coding golden cases (Infrastructure/SparseCodingCases.cs), written by SparseCodingGoldenTests.Recorded_inputs_are_what_the_registry_makes_today with COMPILED_WRITE_GOLDEN_INPUTS=1; read by Golden/scripts/make_sparse_coding.py\",\n");
        s.Append(" \"batch\": ").Append(B).Append(",\n \"cases\": {\n");
        for (int k = 0; k < SparseCodingCases.All.Count; k++)
        {
            ScCase c = SparseCodingCases.All[k];
            ScModel m = c.Create(c.Seed);
            var (p, x, t) = Make(c, m);
            s.Append("  \"").Append(c.Name).Append("\": {\n");
            s.Append("   \"model\": \"").Append(m.Model).Append("\", \"precision\": \"").Append(m.IsDouble ? "float64" : "float32")
                .Append("\", \"seed\": ").Append(c.Seed).Append(", \"batch\": ").Append(B)
                .Append(", \"input_size\": ").Append(m.InputSize).Append(", \"output_size\": ").Append(m.OutputSize).Append(",\n");
            s.Append("   \"layout\": ").Append(Layout(m)).Append(",\n");
            s.Append("   \"terms\": [").Append(string.Join(", ", m.TermNames.Select(n => "\"" + n + "\""))).Append("],\n");
            s.Append("   \"activations\": [").Append(string.Join(", ", m.Activations.Select(a => "\"" + a.Layer + "\""))).Append("],\n");
            s.Append("   \"counters\": [").Append(string.Join(", ", m.Counters.Select(a => "\"" + a.Layer + "\""))).Append("],\n");
            s.Append("   \"ops\": [").Append(string.Join(", ", c.Ops.Select(o => $"[\"{o.Kind.ToString().ToLowerInvariant()}\", {o.Batch}]"))).Append("],\n");
            s.Append("   \"params\": ").Append(GoldenFiles.Numbers(p)).Append(",\n");
            s.Append("   \"batches\": [");
            s.Append(string.Join(",", Enumerable.Range(0, c.Batches).Select(b => "\n    {\"input\": " + GoldenFiles.Numbers(x[b]) + ", \"target\": " + GoldenFiles.Numbers(t[b]) + "}")));
            s.Append("\n   ]\n");
            s.Append(k + 1 < SparseCodingCases.All.Count ? "  },\n" : "  }\n");
        }
        s.Append(" }\n}\n");
        return s.ToString();
    }

    // ---- Step 3: every case against PyTorch --------------------------------------------------------------------------------

    private static readonly Lazy<JsonElement> Golden = new(() => GoldenFiles.Root(GoldenFiles.Copied(GoldenFile)));

    [Theory, MemberData(nameof(Cases))]
    public void Loss_terms_gradients_outputs_and_updates_match_PyTorch(string name)
    {
        ScCase c = SparseCodingCases.Get(name);
        JsonElement g = Golden.Value.GetProperty("cases").GetProperty(name);
        ScModel m = c.Create(c.Seed);
        Assert.Equal(m.Model, g.GetProperty("model").GetString());
        Assert.True(Same(Parse(Layout(m)), g.GetProperty("layout")), $"{name}: the layout differs from the golden file's");

        m.SetParameters(D(g.GetProperty("params")));
        JsonElement[] batches = g.GetProperty("batches").EnumerateArray().ToArray();
        JsonElement[] results = g.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(c.Ops.Length, results.Length);
        var worst = new GoldenTolerance(m.IsDouble);
        long steps = 0;
        for (int k = 0; k < c.Ops.Length; k++)
        {
            ScOp op = c.Ops[k];
            JsonElement r = results[k];
            Assert.Equal(op.ToString(), r.GetProperty("op").GetString() + " " + r.GetProperty("batch").GetInt32());
            string at = $"{name} call {k} ({op})";
            double[] x = D(batches[op.Batch].GetProperty("input")), t = D(batches[op.Batch].GetProperty("target"));
            JsonElement terms = r.GetProperty("terms");
            Assert.Equal(m.TermNames.Order(), terms.EnumerateObject().Select(p => p.Name).Order());
            switch (op.Kind)
            {
                case ScOpKind.Compute:
                {
                    double total = m.ComputeGradients(x, t, B);
                    CheckTerms(worst, at, m.TermNames, terms, r.GetProperty("total").GetDouble(), m.LastLoss(), "terms");
                    worst.Check("terms", at + " ComputeGradients' total", r.GetProperty("total").GetDouble(), total);
                    worst.Check("gradients", at + " gradient", D(r.GetProperty("grads")), m.Gradients());
                    CheckActivations(worst, at, r, m, "activations");
                    CheckCounters(at, r, m);
                    break;
                }
                case ScOpKind.Evaluate:
                {
                    double[] evaluated = m.Evaluate(x, t, B);
                    CheckTerms(worst, at + " Evaluate", m.TermNames, terms, r.GetProperty("total").GetDouble(), evaluated, "evaluate");
                    worst.Check("output", at + " Predict", D(r.GetProperty("output")), m.Predict(x, B));
                    CheckActivations(worst, at + " (inference)", r, m, "output");
                    break;
                }
                default:
                {
                    double total = m.TrainStep(x, t, B);
                    steps++;
                    CheckTerms(worst, at + " LastLoss", m.TermNames, terms, r.GetProperty("total").GetDouble(), m.LastLoss(), "terms");
                    worst.Check("terms", at + " TrainStep's total", r.GetProperty("total").GetDouble(), total);
                    worst.Check("parameters", at + " parameters after the step", D(r.GetProperty("params")), m.GetParameters());
                    CheckCounters(at, r, m);
                    Assert.Equal(steps, m.Step());
                    break;
                }
            }
        }
        output.WriteLine($"{name} ({(m.IsDouble ? "float64" : "float32")}): worst relative error " +
            string.Join(", ", worst.Seen.Select(kv => $"{kv.Key} {kv.Value:E2}")) + $"; overall {worst.Seen.Values.Max():E2}");
    }

    private static void CheckTerms(GoldenTolerance worst, string at, string[] names, JsonElement terms, double total, double[] actual, string group)
    {
        for (int i = 0; i < names.Length; i++) worst.Check(group, $"{at} {names[i]}", terms.GetProperty(names[i]).GetDouble(), actual[i]);
        worst.Check(group, at + " total", total, actual[^1]);
    }

    private static void CheckActivations(GoldenTolerance worst, string at, JsonElement r, ScModel m, string group)
    {
        JsonElement expected = r.GetProperty("activations");
        Assert.Equal(m.Activations.Select(a => a.Layer).Order(), expected.EnumerateObject().Select(p => p.Name).Order());
        foreach (var (layer, read) in m.Activations)
            worst.Check(group, $"{at} {layer} activations", D(expected.GetProperty(layer)), read());
    }

    /// <summary>AuxK's counters are whole numbers of samples: equal.</summary>
    private static void CheckCounters(string at, JsonElement r, ScModel m)
    {
        JsonElement expected = r.GetProperty("counters");
        Assert.Equal(m.Counters.Select(a => a.Layer).Order(), expected.EnumerateObject().Select(p => p.Name).Order());
        foreach (var (layer, read) in m.Counters)
            Assert.True(L(expected.GetProperty(layer)).SequenceEqual(read()), $"{at} {layer} samples since fired: got [{string.Join(", ", read())}], expected [{expected.GetProperty(layer)}]");
    }

    /// <summary>The golden file was made from the inputs file as it is now (regenerate both together).</summary>
    [Fact]
    public void The_golden_file_was_made_from_the_recorded_inputs()
    {
        JsonElement inputs = GoldenFiles.Root(GoldenFiles.Copied(InputsFile)).GetProperty("cases"), golden = Golden.Value.GetProperty("cases");
        Assert.Equal(inputs.EnumerateObject().Select(p => p.Name).Order(), golden.EnumerateObject().Select(p => p.Name).Order());
        foreach (JsonProperty c in inputs.EnumerateObject())
        {
            JsonElement g = golden.GetProperty(c.Name);
            foreach (string key in new[] { "model", "layout", "terms", "ops", "params", "batches" })
                Assert.True(Same(c.Value.GetProperty(key), g.GetProperty(key)), $"{c.Name}: {key} differ between {InputsFile} and {GoldenFile}");
        }
    }
}
