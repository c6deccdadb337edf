"""PyTorch side of bench/compare, written the way a PyTorch user writes these models.

Seed sparse autoencoder: 784 -> Linear(400) + Tanh -> L1Penalty (custom autograd function, l1weight = 0.1)
-> Linear(784) + Sigmoid; MSELoss(out, x); SGD(lr=0.01); zero_grad / backward / step.
Tiny MLP (the SimpleChains.jl benchmark shape): 4 -> 32 tanh -> 16 tanh -> 4, MSE, SGD.
SimpleChains' README shape: 24 -> 8 tanh -> 2, MSE, the loss and its gradient over 200 rows (zero_grad / backward).
Inference in int8: the seed model through torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
(PyTorch's own answer for Linear layers on CPU: int8 weights, activations quantized per call), under no_grad, with the
default quantized engine (recorded in the info line).
Timing as the reference anchors: warm-up, calibrate to ~0.3 s, 7 repetitions, median. Prints JSON lines.

Usage: /usr/bin/python3 torch_models.py THREADS [--batches 1,16,64,256,1024] [--infer-batches 1,256] [--only infer|sae|small]
"""
import json
import os
import sys

if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1].isdigit():
    # OpenBLAS and OpenMP read their thread counts when torch is imported.
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = sys.argv[1]

import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class L1Penalty(torch.autograd.Function):
    """Identity forward; backward adds l1weight * sign(input) to the incoming gradient."""

    @staticmethod
    def forward(ctx, input, l1weight):
        ctx.save_for_backward(input)
        ctx.l1weight = l1weight
        return input

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = input.clone().sign().mul(ctx.l1weight)
        grad_input += grad_output
        return grad_input, None


class SparseAutoencoder(nn.Module):
    def __init__(self, l1weight=0.1):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, 400), nn.Tanh())
        self.decoder = nn.Sequential(nn.Linear(400, 784), nn.Sigmoid())
        self.l1weight = l1weight

    def forward(self, x):
        return self.decoder(L1Penalty.apply(self.encoder(x), self.l1weight))


