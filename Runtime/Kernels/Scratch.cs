using System;

namespace Compiled.Kernels;

/// <summary>
/// Per-thread packing memory for the GEMM. It grows to the largest shape a thread has seen and is then reused, so
/// steady-state calls allocate nothing (the allocation tests warm up first).
/// </summary>
internal static class Scratch
{
    [ThreadStatic]
    private static float[]? t_buffer;

    public static float[] Get(int length)
    {
        float[]? b = t_buffer;
        if (b is null || b.Length < length) t_buffer = b = new float[Math.Max(length, 4096)];
        return b;
    }
}
