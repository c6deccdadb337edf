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
/// Noise, tied decoders, the contractive penalties and the orthogonal penalty against PyTorch float64, in two committed steps:
/// <list type="number">
/// <item>the models' own draws (dropout masks, Gaussian noise), with each case's parameters and data, recorded in
/// Golden/layer_kinds_inputs.json — written by <see cref="Recorded_draws_are_the_draws_the_models_make_today"/> when
/// COMPILED_WRITE_GOLDEN_INPUTS=1, and otherwise checked against what the models draw now;</item>
/// <item>Golden/scripts/make_layer_kinds.py builds each network in PyTorch with those draws as tensors and writes
/// Golden/torch_layer_kinds.json: the training loss terms, the gradient of the total by autograd, the training pass's
/// hidden activations, and the clean (noise-free) output and loss terms.</item>
/// </list>
/// Every case runs through the public API: ComputeGradients, LastLoss, Gradients, the …Activations and draw views,
/// Predict and Evaluate. float32 models at 1e-5 relative (1e-6 absolute floor), float64 twins at 1e-10 (1e-13).
/// </summary>
public class LayerKindGoldenTests(ITestOutputHelper output)
{
    private const int B = LayerKindCases.Batch;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (LkCase c in LayerKindCases.All) data.Add(c.Name);
        return data;
    }

    // ---- Step 1: the inputs of the PyTorch script, and the draws as a test of their own ------------------------------------

    private const string InputsFile = "layer_kinds_inputs.json", GoldenFile = "torch_layer_kinds.json";

    private static string SourceFolder([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "..", "Golden");

    private static double[] D(JsonElement e) => GoldenFiles.Doubles(e);

    /// <summary>
    /// With COMPILED_WRITE_GOLDEN_INPUTS=1, writes Golden/layer_kinds_inputs.json from the models (then checks it as below).
    /// Otherwise: each case's model, given the recorded parameters and data, draws today exactly what was recorded —
    /// the dropout keep patterns and multipliers bit for bit, the Gaussian draws to the last bit or two of the platform's
    /// log/cos (Box–Muller in double). The same again on a second ComputeGradients (it does not advance Step), and the
    /// float64 twin draws the float32 model's noise: its keep pattern, and its values to float rounding (relative to
    /// max(|value|, 1): a Gaussian-dropout factor 1 + σn near 0 keeps the absolute error of σ = √(p/(1 − p)) from a float p).
    /// </summary>
    [Fact]
    public void Recorded_draws_are_the_draws_the_models_make_today()
    {
        string path = GoldenFiles.Copied(InputsFile);
        if (Environment.GetEnvironmentVariable("COMPILED_WRITE_GOLDEN_INPUTS") == "1")
        {
            path = Path.GetFullPath(Path.Combine(SourceFolder(), InputsFile));
            File.WriteAllText(path, WriteInputs());
            output.WriteLine("wrote " + path);
        }
        JsonElement cases = GoldenFiles.Root(path).GetProperty("cases");
        Assert.Equal(LayerKindCases.All.Select(c => c.Name).Order(), cases.EnumerateObject().Select(p => p.Name).Order());

        var failures = new List<string>();
        var drawn = new Dictionary<string, Dictionary<string, double[]>>();
        foreach (LkCase c in LayerKindCases.All)
        {
            JsonElement rec = cases.GetProperty(c.Name);
            LkModel m = c.Create(c.Seed);
            Assert.Equal(m.Model, rec.GetProperty("model").GetString());
            Assert.Equal(c.Seed, rec.GetProperty("seed").GetInt32());
            m.SetParameters(D(rec.GetProperty("params")));
            double[] x = D(rec.GetProperty("input")), t = D(rec.GetProperty("target"));
            m.ComputeGradients(x, t, B);
            Assert.Equal(0L, m.Step());
            var first = m.Draws.ToDictionary(d => d.Name, d => d.Read());
            Assert.Equal(m.Draws.Select(d => d.Name).Order(), rec.GetProperty("draws").EnumerateObject().Select(p => p.Name).Order());
            foreach (var (name, values) in first)
                failures.AddRange(CompareDraws(c.Name + " " + name, D(rec.GetProperty("draws").GetProperty(name)), values, m.IsDouble));
            m.ComputeGradients(x, t, B);
            foreach (var (name, read) in m.Draws)
                if (!read().SequenceEqual(first[name])) failures.Add($"{c.Name} {name}: a second ComputeGradients drew differently");
            drawn[c.Name] = first;
        }

        // The float64 twins: same parameters and data, and the same noise (the generator works in double for both).
        foreach (LkCase c in LayerKindCases.All.Where(c => !c.Name.EndsWith("_f64", StringComparison.Ordinal)))
        {
            JsonElement single = cases.GetProperty(c.Name), twin = cases.GetProperty(c.Name + "_f64");
            foreach (string key in new[] { "params", "input", "target" })
                Assert.True(D(single.GetProperty(key)).SequenceEqual(D(twin.GetProperty(key))), $"{c.Name}: the float64 twin's {key} differ");
            foreach (var (name, values) in drawn[c.Name])
            {
                double[] wide = drawn[c.Name + "_f64"][name];
                for (int i = 0; i < values.Length; i++)
                {
                    if ((values[i] == 0) != (wide[i] == 0)) failures.Add($"{c.Name} {name}[{i}]: float32 {values[i]:R}, float64 {wide[i]:R} (keep pattern)");
                    else if (Math.Abs(values[i] - wide[i]) > 2.4e-7 * Math.Max(Math.Abs(wide[i]), 1)) failures.Add($"{c.Name} {name}[{i}]: float32 {values[i]:R}, float64 {wide[i]:R}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
    }

    /// <summary>
    /// Dropout kinds (values 0 or a fixed multiplier): bit for bit. Gaussian draws (values with a continuous part): the
    /// keep pattern exactly and the value within 4 units in the last place of the model's precision, since Box–Muller's
    /// log and cos come from the platform's libm.
    /// </summary>
    private static IEnumerable<string> CompareDraws(string what, double[] recorded, double[] actual, bool isDouble)
    {
        if (recorded.Length != actual.Length)
        {
            yield return $"{what}: {actual.Length} values, {recorded.Length} recorded";
            yield break;
        }
        double ulp = isDouble ? 1.1e-16 : 6e-8;
        for (int i = 0; i < recorded.Length; i++)
        {
            if ((recorded[i] == 0) != (actual[i] == 0) || Math.Abs(recorded[i] - actual[i]) > 4 * ulp * Math.Abs(recorded[i]))
                yield return $"{what}[{i}]: drew {actual[i]:R}, recorded {recorded[i]:R}";
        }
    }

    /// <summary>The inputs file: per case the model, parameters (the seed's initial ones doubled, then the case's change), data and draws.</summary>
    private static string WriteInputs()
    {
        var s = new StringBuilder();
        s.Append("{\n \"source\": \"Compiled models' own draws at step 0, written by LayerKindGoldenTests.Recorded_draws_are_the_draws_the_models_make_today with COMPILED_WRITE_GOLDEN_INPUTS=1; read by Golden/scripts/make_layer_kinds.py\",\n");
        s.Append(" \"batch\": ").Append(B).Append(",\n \"cases\": {\n");
        for (int k = 0; k < LayerKindCases.All.Count; k++)
        {
            LkCase c = LayerKindCases.All[k];
            LkModel m = c.Create(c.Seed);
            double[] p = m.GetParameters();
            for (int i = 0; i < p.Length; i++) p[i] *= 2; // wider than nn.Linear's init: the activations' curved regions
            c.Adjust?.Invoke(p);
            m.SetParameters(p);
            var r = new Random(c.Seed * 7919 + 1);
            double[] x = new double[B * m.InputSize], t = new double[B * m.OutputSize];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(c.Data == LkData.Autoencoder ? r.NextDouble() : r.NextDouble() * 3 - 1.5);
            for (int i = 0; i < t.Length; i++)
                t[i] = c.Data switch { LkData.Autoencoder => x[i], LkData.UnitTargets => (float)(0.05 + 0.9 * r.NextDouble()), _ => (float)(r.NextDouble() * 2 - 1) };
            m.ComputeGradients(x, t, B);

            s.Append("  \"").Append(c.Name).Append("\": {\n");
            s.Append("   \"model\": \"").Append(m.Model).Append("\", \"precision\": \"").Append(m.IsDouble ? "float64" : "float32")
                .Append("\", \"seed\": ").Append(c.Seed).Append(", \"step\": 0, \"batch\": ").Append(B)
                .Append(", \"input_size\": ").Append(m.InputSize).Append(", \"output_size\": ").Append(m.OutputSize).Append(",\n");
            s.Append("   \"layout\": [").Append(string.Join(", ", m.Layout.Select(l => $"{{\"name\": \"{l.Name}\", \"offset\": {l.Offset}, \"shape\": [{string.Join(", ", l.Shape)}]}}"))).Append("],\n");
            s.Append("   \"terms\": [").Append(string.Join(", ", m.TermNames.Select(n => "\"" + n + "\""))).Append("],\n");
            s.Append("   \"activations\": [").Append(string.Join(", ", m.Activations.Select(a => "\"" + a.Layer + "\""))).Append("],\n");
            s.Append("   \"params\": ").Append(GoldenFiles.Numbers(p)).Append(",\n");
            s.Append("   \"input\": ").Append(GoldenFiles.Numbers(x)).Append(",\n");
            s.Append("   \"target\": ").Append(GoldenFiles.Numbers(t)).Append(",\n");
            s.Append("   \"draws\": {");
            s.Append(string.Join(",", m.Draws.Select(d => "\n    \"" + d.Name + "\": " + GoldenFiles.Numbers(d.Read()))));
            s.Append(m.Draws.Count > 0 ? "\n   }\n" : "}\n");
            s.Append(k + 1 < LayerKindCases.All.Count ? "  },\n" : "  }\n");
        }
        s.Append(" }\n}\n");
        return s.ToString();
    }

    // ---- Step 3: every case against PyTorch --------------------------------------------------------------------------------

    private static readonly Lazy<JsonElement> Golden = new(() => GoldenFiles.Root(GoldenFiles.Copied(GoldenFile)));

    [Theory, MemberData(nameof(Cases))]
    public void Loss_terms_gradients_and_outputs_match_PyTorch(string name)
    {
        LkCase c = LayerKindCases.Get(name);
        JsonElement g = Golden.Value.GetProperty("cases").GetProperty(name);
        LkModel m = c.Create(c.Seed);
        Assert.Equal(m.Model, g.GetProperty("model").GetString());

        // The same parameter block: names, offsets and shapes in state_dict order (a tied layer has its bias only).
        var layout = g.GetProperty("layout").EnumerateArray().ToArray();
        Assert.Equal(layout.Length, m.Layout.Count);
        for (int i = 0; i < layout.Length; i++)
        {
            Assert.Equal(layout[i].GetProperty("name").GetString(), m.Layout[i].Name);
            Assert.Equal(layout[i].GetProperty("offset").GetInt32(), m.Layout[i].Offset);
            Assert.Equal(layout[i].GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()), m.Layout[i].Shape);
        }

        m.SetParameters(D(g.GetProperty("params")));
        double[] x = D(g.GetProperty("input")), t = D(g.GetProperty("target"));
        double total = m.ComputeGradients(x, t, B);

        // PyTorch ran with these draws: they must be today's.
        foreach (var (draw, read) in m.Draws)
        {
            string[] differences = CompareDraws(name + " " + draw, D(g.GetProperty("draws").GetProperty(draw)), read(), m.IsDouble).ToArray();
            Assert.True(differences.Length == 0, string.Join("\n", differences));
        }

        var worst = new GoldenTolerance(m.IsDouble);
        JsonElement terms = g.GetProperty("terms"), clean = g.GetProperty("eval_terms");
        Assert.Equal(m.TermNames.Order(), terms.EnumerateObject().Select(p => p.Name).Order());
        double[] last = m.LastLoss();
        for (int i = 0; i < m.TermNames.Length; i++)
            worst.Check(i == 0 ? "data" : "terms", $"{name} {m.TermNames[i]}", terms.GetProperty(m.TermNames[i]).GetDouble(), last[i]);
        worst.Check("terms", name + " LastLoss.Total", g.GetProperty("total").GetDouble(), last[^1]);
        worst.Check("terms", name + " ComputeGradients' total", g.GetProperty("total").GetDouble(), total);
        worst.Check("gradients", name + " gradient", D(g.GetProperty("grads")), m.Gradients());
        foreach (var (layer, read) in m.Activations)
            worst.Check("activations", $"{name} {layer} activations (training pass)", D(g.GetProperty("train_activations").GetProperty(layer)), read());

        // Inference is clean: Predict and Evaluate against PyTorch without the noise.
        worst.Check("output", name + " Predict", D(g.GetProperty("output")), m.Predict(x, B));
        double[] evaluated = m.Evaluate(x, t, B);
        for (int i = 0; i < m.TermNames.Length; i++)
            worst.Check("evaluate", $"{name} Evaluate {m.TermNames[i]}", clean.GetProperty(m.TermNames[i]).GetDouble(), evaluated[i]);
        worst.Check("evaluate", name + " Evaluate total", g.GetProperty("eval_total").GetDouble(), evaluated[^1]);

        output.WriteLine($"{name} ({(m.IsDouble ? "float64" : "float32")}): worst relative error " +
            string.Join(", ", worst.Seen.Select(kv => $"{kv.Key} {kv.Value:E2}")) + $"; overall {worst.Seen.Values.Max():E2}");
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
            foreach (string key in new[] { "params", "input", "target" })
                Assert.True(D(c.Value.GetProperty(key)).SequenceEqual(D(g.GetProperty(key))), $"{c.Name}: {key} differ between {InputsFile} and {GoldenFile}");
            foreach (JsonProperty d in c.Value.GetProperty("draws").EnumerateObject())
                Assert.True(D(d.Value).SequenceEqual(D(g.GetProperty("draws").GetProperty(d.Name))), $"{c.Name}: draw {d.Name} differs between {InputsFile} and {GoldenFile}");
        }
    }
}
