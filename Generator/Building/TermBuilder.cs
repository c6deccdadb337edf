using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>
/// The regularizer terms of the objective: which tensor each reads, with which norm and scale (each framework's
/// convention, see docs/regularizers.md), its run-time property and reported name.
/// </summary>
internal sealed class TermBuilder
{
    private readonly BuildContext _ctx;
    private readonly OptionsDraft _options;
    private readonly NetworkDraft _network;
    private readonly List<TermSpec> _terms = [];
    private readonly HashSet<string> _properties = new(StringComparer.Ordinal);

    /// <summary>The WarmupSteps of the attribute being read, given to the terms it adds.</summary>
    private int _warmup;

    private TermBuilder(BuildContext ctx, OptionsDraft options, NetworkDraft network)
    {
        _ctx = ctx;
        _options = options;
        _network = network;
    }

    public static List<TermSpec> Build(BuildContext ctx, OptionsDraft options, NetworkDraft network)
    {
        var b = new TermBuilder(ctx, options, network);
        foreach (ProductDraft l in network.Products) b.LayerTerms(l);
        foreach (DeclaredAttribute a in network.ModelRegularizers) b.ModelTerm(a);
        return b._terms;
    }

    private enum Scaling { BatchMean = 0, Sum = 1, ElementMean = 2 }

    /// <summary>A property name not taken yet: Hid1ActivityL1, then Hid1ActivityL1_2, ….</summary>
    private string Unique(string property)
    {
        string p = property;
        for (int k = 2; !_properties.Add(p); k++) p = property + "_" + k.ToString(CultureInfo.InvariantCulture);
        return p;
    }

    private double Coefficient(DeclaredAttribute a, string argument, string what) => ModelBuilder.Coefficient(_ctx, a, argument, what);

    private void Add(TermSpec term) => _terms.Add(_warmup == 0 ? term : term with { WarmupSteps = _warmup });

    /// <summary>The attribute's WarmupSteps (≥ 0, else reported; 0 when absent).</summary>
    private int Warmup(DeclaredAttribute a)
    {
        if (a.Get("WarmupSteps") is not { } arg) return 0;
        int n = a.Int("WarmupSteps");
        if (n >= 0) return n;
        _ctx.Report(Descriptors.BadWarmup, arg.Location, a.Kind, Str(n));
        return 0;
    }

    /// <summary>Modifiers that are not terms of the objective (codes and constraints: SparseCodeRules).</summary>
    private static bool IsTerm(string kind) => kind is not ("TopK" or "UnitNorm" or "MaxNorm" or "NonNeg" or "MinMaxNorm");

    // ---- Terms attached to one layer ------------------------------------------------------------------------------

