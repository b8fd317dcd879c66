import { test } from "node:test";
import assert from "node:assert/strict";
import { JsBackend } from "../src/compute/js.ts";
import { initSae, topkRows, type SaeParams, type SaeSpec } from "../src/sae/model.ts";
import { lossAndGrad, trainSae } from "../src/sae/train.ts";
import { polygonWp } from "../src/data/generators.ts";
import { SyntheticSource, type BatchSource } from "../src/data/synthetic.ts";
import { DivergenceError } from "../src/util/errors.ts";
import { mat, type Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const be = new JsBackend();

function clone(p: SaeParams): SaeParams {
  return {
    W: mat(p.W.rows, p.W.cols, p.W.data.slice()),
    D: p.D ? mat(p.D.rows, p.D.cols, p.D.data.slice()) : null,
    b: p.b ? p.b.slice() : null,
  };
}

/** Central finite differences in float64 against the hand-written backward pass. */
async function gradCheck(spec: SaeSpec, l1: number, gamma2: Float32Array | null) {
  const rng = stream(3, "gc");
  const p = initSae(spec, rng);
  if (p.b) for (let j = 0; j < p.b.length; j++) p.b[j] = 0.1 * rng.normal();
  const xp = mat(8, spec.n_p);
  for (let i = 0; i < xp.data.length; i++) xp.data[i] = rng.uniform();
  const g = await lossAndGrad(be, spec, clone(p), xp, l1, gamma2);
  const targets: [Float32Array, Float32Array, (q: SaeParams) => Float32Array][] = [[p.W.data, g.gW, (q) => q.W.data]];
  if (p.D) targets.push([p.D.data, g.gD!, (q) => q.D!.data]);
  if (p.b) targets.push([p.b, g.gb!, (q) => q.b!]);
  for (const [, grad, get] of targets) {
    for (let idx = 0; idx < grad.length; idx += 3) {
      const h = 1e-2;
      const up = clone(p), dn = clone(p);
      get(up)[idx]! += h;
      get(dn)[idx]! -= h;
      const lu = (await lossAndGrad(be, spec, up, xp, l1, gamma2)).loss;
      const ld = (await lossAndGrad(be, spec, dn, xp, l1, gamma2)).loss;
      const fd = (lu - ld) / (2 * h);
      // float32 parameters and kinks of ReLU: a loose but meaningful tolerance
      assert.ok(Math.abs(fd - grad[idx]!) < 2e-2 * Math.max(1, Math.abs(fd)), `idx ${idx}: fd ${fd} vs ${grad[idx]}`);
    }
  }
}

test("hand-written gradients match finite differences: tied, bias-free (the theory's SAE)", async () => {
  await gradCheck({ n_p: 4, n_m: 6, tied: true, bias: false, topk: 0 }, 0, null);
});
test("gradients match finite differences: tied + bias + L1 + WSAE weights", async () => {
  await gradCheck({ n_p: 4, n_m: 6, tied: true, bias: true, topk: 0 }, 0.1, Float32Array.from([0.5, 2, 1, 0.25]));
});
test("gradients match finite differences: untied decoder", async () => {
  await gradCheck({ n_p: 5, n_m: 4, tied: false, bias: true, topk: 0 }, 0.05, null);
});

test("gradients match finite differences: Top-k activation (k = 2)", async () => {
  await gradCheck({ n_p: 4, n_m: 6, tied: true, bias: true, topk: 2 }, 0.05, null);
});

test("Top-k keeps the k largest positive entries per row, lower index on ties", () => {
  const z = mat(2, 5, Float32Array.from([0.5, 2, 0, 2, 1, 0, 0, 0.3, 0, 0]));
  topkRows(z, 2);
  assert.deepEqual(Array.from(z.data), [0, 2, 0, 2, 0, 0, 0, 0.30000001192092896, 0, 0]);
});

test("training is deterministic and lowers the loss", async () => {
  const { Wp } = polygonWp(12, 5, stream(1, "wp"));
  const spec: SaeSpec = { n_p: 5, n_m: 12, tied: true, bias: false, topk: 0 };
  const run = () =>
    trainSae(be, spec, new SyntheticSource(Wp, 0.9, stream(1, "train")), { steps: 200, batch: 64, lr: 3e-3, l1: 0, gamma2: null }, stream(1, "init"));
  const a = await run(), b = await run();
  assert.deepEqual(a.params.W.data, b.params.W.data);
  assert.ok(a.losses.at(-1)! < 0.5 * a.losses[0]!, `loss ${a.losses[0]} → ${a.losses.at(-1)}`);
});

test("a NaN loss stops training with a clear DivergenceError", async () => {
  const bad: BatchSource = { dim: 3, next: (B: number): Mat => mat(B, 3, new Float32Array(B * 3).fill(NaN)) };
  await assert.rejects(
    trainSae(be, { n_p: 3, n_m: 4, tied: true, bias: false, topk: 0 }, bad, { steps: 5, batch: 4, lr: 1e-3, l1: 0, gamma2: null }, stream(0, "i")),
    (e: unknown) => e instanceof DivergenceError && /diverged at step 1 of 5/.test((e as Error).message),
  );
});
