import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  analyseWp, checkPremises, closedForm, example1, example2, exampleWp, gapDirect, gapFormula, gapMatrix,
  normalizeGamma, oracleGamma, polygonBlocks, recoverBatch, recoverFeatures, recoveryCurve, sampleX, shrinkStats,
} from "../src/theory/index.ts";
import { recoveryPoint } from "../src/theory/gaps.ts";
import { formatExample, formatTheoryReport, parseTheoryArgs, runTheory } from "../src/cli/theory.ts";
import { encodeNpy, writeNpy } from "../src/data/matfile.ts";
import { UserError } from "../src/util/errors.ts";
import { fromRows, mat64, type Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";
import { tmp } from "./helpers.ts";

const close = (a: number, b: number, tol: number, what = "") => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);
const userError = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes("\n"));

function gaussianWp(np: number, n: number, seed: number): Mat<Float64Array> {
  const rng = stream(seed, "test-wp");
  const W = mat64(np, n);
  for (let k = 0; k < np * n; k++) W.data[k] = rng.normal();
  return W;
}

test("Example 1: x = (0.5, 1, 0.8) recovers (0.5, 0.2, 0); feature 2 loses top-1, feature 3 vanishes", () => {
  const ex = example1();
  assert.deepEqual(ex.xp, [0.5, 1 - 0.8]);
  assert.equal(ex.recovered[0], 0.5);
  close(ex.recovered[1]!, 0.2, 1e-15, "x_m,2"); // 1 − 0.8 in float64 is 0.2 − 2^-54·…
  assert.equal(ex.recovered[2], 0);
  close(ex.preActivation[2]!, -0.2, 1e-15, "pre-activation of feature 3");
  assert.equal(ex.source, "paper");
  assert.equal(ex.shrink.top1True, 1);
  assert.equal(ex.shrink.top1Recovered, 0);
  close(ex.shrink.features[1]!.ratio!, 0.2, 1e-15);
  assert.deepEqual(ex.shrink.features.map((f) => f.vanished), [false, false, true]);
  const text = formatExample(ex);
  assert.match(text, /x_m = relu\(\.\.\.\)\s+= \(0\.5, 0\.2, 0\)\s+expected \(0\.5, 0\.2, 0\): matches/);
  assert.match(text, /top-1 feature: true 2, recovered 1 \(rank changed\)/);
});

test("Example 2 (our instance): x = (0.5, 0.8, 0.8) recovers (0.5, 0, 0), two features vanish", () => {
  const ex = example2();
  assert.equal(ex.source, "ours");
  assert.deepEqual(ex.recovered, [0.5, 0, 0]);
  assert.deepEqual(ex.xp, [0.5, 0]);
  assert.deepEqual(ex.shrink.features.map((f) => f.vanished), [false, true, true]);
  assert.match(formatExample(ex), /our instance/);
});

test("closed form is (W_p, 0)^T with zero padding; n_m < n is refused", () => {
  const Wp = exampleWp();
  const Wm = closedForm(Wp, 5);
  assert.deepEqual([Wm.rows, Wm.cols], [5, 2]);
  assert.deepEqual(Array.from(Wm.data), [1, 0, 0, 1, 0, -1, 0, 0, 0, 0]);
  userError(() => closedForm(Wp, 2), /n_m >= n/);
});

test("recoverBatch matches recoverFeatures row by row", () => {
  const Wp = gaussianWp(4, 9, 3);
  const X = sampleX(9, 0.6, 50, 1);
  const B = recoverBatch(Wp, X);
  for (let s = 0; s < 50; s++) {
    const one = recoverFeatures(Wp, X.data.subarray(s * 9, (s + 1) * 9));
    for (let i = 0; i < 9; i++) close(B.data[s * 9 + i]!, one[i]!, 1e-12);
  }
});

