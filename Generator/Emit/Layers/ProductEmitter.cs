using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>
/// What Dense and Tied layers share: z = x·W(ᵀ) + b, a = f(z), the buffers that go with it (a, z when kept, δ, the
/// telemetry), the bias, the activation's forward and derivative kernels with the penalties on a and z fused in.
/// Subclasses write the products, which is where the two kinds differ.
/// </summary>
internal abstract class ProductEmitter(ModelSpec model, ProductLayerSpec layer) : LayerEmitter(model)
{
    protected ProductLayerSpec L { get; } = layer;

    protected bool IsOutput => L.Index == M.Output.Index;

    protected string T => Names.T(M);

    protected string U => Literal.Int(L.Units);

    /// <summary>The kind's name in comments: Dense, Tied.</summary>
    protected abstract string KindName { get; }

    public override string Architecture => L.Name + ": " + KindName + " " + Literal.Int(L.Units) + " " + Describe.Activation(L);

    public override string SummaryName => L.Name;

    public override string SummaryActivation => Describe.Activation(L);

    /// <summary>The comment heading the layer's code: what it is and what is attached to it.</summary>
    public string Comment()
    {
        var attached = new List<string>();
        foreach (TermSpec t in M.Terms)
            if (t.Layer == L.Index || t.Contributions.Any(c => c.Layer == L.Index))
                attached.Add(t.Name + " (" + (t.Kind == TermKind.KlSparsity ? "β = " + Literal.Number(t.Coefficient) + ", ρ = " + Literal.Number(t.Rho) : "λ = " + Literal.Number(t.Coefficient)) + ")");
        return "// " + L.Name + ": " + KindName + " " + Literal.Int(L.Inputs) + " → " + U + ", " + Describe.Activation(L)
               + (attached.Count > 0 ? "; " + string.Join(", ", attached) : "");
    }

    // ---- Members ------------------------------------------------------------------------------------------------

    public override void WorkspaceFields(IndentedWriter w)
    {
        w.Line($"public readonly {T}[] {Names.OutField(L.Pascal)}; // {L.Name}: a = {Describe.Activation(L.Activation)}(z){(L.KeepPreActivation ? "" : ", z computed in place")}");
        if (L.KeepPreActivation) w.Line($"public readonly {T}[] {Names.PreField(L.Pascal)}; // {L.Name}: z, kept for {PreReason()}");
        w.Line($"public readonly {T}[] {Names.DeltaField(L.Pascal)}; // {L.Name}: ∂loss/∂z{(IsOutput ? "" : " (training only)")}");
        if (L.ActivityTelemetry) w.Line($"public readonly {T}[] {Names.UnitMaxField(L.Pascal)}; // {L.Name}: per-unit max |a| in the batch [units]");
        if (Coefficients.Kl(M, L.Index) is not null) w.Line($"public readonly {T}[] {Names.KlField(L.Pascal)}; // {L.Name}: KL gradient term per unit [units]");
        if (L.TopK is { } topK)
        {
            w.Line($"public readonly byte[] {Names.KeptField(L.Pascal)}; // {L.Name}: 1 where {(topK.Batch ? "BatchTopK" : "TopK")} kept the unit [batch, units]");
            w.Line($"public readonly {T}[] {Names.TopKScratchField(L.Pascal)}; // {L.Name}: the selection's scratch [{(topK.Batch ? "batch, units" : "units")}]");
        }
        if (L.AuxK is not null)
            w.Line($"public global::Compiled.Kernels.AuxKWorkspace<{T}>? {Names.AuxKField(L.Pascal)}; // {L.Name}: AuxK's selection and the dead units' decoder columns, made on first use");
        if (L.SparseCode)
        {
            w.Line($"public readonly int[] {Names.ActiveIntsField(L.Pascal)}; // {L.Name}: its active entries by row and by unit (Kernels/Sparse/ActiveSet.cs)");
            w.Line($"public readonly float[] {Names.ActiveValuesField(L.Pascal)}; // {L.Name}: their values");
            w.Line($"public bool {Names.SparseField(L.Pascal)}; // {L.Name}: the last forward pass found fewer than 1 in 8 entries active, so the sparse kernels read the code");
            if (L.SparseDelta || L.SparseWeights)
                w.Line($"public readonly float[] {Names.DeltaAlignedField(L.Pascal)}; // {L.Name}: the delta at the active entries, aligned with them (training only)");
        }
        foreach (TermSpec t in M.Terms.Where(t => t.Kind == TermKind.WeightedActivityL1 && t.Layer == L.Index))
            w.Line($"public readonly double[] {t.Property}Norms, {t.Property}Sums; // {t.Name}: ‖W_next[:, i]‖ and Σ_b |a_bi| per unit");
        foreach (TermSpec t in Coefficients.Structural(M, L.Index))
            foreach ((string name, string _, string what, bool training) in StructuralBuffers(t))
                w.Line($"public readonly {T}[] {name}; // {t.Name}: {what}{(training ? " (training only)" : "")}");
    }

