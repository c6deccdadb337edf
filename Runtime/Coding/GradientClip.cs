using System;
using System.Numerics;

namespace Compiled.Kernels;

/// <summary><c>torch.nn.utils.clip_grad_norm_</c> over the whole gradient block.</summary>
public static class GradientClip
{
    /// <summary>
    /// The L2 norm n of <paramref name="g"/> (summed in double); when n &gt; <paramref name="maxNorm"/>, g ← g·c with
    /// c = maxNorm / (n + 1e−6), as PyTorch (which clamps c at 1). Returns n.
    /// </summary>
    public static double Norm<T>(Span<T> g, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T v in g)
        {
            double x = double.CreateTruncating(v);
            sum += x * x;
        }
        double norm = Math.Sqrt(sum);
        double c = maxNorm / (norm + 1e-6);
        if (c < 1)
        {
            T s = T.CreateTruncating(c);
            for (int i = 0; i < g.Length; i++) g[i] *= s;
        }
        return norm;
    }
}