test("Theorem 5 identity: gapDirect = gapFormula to 1e-9 on random Gaussian W_p and positive gamma", () => {
  const cases = [[3, 7, 0.5], [5, 12, 0.0], [8, 20, 0.9], [2, 6, 0.3], [10, 40, 0.7], [6, 6, 0.8]] as const;
  cases.forEach(([np, n, S], k) => {
    const Wp = gaussianWp(np, n, 100 + k);
    const rng = stream(k, "test-gamma");
    const gamma = Array.from({ length: np }, () => 0.2 + 2 * rng.uniform());
    const X = sampleX(n, S, 400, k);
    const d = gapDirect(Wp, gamma, X);
    const f = gapFormula(Wp, gamma, X);
    close(d.gap, f, 1e-9, `case ${k}`);
    assert.ok(Math.abs(d.gap) > 1e-3, `case ${k}: a non-trivial gap (${d.gap})`);
    close(d.gap, d.lWsae - d.lGt, 1e-15);
    assert.ok(d.lWsae !== d.lSae, "gamma changes the weighted loss");
  });
});

test("Theorem 4 is the gamma = 1 case of Theorem 5", () => {
  const Wp = gaussianWp(5, 15, 7);
  const X = sampleX(15, 0.7, 500, 2);
  const ones = new Array<number>(5).fill(1);
  const a = gapDirect(Wp, null, X), b = gapDirect(Wp, ones, X);
  assert.equal(a.lWsae, a.lSae);
  assert.deepEqual(a, b);
  close(gapFormula(Wp, null, X), a.gap, 1e-9);
  const M = gapMatrix(Wp, null);
  close(M.data[0]!, Wp.data.reduce((s, _v, k) => s + (k % 15 === 0 ? Wp.data[k]! ** 2 : 0), 0) - 1, 1e-12, "M_00 = |w_0|^2 - 1");
});

test("Example 1's W_p: L_SAE = 0 exactly at W_m = W_p^T while L_GT = (1-S)^2/3 > 0", () => {
  const Wp = exampleWp();
  const S = 0.7;
  const X = sampleX(3, S, 200000, 5);
  const d = gapDirect(Wp, null, X);
  assert.equal(d.lSae, 0);
  // only when both digon features are on: error 2·min(a,b)², E[min(U,V)²] = 1/6
  close(d.lGt, (1 - S) ** 2 / 3, 0.0015, "L_GT");
  close(d.gap, -d.lGt, 0);
  close(gapFormula(Wp, [3, 0.1], X), d.gap, 1e-12, "any gamma: the digon reconstructs x_p exactly");
});

test("shrinking/vanishing statistics match the digon's closed form", () => {
  const S = 0.7;
  const s = shrinkStats(exampleWp(), S, 100000, 11);
  assert.equal(s.features[0]!.shrink, 1);
  assert.equal(s.features[0]!.pVanish, 0);
  for (const i of [1, 2]) {
    close(s.features[i]!.shrink!, S + (1 - S) / 3, 0.01, `shrink ${i}`); // E[x_m|on] = S/2 + (1−S)/6
    close(s.features[i]!.pVanish!, (1 - S) / 2, 0.01, `vanish ${i}`);
    assert.equal(s.features[i]!.pSpurious, 0);
  }
  close(s.features[1]!.pActive, 1 - S, 0.01);
  assert.equal(s.totals.featuresShrunk, 2);
  assert.equal(s.totals.featuresVanishing, 2);
  assert.equal(s.totals.minShrinkFeature === 1 || s.totals.minShrinkFeature === 2, true);
});