    private void LayerTerms(ProductDraft l)
    {
        var counts = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        bool sawKl = false;
        foreach (DeclaredAttribute a in l.Modifiers)
        {
            string kind = a.Kind;
            if (!IsTerm(kind)) continue;
            _warmup = Warmup(a);
            double lambda = kind switch
            {
                "KlSparsity" => Coefficient(a, "beta", "The KL weight beta"),
                "KernelOrthogonal" => Coefficient(a, "factor", "The factor of [KernelOrthogonal]"),
                "AuxK" => a.Get("Coefficient") is null ? 1 / 32.0 : Coefficient(a, "Coefficient", "The coefficient of [AuxK]"),
                _ => Coefficient(a, "lambda", "The coefficient of [" + kind + "]"),
            };
            if (kind is "KernelL1" or "KernelL2" or "Contractive" or "KernelOrthogonal" && l is TiedDraft tied)
            {
                _ctx.Report(Descriptors.NeedsOwnWeights, a.Location, kind, l.Name, _network.Layers[tied.Partner].Name);
                continue;
            }
            bool pre = (ModelBuilder.EnumArgument(_ctx, a, "On", "ActivityOn", 0) ?? 0) == 1;
            var scaling = (Scaling)(ModelBuilder.EnumArgument(_ctx, a, "Scaling", "Scaling", 0) ?? 0);
            string key = kind + (pre ? "Pre" : "");
            if (!counts.TryGetValue(key, out var list)) counts[key] = list = [];
            list.Add(lambda);
            if (list.Count == 2 && kind != "KlSparsity")
                _ctx.Report(Descriptors.DuplicateRegularizer, a.Location, kind, l.Name, string.Join(" + ", list.Select(Str)));

            switch (kind)
            {
                case "ActivityL1" when a.Bool("WeightedByNextLayer"):
                    WeightedActivity(l, a, pre, scaling, lambda);
                    break;
                case "ActivityL1":
                case "ActivityL2":
                    Activity(l, kind == "ActivityL1", pre, scaling, lambda);
                    break;
                case "L0Penalty" when l.Activation == ActivationKind.JumpRelu:
                    Add(new TermSpec(TermKind.L0, Unique(l.Pascal + "L0"), l.Name + ".l0",
                        "λ·(1/B)·Σ_b Σ_j H(z_bj − θ_j) on " + l.Name + " (straight-through gradient to θ, bandwidth " + Str(l.Bandwidth) + ")",
                        lambda, 0, false, l.Index, false, EquatableArray<ContributionSpec>.Empty));
                    break;
                case "AuxK" when l.AuxK is not null:
                    Add(new TermSpec(TermKind.AuxK, Unique(l.Pascal + "AuxK"), l.Name + ".auxk",
                        "c·‖e − ê‖²/‖e − ē‖², e = t − y held constant, ê = decoder(top-" + Str(l.AuxK.KAux) + " of the units dead ≥ " + Str(l.AuxK.DeadAfterSamples) + " samples) on " + l.Name,
                        lambda, 0, false, l.Index, false, EquatableArray<ContributionSpec>.Empty));
                    break;
                case "KernelL1":
                case "KernelL2":
                case "BiasL1":
                case "BiasL2":
                    ParameterNorm(l, a, kind, lambda);
                    break;
                case "KlSparsity":
                    if (Kl(l, a, lambda, sawKl)) sawKl = true;
                    break;
                case "Contractive":
                    Contractive(l, a, lambda);
                    break;
                case "KernelOrthogonal":
                    Orthogonal(l, a, lambda);
                    break;
            }
        }
    }

    private void Activity(ProductDraft l, bool l1, bool pre, Scaling scaling, double lambda)
    {
        var (factor, perBatch, text) = scaling switch
        {
            Scaling.Sum => (1.0, false, ""),
            Scaling.ElementMean => (1.0 / l.Units, true, "/(B·" + Str(l.Units) + ")"),
            _ => (1.0, true, "/B"),
        };
        string t = pre ? "z" : "a";
        string kind = l1 ? "ActivityL1" : "ActivityL2";
        Add(new TermSpec(l1 ? TermKind.ActivityL1 : TermKind.ActivityL2,
            Unique(l.Pascal + kind + (pre ? "Pre" : "")),
            l.Name + (l1 ? ".activity_l1" : ".activity_l2") + (pre ? "(pre)" : ""),
            "λ·Σ" + (l1 ? "|" + t + "|" : t + "²") + text + " on " + l.Name + (pre ? " pre-activation" : " output"),
            lambda, 0, false, -1, false,
            One(new ContributionSpec(l.Index, pre ? TensorKind.PreActivation : TensorKind.Output, l1 ? NormKind.L1 : NormKind.L2, factor, perBatch))));
    }

