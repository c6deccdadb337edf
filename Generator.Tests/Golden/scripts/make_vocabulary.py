#!/usr/bin/env python3
"""PyTorch reference values for Compiled's activations, losses and optimizers (Golden/torch_vocabulary.json).

Run with /usr/bin/python3 and python3-torch (Debian's PyTorch 1.13): python3 make_vocabulary.py > ../torch_vocabulary.json
Everything is float64, so the numbers are the formulas, not PyTorch's float32 rounding. Parameters are flattened in
state_dict order (per layer: weight [out, in] row-major, then bias), as Compiled's Parameters span.
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
IN, HID, OUT, B = 5, 4, 3, 3


def flat(tensors):
    return [float(v) for t in tensors for v in t.detach().reshape(-1).tolist()]


def net(seed, hidden_act, out_units=OUT):
    torch.manual_seed(seed)
    l1, l2 = nn.Linear(IN, HID), nn.Linear(HID, out_units)
    # Spread the parameters so every activation sees both signs and its curved region.
    with torch.no_grad():
        for p in list(l1.parameters()) + list(l2.parameters()):
            p.mul_(2.5)
    return l1, l2, hidden_act


def data(seed, out_units=OUT):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, IN, generator=g) * 1.5
    t = torch.rand(B, out_units, generator=g)
    labels = torch.tensor([2, 0, 1])[:B] % out_units  # every class, not left to chance
    return x, t, labels


HIDDEN = {
    "leaky_relu": lambda z: F.leaky_relu(z, 0.2),
    "elu": lambda z: F.elu(z, 1.5),
    "softplus": F.softplus,
    "gelu": F.gelu,
    "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"),
}

cases = {}

# 1. Each hidden activation, MSE, ActivityL1(0.1) on the hidden layer (Keras batch-mean scaling: 0.1·Σ|a|/B).
for i, (name, act) in enumerate(HIDDEN.items()):
    l1, l2, _ = net(10 + i, act)
    x, t, _ = data(100 + i)
    a = act(l1(x))
    y = l2(a)
    data_loss = F.mse_loss(y, t)
    penalty = 0.1 * a.abs().sum() / B
    (data_loss + penalty).backward()
    params = [l1.weight, l1.bias, l2.weight, l2.bias]
    cases["act_" + name] = dict(input=flat([x]), target=flat([t]), params=flat(params), output=flat([y]), hidden=flat([a]),
                                data=float(data_loss), penalty=float(penalty), grads=flat([p.grad for p in params]))

# 2. Losses: MAE (tanh → linear), BCE with logits (tanh → sigmoid), cross-entropy with labels (relu → softmax),
#    each with ActivityL1(0.05) on the OUTPUT (batch mean) to exercise the penalty through the output activation.
for i, name in enumerate(["mae", "bce", "ce"]):
    l1, l2, _ = net(20 + i, None)
    x, t, labels = data(200 + i)
    h = torch.relu(l1(x)) if name == "ce" else torch.tanh(l1(x))
    z = l2(h)
    if name == "mae":
        y = z
        data_loss = F.l1_loss(y, t)
    elif name == "bce":
        y = torch.sigmoid(z)
        data_loss = F.binary_cross_entropy_with_logits(z, t)
    else:
        y = torch.softmax(z, dim=1)
        data_loss = F.cross_entropy(z, labels)
    penalty = 0.05 * y.abs().sum() / B
    (data_loss + penalty).backward()
    params = [l1.weight, l1.bias, l2.weight, l2.bias]
    cases["loss_" + name] = dict(input=flat([x]), target=flat([t]), labels=[int(v) for v in labels], params=flat(params),
                                 output=flat([y]), data=float(data_loss), penalty=float(penalty), grads=flat([p.grad for p in params]))

# 3. Optimizers: 5 steps on the same batch from the same start (tanh → linear, MSE, lr 0.05), parameters after each.
OPTIMIZERS = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.05),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    "nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
}
for name, make in OPTIMIZERS.items():
    l1, l2, _ = net(30, None)
    x, t, _ = data(300)
    params = [l1.weight, l1.bias, l2.weight, l2.bias]
    start = flat(params)
    opt = make(params)
    steps = []
    for _ in range(5):
        opt.zero_grad()
        F.mse_loss(l2(torch.tanh(l1(x))), t).backward()
        opt.step()
        steps.append(flat(params))
    cases["opt_" + name] = dict(input=flat([x]), target=flat([t]), params=start, steps=steps)

json.dump(dict(source="PyTorch " + torch.__version__ + ", float64; Generator.Tests/Golden/scripts/make_vocabulary.py",
               sizes=dict(input=IN, hidden=HID, output=OUT, batch=B), cases=cases), __import__("sys").stdout, indent=1)