test("premises: digon, triangle, square", () => {
  const digon = checkPremises(polygonBlocks([2]));
  assert.ok(digon.nonPositiveInterference.holds && digon.digonPolygon.holds && digon.unitNorm.holds && digon.superposition.holds);
  assert.deepEqual(digon.groups.map((g) => [g.kind, g.size]), [["digon", 2]]);
  close(digon.maxInterference!.value, -1, 0);

  const tri = checkPremises(polygonBlocks([3], 0.4));
  assert.ok(tri.nonPositiveInterference.holds && tri.digonPolygon.holds && tri.theorem1.holds && tri.theorem2.holds);
  assert.deepEqual(tri.groups.map((g) => [g.kind, g.size, g.dims]), [["polygon", 3, [0, 1]]]);
  close(tri.maxInterference!.value, -0.5, 1e-12);

  const sq = checkPremises(polygonBlocks([4], 0.3)); // rotated: one 4-gon
  assert.ok(sq.nonPositiveInterference.holds && sq.digonPolygon.holds);
  assert.deepEqual(sq.groups.map((g) => [g.kind, g.size]), [["polygon", 4]]);
  close(sq.maxInterference!.value, 0, 1e-12);
  const sqAxis = checkPremises(polygonBlocks([4], 0)); // axis-aligned: two orthogonal digons
  assert.deepEqual(sqAxis.groups.map((g) => [g.kind, g.features]), [["digon", [0, 2]], ["digon", [1, 3]]]);
});

test("premises: a pentagon is a polygon but has positive interference cos(72°)", () => {
  const p = checkPremises(polygonBlocks([1, 2, 5], 0.1), 1e-6, 8);
  assert.equal(p.nonPositiveInterference.holds, false);
  close(p.maxInterference!.value, Math.cos((2 * Math.PI) / 5), 1e-12);
  assert.match(p.nonPositiveInterference.reason, /0\.309/);
  assert.ok(p.digonPolygon.holds && p.theorem1.holds && p.enoughLatents!.holds);
  assert.equal(p.theorem2.holds, false);
  assert.deepEqual(p.groups.map((g) => [g.kind, g.size]), [["mono", 1], ["digon", 2], ["polygon", 5]]);
  assert.equal(checkPremises(polygonBlocks([1, 2, 5]), 1e-6, 7).enoughLatents!.holds, false);
});

test("premises: random Gaussian W_p, an irregular plane and a zero column fail", () => {
  const g = checkPremises(gaussianWp(5, 12, 9));
  assert.equal(g.nonPositiveInterference.holds, false);
  assert.equal(g.digonPolygon.holds, false);
  assert.equal(g.unitNorm.holds, false);
  assert.equal(g.superposition.holds, true);
  assert.deepEqual(g.groups.map((x) => [x.kind, x.size]), [["other", 12]]);
  const ang = [0, 1.8, 3.9];
  const irr = checkPremises(fromRows([ang.map(Math.cos), ang.map(Math.sin)]));
  assert.equal(irr.digonPolygon.holds, false);
  assert.match(irr.digonPolygon.reason, /not evenly spaced/);
  const z = checkPremises(fromRows([[1, 0, -1], [0, 0, 0]]));
  assert.deepEqual(z.groups.map((x) => x.kind), ["digon", "zero"]);
  assert.equal(z.digonPolygon.holds, false);
  assert.equal(z.superposition.holds, true);
});

test("oracle gamma: mono + square gives g ratio 2/m = 0.5, and 2/3, 0.4, 1/2 on triangle, pentagon, digon", () => {
  const o = oracleGamma(polygonBlocks([1, 4], 0.3));
  close(o.g[0]!, 1, 1e-10, "mono");
  close(o.g[1]! / o.g[0]!, 0.5, 1e-10, "square/mono");
  close(o.g[2]! / o.g[0]!, 0.5, 1e-10, "square/mono");
  close(o.gamma.reduce((s, v) => s + v * v, 0) / 3, 1, 1e-12, "mean gamma^2");
  close(o.gamma[1]! / o.gamma[0]!, Math.sqrt(0.5), 1e-10);
  assert.ok(o.kkt <= 1e-10);
  const all = oracleGamma(polygonBlocks([1, 2, 3, 5], 1.1));
  const want = [1, 0.5, 2 / 3, 2 / 3, 0.4, 0.4];
  want.forEach((w, d) => close(all.g[d]!, w, 1e-10, `dim ${d}`));
  // per group at the optimum: mono 0, digon 1, m-gon m − 2; at g = 1: 0, 2, m²/2 − m
  close(all.objective, 0 + 1 + 1 + 3, 1e-9, "objective");
  close(all.objectiveUniform, 0 + 2 + 1.5 + 7.5, 1e-9, "objective at gamma = 1");
});

