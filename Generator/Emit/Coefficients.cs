using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// Expressions for the gradient coefficients each tensor receives from the regularizer terms: the l1 / l2 arguments of
/// the fused kernels, read from the run-time coefficients (<c>r.Hid1ActivityL1 * invB</c>).
/// </summary>
internal static class Coefficients
{
    /// <summary>
    /// Σ over the terms reading (layer, tensor) with the given norm of coefficient·factor·(1/B): the l1 (or l2) argument
    /// of the fused kernel. Proximal L1 terms are excluded: they act in the optimizer step instead.
    /// </summary>
    public static string Gradient(ModelSpec model, int layer, TensorKind tensor, NormKind norm)
    {
        var parts = new List<string>();
        foreach (TermSpec t in model.Terms)
        {
            if (t.Proximal) continue;
            foreach (ContributionSpec c in t.Contributions)
                if (c.Layer == layer && c.Tensor == tensor && c.Norm == norm)
                    parts.Add(Scaled(model, Names.Coefficient(t), c.Factor, c.PerBatch ? "invB" : null));
        }
        return parts.Count == 0 ? None(model) : string.Join(" + ", parts);
    }

    /// <summary>The coefficient expression of a tensor no term reads (<c>0f</c>, <c>0d</c>).</summary>
    public static string None(ModelSpec model) => Names.Real(model, 0);

    /// <summary>The soft-threshold (before ×lr) of a layer's weights from proximal L1 terms, or null.</summary>
    public static string? Proximal(ModelSpec model, int layer)
    {
        var parts = new List<string>();
        foreach (TermSpec t in model.Terms.Where(t => t.Proximal))
            foreach (ContributionSpec c in t.Contributions)
                if (c.Layer == layer && c.Tensor == TensorKind.Weight && c.Norm == NormKind.L1)
                    parts.Add(Scaled(model, Names.Coefficient(t), c.Factor, null));
        return parts.Count == 0 ? null : string.Join(" + ", parts);
    }

    public static bool Reads(ModelSpec model, int layer, TensorKind tensor)
        => model.Terms.Any(t => t.Contributions.Any(c => c.Layer == layer && c.Tensor == tensor));

    public static TermSpec? Kl(ModelSpec model, int layer) => model.Terms.FirstOrDefault(t => t.Kind == TermKind.KlSparsity && t.Layer == layer);

    /// <summary>The terms computed by kernels of their own (contractive, orthogonal) on a layer.</summary>
    public static IEnumerable<TermSpec> Structural(ModelSpec model, int layer) => model.Terms.Where(t => t.IsStructural && t.Layer == layer);

    private static string Scaled(ModelSpec model, string coefficient, double factor, string? perBatch)
    {
        string f = factor == 1.0 ? null! : Names.Real(model, factor);
        return (f, perBatch) switch
        {
            (null, null) => coefficient,
            (null, _) => coefficient + " * " + perBatch,
            (_, null) => coefficient + " * " + f,
            _ => coefficient + " * (" + f + " * " + perBatch + ")",
        };
    }
}
