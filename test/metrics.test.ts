import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fromRows, mat, mat64, transpose, type Mat } from "../src/util/mat.ts";
import { stream, type Rng } from "../src/util/rng.ts";
import {
  activate,
  responseMatrix,
  respondingLatents,
  activatedFeatures,
  maxWeightAssignment,
  alignFeatures,
  groundTruthLoss,
  reconstructionLoss,
  explainedVariance,
  l0,
  deadLatents,
  perDimVariance,
  cosineMatrix,
  meanMaxCosine,
  matchedMeanCosine,
  semanticConsistency,
} from "../src/metrics/index.ts";

const close = (a: number, b: number, tol = 1e-12, msg?: string) =>
  assert.ok(Math.abs(a - b) <= tol, msg ?? `expected ${b}, got ${a}`);
const closeRows = (m: Mat<Float32Array | Float64Array>, rows: number[][], tol = 1e-12) => {
  assert.equal(m.rows, rows.length);
  rows.forEach((r, i) => r.forEach((v, j) => close(m.data[i * m.cols + j]!, v, tol, `(${i},${j}): expected ${v}, got ${m.data[i * m.cols + j]}`)));
};
const randMat = (rng: Rng, r: number, c: number, f = () => rng.normal()) => {
  const m = mat64(r, c);
  for (let t = 0; t < r * c; t++) m.data[t] = f();
  return m;
};

