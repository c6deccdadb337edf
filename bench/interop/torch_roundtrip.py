"""PyTorch ⇄ Compiled checkpoint round trip for the seed autoencoder (issue: checkpoints and PyTorch interop).

Writes, next to this script (committed, so the C# test needs no Python):
  torch_trained.safetensors   PyTorch's parameters after 3 SGD steps (state_dict names: hid1.weight, hid1.bias, out.weight, out.bias)
  torch_reference.safetensors the batch (input [8,784]), PyTorch's output on it after those 3 steps, and the parameters
                              after one more SGD step on it (next.hid1.weight, …); the loss in the metadata
  torch_on_compiled.safetensors  PyTorch's output on the same batch after loading compiled_saved.safetensors — a file
                              our model wrote (bench/Compiled.Benchmarks: `interop-save`): the reverse direction
safetensors is written and read by hand with struct + json (no extra package).

Usage: /usr/bin/python3 bench/interop/torch_roundtrip.py
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


class L1Penalty(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, l1weight):
        ctx.save_for_backward(input)
        ctx.l1weight = l1weight
        return input

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return input.sign().mul(ctx.l1weight) + grad_output, None


class SparseAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.hid1 = nn.Linear(784, 400)
        self.out = nn.Linear(400, 784)

    def forward(self, x):
        h = L1Penalty.apply(torch.tanh(self.hid1(x)), 0.1)
        return torch.sigmoid(self.out(h))


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(info["shape"])
    return out, header.get("__metadata__", {})


def main():
    torch.manual_seed(0)
    model = SparseAutoencoder()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    crit = nn.MSELoss()
    x = torch.rand(8, 784)
    for _ in range(3):
        opt.zero_grad()
        crit(model(x), x).backward()
        opt.step()
    write_safetensors(os.path.join(HERE, "torch_trained.safetensors"), model.state_dict(),
                      {"format": "pytorch", "note": "seed autoencoder after 3 SGD steps (lr 0.01, L1Penalty 0.1, MSE)"})
    with torch.no_grad():
        y = model(x)
    opt.zero_grad()
    loss = crit(model(x), x)
    loss.backward()
    opt.step()
    reference = {"input": x, "output": y}
    reference.update({"next." + k: v for k, v in model.state_dict().items()})
    write_safetensors(os.path.join(HERE, "torch_reference.safetensors"), reference,
                      {"format": "pytorch", "mse_before_step": repr(loss.item()), "lr": "0.01", "l1weight": "0.1"})
    print("wrote torch_trained / torch_reference; mse before the 4th step", loss.item())

    ours = os.path.join(HERE, "compiled_saved.safetensors")
    if os.path.exists(ours):
        params, meta = read_safetensors(ours)
        theirs = SparseAutoencoder()
        theirs.load_state_dict(params)  # strict: names and shapes must match a PyTorch state_dict
        with torch.no_grad():
            y2 = theirs(x)
        write_safetensors(os.path.join(HERE, "torch_on_compiled.safetensors"), {"input": x, "output": y2},
                          {"format": "pytorch", "loaded_from": "compiled_saved.safetensors", "compiled_metadata": json.dumps(meta)})
        print("loaded Compiled's checkpoint into PyTorch (strict) and wrote its outputs")
    else:
        print("compiled_saved.safetensors not found: run `dotnet run -c Release --project bench/Compiled.Benchmarks -- interop-save` first")


if __name__ == "__main__":
    main()