test("oracle gamma solves the NNLS on a random W_p (KKT, and no feasible point does better)", () => {
  const Wp = gaussianWp(6, 15, 21);
  const o = oracleGamma(Wp);
  assert.ok(o.kkt <= 1e-10, `kkt ${o.kkt}`);
  assert.ok(o.g.every((v) => v >= 0));
  const obj = (g: ArrayLike<number>) => {
    const M = gapMatrix(Wp, Array.from(g, Math.sqrt));
    return M.data.reduce((s, v) => s + v * v, 0);
  };
  close(obj(o.g), o.objective, 1e-8);
  const rng = stream(1, "test-nnls");
  for (let t = 0; t < 200; t++) {
    const g = Array.from(o.g, (v) => Math.max(0, v + 0.05 * rng.normal()));
    assert.ok(obj(g) >= o.objective - 1e-9);
  }
});

test("normalizeGamma rescales to mean gamma^2 = 1 and rejects bad weights", () => {
  const g = normalizeGamma([1, 2, 2]);
  close(g.reduce((s, v) => s + v * v, 0), 3, 1e-12);
  close(g[1]! / g[0]!, 2, 1e-12);
  userError(() => normalizeGamma([0, 0]), /all zero/);
  userError(() => normalizeGamma([1, -1]), /gamma\[1\] = -1/);
});

test("Theorem 2: recovery error falls monotonically as S goes 0.5 -> 0.99 on digons, (1-S)^2/3 per digon", () => {
  const Wp = polygonBlocks([2, 2, 2]);
  const Ss = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
  const curve = recoveryCurve(Wp, Ss, 40000, 3);
  for (let k = 1; k < curve.length; k++) assert.ok(curve[k]!.error < curve[k - 1]!.error, `S=${Ss[k]}`);
  for (const p of curve.slice(0, 5)) close(p.error, (1 - p.S) ** 2, 0.08 * (1 - p.S) ** 2, `S=${p.S}`);
  assert.ok(curve.at(-1)!.error < 3e-4);
  assert.ok(curve.at(-1)!.atMostOneActive > 0.99);
  assert.ok(recoveryCurve(Wp, [0.999], 40000, 3)[0]!.error < 1e-5);
});

test("recoveryPoint: Theorem 2's numbers on given samples (hand case), and recoveryCurve is it on theory's samples", () => {
  // Example 1's W_p; x = (0.5, 1, 0.8) → x_m = (0.5, 0.2, 0); x = 0 → 0; x = e2 → e2 (one active feature)
  const Wp = exampleWp();
  const X = fromRows([[0.5, 1, 0.8], [0, 0, 0], [0, 1, 0]]);
  const p = recoveryPoint(Wp, 0.5, X);
  assert.equal(p.S, 0.5);
  close(p.error, (0.8 ** 2 + 0.8 ** 2) / 3, 1e-15, "error");
  close(p.xEnergy, (0.25 + 1 + 0.64 + 1) / 3, 1e-15, "x energy");
  close(p.relativeError, 1.28 / 2.89, 1e-15, "relative error");
  assert.equal(p.atMostOneActive, 2 / 3);
  assert.ok(Number.isNaN(recoveryPoint(Wp, 0.5, mat64(2, 3)).relativeError), "all-zero x: no relative error");
  userError(() => recoveryPoint(Wp, 0.5, mat64(2, 4)), /X has 4 columns/);
  const [c] = recoveryCurve(Wp, [0.7], 500, 9);
  assert.deepEqual(c, recoveryPoint(Wp, 0.7, sampleX(3, 0.7, 500, 9)));
  assert.equal(c!.error, gapDirect(Wp, null, sampleX(3, 0.7, 500, 9)).lGt);
});