def timeit(fn, target, reps=7):
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t > target / 4:
            break
        n *= 2
    n = max(3, int(n * target / t))
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        ts.append((time.perf_counter() - t0) / n)
    ts.sort()
    return ts[len(ts) // 2], ts[0], ts[-1]


def row(kind, batch, timing, threads):
    med, lo, hi = timing
    return dict(framework="pytorch", kind=kind, B=batch, threads=threads, us_med=med * 1e6, us_min=lo * 1e6, us_max=hi * 1e6,
                samples_per_s=batch / med)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("threads", type=int)
    ap.add_argument("--batches", default="1,16,64,256,1024")
    ap.add_argument("--infer-batches", default="1,256")
    ap.add_argument("--target", type=float, default=0.3)
    ap.add_argument("--only", default="all", choices=["all", "infer", "sae", "small"],
                    help="infer: the inference rows alone (float32 and int8); sae: the sparse autoencoder rows alone (issue 18); "
                         "small: the tiny MLP and SimpleChains' README shape alone (issue 19)")
    args = ap.parse_args()
    if args.only in ("infer", "sae", "small"):
        args.batches = ""
    if args.only in ("sae", "small"):
        args.infer_batches = ""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(json.dumps(dict(framework="pytorch", kind="info", torch=torch.__version__, threads=torch.get_num_threads(),
                          openblas_coretype=os.environ.get("OPENBLAS_CORETYPE"), quantized_engine=torch.backends.quantized.engine,
                          cpu_capability=getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", lambda: None)())), flush=True)

    for b in [int(v) for v in args.batches.split(",") if v]:
        model = SparseAutoencoder()
        criterion = nn.MSELoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.rand(b, 784)

        def step():
            optimizer.zero_grad()
            loss = criterion(model(x), x)
            loss.backward()
            optimizer.step()

        for _ in range(20):
            step()
        print(json.dumps(row("train", b, timeit(step, args.target), args.threads)), flush=True)

    for b in [int(v) for v in args.infer_batches.split(",") if v]:
        model = SparseAutoencoder().eval()
        x = torch.rand(b, 784)

        def infer():
            with torch.inference_mode():
                return model(x)

        for _ in range(20):
            infer()
        print(json.dumps(row("infer", b, timeit(infer, args.target), args.threads)), flush=True)

    for b in [int(v) for v in args.infer_batches.split(",") if v]:
        model = torch.ao.quantization.quantize_dynamic(SparseAutoencoder().eval(), {nn.Linear}, dtype=torch.qint8)
        x = torch.rand(b, 784)

        def infer_int8():
            with torch.no_grad():
                return model(x)

        for _ in range(20):
            infer_int8()
        print(json.dumps(row("infer_int8", b, timeit(infer_int8, args.target), args.threads)), flush=True)

    if args.only in ("all", "sae"):
        sae_rows(args)

    for b in ((1, 100) if args.only in ("all", "small") else ()):
        m = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 4))
        optimizer = torch.optim.SGD(m.parameters(), lr=0.01)
        criterion = nn.MSELoss()
        x, y = torch.randn(b, 4), torch.randn(b, 4)

        def tiny():
            optimizer.zero_grad()
            criterion(m(x), y).backward()
            optimizer.step()

        for _ in range(200):
            tiny()
        print(json.dumps(row("tiny_train", b, timeit(tiny, args.target), args.threads)), flush=True)

    for b in ((200,) if args.only in ("all", "small") else ()):
        m = nn.Sequential(nn.Linear(24, 8), nn.Tanh(), nn.Linear(8, 2))
        criterion = nn.MSELoss()
        x, y = torch.randn(b, 24), torch.randn(b, 2)

        def readme():
            m.zero_grad()
            loss = criterion(m(x), y)
            loss.backward()
            return loss

        for _ in range(200):
            readme()
        print(json.dumps(row("readme_grad", b, timeit(readme, args.target), args.threads)), flush=True)


def sae_rows(args):
    """Issue 18's sparse autoencoders as an SAE user writes them (sae_step.py): TopK(32) 784→4096→784 and ReLU + L1(0.001)
    784→1024→784, MSE, Adam 1e-3, batch 256. The ReLU + L1 model first trains 300 steps on its batch to reach its working
    sparsity (Compiled's sparse path depends on it; PyTorch's time does not). Then Predict-style inference at batch 1 and
    256 with the trained models."""
    from sae_step import ReluL1SAE, TopKSAE
    b = 256
    x = torch.rand(b, 784)
    for kind, model, l1, warm in (("sae_topk", TopKSAE(), 0.0, 20), ("sae_l1", ReluL1SAE(), 1e-3, 300)):
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            recon, z = model(x)
            loss = F.mse_loss(recon, x)
            if l1:
                loss = loss + l1 * z.abs().sum(-1).mean()
            loss.backward()
            opt.step()

        for _ in range(warm):
            step()
        r = row(kind + "_train", b, timeit(step, args.target), args.threads)
        with torch.no_grad():
            r["density"] = float((model(x)[1] != 0).float().mean())
        print(json.dumps(r), flush=True)
        if kind == "sae_l1":
            fashion_mnist_l1_row(args, b)
        for ib in (1, 256):
            xi = x[:ib].contiguous()

            def infer():
                with torch.inference_mode():
                    return model(xi)[0]

            for _ in range(20):
                infer()
            print(json.dumps(row(kind + "_infer", ib, timeit(infer, args.target), args.threads)), flush=True)


def fashion_mnist_l1_row(args, b):
    """The ReLU + L1 SAE trained on Fashion-MNIST (when installed) as Compare.cs does: 2 epochs over the first 25,600
    training images in order, batches of 256, then timed on the first batch."""
    import gzip
    path = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
    if not os.path.exists(path):
        return
    from sae_step import ReluL1SAE
    with gzip.open(path, "rb") as f:
        raw = f.read()
    pixels = torch.frombuffer(bytearray(raw[16:16 + 25_600 * 784]), dtype=torch.uint8).to(torch.float32).div_(255).reshape(-1, 784)
    model = ReluL1SAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(x):
        opt.zero_grad(set_to_none=True)
        recon, z = model(x)
        (F.mse_loss(recon, x) + 1e-3 * z.abs().sum(-1).mean()).backward()
        opt.step()

    for _ in range(2):
        for first in range(0, 25_600, b):
            step(pixels[first:first + b])
    x0 = pixels[:b].contiguous()
    r = row("sae_l1_fm_train", b, timeit(lambda: step(x0), args.target), args.threads)
    with torch.no_grad():
        r["density"] = float((model(x0)[1] != 0).float().mean())
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
