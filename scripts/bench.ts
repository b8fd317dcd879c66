/**
 * npm run bench — training steps/s and GFLOP/s per backend at the paper's synthetic
 * shape (batch 1024, n_p = 20, n_m = 200) and a wide shape (batch 1024, n_p = 512,
 * n_m = 4096), plus the per-op split. GFLOP/s counts the dense-equivalent work of a
 * step (10·B·n_p·n_m: encoder, decoder, three backward products), so sparse-latent
 * shortcuts show up as a higher rate. A step includes drawing its fresh batch.
 *
 *   npm run bench                       # both backends, both shapes
 *   npm run bench -- --backend js --shape paper --l1 0.1 --warmup 500
 *
 * --warmup N trains N untimed steps first: with an L1 penalty the latents become
 * sparse and every product but the encoder gets cheap, which is the regime the
 * artifacts spend most of their time in. Without it the timing is at initialisation
 * (about half the latents active).
 */
import { parseArgs } from "node:util";
import { createBackend } from "../src/compute/index.ts";
import { gaussianWp, polygonWp } from "../src/data/generators.ts";
import { SyntheticSource } from "../src/data/synthetic.ts";
import { initSae, type SaeSpec } from "../src/sae/model.ts";
import { lossAndGrad, stepFlops } from "../src/sae/train.ts";
import { stream } from "../src/util/rng.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "js,gpujs" },
    shape: { type: "string", default: "paper,wide" },
    steps: { type: "string" },
    l1: { type: "string", default: "0" },
    S: { type: "string", default: "0.9" },
    warmup: { type: "string", default: "0" },
  },
});

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

const SHAPES = {
  paper: { B: 1024, n: 200, n_p: 20, n_m: 200, steps: 60 },
  wide: { B: 1024, n: 1024, n_p: 512, n_m: 4096, steps: 3 },
} as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bench(backendName: string, shapeName: keyof typeof SHAPES) {
  const sh = SHAPES[shapeName];
  const steps = values.steps ? Number(values.steps) : sh.steps;
  const be = createBackend(backendName);
  const S = Number(values.S), l1 = Number(values.l1);
  const Wp = shapeName === "paper" ? polygonWp(sh.n, sh.n_p, stream(0, "wp")).Wp : gaussianWp(sh.n, sh.n_p, stream(0, "wp"));
  const src = new SyntheticSource(Wp, S, stream(0, "data"));
  const spec: SaeSpec = { n_p: sh.n_p, n_m: sh.n_m, tied: true, bias: false, topk: 0 };
  const p = initSae(spec, stream(0, "init"));
  const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 0 };
  const mW = new Float32Array(p.W.data.length), vW = new Float32Array(p.W.data.length);
  const times: number[] = [], dataT: number[] = [];
  const warm = Number(values.warmup);
  for (let s = 0; s < warm; s++) {
    const g = await lossAndGrad(be, spec, p, src.next(256), l1, null);
    hyper.step++;
    await be.adam(p.W.data, g.gW, mW, vW, { ...hyper, lr: 3e-3 });
  }
  let l0 = 0;
  for (let s = 0; s < steps + 2; s++) {
    const t0 = performance.now();
    const xp = src.next(sh.B);
    const t1 = performance.now();
    const g = await lossAndGrad(be, spec, p, xp, l1, null);
    hyper.step++;
    await be.adam(p.W.data, g.gW, mW, vW, hyper);
    const t2 = performance.now();
    if (s >= 2) { times.push(t2 - t0); dataT.push(t1 - t0); }
    if (s === steps + 1) l0 = (await be.encodeRelu(xp, p.W, null)).data.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / sh.B;
  }
  await be.dispose();
  const ms = median(times);
  const gflops = stepFlops(spec, sh.B) / (ms / 1000) / 1e9;
  console.log(
    `${backendName.padEnd(6)} ${(be.mode).padEnd(7)} ${shapeName.padEnd(6)} B=${sh.B} n_p=${sh.n_p} n_m=${sh.n_m} S=${S} λ=${l1} warmup=${warm} L0=${l0.toFixed(1)}  ` +
    `step ${ms.toFixed(2)} ms (data ${median(dataT).toFixed(2)} ms)  ${(1000 / ms).toFixed(1)} steps/s  ${gflops.toFixed(2)} GFLOP/s  [median of ${steps}]`,
  );
}

const shapes = values.shape!.split(",");
for (const sh of shapes) if (!(sh in SHAPES)) fail(`unknown --shape '${sh}' (paper, wide)`);
const backends = values.backend!.split(",");
for (const b of backends) if (!["js", "gpujs"].includes(b)) fail(`unknown --backend '${b}' (js, gpujs)`);
for (const [k, v] of Object.entries({ steps: values.steps, warmup: values.warmup, l1: values.l1, S: values.S }))
  if (v !== undefined && !(Number.isFinite(Number(v)) && Number(v) >= 0)) fail(`--${k} must be a number >= 0 (got '${v}')`);
if (!(Number(values.S) < 1)) fail("--S must be in [0, 1)");
for (const shape of shapes as (keyof typeof SHAPES)[]) for (const b of backends) await bench(b, shape);
