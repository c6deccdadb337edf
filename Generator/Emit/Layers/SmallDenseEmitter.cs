using Compiled.Generator.Building;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>
/// A small Dense layer (Building/SmallLayers.cs): its sizes and activation become a nested struct of constants
/// (<c>Hid1Shape</c>) and each step is one call of the small-layer kernels compiled for it — the forward step
/// (product, bias, activation), the backward step to its input (with the layer below's derivative and activity penalties
/// when that layer is small too), the parameter gradients with their penalties (and the SGD update when fused). The
/// members, buffers and everything attached to the layer are the Dense layer's.
/// </summary>
internal sealed class SmallDenseEmitter(ModelSpec model, DenseSpec layer) : DenseEmitter(model, layer)
{
    private string Shape => Identifiers.SmallShape(L.Pascal);

    private string Kernel => Names.Kernels + ".SmallDense";

    private string Weight => Names.Weight(M, L);

    private string Bias => Names.Bias(M, L);

    public override void NestedTypes(IndentedWriter w)
    {
        w.Line();
        w.Lines(
            $"/// <summary>{L.Name}'s constants, for the small-layer kernels compiled for them: {Literal.Int(L.Inputs)} → {U}, {Describe.Activation(L)}.</summary>",
            $"private readonly struct {Shape} : global::Compiled.Kernels.ISmallDense",
            "{",
            $"    public static int Inputs => {Literal.Int(L.Inputs)};",
            $"    public static int Units => {U};",
            $"    public static global::Compiled.Activation Activation => global::Compiled.Activation.{L.Activation};",
            $"    public static float Alpha => {Literal.Float(Names.HasAlpha(L.Activation) ? L.Alpha : 0)};",
            "}");
    }

    public override string Forward(IndentedWriter w, string input)
    {
        w.Line(Comment());
        string a = IsOutput ? "output" : Names.A(L);
        if (!IsOutput) w.Line($"{Names.Span(M)} {a} = {Names.Rows(M, Names.Out(Names.Ws, L), L.Units)};");
        string z = "";
        if (L.KeepPreActivation)
        {
            w.Line($"{Names.Span(M)} {Names.Z(L)} = {Names.Rows(M, Names.Pre(Names.Ws, L), L.Units)};");
            z = ", " + Names.Z(L);
        }
        w.Line($"{Kernel}.Forward<{Shape}>(batch, {input}, {Weight}, {Bias}, {a}{z}); // {Formula()} in one pass");
        return a;
    }

    /// <summary>What the forward call computes: <c>a = tanh(x·Wᵀ + b)</c>, <c>z = x·Wᵀ + b, a = softplus(z)</c>.</summary>
    private string Formula()
    {
        if (L.Activation == ActivationKind.Linear) return L.KeepPreActivation ? "z = a = x·Wᵀ + b" : "a = x·Wᵀ + b";
        string f = Describe.Activation(L.Activation);
        return L.KeepPreActivation ? "z = x·Wᵀ + b, a = " + f + "(z)" : "a = " + f + "(x·Wᵀ + b)";
    }

    public override void InputGradient(IndentedWriter w, string destination)
    {
        if (M.Layers[L.Index - 1] is not DenseSpec { DerivativeFromAbove: true } below)
        {
            w.Line($"{Kernel}.InputGradient<{Shape}>(batch, {Names.D(L)}, {Weight}, {destination});");
            return;
        }
        string l1 = Coefficients.Gradient(M, below.Index, TensorKind.Output, NormKind.L1), l2 = Coefficients.Gradient(M, below.Index, TensorKind.Output, NormKind.L2);
        string z = LayoutPlanner.DerivativeNeedsZ(below.Activation) ? Names.Z(below) : "default";
        w.Line($"{Kernel}.InputGradient<{Shape}, {Identifiers.SmallShape(below.Pascal)}>(batch, {Names.D(L)}, {Weight}, {Names.A(below)}, {z}, {l1}, {l2}, {destination}); // product, penalties and derivative in one pass");
    }

    public override void ParameterGradients(IndentedWriter w, string input, bool sgd)
    {
        string wl1 = Coefficients.Gradient(M, L.Index, TensorKind.Weight, NormKind.L1), wl2 = Coefficients.Gradient(M, L.Index, TensorKind.Weight, NormKind.L2);
        string bl1 = Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L1), bl2 = Coefficients.Gradient(M, L.Index, TensorKind.Bias, NormKind.L2);
        GradientHead(w, sgd);
        if (sgd)
            w.Line($"{Kernel}.GradientsSgd<{Shape}>(batch, {Names.D(L)}, {input}, {Weight}, {Bias}, {wl1}, {wl2}, {bl1}, {bl2}, lr);");
        else
        {
            w.Line($"{Kernel}.Gradients<{Shape}>(batch, {Names.D(L)}, {input}, {Weight}, {Bias}, {Names.WeightGrad(M, L)}, {Names.BiasGrad(M, L)}, {wl1}, {wl2}, {bl1}, {bl2});");
            StructuralWeights(w);
        }
    }
}
