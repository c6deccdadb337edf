namespace Compiled.Samples;

/// <summary>
/// One line of an <see cref="SvgChart"/>: points (<c>X[i]</c>, <c>Y[i]</c>) in order. A point with a non-finite
/// coordinate (or, on a log axis, a y ≤ 0) is not drawn and breaks the line there.
/// </summary>
public sealed record Series(string Name, double[] X, double[] Y);
