import { test } from "node:test";
import assert from "node:assert/strict";
import { JsBackend } from "../src/compute/js.ts";
import { polygonWp } from "../src/data/generators.ts";
import { SyntheticSource } from "../src/data/synthetic.ts";
import { trainSae } from "../src/sae/train.ts";
import { columnVariance, gamma2Of, gammaFromScores, weightsFor } from "../src/sae/weights.ts";
import { fromRows } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

test("columnVariance is the population variance per column", () => {
  // column 0: 1, 2, 3, 4 → mean 2.5, var 1.25; column 1: 10 constant → 0; column 2: 1e6 ± 1 → 1
  const X = fromRows([[1, 10, 1e6 + 1], [2, 10, 1e6 - 1], [3, 10, 1e6 + 1], [4, 10, 1e6 - 1]]);
  const v = columnVariance(X);
  assert.ok(Math.abs(v[0]! - 1.25) < 1e-12);
  assert.equal(v[1], 0);
  assert.ok(Math.abs(v[2]! - 1) < 1e-6);
});

test("γ = s^α rescaled to mean γ² = 1, for positive and negative α", () => {
  // s = (1, 4): α = 1 → (1, 4)·√(2/17); α = −0.5 → (1, 0.5)·√(2/1.25)
  const g1 = gammaFromScores([1, 4], 1);
  assert.ok(Math.abs(g1[0]! - Math.sqrt(2 / 17)) < 1e-12 && Math.abs(g1[1]! - 4 * Math.sqrt(2 / 17)) < 1e-12);
  const g2 = gammaFromScores([1, 4], -0.5);
  assert.ok(Math.abs(g2[0]! - Math.sqrt(1.6)) < 1e-12 && Math.abs(g2[1]! - 0.5 * Math.sqrt(1.6)) < 1e-12);
  for (const g of [g1, g2]) assert.ok(Math.abs((g[0]! ** 2 + g[1]! ** 2) / 2 - 1) < 1e-12);
  // α = 0 is uniform
  assert.deepEqual(Array.from(gammaFromScores([3, 7, 9], 0)), [1, 1, 1]);
  // a zero score with α < 0 takes the smallest positive score instead of infinity
  const g3 = gammaFromScores([0, 2, 4], -1);
  assert.ok(Number.isFinite(g3[0]!) && Math.abs(g3[0]! - g3[1]!) < 1e-12);
  assert.throws(() => gammaFromScores([0, 0], 1), /every monosemanticity score is zero/);
});

test("variance proxy on the polygon geometry up-weights the polysemantic dims (α = 1)", () => {
  const { Wp, groups } = polygonWp(40, 8, stream(0, "wp"));
  const xp = new SyntheticSource(Wp, 0.7, stream(0, "w")).sample(20000).xp;
  const g = weightsFor("variance", 1, { xpSample: xp })!;
  const mono = groups.find((x) => x.kind === "mono")!.dims[0]!;
  const poly = groups.filter((x) => x.kind === "polygon").at(-1)!.dims[0]!;
  assert.ok(g[poly]! > 2 * g[mono]!, `polygon dim γ ${g[poly]} vs mono dim γ ${g[mono]}`);
  // the oracle does the opposite: mono dims weigh more
  const o = weightsFor("oracle", 1, { Wp })!;
  assert.ok(o[mono]! > o[poly]!);
  assert.equal(weightsFor("uniform", 1, {}), null);
});

test("WSAE with uniform weights equals the SAE exactly (same seed)", async () => {
  const be = new JsBackend();
  const { Wp } = polygonWp(12, 5, stream(4, "wp"));
  const spec = { n_p: 5, n_m: 12, tied: true, bias: true, topk: 0 };
  const run = (gamma2: Float32Array | null) =>
    trainSae(be, spec, new SyntheticSource(Wp, 0.8, stream(4, "train")), { steps: 100, batch: 32, lr: 3e-3, l1: 0.1, gamma2 }, stream(4, "init"));
  const sae = await run(null);
  const wsae = await run(gamma2Of(gammaFromScores([2, 3, 5, 7, 11], 0)));
  assert.deepEqual(wsae.params.W.data, sae.params.W.data);
  assert.deepEqual(wsae.params.b, sae.params.b);
  // and non-uniform weights do change the result
  const other = await run(gamma2Of(gammaFromScores([2, 3, 5, 7, 11], 1)));
  assert.notDeepEqual(other.params.W.data, sae.params.W.data);
});
