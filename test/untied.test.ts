// Untied training as SAELens does it: unit-norm decoder rows, the decoder gradient
// projected off its rows before each step. The projected gradient is the derivative
// of the loss along the sphere, L(normalise(D)), checked by finite differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JsBackend } from "../src/compute/js.ts";
import { initSae, normalizeRows, type SaeParams, type SaeSpec } from "../src/sae/model.ts";
import { lossAndGrad, projectOffRows, trainSae } from "../src/sae/train.ts";
import { polygonWp } from "../src/data/generators.ts";
import { SyntheticSource } from "../src/data/synthetic.ts";
import { mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const be = new JsBackend();
const spec: SaeSpec = { n_p: 5, n_m: 4, tied: false, bias: true, topk: 0 };

const clone = (p: SaeParams): SaeParams => ({ W: mat(p.W.rows, p.W.cols, p.W.data.slice()), D: mat(p.D!.rows, p.D!.cols, p.D!.data.slice()), b: p.b!.slice() });

test("projected decoder gradient = d/dh L(normalise(D + h·e_k)) at unit-norm rows (finite differences)", async () => {
  const rng = stream(11, "untied-gc");
  const p = initSae(spec, rng);
  for (let j = 0; j < p.b!.length; j++) p.b![j] = 0.1 * rng.normal();
  const xp = mat(8, spec.n_p);
  for (let i = 0; i < xp.data.length; i++) xp.data[i] = rng.uniform();
  const l1 = 0.05, gamma2 = Float32Array.from([0.5, 2, 1, 0.25, 1.25]);
  const g = await lossAndGrad(be, spec, clone(p), xp, l1, gamma2);
  const raw = g.gD!.slice();
  const proj = g.gD!.slice();
  projectOffRows(proj, p.D!);
  // the removed part is not negligible here, so the check can tell the two apart
  let removed = 0;
  for (let k = 0; k < raw.length; k++) removed = Math.max(removed, Math.abs(raw[k]! - proj[k]!));
  assert.ok(removed > 1e-2, `projection removed only ${removed}`);
  let rawMiss = 0;
  for (let k = 0; k < proj.length; k++) {
    const h = 1e-2;
    const up = clone(p), dn = clone(p);
    up.D!.data[k]! += h; dn.D!.data[k]! -= h;
    normalizeRows(up.D!); normalizeRows(dn.D!);
    const fd = ((await lossAndGrad(be, spec, up, xp, l1, gamma2)).loss - (await lossAndGrad(be, spec, dn, xp, l1, gamma2)).loss) / (2 * h);
    assert.ok(Math.abs(fd - proj[k]!) < 2e-2 * Math.max(1, Math.abs(fd)), `D[${k}]: fd ${fd} vs projected ${proj[k]}`);
    rawMiss = Math.max(rawMiss, Math.abs(fd - raw[k]!));
  }
  assert.ok(rawMiss > 5e-2, "the unprojected gradient should not match the along-sphere derivative");
  // each row's projected gradient is orthogonal to the row
  for (let j = 0; j < spec.n_m; j++) {
    let dot = 0;
    for (let i = 0; i < spec.n_p; i++) dot += proj[j * spec.n_p + i]! * p.D!.data[j * spec.n_p + i]!;
    assert.ok(Math.abs(dot) < 1e-6, `row ${j}: g·d = ${dot}`);
  }
});

test("untied training keeps decoder rows at unit norm and lowers the loss", async () => {
  const { Wp } = polygonWp(12, 5, stream(2, "wp"));
  const s: SaeSpec = { n_p: 5, n_m: 12, tied: false, bias: false, topk: 0 };
  const res = await trainSae(be, s, new SyntheticSource(Wp, 0.9, stream(2, "train")), { steps: 300, batch: 64, lr: 3e-3, l1: 0.01, gamma2: null }, stream(2, "init"));
  for (let j = 0; j < s.n_m; j++) {
    let n2 = 0;
    for (let i = 0; i < s.n_p; i++) n2 += res.params.D!.data[j * s.n_p + i]! ** 2;
    assert.ok(Math.abs(n2 - 1) < 1e-5, `row ${j} norm² ${n2}`);
  }
  assert.ok(res.losses.at(-1)! < 0.5 * res.losses[0]!, `loss ${res.losses[0]} → ${res.losses.at(-1)}`);
});
