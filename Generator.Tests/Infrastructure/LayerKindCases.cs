using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Tests.Models;

namespace Compiled.Tests.Infrastructure;

/// <summary>How a case's inputs and targets are drawn (when Golden/layer_kinds_inputs.json is written).</summary>
public enum LkData
{
    /// <summary>Inputs in [−1.5, 1.5], targets in [−1, 1].</summary>
    Signed,

    /// <summary>Inputs in [−1.5, 1.5], targets in (0, 1) (sigmoid outputs).</summary>
    UnitTargets,

    /// <summary>Inputs in (0, 1), the target is the input itself (an autoencoder, denoising when there is input noise).</summary>
    Autoencoder,
}

/// <summary>
/// One model of a layer-kind golden case behind one shape, whatever its class and precision: values cross as double
/// (exact for a float32 model's values, whose inputs and parameters are float32 numbers anyway).
/// </summary>
public sealed class LkModel
{
    public required string Model { get; init; }
    public required bool IsDouble { get; init; }
    public required int InputSize { get; init; }
    public required int OutputSize { get; init; }
    public required IReadOnlyList<TensorLayout> Layout { get; init; }
    public required string[] TermNames { get; init; }
    public required Func<double[]> GetParameters { get; init; }
    public required Action<double[]> SetParameters { get; init; }
    /// <summary>ComputeGradients(x, t, batch): the returned total.</summary>
    public required Func<double[], double[], int, double> ComputeGradients { get; init; }
    public required Func<double[]> Gradients { get; init; }
    /// <summary>LastLoss: every term in NameOf order (data first), then Total.</summary>
    public required Func<double[]> LastLoss { get; init; }
    /// <summary>Evaluate(x, t, batch): every term, then Total.</summary>
    public required Func<double[], double[], int, double[]> Evaluate { get; init; }
    public required Func<double[], int, double[]> Predict { get; init; }
    public required Func<long> Step { get; init; }
    /// <summary>The views of the last training draw (…DropoutMask, …Noise), by property name.</summary>
    public required IReadOnlyList<(string Name, Func<double[]> Read)> Draws { get; init; }
    /// <summary>The …Activations views, by layer name.</summary>
    public required IReadOnlyList<(string Layer, Func<double[]> Read)> Activations { get; init; }
}

/// <summary>A case: its name, the model's seed, how its data is drawn, and an optional change to the parameters (after the initial ones are doubled).</summary>
public sealed record LkCase(string Name, int Seed, LkData Data, Func<int, LkModel> Create, Action<double[]>? Adjust = null)
{
    public override string ToString() => Name;
}

public delegate T ComputeFn<T>(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch);
public delegate void PredictFn<T>(ReadOnlySpan<T> inputs, Span<T> outputs, int batch);
public delegate Span<T> SpanFn<T>();
public delegate ReadOnlySpan<T> ViewFn<T>();
public delegate double[] EvaluateFn<T>(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch);

/// <summary>
/// The layer-kind golden cases (Golden/layer_kinds_inputs.json → scripts/make_layer_kinds.py → Golden/torch_layer_kinds.json).
/// Each float32 case <c>lk_x</c> has a float64 twin <c>lk_x_f64</c> with the same parameters and data and its own draws.
/// </summary>
public static class LayerKindCases
{
    /// <summary>Rows per batch in every case.</summary>
    public const int Batch = 4;

    public static readonly IReadOnlyList<LkCase> All = Build();

    public static LkCase Get(string name) => All.Single(c => c.Name == name);

