"""Turns the JSON lines of bench/compare/run.sh into one Markdown table (medians of the per-round medians)."""
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


rows = [r for path in sys.argv[1:] for r in load(path)]
info = [r for r in rows if r.get("kind") == "info"]
by = defaultdict(list)
for r in rows:
    if r.get("kind") in ("info",):
        continue
    by[(r["framework"], r["kind"], r.get("B"), r["threads"])].append(r)

fma = {t: max(r["gflops"] for r in rs) for (fw, k, b, t), rs in by.items() if k == "fma_ceiling"}


def med(key, field):
    values = [r[field] for r in by.get(key, []) if field in r]
    return statistics.median(values) if values else None


def flops_per_sample(kind):
    # seed model: 2 forward GEMMs + dH + dW1 + dW2 (the input needs no gradient) = 5 · 2·784·400; forward only: 2.
    return {"train": 5 * 2 * 784 * 400, "infer": 2 * 2 * 784 * 400}.get(kind)


if info:
    i = info[0]
    print(f"PyTorch {i.get('torch')}, cpu capability {i.get('cpu_capability')}, OPENBLAS_CORETYPE={i.get('openblas_coretype')}"
          + (f", quantized engine {i.get('quantized_engine')}" if i.get("quantized_engine") else ""))
print(f"FMA ceiling measured here (GFLOP/s): " + ", ".join(f"{t} thread(s): {v:.0f}" for t, v in sorted(fma.items())))
print()
print("| workload | batch | threads | PyTorch samples/s | Compiled samples/s | ratio | Compiled GFLOP/s | % of FMA ceiling |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
keys = sorted({(k, b, t) for (fw, k, b, t) in by if k in ("train", "infer", "tiny_train", "readme_grad")}, key=lambda x: (x[0], x[2], x[1]))
for kind, b, t in keys:
    p = med(("pytorch", kind, b, t), "samples_per_s")
    c = med(("compiled", kind, b, t), "samples_per_s")
    if p is None or c is None:
        continue
    f = flops_per_sample(kind)
    gf = c * f / 1e9 if f else None
    pct = f"{100 * gf / fma[t]:.0f}%" if gf and t in fma else ""
    name = {"train": "seed autoencoder, train step", "infer": "seed autoencoder, inference", "tiny_train": "tiny MLP 4-32-16-4, train step",
            "readme_grad": "SimpleChains README 24-8-2, loss + gradient"}[kind]
    extra = ""
    if kind in ("tiny_train", "readme_grad"):
        extra = f" ({med(('pytorch', kind, b, t), 'us_med'):.1f} vs {med(('compiled', kind, b, t), 'us_med'):.2f} µs/step)"
    print(f"| {name}{extra} | {b} | {t} | {p:,.0f} | {c:,.0f} | {c / p:.1f}× | {gf:.1f} | {pct} |" if gf else
          f"| {name}{extra} | {b} | {t} | {p:,.0f} | {c:,.0f} | {c / p:.1f}× | | |")
int8 = sorted({(b, t) for (fw, k, b, t) in by if k == "infer_int8" and fw == "compiled"}, key=lambda x: (x[1], x[0]))
if int8:
    print()
    print("| seed autoencoder, inference in int8 (Compiled QuantizedModel) | batch | threads | PyTorch samples/s | Compiled int8 samples/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for b, t in int8:
        c = med(("compiled", "infer_int8", b, t), "samples_per_s")
        cu = med(("compiled", "infer_int8", b, t), "us_med")
        for against, label in (("infer", "float32"), ("infer_int8", "int8, quantize_dynamic")):
            p = med(("pytorch", against, b, t), "samples_per_s")
            pu = med(("pytorch", against, b, t), "us_med")
            if p is None or c is None:
                continue
            print(f"| against PyTorch {label} ({pu:.1f} vs {cu:.2f} µs per call) | {b} | {t} | {p:,.0f} | {c:,.0f} | {c / p:.1f}× |")
        f = med(("compiled", "infer", b, t), "samples_per_s")
        fu = med(("compiled", "infer", b, t), "us_med")
        if f is not None and c is not None:
            print(f"| against Compiled float32 ({fu:.1f} vs {cu:.2f} µs per call) | {b} | {t} | {f:,.0f} | {c:,.0f} | {c / f:.1f}× |")
gemm = sorted({(k, b) for (fw, k, b, t) in by if k.startswith("gemm_")}, key=lambda x: (x[1], x[0]))
if gemm:
    print()
    print("| GEMM kernel alone (1 thread) | batch | GFLOP/s | % of 1-thread FMA ceiling |")
    print("|---|---:|---:|---:|")
    for k, b in gemm:
        g = med(("compiled", k, b, 1), "gflops")
        form = k[5:].split("_")[0]
        shape = k[5 + len(form) + 1:].replace("x", " → ") if "_" in k[5:] else "784 → 400"
        print(f"| {form} ({'X·Wᵀ' if form == 'XWt' else 'dY·W' if form == 'XW' else 'dYᵀ·X'}, {shape}) | {b} | {g:.1f} | {100 * g / fma.get(1, float('nan')):.0f}% |")
sae = sorted({(k, b, t) for (fw, k, b, t) in by if k.startswith("sae_") and not k.endswith("_dense") and fw == "compiled"},
             key=lambda x: (x[2], x[0], x[1]))
if sae:
    print()
    print("| sparse autoencoder (issue 18) | batch | threads | PyTorch µs | Compiled µs (sparse path) | ratio | Compiled µs (dense, SparseKernels = false) | ratio | code density PyTorch / Compiled |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = {"sae_topk_train": "TopK(32) 784→4096→784, Adam, train step", "sae_l1_train": "ReLU + L1(0.001) 784→1024→784, Adam, train step (uniform random inputs)",
             "sae_l1_fm_train": "ReLU + L1(0.001) 784→1024→784, Adam, train step (trained on Fashion-MNIST)",
             "sae_topk_infer": "TopK(32) 784→4096→784, inference", "sae_l1_infer": "ReLU + L1(0.001) 784→1024→784, inference"}
    for kind, b, t in sae:
        p = med(("pytorch", kind, b, t), "us_med")
        c = med(("compiled", kind, b, t), "us_med")
        d = med(("compiled", kind + "_dense", b, t), "us_med")
        if p is None or c is None:
            continue
        pd, cd = med(("pytorch", kind, b, t), "density"), med(("compiled", kind, b, t), "density")
        dens = f"{100 * pd:.2f} % / {100 * cd:.2f} %" if pd is not None and cd is not None else ""
        dense = f"{d:,.0f} | {p / d:.1f}×" if d is not None else " | "
        print(f"| {names[kind]} | {b} | {t} | {p:,.1f} | {c:,.1f} | {p / c:.1f}× | {dense} | {dens} |")
before = sorted({(k, b, t) for (fw, k, b, t) in by if fw == "compiled_before"}, key=lambda x: (x[0], x[2], x[1]))
if before:
    # bench/compare/small.sh: the same rows from a second build of Compiled (the code before the change measured).
    print()
    print("| workload | batch | threads | PyTorch µs | before µs | Compiled µs | Compiled vs before | Compiled vs PyTorch | before vs PyTorch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, b, t in before:
        p, o, c = (med((fw, kind, b, t), "us_med") for fw in ("pytorch", "compiled_before", "compiled"))
        if None in (p, o, c):
            continue
        name = {"tiny_train": "tiny MLP 4-32-16-4, train step", "readme_grad": "SimpleChains README 24-8-2, loss + gradient"}.get(kind, kind)
        print(f"| {name} | {b} | {t} | {p:.1f} | {o:.2f} | {c:.2f} | {o / c:.2f}× | {p / c:.0f}× | {p / o:.0f}× |")