    /// <summary>The buffers a structural term keeps: name, length expression, what it holds, whether only training needs it.</summary>
    private System.Collections.Generic.IEnumerable<(string Name, string Length, string What, bool Training)> StructuralBuffers(TermSpec t)
    {
        string u = Literal.Int(L.Units), i = Literal.Int(L.Inputs);
        if (t.Kind == TermKind.Contractive && t.Mode == (int)ContractiveForm.Rifai)
        {
            yield return (t.Property + "UnitSquares", u, "Σ_b (h′_bj)² per unit", false);
            yield return (t.Property + "RowSquares", u, "Σ_i W_ji² per unit", false);
        }
        else if (t.Kind == TermKind.Contractive)
        {
            yield return (t.Property + "FirstDerivatives", "maxBatch * " + u, "h′ [batch, units]", false);
            yield return (t.Property + "Jacobian", "maxBatch * " + i, "∂ mean(h)/∂x [batch, inputs], then its gradient", false);
            yield return (t.Property + "Rows", "maxBatch * " + u, "the gradient with respect to h′", true);
            yield return (t.Property + "Scratch", Literal.Int(L.Units * L.Inputs), "the weight gradient's share before it is added", true);
        }
        else
        {
            bool perUnit = t.Mode == (int)OrthogonalMode.PerUnit;
            int n = perUnit ? L.Units : L.Inputs, d = perUnit ? L.Inputs : L.Units;
            yield return (t.Property + "Normalized", Literal.Int(n * d), "the normalized vectors", false);
            yield return (t.Property + "Gram", Literal.Int(n * n), "their Gram matrix", false);
            yield return (t.Property + "Norms", Literal.Int(n), "their norms", false);
            yield return (t.Property + "Temp", Literal.Int(n * d), "the gradient with respect to the normalized vectors", true);
            yield return (t.Property + "Gradient", Literal.Int(L.Units * L.Inputs), "coefficient·∂/∂W, added to the weight gradient", true);
        }
    }

    /// <summary>Why the layer keeps its pre-activation z in a buffer of its own.</summary>
    private string PreReason()
    {
        if (L.TopK is not null) return "the TopK selection" + (L.AuxK is not null ? " and AuxK" : "");
        if (Building.LayoutPlanner.DerivativeNeedsZ(L.Activation)) return "the derivative of " + Describe.Activation(L.Activation);
        if (IsOutput && M.Loss is LossKind.BinaryCrossEntropy or LossKind.SoftmaxCrossEntropy) return "the loss, computed from the logits";
        return "its pre-activation penalty";
    }

