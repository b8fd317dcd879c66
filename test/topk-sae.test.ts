// The sparsify-style Top-k SAE: selection, gradients against finite differences (FVU, Γ, AuxK),
// the decoder-gradient projection, and a short training that learns and keeps unit decoder rows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JsBackend } from "../src/compute/js.ts";
import {
  decodeSparse, encodeTopk, initTopk, projectDecoderGrad, selectTopk, topkLossAndGrad, trainTopk, type TopkParams, type TopkSpec,
} from "../src/sae/topk-sae.ts";
import type { Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const be = new JsBackend();

test("selectTopk keeps the k largest per row, ties to the lower index, only among masked columns", () => {
  const A: Mat = { rows: 2, cols: 5, data: Float32Array.from([0.1, 0.9, 0.5, 0.9, 0, 3, 0, 2, 1, 4]) };
  const z = selectTopk(A, 2);
  assert.deepEqual(Array.from(z.idx), [1, 3, 4, 0]);
  assert.deepEqual(Array.from(z.val), [0.9, 0.9, 4, 3].map((v) => Math.fround(v)));
  const masked = selectTopk(A, 2, Uint8Array.from([0, 0, 1, 0, 1]));
  assert.deepEqual(Array.from(masked.idx), [2, 4, 4, 2]);
  assert.deepEqual(Array.from(masked.val), [0.5, 0, 4, 2].map((v) => Math.fround(v)));
});

test("decodeSparse adds the bias and skips non-firing slots", () => {
  const W: Mat = { rows: 3, cols: 2, data: Float32Array.from([1, 0, 0, 1, 1, 1]) };
  const x = decodeSparse({ rows: 1, k: 2, idx: Int32Array.from([2, 0]), val: Float32Array.from([2, 0]) }, W, Float32Array.from([0.5, -1]));
  assert.deepEqual(Array.from(x), [2.5, 1]);
});

function clone(p: TopkParams): TopkParams {
  return { Wenc: { ...p.Wenc, data: p.Wenc.data.slice() }, benc: p.benc.slice(), Wdec: { ...p.Wdec, data: p.Wdec.data.slice() }, bdec: p.bdec.slice() };
}

async function gradCheck(gamma2: Float32Array | null, dead: Uint8Array | null) {
  const spec: TopkSpec = { d: 6, m: 10, k: 3 };
  const rng = stream(5, "gc");
  const p = initTopk(spec, rng);
  for (let j = 0; j < spec.m; j++) p.benc[j] = 0.2 * rng.normal() + 0.3;
  for (let i = 0; i < spec.d; i++) p.bdec[i] = 0.1 * rng.normal();
  const X: Mat = { rows: 7, cols: spec.d, data: Float32Array.from({ length: 42 }, () => rng.uniform()) };
  const g = await topkLossAndGrad(be, spec, clone(p), X, gamma2, dead, 0.5);
  if (dead) assert.ok(g.auxk > 0, "AuxK is active");
  const get = (q: TopkParams) => [q.Wenc.data, q.benc, q.Wdec.data, q.bdec];
  const grads = [g.grads.Wenc, g.grads.benc, g.grads.Wdec, g.grads.bdec];
  let checked = 0;
  for (let t = 0; t < 4; t++)
    for (let idx = 0; idx < grads[t]!.length; idx++) {
      const h = 1e-3, up = clone(p), dn = clone(p);
      get(up)[t]![idx]! += h;
      get(dn)[t]![idx]! -= h;
      // AuxK's target x − x̂ is held fixed in training (no gradient through it): hold it here too
      const su = await topkLossAndGrad(be, spec, up, X, gamma2, dead, 0.5, g.residual), sd = await topkLossAndGrad(be, spec, dn, X, gamma2, dead, 0.5, g.residual);
      if (su.z.idx.join() !== g.z.idx.join() || sd.z.idx.join() !== g.z.idx.join()) continue; // a selection change is a kink
      const fd = (su.loss - sd.loss) / (2 * h), an = grads[t]![idx]!;
      assert.ok(Math.abs(fd - an) <= 2e-3 + 0.02 * Math.abs(fd), `param ${t}[${idx}]: finite difference ${fd} vs analytic ${an}`);
      checked++;
    }
  assert.ok(checked > 100, `checked ${checked} coordinates`);
}

test("gradients match finite differences: plain FVU", () => gradCheck(null, null));
test("gradients match finite differences: WSAE weights Γ² on the error", () => gradCheck(Float32Array.from([2, 0.5, 1, 0.1, 1.5, 0.9]), null));
test("gradients match finite differences: with AuxK on dead latents", () => gradCheck(Float32Array.from([2, 0.5, 1, 0.1, 1.5, 0.9]), Uint8Array.from([1, 1, 0, 1, 0, 1, 1, 0, 0, 1])));

test("the projected decoder gradient is orthogonal to each (unit) decoder row", () => {
  const p = initTopk({ d: 4, m: 3, k: 1 }, stream(1, "p"));
  const g = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
  projectDecoderGrad(p.Wdec, g);
  for (let j = 0; j < 3; j++) {
    let dot = 0;
    for (let i = 0; i < 4; i++) dot += g[j * 4 + i]! * p.Wdec.data[j * 4 + i]!;
    assert.ok(Math.abs(dot) < 1e-6, `row ${j}: ${dot}`);
  }
});

test("init: decoder = encoder rows at unit norm, zero biases", () => {
  const p = initTopk({ d: 5, m: 4, k: 2 }, stream(2, "i"));
  for (let j = 0; j < 4; j++) {
    let n = 0, dot = 0, ne = 0;
    for (let i = 0; i < 5; i++) { n += p.Wdec.data[j * 5 + i]! ** 2; ne += p.Wenc.data[j * 5 + i]! ** 2; dot += p.Wdec.data[j * 5 + i]! * p.Wenc.data[j * 5 + i]!; }
    assert.ok(Math.abs(n - 1) < 1e-6);
    assert.ok(Math.abs(dot - Math.sqrt(ne)) < 1e-5, "same direction");
  }
  assert.ok(p.benc.every((v) => v === 0) && p.bdec.every((v) => v === 0));
});

test("training on sparse non-negative data lowers FVU well below 1, keeps unit decoder rows, and is deterministic", async () => {
  const d = 8, N = 600, rng = stream(9, "data");
  // each sample: 2 of 16 random non-negative directions → a Top-2 SAE with 32 latents can fit it
  const dirs = Array.from({ length: 16 }, () => Array.from({ length: d }, () => Math.max(0, rng.normal())));
  const X: Mat = { rows: N, cols: d, data: new Float32Array(N * d) };
  for (let r = 0; r < N; r++) for (let t = 0; t < 2; t++) { const f = rng.int(16), a = rng.uniform() + 0.5; for (let i = 0; i < d; i++) X.data[r * d + i]! += a * dirs[f]![i]!; }
  const spec = { d, m: 32, k: 2 }, cfg = { steps: 300, batch: 64, lr: 1e-2, auxAlpha: 1 / 32, deadSteps: 50, gamma2: null };
  const a = await trainTopk(be, spec, X, cfg, stream(1, "init"), stream(1, "b"));
  const b = await trainTopk(be, spec, X, cfg, stream(1, "init"), stream(1, "b"));
  assert.deepEqual(a.params.Wdec.data, b.params.Wdec.data);
  const { Z, Xhat } = await encodeTopk(be, spec, a.params, X);
  let num = 0, den = 0;
  const mu = new Float64Array(d);
  for (let q = 0; q < N * d; q++) mu[q % d]! += X.data[q]! / N;
  for (let q = 0; q < N * d; q++) { num += (X.data[q]! - Xhat[q]!) ** 2; den += (X.data[q]! - mu[q % d]!) ** 2; }
  assert.ok(num / den < 0.2, `held-in FVU ${num / den}`);
  for (let r = 0; r < N; r++) assert.ok(Z.data.subarray(r * 32, (r + 1) * 32).filter((v) => v > 0).length <= 2);
  for (let j = 0; j < 32; j++) {
    let n = 0;
    for (let i = 0; i < d; i++) n += a.params.Wdec.data[j * d + i]! ** 2;
    assert.ok(Math.abs(n - 1) < 1e-5);
  }
});