test("Theorem 2: any one-active-feature x is recovered exactly under non-positive interference, not on a pentagon", () => {
  for (const sizes of [[1, 2], [2, 3], [4], [3, 3]]) {
    const Wp = polygonBlocks(sizes, 0.3);
    for (let i = 0; i < Wp.cols; i++)
      for (const t of [0.3, 1]) {
        const x = new Float64Array(Wp.cols);
        x[i] = t;
        const xm = recoverFeatures(Wp, x);
        xm.forEach((v, j) => close(v, x[j]!, 1e-12, `sizes ${sizes} feature ${i}`));
      }
  }
  const pent = polygonBlocks([5]);
  const xm = recoverFeatures(pent, [1, 0, 0, 0, 0]);
  close(xm[1]!, Math.cos((2 * Math.PI) / 5), 1e-12, "a neighbour fires spuriously");
});

test("CLI argument validation: one-line UserErrors", () => {
  userError(() => parseTheoryArgs({}), /needs --wp FILE/);
  userError(() => parseTheoryArgs({ wp: "a.npy", example: "1" }), /not both/);
  userError(() => parseTheoryArgs({ example: "3" }), /--example must be 1 or 2/);
  userError(() => parseTheoryArgs({ wp: "a.npy", sparsity: "1" }), /--sparsity must be in \[0, 1\), got 1/);
  userError(() => parseTheoryArgs({ wp: "a.npy", sparsity: "-0.1" }), /--sparsity/);
  userError(() => parseTheoryArgs({ wp: "a.npy", sparsity: "x" }), /--sparsity must be a number/);
  userError(() => parseTheoryArgs({ wp: "a.npy", nm: "0" }), /--nm must be an integer in \[1, 100,000\]/);
  userError(() => parseTheoryArgs({ wp: "a.npy", samples: "1.5" }), /--samples must be an integer/);
  userError(() => parseTheoryArgs({ wp: "a.npy", seed: "-1" }), /--seed must be an integer in \[0, /);
  // issue 7 items 12, 14: blank, wrapping and absurd values are refused with the limit
  userError(() => parseTheoryArgs({ wp: "a.npy", seed: "" }), /--seed must be an integer/);
  userError(() => parseTheoryArgs({ wp: "a.npy", seed: String(2 ** 32) }), /--seed must be an integer in \[0, 2,147,483,647\]/);
  userError(() => parseTheoryArgs({ wp: "a.npy", nm: "100000000" }), /--nm must be an integer in \[1, 100,000\]/);
  const a = parseTheoryArgs({ wp: "a.npy" });
  assert.deepEqual(a, { mode: "wp", wp: "a.npy", json: false, S: 0.9, tol: 1e-6, nm: undefined, gamma: "uniform", samples: 20000, seed: 0 });
});

test("runTheory on a user W_p file: text, JSON, gamma file and input errors", () => {
  const dir = tmp("wsae-theory-");
  const wp = join(dir, "wp.npy");
  writeNpy(wp, polygonBlocks([1, 2, 3, 40], 0.2)); // 46 features: the table is cut at 30 rows
  const text = runTheory({ wp, sparsity: "0.8", samples: "3000" });
  assert.match(text, /n_p = 6 dims x n = 46 features/);
  assert.match(text, /yes {2}digonPolygon\s+1 mono, 1 digon, 2 polygon group\(s\) \(sizes 3, 40\)/);
  assert.match(text, /no {3}nonPositiveInterference/);
  assert.match(text, /… 16 more features not shown/);
  assert.match(text, /gap, formula/);
  const j = JSON.parse(runTheory({ wp, sparsity: "0.8", samples: "3000", gamma: "oracle", nm: "50", json: true }));
  assert.equal(j.closedForm.zeroRows, 4);
  assert.equal(j.shrink.features.length, 46);
  assert.ok(j.theorem4.absDiff < 1e-9 && j.theorem5.absDiff < 1e-9);
  close(j.oracle.g[1] / j.oracle.g[0], 0.5, 1e-10, "digon/mono");
  close(j.oracle.g[4] / j.oracle.g[0], 2 / 40, 1e-10, "40-gon/mono");
  const gfile = join(dir, "g.csv");
  writeFileSync(gfile, "1,1,1,1,2,2\n");
  const jg = JSON.parse(runTheory({ wp, samples: "500", gamma: gfile, json: true }));
  close(jg.theorem5.values[4] / jg.theorem5.values[0], 2, 1e-12);
  writeFileSync(gfile, "1,1,1\n");
  userError(() => runTheory({ wp, gamma: gfile }), /expected 6 values, got 3/);
  userError(() => runTheory({ wp, nm: "10" }), /--nm 10 is less than n = 46/);
  userError(() => runTheory({ wp: join(dir, "none.npy") }), /file not found/);
  const bad = join(dir, "bad.npy");
  writeFileSync(bad, encodeNpy({ dtype: "f8", shape: [2, 2], data: Float64Array.from([1, NaN, 0, 1]) }));
  userError(() => runTheory({ wp: bad }), /is NaN/);
});

test("analyseWp + formatTheoryReport on Example 1's W_p report L_SAE = 0 and the exact gap", () => {
  const r = analyseWp(exampleWp(), { nm: 3, S: 0.5, gamma: "uniform", samples: 20000, seed: 1, tol: 1e-6 });
  assert.equal(r.theorem4.lSae, 0);
  close(r.theorem4.lGt, 0.25 / 3, 0.006, "L_GT at S = 0.5");
  assert.equal(r.theorem5, undefined);
  assert.deepEqual(r.featureGroup, ["mono", "digon", "digon"]);
  const t = formatTheoryReport(r, "ex1");
  assert.match(t, /=> Theorem 1 \(closed form is a minimiser\): premises hold/);
  assert.match(t, /L_SAE = 0, L_GT = 0\.08/);
});

test("closed-form verdict: exact on mono/digon, not a global minimiser on a triangle when n_m >= 2 n_p", () => {
  const ex = analyseWp(exampleWp(), { nm: 3, S: 0.5, gamma: "uniform", samples: 2000, seed: 1, tol: 1e-6 });
  assert.match(ex.closedForm.verdict, /global minimiser of L_SAE/);
  const sq = analyseWp(polygonBlocks([1, 4], 0.3), { nm: 5, S: 0.5, gamma: "uniform", samples: 2000, seed: 1, tol: 1e-6 });
  assert.ok(sq.closedForm.lSae < 1e-25, `rotated square reconstructs exactly (${sq.closedForm.lSae})`);
  assert.match(sq.closedForm.verdict, /L_SAE = 0 up to rounding/);
  const tri = analyseWp(polygonBlocks([3]), { nm: 4, S: 0.5, gamma: "uniform", samples: 5000, seed: 1, tol: 1e-6 });
  assert.ok(tri.closedForm.lSae > 0.01, `triangle L_SAE ${tri.closedForm.lSae}`);
  assert.equal(tri.closedForm.zeroLossSaeExists, true);
  assert.match(tri.closedForm.verdict, /NOT a global minimiser/);
  // the zero-loss alternative really is exact: W_m = [I; -I] on x_p = w1 + w2 = -w3
  const xp = [Math.cos(0) + Math.cos((2 * Math.PI) / 3), Math.sin(0) + Math.sin((2 * Math.PI) / 3)];
  const rows = [[1, 0], [0, 1], [-1, 0], [0, -1]];
  const rec = [0, 0];
  for (const r of rows) {
    const z = Math.max(0, r[0]! * xp[0]! + r[1]! * xp[1]!);
    rec[0]! += z * r[0]!;
    rec[1]! += z * r[1]!;
  }
  close(rec[0]!, xp[0]!, 1e-15);
  close(rec[1]!, xp[1]!, 1e-15);
});
