using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Compiled.Tests.Infrastructure;

/// <summary>One reference case from Golden/*.json (PyTorch, float64), flattened to the model's layouts.</summary>
public sealed class GoldenCase
{
    private readonly JsonElement _root;

    private GoldenCase(JsonElement root) => _root = root;

    public static GoldenCase Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", name + ".json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return new GoldenCase(doc.RootElement.Clone());
    }

    public int Batch => _root.GetProperty("architecture").GetProperty("batch").GetInt32();

    public IReadOnlyList<string> LayerNames => _root.GetProperty("architecture").GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("name").GetString()!).ToList();

    /// <summary>All parameters in state_dict order (per layer weight [out,in] row-major then bias).</summary>
    public float[] Parameters => StateDict(_root.GetProperty("params"));

    public float[] GradTotal => StateDict(_root.GetProperty("grad_total"));

    /// <summary>The parameters as stored (float64), for the float64 models.</summary>
    public double[] ParametersDouble => StateDictDouble(_root.GetProperty("params"));

    public double[] InputDouble => Flatten(_root.GetProperty("input")).ToArray();

    public double[] TargetDouble => Flatten(_root.GetProperty("target")).ToArray();

    public double[] GradTotalDouble => StateDictDouble(_root.GetProperty("grad_total"));

    public float[] Input => Flatten(_root.GetProperty("input")).Select(d => (float)d).ToArray();

    public float[] Target => Flatten(_root.GetProperty("target")).Select(d => (float)d).ToArray();

    public double[] Output => Flatten(_root.GetProperty("output")).ToArray();

    public double[] Post(string layer) => Flatten(Forward(layer).GetProperty("post")).ToArray();

    public double[] Pre(string layer) => Flatten(Forward(layer).GetProperty("pre")).ToArray();

    public double DataLoss => _root.GetProperty("data_loss").GetProperty("value").GetDouble();

    public double TotalLoss => _root.GetProperty("total_loss").GetDouble();

    public double Penalty(string name)
        => _root.GetProperty("penalties").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();

    public IEnumerable<string> PenaltyNames => _root.GetProperty("penalties").EnumerateArray().Select(p => p.GetProperty("name").GetString()!);

    public double FrameworkReportedLoss => _root.GetProperty("framework_reported_loss").GetDouble();

    public IEnumerable<(string Layer, int Sample, int Unit)> ExactZeroPreactivations
        => _root.GetProperty("exact_zero_preactivations").EnumerateArray()
            .Select(e => (e.GetProperty("layer").GetString()!, e.GetProperty("sample").GetInt32(), e.GetProperty("unit").GetInt32()));

    public JsonElement Root => _root;

    private JsonElement Forward(string layer)
        => _root.GetProperty("forward").EnumerateArray().Single(f => f.GetProperty("layer").GetString() == layer);

    private float[] StateDict(JsonElement dict) => StateDictDouble(dict).Select(d => (float)d).ToArray();

    private double[] StateDictDouble(JsonElement dict)
    {
        var values = new List<double>();
        foreach (string layer in LayerNames)
        {
            values.AddRange(Flatten(dict.GetProperty(layer + ".weight")));
            values.AddRange(Flatten(dict.GetProperty(layer + ".bias")));
        }
        return values.ToArray();
    }

    private static IEnumerable<double> Flatten(JsonElement e)
        => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().SelectMany(Flatten) : [e.GetDouble()];
}