    public override void WorkspaceAllocations(IndentedWriter w)
    {
        string rows = $"new {T}[maxBatch * {L.Units}]";
        w.Line($"{Names.OutField(L.Pascal)} = {rows};");
        if (L.KeepPreActivation) w.Line($"{Names.PreField(L.Pascal)} = {rows};");
        // The output layer's delta is written by the fused loss kernel, which Evaluate runs too.
        w.Line(IsOutput ? $"{Names.DeltaField(L.Pascal)} = {rows};" : $"{Names.DeltaField(L.Pascal)} = training ? {rows} : global::System.Array.Empty<{T}>();");
        if (L.ActivityTelemetry) w.Line($"{Names.UnitMaxField(L.Pascal)} = new {T}[{L.Units}];");
        if (Coefficients.Kl(M, L.Index) is not null) w.Line($"{Names.KlField(L.Pascal)} = new {T}[{L.Units}];");
        if (L.TopK is { } topK)
        {
            w.Line($"{Names.KeptField(L.Pascal)} = new byte[maxBatch * {L.Units}];");
            w.Line($"{Names.TopKScratchField(L.Pascal)} = new {T}[{(topK.Batch ? "maxBatch * " : "")}{L.Units}];");
        }
        foreach (TermSpec t in M.Terms.Where(t => t.Kind == TermKind.WeightedActivityL1 && t.Layer == L.Index))
            w.Line($"{t.Property}Norms = new double[{L.Units}]; {t.Property}Sums = new double[{L.Units}];");
        if (L.SparseCode)
        {
            w.Line($"{Names.ActiveIntsField(L.Pascal)} = new int[global::Compiled.Kernels.ActiveSet.IntsLength(maxBatch, {L.Units})];");
            w.Line($"{Names.ActiveValuesField(L.Pascal)} = new float[maxBatch * {L.Units}];");
            if (L.SparseDelta || L.SparseWeights)
                w.Line($"{Names.DeltaAlignedField(L.Pascal)} = training ? new float[maxBatch * {L.Units}] : global::System.Array.Empty<float>();");
        }
        foreach (TermSpec t in Coefficients.Structural(M, L.Index))
            foreach ((string name, string length, string _, bool training) in StructuralBuffers(t))
                w.Line(training ? $"{name} = training ? new {T}[{length}] : global::System.Array.Empty<{T}>();" : $"{name} = new {T}[{length}];");
    }

    // ---- Structural terms (contractive, orthogonal): value, delta, weights ------------------------------------------

    private string ActivationEnum => "global::Compiled.Activation." + L.Activation;

    private string AlphaArgument => Names.Real(M, Names.HasAlpha(L.Activation) ? L.Alpha : 0);

    private string ZArgument => L.KeepPreActivation ? Names.Z(L) : "default";

    private string Buffer(string ws, TermSpec t, string suffix) => ws + "." + t.Property + suffix;

    /// <summary>The value of a structural term on this layer (an expression, in Run, after the forward pass).</summary>
    public string StructuralValue(TermSpec t)
    {
        string w = Names.Weight(M, (DenseSpec)L), u = U, i = Literal.Int(L.Inputs);
        if (t.Kind == TermKind.Contractive && t.Mode == (int)ContractiveForm.Rifai)
            return $"{Names.Coefficient(t)} / batch * {Names.Kernels}.Structural.RifaiValue({ActivationEnum}, {AlphaArgument}, {Names.A(L)}, {ZArgument}, {u}, {w}, {i}, {Buffer(Names.Ws, t, "UnitSquares")}, {Buffer(Names.Ws, t, "RowSquares")})";
        if (t.Kind == TermKind.Contractive)
            return $"{Names.Coefficient(t)} * {Names.Kernels}.Structural.TheanetsValue({ActivationEnum}, {AlphaArgument}, {Names.A(L)}, {ZArgument}, batch, {u}, {w}, {i}, {Buffer(Names.Ws, t, "FirstDerivatives")}, {Buffer(Names.Ws, t, "Jacobian")}, _pool)";
        string perUnit = t.Mode == (int)OrthogonalMode.PerUnit ? "true" : "false";
        return $"{Names.Coefficient(t)} * {Names.Kernels}.Structural.Orthogonal({w}, {u}, {i}, perUnit: {perUnit}, {Buffer(Names.Ws, t, "Normalized")}, {Buffer(Names.Ws, t, "Gram")}, {Buffer(Names.Ws, t, "Norms")}, "
               + $"{Buffer(Names.Ws, t, "Temp")}, backward ? {Buffer(Names.Ws, t, "Gradient")} : default, {Names.Coefficient(t)}, _pool)";
    }

