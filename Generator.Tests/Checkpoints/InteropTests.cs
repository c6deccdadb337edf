using System;
using System.IO;
using System.Linq;
using Compiled.Tests.Infrastructure;
using Xunit;

namespace Compiled.Tests.Interop
{
    /// <summary>The seed network exactly as the PyTorch reference trains it: L1Penalty(0.1) sums, SGD lr 0.01.</summary>
    [Input(784)]
    [Dense(400, Activation.Tanh)]
    [ActivityL1(0.1, Scaling = Scaling.Sum)]
    [Dense(784, Activation.Sigmoid)]
    public partial class SeedAutoencoder;

    /// <summary>
    /// Checkpoints across frameworks, with files committed under bench/interop (bench/interop/torch_roundtrip.py wrote
    /// the PyTorch ones; bench/Compiled.Benchmarks `interop-save` wrote ours).
    /// </summary>
    public class TorchInteropTests
    {
        private static string File(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", name);

        private static readonly TensorLayout[] Reference =
        [
            new("input", 0, [8, 784]),
            new("output", 8 * 784, [8, 784]),
            new("next.hid1.weight", 2 * 8 * 784, [400, 784]),
            new("next.hid1.bias", 2 * 8 * 784 + 313600, [400]),
            new("next.out.weight", 2 * 8 * 784 + 314000, [784, 400]),
            new("next.out.bias", 2 * 8 * 784 + 627600, [784]),
        ];

        [Fact]
        public void A_PyTorch_checkpoint_loads_and_reproduces_PyTorchs_outputs_and_next_SGD_step()
        {
            var model = new SeedAutoencoder(8, 0);
            model.Load(File("torch_trained.safetensors"));
            var reference = new float[2 * 8 * 784 + SeedAutoencoder.ParameterCount];
            Checkpoint.Load(File("torch_reference.safetensors"), reference, Reference);
            float[] input = reference[..(8 * 784)], output = reference[(8 * 784)..(2 * 8 * 784)], next = reference[(2 * 8 * 784)..];

            var y = new float[8 * 784];
            model.Predict(input, y, 8);
            Approx.Equal(output.Select(v => (double)v).ToArray(), y, 1e-5, 1e-6, "output after loading PyTorch's parameters");

            model.TrainStep(input, input, 8);
            Approx.Equal(next.Select(v => (double)v).ToArray(), model.Parameters, 1e-5, 1e-6, "parameters after one more SGD step");
        }

        [Fact]
        public void Our_checkpoint_is_what_PyTorch_loaded_and_PyTorch_computes_our_outputs_from_it()
        {
            // Byte for byte the committed file: Save is deterministic for a seed.
            var model = new SeedAutoencoder(8, 123);
            using var saved = new MemoryStream();
            model.Save(saved);
            Assert.Equal(System.IO.File.ReadAllBytes(File("compiled_saved.safetensors")), saved.ToArray());

            // PyTorch (load_state_dict, strict) ran the same batch through it.
            var torch = new float[2 * 8 * 784];
            Checkpoint.Load(File("torch_on_compiled.safetensors"), torch, [new("input", 0, [8, 784]), new("output", 8 * 784, [8, 784])]);
            var y = new float[8 * 784];
            model.Predict(torch.AsSpan(0, 8 * 784), y, 8);
            Approx.Equal(torch[(8 * 784)..].Select(v => (double)v).ToArray(), y, 1e-5, 1e-6, "our outputs vs PyTorch's on our checkpoint");
        }
    }
}
