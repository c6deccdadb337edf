using System;
using Xunit;

namespace Compiled.Tests.Infrastructure;

/// <summary>Central finite differences of a float64 model's total loss against its analytic gradient, in double.</summary>
public static class FiniteDifference64
{
    /// <summary>
    /// For every parameter p: (L(p + h) − L(p − h)) / 2h against the analytic gradient g, |fd − g| ≤ tol·max(1, |g|).
    /// Returns the worst error found. With h = 1e−6 the truncation error (h²/6·L''') is ~1e−13 and the rounding error
    /// (ε·|L|/h) ~1e−10, both far below 1e−7. A kink of |a| or relu inside [p − h, p + h] (one-sided differences
    /// disagreeing by more than 1e−4, where curvature explains ~h·L'' ≈ 1e−6) is skipped and must be rare; with h = 1e−6
    /// a pre-activation has to lie within ~1e−6 of 0 for that to happen.
    /// </summary>
    public static double Check(Span<double> parameters, ReadOnlySpan<double> gradient, Func<double> loss, double h, double tol, string what)
    {
        double[] analytic = gradient.ToArray();
        double worst = 0, l0 = loss();
        int worstAt = -1, skipped = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            double p = parameters[i];
            double up = p + h, down = p - h;
            parameters[i] = up;
            double plus = loss();
            parameters[i] = down;
            double minus = loss();
            parameters[i] = p;
            double scale = Math.Max(1, Math.Abs(analytic[i]));
            double forward = (plus - l0) / (up - p), backward = (l0 - minus) / (p - down);
            if (Math.Abs(forward - backward) > 1e-4 * scale) { skipped++; continue; }
            double fd = (plus - minus) / (up - down);
            double err = Math.Abs(fd - analytic[i]) / scale;
            if (err > worst) { worst = err; worstAt = i; }
        }
        Assert.True(worst <= tol, $"{what}: worst finite-difference error {worst:E2} at parameter {worstAt} (tolerance {tol:E1})");
        Assert.True(skipped <= parameters.Length / 10, $"{what}: {skipped} of {parameters.Length} parameters straddle a kink");
        return worst;
    }
}