describe("responseMatrix", () => {
  test("Example 1: tied bias-free SAE at W_m = W_pᵀ", () => {
    const Wp = fromRows([[1, 0, 0], [0, 1, -1]]);
    // W_pᵀW_p = [[1,0,0],[0,1,-1],[0,-1,1]]; ReLU clears the −1s.
    closeRows(responseMatrix(transpose(Wp), Wp), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    // Paper's Example 1: x = (0.5, 1, 0.8): W_pᵀW_p x = (0.5, 1 − 0.8, −1 + 0.8) → σ = (0.5, 0.2, 0).
    const a = activate(Float64Array.from([0.5, 1 - 0.8, -1 + 0.8]));
    close(a[0]!, 0.5); close(a[1]!, 0.2); close(a[2]!, 0);
  });

  test("accepts Float32 inputs", () => {
    const Wp = mat(2, 3, Float32Array.from([1, 0, 0, 0, 1, -1]));
    closeRows(responseMatrix(transpose(Wp), Wp), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });

  // W_enc W_p = [[1,0,0.5],[0,1,-1],[1,1,-0.5]], b = (0.2, −0.5, 0.3)
  const Wenc = fromRows([[1, 0], [0, 1], [1, 1]]);
  const Wp = fromRows([[1, 0, 0.5], [0, 1, -1]]);
  const b = [0.2, -0.5, 0.3];

  test("ReLU with bias subtracts the x = 0 activation", () => {
    // pre = [[1.2,0.2,0.7],[-0.5,0.5,-1.5],[1.3,1.3,-0.2]] → relu = [[1.2,0.2,0.7],[0,0.5,0],[1.3,1.3,0]]
    // base relu(b) = (0.2, 0, 0.3) → R = [[1,0,0.5],[0,0.5,0],[1,1,-0.3]]
    closeRows(responseMatrix(Wenc, Wp, b), [[1, 0, 0.5], [0, 0.5, 0], [1, 1, -0.3]]);
  });

  test("Top-k with bias", () => {
    // base: top-1 of b = 0.3 at j=2 → (0,0,0.3)
    // col0 pre (1.2,−0.5,1.3) → j=2 keeps 1.3 → R = (0,0,1.0)
    // col1 pre (0.2, 0.5,1.3) → j=2 keeps 1.3 → R = (0,0,1.0)
    // col2 pre (0.7,−1.5,−0.2) → j=0 keeps 0.7 → act (0.7,0,0) − base → R = (0.7,0,−0.3)
    closeRows(responseMatrix(Wenc, Wp, b, 1), [[0, 0, 0.7], [0, 0, 0], [1, 1, -0.3]]);
    // k ≥ n_m is plain ReLU
    closeRows(responseMatrix(Wenc, Wp, b, 3), [[1, 0, 0.5], [0, 0.5, 0], [1, 1, -0.3]]);
    // k = 2 without bias: col2 pre (0.5,−1,−0.5) keeps only the positive one among its top 2
    closeRows(responseMatrix(Wenc, Wp, undefined, 2), [[1, 0, 0.5], [0, 1, 0], [1, 1, 0]]);
  });

  test("Top-k ties go to the lower index", () => {
    const R = responseMatrix(fromRows([[1], [1], [1]]), fromRows([[2]]), undefined, 2);
    closeRows(R, [[2], [2], [0]]);
  });

  test("activate: ReLU, then the SAE's Top-k (k largest positive entries, lower index on ties)", () => {
    const pre = Float64Array.from([0.5, 2, -1, 2, 1, 0]);
    assert.deepEqual(Array.from(activate(pre)), [0.5, 2, 0, 2, 1, 0]);
    assert.deepEqual(Array.from(activate(pre, 1)), [0, 2, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(activate(pre, 3)), [0, 2, 0, 2, 1, 0]);
    // fewer positive entries than k: every positive one survives, nothing negative does
    assert.deepEqual(Array.from(activate(Float64Array.from([-3, 0.2, -1]), 2)), [0, 0.2, 0]);
    assert.deepEqual(Array.from(activate(pre, 6)), Array.from(activate(pre)));
    assert.throws(() => activate(pre, 0), /positive integer/);
    assert.throws(() => activate(pre, 1.5), /positive integer/);
    // same result as sorting all entries (lower index first on ties) and keeping the positive ones among the top k
    const rng = stream(11, "test-activate");
    for (let t = 0; t < 200; t++) {
      const m = 1 + Math.floor(rng.uniform() * 12), k = 1 + Math.floor(rng.uniform() * m);
      const p = Float64Array.from({ length: m }, () => Math.round(rng.normal() * 3) / 2); // many ties
      const order = Array.from({ length: m }, (_, j) => j).sort((a, b) => p[b]! - p[a]! || a - b);
      const want = new Float64Array(m);
      for (const j of order.slice(0, k)) if (p[j]! > 0) want[j] = p[j]!;
      assert.deepEqual(Array.from(activate(p, k)), Array.from(want), `pre ${Array.from(p)}, k ${k}`);
    }
  });

  test("shape errors throw", () => {
    assert.throws(() => responseMatrix(Wenc, fromRows([[1, 2]])));
    assert.throws(() => responseMatrix(Wenc, Wp, [1, 2]));
    assert.throws(() => responseMatrix(Wenc, Wp, undefined, 0));
  });
});

describe("activatedFeatures / respondingLatents", () => {
  const R = fromRows([
    [1.0, 0.05, 0.5], // max 1, thr 0.1 → {1.0, 0.5} → 2
    [0, 0, 0], //        does not respond → −1
    [0.2, 0.2, 0.2], //  max 0.2, thr 0.02 → 3
    [-1, 0.3, 0.01], //  max 0.3, thr 0.03 → {0.3} → 1
  ]);
  test("hand case", () => {
    const a = activatedFeatures(R);
    assert.deepEqual(Array.from(a.perLatent), [2, -1, 3, 1]);
    assert.equal(a.responding, 3);
    close(a.mean, 2); // (2 + 3 + 1) / 3
    assert.deepEqual(Array.from(respondingLatents(R)), [0, 2, 3]);
  });
  test("threshold is strict and tau is a parameter", () => {
    // tau 0.5, row (1, 0.5): 0.5 > 0.5 is false → 1
    assert.deepEqual(Array.from(activatedFeatures(fromRows([[1, 0.5]]), 0.5).perLatent), [1]);
    // tau 0 counts every positive entry: rows 0,2,3 → 3, 3, 2
    assert.deepEqual(Array.from(activatedFeatures(R, 0).perLatent), [3, -1, 3, 2]);
  });
  test("no responding latent → NaN mean", () => {
    const a = activatedFeatures(fromRows([[0, -1], [0, 0]]));
    assert.ok(Number.isNaN(a.mean));
    assert.equal(a.responding, 0);
    assert.equal(respondingLatents(fromRows([[0, -1]])).length, 0);
  });
});

/** Brute force: best total over all injective matchings of the smaller side into the larger. */
function bruteMax(W: Mat<Float64Array>): number {
  const { rows, cols } = W;
  const w = (r: number, c: number) => W.data[r * cols + c]!;
  const small = Math.min(rows, cols), big = Math.max(rows, cols);
  const get = rows <= cols ? w : (s: number, b: number) => w(b, s);
  let best = -Infinity;
  const used = new Array<boolean>(big).fill(false);
  const rec = (s: number, acc: number) => {
    if (s === small) return void (best = Math.max(best, acc));
    for (let b = 0; b < big; b++)
      if (!used[b]) {
        used[b] = true;
        rec(s + 1, acc + get(s, b));
        used[b] = false;
      }
  };
  rec(0, 0);
  return best;
}

describe("alignFeatures (Hungarian)", () => {
  test("greedy trap (anchors E3): total 1.6, not 0.9", () => {
    const a = alignFeatures(fromRows([[0.9, 0.8], [0.8, 0.0]]));
    close(a.total, 1.6);
    assert.deepEqual(Array.from(a.latentOf), [1, 0]);
    assert.deepEqual(Array.from(a.featureOf), [1, 0]);
  });

  test("more latents than features (n_m = 3, n = 2)", () => {
    // f1→l0 (0.9) + f0→l1 (0.8) = 1.7 beats f1→l1 + f0→l2 = 1.55 and f1→l0 + f0→l2 = 1.6
    const a = alignFeatures(fromRows([[0.1, 0.9], [0.8, 0.85], [0.7, 0.0]]));
    close(a.total, 1.7);
    assert.deepEqual(Array.from(a.latentOf), [1, 0]);
    assert.deepEqual(Array.from(a.featureOf), [1, 0, -1]);
  });

  test("fewer latents than features leaves features unmatched (−1)", () => {
    const a = alignFeatures(fromRows([[0.9, 0.8, 0.1]]));
    assert.deepEqual(Array.from(a.latentOf), [0, -1, -1]);
    close(a.total, 0.9);
    // n_m = 2, n = 3: l0 → f1 (0.8) + l1 → f0 (0.8) = 1.6 beats l0 → f0 (0.9) + l1 → f2 (0.5) = 1.4
    const b = alignFeatures(fromRows([[0.9, 0.8, 0.1], [0.8, 0.0, 0.5]]));
    close(b.total, 1.6);
    assert.deepEqual(Array.from(b.latentOf), [1, 0, -1]);
  });

  test("matches brute force on random 4×4, 5×3, 3×5 (with ties and negatives)", () => {
    const rng = stream(7, "test-align");
    for (const [r, c] of [[4, 4], [5, 3], [3, 5], [1, 4], [4, 1], [6, 6]] as const)
      for (let trial = 0; trial < 40; trial++) {
        // half the trials on small integers, so ties are common
        const R = trial % 2 ? randMat(rng, r, c, () => rng.uniform()) : randMat(rng, r, c, () => rng.int(3) - 1);
        const a = alignFeatures(R);
        const want = bruteMax(R);
        close(a.total, want, 1e-9, `${r}x${c} trial ${trial}: ${a.total} vs brute ${want}`);
        // the reported matching is one-to-one, of size min(r,c), and sums to total
        const seen = new Set<number>();
        let sum = 0, matched = 0;
        a.latentOf.forEach((j, i) => {
          if (j < 0) return;
          assert.ok(!seen.has(j));
          seen.add(j);
          assert.equal(a.featureOf[j], i);
          sum += R.data[j * c + i]!;
          matched++;
        });
        assert.equal(matched, Math.min(r, c));
        close(sum, a.total, 1e-12);
      }
  });

  test("maxWeightAssignment rejects non-finite weights; empty is fine", () => {
    assert.throws(() => maxWeightAssignment(fromRows([[1, NaN]])));
    const e = maxWeightAssignment(mat64(0, 3));
    assert.equal(e.total, 0);
    assert.deepEqual(Array.from(e.colToRow), [-1, -1, -1]);
  });
});

describe("losses", () => {
  test("groundTruthLoss hand case", () => {
    const X = fromRows([[0.5, 0, 1], [0, 0.2, 0]]);
    const Z = fromRows([[0.4, 0.9], [0.1, 0]]);
    // s0: (0.5−0.9)² + (0−0.4)² + (1−0)² = 0.16 + 0.16 + 1 = 1.32; non-sparse (i=0,2): 1.16
    // s1: (0−0)² + (0.2−0.1)² + 0 = 0.01;                            non-sparse (i=1): 0.01
    const g = groundTruthLoss(X, Z, Int32Array.from([1, 0, -1]));
    close(g.lgt, 1.33 / 2);
    close(g.lgtNonSparse, 1.17 / 2);
    assert.throws(() => groundTruthLoss(X, Z, [2, 0, -1]));
    assert.throws(() => groundTruthLoss(X, Z, [1, 0]));
  });

  test("groundTruthLoss: the all-zero predictor scores E[Σ x²]", () => {
    const X = fromRows([[0.5, 0, 1], [0, 0.2, 0]]);
    // (0.25 + 1 + 0.04) / 2 = 0.645 on both, since zeros of x contribute nothing
    const g = groundTruthLoss(X, mat64(2, 3), [0, 1, 2]);
    close(g.lgt, 0.645);
    close(g.lgtNonSparse, 0.645);
  });

  test("reconstructionLoss hand case, unweighted and weighted", () => {
    const Xp = fromRows([[1, 2], [3, 4]]);
    const Xh = fromRows([[1, 0], [2, 4]]);
    close(reconstructionLoss(Xp, Xh), (4 + 1) / 2); // errors (0,2), (1,0)
    close(reconstructionLoss(Xp, Xh, [3, 1]), ((1 * 2) ** 2 + (3 * 1) ** 2) / 2); // 6.5
    assert.throws(() => reconstructionLoss(Xp, fromRows([[1, 2]])));
  });

  test("explainedVariance (anchors E5)", () => {
    const X = fromRows([[1, 2], [3, 6]]); // x̄ = (2, 4); Σ‖x − x̄‖² = (1+4) + (1+4) = 10
    close(explainedVariance(X, fromRows([[2, 4], [2, 4]])), 0);
    close(explainedVariance(X, X), 1);
    close(explainedVariance(X, fromRows([[1, 3], [3, 6]])), 1 - 1 / 10);
    // large mean offset: pooled EV stays about the variance, not the raw energy
    const Xo = fromRows([[101, 102], [103, 106]]);
    close(explainedVariance(Xo, fromRows([[101, 103], [103, 106]])), 0.9, 1e-12);
    assert.ok(Number.isNaN(explainedVariance(fromRows([[1, 1], [1, 1]]), fromRows([[1, 1], [1, 1]]))));
  });
});

describe("activity", () => {
  const Z = fromRows([
    [0, 1, 0],
    [0, 3, 2],
    [0, 2, 0],
    [0, 2, 0],
  ]);
  test("l0 and dead latents", () => {
    close(l0(Z), (1 + 2 + 1 + 1) / 4);
    assert.deepEqual(deadLatents(Z), { count: 1, fraction: 1 / 3 });
    // negative values neither count in L0 nor keep a latent alive
    const Zn = fromRows([[-1, 1], [-2, 0]]);
    close(l0(Zn), 0.5);
    assert.deepEqual(deadLatents(Zn), { count: 1, fraction: 0.5 });
  });
  test("perDimVariance", () => {
    // latent0 dead; latent1 (1,3,2,2): mean 2, var (1+1+0+0)/4 = 0.5;
    // latent2 (0,2,0,0): mean 0.5, var (0.25+2.25+0.25+0.25)/4 = 0.75 → mean 0.625
    const v = perDimVariance(Z);
    close(v.mean, 0.625);
    assert.equal(v.live, 2);
    // eps 2.5: only latent1 (3 > 2.5) counts as live
    const w = perDimVariance(Z, 2.5);
    close(w.mean, 0.5);
    assert.equal(w.live, 1);
    assert.ok(Number.isNaN(perDimVariance(mat64(3, 2)).mean));
  });
});

describe("cosines", () => {
  // features g0 = (1,0), g1 = (0,1), g2 = (1,1); learned d0 = (2,0), d1 = 0, d2 = (0,−1)
  const Wp = fromRows([[1, 0, 1], [0, 1, 1]]);
  const D = fromRows([[2, 0], [0, 0], [0, -1]]);
  const s = Math.SQRT1_2;
  test("cosineMatrix: zero-norm rows give 0", () => {
    closeRows(cosineMatrix(D, Wp), [[1, 0, s], [0, 0, 0], [0, -1, -s]]);
  });
  test("meanMaxCosine hand case", () => {
    const m = meanMaxCosine(D, Wp);
    close(m.featToLatent, (1 + 0 + s) / 3); // column maxima 1, 0, 1/√2
    close(m.latentToFeat, (1 + 0 + 0) / 3); // row maxima 1, 0, 0
  });
  test("matchedMeanCosine hand case, signed and absolute", () => {
    // signed: of the 6 permutations the best is f0→d2 (0) + f1→d1 (0) + f2→d0 (1/√2)
    const m = matchedMeanCosine(D, Wp);
    close(m.total, s);
    close(m.mean, s / 3);
    assert.equal(m.matched, 3);
    assert.deepEqual(Array.from(m.latentOf), [2, 1, 0]);
    // |cos|: f0→d0 (1) + f1→d2 (1) + f2→d1 (0) = 2
    const a = matchedMeanCosine(D, Wp, { abs: true });
    close(a.total, 2);
    close(a.mean, 2 / 3);
    assert.deepEqual(Array.from(a.latentOf), [0, 2, 1]);
  });

  test("matchedMeanCosine min: the worst matched pair, signed or absolute", () => {
    // same hand case: signed pairs f0→d2 (0), f1→d1 (0), f2→d0 (1/√2) → min 0;
    // |cos| pairs f0→d0 (1), f1→d2 (1), f2→d1 (0) → min 0
    assert.equal(matchedMeanCosine(D, Wp).min, 0);
    assert.equal(matchedMeanCosine(D, Wp, { abs: true }).min, 0);
    // two orthogonal features e0, e1; d0 = (4,−3), d1 = (0,−2): C = [[0.8, −0.6], [0, −1]]
    // signed: d0→e0, d1→e1 totals −0.2 (the swap totals −0.6), so e1 is matched at cosine −1
    const I2 = fromRows([[1, 0], [0, 1]]), D2 = fromRows([[4, -3], [0, -2]]);
    const m = matchedMeanCosine(D2, I2);
    assert.deepEqual(Array.from(m.latentOf), [0, 1]);
    close(m.total, -0.2);
    assert.equal(m.min, -1);
    // |cos| = [[0.8, 0.6], [0, 1]]: same matching (1.8 vs 0.6), min 0.8
    close(matchedMeanCosine(D2, I2, { abs: true }).min, 0.8);
    // n_m < n: only matched features count (d0 = (1,0) takes g0, cos 1)
    assert.equal(matchedMeanCosine(fromRows([[1, 0]]), Wp).min, 1);
    // nothing to match
    assert.ok(Number.isNaN(matchedMeanCosine(mat64(0, 2), Wp).min));
  });

  test("identity, permutation and positive-scaling invariance (anchors E2)", () => {
    const rng = stream(3, "test-cos");
    const np = 6, n = 8;
    const G = randMat(rng, np, n);
    // identical sets: D = W_pᵀ, rows permuted and scaled by positive factors → everything 1
    const perm = rng.permutation(n);
    const Did = mat64(n, np);
    for (let j = 0; j < n; j++) {
      const scale = 0.1 + 5 * rng.uniform();
      for (let k = 0; k < np; k++) Did.data[j * np + k] = scale * G.data[k * n + perm[j]!]!;
    }
    const mm = meanMaxCosine(Did, G);
    close(mm.featToLatent, 1, 1e-12);
    close(mm.latentToFeat, 1, 1e-12);
    const mc = matchedMeanCosine(Did, G);
    close(mc.mean, 1, 1e-12);
    for (let i = 0; i < n; i++) assert.equal(perm[mc.latentOf[i]!], i);
    // E2: flipping the sign of every other recovered direction lowers the signed scores, not MCC
    const Dflip = mat64(n, np, Did.data.map((v, t) => (Math.floor(t / np) % 2 ? -v : v)));
    assert.ok(matchedMeanCosine(Dflip, G).mean < 0.99);
    assert.ok(meanMaxCosine(Dflip, G).featToLatent < 0.99);
    close(matchedMeanCosine(Dflip, G, { abs: true }).mean, 1, 1e-12);

    for (const nm of [5, 8, 12]) {
      const D0 = randMat(rng, nm, np);
      const p = rng.permutation(nm);
      const D1 = mat64(nm, np);
      for (let j = 0; j < nm; j++) {
        const scale = 0.01 + 10 * rng.uniform();
        for (let k = 0; k < np; k++) D1.data[j * np + k] = scale * D0.data[p[j]! * np + k]!;
      }
      const [a, b] = [meanMaxCosine(D0, G), meanMaxCosine(D1, G)];
      close(a.featToLatent, b.featToLatent, 1e-12);
      close(a.latentToFeat, b.latentToFeat, 1e-12);
      close(matchedMeanCosine(D0, G).mean, matchedMeanCosine(D1, G).mean, 1e-12);
      close(matchedMeanCosine(D0, G, { abs: true }).mean, matchedMeanCosine(D1, G, { abs: true }).mean, 1e-12);
      // sign flips of rows leave the sign-agnostic MCC unchanged
      const D2 = mat64(nm, np, D0.data.map((v, t) => (Math.floor(t / np) % 2 ? -v : v)));
      close(matchedMeanCosine(D2, G, { abs: true }).mean, matchedMeanCosine(D0, G, { abs: true }).mean, 1e-12);
      // brute force agrees with the matched total (kept to ≤ 8! matchings)
      if (nm <= 8) close(matchedMeanCosine(D0, G).total, bruteMax(transpose(cosineMatrix(D0, G))), 1e-9);
    }
  });
  test("random-direction baseline matches anchors E1 (computed with numpy/scipy)", () => {
    // E1: d=20, T=L=40 → MMCS_GT 0.468, Hungarian |cos| MCC 0.484; d=64, T=L=128 → 0.319, 0.329
    // (means over 20 trials; our RNG differs, so allow 0.01, about 3 standard errors)
    for (const [d, T, L, mmcs, mcc] of [[20, 40, 40, 0.468, 0.484], [64, 128, 128, 0.319, 0.329]] as const) {
      let a = 0, b = 0;
      for (let t = 0; t < 20; t++) {
        const rng = stream(t, "test-e1");
        const D = randMat(rng, L, d), G = randMat(rng, d, T);
        a += meanMaxCosine(D, G).featToLatent / 20;
        b += matchedMeanCosine(D, G, { abs: true }).mean / 20;
      }
      close(a, mmcs, 0.01, `d=${d}: MMCS_GT ${a}`);
      close(b, mcc, 0.01, `d=${d}: MCC ${b}`);
    }
  });
});

describe("semanticConsistency", () => {
  test("hand case (PKU-ML cluster_acc)", () => {
    const Z = fromRows([
      [1, 0, 0, 0, 0], //          label 0
      [1, 1, 0, 0, 0], //          label 0
      [0, 1e6, 0, 1, 1], //        label 1: after row-normalisation latents 3,4 are ≈1e-6 < 1e-5
      [0, 0, 0, 1e-6, 0], //       label 1: tiny row, normalised to 1 → latent 3 active
      [0, 0, 0, 0, 0], //          label 2: all-zero row never counts
    ]);
    const labels = Int32Array.from([0, 0, 1, 1, 2]);
    // latent0: {s0,s1} → labels {0,0} → 1
    // latent1: {s1,s2} → labels {0,1} → 0.5
    // latent2: never positive → not scored
    // latent3: {s3} → {1} → 1
    // latent4: positive but below threshold everywhere → not scored
    const r = semanticConsistency(Z, labels);
    assert.equal(r.scored, 3);
    close(r.percent, (100 * (1 + 0.5 + 1)) / 3);
    close(r.perLatent[0]!, 1);
    close(r.perLatent[1]!, 0.5);
    assert.ok(Number.isNaN(r.perLatent[2]!));
    close(r.perLatent[3]!, 1);
    assert.ok(Number.isNaN(r.perLatent[4]!));
  });
  test("negative-only columns are skipped; mode share with three labels", () => {
    // latent0 active on all 4 samples, labels (5,5,7,9) → 2/4; latent1 only negative → skipped
    const r = semanticConsistency(fromRows([[1, -1], [2, 0], [1, 0], [3, -2]]), [5, 5, 7, 9]);
    assert.equal(r.scored, 1);
    close(r.percent, 50);
  });
  test("nothing scored → NaN", () => {
    const r = semanticConsistency(mat64(2, 2), [0, 1]);
    assert.equal(r.scored, 0);
    assert.ok(Number.isNaN(r.percent));
    assert.throws(() => semanticConsistency(mat64(2, 2), [0]));
  });
});
