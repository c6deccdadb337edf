using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary>
/// <c>TrainStep</c>: gradients, the divergence guard, then the optimizer's update over the parameter block. For plain
/// SGD, contiguous ranges without proximal terms are one call; weights under a proximal L1 term get the update and the
/// soft-threshold in one pass; a float32 model without proximal terms fuses the update into the gradient pass.
/// The public call checks its arguments and enters as a training call; <c>TrainStepCore</c> (also used by <c>Fit</c>)
/// computes. Nothing is updated until the loss, the gradients and the learning rate are known to be valid.
/// </summary>
internal static class TrainStepPass
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        PublicTrainStep(w, m);
        if (m.FusesSgd) FusedCore(w, m);
        else Core(w, m);
        Guard(w, m);
    }

    private static string Rule(ModelSpec m) => m.Optimizer.Kind switch
    {
        OptimizerKind.Momentum => "v ← μ·v + g, p ← p − lr·v",
        OptimizerKind.Nesterov => "v ← μ·v + g, p ← p − lr·(g + μ·v)",
        OptimizerKind.Adam => "Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − lr·m̂/(√v̂ + ε)",
        OptimizerKind.AdamW => "AdamW: p ← p·(1 − lr·wd), then the Adam step",
        _ => "p ← p − lr·g" + (HasProximal(m) ? "; proximal L1 weights are then soft-thresholded by lr·λ" : ""),
    };

    private static void PublicTrainStep(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m), targets = m.UsesLabels ? "labels" : "targets";
        string optimizer = Describe.Optimizer(m.Optimizer);
        w.Line("/// <summary>");
        if (m.FusesSgd)
            w.Text($"""
                /// One {optimizer} update ({Rule(m)}) from a forward and backward pass; returns the total loss
                /// before the update. Each gradient is applied as soon as it is computed, so the parameters are read and written
                /// once per step; the result is bit for bit <see cref="ComputeGradients"/> followed by the update, but
                /// <see cref="Gradients"/> is not filled (call <see cref="ComputeGradients"/> to read a gradient).
                """);
        else
            w.Text($"""
                /// <see cref="ComputeGradients"/>, then one {optimizer} update ({Rule(m)}).
                /// Returns the total loss before the update.
                """);
        w.Text($"""
            /// A training call: refused (InvalidOperationException, nothing changed) when another call is in progress on this model.
            /// </summary>
            /// <exception cref="global::System.ArgumentException">{(m.UsesLabels ? "A span has the wrong length, a label is outside 0..OutputSize − 1," : "A span is not batch × features long,")} or batch is outside 1..MaxBatch. Nothing is written.</exception>
            """);
        using (w.Block($"public {t} TrainStep({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int batch)"))
        {
            w.Line($"CheckTraining(inputs, {targets}, batch);");
            EntryPointsEmitter.Training(w, "TrainStep", $"return TrainStepCore(inputs, {targets}, batch);");
        }
        w.Line();
    }

    /// <summary>The learning rate of this update, refused before anything changes if a schedule made it invalid.</summary>
    private static void LearningRate(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        w.Line($"{t} lr = _schedule is {{ }} schedule ? schedule.At(_updates, _learningRate) : _learningRate;");
        w.Line($"if (!(lr >= {Names.Real(m, 0)} && {t}.IsFinite(lr))) {Names.Kernels}.ThrowHelper.ScheduledRate(_updates, lr);");
    }

    private static void Core(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m), targets = m.UsesLabels ? "labels" : "targets";
        OptimizerSpec o = m.Optimizer;
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        w.Line(ModelEmitter.Hot);
        using (w.Block($"private {t} TrainStepCore({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int batch)"))
        {
            w.Line($"LossBreakdown loss = Run(_main, inputs, {targets}, batch, backward: true);");
            w.Line("ParameterGradients(inputs, batch);");
            w.Line("LastLoss = loss;");
            w.Line("if (DivergenceGuard) GuardDivergence(inputs, batch);");
            LearningRate(w, m);
            BeforeUpdate(w, m);
            w.Line("_step++;");
            w.Line("_updates++;");
            string p = Block(m, "_parameters"), g = Block(m, "_gradients");
            switch (o.Kind)
            {
                case OptimizerKind.Momentum:
                case OptimizerKind.Nesterov:
                    w.Line($"{Names.Kernels}.Momentum.Step({p}, {g}, {Block(m, "_velocity")}, lr, _momentum, nesterov: {(o.Kind == OptimizerKind.Nesterov ? "true" : "false")});");
                    break;
                case OptimizerKind.Adam:
                case OptimizerKind.AdamW:
                    w.Line($"{Names.Kernels}.Adam.Step({p}, {g}, {Block(m, "_moment1")}, {Block(m, "_moment2")}, lr, _beta1, _beta2, _epsilon, decay: {(o.Kind == OptimizerKind.AdamW ? "_weightDecay" : Names.Real(m, 0))}, t: _updates);");
                    break;
                default:
                {
                    if (HasProximal(m)) w.Line("RegularizationCoefficients r = Regularization;");
                    int start = 0;
                    foreach (DenseSpec l in m.ProductLayers.OfType<DenseSpec>())
                    {
                        string? threshold = Coefficients.Proximal(m, l.Index);
                        if (threshold is null) continue;
                        if (l.WeightOffset > start) Step(w, m, start, l.WeightOffset);
                        w.Line($"// {l.Name}.weight: proximal L1 — w ← sign(v)·max(|v| − lr·λ, 0), v = w − lr·g");
                        w.Line($"{Names.Kernels}.Sgd.StepSoftThreshold({Names.Weight(m, l)}, {Names.WeightGrad(m, l)}, lr, lr * ({threshold}));");
                        start = l.BiasOffset;
                    }
                    if (start < m.TrainableCount) Step(w, m, start, m.TrainableCount);
                    break;
                }
            }
            AfterUpdate(w, m);
            w.Line("return loss.Total;");
        }
        w.Line();
    }

    /// <summary>
    /// The step of a plain-SGD float32 model: forward and deltas, the guard, then <c>ApplySgd</c>, which updates each
    /// parameter as its gradient is computed. When the guard cannot bound the gradients from the deltas and inputs,
    /// they are computed and checked first and the update is the ordinary SGD step (same values).
    /// </summary>
    private static void FusedCore(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m), targets = m.UsesLabels ? "labels" : "targets";
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        w.Line(ModelEmitter.Hot);
        using (w.Block($"private {t} TrainStepCore({Names.ReadOnlySpan(m)} inputs, {RunPass.TargetsParameter(m)}, int batch)"))
        {
            w.Line($"LossBreakdown loss = Run(_main, inputs, {targets}, batch, backward: true);");
            w.Line("LastLoss = loss;");
            LearningRate(w, m);
            w.Line("bool fused = true;");
            using (w.Block("if (DivergenceGuard)"))
            {
                w.Line("GuardLoss();");
                w.Text("""
                    // The gradients must be finite before anything is updated: bounded from the deltas and inputs when that pass is
                    // shorter than the gradients and conclusive; otherwise computed, checked and applied unfused.
                    """);
                using (w.Block($"if (!(batch * {PerSample(m)} < ParameterCount && GradientsBounded(inputs, batch)))"))
                    w.Lines("ParameterGradients(inputs, batch);", "GuardGradients();", "fused = false;");
            }
            w.Line("_step++;");
            w.Line("_updates++;");
            w.Line("if (fused) ApplySgd(inputs, batch, lr);");
            w.Line($"else {Names.Kernels}.Sgd.Step(_parameters, _gradients, lr);");
            w.Line("return loss.Total;");
        }
        w.Line();
    }

    /// <summary>The check before the update: every loss term, then every gradient tensor, must be finite.</summary>
    private static void Guard(IndentedWriter w, ModelSpec m)
    {
        string t = Names.T(m);
        w.Text("""
            /// <summary>
            /// Check every step for a non-finite loss or gradient before updating; on one, the update is skipped and a
            /// <see cref="global::Compiled.TrainingDivergedException"/> names the step and the term (default true; off saves one
            /// pass over the gradients per step).
            /// </summary>
            public bool DivergenceGuard { get; set; } = true;

            /// <summary>Training steps taken (successful <see cref="TrainStep"/> calls).</summary>
            public long Step => _step;

            private long _step;

            """);
        if (!m.FusesSgd)
        {
            w.Line(ModelEmitter.GeneratedCode);
            w.Line(ModelEmitter.Hidden);
            using (w.Block($"private void GuardDivergence({Names.ReadOnlySpan(m)} inputs, int batch)"))
            {
                w.Line("GuardLoss();");
                w.Text("""
                    // With a finite loss, every weight and activation is finite, and |∂W| ≤ B·max|δ|·max|input| (+ finite penalty terms):
                    // bounding that is a pass over the deltas and inputs, far shorter than the gradients at small batch. When the bound
                    // is not conclusive (or the batch is large), every gradient is checked.
                    """);
                w.Line($"if (!(batch * {PerSample(m)} < ParameterCount && GradientsBounded(inputs, batch))) GuardGradients();");
            }
            w.Line();
        }

        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block("private void GuardLoss()"))
        {
            w.Line("LossBreakdown loss = LastLoss;");
            using (w.Block("for (int i = 0; i < LossBreakdown.Count; i++)"))
                w.Line($"if (!{t}.IsFinite(loss[i])) throw new global::Compiled.TrainingDivergedException(_step, LossBreakdown.NameOf(i), loss[i]);");
        }
        w.Line();
        w.Line("/// <summary>With a finite loss, every weight and activation is finite, and |∂W| ≤ B·max|δ|·max|input| (+ finite penalty terms): true when that bound is finite for every layer.</summary>");
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block($"private bool GradientsBounded({Names.ReadOnlySpan(m)} inputs, int batch)"))
        {
            w.Line("bool bounded = true;");
            foreach (ProductLayerSpec l in m.ProductLayers)
                w.Line($"bounded = bounded && batch * (double){Names.Kernels}.Divergence.MaxAbs({Names.Rows(m, Names.Delta(Names.Main, l), l.Units)}) * global::System.Math.Max({Names.Real(m, 1)}, {Names.Kernels}.Divergence.MaxAbs({GradientsPass.InputRows(m, l.Index)})) < 1e36;");
            w.Line("return bounded;");
        }
        w.Line();
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        using (w.Block("private void GuardGradients()"))
        using (w.Block($"if (!{Names.Kernels}.Divergence.AllFinite(_gradients))"))
        using (w.Block("foreach (global::Compiled.TensorLayout t in ParameterLayout)"))
        {
            w.Line($"{Names.ReadOnlySpan(m)} g = new {Names.ReadOnlySpan(m)}(_gradients, t.Offset, t.Length);");
            using (w.Block("for (int i = 0; i < g.Length; i++)"))
                w.Line($"if (!{t}.IsFinite(g[i])) throw new global::Compiled.TrainingDivergedException(_step, \"gradient of \" + t.Name, g[i]);");
        }
    }

    /// <summary>Values per row of the pass over deltas and layer inputs that bounds the gradients.</summary>
    private static int PerSample(ModelSpec m)
    {
        int perSample = 0;
        foreach (ProductLayerSpec l in m.ProductLayers) perSample += l.Units + l.Inputs;
        return perSample;
    }

    private static bool HasProximal(ModelSpec m) => m.Terms.Any(t => t.Proximal);

    /// <summary>The trained part of a parameter-shaped block: all of it, or a view that leaves out the buffers at its end.</summary>
    private static string Block(ModelSpec m, string field)
        => m.TrainableCount == m.ParameterCount ? field : Names.View(m, field, "0", Literal.Int(m.TrainableCount));

    /// <summary>Between the gradients and the update: OpenAI's decoder-gradient projection, then the norm clip.</summary>
    private static void BeforeUpdate(IndentedWriter w, ModelSpec m)
    {
        foreach (DenseSpec l in m.ProductLayers.OfType<DenseSpec>())
            if (l.Constraints.Any(c => c.ProjectGradient))
                w.Line($"{Names.Kernels}.Constraints.ProjectColumns<{Names.T(m)}>({Names.Weight(m, l)}, {Names.WeightGrad(m, l)}, {l.Units}, {l.Inputs}, _constraintDots, _constraintNorms); // {l.Name}: g_i −= (d_iᵀg_i)·d_i per column");
        if (m.ClipGradientNorm > 0)
            w.Line($"{Names.Kernels}.GradientClip.Norm<{Names.T(m)}>({Names.View(m, "_gradients", "0", Literal.Int(m.TrainableCount))}, {Literal.Double(m.ClipGradientNorm)}); // clip_grad_norm_: g ← g·c/(‖g‖ + 1e−6) when ‖g‖ > c");
    }

    /// <summary>After the update: the weight constraints (Keras applies them after every update), then BatchTopK's threshold.</summary>
    private static void AfterUpdate(IndentedWriter w, ModelSpec m)
    {
        foreach (DenseSpec l in m.ProductLayers.OfType<DenseSpec>())
            foreach (ConstraintSpec c in l.Constraints)
            {
                string wt = Names.Weight(m, l), per = c.PerInput ? "true" : "false", what = l.Name + ".weight " + (c.PerInput ? "columns" : "rows");
                switch (c.Kind)
                {
                    case ConstraintKind.UnitNorm:
                        w.Line($"{Names.Kernels}.Constraints.UnitNorm<{Names.T(m)}>({wt}, {l.Units}, {l.Inputs}, perColumn: {per}, _constraintNorms); // {what}: w / (ε + ‖w‖)");
                        break;
                    case ConstraintKind.MaxNorm:
                        w.Line($"{Names.Kernels}.Constraints.MaxNorm<{Names.T(m)}>({wt}, {l.Units}, {l.Inputs}, perColumn: {per}, {Literal.Double(c.Max)}, _constraintNorms); // {what}: norm at most {Literal.Number(c.Max)}");
                        break;
                    case ConstraintKind.MinMaxNorm:
                        w.Line($"{Names.Kernels}.Constraints.MinMaxNorm<{Names.T(m)}>({wt}, {l.Units}, {l.Inputs}, perColumn: {per}, {Literal.Double(c.Min)}, {Literal.Double(c.Max)}, {Literal.Double(c.Rate)}, _constraintNorms); // {what}: norm into [{Literal.Number(c.Min)}, {Literal.Number(c.Max)}]");
                        break;
                    default:
                        w.Line($"{Names.Kernels}.Constraints.NonNeg<{Names.T(m)}>({wt}); // {l.Name}.weight ≥ 0");
                        break;
                }
            }
        foreach (ProductLayerSpec l in m.ProductLayers)
            if (l.TopK is { Batch: true })
                w.Line($"_parameters[{Literal.Int(l.ThresholdOffset)}] = {Names.Kernels}.TopK.UpdateThreshold<{Names.T(m)}>({Names.Rows(m, Names.Out(Names.Main, l), l.Units)}, new global::System.ReadOnlySpan<byte>({Names.Main}.{Names.KeptField(l.Pascal)}, 0, batch * {Literal.Int(l.Units)}), batch, {Literal.Int(l.Units)}, _parameters[{Literal.Int(l.ThresholdOffset)}]); // {l.Name}.topk_threshold: moving average of the rows' smallest kept activation");
    }

    private static void Step(IndentedWriter w, ModelSpec m, int from, int to)
    {
        string len = Literal.Int(to - from);
        w.Line($"{Names.Kernels}.Sgd.Step({Names.View(m, "_parameters", Literal.Int(from), len)}, {Names.View(m, "_gradients", Literal.Int(from), len)}, lr);");
    }
}
