using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Tests.Models;

namespace Compiled.Tests.Infrastructure;

/// <summary>How a sparse-coding case's inputs and targets are drawn (when Golden/sparse_coding_inputs.json is written).</summary>
public enum ScData
{
    /// <summary>Inputs in [−1.5, 1.5], targets in [−1, 1].</summary>
    Signed,

    /// <summary>Inputs in [−1.5, 1.5], targets in (0.05, 0.95) (sigmoid outputs).</summary>
    UnitTargets,

    /// <summary>Inputs in [−1.5, 1.5], the target is the input itself (a sparse autoencoder).</summary>
    Autoencoder,

    /// <summary>Inputs and targets in [−3, 3]: gradients large enough to be clipped.</summary>
    Large,
}

/// <summary>What a step of a case calls on the model.</summary>
public enum ScOpKind
{
    /// <summary>ComputeGradients (a training pass: it moves the dead-unit counters, not the parameters).</summary>
    Compute,

    /// <summary>Evaluate, then Predict, on the current parameters (inference: BatchTopK's threshold, AuxK's counters read, not moved).</summary>
    Evaluate,

    /// <summary>TrainStep: the parameters after it (buffers included).</summary>
    Train,
}

/// <summary>One call of a case, on batch <see cref="Batch"/> of its data.</summary>
public readonly record struct ScOp(ScOpKind Kind, int Batch)
{
    public override string ToString() => Kind.ToString().ToLowerInvariant() + " " + Batch;
}

/// <summary>
/// One model of a sparse-coding golden case behind one shape, whatever its class and precision: values cross as double
/// (exact for a float32 model's values, whose inputs and parameters are float32 numbers anyway).
/// </summary>
public sealed class ScModel
{
    public required string Model { get; init; }
    public required bool IsDouble { get; init; }
    public required int InputSize { get; init; }
    public required int OutputSize { get; init; }
    /// <summary>ParameterLayout: trained tensors, then buffers (BatchTopK's topk_threshold).</summary>
    public required IReadOnlyList<TensorLayout> Layout { get; init; }
    public required string[] TermNames { get; init; }
    /// <summary>Parameters, buffers included.</summary>
    public required Func<double[]> GetParameters { get; init; }
    public required Action<double[]> SetParameters { get; init; }
    /// <summary>ComputeGradients(x, t, batch): the returned total.</summary>
    public required Func<double[], double[], int, double> ComputeGradients { get; init; }
    /// <summary>TrainStep(x, t, batch): the returned total.</summary>
    public required Func<double[], double[], int, double> TrainStep { get; init; }
    public required Func<double[]> Gradients { get; init; }
    /// <summary>LastLoss: every term in NameOf order (data first), then Total.</summary>
    public required Func<double[]> LastLoss { get; init; }
    /// <summary>Evaluate(x, t, batch): every term, then Total.</summary>
    public required Func<double[], double[], int, double[]> Evaluate { get; init; }
    public required Func<double[], int, double[]> Predict { get; init; }
    public required Func<long> Step { get; init; }
    /// <summary>The …Activations views of the hidden layers, by layer name.</summary>
    public required IReadOnlyList<(string Layer, Func<double[]> Read)> Activations { get; init; }
    /// <summary>The …SamplesSinceFired views (AuxK's dead-unit counters), by layer name.</summary>
    public required IReadOnlyList<(string Layer, Func<long[]> Read)> Counters { get; init; }
}

/// <summary>
/// A case: its name, the model's seed, how its data is drawn, its calls, the factor applied to the model's initial
/// parameters and an optional change to them (by tensor name). Every recorded number is a float32 number, so the float64
/// twin runs on exactly the float32 model's inputs.
/// </summary>
public sealed record ScCase(string Name, int Seed, ScData Data, int Batches, ScOp[] Ops, Func<int, ScModel> Create,
    double Scale = 2, Action<double[], Func<string, TensorLayout>>? Adjust = null)
{
    public override string ToString() => Name;
}

public delegate double[] ScEvaluateFn<T>(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch);

/// <summary>
/// The sparse-coding golden cases (Golden/sparse_coding_inputs.json → scripts/make_sparse_coding.py →
/// Golden/torch_sparse_coding.json). Each float32 case <c>sc_x</c> has a float64 twin <c>sc_x_f64</c> with the same
/// parameters and data. The calls of a case: ComputeGradients on <c>prior</c> batches of their own (AuxK's counters), then per
/// step ComputeGradients, Evaluate + Predict and TrainStep on the step's batch, and a last Evaluate + Predict on the first
/// step's batch with the final parameters.
/// </summary>
public static class SparseCodingCases
{
    /// <summary>Rows per batch in every case.</summary>
    public const int Batch = 4;