    /// <summary>
    /// Anthropic's decoder-weighted L1: each unit's |a| weighed by the norm of its column in the next Dense layer's
    /// weights. Batch mean on the output only; the next layer with parameters must be a Dense layer.
    /// </summary>
    private void WeightedActivity(ProductDraft l, DeclaredAttribute a, bool pre, Scaling scaling, double lambda)
    {
        ProductDraft? next = _network.Products.FirstOrDefault(p => p.Index > l.Index);
        string? problem = pre ? "it weighs the output a; remove On = ActivityOn.PreActivation"
            : scaling != Scaling.BatchMean ? "it is defined with the batch mean; remove Scaling"
            : next is null ? "no layer follows '" + l.Name + "'"
            : next is not DenseDraft ? "the next layer '" + next.Name + "' is tied; its weights are the columns of '" + _network.Layers[((TiedDraft)next).Partner].Name + "'s matrix, not a decoder of its own"
            : null;
        if (problem is not null)
        {
            _ctx.Report(Descriptors.WeightedL1Position, a.Location, l.Name, problem);
            return;
        }
        Add(new TermSpec(TermKind.WeightedActivityL1, Unique(l.Pascal + "ActivityL1"), l.Name + ".activity_l1",
            "λ·(1/B)·Σ_b Σ_i |a_bi|·‖W_" + next!.Name + "[:, i]‖₂ on " + l.Name + " output (decoder-weighted)",
            lambda, 0, false, l.Index, false, EquatableArray<ContributionSpec>.Empty, Mode: next.Index));
    }

    private void ParameterNorm(ProductDraft l, DeclaredAttribute a, string kind, double lambda)
    {
        bool kernel = kind.StartsWith("Kernel", StringComparison.Ordinal), l1 = kind.EndsWith("L1", StringComparison.Ordinal);
        bool proximal = a.Bool("Proximal");
        string t = kernel ? "W" : "b";
        Add(new TermSpec(
            kind switch { "KernelL1" => TermKind.KernelL1, "KernelL2" => TermKind.KernelL2, "BiasL1" => TermKind.BiasL1, _ => TermKind.BiasL2 },
            Unique(l.Pascal + kind),
            l.Name + "." + (kernel ? "kernel" : "bias") + (l1 ? "_l1" : "_l2"),
            "λ·Σ" + (l1 ? "|" + t + "|" : t + "²") + " over " + l.Name + (kernel ? ".weight" : ".bias") + (proximal ? " (proximal)" : ""),
            lambda, 0, proximal, -1, false,
            One(new ContributionSpec(l.Index, kernel ? TensorKind.Weight : TensorKind.Bias, l1 ? NormKind.L1 : NormKind.L2, 1.0, false))));
    }

    /// <summary>Ng's KL sparsity on a sigmoid (or rescaled tanh) layer; at most one per layer. True when added.</summary>
    private bool Kl(ProductDraft l, DeclaredAttribute a, double beta, bool already)
    {
        DeclaredArgument? rhoArg = a.Get("rho");
        double rho = a.Double("rho", 0);
        if (!(rho > 0 && rho < 1)) _ctx.Report(Descriptors.BadRho, rhoArg?.Location ?? a.Location, Str(rho));
        if (l.Activation is not (ActivationKind.Sigmoid or ActivationKind.Tanh))
            _ctx.Report(Descriptors.KlActivation, a.Location, l.Name, l.Activation.ToString(), Range(l.Activation));
        if (already) { _ctx.Report(Descriptors.DuplicateKl, a.Location, l.Name); return false; }
        if (l == _network.Output && _options.Loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy)
            _ctx.Report(Descriptors.KlOnCrossEntropyOutput, a.Location, l.Name, "Loss." + _options.Loss);
        bool tanh = l.Activation == ActivationKind.Tanh;
        Add(new TermSpec(TermKind.KlSparsity, Unique(l.Pascal + "KlSparsity"), l.Name + ".kl_sparsity",
            "β·Σ_j KL(ρ‖ρ̂_j), ρ̂ = " + (tanh ? "(1 + batch mean of a)/2 (tanh rescaled)" : "batch mean of a") + " on " + l.Name,
            beta, rho, false, l.Index, tanh, EquatableArray<ContributionSpec>.Empty));
        return true;
    }

