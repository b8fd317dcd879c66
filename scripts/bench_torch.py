"""PyTorch peer of scripts/bench.ts: the same SAE training step, timed the same way.

One step = a fresh batch (x_i = 0 w.p. S, else U[0,1]; x_p = W_p x), the tied SAE
z = relu(W x_p) (Top-k: keep the k largest), x_hat = W^T z, loss = batch mean of the
summed squared error, backward, Adam (lr 1e-3). One thread. Prints one JSON line:
{"ms": median ms/step, "steps": n, "torch": version, "blas": which BLAS is loaded}.

    python3 scripts/bench_torch.py --B 1024 --n 200 --np 20 --nm 200 --k 0 --steps 200 --warmup 50
"""
import argparse, json, math, time

import torch

p = argparse.ArgumentParser()
for name, default in [("B", 1024), ("n", 200), ("np", 20), ("nm", 200), ("k", 0), ("steps", 200), ("warmup", 50)]:
    p.add_argument(f"--{name}", type=int, default=default)
p.add_argument("--S", type=float, default=0.9)
a = p.parse_args()

torch.set_num_threads(1)
torch.manual_seed(0)
Wp = torch.randn(a.np, a.n)
Wp /= Wp.norm(dim=0, keepdim=True)
W = (torch.randn(a.nm, a.np) / math.sqrt(a.np)).requires_grad_()
opt = torch.optim.Adam([W], lr=1e-3)


def step():
    u = torch.rand(a.B, a.n)
    x = torch.where(u < a.S, torch.zeros(()), (u - a.S) / (1 - a.S))
    xp = x @ Wp.T
    z = torch.relu(xp @ W.T)
    if a.k > 0:
        vals, idx = z.topk(a.k, dim=1)
        z = torch.zeros_like(z).scatter(1, idx, vals)
    xhat = z @ W
    loss = ((xhat - xp) ** 2).sum(dim=1).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


times = []
for s in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    step()
    if s >= a.warmup:
        times.append((time.perf_counter() - t0) * 1000)
times.sort()
# Debian's torch calls the system BLAS: the reference libblas is ~20x slower than OpenBLAS
with open("/proc/self/maps") as f:
    maps = f.read()
blas = "openblas" if "libopenblas" in maps else "mkl" if "libmkl" in maps else "reference (install libopenblas0)"
print(json.dumps({"ms": times[len(times) // 2], "steps": a.steps, "torch": torch.__version__, "blas": blas}))