    private static List<LkCase> Build()
    {
        var cases = new List<LkCase>();
        void Twin(string name, int seed, LkData data, Func<int, LkModel> single, Func<int, LkModel> twin, Action<double[]>? adjust = null)
        {
            cases.Add(new LkCase(name, seed, data, single, adjust));
            cases.Add(new LkCase(name + "_f64", seed, data, twin, adjust));
        }

        // ---- Noise ----
        Twin("lk_input_dropout", 11, LkData.Signed,
            s => { var m = new LkInputDropout(Batch, s); return F(nameof(LkInputDropout), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkInputDropout.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkInputDropout.LossBreakdown.Count, i => l[i], l.Total); }, LkInputDropout.LossBreakdown.NameOf, LkInputDropout.LossBreakdown.Count, LkInputDropout.ParameterLayout, LkInputDropout.InputSize, LkInputDropout.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputDropoutMask)], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkInputDropout64(Batch, s); return D(nameof(LkInputDropout64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkInputDropout64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkInputDropout64.LossBreakdown.Count, i => l[i], l.Total); }, LkInputDropout64.LossBreakdown.NameOf, LkInputDropout64.LossBreakdown.Count, LkInputDropout64.ParameterLayout, LkInputDropout64.InputSize, LkInputDropout64.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputDropoutMask)], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_hidden_dropout", 12, LkData.UnitTargets,
            s => { var m = new LkHiddenDropout(Batch, s); return F(nameof(LkHiddenDropout), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkHiddenDropout.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkHiddenDropout.LossBreakdown.Count, i => l[i], l.Total); }, LkHiddenDropout.LossBreakdown.NameOf, LkHiddenDropout.LossBreakdown.Count, LkHiddenDropout.ParameterLayout, LkHiddenDropout.InputSize, LkHiddenDropout.OutputSize, () => m.Step, [("Hid1DropoutMask", () => m.Hid1DropoutMask)], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkHiddenDropout64(Batch, s); return D(nameof(LkHiddenDropout64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkHiddenDropout64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkHiddenDropout64.LossBreakdown.Count, i => l[i], l.Total); }, LkHiddenDropout64.LossBreakdown.NameOf, LkHiddenDropout64.LossBreakdown.Count, LkHiddenDropout64.ParameterLayout, LkHiddenDropout64.InputSize, LkHiddenDropout64.OutputSize, () => m.Step, [("Hid1DropoutMask", () => m.Hid1DropoutMask)], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_theanets_dropout", 13, LkData.Signed,
            s => { var m = new LkTheanetsDropout(Batch, s); return F(nameof(LkTheanetsDropout), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTheanetsDropout.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTheanetsDropout.LossBreakdown.Count, i => l[i], l.Total); }, LkTheanetsDropout.LossBreakdown.NameOf, LkTheanetsDropout.LossBreakdown.Count, LkTheanetsDropout.ParameterLayout, LkTheanetsDropout.InputSize, LkTheanetsDropout.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputDropoutMask), ("Hid2DropoutMask", () => m.Hid2DropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkTheanetsDropout64(Batch, s); return D(nameof(LkTheanetsDropout64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTheanetsDropout64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTheanetsDropout64.LossBreakdown.Count, i => l[i], l.Total); }, LkTheanetsDropout64.LossBreakdown.NameOf, LkTheanetsDropout64.LossBreakdown.Count, LkTheanetsDropout64.ParameterLayout, LkTheanetsDropout64.InputSize, LkTheanetsDropout64.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputDropoutMask), ("Hid2DropoutMask", () => m.Hid2DropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        Twin("lk_denoising", 14, LkData.Autoencoder,
            s => { var m = new LkDenoising(Batch, s); return F(nameof(LkDenoising), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkDenoising.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkDenoising.LossBreakdown.Count, i => l[i], l.Total); }, LkDenoising.LossBreakdown.NameOf, LkDenoising.LossBreakdown.Count, LkDenoising.ParameterLayout, LkDenoising.InputSize, LkDenoising.OutputSize, () => m.Step, [("InputNoise", () => m.InputNoise)], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkDenoising64(Batch, s); return D(nameof(LkDenoising64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkDenoising64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkDenoising64.LossBreakdown.Count, i => l[i], l.Total); }, LkDenoising64.LossBreakdown.NameOf, LkDenoising64.LossBreakdown.Count, LkDenoising64.ParameterLayout, LkDenoising64.InputSize, LkDenoising64.OutputSize, () => m.Step, [("InputNoise", () => m.InputNoise)], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_hidden_noise", 15, LkData.Signed,
            s => { var m = new LkHiddenNoise(Batch, s); return F(nameof(LkHiddenNoise), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkHiddenNoise.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkHiddenNoise.LossBreakdown.Count, i => l[i], l.Total); }, LkHiddenNoise.LossBreakdown.NameOf, LkHiddenNoise.LossBreakdown.Count, LkHiddenNoise.ParameterLayout, LkHiddenNoise.InputSize, LkHiddenNoise.OutputSize, () => m.Step, [("InputNoise", () => m.InputNoise), ("Hid1Noise", () => m.Hid1Noise), ("Hid2Noise", () => m.Hid2Noise)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkHiddenNoise64(Batch, s); return D(nameof(LkHiddenNoise64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkHiddenNoise64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkHiddenNoise64.LossBreakdown.Count, i => l[i], l.Total); }, LkHiddenNoise64.LossBreakdown.NameOf, LkHiddenNoise64.LossBreakdown.Count, LkHiddenNoise64.ParameterLayout, LkHiddenNoise64.InputSize, LkHiddenNoise64.OutputSize, () => m.Step, [("InputNoise", () => m.InputNoise), ("Hid1Noise", () => m.Hid1Noise), ("Hid2Noise", () => m.Hid2Noise)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        Twin("lk_gaussian_dropout", 16, LkData.Signed,
            s => { var m = new LkGaussianDropout(Batch, s); return F(nameof(LkGaussianDropout), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkGaussianDropout.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkGaussianDropout.LossBreakdown.Count, i => l[i], l.Total); }, LkGaussianDropout.LossBreakdown.NameOf, LkGaussianDropout.LossBreakdown.Count, LkGaussianDropout.ParameterLayout, LkGaussianDropout.InputSize, LkGaussianDropout.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputGaussianDropoutMask), ("Hid1DropoutMask", () => m.Hid1GaussianDropoutMask)], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkGaussianDropout64(Batch, s); return D(nameof(LkGaussianDropout64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkGaussianDropout64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkGaussianDropout64.LossBreakdown.Count, i => l[i], l.Total); }, LkGaussianDropout64.LossBreakdown.NameOf, LkGaussianDropout64.LossBreakdown.Count, LkGaussianDropout64.ParameterLayout, LkGaussianDropout64.InputSize, LkGaussianDropout64.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputGaussianDropoutMask), ("Hid1DropoutMask", () => m.Hid1GaussianDropoutMask)], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_alpha_dropout", 17, LkData.Signed,
            s => { var m = new LkAlphaDropout(Batch, s); return F(nameof(LkAlphaDropout), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkAlphaDropout.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkAlphaDropout.LossBreakdown.Count, i => l[i], l.Total); }, LkAlphaDropout.LossBreakdown.NameOf, LkAlphaDropout.LossBreakdown.Count, LkAlphaDropout.ParameterLayout, LkAlphaDropout.InputSize, LkAlphaDropout.OutputSize, () => m.Step, [("Hid1DropoutMask", () => m.Hid1AlphaDropoutMask), ("Hid2DropoutMask", () => m.Hid2AlphaDropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkAlphaDropout64(Batch, s); return D(nameof(LkAlphaDropout64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkAlphaDropout64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkAlphaDropout64.LossBreakdown.Count, i => l[i], l.Total); }, LkAlphaDropout64.LossBreakdown.NameOf, LkAlphaDropout64.LossBreakdown.Count, LkAlphaDropout64.ParameterLayout, LkAlphaDropout64.InputSize, LkAlphaDropout64.OutputSize, () => m.Step, [("Hid1DropoutMask", () => m.Hid1AlphaDropoutMask), ("Hid2DropoutMask", () => m.Hid2AlphaDropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        // ---- Tied decoders ----
        Twin("lk_tied", 18, LkData.UnitTargets,
            s => { var m = new LkTied(Batch, s); return F(nameof(LkTied), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTied.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTied.LossBreakdown.Count, i => l[i], l.Total); }, LkTied.LossBreakdown.NameOf, LkTied.LossBreakdown.Count, LkTied.ParameterLayout, LkTied.InputSize, LkTied.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkTied64(Batch, s); return D(nameof(LkTied64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTied64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTied64.LossBreakdown.Count, i => l[i], l.Total); }, LkTied64.LossBreakdown.NameOf, LkTied64.LossBreakdown.Count, LkTied64.ParameterLayout, LkTied64.InputSize, LkTied64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_tied_stack", 19, LkData.Signed,
            s => { var m = new LkTiedStack(Batch, s); return F(nameof(LkTiedStack), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTiedStack.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTiedStack.LossBreakdown.Count, i => l[i], l.Total); }, LkTiedStack.LossBreakdown.NameOf, LkTiedStack.LossBreakdown.Count, LkTiedStack.ParameterLayout, LkTiedStack.InputSize, LkTiedStack.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations), ("hid3", () => m.Hid3Activations)]); },
            s => { var m = new LkTiedStack64(Batch, s); return D(nameof(LkTiedStack64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTiedStack64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTiedStack64.LossBreakdown.Count, i => l[i], l.Total); }, LkTiedStack64.LossBreakdown.NameOf, LkTiedStack64.LossBreakdown.Count, LkTiedStack64.ParameterLayout, LkTiedStack64.InputSize, LkTiedStack64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations), ("hid3", () => m.Hid3Activations)]); });

        Twin("lk_tied_named", 20, LkData.Signed,
            s => { var m = new LkTiedNamed(Batch, s); return F(nameof(LkTiedNamed), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTiedNamed.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTiedNamed.LossBreakdown.Count, i => l[i], l.Total); }, LkTiedNamed.LossBreakdown.NameOf, LkTiedNamed.LossBreakdown.Count, LkTiedNamed.ParameterLayout, LkTiedNamed.InputSize, LkTiedNamed.OutputSize, () => m.Step, [], [("enc", () => m.EncActivations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkTiedNamed64(Batch, s); return D(nameof(LkTiedNamed64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkTiedNamed64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkTiedNamed64.LossBreakdown.Count, i => l[i], l.Total); }, LkTiedNamed64.LossBreakdown.NameOf, LkTiedNamed64.LossBreakdown.Count, LkTiedNamed64.ParameterLayout, LkTiedNamed64.InputSize, LkTiedNamed64.OutputSize, () => m.Step, [], [("enc", () => m.EncActivations), ("hid2", () => m.Hid2Activations)]); });

        Twin("lk_small_denoising", 21, LkData.Autoencoder,
            s => { var m = new SmallDenoising(Batch, s); return F(nameof(SmallDenoising), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(SmallDenoising.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(SmallDenoising.LossBreakdown.Count, i => l[i], l.Total); }, SmallDenoising.LossBreakdown.NameOf, SmallDenoising.LossBreakdown.Count, SmallDenoising.ParameterLayout, SmallDenoising.InputSize, SmallDenoising.OutputSize, () => m.Step, [("InputNoise", () => m.InputNoise)], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new SmallDenoising64(Batch, s); return D(nameof(SmallDenoising64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(SmallDenoising64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(SmallDenoising64.LossBreakdown.Count, i => l[i], l.Total); }, SmallDenoising64.LossBreakdown.NameOf, SmallDenoising64.LossBreakdown.Count, SmallDenoising64.ParameterLayout, SmallDenoising64.InputSize, SmallDenoising64.OutputSize, () => m.Step, [("InputNoise", () => m.InputNoise)], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_noise_and_tied_stack", 22, LkData.Signed,
            s => { var m = new NoiseAndTiedStack(Batch, s); return F(nameof(NoiseAndTiedStack), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(NoiseAndTiedStack.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(NoiseAndTiedStack.LossBreakdown.Count, i => l[i], l.Total); }, NoiseAndTiedStack.LossBreakdown.NameOf, NoiseAndTiedStack.LossBreakdown.Count, NoiseAndTiedStack.ParameterLayout, NoiseAndTiedStack.InputSize, NoiseAndTiedStack.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputDropoutMask), ("Hid1DropoutMask", () => m.Hid1AlphaDropoutMask), ("Hid2DropoutMask", () => m.Hid2GaussianDropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations), ("hid3", () => m.Hid3Activations)]); },
            s => { var m = new NoiseAndTiedStack64(Batch, s); return D(nameof(NoiseAndTiedStack64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(NoiseAndTiedStack64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(NoiseAndTiedStack64.LossBreakdown.Count, i => l[i], l.Total); }, NoiseAndTiedStack64.LossBreakdown.NameOf, NoiseAndTiedStack64.LossBreakdown.Count, NoiseAndTiedStack64.ParameterLayout, NoiseAndTiedStack64.InputSize, NoiseAndTiedStack64.OutputSize, () => m.Step, [("InputDropoutMask", () => m.InputDropoutMask), ("Hid1DropoutMask", () => m.Hid1AlphaDropoutMask), ("Hid2DropoutMask", () => m.Hid2GaussianDropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations), ("hid3", () => m.Hid3Activations)]); });

        // ---- Contractive ----
        Twin("lk_contractive_tanh", 23, LkData.Signed,
            s => { var m = new LkContractiveTanh(Batch, s); return F(nameof(LkContractiveTanh), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveTanh.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveTanh.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveTanh.LossBreakdown.NameOf, LkContractiveTanh.LossBreakdown.Count, LkContractiveTanh.ParameterLayout, LkContractiveTanh.InputSize, LkContractiveTanh.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkContractiveTanh64(Batch, s); return D(nameof(LkContractiveTanh64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveTanh64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveTanh64.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveTanh64.LossBreakdown.NameOf, LkContractiveTanh64.LossBreakdown.Count, LkContractiveTanh64.ParameterLayout, LkContractiveTanh64.InputSize, LkContractiveTanh64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_contractive_sigmoid", 24, LkData.Signed,
            s => { var m = new LkContractiveSigmoid(Batch, s); return F(nameof(LkContractiveSigmoid), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveSigmoid.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveSigmoid.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveSigmoid.LossBreakdown.NameOf, LkContractiveSigmoid.LossBreakdown.Count, LkContractiveSigmoid.ParameterLayout, LkContractiveSigmoid.InputSize, LkContractiveSigmoid.OutputSize, () => m.Step, [("Hid1DropoutMask", () => m.Hid1DropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkContractiveSigmoid64(Batch, s); return D(nameof(LkContractiveSigmoid64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveSigmoid64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveSigmoid64.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveSigmoid64.LossBreakdown.NameOf, LkContractiveSigmoid64.LossBreakdown.Count, LkContractiveSigmoid64.ParameterLayout, LkContractiveSigmoid64.InputSize, LkContractiveSigmoid64.OutputSize, () => m.Step, [("Hid1DropoutMask", () => m.Hid1DropoutMask)], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        Twin("lk_contractive_softplus_elu", 25, LkData.Signed,
            s => { var m = new LkContractiveSoftplusElu(Batch, s); return F(nameof(LkContractiveSoftplusElu), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveSoftplusElu.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveSoftplusElu.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveSoftplusElu.LossBreakdown.NameOf, LkContractiveSoftplusElu.LossBreakdown.Count, LkContractiveSoftplusElu.ParameterLayout, LkContractiveSoftplusElu.InputSize, LkContractiveSoftplusElu.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkContractiveSoftplusElu64(Batch, s); return D(nameof(LkContractiveSoftplusElu64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveSoftplusElu64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveSoftplusElu64.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveSoftplusElu64.LossBreakdown.NameOf, LkContractiveSoftplusElu64.LossBreakdown.Count, LkContractiveSoftplusElu64.ParameterLayout, LkContractiveSoftplusElu64.InputSize, LkContractiveSoftplusElu64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        Twin("lk_contractive_selu_relu", 26, LkData.Signed,
            s => { var m = new LkContractiveSeluRelu(Batch, s); return F(nameof(LkContractiveSeluRelu), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveSeluRelu.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveSeluRelu.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveSeluRelu.LossBreakdown.NameOf, LkContractiveSeluRelu.LossBreakdown.Count, LkContractiveSeluRelu.ParameterLayout, LkContractiveSeluRelu.InputSize, LkContractiveSeluRelu.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkContractiveSeluRelu64(Batch, s); return D(nameof(LkContractiveSeluRelu64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveSeluRelu64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveSeluRelu64.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveSeluRelu64.LossBreakdown.NameOf, LkContractiveSeluRelu64.LossBreakdown.Count, LkContractiveSeluRelu64.ParameterLayout, LkContractiveSeluRelu64.InputSize, LkContractiveSeluRelu64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        Twin("lk_contractive_theanets", 27, LkData.Signed,
            s => { var m = new LkContractiveTheanets(Batch, s); return F(nameof(LkContractiveTheanets), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveTheanets.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveTheanets.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveTheanets.LossBreakdown.NameOf, LkContractiveTheanets.LossBreakdown.Count, LkContractiveTheanets.ParameterLayout, LkContractiveTheanets.InputSize, LkContractiveTheanets.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkContractiveTheanets64(Batch, s); return D(nameof(LkContractiveTheanets64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveTheanets64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveTheanets64.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveTheanets64.LossBreakdown.NameOf, LkContractiveTheanets64.LossBreakdown.Count, LkContractiveTheanets64.ParameterLayout, LkContractiveTheanets64.InputSize, LkContractiveTheanets64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); });

        Twin("lk_contractive_both", 28, LkData.Signed,
            s => { var m = new LkContractiveBoth(Batch, s); return F(nameof(LkContractiveBoth), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveBoth.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveBoth.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveBoth.LossBreakdown.NameOf, LkContractiveBoth.LossBreakdown.Count, LkContractiveBoth.ParameterLayout, LkContractiveBoth.InputSize, LkContractiveBoth.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); },
            s => { var m = new LkContractiveBoth64(Batch, s); return D(nameof(LkContractiveBoth64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkContractiveBoth64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkContractiveBoth64.LossBreakdown.Count, i => l[i], l.Total); }, LkContractiveBoth64.LossBreakdown.NameOf, LkContractiveBoth64.LossBreakdown.Count, LkContractiveBoth64.ParameterLayout, LkContractiveBoth64.InputSize, LkContractiveBoth64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)]); });

        // ---- Orthogonal ----
        Twin("lk_orthogonal_per_unit", 29, LkData.Signed,
            s => { var m = new LkOrthogonalPerUnit(Batch, s); return F(nameof(LkOrthogonalPerUnit), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkOrthogonalPerUnit.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkOrthogonalPerUnit.LossBreakdown.Count, i => l[i], l.Total); }, LkOrthogonalPerUnit.LossBreakdown.NameOf, LkOrthogonalPerUnit.LossBreakdown.Count, LkOrthogonalPerUnit.ParameterLayout, LkOrthogonalPerUnit.InputSize, LkOrthogonalPerUnit.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkOrthogonalPerUnit64(Batch, s); return D(nameof(LkOrthogonalPerUnit64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkOrthogonalPerUnit64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkOrthogonalPerUnit64.LossBreakdown.Count, i => l[i], l.Total); }, LkOrthogonalPerUnit64.LossBreakdown.NameOf, LkOrthogonalPerUnit64.LossBreakdown.Count, LkOrthogonalPerUnit64.ParameterLayout, LkOrthogonalPerUnit64.InputSize, LkOrthogonalPerUnit64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); });

        // Input 2 unused by hid1 (its column of hid1.weight is 0): that vector is normalized through the 1e-12 floor.
        Twin("lk_orthogonal_per_input", 30, LkData.Signed,
            s => { var m = new LkOrthogonalPerInput(Batch, s); return F(nameof(LkOrthogonalPerInput), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkOrthogonalPerInput.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkOrthogonalPerInput.LossBreakdown.Count, i => l[i], l.Total); }, LkOrthogonalPerInput.LossBreakdown.NameOf, LkOrthogonalPerInput.LossBreakdown.Count, LkOrthogonalPerInput.ParameterLayout, LkOrthogonalPerInput.InputSize, LkOrthogonalPerInput.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); },
            s => { var m = new LkOrthogonalPerInput64(Batch, s); return D(nameof(LkOrthogonalPerInput64), m.ComputeGradients, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(LkOrthogonalPerInput64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(LkOrthogonalPerInput64.LossBreakdown.Count, i => l[i], l.Total); }, LkOrthogonalPerInput64.LossBreakdown.NameOf, LkOrthogonalPerInput64.LossBreakdown.Count, LkOrthogonalPerInput64.ParameterLayout, LkOrthogonalPerInput64.InputSize, LkOrthogonalPerInput64.OutputSize, () => m.Step, [], [("hid1", () => m.Hid1Activations)]); },
            p => { for (int unit = 0; unit < 5; unit++) p[unit * 6 + 2] = 0; });

        return cases;
    }

    private static double[] Terms(int count, Func<int, float> term, float total)
        => Enumerable.Range(0, count).Select(i => (double)term(i)).Append(total).ToArray();

    private static double[] Terms(int count, Func<int, double> term, double total)
        => Enumerable.Range(0, count).Select(term).Append(total).ToArray();

    private static LkModel F(string model, ComputeFn<float> compute, PredictFn<float> predict, SpanFn<float> parameters, ViewFn<float> gradients,
        Func<double[]> lastLoss, EvaluateFn<float> evaluate, Func<int, string> nameOf, int termCount, IReadOnlyList<TensorLayout> layout,
        int inputSize, int outputSize, Func<long> step, (string, ViewFn<float>)[] draws, (string, ViewFn<float>)[] activations)
        => new()
        {
            Model = model,
            IsDouble = false,
            InputSize = inputSize,
            OutputSize = outputSize,
            Layout = layout,
            TermNames = Enumerable.Range(0, termCount).Select(nameOf).ToArray(),
            GetParameters = () => Wide(parameters()),
            SetParameters = p => Narrow(p).CopyTo(parameters()),
            ComputeGradients = (x, t, b) => compute(Narrow(x), Narrow(t), b),
            Gradients = () => Wide(gradients()),
            LastLoss = lastLoss,
            Evaluate = (x, t, b) => evaluate(Narrow(x), Narrow(t), b),
            Predict = (x, b) => { var y = new float[b * outputSize]; predict(Narrow(x), y, b); return Wide(y); },
            Step = step,
            Draws = draws.Select(d => (d.Item1, (Func<double[]>)(() => Wide(d.Item2())))).ToArray(),
            Activations = activations.Select(a => (a.Item1, (Func<double[]>)(() => Wide(a.Item2())))).ToArray(),
        };

    private static LkModel D(string model, ComputeFn<double> compute, PredictFn<double> predict, SpanFn<double> parameters, ViewFn<double> gradients,
        Func<double[]> lastLoss, EvaluateFn<double> evaluate, Func<int, string> nameOf, int termCount, IReadOnlyList<TensorLayout> layout,
        int inputSize, int outputSize, Func<long> step, (string, ViewFn<double>)[] draws, (string, ViewFn<double>)[] activations)
        => new()
        {
            Model = model,
            IsDouble = true,
            InputSize = inputSize,
            OutputSize = outputSize,
            Layout = layout,
            TermNames = Enumerable.Range(0, termCount).Select(nameOf).ToArray(),
            GetParameters = () => parameters().ToArray(),
            SetParameters = p => p.CopyTo(parameters()),
            ComputeGradients = (x, t, b) => compute(x, t, b),
            Gradients = () => gradients().ToArray(),
            LastLoss = lastLoss,
            Evaluate = (x, t, b) => evaluate(x, t, b),
            Predict = (x, b) => { var y = new double[b * outputSize]; predict(x, y, b); return y; },
            Step = step,
            Draws = draws.Select(d => (d.Item1, (Func<double[]>)(() => d.Item2().ToArray()))).ToArray(),
            Activations = activations.Select(a => (a.Item1, (Func<double[]>)(() => a.Item2().ToArray()))).ToArray(),
        };

    private static double[] Wide(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < d.Length; i++) d[i] = values[i];
        return d;
    }

    /// <summary>double → float, refusing any value a float32 cannot hold exactly (the cases' numbers are float32 numbers).</summary>
    private static float[] Narrow(double[] values)
    {
        var f = new float[values.Length];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = (float)values[i];
            if (f[i] != values[i]) throw new ArgumentException($"value {values[i]:R} at {i} is not a float32 number");
        }
        return f;
    }
}
