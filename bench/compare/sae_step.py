"""PyTorch budget for issue 18: one training step of the sparse autoencoders the issue targets, written the way an SAE
user writes them, timed whole and piece by piece on the CPU.

TopK(32) SAE 784 -> 4096 -> 784 (the OpenAI / EleutherAI "sparsify" recipe): encoder Linear, topk on the
pre-activations, relu of the kept values scattered into a dense code, dense decoder Linear, MSE, Adam.
ReLU + L1 SAE 784 -> 1024 -> 784: encoder Linear + ReLU, decoder Linear, MSE + l1 * |z|.sum(-1).mean(), Adam.

Timing: warm-up, calibrate to ~target seconds, 7 repetitions, median (as torch_models.py). Prints one table.
Usage: env -u OPENBLAS_CORETYPE /usr/bin/python3 bench/compare/sae_step.py [THREADS] [--batch 256] [--target 0.3]
"""
import os
import sys

if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1].isdigit():
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = sys.argv[1]

import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import torch_models


class TopKSAE(nn.Module):
    def __init__(self, d_in=784, d_hidden=4096, k=32):
        super().__init__()
        self.k = k
        self.encoder = nn.Linear(d_in, d_hidden)
        self.decoder = nn.Linear(d_hidden, d_in)

    def encode(self, x):
        pre = self.encoder(x)
        vals, idx = pre.topk(self.k, dim=-1, sorted=False)
        return torch.zeros_like(pre).scatter_(-1, idx, F.relu(vals))

    def forward(self, x):
        z = self.encode(x)
        return self.decoder(z), z


class ReluL1SAE(nn.Module):
    def __init__(self, d_in=784, d_hidden=1024):
        super().__init__()
        self.encoder = nn.Linear(d_in, d_hidden)
        self.decoder = nn.Linear(d_hidden, d_in)

    def forward(self, x):
        z = F.relu(self.encoder(x))
        return self.decoder(z), z


def timeit(fn, target, reps=7):
    """torch_models.py's timer (warm-up, calibrate to ~target seconds, reps repetitions); the median, in seconds."""
    return torch_models.timeit(fn, target, reps)[0]


def budget(name, model, x, l1, target):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def loss_of():
        recon, z = model(x)
        loss = F.mse_loss(recon, x)
        if l1:
            loss = loss + l1 * z.abs().sum(-1).mean()
        return loss

    def step():
        opt.zero_grad(set_to_none=True)
        loss_of().backward()
        opt.step()

    def forward_backward():
        opt.zero_grad(set_to_none=True)
        loss_of().backward()

    rows = []
    total = timeit(step, target)
    fb = timeit(forward_backward, target)
    with torch.no_grad():
        enc = model.encoder
        pre = enc(x)
        z = model.encode(x) if isinstance(model, TopKSAE) else F.relu(pre)
        density = (z != 0).float().mean().item()
        rows.append(("encoder Linear (x·Wᵀ + b)", timeit(lambda: enc(x), target)))
        if isinstance(model, TopKSAE):
            def select():
                vals, idx = pre.topk(model.k, dim=-1, sorted=False)
                return torch.zeros_like(pre).scatter_(-1, idx, F.relu(vals))
            rows.append(("topk + relu + scatter", timeit(select, target)))
        else:
            rows.append(("relu", timeit(lambda: F.relu(pre), target)))
        rows.append(("decoder Linear (z·W_decᵀ + b, dense)", timeit(lambda: model.decoder(z), target)))
        fwd = timeit(lambda: loss_of(), target)
    forward_backward()
    rows.append(("forward incl. loss (no grad)", fwd))
    rows.append(("backward (forward+backward − forward)", fb - fwd))
    rows.append(("Adam step (timed alone)", timeit(opt.step, target)))
    rows.append(("whole step: zero_grad, forward, backward, Adam", total))
    print(f"\n{name}: batch {x.shape[0]}, {torch.get_num_threads()} thread(s), code density {density * 100:.2f} % (after the timed steps)")
    for label, t in rows:
        print(f"  {label:<50}{t * 1e3:9.3f} ms")
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("threads", type=int, nargs="?", default=1)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--target", type=float, default=0.3)
    ap.add_argument("--l1", type=float, default=1e-3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); " + torch.__config__.parallel_info().splitlines()[0])
    # Inputs in [0, 1] like Fashion-MNIST pixels (the timing does not depend on the values, only the ReLU code's density does).
    x = torch.rand(args.batch, 784)
    budget("TopK(32) SAE 784→4096→784, Adam", TopKSAE(), x, 0.0, args.target)
    budget(f"ReLU + L1({args.l1}) SAE 784→1024→784, Adam", ReluL1SAE(), x, args.l1, args.target)


if __name__ == "__main__":
    main()
