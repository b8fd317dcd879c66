// The sparse-latent step (Top-k, or ReLU + L1 with few active latents) against the
// dense step of the js backend: the same sums in the same order, so equal bit for bit;
// and against float64 references for each sparse product.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JsBackend } from "../src/compute/js.ts";
import { WasmBackend } from "../src/compute/wasm.ts";
import { cscTransposeTimes, csrTimes, density, maskedDots, toCsc, toCsr } from "../src/compute/sparse.ts";
import { initSae, topkRows, type SaeSpec } from "../src/sae/model.ts";
import { lossAndGrad } from "../src/sae/train.ts";
import { mat, matmul64, transpose, type Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const rng = stream(11, "sparse-test");
function rand(r: number, c: number, zeros = 0): Mat {
  const m = mat(r, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform() < zeros ? 0 : rng.normal();
  return m;
}
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};

test("sparse products equal float64 references (awkward shapes, empty rows and latents)", () => {
  for (const [B, m, n] of [[1, 1, 1], [7, 13, 5], [33, 201, 20], [5, 9, 1100]] as const) {
    const Z = rand(B, m, 0.8);
    Z.data.fill(0, 0, m); // an all-zero sample
    const D = rand(m, n), G = rand(B, n), X = rand(B, n);
    const zs = toCsr(Z), zc = toCsc(zs);
    assert.ok(maxAbs(csrTimes(zs, D).data, matmul64(Z, D).data) < 1e-5);
    assert.ok(maxAbs(cscTransposeTimes(zs, zc, zs.val, G).data, matmul64(transpose(Z), G).data) < 1e-5);
    const dots = maskedDots(zs, G, D, 0.25);
    const ref = matmul64(G, transpose(D)).data;
    for (let b = 0; b < B; b++)
      for (let t = zs.ptr[b]!; t < zs.ptr[b + 1]!; t++) assert.ok(Math.abs(dots[t]! - (ref[b * m + zs.idx[t]!]! + 0.25)) < 1e-5);
    // dPre on the pattern, then dPreᵀ·X
    const dPre = mat(B, m);
    for (let b = 0; b < B; b++) for (let t = zs.ptr[b]!; t < zs.ptr[b + 1]!; t++) dPre.data[b * m + zs.idx[t]!] = dots[t]!;
    assert.ok(maxAbs(cscTransposeTimes(zs, zc, dots, X).data, matmul64(transpose(dPre), X).data) < 1e-5);
  }
});

const cases: [string, SaeSpec, number][] = [
  ["tied ReLU + L1", { n_p: 20, n_m: 61, tied: true, bias: false, topk: 0 }, 0.1],
  ["untied, bias", { n_p: 7, n_m: 30, tied: false, bias: true, topk: 0 }, 0.05],
  ["Top-k, wide input (n_p > 64)", { n_p: 70, n_m: 90, tied: true, bias: true, topk: 5 }, 0],
];
for (const [name, spec, l1] of cases) {
  test(`sparse step equals the js dense step bit for bit: ${name}`, async () => {
    const js = new JsBackend();
    const p = initSae(spec, stream(1, "init"));
    if (p.b) for (let j = 0; j < spec.n_m; j++) p.b[j] = -0.3 + 0.01 * j;
    const xp = rand(37, spec.n_p);
    const gamma2 = Float32Array.from({ length: spec.n_p }, (_, i) => 0.5 + i / spec.n_p);
    const dense = await lossAndGrad(js, spec, p, xp, l1, gamma2, "dense");
    const sparse = await lossAndGrad(js, spec, p, xp, l1, gamma2, "sparse");
    assert.equal(sparse.loss, dense.loss);
    assert.deepEqual(sparse.gW, dense.gW);
    assert.deepEqual(sparse.gD, dense.gD);
    assert.deepEqual(sparse.gb, dense.gb);
    // and the wasm backend's dense step agrees to float32 accuracy
    const w = await lossAndGrad(new WasmBackend(), spec, p, xp, l1, gamma2, "dense");
    assert.ok(Math.abs(w.loss - dense.loss) < 1e-5 * Math.abs(dense.loss));
    assert.ok(maxAbs(w.gW, dense.gW) < 1e-5);
  });
}

test("density: exact on small arrays, and a large sample sees every latent (no stride aliasing)", () => {
  const small = new Float32Array(100);
  small.fill(1, 0, 37);
  assert.equal(density(small), 0.37);
  // 1024 samples × 200 latents, only latents 1..20 active: an even stride would see 0, 50, 100, 150
  const z = new Float32Array(1024 * 200);
  for (let b = 0; b < 1024; b++) for (let j = 1; j <= 20; j++) z[b * 200 + j] = 1;
  assert.ok(Math.abs(density(z) - 0.1) < 0.02, `density ${density(z)}`);
  assert.equal(density(new Float32Array(0)), 1);
});

test("Top-k keeps exactly min(k, positives) latents per sample, the largest ones, on the sparse path", () => {
  const z = rand(9, 40);
  for (let i = 0; i < z.data.length; i++) z.data[i] = Math.max(0, z.data[i]!);
  z.data.fill(0, 0, 38); // row 0: at most 2 positives, fewer than k
  const before = Float32Array.from(z.data);
  const zs = toCsr(topkRows(z, 4));
  for (let b = 0; b < 9; b++) {
    const row = Array.from(before.subarray(b * 40, (b + 1) * 40));
    const pos = row.filter((v) => v > 0).sort((x, y) => y - x);
    const kept = Array.from(zs.val.subarray(zs.ptr[b]!, zs.ptr[b + 1]!)).sort((x, y) => y - x);
    assert.deepEqual(kept, pos.slice(0, 4));
  }
});
