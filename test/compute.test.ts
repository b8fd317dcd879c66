// Every backend against the plain-loop reference, on shapes that catch gpu.js's
// traps: non-multiples of 4 and loop lengths above its 1000-iteration default.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createBackend } from "../src/compute/index.ts";
import { GpuJsBackend } from "../src/compute/gpujs.ts";
import { WasmBackend } from "../src/compute/wasm.ts";
import { matmulJs, matmulRef, encodeReluJs, encodeReluRef, maskedGradJs, maskedGradRef, adamJs } from "../src/compute/js.ts";
import { unrolledNN } from "../src/compute/unrolled.ts";
import { projectRef } from "../src/data/synthetic.ts";
import { mat, matmul64, transpose, type Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const rng = stream(7, "compute-test");
function rand(r: number, c: number, zeros = 0): Mat {
  const m = mat(r, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.uniform() < zeros ? 0 : rng.normal();
  return m;
}
/** max |a − b| / max |b|: relative to the result's scale, robust to cancellation. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return s === 0 ? d : d / s;
}

const gpu = createBackend("gpujs", "webasm") as GpuJsBackend;
const js = createBackend("js");
const wasm = createBackend("wasm") as WasmBackend;
after(async () => {
  await gpu.dispose();
  await js.dispose();
  await wasm.dispose();
});

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [37, 1203, 13], // inner loop above 1000
  [17, 20, 201], // the paper's n_p = 20
  [1029, 6, 3], // rows above 1000
  [67, 70, 130], // wide output: the wasm backend packs both operands
  [1, 1030, 65], // one row, inner dim > 1000, one column past a multiple of 8
  [6, 9, 64],
];

test("js matmul equals a float64 reference for every transpose combination", () => {
  for (const [r, k, c] of SHAPES) {
    const A = rand(r, k), B = rand(k, c);
    const ref = matmul64(A, B).data;
    assert.ok(relErr(matmulJs(A, B).data, ref) < 1e-6);
    assert.ok(relErr(matmulJs(transpose(A), B, true, false).data, ref) < 1e-6);
    assert.ok(relErr(matmulJs(A, transpose(B), false, true).data, ref) < 1e-6);
    assert.ok(relErr(matmulJs(transpose(A), transpose(B), true, true).data, ref) < 1e-6);
  }
});

for (const backend of [js, wasm, gpu]) {
  test(`${backend.name}: matmul agrees with the reference within 1e-4 relative`, async () => {
    for (const [r, k, c] of SHAPES) {
      const A = rand(r, k, 0.3), B = rand(k, c);
      const ref = matmul64(A, B).data;
      assert.ok(relErr((await backend.matmul(A, B)).data, ref) < 1e-4, `NN ${r}x${k}x${c}`);
      assert.ok(relErr((await backend.matmul(transpose(A), B, { transA: true })).data, ref) < 1e-4, `TN ${r}x${k}x${c}`);
      assert.ok(relErr((await backend.matmul(A, transpose(B), { transB: true })).data, ref) < 1e-4, `NT ${r}x${k}x${c}`);
      assert.ok(relErr((await backend.matmul(transpose(A), transpose(B), { transA: true, transB: true })).data, ref) < 1e-4, `TT ${r}x${k}x${c}`);
    }
  });

  test(`${backend.name}: fused encoder, masked gradient and Adam agree with the reference`, async () => {
    for (const [B, n, m] of [[5, 3, 7], [33, 20, 201], [4, 1100, 9], [1, 70, 66]] as const) {
      const X = rand(B, n), W = rand(m, n);
      const bias = Float32Array.from({ length: m }, () => rng.normal());
      // reference: relu(X Wᵀ + b) in float64
      const pre = matmul64(X, transpose(W));
      const ref = pre.data.map((v, i) => Math.max(0, v + bias[i % m]!));
      assert.ok(relErr((await backend.encodeRelu(X, W, bias)).data, ref) < 1e-4);
      assert.ok(relErr((await backend.encodeRelu(X, W, null)).data, pre.data.map((v) => Math.max(0, v))) < 1e-4);
      const Z = encodeReluJs(X, W, bias), G = rand(B, n);
      const gref = matmul64(G, transpose(W)).data.map((v, i) => (Z.data[i]! > 0 ? v + 0.25 : 0));
      assert.ok(relErr((await backend.maskedGrad(G, W, Z, 0.25)).data, gref) < 1e-4);
      assert.ok(relErr(maskedGradJs(G, W, Z, 0.25).data, gref) < 1e-6);
    }
    const len = 1037;
    const mk = () => Float32Array.from({ length: len }, () => rng.normal());
    const p0 = mk(), g = mk(), m0 = mk(), v0 = mk().map(Math.abs);
    const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 3 };
    const [p1, m1, v1] = [p0.slice(), m0.slice(), v0.slice()];
    adamJs(p1, g, m1, v1, h);
    const [p2, m2, v2] = [p0.slice(), m0.slice(), v0.slice()];
    await backend.adam(p2, g, m2, v2, h);
    assert.ok(relErr(p2, p1) < 1e-4 && relErr(m2, m1) < 1e-4 && relErr(v2, v1) < 1e-4);
    // and Adam's first step moves each parameter by lr against its gradient's sign
    const p3 = p0.slice();
    adamJs(p3, g, new Float32Array(len), new Float32Array(len), { ...h, step: 1 });
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(p3[i]! - (p0[i]! - 0.01 * Math.sign(g[i]!))) < 1e-6);
  });
}

test("wasm: mostly-zero left operands go through the zero-skipping path and still agree", async () => {
  for (const [r, k, c] of [[40, 30, 20], [9, 1100, 70]] as const) {
    const A = rand(r, k, 0.985), B = rand(k, c);
    const ref = matmul64(A, B).data;
    assert.ok(relErr((await wasm.matmul(A, B)).data, ref) < 1e-5);
    assert.ok(relErr((await wasm.matmul(transpose(A), B, { transA: true })).data, ref) < 1e-5);
    const Z = rand(r, c, 0.985), G = rand(r, k);
    for (let i = 0; i < Z.data.length; i++) Z.data[i] = Math.abs(Z.data[i]!);
    const W = rand(c, k);
    assert.deepEqual((await wasm.maskedGrad(G, W, Z, 0.5)).data, maskedGradJs(G, W, Z, 0.5).data);
  }
});

test("wasm: a product after a larger one (grown memory, stale slack) is still exact to f32", async () => {
  const big = await wasm.matmul(rand(300, 700), rand(700, 90));
  assert.equal(big.rows, 300);
  for (const [r, k, c] of [[5, 7, 3], [2, 1, 9]] as const) {
    const A = rand(r, k), B = rand(k, c);
    assert.ok(relErr((await wasm.matmul(A, B)).data, matmul64(A, B).data) < 1e-6);
  }
  const empty = await wasm.matmul(mat(3, 0), mat(0, 4));
  assert.deepEqual(Array.from(empty.data), new Array(12).fill(0));
});

test("gpujs backend really ran gpu.js WebAssembly kernels", () => {
  assert.equal(gpu.mode, "webasm");
  const names = gpu.kernelClassNames();
  assert.ok(names.length > 0);
  assert.ok(names.every((n) => n === "WebAssemblyKernel"), names.join(","));
});

test("unrolled narrow kernels equal the plain loops exactly (same float64 summation order)", () => {
  for (const np of [1, 7, 20, 64]) {
    const X = rand(33, 50, 0.6), WT = rand(50, np);
    const a = mat(33, np), b = mat(33, np);
    unrolledNN(np)!(X.data, WT.data, a.data, 33, 50);
    projectRef(X, WT, b);
    assert.deepEqual(a.data, b.data);
    assert.deepEqual(matmulJs(X, WT).data, matmulRef(X, WT).data);
    const Xt = rand(50, 33, 0.5);
    assert.deepEqual(matmulJs(Xt, WT, true).data, matmulRef(Xt, WT, true).data);
    const W = rand(41, np), bias = Float32Array.from({ length: 41 }, () => rng.normal());
    const Xe = rand(9, np);
    assert.deepEqual(encodeReluJs(Xe, W, bias).data, encodeReluRef(Xe, W, bias).data);
    assert.deepEqual(encodeReluJs(Xe, W, null).data, encodeReluRef(Xe, W, null).data);
    const Z = encodeReluRef(Xe, W, bias), G = rand(9, np);
    assert.deepEqual(maskedGradJs(G, W, Z, 0.1).data, maskedGradRef(G, W, Z, 0.1).data);
  }
  assert.equal(unrolledNN(65), null);
});

test("auto picks the wasm SIMD backend on a machine without a GPU", () => {
  const b = createBackend("auto");
  assert.equal(b.name, "wasm");
  assert.equal(b.mode, "simd128");
});

test("unknown backend and mode are user errors", () => {
  assert.throws(() => createBackend("cuda"), /unknown backend 'cuda'/);
  assert.throws(() => createBackend("gpujs", "metal"), /unknown gpu.js mode/);
});
