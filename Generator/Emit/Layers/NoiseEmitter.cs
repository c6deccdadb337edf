using Compiled.Generator.Building;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>
/// Train-time noise (dropout, Gaussian noise, Gaussian dropout, alpha dropout) on the rows the layer before it wrote:
/// in training its forward step draws (Kernels/Noise.cs) into a buffer of its own and the next layer reads that; its
/// backward step multiplies the delta by the draw's multiplier. Predict, Evaluate and the classifier helpers never apply
/// it. The last training draw is public: <c>Hid1DropoutMask</c> (multipliers) or <c>InputNoise</c> (added values).
/// </summary>
internal sealed class NoiseEmitter(ModelSpec model, NoiseSpec layer) : LayerEmitter(model)
{
    private NoiseSpec L { get; } = layer;

    private string T => Names.T(M);

    private string Kernel => L.Kind switch
    {
        NoiseKind.Dropout => "Dropout",
        NoiseKind.GaussianNoise => "Gaussian",
        NoiseKind.GaussianDropout => "GaussianDropout",
        _ => "AlphaDropout",
    };

    /// <summary>The kind's name in comments: dropout, gaussian_noise, gaussian_dropout, alpha_dropout.</summary>
    private string Snake => L.Kind switch
    {
        NoiseKind.Dropout => "dropout",
        NoiseKind.GaussianNoise => "gaussian_noise",
        NoiseKind.GaussianDropout => "gaussian_dropout",
        _ => "alpha_dropout",
    };

    /// <summary>What it perturbs, in prose: "hid1's output", "the input".</summary>
    private string What => L.Target >= 0 ? L.Name + "'s output" : "the input";

    public string Description => L.Kind switch
    {
        NoiseKind.Dropout => "dropout " + Literal.Number(L.Rate),
        NoiseKind.GaussianNoise => "gaussian_noise σ=" + Literal.Number(L.Rate),
        NoiseKind.GaussianDropout => "gaussian_dropout " + Literal.Number(L.Rate),
        _ => "alpha_dropout " + Literal.Number(L.Rate),
    };

    private string Formula => L.Kind switch
    {
        NoiseKind.Dropout => "y = x·m, m = 0 with probability " + Literal.Number(L.Rate) + ", else 1/(1 − " + Literal.Number(L.Rate) + ")",
        NoiseKind.GaussianNoise => "y = x + n, n ~ N(0, " + Literal.Number(L.Rate) + "²)",
        NoiseKind.GaussianDropout => "y = x·m, m ~ N(1, " + Literal.Number(L.Rate) + "/(1 − " + Literal.Number(L.Rate) + "))",
        _ => "y = a·x + b kept, a·α' + b dropped (rate " + Literal.Number(L.Rate) + ")",
    };

    public override string Architecture => Description;

    public override string SummaryName => L.Target >= 0 ? "(" + L.Name + ")" : "(input)";

    public override string SummaryActivation => Description;

    public override long OwnParameters => 0;

    private string Draw => Identifiers.NoiseView(L.Pascal, L.Kind);

    private string Out => Identifiers.NoiseOut(L.Pascal, L.Kind);

    /// <summary>The span local the next layer reads: the noisy rows in training, the clean ones otherwise.</summary>
    private string Local => L.Camel + "N" + Literal.Int(L.Stream);

    public override void WorkspaceFields(IndentedWriter w)
    {
        w.Line($"public readonly {T}[] {Out}; // {What} with {Description} (training only)");
        w.Line($"public readonly {T}[] {Draw}; // its last draw: {(L.Multiplies ? "the multiplier of each value" : "the value added to each")} (training only)");
    }

    public override void WorkspaceAllocations(IndentedWriter w)
    {
        string rows = $"training ? new {T}[maxBatch * {L.Units}] : global::System.Array.Empty<{T}>()";
        w.Line($"{Out} = {rows};");
        w.Line($"{Draw} = {rows};");
    }

    public override void Views(IndentedWriter w) => w.Lines(
        $"/// <summary>The {Description} draw on {What} in the last training pass [batch, {L.Units}]: {(L.Multiplies ? "each value's multiplier (0 where dropped)" : "the value added to each")}.</summary>",
        $"public {Names.ReadOnlySpan(M)} {Draw} => {Names.View(M, Names.Main + "." + Draw, "0", "_main.LastBatch * " + Literal.Int(L.Units))};",
        "");

    public override string Forward(IndentedWriter w, string input)
    {
        w.Line($"// {(L.Target >= 0 ? L.Name : "input")}.{Snake}: {Formula}, in training only");
        w.Line($"{Names.ReadOnlySpan(M)} {Local} = {input};");
        using (w.Block("if (training)"))
        {
            w.Line($"{Names.Span(M)} {Local}Rows = {Names.Rows(M, Names.Ws + "." + Out, L.Units)};");
            w.Line($"{Names.Kernels}.Noise.{Kernel}({input}, {Local}Rows, {Names.Rows(M, Names.Ws + "." + Draw, L.Units)}, {Names.Real(M, L.Rate)}, {Names.Kernels}.Noise.Key(_seed, _step, {L.Stream}));");
            w.Line($"{Local} = {Local}Rows;");
        }
        return Local;
    }

    public override string OutputRows => Names.Rows(M, Names.Main + "." + Out, L.Units);

    /// <summary>The factor its backward step applies, for the formula comments: " ⊙ m" (or nothing for additive noise).</summary>
    public string BackwardFactor => L.Multiplies ? " ⊙ m" : "";

    /// <summary>∂loss/∂x = ∂loss/∂y ⊙ m, in place in <paramref name="delta"/> (nothing for additive noise).</summary>
    public void Backward(IndentedWriter w, string delta)
    {
        if (!L.Multiplies) return;
        w.Line($"{Names.Kernels}.Noise.Backward({Names.Rows(M, Names.Ws + "." + Draw, L.Units)}, {delta}); // through {(L.Target >= 0 ? L.Name : "input")}.{Snake}: δ ⊙= m");
    }
}
