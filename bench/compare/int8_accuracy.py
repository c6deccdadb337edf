"""PyTorch's int8 on the same trained weights as `dotnet run -c Release --project bench/Compiled.Benchmarks -- int8-accuracy`.

Reads the two float models that command writes (safetensors, parsed by hand with struct + json, no extra package) and
Fashion-MNIST's 10,000 test images, and reports for torch.ao.quantization.quantize_dynamic(model, {nn.Linear},
dtype=torch.qint8) (default engine) against the same model in float32: max and mean |Δ output| of the seed
autoencoder, and the classifier's test accuracy in both forms — the numbers our int8 form is compared with in
docs/quantization.md.

Usage: /usr/bin/python3 bench/compare/int8_accuracy.py [DIR (default bench/compare/int8)] [--data DIR] [--test N]
(--test N: the first N test images, as the C# command's --test.)
"""
import argparse
import gzip
import json
import os
import struct

import torch
import torch.nn as nn


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        assert entry["dtype"] == "F32", entry
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(entry["shape"])
        tensors[name] = t.clone()
    return tensors


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def dense(sizes, activations, state):
    layers = []
    for (i, o), act, name in zip(zip(sizes, sizes[1:]), activations, ("hid1", "out")):
        linear = nn.Linear(i, o)
        linear.weight.data.copy_(state[name + ".weight"])
        linear.bias.data.copy_(state[name + ".bias"])
        layers += [linear, act]
    return nn.Sequential(*layers).eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=os.path.join("bench", "compare", "int8"))
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--test", type=int, default=10000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    images = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")).reshape(-1, 784).float()[:args.test] / 255
    labels = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz")).long()[:args.test]
    print(f"PyTorch {torch.__version__}, quantized engine {torch.backends.quantized.engine}, {len(images)} test images")

    seed = dense([784, 400, 784], [nn.Tanh(), nn.Sigmoid()], read_safetensors(os.path.join(args.dir, "seed_autoencoder.safetensors")))
    seed8 = torch.ao.quantization.quantize_dynamic(seed, {nn.Linear}, dtype=torch.qint8)
    with torch.no_grad():
        d = (seed(images) - seed8(images)).abs()
    print(f"seed autoencoder: quantize_dynamic against float32 over {d.numel():,} outputs: max |Δ| {d.max().item():.3e}, mean |Δ| {d.mean().item():.3e}")

    classifier = dense([784, 256, 10], [nn.ReLU(), nn.Softmax(dim=1)], read_safetensors(os.path.join(args.dir, "classifier.safetensors")))
    classifier8 = torch.ao.quantization.quantize_dynamic(classifier, {nn.Linear}, dtype=torch.qint8)
    with torch.no_grad():
        pf, pq = classifier(images).argmax(1), classifier8(images).argmax(1)
    af, aq = (pf == labels).float().mean().item() * 100, (pq == labels).float().mean().item() * 100
    print(f"classifier: test accuracy float32 {af:.2f} %, quantize_dynamic {aq:.2f} % (Δ {aq - af:+.2f} points); same predicted class on {(pf == pq).float().mean().item() * 100:.2f} % of the images")


if __name__ == "__main__":
    main()
