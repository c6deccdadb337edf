using System;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit.Layers;

/// <summary>
/// What one layer kind writes into each generated member and pass. The model's emitters walk the layer sequence and
/// ask each layer's emitter for its part; a new kind is one record (Model/Layers.cs) plus one subclass of this.
/// </summary>
/// <remarks>
/// The protocol, in the order the generated class reads:
/// workspace fields and allocations (its buffers) → initialization (constructor) → views (public spans) → forward step →
/// backward step (the gradient of the loss with respect to its input, written into the layer below) → parameter
/// gradients → nested types. Kinds that own no parameters or buffers keep the empty defaults.
/// </remarks>
internal abstract class LayerEmitter
{
    public static LayerEmitter For(ModelSpec m, LayerSpec layer) => layer switch
    {
        DenseSpec { Small: true } d => new SmallDenseEmitter(m, d),
        DenseSpec d => new DenseEmitter(m, d),
        TiedSpec t => new TiedEmitter(m, t),
        NoiseSpec n => new NoiseEmitter(m, n),
        _ => throw new ArgumentException("no emitter for layer kind " + layer.GetType().Name, nameof(layer)),
    };

    protected LayerEmitter(ModelSpec model) => M = model;

    protected ModelSpec M { get; }

    /// <summary>The layer in the one-line architecture: <c>hid1: Dense 400 tanh</c>.</summary>
    public abstract string Architecture { get; }

    /// <summary>The layer's row in <c>Summary()</c>: its name, what it computes, how many parameters it owns.</summary>
    public abstract string SummaryName { get; }

    public abstract string SummaryActivation { get; }

    public abstract long OwnParameters { get; }

    /// <summary>The expression of the rows the layer after this one read in the last training pass: [batch, Units].</summary>
    public abstract string OutputRows { get; }

    /// <summary>Its buffers, as fields of the generated <c>Workspace</c> class, one line each with what they hold.</summary>
    public virtual void WorkspaceFields(IndentedWriter w) { }

    /// <summary>The Workspace constructor: allocates them for <c>maxBatch</c> rows (those only training needs when <c>training</c>).</summary>
    public virtual void WorkspaceAllocations(IndentedWriter w) { }

    /// <summary>Constructor, after every allocation: the initial parameters.</summary>
    public virtual void Initialization(IndentedWriter w) { }

    /// <summary>Public views of parameters and buffers.</summary>
    public virtual void Views(IndentedWriter w) { }

    /// <summary>The forward step from <paramref name="input"/> (an expression of the rows it reads); returns the expression of its output rows.</summary>
    public abstract string Forward(IndentedWriter w, string input);

    /// <summary>In <c>Run</c>, before the forward call: span locals over the buffers the loss and backward passes read.</summary>
    public virtual void RunLocals(IndentedWriter w) { }

    /// <summary>
    /// The backward step to the input: ∂loss/∂input written into <paramref name="destination"/> (a span local of the
    /// layer below, [batch, Inputs]), from this layer's own delta.
    /// </summary>
    public virtual void InputGradient(IndentedWriter w, string destination) { }

    /// <summary>How <see cref="InputGradient"/> reads in a formula comment, e.g. <c>δ_out·W_out</c>.</summary>
    public virtual string InputGradientFormula => "";

    /// <summary>
    /// The layer as a <c>QuantizedLayerSource</c> for <c>Quantize()</c> (an expression), or null when it computes nothing
    /// at inference (noise kinds).
    /// </summary>
    public virtual string? QuantizedSource => null;

    /// <summary>
    /// The parameter gradients from this layer's delta and <paramref name="input"/>: into the gradient block, or applied
    /// as p ← p − lr·g when <paramref name="sgd"/> (the fused SGD step).
    /// </summary>
    public virtual void ParameterGradients(IndentedWriter w, string input, bool sgd) { }

    /// <summary>
    /// After every layer's own parameter gradients: this layer's share of parameters another layer owns (a tied layer's
    /// share of its partner's weights), added.
    /// </summary>
    public virtual void SharedParameterGradients(IndentedWriter w, string input) { }

    /// <summary>Types of its own, nested in the model class after the others (each preceded by a blank line).</summary>
    public virtual void NestedTypes(IndentedWriter w) { }
}