    /// <summary>Rifai's contractive penalty, or theanets' variant (first layer only); the activation needs f′ and f″.</summary>
    private void Contractive(ProductDraft l, DeclaredAttribute a, double lambda)
    {
        var form = (ContractiveForm)(ModelBuilder.EnumArgument(_ctx, a, "Form", "ContractiveForm", 0) ?? 0);
        if (l.Activation is ActivationKind.Gelu or ActivationKind.GeluTanh or ActivationKind.Softmax)
        {
            _ctx.Report(Descriptors.ContractiveActivation, a.Location, l.Name, "Activation." + l.Activation);
            return;
        }
        if (form == ContractiveForm.Theanets && l.Index != FirstProduct())
        {
            _ctx.Report(Descriptors.ContractiveTheanetsPosition, a.At("Form"), l.Name);
            return;
        }
        Add(form == ContractiveForm.Rifai
            ? new TermSpec(TermKind.Contractive, Unique(l.Pascal + "Contractive"), l.Name + ".contractive",
                "λ·(1/B)·Σ_b ‖∂h_b/∂x_b‖²_F = λ·(1/B)·Σ_b Σ_j (h′_bj)²·Σ_i W_ji² on " + l.Name, lambda, 0, false, l.Index, false, EquatableArray<ContributionSpec>.Empty, (int)form)
            : new TermSpec(TermKind.Contractive, Unique(l.Pascal + "Contractive"), l.Name + ".contractive",
                "λ·mean((∂ mean(h)/∂x)²) over batch × inputs, h = " + l.Name + " (theanets)", lambda, 0, false, l.Index, false, EquatableArray<ContributionSpec>.Empty, (int)form));
    }

    private int FirstProduct()
    {
        foreach (ProductDraft p in _network.Products) return p.Index;
        return -1;
    }

    /// <summary>Keras' OrthogonalRegularizer over the rows (per unit) or columns (per input) of W; needs two vectors.</summary>
    private void Orthogonal(ProductDraft l, DeclaredAttribute a, double factor)
    {
        var mode = (OrthogonalMode)(ModelBuilder.EnumArgument(_ctx, a, "Mode", "OrthogonalMode", (int)OrthogonalMode.PerInput) ?? (int)OrthogonalMode.PerInput);
        int n = mode == OrthogonalMode.PerUnit ? l.Units : l.Inputs;
        if (n < 2)
        {
            _ctx.Report(Descriptors.OrthogonalTooFew, a.Location, l.Name, Str(n), mode == OrthogonalMode.PerUnit ? "units (Mode = OrthogonalMode.PerUnit)" : "inputs (Mode = OrthogonalMode.PerInput)");
            return;
        }
        string what = mode == OrthogonalMode.PerUnit ? "rows (each unit's weights)" : "columns (each input's weights)";
        Add(new TermSpec(TermKind.KernelOrthogonal, Unique(l.Pascal + "KernelOrthogonal"), l.Name + ".kernel_orthogonal",
            "factor·0.5·Σ|P| / (n(n − 1)/2), P = off-diagonal Gram of the normalized " + what + " of " + l.Name + ".weight, n = " + Str(n),
            factor, 0, false, l.Index, false, EquatableArray<ContributionSpec>.Empty, (int)mode));
    }

    // ---- Model-level terms (theanets and Ng) ------------------------------------------------------------------------

    private void ModelTerm(DeclaredAttribute a)
    {
        _warmup = Warmup(a);
        double lambda = Coefficient(a, "lambda", "The coefficient of [" + a.Kind + "]");
        List<ProductDraft> layers = _network.Products.ToList();
        switch (a.Kind)
        {
            case "WeightDecay":
                Add(new TermSpec(TermKind.WeightDecay, Unique("WeightDecay"), "weight_decay", "(λ/2)·Σ W² over every weight matrix (biases excluded)",
                    lambda, 0, false, -1, false,
                    layers.Where(l => l is DenseDraft).Select(l => new ContributionSpec(l.Index, TensorKind.Weight, NormKind.L2, 0.5, false)).ToEquatableArray()));
                break;
            case "HiddenL1":
                HiddenL1(a, lambda, layers);
                break;
            case "WeightL1":
            case "WeightL2":
                WeightNorm(a, lambda, layers);
                break;
        }
    }