    public static readonly IReadOnlyList<ScCase> All = Build();

    public static ScCase Get(string name) => All.Single(c => c.Name == name);

    /// <summary>The calls: ComputeGradients on batches 0 … prior − 1, then per step compute, evaluate and train, then evaluate again.</summary>
    private static ScOp[] Ops(int prior, int steps)
    {
        var ops = new List<ScOp>();
        for (int b = 0; b < prior; b++) ops.Add(new ScOp(ScOpKind.Compute, b));
        for (int s = 0; s < steps; s++)
        {
            ops.Add(new ScOp(ScOpKind.Compute, prior + s));
            ops.Add(new ScOp(ScOpKind.Evaluate, prior + s));
            ops.Add(new ScOp(ScOpKind.Train, prior + s));
        }
        ops.Add(new ScOp(ScOpKind.Evaluate, prior));
        return ops.ToArray();
    }

    // ---- Changes to the initial parameters --------------------------------------------------------------------------------

    /// <summary>JumpReLU: thresholds θ_j = 0.05 + 0.1·j, so that pre-activations fall above, below and inside the rectangles.</summary>
    private static void JumpReluThresholds(double[] p, Func<string, TensorLayout> at)
    {
        TensorLayout t = at("hid1.log_threshold");
        for (int j = 0; j < t.Shape[0]; j++) p[t.Offset + j] = Math.Log(0.05 + 0.1 * j);
    }

    /// <summary>Norms on both sides of the bounds: hid2's unit 0 below MinMaxNorm's 0.2, out's unit 0 below MaxNorm's 0.5.</summary>
    private static void ConstraintsSgdNorms(double[] p, Func<string, TensorLayout> at)
    {
        TensorLayout hid2 = at("hid2.weight"), output = at("out.weight");
        for (int i = 0; i < hid2.Shape[1]; i++) p[hid2.Offset + i] *= 0.1;
        for (int i = 0; i < output.Shape[1]; i++) p[output.Offset + i] *= 0.2;
    }

    /// <summary>A decoder bias that moves the input noticeably (the pre-encoder bias subtracts it).</summary>
    private static void DecoderBias(double[] p, Func<string, TensorLayout> at)
    {
        TensorLayout b = at("out.bias");
        for (int j = 0; j < b.Shape[0]; j++) p[b.Offset + j] = 0.3 * (j - 2.5);
    }

