using System;
using Compiled.Kernels;
using Compiled.Tests.Models;

namespace Compiled.Tests.Infrastructure;

/// <summary>
/// The hand-written equivalent of a generated model's <c>Quantize()</c> (the factory over the public layer views), and the
/// quantized forward pass by its definition, with the scalar kernels.
/// </summary>
public static class Quantization
{
    public static QuantizedLayerSource Layer(string name, int inputs, int units, Span<float> weight, Span<float> bias, Activation activation, float alpha = 0f)
        => new(name, inputs, units, weight.ToArray(), bias.ToArray(), activation, alpha);

    /// <summary>The hand-written equivalent of the generated <c>Quantize</c>: the factory over the model's public views.</summary>
    public static QuantizedModel FromViews(OddWidths m, int maxBatch)
        => QuantizedModel.Create(
        [
            Layer("hid1", 37, 45, m.Hid1Weight, m.Hid1Bias, Activation.Tanh),
            Layer("hid2", 45, 19, m.Hid2Weight, m.Hid2Bias, Activation.Elu, 0.7f),
            Layer("out", 19, 3, m.OutWeight, m.OutBias, Activation.Sigmoid),
        ], maxBatch);

    /// <summary>
    /// The outputs by the definition, one row at a time: each layer quantizes its input row, multiplies with the scalar
    /// reference and applies its activation to the row.
    /// </summary>
    public static float[] Reference(QuantizedModel model, ReadOnlySpan<float> inputs, int batch)
    {
        var outputs = new float[batch * model.OutputSize];
        for (int r = 0; r < batch; r++)
        {
            float[] a = inputs.Slice(r * model.InputSize, model.InputSize).ToArray();
            foreach (QuantizedLayer layer in model.Layers)
            {
                var q = new short[2 * Int8Gemm.Pairs(layer.Inputs)];
                var scale = new float[1];
                Int8Gemm.QuantizeRows(1, layer.Inputs, a, layer.InputRange, q, scale, width: 0);
                var z = new float[layer.Units];
                Int8Gemm.ProductScalar(1, layer.Units, layer.Inputs, q, scale, layer.Weight, layer.WeightScale, layer.Bias, z, 0, layer.Units);
                layer.Activate(z, 1);
                a = z;
            }
            a.CopyTo(outputs, r * model.OutputSize);
        }
        return outputs;
    }

    public static float[] Uniform(int n, int seed, float low = 0f, float high = 1f)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < a.Length; i++) a[i] = low + (float)r.NextDouble() * (high - low);
        return a;
    }
}
