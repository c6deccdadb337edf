using System.ComponentModel;

namespace Compiled.Kernels;

/// <summary>
/// The constants of one small Dense layer, written by the generator as a struct per layer (<c>Hid1Shape</c>). The
/// kernels of <see cref="SmallDense"/> are instantiated with it, so the JIT (or NativeAOT) compiles them for exactly
/// these sizes and this activation: loop bounds, vectors per row, tails, the tile shape and the activation are constants
/// of the compiled code, and nothing is decided per call.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ISmallDense
{
    /// <summary>Inputs per row, 1 to <see cref="SmallDense.MaxSize"/>.</summary>
    static abstract int Inputs { get; }

    /// <summary>Units (outputs per row), 1 to <see cref="SmallDense.MaxSize"/>.</summary>
    static abstract int Units { get; }

    /// <summary>The element-wise activation (not softmax).</summary>
    static abstract Activation Activation { get; }

    /// <summary>α of LeakyReLU and ELU; ignored by the other activations.</summary>
    static abstract float Alpha { get; }
}
