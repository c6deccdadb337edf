using System;
using Xunit;

namespace Compiled.Tests.Infrastructure;

/// <summary>Central finite differences of a model's total loss against its analytic gradient.</summary>
public static class FiniteDifference
{
    /// <summary>
    /// For every parameter p: (L(p + h) − L(p − h)) / 2h, with the loss evaluated by <paramref name="loss"/> (a float32
    /// model whose terms are accumulated in double), compared with |fd − g| ≤ tol·max(1, |g|).
    /// A kink of |a| or relu inside [p − h, p + h] makes central differences meaningless there: such parameters are
    /// detected (one-sided differences disagree far more than curvature explains), skipped, and must be rare. The
    /// conventions exactly at a kink (sign(0) = 0, relu'(0) = 0) are tested against golden values instead.
    /// </summary>
    public static void Check(Span<float> parameters, ReadOnlySpan<float> gradient, Func<double> loss, double h, double tol, string what, bool skipKinks = true)
    {
        float[] analytic = gradient.ToArray();
        double worst = 0;
        int worstAt = -1, skipped = 0;
        double l0 = loss();
        for (int i = 0; i < parameters.Length; i++)
        {
            float p = parameters[i];
            float up = (float)(p + h), down = (float)(p - h);
            parameters[i] = up;
            double plus = loss();
            parameters[i] = down;
            double minus = loss();
            parameters[i] = p;
            double forward = (plus - l0) / (up - (double)p), backward = (l0 - minus) / (p - (double)down);
            double scale = Math.Max(1, Math.Abs(analytic[i]));
            if (skipKinks && Math.Abs(forward - backward) > 5 * tol * scale) { skipped++; continue; }
            double fd = (plus - minus) / ((double)up - down);
            double err = Math.Abs(fd - analytic[i]) / scale;
            if (err > worst) { worst = err; worstAt = i; }
        }
        Assert.True(worst <= tol, $"{what}: worst finite-difference error {worst:E2} at parameter {worstAt} (tolerance {tol:E1})");
        Assert.True(skipped <= parameters.Length / 10, $"{what}: {skipped} of {parameters.Length} parameters straddle a kink");
    }
}
