#!/usr/bin/env python3
"""PyTorch reference values for Compiled's layer kinds (Golden/torch_layer_kinds.json): noise on the input and on hidden
layers (dropout, Gaussian noise, Gaussian dropout, alpha dropout), tied decoders, the contractive penalties (Rifai's and
theanets' forms) and Keras' orthogonal penalty.

Run with /usr/bin/python3 and python3-torch (Debian's PyTorch 1.13), from Generator.Tests/Golden:
    python3 scripts/make_layer_kinds.py layer_kinds_inputs.json > torch_layer_kinds.json

The noise is not drawn here: layer_kinds_inputs.json holds each case's parameters, data and the draws Compiled's model
made (its DropoutMask / Noise views), written by LayerKindGoldenTests with COMPILED_WRITE_GOLDEN_INPUTS=1. Each network
is written out below from its attributes (Generator.Tests/Models/LayerKindGoldenModels.cs), and the draws enter as
tensors: for dropout and alpha dropout only the keep pattern (draw != 0) is taken, the multipliers come from the formulas
(1/(1 - p); a, b of alpha dropout); the Gaussian draws are taken as they are (the added values; the factors of Gaussian
dropout). Everything is float64. The penalties are written from their definitions, the contractive ones through
autograd (create_graph=True: the Jacobian, then its gradient), and every gradient is autograd's gradient of the total.

Per case the output holds: the inputs (copied), 'terms' (the training pass's loss terms by Compiled's names) and
'total', 'grads' (the gradient of the total, in the Parameters order), 'train_activations' (each non-output layer's
output in the training pass, before its own noise), and the clean forward pass: 'output', 'eval_terms', 'eval_total'.
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
ALPHA_PRIME = -SELU_ALPHA * SELU_SCALE

ACT = {
    "linear": lambda z, _: z,
    "tanh": lambda z, _: torch.tanh(z),
    "sigmoid": lambda z, _: torch.sigmoid(z),
    "relu": lambda z, _: torch.relu(z),
    "softplus": lambda z, _: F.softplus(z),  # beta 1, threshold 20, as Compiled
    "elu": lambda z, alpha: F.elu(z, alpha),
    "selu": lambda z, _: F.selu(z),
}

# ---- The networks, as their attributes read ------------------------------------------------------------------------------
# ("noise", kind, rate or sigma, view): on the input when first, else on the output of the layer above.
# ("dense", name, activation[, alpha]), ("tied", name, activation, partner).
# Terms: ("activity_l1", layer, λ) batch mean; ("contractive", layer, λ) Rifai; ("contractive_theanets", layer, λ);
# ("orthogonal", layer, factor, "per_unit" | "per_input"). loss: "mse" (default) or "half".
NETS = {
    "lk_input_dropout": dict(layers=[("noise", "dropout", 0.3, "InputDropoutMask"), ("dense", "hid1", "tanh"), ("dense", "out", "linear")]),
    "lk_hidden_dropout": dict(layers=[("dense", "hid1", "relu"), ("noise", "dropout", 0.4, "Hid1DropoutMask"), ("dense", "out", "sigmoid")],
                              terms=[("activity_l1", "hid1", 0.05)]),
    "lk_theanets_dropout": dict(layers=[("noise", "dropout", 0.2, "InputDropoutMask"), ("dense", "hid1", "tanh"), ("dense", "hid2", "relu"),
                                        ("noise", "dropout", 0.3, "Hid2DropoutMask"), ("dense", "out", "linear")]),
    "lk_denoising": dict(layers=[("noise", "gaussian", 0.3, "InputNoise"), ("dense", "hid1", "sigmoid"), ("dense", "out", "sigmoid")]),
    "lk_hidden_noise": dict(layers=[("noise", "gaussian", 0.1, "InputNoise"), ("dense", "hid1", "tanh"), ("noise", "gaussian", 0.25, "Hid1Noise"),
                                    ("dense", "hid2", "softplus"), ("noise", "gaussian", 0.25, "Hid2Noise"), ("dense", "out", "linear")]),
    "lk_gaussian_dropout": dict(layers=[("noise", "gaussian_dropout", 0.2, "InputDropoutMask"), ("dense", "hid1", "softplus"),
                                        ("noise", "gaussian_dropout", 0.3, "Hid1DropoutMask"), ("dense", "out", "tanh")]),
    "lk_alpha_dropout": dict(layers=[("dense", "hid1", "selu"), ("noise", "alpha_dropout", 0.2, "Hid1DropoutMask"), ("dense", "hid2", "selu"),
                                     ("noise", "alpha_dropout", 0.1, "Hid2DropoutMask"), ("dense", "out", "linear")]),
    "lk_tied": dict(layers=[("dense", "hid1", "tanh"), ("tied", "out", "sigmoid", "hid1")]),
    "lk_tied_stack": dict(layers=[("dense", "hid1", "tanh"), ("dense", "hid2", "relu"), ("tied", "hid3", "tanh", "hid2"), ("tied", "out", "linear", "hid1")]),
    "lk_tied_named": dict(layers=[("dense", "enc", "tanh"), ("dense", "hid2", "sigmoid"), ("tied", "out", "linear", "enc")]),
    "lk_small_denoising": dict(layers=[("noise", "gaussian", 0.3, "InputNoise"), ("dense", "hid1", "relu"), ("tied", "out", "sigmoid", "hid1")]),
    "lk_noise_and_tied_stack": dict(layers=[("noise", "dropout", 0.25, "InputDropoutMask"), ("dense", "hid1", "selu"),
                                            ("noise", "alpha_dropout", 0.2, "Hid1DropoutMask"), ("dense", "hid2", "tanh"),
                                            ("noise", "gaussian_dropout", 0.3, "Hid2DropoutMask"), ("tied", "hid3", "tanh", "hid2"),
                                            ("tied", "out", "linear", "hid1")], loss="half"),
    "lk_contractive_tanh": dict(layers=[("dense", "hid1", "tanh"), ("dense", "out", "linear")], terms=[("contractive", "hid1", 0.3)]),
    "lk_contractive_sigmoid": dict(layers=[("dense", "hid1", "tanh"), ("noise", "dropout", 0.25, "Hid1DropoutMask"), ("dense", "hid2", "sigmoid"),
                                           ("dense", "out", "linear")], terms=[("contractive", "hid2", 2.0)]),
    "lk_contractive_softplus_elu": dict(layers=[("dense", "hid1", "softplus"), ("dense", "hid2", "elu", 0.8), ("dense", "out", "linear")],
                                        terms=[("contractive", "hid1", 0.2), ("contractive", "hid2", 0.3)]),
    "lk_contractive_selu_relu": dict(layers=[("dense", "hid1", "selu"), ("dense", "hid2", "relu"), ("dense", "out", "linear")],
                                     terms=[("contractive", "hid1", 0.1), ("contractive", "hid2", 0.2)]),
    "lk_contractive_theanets": dict(layers=[("dense", "hid1", "sigmoid"), ("dense", "out", "linear")], terms=[("contractive_theanets", "hid1", 2000.0)]),
    "lk_contractive_both": dict(layers=[("dense", "hid1", "tanh"), ("dense", "hid2", "tanh"), ("dense", "out", "linear")],
                                terms=[("contractive_theanets", "hid1", 500.0), ("contractive", "hid2", 0.2)]),
    "lk_orthogonal_per_unit": dict(layers=[("dense", "hid1", "tanh"), ("dense", "out", "linear")],
                                   terms=[("orthogonal", "hid1", 0.5, "per_unit"), ("orthogonal", "out", 0.3, "per_unit")]),
    "lk_orthogonal_per_input": dict(layers=[("dense", "hid1", "tanh"), ("dense", "out", "linear")],
                                    terms=[("orthogonal", "hid1", 0.5, "per_input"), ("orthogonal", "out", 0.3, "per_input")]),
}

TERM_NAME = {"activity_l1": "activity_l1", "contractive": "contractive", "contractive_theanets": "contractive", "orthogonal": "kernel_orthogonal"}

warnings = []


def check_multiplier(case, view, values, keep, expected, precision):
    """The model's multiplier where kept should be the formula's, to its precision (reported, not used)."""
    tol = 1e-14 if precision == "float64" else 2e-7
    bad = [v for v, k in zip(values.reshape(-1).tolist(), keep.reshape(-1).tolist()) if k and abs(v - expected) > tol * abs(expected)]
    if bad:
        warnings.append(f"{case} {view}: kept multipliers {bad[:3]} differ from the formula's {expected!r}")


def noise(case, kind, rate, draw, x, precision, view):
    if kind == "dropout":
        keep = draw != 0
        check_multiplier(case, view, draw, keep, 1 / (1 - rate), precision)
        return x * keep / (1 - rate)
    if kind == "gaussian":
        return x + draw
    if kind == "gaussian_dropout":
        return x * draw
    if kind == "alpha_dropout":
        keep = draw != 0
        a = ((1 - rate) * (1 + rate * ALPHA_PRIME ** 2)) ** -0.5
        b = -a * ALPHA_PRIME * rate
        check_multiplier(case, view, draw, keep, a, precision)
        return torch.where(keep, a * x + b, torch.full_like(x, a * ALPHA_PRIME + b))
    raise ValueError(kind)


def forward(case, net, P, x, draws, training, precision):
    """The network on x; returns the output and, per layer, (its input, its output) for the penalties."""
    h, seen = x, {}
    for op in net["layers"]:
        if op[0] == "noise":
            if training:
                h = noise(case, op[1], op[2], draws[op[3]], h, precision, op[3])
        elif op[0] == "dense":
            name, act, alpha = op[1], op[2], (op[3] if len(op) > 3 else None)
            a = ACT[act](F.linear(h, P[name + ".weight"], P[name + ".bias"]), alpha)
            seen[name] = (h, a)
            h = a
        else:  # tied: x·W_partner + b, W_partner [out, in] of the partner
            name, act, partner = op[1], op[2], op[3]
            a = ACT[act](h @ P[partner + ".weight"] + P[name + ".bias"], None)
            seen[name] = (h, a)
            h = a
    return h, seen


def rifai(x, h, lam):
    """λ·(1/B)·Σ_b ‖∂h_b/∂x_b‖²_F, the Jacobian by autograd (rows are independent, so ∂Σ_b h_bj/∂x gives row b's ∂h_bj/∂x_b)."""
    B, U = h.shape
    total = 0
    for j in range(U):
        g, = torch.autograd.grad(h[:, j].sum(), x, create_graph=True)
        total = total + (g ** 2).sum()
    return lam * total / B


def theanets_contractive(x, h, lam):
    """theanets as coded: λ·mean over batch × inputs of (∂ mean(h) / ∂x)²."""
    g, = torch.autograd.grad(h.mean(), x, create_graph=True)
    return lam * (g ** 2).mean()


def orthogonal(W, factor, mode):
    """Keras OrthogonalRegularizer; our W is [out, in] = Keras' kernel transposed: per_unit compares our rows (Keras 'columns'),
    per_input our columns (Keras 'rows')."""
    V = W if mode == "per_unit" else W.t()
    V = V / torch.sqrt(torch.clamp((V ** 2).sum(dim=1, keepdim=True), min=1e-12))
    n = V.shape[0]
    P = (V @ V.t()) * (1 - torch.eye(n))
    return factor * 0.5 * P.abs().sum() / (n * (n - 1) / 2)


def loss_terms(net, P, seen, y, t, B):
    terms = {}
    if net.get("loss", "mse") == "mse":
        terms["data"] = F.mse_loss(y, t)
    else:
        terms["data"] = 0.5 * ((y - t) ** 2).sum() / B
    for term in net.get("terms", []):
        kind, layer = term[0], term[1]
        x_in, h = seen[layer]
        if kind == "activity_l1":
            value = term[2] * h.abs().sum() / B
        elif kind == "contractive":
            value = rifai(x_in, h, term[2])
        elif kind == "contractive_theanets":
            value = theanets_contractive(x_in, h, term[2])
        else:
            value = orthogonal(P[layer + ".weight"], term[2], term[3])
        terms[layer + "." + TERM_NAME[kind]] = value
    return terms


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def run(name, case):
    net = NETS[name[:-4] if name.endswith("_f64") else name]
    B = case["batch"]
    params = torch.tensor(case["params"])
    P = {}
    for layer in case["layout"]:
        n = 1
        for s in layer["shape"]:
            n *= s
        P[layer["name"]] = params[layer["offset"]:layer["offset"] + n].reshape(layer["shape"]).clone().requires_grad_(True)
    order = [layer["name"] for layer in case["layout"]]
    x = torch.tensor(case["input"]).reshape(B, case["input_size"])
    t = torch.tensor(case["target"]).reshape(B, case["output_size"])
    draws = {}
    for view, values in case["draws"].items():
        draws[view] = torch.tensor(values).reshape(B, -1)
    expected_views = {op[3] for op in net["layers"] if op[0] == "noise"}
    assert expected_views == set(draws), f"{name}: draws {sorted(draws)} but the network has {sorted(expected_views)}"

    # Training pass: with the draws; the gradient of the total by autograd.
    xin = x.clone().requires_grad_(True)  # the contractive penalties differentiate with respect to the input
    y, seen = forward(name, net, P, xin, draws, True, case["precision"])
    terms = loss_terms(net, P, seen, y, t, B)
    assert sorted(terms) == sorted(case["terms"]), f"{name}: terms {sorted(terms)}, the model reports {case['terms']}"
    total = sum(terms.values())
    share = {}  # how far each penalty moves the gradient (to stderr: a term must matter to be tested)
    for term_name, value in terms.items():
        if term_name != "data":
            gs = torch.autograd.grad(value, [P[n] for n in order], retain_graph=True, allow_unused=True)
            share[term_name] = max(float(g.abs().max()) if g is not None else 0.0 for g in gs)
    total.backward()
    grads = [v for n in order for v in flat(P[n].grad)]

    train_activations = {layer: flat(seen[layer][1]) for layer in case["activations"]}

    # Clean pass: what Predict and Evaluate compute.
    xc = x.clone().requires_grad_(True)
    yc, seen_c = forward(name, net, P, xc, draws, False, case["precision"])
    clean = loss_terms(net, P, seen_c, yc, t, B)

    out = {k: case[k] for k in ("model", "precision", "seed", "step", "batch", "input_size", "output_size", "layout", "params", "input", "target", "draws")}
    out.update(terms={k: float(v) for k, v in terms.items()}, total=float(total), grads=grads, train_activations=train_activations,
               output=flat(yc), eval_terms={k: float(v) for k, v in clean.items()}, eval_total=float(sum(clean.values())))
    print(f"{name}: total {float(total):.6g}; " + ", ".join(f"{k} {float(v):.4g}" for k, v in terms.items())
          + ("; max |∂term/∂p| " + ", ".join(f"{k} {v:.3g}" for k, v in share.items()) if share else "")
          + f"; max |∂total/∂p| {max(abs(g) for g in grads):.3g}", file=sys.stderr)
    return out


def main():
    with open(sys.argv[1]) as f:
        inputs = json.load(f)
    cases = {name: run(name, case) for name, case in inputs["cases"].items()}
    for w in warnings:
        print("WARNING: " + w, file=sys.stderr)
    # One line per field (arrays whole), so a regenerated file diffs field by field.
    out = sys.stdout
    out.write("{\n \"source\": " + json.dumps("PyTorch " + torch.__version__ + ", float64; Generator.Tests/Golden/scripts/make_layer_kinds.py from layer_kinds_inputs.json"))
    out.write(",\n \"batch\": " + json.dumps(inputs["batch"]) + ",\n \"cases\": {\n")
    out.write(",\n".join("  " + json.dumps(name) + ": {\n" + ",\n".join("   " + json.dumps(k) + ": " + json.dumps(v) for k, v in case.items()) + "\n  }"
                         for name, case in cases.items()))
    out.write("\n }\n}\n")

if __name__ == "__main__":
    main()
