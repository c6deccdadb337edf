using System.Linq;
using Compiled.Generator.Emit.Layers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Types;

/// <summary>The nested types: <c>LossBreakdown</c>, <c>RegularizationCoefficients</c>, <c>SparsityReport</c>.</summary>
internal static class TypesEmitter
{
    public static void Write(IndentedWriter w, ModelSpec m)
    {
        WriteSummary(w, m);
        w.Line();
        WriteLossBreakdown(w, m);
        w.Line();
        WriteCoefficients(w, m);
        w.Line();
        WriteSparsity(w, m);
    }

    private static void WriteLossBreakdown(IndentedWriter w, ModelSpec m)
    {
        w.Line("/// <summary>The terms of the objective for one batch: the data loss and every regularizer term, by name.</summary>");
        using (w.Block("public readonly struct LossBreakdown"))
        {
            w.Lines(
                "/// <summary>Number of terms, the data loss included (the indexer's range).</summary>",
                "public const int Count = " + Literal.Int(m.Terms.Count + 1) + ";",
                "");
            string parameters = "double data" + string.Concat(m.Terms.Select(t => ", double " + Param(t)));
            w.Line(ModelEmitter.GeneratedCode);
            w.Line(ModelEmitter.Hidden);
            // Terms are accumulated in double; a float model reports them as float.
            string type = Names.T(m), narrow = m.IsDouble ? "" : "(float)";
            using (w.Block("internal LossBreakdown(" + parameters + ")"))
            {
                w.Line("Data = " + narrow + "data;");
                foreach (TermSpec t in m.Terms) w.Line(t.Property + " = " + narrow + Param(t) + ";");
                string sum = "data" + string.Concat(m.Terms.Select(t => " + " + Param(t)));
                w.Line("Total = " + (m.IsDouble ? sum : "(float)(" + sum + ")") + ";");
            }
            w.Line();
            w.Lines(
                "/// <summary>The data loss (" + Describe.Loss(m.Loss) + ").</summary>",
                "public " + type + " Data { get; }",
                "");
            foreach (TermSpec t in m.Terms)
                w.Lines(
                    "/// <summary>" + t.Name + ": " + t.Formula + ".</summary>",
                    "public " + type + " " + t.Property + " { get; }",
                    "");
            w.Lines(
                "/// <summary>Data loss plus every regularizer term (summed in double precision).</summary>",
                "public " + type + " Total { get; }",
                "");
            w.Line("/// <summary>The term at <paramref name=\"index\"/> (0 = data), in the order of <see cref=\"NameOf\"/>.</summary>");
            w.Line("public " + type + " this[int index] => index switch");
            w.Line("{");
            w.Line("    0 => Data,");
            for (int i = 0; i < m.Terms.Count; i++) w.Line("    " + Literal.Int(i + 1) + " => " + m.Terms[i].Property + ",");
            w.Line("    _ => throw new global::System.ArgumentOutOfRangeException(nameof(index)),");
            w.Line("};");
            w.Line();
            w.Line("/// <summary>The reported name of the term at <paramref name=\"index\"/>: \"data\", then e.g. \"hid1.activity_l1\".</summary>");
            w.Line("public static string NameOf(int index) => index switch");
            w.Line("{");
            w.Line("    0 => \"data\",");
            for (int i = 0; i < m.Terms.Count; i++) w.Line("    " + Literal.Int(i + 1) + " => " + Literal.String(m.Terms[i].Name) + ",");
            w.Line("    _ => throw new global::System.ArgumentOutOfRangeException(nameof(index)),");
            w.Line("};");
            w.Line();
            w.Line("/// <summary>\"total … = data … + hid1.activity_l1 …\", invariant culture.</summary>");
            w.Line("public override string ToString()");
            w.Line("    => global::System.FormattableString.Invariant($\"total {Total:G6} = data {Data:G6}"
                   + string.Concat(m.Terms.Select(t => " + " + t.Name + " {" + t.Property + ":G6}")) + "\");");
        }
    }