    /// <summary>The structural terms' share of δ_z (after the derivative pass): through f′ of the contractive penalties.</summary>
    private void StructuralDeltas(IndentedWriter w)
    {
        foreach (TermSpec t in Coefficients.Structural(M, L.Index))
        {
            if (t.Kind != TermKind.Contractive) continue;
            string wt = Names.Weight(M, (DenseSpec)L);
            if (t.Mode == (int)ContractiveForm.Rifai)
            {
                w.Line($"// {t.Name}: δ += (λ/B)·2·h′·h″·Σ_i W_ji²");
                w.Line($"{Names.Kernels}.Structural.RifaiDelta({ActivationEnum}, {AlphaArgument}, {Names.A(L)}, {ZArgument}, {Names.D(L)}, {U}, {Buffer(Names.Ws, t, "RowSquares")}, {Names.Coefficient(t)} * invB);");
            }
            else
            {
                w.Line($"// {t.Name}: δ += ((∂ penalty/∂J)·Wᵀ/(B·U)) ⊙ h″");
                w.Line($"{Names.Kernels}.Structural.TheanetsBackward({ActivationEnum}, {AlphaArgument}, {Names.A(L)}, {ZArgument}, {Names.D(L)}, batch, {U}, {wt}, {Literal.Int(L.Inputs)}, "
                       + $"{Buffer(Names.Ws, t, "FirstDerivatives")}, {Buffer(Names.Ws, t, "Jacobian")}, {Buffer(Names.Ws, t, "Rows")}, {Names.Coefficient(t)}, _pool);");
            }
        }
    }

    /// <summary>The structural terms' share of ∂/∂W, added after the weight gradient was written.</summary>
    protected void StructuralWeights(IndentedWriter w)
    {
        foreach (TermSpec t in Coefficients.Structural(M, L.Index))
        {
            var dense = (DenseSpec)L;
            string gw = Names.WeightGrad(M, dense);
            if (t.Kind == TermKind.Contractive && t.Mode == (int)ContractiveForm.Rifai)
                w.Line($"{Names.Kernels}.Structural.RifaiWeights({Names.Weight(M, dense)}, {gw}, {U}, {Literal.Int(L.Inputs)}, {Buffer(Names.Main, t, "UnitSquares")}, {Names.Coefficient(t)} * invB); // {t.Name}: + (λ/B)·2·Σ_b (h′_bj)²·W_ji");
            else if (t.Kind == TermKind.Contractive)
                w.Line($"{Names.Kernels}.Structural.TheanetsWeights(batch, {U}, {Literal.Int(L.Inputs)}, {Buffer(Names.Main, t, "FirstDerivatives")}, {Buffer(Names.Main, t, "Jacobian")}, {gw}, {Buffer(Names.Main, t, "Scratch")}, _pool); // {t.Name}: + h′ᵀ·(∂ penalty/∂J)/(B·U)");
            else
                w.Line($"{Names.Kernels}.Structural.AddTo({Buffer(Names.Main, t, "Gradient")}, {gw}); // {t.Name}: computed with its value");
        }
    }

    /// <summary>The bias view, and the activations of a hidden layer.</summary>
    protected void BiasAndActivationViews(IndentedWriter w)
    {
        w.Lines(
            $"/// <summary>{L.Name}.bias [{L.Units}]: a view into <see cref=\"Parameters\"/>.</summary>",
            $"public {Names.Span(M)} {L.Pascal}Bias => {Names.Bias(M, L)};",
            "");
        if (!IsOutput)
            w.Lines(
                $"/// <summary>{L.Name}'s activations [batch, {L.Units}] from the last forward pass the calling thread saw: its own last inference call, or the last training pass if that came later.</summary>",
                $"public {Names.ReadOnlySpan(M)} {L.Pascal}Activations",
                "{",
                "    get",
                "    {",
                "        Workspace ws = Latest();",
                $"        return {Names.View(M, Names.Out(Names.Ws, L), "0", "ws.LastBatch * " + U)};",
                "    }",
                "}",
                "");
    }

    // ---- Forward ------------------------------------------------------------------------------------------------

