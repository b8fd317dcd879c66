// The tms and non-positive-interference W_p generators against their definitions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JsBackend } from "../src/compute/js.ts";
import { npiGroups, npiWp } from "../src/data/generators.ts";
import { tmsLossAndGrad, trainTms } from "../src/data/tms.ts";
import { mat, type Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const be = new JsBackend();

/** Gram matrix W_pᵀW_p (n × n) in float64. */
function gram(Wp: Mat<Float64Array | Float32Array>): Float64Array {
  const { rows: np, cols: n, data } = Wp;
  const G = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
    let s = 0;
    for (let i = 0; i < np; i++) s += data[i * n + a]! * data[i * n + b]!;
    G[a * n + b] = s;
  }
  return G;
}

test("npi layout: n = 40, n_p = 20 is digons and squares only; n = 32 mixes in triangles and single features", () => {
  const g40 = npiGroups(40, 20);
  assert.deepEqual(g40.map((g) => `${g.kind}${g.size}`).sort(), [...Array(10).fill("digon2"), ...Array(5).fill("polygon4")].sort());
  const g32 = npiGroups(32, 20);
  const count = (k: string) => g32.filter((g) => `${g.kind}${g.size}` === k).length;
  assert.deepEqual([count("mono1"), count("digon2"), count("polygon3"), count("polygon4")], [4, 6, 4, 1]);
  for (const g of [g40, g32]) {
    assert.equal(new Set(g.flatMap((x) => x.dims)).size, 20, "every dim used once");
    assert.equal(g.flatMap((x) => x.dims).length, 20);
  }
  assert.equal(g32.reduce((s, x) => s + x.size, 0), 32);
});

test("npi W_p: unit columns, no positive interference, triangles at −1/2, and it refuses n > 2·n_p", () => {
  for (const [n, np] of [[32, 20], [40, 20], [9, 6], [25, 20]] as const) {
    const { Wp, groups } = npiWp(n, np, stream(4, "npi"));
    const G = gram(Wp);
    for (let a = 0; a < n; a++) {
      assert.ok(Math.abs(G[a * n + a]! - 1) < 1e-12, `column ${a} norm² ${G[a * n + a]}`);
      for (let b = 0; b < n; b++) if (a !== b) assert.ok(G[a * n + b]! <= 1e-12, `n=${n}: features ${a},${b} interfere positively (${G[a * n + b]})`);
    }
    // features in group order: a triangle's three features pairwise at cos 120°
    let f = 0;
    for (const g of groups) {
      if (g.kind === "polygon" && g.size === 3)
        for (const [a, b] of [[f, f + 1], [f, f + 2], [f + 1, f + 2]]) assert.ok(Math.abs(G[a! * n + b!]! + 0.5) < 1e-12);
      f += g.size;
    }
  }
  assert.throws(() => npiGroups(41, 20), /n <= 2·n_p = 40/);
  assert.throws(() => npiGroups(20, 20), /needs 25 <= n/);
});

test("tms: the toy model's loss is (1/B) Σ‖ReLU(WᵀWx + b) − x‖², and its gradients match finite differences", async () => {
  const rng = stream(7, "tms-gc");
  const np = 3, n = 5, B = 6;
  const W = mat(np, n), b = new Float32Array(n), x = mat(B, n);
  for (let i = 0; i < W.data.length; i++) W.data[i] = rng.normal() * 0.7;
  for (let i = 0; i < n; i++) b[i] = 0.1 * rng.normal();
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.uniform() < 0.5 ? 0 : rng.uniform();
  // the definition, in float64
  const lossOf = (Wd: ArrayLike<number>, bd: ArrayLike<number>) => {
    let s = 0;
    for (let r = 0; r < B; r++) {
      const h = Array.from({ length: np }, (_, i) => { let t = 0; for (let j = 0; j < n; j++) t += Wd[i * n + j]! * x.data[r * n + j]!; return t; });
      for (let j = 0; j < n; j++) {
        let pre = bd[j]!;
        for (let i = 0; i < np; i++) pre += Wd[i * n + j]! * h[i]!;
        s += (Math.max(0, pre) - x.data[r * n + j]!) ** 2;
      }
    }
    return s / B;
  };
  const g = await tmsLossAndGrad(be, W, b, x);
  assert.ok(Math.abs(g.loss - lossOf(W.data, b)) < 1e-5, `${g.loss} vs ${lossOf(W.data, b)}`);
  const h = 1e-4;
  const Wd = Float64Array.from(W.data), bd = Float64Array.from(b);
  for (let k = 0; k < Wd.length; k++) {
    const up = Wd.slice(), dn = Wd.slice();
    up[k]! += h; dn[k]! -= h;
    const fd = (lossOf(up, bd) - lossOf(dn, bd)) / (2 * h);
    assert.ok(Math.abs(fd - g.gW[k]!) < 1e-3 * Math.max(1, Math.abs(fd)), `W[${k}]: fd ${fd} vs ${g.gW[k]}`);
  }
  for (let k = 0; k < n; k++) {
    const up = bd.slice(), dn = bd.slice();
    up[k]! += h; dn[k]! -= h;
    const fd = (lossOf(Wd, up) - lossOf(Wd, dn)) / (2 * h);
    assert.ok(Math.abs(fd - g.gb[k]!) < 1e-3 * Math.max(1, Math.abs(fd)), `b[${k}]: fd ${fd} vs ${g.gb[k]}`);
  }
});

test("tms at high sparsity: Elhage's pentagon — 5 features in 2 dims, all represented, 72° apart", async () => {
  const { Wp } = await trainTms(be, { n: 5, n_p: 2, S: 0.95, steps: 4000, batch: 256, lr: 1e-2, seed: 0 });
  const ang: number[] = [];
  for (let j = 0; j < 5; j++) {
    const norm = Math.hypot(Wp.data[j]!, Wp.data[5 + j]!);
    assert.ok(norm > 0.8 && norm < 1.5, `feature ${j} norm ${norm}`);
    ang.push(Math.atan2(Wp.data[5 + j]!, Wp.data[j]!));
  }
  ang.sort((a, b) => a - b);
  for (let j = 0; j < 5; j++) {
    const gap = ((j < 4 ? ang[j + 1]! : ang[0]! + 2 * Math.PI) - ang[j]!) * (180 / Math.PI);
    assert.ok(Math.abs(gap - 72) < 6, `angle gap ${gap}°`);
  }
});