    /// <summary>Keras' <c>model.summary()</c>: the layer table is fixed at compile time, the coefficients are read when called.</summary>
    private static void WriteSummary(IndentedWriter w, ModelSpec m)
    {
        var table = new System.Text.StringBuilder();
        string N(long v) => v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        bool allDense = m.Layers.All(l => l is DenseSpec);
        table.Append(m.ClassName).Append(": ").Append(Literal.Int(m.InputSize)).Append(" inputs, ").Append(Literal.Int(m.Layers.Count))
             .Append(allDense ? " Dense layer" : " layer").Append(m.Layers.Count == 1 ? "" : "s").Append(", ").Append(N(m.ParameterCount)).Append(" parameters\n");
        var rows = m.Layers.Select(l => LayerEmitter.For(m, l)).ToList();
        int width = System.Math.Max(10, rows.Max(e => e.SummaryActivation.Length));
        string row = "  {0,-12} {1,8} {2,-" + width.ToString(System.Globalization.CultureInfo.InvariantCulture) + "} {3,12}\n";
        table.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, row, "layer", "units", "activation", "parameters"));
        for (int i = 0; i < rows.Count; i++)
            table.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, row, rows[i].SummaryName, m.Layers[i].Units, rows[i].SummaryActivation, N(rows[i].OwnParameters)));
        table.Append("  loss: ").Append(Describe.Loss(m.Loss)).Append("; optimizer: ").Append(Describe.Optimizer(m.Optimizer)).Append(m.IsDouble ? "; float64" : "").Append('\n');
        w.Lines(
            "/// <summary>",
            "/// A table of the layers (names, units, activations, parameter counts), the loss, and every regularizer with its",
            "/// current coefficient and exact scaling — as Keras' <c>model.summary()</c>.",
            "/// </summary>");
        using (w.Block("public string Summary()"))
        {
            w.Line("var text = new global::System.Text.StringBuilder(" + Literal.String(table.ToString()).Replace("\n", "\\n") + ");");
            w.Line("text.Append(global::System.FormattableString.Invariant($\"  learning rate {LearningRate}; threads {Threads}\\n\"));");
            if (m.Terms.Count == 0) w.Line("text.Append(\"  no regularizer\\n\");");
            else w.Line("text.Append(global::System.FormattableString.Invariant($\"  {\"regularizer\",-22} {\"coefficient\",12}  formula\\n\"));");
            foreach (TermSpec t in m.Terms)
            {
                string coefficient = "Regularization." + t.Property;
                string extra = t.Kind == TermKind.KlSparsity ? " (ρ = {Regularization." + Names.KlTarget(t) + "})" : "";
                w.Line("text.Append(global::System.FormattableString.Invariant($\"  {" + Literal.String(t.Name) + ",-22} {" + coefficient + ",12}  "
                       + t.Formula.Replace("{", "{{").Replace("}", "}}").Replace("\"", "\\\"") + extra + "\\n\"));");
            }
            w.Line("return text.ToString();");
        }
    }

    private static string Param(TermSpec t) => char.ToLowerInvariant(t.Property[0]) + t.Property.Substring(1);

    private static void WriteCoefficients(IndentedWriter w, ModelSpec m)
    {
        w.Line("/// <summary>Regularizer coefficients, initialized from the attributes; change them between steps to sweep without recompiling.</summary>");
        using (w.Block("public sealed class RegularizationCoefficients"))
        {
            string type = Names.T(m);
            bool warmup = m.Terms.Any(t => t.HasWarmup);
            if (warmup)
            {
                w.Line("private readonly " + m.ClassName + " _owner; // its Step drives the warm-ups");
                w.Line();
                w.Line(ModelEmitter.GeneratedCode);
                w.Line(ModelEmitter.Hidden);
                w.Line("internal RegularizationCoefficients(" + m.ClassName + " owner) => _owner = owner;");
                w.Line();
            }
            foreach (TermSpec t in m.Terms)
            {
                string field = "_" + Param(t);
                string what = t.Kind == TermKind.KlSparsity ? "β of " : "λ of ";
                w.Line("private " + type + " " + field + " = " + Names.Real(m, t.Coefficient) + ";");
                if (t.Kind == TermKind.KlSparsity) w.Line("private " + type + " " + field + "Target = " + Names.Real(m, t.Rho) + ";");
                if (t.HasWarmup) w.Line("private int " + field + "WarmupSteps = " + Literal.Int(t.WarmupSteps) + ";");
            }
            if (m.Terms.Count > 0) w.Line();
            foreach (TermSpec t in m.Terms)
            {
                string field = "_" + Param(t);
                string what = t.Kind == TermKind.KlSparsity ? "β" : "λ";
                w.Lines(
                    "/// <summary>" + what + " of " + t.Name + " (" + t.Formula + "); initially " + Literal.Number(t.Coefficient) + ". Finite, ≥ 0; 0 turns the term off.</summary>",
                    "public " + type + " " + t.Property + " { get => " + field + "; set => " + field + " = " + type + ".IsFinite(value) && value >= 0 ? value : Invalid(nameof(" + t.Property + "), value); }",
                    "");
                if (t.HasWarmup)
                    w.Lines(
                        "/// <summary>The steps over which " + t.Property + " ramps linearly from 0: step s (from 0) uses " + t.Property + "·min(s / " + t.Property + "WarmupSteps, 1); initially " + Literal.Int(t.WarmupSteps) + ". ≥ 0; 0 ends the ramp.</summary>",
                        "public int " + t.Property + "WarmupSteps { get => " + field + "WarmupSteps; set => " + field + "WarmupSteps = value >= 0 ? value : (int)Invalid(nameof(" + t.Property + "WarmupSteps), value); }",
                        "",
                        "/// <summary>The coefficient of " + t.Name + " the next step uses (and Evaluate reports with): " + t.Property + " during the ramp scaled by Step / " + t.Property + "WarmupSteps.</summary>",
                        "public " + type + " " + t.Property + "Effective => " + field + "WarmupSteps == 0 || _owner.Step >= " + field + "WarmupSteps ? " + field + " : (" + type + ")(" + field + " * ((double)_owner.Step / " + field + "WarmupSteps));",
                        "");
                if (t.Kind == TermKind.KlSparsity)
                    w.Lines(
                        "/// <summary>The target mean activation ρ of " + t.Name + "; initially " + Literal.Number(t.Rho) + ". Strictly between 0 and 1.</summary>",
                        "public " + type + " " + Names.KlTarget(t) + " { get => " + field + "Target; set => " + field + "Target = value > 0 && value < 1 ? value : InvalidTarget(nameof(" + Names.KlTarget(t) + "), value); }",
                        "");
            }
            w.Line("private static " + type + " Invalid(string name, " + type + " value) { " + Names.Kernels + ".ThrowHelper.Coefficient(name, value); return 0; }");
            w.Line("private static " + type + " InvalidTarget(string name, " + type + " value) { " + Names.Kernels + ".ThrowHelper.Probability(name, value); return 0; }");
        }
    }

    private static void WriteSparsity(IndentedWriter w, ModelSpec m)
    {
        w.Line("/// <summary>Sparsity telemetry of the penalized layers and weight matrices, from the passes that compute the penalties.</summary>");
        using (w.Block("public readonly struct SparsityReport"))
        {
            var parameters = m.ProductLayers.SelectMany(l =>
                (l.ActivityTelemetry ? new[] { ("global::Compiled.ActivitySparsity", l.Pascal, "Activation sparsity of " + l.Name + "'s output.") } : [])
                .Concat(Coefficients.Kl(m, l.Index) is not null ? new[] { ("global::Compiled.KlSparsity", l.Pascal + "Kl", "ρ̂ of " + l.Name + " against the KL target.") } : [])
                .Concat(l.WeightTelemetry ? new[] { ("global::Compiled.WeightSparsity", l.Pascal + "Weight", "Exact zeros in " + l.Name + ".weight.") } : [])
                .Concat(l.FiringTelemetry ? new[] { ("global::Compiled.FiringWindow", l.Pascal + "Firing", "How " + l.Name + "'s units fired over the last completed window of training samples (DeadWindowSamples): dead units, firing-frequency histogram.") } : []))
                .ToList();
            if (parameters.Count > 0)
            {
                w.Line(ModelEmitter.GeneratedCode);
                w.Line(ModelEmitter.Hidden);
                using (w.Block("internal SparsityReport(" + string.Join(", ", parameters.Select(p => p.Item1 + " " + Lower(p.Item2))) + ")"))
                    foreach (var p in parameters) w.Line(p.Item2 + " = " + Lower(p.Item2) + ";");
                foreach (var p in parameters)
                    w.Lines("", "/// <summary>" + p.Item3 + "</summary>", "public " + p.Item1 + " " + p.Item2 + " { get; }");
            }
            else
            {
                w.Line("// No layer or weight matrix of this model is penalized, so there is nothing to report.");
            }
        }
    }

    // Escaped: a layer called "out" gives a parameter called "out".
    private static string Lower(string s) => "@" + char.ToLowerInvariant(s[0]) + s.Substring(1);
}