    public override string Forward(IndentedWriter w, string input)
    {
        w.Line(Comment());
        string a = IsOutput ? "output" : Names.A(L);
        if (!IsOutput) w.Line($"{Names.Span(M)} {a} = {Names.Rows(M, Names.Out(Names.Ws, L), L.Units)};");
        string z = a;
        if (L.KeepPreActivation)
        {
            z = Names.Z(L);
            w.Line($"{Names.Span(M)} {z} = {Names.Rows(M, Names.Pre(Names.Ws, L), L.Units)};");
        }
        Product(w, input, z);
        if (L.Activation == ActivationKind.JumpRelu) w.Line($"{Names.Kernels}.JumpRelu.Forward<{Names.T(M)}>({z}, {a}, {LogThreshold("_parameters")}, {U});");
        else if (L.Activation != ActivationKind.Linear || z != a) w.Line($"{Names.Kernel(L.Activation)}.Forward({z}, {a}{ActivationArgument()});");
        if (L.TopK is { Batch: false } topK)
            w.Line($"{Names.Kernels}.TopK.Rows<{Names.T(M)}>({z}, {a}, {Kept(Names.Ws)}, batch, {U}, {Literal.Int(topK.K)}, {Names.Ws}.{Names.TopKScratchField(L.Pascal)}, _pool); // keep the {Literal.Int(topK.K)} largest z per row");
        else if (L.TopK is { Batch: true } batchTopK)
        {
            w.Line($"// BatchTopK: in training the {Literal.Int(batchTopK.K)}·B largest z of the batch; at inference a > {L.Name}.topk_threshold");
            w.Line($"if (training) {Names.Kernels}.TopK.Batch<{Names.T(M)}>({z}, {a}, {Kept(Names.Ws)}, batch, {U}, {Literal.Int(batchTopK.K)} * batch, {Names.Ws}.{Names.TopKScratchField(L.Pascal)});");
            w.Line($"else {Names.Kernels}.TopK.Threshold<{Names.T(M)}>({a}, _parameters[{Literal.Int(L.ThresholdOffset)}]);");
        }
        if (L.SparseCode)
        {
            w.Line($"// {L.Name} is a sparse code: below 1 in 8 active, its active entries are listed once and the next layer's product and the gradients read them alone (a denser batch stops the listing early and stays dense)");
            w.Line($"{Names.Sparse(Names.Ws, L)} = SparseKernels && {Names.Kernels}.SparseGemm.BuildIfSparse(batch, {U}, {a}, {Names.Active(Names.Ws, L)});");
        }
        return a;
    }

    /// <summary>z = input·W(ᵀ) + b into <paramref name="z"/>.</summary>
    protected abstract void Product(IndentedWriter w, string input, string z);

    /// <summary>The activation kernel's extra argument: α, or the row width of a softmax.</summary>
    private string ActivationArgument()
        => Names.HasAlpha(L.Activation) ? ", " + Names.Real(M, L.Alpha) : L.Activation == ActivationKind.Softmax ? ", " + U : "";

    public override string OutputRows => Names.Rows(M, Names.Out(Names.Main, L), L.Units);

    public override void RunLocals(IndentedWriter w)
    {
        w.Line($"{Names.Span(M)} {Names.A(L)} = {Names.Rows(M, Names.Out(Names.Ws, L), L.Units)};");
        if (L.KeepPreActivation) w.Line($"{Names.Span(M)} {Names.Z(L)} = {Names.Rows(M, Names.Pre(Names.Ws, L), L.Units)};");
    }

    // ---- Backward -----------------------------------------------------------------------------------------------

