using System;
using System.ComponentModel;
using System.Globalization;
using System.Numerics.Tensors;

namespace Compiled
{
    /// <summary>
    /// A training step produced a non-finite loss or gradient. The update was not applied: the parameters are those
    /// before the step. <see cref="Term"/> names what went non-finite first (a loss term such as <c>data</c> or
    /// <c>hid1.activity_l1</c>, or a gradient such as <c>gradient of out.weight</c>).
    /// </summary>
    public sealed class TrainingDivergedException : Exception
    {
        /// <summary>Creates the exception for training step <paramref name="step"/> (counted from 0).</summary>
        public TrainingDivergedException(long step, string term, float value)
            : base(string.Format(CultureInfo.InvariantCulture,
                "Training diverged at step {0}: {1} is {2}. The update was not applied; the model keeps its parameters. " +
                "Lower the learning rate or the regularization, or check the inputs for NaN/Inf.", step, term, value))
        {
            Step = step;
            Term = term;
        }

        /// <summary>Creates the exception for a float64 model's step <paramref name="step"/> (counted from 0).</summary>
        public TrainingDivergedException(long step, string term, double value)
            : base(string.Format(CultureInfo.InvariantCulture,
                "Training diverged at step {0}: {1} is {2}. The update was not applied; the model keeps its parameters. " +
                "Lower the learning rate or the regularization, or check the inputs for NaN/Inf.", step, term, value))
        {
            Step = step;
            Term = term;
        }

        /// <summary>The training step (0 = the model's first <c>TrainStep</c>).</summary>
        public long Step { get; }

        /// <summary>What went non-finite.</summary>
        public string Term { get; }
    }
}

namespace Compiled.Kernels
{
    /// <summary>The divergence check generated into <c>TrainStep</c>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static partial class Divergence
    {
        /// <summary>True when every element is finite: one vectorized pass (the largest magnitude is NaN if any element is
        /// NaN, and ∞ if any is ±∞).</summary>
        public static bool AllFinite(ReadOnlySpan<float> values)
            => values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values));

        /// <summary>max |v| over the span (NaN if any element is NaN; 0 for an empty span).</summary>
        public static float MaxAbs(ReadOnlySpan<float> values)
            => values.IsEmpty ? 0f : MathF.Abs(TensorPrimitives.MaxMagnitude(values));
    }
}
