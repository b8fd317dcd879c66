/**
 * npm run bench — one SAE training step per shape, ours beside PyTorch's.
 *
 * A step: a fresh batch (x_i = 0 w.p. S = 0.9, else U[0,1]; x_p = W_p x), the tied SAE
 * forward (ReLU, or Top-k), loss = batch mean of the summed squared error, backward
 * and Adam (lr 1e-3), exactly what `trainSae` does per step. The time is the median
 * over --steps steps after --warmup untimed ones. GFLOP/s counts the dense-equivalent
 * work (10·B·n_p·n_m), so sparse shortcuts show up as a higher rate.
 *
 *   npm run bench                                  # wasm backend, all shapes
 *   npm run bench -- --peer torch                  # and PyTorch's time for the same step
 *   npm run bench -- --backend js,wasm --shape paper --steps 200 --warmup 50 --l1 0.1
 *
 * --peer torch runs scripts/bench_torch.py with the first Python that imports torch
 * (`python3`, then /usr/bin/python3; Debian: apt-get install python3-torch
 * libopenblas0), on one thread, and prints ours/torch per shape.
 */
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { createBackend } from "../src/compute/index.ts";
import { gaussianWp, polygonWp } from "../src/data/generators.ts";
import { SyntheticSource } from "../src/data/synthetic.ts";
import { initSae, type SaeSpec } from "../src/sae/model.ts";
import { lossAndGrad, stepFlops } from "../src/sae/train.ts";
import { stream } from "../src/util/rng.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "wasm" },
    shape: { type: "string", default: "paper,wide,topk" },
    steps: { type: "string" },
    warmup: { type: "string" },
    l1: { type: "string", default: "0" },
    S: { type: "string", default: "0.9" },
    peer: { type: "string" },
  },
});

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

type Shape = { B: number; n: number; n_p: number; n_m: number; k: number; steps: number; warmup: number };
const SHAPES: Record<string, Shape> = {
  paper: { B: 1024, n: 200, n_p: 20, n_m: 200, k: 0, steps: 200, warmup: 50 },
  wide: { B: 1024, n: 1024, n_p: 512, n_m: 4096, k: 0, steps: 20, warmup: 5 },
  topk: { B: 1024, n: 1024, n_p: 512, n_m: 16384, k: 32, steps: 10, warmup: 3 },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const count = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));

async function ours(backendName: string, sh: Shape, steps: number, warmup: number) {
  const be = createBackend(backendName);
  const S = Number(values.S), l1 = Number(values.l1);
  const Wp = sh.n === 200 ? polygonWp(sh.n, sh.n_p, stream(0, "wp")).Wp : gaussianWp(sh.n, sh.n_p, stream(0, "wp"));
  const src = new SyntheticSource(Wp, S, stream(0, "data"));
  const spec: SaeSpec = { n_p: sh.n_p, n_m: sh.n_m, tied: true, bias: false, topk: sh.k };
  const p = initSae(spec, stream(0, "init"));
  const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 0 };
  const mW = new Float32Array(p.W.data.length), vW = new Float32Array(p.W.data.length);
  const times: number[] = [], dataT: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    const xp = src.next(sh.B);
    const t1 = performance.now();
    const g = await lossAndGrad(be, spec, p, xp, l1, null);
    hyper.step++;
    await be.adam(p.W.data, g.gW, mW, vW, hyper);
    const t2 = performance.now();
    if (s >= warmup) { times.push(t2 - t0); dataT.push(t1 - t0); }
  }
  await be.dispose();
  return { ms: median(times), data: median(dataT), mode: be.mode, gflops: stepFlops(spec, sh.B) / (median(times) / 1000) / 1e9 };
}

/** The first interpreter that imports torch, or null. */
function torchPython(): string | null {
  for (const py of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(py, ["-c", "import torch"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return null;
}

function torchStep(py: string, sh: Shape, steps: number, warmup: number): { ms: number; torch: string; blas: string } | string {
  const args = [join(import.meta.dirname, "bench_torch.py"), "--B", sh.B, "--n", sh.n, "--np", sh.n_p, "--nm", sh.n_m, "--k", sh.k, "--steps", steps, "--warmup", warmup, "--S", values.S!].map(String);
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const r = spawnSync(py, args, { encoding: "utf8", env });
  if (r.status !== 0) return `torch failed: ${(r.stderr || "").trim().split("\n").pop()}`;
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const shapes = values.shape!.split(",");
for (const sh of shapes) if (!(sh in SHAPES)) fail(`unknown --shape '${sh}' (${Object.keys(SHAPES).join(", ")})`);
const backends = values.backend!.split(",");
for (const b of backends) if (!["js", "wasm", "gpujs", "auto"].includes(b)) fail(`unknown --backend '${b}' (js, wasm, gpujs, auto)`);
for (const [k, v] of Object.entries({ steps: values.steps, warmup: values.warmup, l1: values.l1, S: values.S }))
  if (v !== undefined && !(Number.isFinite(Number(v)) && Number(v) >= 0)) fail(`--${k} must be a number >= 0 (got '${v}')`);
if (values.steps !== undefined && !(Number(values.steps) >= 1)) fail("--steps must be at least 1");
if (!(Number(values.S) > 0 && Number(values.S) < 1)) fail("--S must be in (0, 1)");
if (values.peer !== undefined && values.peer !== "torch") fail(`unknown --peer '${values.peer}' (torch)`);

let py: string | null = null;
if (values.peer === "torch") {
  py = torchPython();
  if (!py) process.stdout.write("bench: no python3 with torch found (tried python3, /usr/bin/python3): our numbers alone\n");
}
const rows: string[][] = [["shape", "B", "n_p", "n_m", "k", "backend", "steps", "ours ms/step", "(batch ms)", "GFLOP/s", ...(py ? ["torch ms/step", "ours/torch"] : [])]];
let peerInfo = "";
for (const name of shapes) {
  const sh = SHAPES[name]!;
  const steps = count(values.steps, sh.steps), warmup = count(values.warmup, sh.warmup);
  const t = py ? torchStep(py, sh, steps, warmup) : null;
  if (typeof t === "object" && t) peerInfo = `torch ${t.torch}, BLAS ${t.blas}, 1 thread`;
  for (const b of backends) {
    const r = await ours(b, sh, steps, warmup);
    rows.push([name, `${sh.B}`, `${sh.n_p}`, `${sh.n_m}`, `${sh.k || "ReLU"}`, `${b} (${r.mode})`, `${steps}+${warmup}`, r.ms.toFixed(2), r.data.toFixed(2), r.gflops.toFixed(1),
      ...(py ? (typeof t === "string" ? [t, "—"] : [t!.ms.toFixed(2), (r.ms / t!.ms).toFixed(2)]) : [])]);
    process.stderr.write(`bench: ${name} ${b} done\n`);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write([line(rows[0]!), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n") + "\n");
if (peerInfo) process.stdout.write(`peer: ${peerInfo}; S=${values.S}, λ=${values.l1}, median of the timed steps after the warm-up ones\n`);
// other processes on the machine slow both sides: say how busy it was
process.stdout.write(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