    /// <summary>
    /// The head of this layer's delta, when the layer above writes into it: the formula, then the span.
    /// <paramref name="fromAbove"/> is the above layer's <see cref="LayerEmitter.InputGradientFormula"/>.
    /// </summary>
    public void DeltaHead(IndentedWriter w, string fromAbove)
    {
        string none = Coefficients.None(M);
        string l1 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L2);
        TermSpec? kl = Coefficients.Kl(M, L.Index);
        string extra = (l1 != none ? " + l1·sign(a)" : "") + (l2 != none ? " + 2·l2·a" : "") + (kl is not null ? " + KL_j" : "");
        w.Line($"// {L.Name}: δ = ({fromAbove}{extra}) ⊙ {Describe.Derivative(L.Activation)}{(extra.Length > 0 ? "   — penalties fused with the derivative" : "")}");
        w.Line($"{Names.Span(M)} {Names.D(L)} = {Names.Rows(M, Names.Delta(Names.Ws, L), L.Units)};");
    }

    /// <summary>
    /// ∂loss/∂a (written by the layer above) becomes ∂loss/∂z: the activity penalties on a and the KL term are added
    /// and the whole multiplied by f′, in one pass; then the penalties on z.
    /// </summary>
    public void ActivationBackward(IndentedWriter w)
    {
        // A small layer directly above applies the derivative in its own backward product (DenseSpec.DerivativeFromAbove).
        if (L is not DenseSpec { DerivativeFromAbove: true }) Derivative(w);
        if (L.TopK is not null) w.Line($"{Names.Kernels}.TopK.Mask<{Names.T(M)}>({Names.D(L)}, {Kept(Names.Ws)}); // the gradient flows through the kept units only");
        if (L.AuxK is not null && M.Terms.FirstOrDefault(t => t.Kind == TermKind.AuxK && t.Layer == L.Index) is { } aux)
            w.Line($"{Names.Ws}.{Names.AuxKField(L.Pascal)}!.AddLayerGradient({Names.Z(L)}, {Names.D(L)}, {Names.Coefficient(aux)}); // {aux.Name}: δ += c·(g·W_dec[:, j]) at the dead units it used");
        PreActivationPenalties(w);
        StructuralDeltas(w);
    }

    /// <summary>The derivative kernel with the activity penalties on a (and the KL term) fused in.</summary>
    private void Derivative(IndentedWriter w)
    {
        string none = Coefficients.None(M);
        string l1 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L2);
        string k = Names.Kernel(L.Activation);
        if (L.Activation == ActivationKind.JumpRelu)
        {
            TermSpec? l0 = M.Terms.FirstOrDefault(t => t.Kind == TermKind.L0 && t.Layer == L.Index);
            w.Line($"// JumpReLU: δ = g·[z > θ]; ∂/∂log θ = Σ_b −θ·K((z − θ)/ε)/ε·(θ·g{(l0 is null ? "" : " + λ₀/B")}) (straight-through)");
            w.Line($"{Names.Kernels}.JumpRelu.Backward<{Names.T(M)}>({Names.Z(L)}, {Names.A(L)}, {Names.D(L)}, {LogThreshold("_parameters")}, {LogThreshold("_gradients")}, {U}, {Names.Real(M, L.Bandwidth)}, {l1}, {l2}, {(l0 is null ? none : Names.Coefficient(l0) + " * invB")});");
        }
        else if (Coefficients.Kl(M, L.Index) is not null)
            w.Line($"{k}.Backward({Names.A(L)}, {Names.D(L)}, {U}, {l1}, {l2}, {Names.KlTerm(Names.Ws, L)});");
        else if (L.Activation != ActivationKind.Linear || l1 != none || l2 != none)
        {
            if (Building.LayoutPlanner.DerivativeNeedsZ(L.Activation)) w.Line($"{k}.Backward({Names.Z(L)}, {Names.A(L)}, {Names.D(L)}, {l1}, {l2});");
            else if (Names.HasAlpha(L.Activation)) w.Line($"{k}.Backward({Names.A(L)}, {Names.D(L)}, {Names.Real(M, L.Alpha)}, {l1}, {l2});");
            else w.Line($"{k}.Backward({Names.A(L)}, {Names.D(L)}, {l1}, {l2});");
        }
    }

    /// <summary>The decoder-weighted L1 on this layer: its share of ∂loss/∂a, before the activation's derivative.</summary>
    public void WeightedActivityGradient(IndentedWriter w)
    {
        foreach (TermSpec t in M.Terms.Where(t => t.Kind == TermKind.WeightedActivityL1 && t.Layer == L.Index))
            w.Line($"{Names.Kernels}.WeightedL1.AddActivationGradient<{Names.T(M)}>({Names.A(L)}, {Names.D(L)}, {U}, {Names.Ws}.{t.Property}Norms, {Names.Coefficient(t)} * invB); // {t.Name}: + (λ/B)·‖W_next[:, i]‖·sign(a)");
    }

    // ---- Sparse codes ---------------------------------------------------------------------------------------------

    /// <summary>JumpReLU's log-thresholds in the parameter (or gradient) block.</summary>
    protected string LogThreshold(string block) => Names.View(M, block, Literal.Int(L.ThresholdOffset), U);

    /// <summary>The TopK mask's first <c>batch</c> rows in a workspace.</summary>
    protected string Kept(string ws) => $"new global::System.Span<byte>({ws}.{Names.KeptField(L.Pascal)}, 0, batch * {U})";

    /// <summary>The constructor's part: JumpReLU's initial thresholds, BatchTopK's unlearned threshold.</summary>
    protected void CodeInitialization(IndentedWriter w)
    {
        if (L.Activation == ActivationKind.JumpRelu)
            w.Line($"{Names.Kernels}.JumpRelu.Initialize<{Names.T(M)}>({LogThreshold("_parameters")}, {Literal.Double(L.InitialThreshold)}); // {L.Name}.log_threshold = log θ₀");
        if (L.TopK is { Batch: true })
            w.Line($"_parameters[{Literal.Int(L.ThresholdOffset)}] = {Names.Real(M, -1)}; // {L.Name}.topk_threshold: not learned yet, so inference keeps every unit");
    }

    /// <summary>The public views of the code: JumpReLU's log-thresholds, BatchTopK's threshold.</summary>
    protected void CodeViews(IndentedWriter w)
    {
        if (L.Activation == ActivationKind.JumpRelu)
            w.Lines(
                $"/// <summary>{L.Name}.log_threshold [{L.Units}]: JumpReLU's learned thresholds as log θ; a view into <see cref=\"Parameters\"/>.</summary>",
                $"public {Names.Span(M)} {L.Pascal}LogThreshold => {LogThreshold("_parameters")};",
                "");
        if (L.TopK is { Batch: true })
            w.Lines(
                $"/// <summary>{L.Name}.topk_threshold: BatchTopK's inference threshold, the moving average (0.999) of each training batch's mean smallest kept activation; −1 until the first training step. Saved with the parameters.</summary>",
                $"public {T} {L.Pascal}TopKThreshold => _parameters[{Literal.Int(L.ThresholdOffset)}];",
                "");
    }

    /// <summary>
    /// The output layer's delta after the fused loss kernel wrote it: the KL term (which that kernel cannot fuse), then
    /// the penalties on z.
    /// </summary>
    public void OutputDeltaTail(IndentedWriter w)
    {
        if (Coefficients.Kl(M, L.Index) is not null)
            w.Line($"{Names.Kernel(L.Activation)}.Backward({Names.A(L)}, {Names.D(L)}, {U}, {Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L1)}, {Coefficients.Gradient(M, L.Index, TensorKind.Output, NormKind.L2)}, {Names.KlTerm(Names.Ws, L)});");
        PreActivationPenalties(w);
        StructuralDeltas(w);
    }

    private void PreActivationPenalties(IndentedWriter w)
    {
        if (!Coefficients.Reads(M, L.Index, TensorKind.PreActivation)) return; // z may be kept for other reasons (derivative, logits)
        w.Line($"// {L.Name}: pre-activation penalties, δ += l1·sign(z) + 2·l2·z");
        w.Line($"{Names.Kernels}.Penalty.AddGradient({Names.Z(L)}, {Names.D(L)}, {Coefficients.Gradient(M, L.Index, TensorKind.PreActivation, NormKind.L1)}, {Coefficients.Gradient(M, L.Index, TensorKind.PreActivation, NormKind.L2)});");
    }

    /// <summary>∂/∂b = Σ_batch δ (+ bias penalties) into the gradient block, or applied at once with <paramref name="sgd"/>.</summary>
    protected void BiasGradient(IndentedWriter w, bool sgd)
    {
        string bl1 = Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L1), bl2 = Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L2);
        if (sgd)
            w.Line($"{Names.Kernels}.Gemm.ColumnSumsSgd(batch, {U}, {Names.D(L)}, {Names.Bias(M, L)}, {Names.BiasGrad(M, L)}, {bl1}, {bl2}, lr);");
        else
            w.Line($"{Names.Kernels}.Gemm.ColumnSums(batch, {U}, {Names.D(L)}, {Names.BiasGrad(M, L)}, {(HasBiasPenalty ? Names.Bias(M, L) : "default")}, {bl1}, {bl2});");
    }

    protected bool HasBiasPenalty
        => Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L1) != Coefficients.None(M) || Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L2) != Coefficients.None(M);
}
