// The wasm backend's fused dense step (operands resident in module memory) against the
// same backend op by op: the same kernel and the same sums in the same order, so the
// loss and every gradient agree bit for bit, on awkward shapes, tied and untied, with and
// without bias, Γ² and L1; and a sparse batch still takes the sparse path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WasmBackend } from "../src/compute/wasm.ts";
import type { Backend } from "../src/compute/backend.ts";
import { initSae, type SaeSpec } from "../src/sae/model.ts";
import { lossAndGrad } from "../src/sae/train.ts";
import { RESIDENT_MAX_NP } from "../src/compute/wasm-step.ts";
import { mat, type Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const rng = stream(5, "wasm-step-test");
function rand(r: number, c: number): Mat {
  const m = mat(r, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}
const wasm = new WasmBackend();
/** What the fused step returned last: a full step, z handed back, or null (declined). */
let last: "step" | "z" | "null" | "none" = "none";
const inner = wasm.reluStep.bind(wasm);
wasm.reluStep = async (...a) => {
  const r = await inner(...a);
  last = r === null ? "null" : "z" in r ? "z" : "step";
  return r;
};
/** The same backend without its fused step: lossAndGrad goes op by op. */
const opByOp: Backend = {
  name: "wasm", mode: "simd128",
  matmul: (a, b, o) => wasm.matmul(a, b, o),
  encodeRelu: (x, w, b) => wasm.encodeRelu(x, w, b),
  maskedGrad: (g, d, z, l1) => wasm.maskedGrad(g, d, z, l1),
  adam: (p, g, m, v, h) => wasm.adam(p, g, m, v, h),
  dispose: async () => {},
};

const cases: [string, number, SaeSpec, number, boolean][] = [
  ["paper shape, tied, no bias", 1024, { n_p: 20, n_m: 200, tied: true, bias: false, topk: 0 }, 0.1, false],
  ["odd sizes, untied, bias, Γ²", 37, { n_p: 7, n_m: 30, tied: false, bias: true, topk: 0 }, 0.05, true],
  ["one sample, n_m not a multiple of 8", 1, { n_p: 5, n_m: 13, tied: true, bias: true, topk: 0 }, 0, true],
  ["input just below the resident limit", 9, { n_p: 63, n_m: 90, tied: false, bias: false, topk: 0 }, 0, false],
];
for (const [name, B, spec, l1, weighted] of cases) {
  test(`fused wasm step equals the op-by-op step bit for bit: ${name}`, async () => {
    const p = initSae(spec, stream(2, "init"));
    if (p.b) for (let j = 0; j < spec.n_m; j++) p.b[j] = 0.05 - 0.01 * (j % 7);
    const xp = rand(B, spec.n_p);
    const gamma2 = weighted ? Float32Array.from({ length: spec.n_p }, (_, i) => 0.5 + i / spec.n_p) : null;
    // a large product first: the step must not depend on stale memory
    await wasm.matmul(rand(300, 400), rand(400, 90));
    last = "none";
    const fused = await lossAndGrad(wasm, spec, p, xp, l1, gamma2, "dense");
    assert.equal(last, "step", "the fused step ran");
    const ref = await lossAndGrad(opByOp, spec, p, xp, l1, gamma2, "dense");
    assert.equal(fused.loss, ref.loss);
    assert.deepEqual(fused.gW, ref.gW);
    assert.deepEqual(fused.gD, ref.gD);
    assert.deepEqual(fused.gb, ref.gb);
    assert.ok(Number.isFinite(fused.loss) && fused.gW.some((v) => v !== 0));
    // and "auto" (dense latents here) takes the fused path too
    last = "none";
    assert.deepEqual((await lossAndGrad(wasm, spec, p, xp, l1, gamma2)).gW, ref.gW);
    assert.equal(last, "step");
  });
}

test("fused wasm step hands sparse latents to the sparse path (same result as op by op)", async () => {
  const spec: SaeSpec = { n_p: 20, n_m: 200, tied: true, bias: true, topk: 0 };
  const p = initSae(spec, stream(3, "init"));
  p.b!.fill(-2.5); // few latents pass the ReLU
  const xp = rand(64, spec.n_p);
  for (const path of ["auto", "dense"] as const) {
    last = "none";
    const fused = await lossAndGrad(wasm, spec, p, xp, 0.1, null, path);
    assert.equal(last, "z", `${path}: z handed back`);
    const ref = await lossAndGrad(opByOp, spec, p, xp, 0.1, null, path);
    assert.equal(fused.loss, ref.loss);
    assert.deepEqual(fused.gW, ref.gW);
    assert.deepEqual(fused.gb, ref.gb);
  }
});

test("wide inputs are left to the op-by-op path (packed operands are faster there)", async () => {
  const n_p = RESIDENT_MAX_NP, n_m = 16;
  const w = rand(n_m, n_p);
  assert.equal(await wasm.reluStep(rand(4, n_p), w, w, null, 0, 0, () => 0), null);
  assert.notEqual(await wasm.reluStep(rand(4, n_p - 1), rand(n_m, n_p - 1), rand(n_m, n_p - 1), null, 0, 2, () => 0), null);
});

test("a last panel of ≤ 4 columns (4-wide tile) gives the 8-wide tile's numbers bit for bit", async () => {
  const be = new WasmBackend();
  const inner = (be as unknown as { gemm: (...a: number[]) => void }).gemm;
  const shapes: [number, number, number, boolean, boolean][] = [[37, 11, 20, false, false], [5, 200, 1, true, false], [64, 9, 12, false, true], [3, 1024, 4, true, false], [9, 7, 28, false, false]];
  for (const [r, k, c, ta, tb] of shapes) {
    const a = ta ? rand(k, r) : rand(r, k), b = tb ? rand(c, k) : rand(k, c);
    const four = await be.matmul(a, b, { transA: ta, transB: tb });
    // the same product with the last panel on the 8-wide tile (no `cols`)
    (be as unknown as { gemm: (...a: number[]) => void }).gemm = (...x: number[]) => inner(...x.slice(0, 13));
    const eight = await be.matmul(a, b, { transA: ta, transB: tb });
    (be as unknown as { gemm: (...a: number[]) => void }).gemm = inner;
    assert.deepEqual(four.data, eight.data, `${r}x${k}x${c}`);
  }
});