    /// <summary>theanets' hidden_l1: mean |a| per matched output, averaged over the K matched outputs.</summary>
    private void HiddenL1(DeclaredAttribute a, double lambda, List<ProductDraft> layers)
    {
        DeclaredArgument? pat = a.Get("Pattern");
        // theanets' default: every hidden layer's ':out' (never the output layer's).
        var names = new List<(string Name, ProductDraft Layer, bool Pre)>();
        foreach (ProductDraft l in layers)
        {
            names.Add((l.Name + ":out", l, false));
            names.Add((l.Name + ":pre", l, true));
        }
        List<(string Name, ProductDraft Layer, bool Pre)> matched = pat is null || pat.Value.Length == 0
            ? names.Where(n => !n.Pre && n.Layer != _network.Output).ToList()
            : names.Where(n => Glob.Split(pat.Value).Any(p => Glob.IsMatch(n.Name, p))).ToList();
        if (matched.Count == 0)
        {
            _ctx.Report(Descriptors.PatternMatchesNothing, pat?.Location ?? a.Location, pat?.Value ?? "(default: every hidden layer)", "HiddenL1", "layer output",
                pat is null ? "the model has no hidden layer" : string.Join(", ", names.Select(n => n.Name)));
            return;
        }
        int k = matched.Count;
        Add(new TermSpec(TermKind.HiddenL1, Unique("HiddenL1"), "hidden_l1",
            "λ·(1/" + Str(k) + ")·Σ mean|a| over " + string.Join(", ", matched.Select(m => m.Name)),
            lambda, 0, false, -1, false,
            matched.Select(m => new ContributionSpec(m.Layer.Index, m.Pre ? TensorKind.PreActivation : TensorKind.Output, NormKind.L1, 1.0 / (k * (double)m.Layer.Units), true)).ToEquatableArray()));
    }

    /// <summary>theanets' weight_l1 / weight_l2: mean per matched weight matrix, averaged over the matrices.</summary>
    private void WeightNorm(DeclaredAttribute a, double lambda, List<ProductDraft> layers)
    {
        DeclaredArgument? pat = a.Get("Pattern");
        string pattern = pat is null || pat.Value.Length == 0 ? "*" : pat.Value;
        var names = new List<(string Name, ProductDraft Layer, bool Weight)>();
        foreach (ProductDraft l in layers)
        {
            if (l is DenseDraft) names.Add((l.Name + ".w", l, true));
            names.Add((l.Name + ".b", l, false));
        }
        // Biases match the pattern like any parameter but are dropped (theanets keeps ndim > 1 only).
        var matched = names.Where(n => n.Weight && Glob.Split(pattern).Any(p => Glob.IsMatch(n.Name, p))).ToList();
        if (matched.Count == 0)
        {
            _ctx.Report(Descriptors.PatternMatchesNothing, pat?.Location ?? a.Location, pattern, a.Kind, "weight matrix (biases are never included)",
                string.Join(", ", names.Where(n => n.Weight).Select(n => n.Name)));
            return;
        }
        bool l1 = a.Kind == "WeightL1";
        int k = matched.Count;
        Add(new TermSpec(l1 ? TermKind.WeightL1 : TermKind.WeightL2, Unique(a.Kind), l1 ? "weight_l1" : "weight_l2",
            "λ·(1/" + Str(k) + ")·Σ mean" + (l1 ? "|W|" : "(W²)") + " over " + string.Join(", ", matched.Select(m => m.Name)),
            lambda, 0, l1 && a.Bool("Proximal"), -1, false,
            matched.Select(m => new ContributionSpec(m.Layer.Index, TensorKind.Weight, l1 ? NormKind.L1 : NormKind.L2,
                1.0 / (k * (double)m.Layer.Units * m.Layer.Inputs), false)).ToEquatableArray()));
    }

    private static string Range(ActivationKind a) => a switch
    {
        ActivationKind.Relu or ActivationKind.Softplus => "[0, ∞)",
        ActivationKind.Elu => "(−α, ∞)",
        ActivationKind.Gelu or ActivationKind.GeluTanh => "[−0.17, ∞)",
        ActivationKind.Softmax => "(0, 1) but summing to 1 per row",
        _ => "(−∞, ∞)",
    };

    private static EquatableArray<ContributionSpec> One(ContributionSpec c) => new([c]);
}
