#!/usr/bin/env python3
"""PyTorch reference values for Compiled's sparse coding (issue 17; Golden/torch_sparse_coding.json): TopK and BatchTopK
codes, the AuxK loss on dead units, JumpReLU with the L0 penalty, Keras' weight constraints, OpenAI's projected decoder
gradients, the decoder-weighted L1, warm-up of coefficients, gradient clipping and the pre-encoder bias.

Run with /usr/bin/python3 and python3-torch (Debian's PyTorch 1.13), from Generator.Tests/Golden:
    python3 scripts/make_sparse_coding.py sparse_coding_inputs.json > torch_sparse_coding.json

sparse_coding_inputs.json holds each case's parameters, batches and calls, written by SparseCodingGoldenTests with
COMPILED_WRITE_GOLDEN_INPUTS=1. Each network is written out below from its attributes
(Generator.Tests/Models/SparseCodingGoldenModels.cs) the way a sparse-autoencoder practitioner writes one, in float64:
autograd for everything differentiable; torch.topk for the codes; custom autograd functions for JumpReLU and the step
function with SAELens' straight-through estimators; AuxK on a detached residual; dead-unit counters as
dictionary_learning keeps them (samples since a unit last fired); torch.optim for the updates,
torch.nn.utils.clip_grad_norm_ for clipping; Keras' constraint formulas after the update. Sources and where Compiled
departs from them: sparse_coding_sources.md next to the golden files.

The calls of a case (its "ops") run in order on one model state:
  compute   a training pass and its gradient (ComputeGradients): moves the dead-unit counters, not the parameters;
  evaluate  the inference pass (Evaluate and Predict): BatchTopK thresholds by its learned θ, AuxK reads the counters;
  train     a training pass, then (TrainStep's order) the projection of decoder gradients, clipping, the optimizer step,
            the constraints, BatchTopK's threshold update; the step count moves (warm-up).
Per call the output holds the loss terms by Compiled's names and their total, and: for compute the gradient of the total
(parameters in layout order, 0 for buffers), the hidden activations and the counters; for evaluate the output and the
hidden activations; for train every parameter and buffer after the step, and the counters.

Selections and jumps must not hinge on rounding: each pass checks its margins (TopK and BatchTopK boundaries, AuxK's
choice among dead units, ReLU kinks, JumpReLU's jump and rectangle edges, BatchTopK's inference threshold, clipping
actually clipping) and the script stops if one is under MARGIN, so that a float32 model selects what float64 does.
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

KERAS_EPSILON = 1e-7  # keras.backend.epsilon(), added to every norm by the constraints
MARGIN = 1e-4         # the smallest distance from a selection boundary or a kink accepted in a case


def dense(name, act, **kw):
    return dict(name=name, act=act, **kw)


# ---- The networks, as their attributes read ------------------------------------------------------------------------------
# dense(name, activation, topk=k | batch_topk=k, auxk=dict(k, coef, dead_after), bandwidth=ε (JumpReLU),
#       terms=[("activity_l1" | "activity_l2" | "weighted_l1" | "l0" | "kernel_l2", λ[, warm-up steps])],
#       constraints=[("unit_norm", per) | ("max_norm", c, per) | ("non_neg",) | ("min_max_norm", lo, hi, rate, per)],
#       project=True (UnitNorm's ProjectGradient))
# per: "unit" = rows of W [out, in] (Keras' axis 0 on its [in, out] kernel), "input" = columns.
# loss: "mse" (default) or "half"; optim: torch.optim and its settings; clip: ClipGradientNorm; pre_bias: PreEncoderBias.
NETS = {
    "sc_topk": dict(layers=[dense("hid1", "relu", topk=3), dense("out", "linear")], optim=dict(kind="sgd", lr=0.01)),
    "sc_topk_tanh": dict(layers=[dense("hid1", "tanh", topk=4, terms=[("activity_l2", 0.05)]), dense("out", "sigmoid")],
                         optim=dict(kind="nesterov", lr=0.05)),
    "sc_batchtopk": dict(layers=[dense("hid1", "relu", batch_topk=2), dense("out", "linear")], optim=dict(kind="momentum", lr=0.05)),
    "sc_auxk": dict(layers=[dense("hid1", "relu", topk=2, auxk=dict(k=3, coef=0.5, dead_after=8)), dense("out", "linear")],
                    loss="half", optim=dict(kind="sgd", lr=0.01)),
    "sc_jumprelu": dict(layers=[dense("hid1", "jumprelu", bandwidth=0.2, terms=[("l0", 0.05), ("activity_l1", 0.02)]), dense("out", "linear")],
                        optim=dict(kind="adamw", lr=0.01)),
    "sc_constraints_sgd": dict(layers=[dense("hid1", "tanh", constraints=[("unit_norm", "unit"), ("max_norm", 0.7, "input")]),
                                       dense("hid2", "tanh", constraints=[("non_neg",), ("min_max_norm", 0.2, 0.6, 0.5, "unit")]),
                                       dense("out", "linear", constraints=[("max_norm", 0.5, "unit")])],
                               optim=dict(kind="sgd", lr=0.1)),
    "sc_constraints_adam": dict(layers=[dense("hid1", "relu", constraints=[("unit_norm", "input")]),
                                        dense("hid2", "sigmoid", constraints=[("min_max_norm", 0.3, 0.8, 0.7, "input"), ("non_neg",)]),
                                        dense("out", "linear", constraints=[("max_norm", 0.6, "input")])],
                                optim=dict(kind="adam", lr=0.01)),
    "sc_projected": dict(layers=[dense("hid1", "relu"), dense("out", "linear", constraints=[("unit_norm", "input")], project=True)],
                         optim=dict(kind="sgd", lr=0.1)),
    "sc_weighted_l1": dict(layers=[dense("hid1", "relu", terms=[("weighted_l1", 0.1)]), dense("out", "linear")],
                           optim=dict(kind="momentum", lr=0.01)),
    "sc_warmup": dict(layers=[dense("hid1", "relu", terms=[("activity_l1", 0.1, 4)]), dense("out", "linear", terms=[("kernel_l2", 0.01, 2)])],
                      optim=dict(kind="sgd", lr=0.01)),
    "sc_prebias": dict(layers=[dense("hid1", "relu", terms=[("activity_l1", 0.05)]), dense("out", "linear")], pre_bias=True,
                       optim=dict(kind="adam", lr=0.01)),
    "sc_clipped": dict(layers=[dense("hid1", "tanh"), dense("out", "linear")], clip=0.05, optim=dict(kind="momentum", lr=0.01)),
    "sc_openai": dict(layers=[dense("hid1", "relu", topk=3, auxk=dict(k=4, coef=0.25, dead_after=8)),
                              dense("out", "linear", constraints=[("unit_norm", "input")], project=True)],
                      pre_bias=True, clip=0.5, optim=dict(kind="adam", lr=0.01)),
}

ACT = {"linear": lambda z: z, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}
TERM_SUFFIX = {"activity_l1": "activity_l1", "activity_l2": "activity_l2", "weighted_l1": "activity_l1", "l0": "l0", "kernel_l2": "kernel_l2"}


# ---- JumpReLU and the step function, with SAELens' straight-through estimators (jumprelu_sae.py) ---------------------------

def rectangle(u):
    """K(u) = 1 on the open interval (−1/2, 1/2)."""
    return ((u > -0.5) & (u < 0.5)).to(u)


class JumpReLU(torch.autograd.Function):
    """f(z) = z·H(z − θ); ∂f/∂z = H(z − θ) (no estimator on z), ∂f/∂θ = −(θ/ε)·K((z − θ)/ε)."""

    @staticmethod
    def forward(ctx, z, theta, bandwidth):
        ctx.save_for_backward(z, theta)
        ctx.bandwidth = bandwidth
        return z * (z > theta).to(z)

    @staticmethod
    def backward(ctx, grad):
        z, theta = ctx.saved_tensors
        eps = ctx.bandwidth
        return (z > theta).to(z) * grad, (-(theta / eps) * rectangle((z - theta) / eps) * grad).sum(dim=0), None


class Step(torch.autograd.Function):
    """H(z − θ); nothing to z, ∂H/∂θ = −(1/ε)·K((z − θ)/ε)."""

    @staticmethod
    def forward(ctx, z, theta, bandwidth):
        ctx.save_for_backward(z, theta)
        ctx.bandwidth = bandwidth
        return (z > theta).to(z)

    @staticmethod
    def backward(ctx, grad):
        z, theta = ctx.saved_tensors
        eps = ctx.bandwidth
        return None, (-(1.0 / eps) * rectangle((z - theta) / eps) * grad).sum(dim=0), None


# ---- Margins ---------------------------------------------------------------------------------------------------------------

class Margins:
    """The smallest distance of each kind seen in a case; below MARGIN the case is not robust to float32 rounding."""

    def __init__(self, case):
        self.case, self.seen = case, {}

    def add(self, kind, value):
        value = float(value)
        self.seen[kind] = min(self.seen.get(kind, float("inf")), value)

    def check(self):
        bad = {k: v for k, v in self.seen.items() if v < MARGIN}
        if bad:
            sys.exit(f"{self.case}: margins under {MARGIN}: {bad}; change the case's parameters or data")


def selection_gap(values, k):
    """values [rows, n], keeping the k largest per row: the gap between the k-th and the (k+1)-th (inf when k ≥ n)."""
    if k >= values.shape[-1]:
        return float("inf")
    top = values.topk(k + 1, dim=-1).values
    return float((top[..., k - 1] - top[..., k]).min())


# ---- The network -----------------------------------------------------------------------------------------------------------

def forward(net, P, x, training, state, margins):
    """The network on x; per layer its input, z, a and (TopK codes) the keep mask."""
    B = x.shape[0]
    h = x - P["out.bias"] if net.get("pre_bias") else x  # OpenAI / SAELens: the decoder bias is subtracted from the input
    seen = {}
    for L in net["layers"]:
        name = L["name"]
        z = F.linear(h, P[name + ".weight"], P[name + ".bias"])
        mask = None
        if L["act"] == "jumprelu":
            theta = torch.exp(P[name + ".log_threshold"])
            a = JumpReLU.apply(z, theta, L["bandwidth"])
            u = ((z - theta) / L["bandwidth"]).detach()
            margins.add("jump |z − θ|", (z - theta).abs().min())
            margins.add("rectangle edge ε·||u| − 1/2|", (L["bandwidth"] * (u.abs() - 0.5).abs()).min())
        else:
            a = ACT[L["act"]](z)
            if "topk" in L:
                k = L["topk"]
                margins.add("TopK boundary", selection_gap(z.detach(), k))
                mask = torch.zeros_like(z).scatter(-1, z.topk(k, dim=-1).indices, 1.0)
                a = a * mask
            elif "batch_topk" in L:
                if training:
                    keep = L["batch_topk"] * B
                    flat = z.detach().reshape(1, -1)
                    margins.add("BatchTopK boundary", selection_gap(flat, keep))
                    mask = torch.zeros_like(flat).scatter(-1, flat.topk(keep, dim=-1).indices, 1.0).reshape(z.shape)
                    a = a * mask
                elif state["threshold"][name] >= 0:  # dictionary_learning's use_threshold; θ < 0: never learned, keep all
                    theta = state["threshold"][name]
                    margins.add("BatchTopK inference |a − θ|", (a[a > 0] - theta).abs().min() if (a > 0).any() else float("inf"))
                    a = a * (a > theta).to(a)
            if L["act"] == "relu":
                live = z if mask is None else z[mask > 0]
                margins.add("ReLU kink |z|", live.abs().min())
        seen[name] = dict(input=h, z=z, a=a, mask=mask)
        h = a
    return h, seen


def auxk_loss(z, residual, decoder_weight, dead, k_aux, margins):
    """OpenAI's auxiliary loss: the k_aux dead units of largest z per row, their ReLU values decoded without the bias, against
    the residual (held constant), normalized by the residual's spread around its batch mean; 0 when no unit is dead or that
    spread is 0."""
    n_dead = int(dead.sum())
    if n_dead == 0:
        return z.new_zeros(())
    k = min(k_aux, n_dead)
    candidates = torch.where(dead[None, :], z, torch.full_like(z, float("-inf")))
    if k < n_dead:
        dz = z.detach()[:, dead]
        top = dz.topk(k + 1, dim=-1).values
        relevant = top[:, k - 1] > 0  # below 0 both sides of the boundary decode to nothing
        if relevant.any():
            margins.add("AuxK boundary", (top[:, k - 1] - top[:, k])[relevant].min())
    chosen = candidates.topk(k, dim=-1)
    margins.add("AuxK ReLU kink |z|", chosen.values.detach().abs().min())
    v = torch.zeros_like(z).scatter(-1, chosen.indices, torch.relu(chosen.values))
    e_hat = v @ decoder_weight.t()
    spread = ((residual - residual.mean(dim=0, keepdim=True)) ** 2).sum()
    if float(spread) == 0:
        return z.new_zeros(())
    return ((residual - e_hat) ** 2).sum() / spread


def loss_terms(net, P, seen, y, t, state, margins):
    B = y.shape[0]
    terms = {"data": F.mse_loss(y, t) if net.get("loss", "mse") == "mse" else 0.5 * ((y - t) ** 2).sum() / B}
    layers = net["layers"]
    for i, L in enumerate(layers):
        name, a, z = L["name"], seen[L["name"]]["a"], seen[L["name"]]["z"]
        for term in L.get("terms", []):
            kind, lam = term[0], term[1]
            if len(term) > 2:  # WarmupSteps: λ·min(step/n, 1), the step counted from 0 (dictionary_learning's sparsity warm-up)
                lam = lam * min(state["step"] / term[2], 1.0)
            if kind == "activity_l1":
                value = lam * a.abs().sum() / B
            elif kind == "activity_l2":
                value = lam * (a ** 2).sum() / B
            elif kind == "weighted_l1":  # Anthropic / SAELens' standard SAE: |a_i| weighed by the norm of the decoder column i
                value = lam * (a.abs() * P[layers[i + 1]["name"] + ".weight"].norm(dim=0)).sum() / B
            elif kind == "l0":  # SAELens' "step" sparsity loss
                value = lam * Step.apply(z, torch.exp(P[name + ".log_threshold"]), L["bandwidth"]).sum(dim=-1).mean()
            else:  # kernel_l2 (Keras): λ·Σ W²
                value = lam * (P[name + ".weight"] ** 2).sum()
            terms[name + "." + TERM_SUFFIX[kind]] = value
        if "auxk" in L:
            aux = L["auxk"]
            dead = state["since"][name] >= aux["dead_after"]
            state.setdefault("dead_seen", []).append(int(dead.sum()))
            residual = (t - y).detach()
            terms[name + ".auxk"] = aux["coef"] * auxk_loss(z, residual, P[layers[i + 1]["name"] + ".weight"], dead, aux["k"], margins)
    return terms


# ---- Keras' constraints, OpenAI's projection, BatchTopK's threshold ---------------------------------------------------------

def constrain(W, constraint):
    """Keras' formulas on W [out, in]: vectors are rows ("unit") or columns ("input")."""
    kind = constraint[0]
    if kind == "non_neg":
        return W.clamp(min=0)
    per = constraint[-1]
    norms = W.norm(dim=1 if per == "unit" else 0, keepdim=True)
    if kind == "unit_norm":
        return W / (KERAS_EPSILON + norms)
    if kind == "max_norm":
        return W * (norms.clamp(0, constraint[1]) / (KERAS_EPSILON + norms))
    lo, hi, rate = constraint[1], constraint[2], constraint[3]
    return W * ((rate * norms.clamp(lo, hi) + (1 - rate) * norms) / (KERAS_EPSILON + norms))