    private static List<ScCase> Build()
    {
        var cases = new List<ScCase>();
        void Twin(string name, int seed, ScData data, int prior, int steps, Func<int, ScModel> single, Func<int, ScModel> twin,
            Action<double[], Func<string, TensorLayout>>? adjust = null)
        {
            ScOp[] ops = Ops(prior, steps);
            cases.Add(new ScCase(name, seed, data, prior + steps, ops, single, Adjust: adjust));
            cases.Add(new ScCase(name + "_f64", seed, data, prior + steps, ops, twin, Adjust: adjust));
        }

        Twin("sc_topk", 41, ScData.Signed, prior: 0, steps: 2,
            s => { var m = new ScTopK(Batch, s); return F(nameof(ScTopK), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScTopK.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScTopK.LossBreakdown.Count, i => l[i], l.Total); }, ScTopK.LossBreakdown.NameOf, ScTopK.LossBreakdown.Count, ScTopK.ParameterLayout, ScTopK.InputSize, ScTopK.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScTopK64(Batch, s); return D(nameof(ScTopK64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScTopK64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScTopK64.LossBreakdown.Count, i => l[i], l.Total); }, ScTopK64.LossBreakdown.NameOf, ScTopK64.LossBreakdown.Count, ScTopK64.ParameterLayout, ScTopK64.InputSize, ScTopK64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_topk_tanh", 42, ScData.UnitTargets, prior: 0, steps: 2,
            s => { var m = new ScTopKTanh(Batch, s); return F(nameof(ScTopKTanh), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScTopKTanh.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScTopKTanh.LossBreakdown.Count, i => l[i], l.Total); }, ScTopKTanh.LossBreakdown.NameOf, ScTopKTanh.LossBreakdown.Count, ScTopKTanh.ParameterLayout, ScTopKTanh.InputSize, ScTopKTanh.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScTopKTanh64(Batch, s); return D(nameof(ScTopKTanh64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScTopKTanh64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScTopKTanh64.LossBreakdown.Count, i => l[i], l.Total); }, ScTopKTanh64.LossBreakdown.NameOf, ScTopKTanh64.LossBreakdown.Count, ScTopKTanh64.ParameterLayout, ScTopKTanh64.InputSize, ScTopKTanh64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_batchtopk", 43, ScData.Signed, prior: 0, steps: 2,
            s => { var m = new ScBatchTopK(Batch, s); return F(nameof(ScBatchTopK), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScBatchTopK.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScBatchTopK.LossBreakdown.Count, i => l[i], l.Total); }, ScBatchTopK.LossBreakdown.NameOf, ScBatchTopK.LossBreakdown.Count, ScBatchTopK.ParameterLayout, ScBatchTopK.InputSize, ScBatchTopK.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScBatchTopK64(Batch, s); return D(nameof(ScBatchTopK64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScBatchTopK64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScBatchTopK64.LossBreakdown.Count, i => l[i], l.Total); }, ScBatchTopK64.LossBreakdown.NameOf, ScBatchTopK64.LossBreakdown.Count, ScBatchTopK64.ParameterLayout, ScBatchTopK64.InputSize, ScBatchTopK64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_auxk", 44, ScData.Signed, prior: 2, steps: 2,
            s => { var m = new ScAuxK(Batch, s); return F(nameof(ScAuxK), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScAuxK.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScAuxK.LossBreakdown.Count, i => l[i], l.Total); }, ScAuxK.LossBreakdown.NameOf, ScAuxK.LossBreakdown.Count, ScAuxK.ParameterLayout, ScAuxK.InputSize, ScAuxK.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], [("hid1", () => m.Hid1SamplesSinceFired)]); },
            s => { var m = new ScAuxK64(Batch, s); return D(nameof(ScAuxK64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScAuxK64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScAuxK64.LossBreakdown.Count, i => l[i], l.Total); }, ScAuxK64.LossBreakdown.NameOf, ScAuxK64.LossBreakdown.Count, ScAuxK64.ParameterLayout, ScAuxK64.InputSize, ScAuxK64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], [("hid1", () => m.Hid1SamplesSinceFired)]); });

        Twin("sc_jumprelu", 45, ScData.Signed, prior: 0, steps: 2,
            s => { var m = new ScJumpRelu(Batch, s); return F(nameof(ScJumpRelu), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScJumpRelu.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScJumpRelu.LossBreakdown.Count, i => l[i], l.Total); }, ScJumpRelu.LossBreakdown.NameOf, ScJumpRelu.LossBreakdown.Count, ScJumpRelu.ParameterLayout, ScJumpRelu.InputSize, ScJumpRelu.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScJumpRelu64(Batch, s); return D(nameof(ScJumpRelu64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScJumpRelu64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScJumpRelu64.LossBreakdown.Count, i => l[i], l.Total); }, ScJumpRelu64.LossBreakdown.NameOf, ScJumpRelu64.LossBreakdown.Count, ScJumpRelu64.ParameterLayout, ScJumpRelu64.InputSize, ScJumpRelu64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            adjust: JumpReluThresholds);

        Twin("sc_constraints_sgd", 46, ScData.Signed, prior: 0, steps: 2,
            s => { var m = new ScConstraintsSgd(Batch, s); return F(nameof(ScConstraintsSgd), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScConstraintsSgd.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScConstraintsSgd.LossBreakdown.Count, i => l[i], l.Total); }, ScConstraintsSgd.LossBreakdown.NameOf, ScConstraintsSgd.LossBreakdown.Count, ScConstraintsSgd.ParameterLayout, ScConstraintsSgd.InputSize, ScConstraintsSgd.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)], []); },
            s => { var m = new ScConstraintsSgd64(Batch, s); return D(nameof(ScConstraintsSgd64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScConstraintsSgd64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScConstraintsSgd64.LossBreakdown.Count, i => l[i], l.Total); }, ScConstraintsSgd64.LossBreakdown.NameOf, ScConstraintsSgd64.LossBreakdown.Count, ScConstraintsSgd64.ParameterLayout, ScConstraintsSgd64.InputSize, ScConstraintsSgd64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)], []); },
            adjust: ConstraintsSgdNorms);

        Twin("sc_constraints_adam", 47, ScData.Signed, prior: 0, steps: 2,
            s => { var m = new ScConstraintsAdam(Batch, s); return F(nameof(ScConstraintsAdam), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScConstraintsAdam.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScConstraintsAdam.LossBreakdown.Count, i => l[i], l.Total); }, ScConstraintsAdam.LossBreakdown.NameOf, ScConstraintsAdam.LossBreakdown.Count, ScConstraintsAdam.ParameterLayout, ScConstraintsAdam.InputSize, ScConstraintsAdam.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)], []); },
            s => { var m = new ScConstraintsAdam64(Batch, s); return D(nameof(ScConstraintsAdam64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScConstraintsAdam64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScConstraintsAdam64.LossBreakdown.Count, i => l[i], l.Total); }, ScConstraintsAdam64.LossBreakdown.NameOf, ScConstraintsAdam64.LossBreakdown.Count, ScConstraintsAdam64.ParameterLayout, ScConstraintsAdam64.InputSize, ScConstraintsAdam64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations), ("hid2", () => m.Hid2Activations)], []); });

        Twin("sc_projected", 48, ScData.Autoencoder, prior: 0, steps: 2,
            s => { var m = new ScProjected(Batch, s); return F(nameof(ScProjected), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScProjected.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScProjected.LossBreakdown.Count, i => l[i], l.Total); }, ScProjected.LossBreakdown.NameOf, ScProjected.LossBreakdown.Count, ScProjected.ParameterLayout, ScProjected.InputSize, ScProjected.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScProjected64(Batch, s); return D(nameof(ScProjected64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScProjected64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScProjected64.LossBreakdown.Count, i => l[i], l.Total); }, ScProjected64.LossBreakdown.NameOf, ScProjected64.LossBreakdown.Count, ScProjected64.ParameterLayout, ScProjected64.InputSize, ScProjected64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_weighted_l1", 49, ScData.Signed, prior: 0, steps: 2,
            s => { var m = new ScWeightedL1(Batch, s); return F(nameof(ScWeightedL1), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScWeightedL1.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScWeightedL1.LossBreakdown.Count, i => l[i], l.Total); }, ScWeightedL1.LossBreakdown.NameOf, ScWeightedL1.LossBreakdown.Count, ScWeightedL1.ParameterLayout, ScWeightedL1.InputSize, ScWeightedL1.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScWeightedL164(Batch, s); return D(nameof(ScWeightedL164), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScWeightedL164.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScWeightedL164.LossBreakdown.Count, i => l[i], l.Total); }, ScWeightedL164.LossBreakdown.NameOf, ScWeightedL164.LossBreakdown.Count, ScWeightedL164.ParameterLayout, ScWeightedL164.InputSize, ScWeightedL164.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_warmup", 50, ScData.Signed, prior: 0, steps: 6,
            s => { var m = new ScWarmup(Batch, s); return F(nameof(ScWarmup), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScWarmup.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScWarmup.LossBreakdown.Count, i => l[i], l.Total); }, ScWarmup.LossBreakdown.NameOf, ScWarmup.LossBreakdown.Count, ScWarmup.ParameterLayout, ScWarmup.InputSize, ScWarmup.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScWarmup64(Batch, s); return D(nameof(ScWarmup64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScWarmup64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScWarmup64.LossBreakdown.Count, i => l[i], l.Total); }, ScWarmup64.LossBreakdown.NameOf, ScWarmup64.LossBreakdown.Count, ScWarmup64.ParameterLayout, ScWarmup64.InputSize, ScWarmup64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_prebias", 51, ScData.Autoencoder, prior: 0, steps: 2,
            s => { var m = new ScPreBias(Batch, s); return F(nameof(ScPreBias), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScPreBias.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScPreBias.LossBreakdown.Count, i => l[i], l.Total); }, ScPreBias.LossBreakdown.NameOf, ScPreBias.LossBreakdown.Count, ScPreBias.ParameterLayout, ScPreBias.InputSize, ScPreBias.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScPreBias64(Batch, s); return D(nameof(ScPreBias64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScPreBias64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScPreBias64.LossBreakdown.Count, i => l[i], l.Total); }, ScPreBias64.LossBreakdown.NameOf, ScPreBias64.LossBreakdown.Count, ScPreBias64.ParameterLayout, ScPreBias64.InputSize, ScPreBias64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            adjust: DecoderBias);

        Twin("sc_clipped", 52, ScData.Large, prior: 0, steps: 2,
            s => { var m = new ScClipped(Batch, s); return F(nameof(ScClipped), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScClipped.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScClipped.LossBreakdown.Count, i => l[i], l.Total); }, ScClipped.LossBreakdown.NameOf, ScClipped.LossBreakdown.Count, ScClipped.ParameterLayout, ScClipped.InputSize, ScClipped.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); },
            s => { var m = new ScClipped64(Batch, s); return D(nameof(ScClipped64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScClipped64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScClipped64.LossBreakdown.Count, i => l[i], l.Total); }, ScClipped64.LossBreakdown.NameOf, ScClipped64.LossBreakdown.Count, ScClipped64.ParameterLayout, ScClipped64.InputSize, ScClipped64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], []); });

        Twin("sc_openai", 53, ScData.Autoencoder, prior: 2, steps: 2,
            s => { var m = new ScOpenAi(Batch, s); return F(nameof(ScOpenAi), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScOpenAi.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScOpenAi.LossBreakdown.Count, i => l[i], l.Total); }, ScOpenAi.LossBreakdown.NameOf, ScOpenAi.LossBreakdown.Count, ScOpenAi.ParameterLayout, ScOpenAi.InputSize, ScOpenAi.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], [("hid1", () => m.Hid1SamplesSinceFired)]); },
            s => { var m = new ScOpenAi64(Batch, s); return D(nameof(ScOpenAi64), m.ComputeGradients, m.TrainStep, m.Predict, () => m.Parameters, () => m.Gradients, () => Terms(ScOpenAi64.LossBreakdown.Count, i => m.LastLoss[i], m.LastLoss.Total), (x, t, b) => { var l = m.Evaluate(x, t, b); return Terms(ScOpenAi64.LossBreakdown.Count, i => l[i], l.Total); }, ScOpenAi64.LossBreakdown.NameOf, ScOpenAi64.LossBreakdown.Count, ScOpenAi64.ParameterLayout, ScOpenAi64.InputSize, ScOpenAi64.OutputSize, () => m.Step, [("hid1", () => m.Hid1Activations)], [("hid1", () => m.Hid1SamplesSinceFired)]); },
            adjust: DecoderBias);

        return cases;
    }

    private static double[] Terms(int count, Func<int, float> term, float total)
        => Enumerable.Range(0, count).Select(i => (double)term(i)).Append(total).ToArray();

    private static double[] Terms(int count, Func<int, double> term, double total)
        => Enumerable.Range(0, count).Select(term).Append(total).ToArray();

    private static ScModel F(string model, ComputeFn<float> compute, ComputeFn<float> train, PredictFn<float> predict, SpanFn<float> parameters,
        ViewFn<float> gradients, Func<double[]> lastLoss, ScEvaluateFn<float> evaluate, Func<int, string> nameOf, int termCount,
        IReadOnlyList<TensorLayout> layout, int inputSize, int outputSize, Func<long> step, (string, ViewFn<float>)[] activations,
        (string, ViewFn<long>)[] counters)
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
            TrainStep = (x, t, b) => train(Narrow(x), Narrow(t), b),
            Gradients = () => Wide(gradients()),
            LastLoss = lastLoss,
            Evaluate = (x, t, b) => evaluate(Narrow(x), Narrow(t), b),
            Predict = (x, b) => { var y = new float[b * outputSize]; predict(Narrow(x), y, b); return Wide(y); },
            Step = step,
            Activations = activations.Select(a => (a.Item1, (Func<double[]>)(() => Wide(a.Item2())))).ToArray(),
            Counters = counters.Select(c => (c.Item1, (Func<long[]>)(() => c.Item2().ToArray()))).ToArray(),
        };

    private static ScModel D(string model, ComputeFn<double> compute, ComputeFn<double> train, PredictFn<double> predict, SpanFn<double> parameters,
        ViewFn<double> gradients, Func<double[]> lastLoss, ScEvaluateFn<double> evaluate, Func<int, string> nameOf, int termCount,
        IReadOnlyList<TensorLayout> layout, int inputSize, int outputSize, Func<long> step, (string, ViewFn<double>)[] activations,
        (string, ViewFn<long>)[] counters)
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
            TrainStep = (x, t, b) => train(x, t, b),
            Gradients = () => gradients().ToArray(),
            LastLoss = lastLoss,
            Evaluate = (x, t, b) => evaluate(x, t, b),
            Predict = (x, b) => { var y = new double[b * outputSize]; predict(x, y, b); return y; },
            Step = step,
            Activations = activations.Select(a => (a.Item1, (Func<double[]>)(() => a.Item2().ToArray()))).ToArray(),
            Counters = counters.Select(c => (c.Item1, (Func<long[]>)(() => c.Item2().ToArray()))).ToArray(),
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
