using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

internal static class ScalarMath
{
    /// <summary>sign(x) with sign(0) = 0 and sign(NaN) = 0 (MathF.Sign throws on NaN; a kernel must not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sign(float x) => x > 0 ? 1f : x < 0 ? -1f : 0f;
}
