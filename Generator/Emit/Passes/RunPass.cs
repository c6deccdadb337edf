using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Passes;

/// <summary>
/// <c>Run</c>: the forward pass, every loss term (one pass over each penalized tensor, telemetry from the same pass),
/// the data loss fused with the output layer's backward step, then the deltas of every layer, top down — each layer
/// above writes ∂loss/∂(its input) into the layer below, which turns it into ∂loss/∂z with its derivative kernel.
/// </summary>
internal static class RunPass
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        ProductLayerSpec o = m.Output;
        w.Line(ModelEmitter.GeneratedCode);
        w.Line(ModelEmitter.Hidden);
        w.Line(ModelEmitter.Hot);
        using (w.Block($"private LossBreakdown Run(Workspace ws, {Names.ReadOnlySpan(m)} inputs, {TargetsParameter(m)}, int batch, bool backward)"))
        {
            foreach (LayerSpec l in m.Layers) LayerEmitter.For(m, l).RunLocals(w);
            w.Line(ForwardPass.Call(m, "ws", "inputs", Names.A(o), "backward"));
            w.Line("RegularizationCoefficients r = Regularization;");
            w.Line($"{Names.T(m)} invB = {Names.Real(m, 1)} / batch;");
            w.Line();
            DeadUnits(w, m);
            TermSums(w, m);
            DataLoss(w, m);
            Telemetry(w, m);
            w.Line("if (!backward) return loss;");
            w.Line();
            Deltas(w, m);
            w.Line("return loss;");
        }
    }

    /// <summary>The type and name of the training targets: rows of the element type, or class labels.</summary>
    public static string TargetsParameter(ModelSpec m)
        => m.UsesLabels ? "global::System.ReadOnlySpan<int> labels" : Names.ReadOnlySpan(m) + " targets";

    public static string Local(TermSpec t) => "term" + t.Property;

    /// <summary>The sums over the penalized tensors (and the sparsity telemetry, from the same pass), then each term's value.</summary>
    private static void TermSums(IndentedWriter w, ModelSpec m)
    {
        if (m.Terms.Count > 0) w.Line("// Regularizer terms: one pass over each penalized tensor.");
        foreach (ProductLayerSpec l in m.ProductLayers)
        {
            string u = Literal.Int(l.Units);
            if (l.ActivityTelemetry)
                w.Line($"global::Compiled.Kernels.TensorSums {Names.OutSums(l)} = {Names.Kernels}.Statistics.Activity({Names.A(l)}, {u}, SparsityEpsilon, {Names.UnitMax(Names.Ws, l)});");
            if (Coefficients.Reads(m, l.Index, TensorKind.PreActivation))
                w.Line($"global::Compiled.Kernels.TensorSums {Names.PreSums(l)} = {Names.Kernels}.Statistics.Activity({Names.Z(l)}, {u}, {Names.Real(m, 0)}, default);");
            if (l.WeightTelemetry && l is DenseSpec d)
                w.Line($"global::Compiled.Kernels.TensorSums {Names.WeightSums(l)} = {Names.Kernels}.Statistics.Weights({Names.Weight(m, d)});");
            if (Coefficients.Reads(m, l.Index, TensorKind.Bias))
                w.Line($"global::Compiled.Kernels.TensorSums {Names.BiasSums(l)} = {Names.Kernels}.Statistics.Weights({Names.Bias(m, l)});");
            if (Coefficients.Kl(m, l.Index) is { } kl)
                w.Line($"global::Compiled.Kernels.KlSums {Names.KlSums(l)} = {Names.Kernels}.KlDivergence.Compute({Names.A(l)}, batch, {u}, r.{Names.KlTarget(kl)}, {Names.Coefficient(kl)}, tanhRescaled: {(kl.KlTanh ? "true" : "false")}, {Names.KlTerm(Names.Ws, l)});");
        }
        foreach (TermSpec t in m.Terms)
            w.Line($"double {Local(t)} = {Value(m, t)}; // {t.Name}: {t.Formula}");
        if (m.Terms.Count > 0) w.Line();
    }

    /// <summary>The value of a term: coefficient × Σ factor·(1/B)·N(tensor), from the sums computed above.</summary>
    private static string Value(ModelSpec m, TermSpec t)
    {
        if (t.Kind == TermKind.KlSparsity) return Names.KlSums((ProductLayerSpec)m.Layers[t.Layer]) + ".Value";
        if (t.Kind is TermKind.L0 or TermKind.AuxK or TermKind.WeightedActivityL1) return CodeValue(m, t);
        if (t.IsStructural) return ((ProductEmitter)LayerEmitter.For(m, m.Layers[t.Layer])).StructuralValue(t);
        var parts = new List<string>();
        foreach (ContributionSpec c in t.Contributions)
        {
            var l = (ProductLayerSpec)m.Layers[c.Layer];
            string sums = c.Tensor switch
            {
                TensorKind.Output => Names.OutSums(l),
                TensorKind.PreActivation => Names.PreSums(l),
                TensorKind.Weight => Names.WeightSums(l),
                _ => Names.BiasSums(l),
            };
            string n = sums + (c.Norm == NormKind.L1 ? ".SumAbs" : ".SumSquares");
            if (c.Factor != 1.0) n = Literal.Double(c.Factor) + " * " + n;
            if (c.PerBatch) n += " / batch";
            parts.Add(n);
        }
        string sum = parts.Count == 1 ? parts[0] : "(" + string.Join(" + ", parts) + ")";
        return Names.Coefficient(t) + " * " + sum;
    }

    /// <summary>
    /// AuxK's dead-unit counters, before its loss reads them (as OpenAI's forward updates them): in a training pass, a unit
    /// that fired in the batch restarts at 0, the others count its rows.
    /// </summary>
    private static void DeadUnits(IndentedWriter w, ModelSpec m)
    {
        foreach (ProductLayerSpec l in m.ProductLayers.Where(l => l.AuxK is not null))
            w.Line($"if (backward) global::Compiled.Kernels.AuxKWorkspace<{Names.T(m)}>.UpdateDead({Names.A(l)}, batch, {Literal.Int(l.Units)}, _{l.Camel}SinceFired); // {l.Name}: samples since each unit fired");
    }

    /// <summary>The value of a sparse-coding term: L0 from the active count, AuxK from its kernel, the weighted L1 from its sums.</summary>
    private static string CodeValue(ModelSpec m, TermSpec t)
    {
        var l = (ProductLayerSpec)m.Layers[t.Layer];
        string u = Literal.Int(l.Units), c = Names.Coefficient(t);
        switch (t.Kind)
        {
            case TermKind.L0:
                return $"{c} * (double){Names.Kernels}.JumpRelu.Active<{Names.T(m)}>({Names.Z(l)}, {Names.View(m, "_parameters", Literal.Int(l.ThresholdOffset), u)}, {u}) / batch";
            case TermKind.AuxK:
            {
                ProductLayerSpec o = m.Output;
                string aux = $"({Names.Ws}.{Names.AuxKField(l.Pascal)} ??= new global::Compiled.Kernels.AuxKWorkspace<{Names.T(m)}>(_maxBatch, {u}, {Literal.Int(o.Units)}, {Literal.Int(l.AuxK!.KAux)}))";
                return $"{c} * {aux}.Loss({Names.Z(l)}, {Names.A(o)}, targets, {Names.Weight(m, (DenseSpec)o)}, _{l.Camel}SinceFired, {Literal.Int(l.AuxK.DeadAfterSamples)}, batch)";
            }
            default:
            {
                var next = (DenseSpec)m.Layers[t.Mode];
                return $"{c} * {Names.Kernels}.WeightedL1.Sums<{Names.T(m)}>({Names.A(l)}, {Names.Weight(m, next)}, batch, {u}, {Literal.Int(next.Units)}, {Names.Ws}.{t.Property}Norms, {Names.Ws}.{t.Property}Sums) / batch";
            }
        }
    }

    /// <summary>The data loss, computed by the output layer's fused loss-and-backward kernel, and the breakdown.</summary>
    private static void DataLoss(IndentedWriter w, ModelSpec m)
    {
        ProductLayerSpec o = m.Output;
        bool klOnOutput = Coefficients.Kl(m, o.Index) is not null;
        string u = Literal.Int(o.Units), one = Names.Real(m, 1);
        var (scale, dataValue, formula) = m.Loss switch
        {
            LossKind.HalfSquaredError => ("invB", "sum * 0.5 / batch", "(1/B)·Σ ½‖y − t‖²"),
            LossKind.MeanAbsoluteError => (one + " / (batch * " + u + ")", "sum / (batch * " + u + ".0)", "mean of |y − t| over batch × " + u),
            LossKind.BinaryCrossEntropy => (one + " / (batch * " + u + ")", "sum / (batch * " + u + ".0)",
                "mean over batch × " + u + " of max(z, 0) − t·z + log(1 + e^−|z|), from the logits z"),
            LossKind.SoftmaxCrossEntropy => ("invB", "sum / batch", "mean over the batch of logsumexp(z) − z[label], from the logits z"),
            _ => (Names.Real(m, 2) + " / (batch * " + u + ")", "sum / (batch * " + u + ".0)", "mean of (y − t)² over batch × " + u),
        };
        w.Line($"// Data loss ({formula}) fused with the output layer's backward step:");
        w.Line($"{Names.Span(m)} {Names.D(o)} = {Names.Rows(m, Names.Delta(Names.Ws, o), o.Units)};");
        string l1 = Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(m, o.Index, TensorKind.Output, NormKind.L2);
        if (klOnOutput)
        {
            w.Line("// (the KL term on this layer is added with the activation derivative in the backward pass)");
            w.Line($"double sum = {OutputCall(m, o, ActivationKind.Linear, scale, Coefficients.None(m), Coefficients.None(m))};");
        }
        else
        {
            w.Line($"// {Names.D(o)} = " + (m.Loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy
                ? "∂data/∂z + (activity terms) through " + Describe.Derivative(o.Activation)
                : "(∂data/∂y + activity terms) ⊙ " + Describe.Derivative(o.Activation)));
            w.Line($"double sum = {OutputCall(m, o, o.Activation, scale, l1, l2)};");
        }
        w.Line($"double data = {dataValue};");
        w.Line($"LossBreakdown loss = new LossBreakdown(data{string.Concat(m.Terms.Select(t => ", " + Local(t)))});");
    }

    /// <summary>The output layer's fused loss-and-backward kernel call for this loss and activation.</summary>
    private static string OutputCall(ModelSpec m, ProductLayerSpec o, ActivationKind activation, string scale, string l1, string l2)
    {
        string k = Names.Kernel(activation), y = Names.A(o), d = Names.D(o), u = Literal.Int(o.Units);
        switch (m.Loss)
        {
            case LossKind.BinaryCrossEntropy:
                return $"{k}.BinaryCrossEntropyBackward({Names.Z(o)}, {y}, targets, {d}, {scale}, {l1}, {l2})";
            case LossKind.SoftmaxCrossEntropy:
                return $"{k}.CrossEntropyBackward({Names.Z(o)}, {y}, labels, {d}, {u}, {scale}, {l1}, {l2})";
        }
        string method = m.Loss == LossKind.MeanAbsoluteError ? ".AbsoluteErrorBackward(" : ".SquaredErrorBackward(";
        if (activation == ActivationKind.Softmax) return k + method + $"{y}, targets, {d}, {u}, {scale}, {l1}, {l2})";
        if (Building.LayoutPlanner.DerivativeNeedsZ(activation)) return k + method + $"{Names.Z(o)}, {y}, targets, {d}, {scale}, {l1}, {l2})";
        if (Names.HasAlpha(activation)) return k + method + $"{y}, targets, {d}, {scale}, {Names.Real(m, o.Alpha)}, {l1}, {l2})";
        return k + method + $"{y}, targets, {d}, {scale}, {l1}, {l2})";
    }

    private static void Telemetry(IndentedWriter w, ModelSpec m)
    {
        var args = new List<string>();
        foreach (ProductLayerSpec l in m.ProductLayers)
        {
            string u = Literal.Int(l.Units);
            if (l.ActivityTelemetry)
            {
                string s = Names.OutSums(l), n = "(batch * " + u + ".0)";
                args.Add($"new global::Compiled.ActivitySparsity({u}, (float)({s}.SumAbs / {n}), (float)({s}.BelowEpsilon / {n}), (float)({s}.Zeros / {n}), {s}.DeadUnits)");
            }
            if (Coefficients.Kl(m, l.Index) is { } kl)
            {
                string k = Names.KlSums(l);
                // The telemetry records are float in both precisions (they report, they do not compute).
                args.Add($"new global::Compiled.KlSparsity({(m.IsDouble ? "(float)" : "")}r.{Names.KlTarget(kl)}, {k}.MeanRhoHat, {k}.MinRhoHat, {k}.MaxRhoHat)");
            }
            if (l.WeightTelemetry)
                args.Add($"new global::Compiled.WeightSparsity({Literal.Int(l.Units * l.Inputs)}, {Names.WeightSums(l)}.Zeros)");
            if (l.FiringTelemetry) args.Add($"_{l.Camel}Firing.Last");
        }
        foreach (ProductLayerSpec l in m.ProductLayers.Where(l => l.FiringTelemetry))
            w.Line($"if (backward) _{l.Camel}Firing.Observe<{Names.T(m)}>({Names.A(l)}, batch); // {l.Name}: firing over the window");
        if (args.Count > 0) w.Line($"global::Compiled.Kernels.Concurrency.Publish(ref _lastSparsity, ref _sparsityVersion, new SparsityReport({string.Join(", ", args)}));");
        if (m.ReportsReconstruction)
            using (w.Block("if (!backward)"))
            {
                w.Line("// Evaluate: explained variance and normalized MSE of this batch (a whole-dataset call adds up its chunks)");
                w.Line("ws.Reconstruction.Clear();");
                w.Line($"ws.Reconstruction.Add<{Names.T(m)}>({Names.A(m.Output)}, targets, batch);");
                w.Line("global::Compiled.Kernels.Concurrency.Publish(ref _lastReconstruction, ref _reconstructionVersion, ws.Reconstruction.Quality());");
            }
    }

    /// <summary>
    /// The deltas of every layer (the output layer's came from the fused loss kernel): top down, each layer with parameters
    /// writes ∂loss/∂(its input) into the delta of the next such layer below; the noise between them multiplies it by
    /// their draws; that layer's derivative kernel (penalties fused) makes it ∂loss/∂z.
    /// </summary>
    private static void Deltas(IndentedWriter w, ModelSpec m)
    {
        ((ProductEmitter)LayerEmitter.For(m, m.Output)).OutputDeltaTail(w);
        int above = m.Output.Index;
        while (true)
        {
            int below = above - 1;
            while (below >= 0 && m.Layers[below] is NoiseSpec) below--;
            if (below < 0) return; // only the input (and its noise) below: no delta needed there
            LayerEmitter upper = LayerEmitter.For(m, m.Layers[above]);
            var lower = (ProductEmitter)LayerEmitter.For(m, m.Layers[below]);
            var noise = new List<NoiseEmitter>();
            for (int k = above - 1; k > below; k--) noise.Add((NoiseEmitter)LayerEmitter.For(m, m.Layers[k]));
            lower.DeltaHead(w, upper.InputGradientFormula + string.Concat(noise.Select(n => n.BackwardFactor)));
            var code = (ProductLayerSpec)m.Layers[below];
            string d = Names.D(code);
            if (code.SparseDelta && m.Layers[above] is DenseSpec next)
            {
                // A sparse code: δ_next·W_next at its active entries only (zeros elsewhere, where f′ = 0 or the unit is masked).
                w.Line($"if ({Names.Sparse(Names.Ws, code)}) {Names.Kernels}.SparseGemm.DWAtActive(batch, {Literal.Int(next.Units)}, {Literal.Int(code.Units)}, {Names.Active(Names.Ws, code)}, "
                       + $"{Names.D(next)}, {Names.Weight(m, next)}, default, {Names.Ws}.{Names.DeltaAlignedField(code.Pascal)}, {d}, _pool);");
                var dense = new IndentedWriter();
                upper.InputGradient(dense, d);
                w.Line("else " + dense.ToString().Trim());
            }
            else upper.InputGradient(w, d);
            foreach (NoiseEmitter n in noise) n.Backward(w, d);
            lower.WeightedActivityGradient(w);
            lower.ActivationBackward(w);
            above = below;
        }
    }
}