def project_columns(W, g):
    """g_i ← g_i − (d_iᵀg_i)·d_i/‖d_i‖² per column d_i of W (OpenAI divides by nothing: its columns have norm 1)."""
    dots, norms = (W * g).sum(dim=0), (W * W).sum(dim=0)
    return g - torch.where(norms > 0, dots / norms, torch.zeros_like(dots)) * W


def threshold_update(theta, a, mask):
    """dictionary_learning's TopK threshold statistic: the mean over rows of each row's smallest positive kept activation
    (rows without one left out); θ ← it the first time (θ < 0), else 0.999·θ + 0.001·it."""
    kept = torch.where((mask > 0) & (a > 0), a, torch.full_like(a, float("inf")))
    row_min = kept.min(dim=1).values
    row_min = row_min[torch.isfinite(row_min)]
    if row_min.numel() == 0:
        return theta, 0
    m = float(row_min.mean())
    return (m if theta < 0 else 0.999 * theta + 0.001 * m), row_min.numel()


def make_optimizer(opt, params):
    kind, lr = opt["kind"], opt["lr"]
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if kind == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if kind == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


# ---- A case ----------------------------------------------------------------------------------------------------------------

def run(name, case):
    net = NETS[name[:-4] if name.endswith("_f64") else name]
    B = case["batch"]
    params = torch.tensor(case["params"])
    P, buffers, order = {}, {}, []
    for layer in case["layout"]:
        n = 1
        for s in layer["shape"]:
            n *= s
        value = params[layer["offset"]:layer["offset"] + n].reshape(layer["shape"]).clone()
        if layer["name"].endswith(".topk_threshold"):
            buffers[layer["name"]] = float(value.reshape(-1)[0])
        else:
            P[layer["name"]] = value.requires_grad_(True)
        order.append(layer["name"])
    trained = [P[n] for n in order if n in P]
    optimizer = make_optimizer(net["optim"], trained)
    units = {L["name"]: int(P[L["name"] + ".bias"].shape[0]) for L in net["layers"]}
    state = dict(step=0,
                 since={L["name"]: torch.zeros(units[L["name"]], dtype=torch.long) for L in net["layers"] if "auxk" in L},
                 threshold={L["name"]: buffers[L["name"] + ".topk_threshold"] for L in net["layers"] if "batch_topk" in L})
    margins = Margins(name)
    batches = [(torch.tensor(b["input"]).reshape(B, case["input_size"]), torch.tensor(b["target"]).reshape(B, case["output_size"]))
               for b in case["batches"]]
    notes, results = [], []

    def all_parameters():
        values = []
        for n in order:
            if n in P:
                values += flat(P[n])
            else:
                values.append(state["threshold"][n[:-len(".topk_threshold")]])
        return values

    def named(terms):
        assert sorted(terms) == sorted(case["terms"]), f"{name}: terms {sorted(terms)}, the model reports {case['terms']}"
        return {k: float(terms[k]) for k in case["terms"]}

    for op, b in case["ops"]:
        x, t = batches[b]
        result = dict(op=op, batch=b)
        if op == "evaluate":
            with torch.no_grad():
                y, seen = forward(net, P, x, False, state, margins)
                terms = loss_terms(net, P, seen, y, t, state, margins)
            result.update(terms=named(terms), total=float(sum(terms.values())), output=flat(y),
                          activations={layer: flat(seen[layer]["a"]) for layer in case["activations"]})
            results.append(result)
            continue

        # A training pass: the forward, the counters (each unit that fired in some row restarts at 0, the others count
        # the batch's rows, as dictionary_learning's num_tokens_since_fired), then the loss and its gradient.
        y, seen = forward(net, P, x, True, state, margins)
        for layer in state["since"]:
            fired = (seen[layer]["a"].detach() != 0).any(dim=0)
            state["since"][layer] = torch.where(fired, torch.zeros_like(state["since"][layer]), state["since"][layer] + B)
        terms = loss_terms(net, P, seen, y, t, state, margins)
        total = sum(terms.values())
        for p in trained:
            p.grad = None
        total.backward()
        result.update(terms=named(terms), total=float(total))
        counters = {layer: [int(v) for v in state["since"][layer].tolist()] for layer in case["counters"]}
        if op == "compute":
            grads = []
            for n in order:
                grads += flat(P[n].grad) if n in P else [0.0]
            result.update(grads=grads, activations={layer: flat(seen[layer]["a"]) for layer in case["activations"]}, counters=counters)
            results.append(result)
            continue

        # TrainStep: projection, clipping, the optimizer, the constraints, the threshold.
        with torch.no_grad():
            for L in net["layers"]:
                if L.get("project"):
                    W = P[L["name"] + ".weight"]
                    W.grad.copy_(project_columns(W, W.grad))
        if net.get("clip"):
            norm = float(torch.nn.utils.clip_grad_norm_(trained, net["clip"]))
            margins.add("clipping ‖g‖/c − 1", norm / net["clip"] - 1)
            notes.append(f"‖g‖ {norm:.4g} clipped to {net['clip']}")
        optimizer.step()
        with torch.no_grad():
            for L in net["layers"]:
                W = P[L["name"] + ".weight"]
                for constraint in L.get("constraints", []):
                    W.copy_(constrain(W, constraint))
            for L in net["layers"]:
                if "batch_topk" in L:
                    layer = L["name"]
                    state["threshold"][layer], rows = threshold_update(state["threshold"][layer], seen[layer]["a"].detach(), seen[layer]["mask"])
                    notes.append(f"θ {state['threshold'][layer]:.6g} from {rows}/{B} rows")
        state["step"] += 1
        result.update(params=all_parameters(), counters=counters)
        results.append(result)

    margins.check()
    out = {k: case[k] for k in ("model", "precision", "seed", "batch", "input_size", "output_size", "layout", "terms", "activations",
                                "counters", "ops", "params", "batches")}
    out["results"] = results
    last = [r for r in results if r["op"] == "compute"][-1]
    print(f"{name}: " + ", ".join(f"{k} {v:.4g}" for k, v in last["terms"].items())
          + f"; max |grad| {max(abs(g) for g in last['grads']):.3g}"
          + (f"; dead units per pass {state['dead_seen']}" if "dead_seen" in state else "")
          + ("; " + "; ".join(notes) if notes else "")
          + "; margins " + ", ".join(f"{k} {v:.2g}" for k, v in sorted(margins.seen.items())), file=sys.stderr)
    return out


def main():
    with open(sys.argv[1]) as f:
        inputs = json.load(f)
    cases = {name: run(name, case) for name, case in inputs["cases"].items()}
    # One line per field, and per call, so a regenerated file diffs field by field.
    out = sys.stdout
    out.write("{\n \"source\": " + json.dumps("PyTorch " + torch.__version__ + ", float64; Generator.Tests/Golden/scripts/make_sparse_coding.py from sparse_coding_inputs.json"))
    out.write(",\n \"batch\": " + json.dumps(inputs["batch"]) + ",\n \"cases\": {\n")
    blocks = []
    for name, case in cases.items():
        fields = ["   " + json.dumps(k) + ": " + json.dumps(v) for k, v in case.items() if k != "results"]
        fields.append("   \"results\": [\n" + ",\n".join("    " + json.dumps(r) for r in case["results"]) + "\n   ]")
        blocks.append("  " + json.dumps(name) + ": {\n" + ",\n".join(fields) + "\n  }")
    out.write(",\n".join(blocks))
    out.write("\n }\n}\n")


if __name__ == "__main__":
    main()
