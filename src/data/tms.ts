/**
 * Elhage et al.'s toy model of superposition, x' = ReLU(WᵀW x + b) with W ∈ R^{n_p × n},
 * trained on the same sparse x (uniform importance, MSE, Adam). Its learned W is
 * the `tms` superposition matrix W_p: what the paper's "data follow the toy model"
 * most plausibly means. Trained once per (S, seed) from its own random stream.
 */
import { mat, type Mat, mat64 } from "../util/mat.ts";
import { stream } from "../util/rng.ts";
import { DivergenceError } from "../util/errors.ts";
import type { Backend } from "../compute/backend.ts";
import { sampleX } from "./synthetic.ts";

export type TmsConfig = { n: number; n_p: number; S: number; steps: number; batch: number; lr: number; seed: number };

/**
 * The toy model's loss on one batch, L = (1/B) Σ_b ‖ReLU(WᵀW x_b + b) − x_b‖², and its
 * gradients. W is used twice (h = W x, then Wᵀh), so with Δ = ∂L/∂(WᵀWx) its gradient
 * collects both uses: Hᵀ Δ (the output side) + (Δ Wᵀ)ᵀ X (the input side), rows = batch.
 * Exported so tests can check it against finite differences.
 */
export async function tmsLossAndGrad(
  backend: Backend, W: Mat, b: Float32Array, x: Mat,
): Promise<{ loss: number; gW: Float32Array; gb: Float32Array }> {
  const B = x.rows, n = x.cols;
  const h = await backend.matmul(x, W, { transB: true }); // B × n_p
  const pre = await backend.matmul(h, W); // B × n
  const d = pre.data, xd = x.data;
  let sse = 0;
  const gb = new Float32Array(n);
  for (let r = 0; r < B; r++)
    for (let i = 0; i < n; i++) {
      const k = r * n + i;
      const v = d[k]! + b[i]!;
      const out = v > 0 ? v : 0;
      const e = out - xd[k]!;
      sse += e * e;
      d[k] = v > 0 ? (2 / B) * e : 0; // Δ = ∂L/∂pre
      gb[i]! += d[k]!;
    }
  const gOut = await backend.matmul(h, pre, { transA: true }); // n_p × n: Hᵀ Δ
  const dH = await backend.matmul(pre, W, { transB: true }); // B × n_p: Δ Wᵀ
  const gIn = await backend.matmul(dH, x, { transA: true }); // n_p × n: dHᵀ X
  for (let i = 0; i < gOut.data.length; i++) gOut.data[i]! += gIn.data[i]!;
  return { loss: sse / B, gW: gOut.data, gb };
}

export async function trainTms(backend: Backend, c: TmsConfig): Promise<{ Wp: Mat<Float64Array>; loss: number }> {
  const rng = stream(c.seed, `tms:S=${c.S}`);
  const W = mat(c.n_p, c.n);
  for (let i = 0; i < W.data.length; i++) W.data[i] = rng.normal() * Math.sqrt(2 / (c.n + c.n_p));
  const b = new Float32Array(c.n);
  const mW = new Float32Array(W.data.length), vW = new Float32Array(W.data.length);
  const mb = new Float32Array(c.n), vb = new Float32Array(c.n);
  const x = mat(c.batch, c.n);
  let loss = NaN;
  for (let step = 1; step <= c.steps; step++) {
    sampleX(rng, c.S, x);
    const g = await tmsLossAndGrad(backend, W, b, x);
    loss = g.loss;
    if (!Number.isFinite(loss)) throw new DivergenceError(`toy-model training diverged at step ${step} (S=${c.S})`);
    const h2 = { lr: c.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, step };
    await backend.adam(W.data, g.gW, mW, vW, h2);
    await backend.adam(b, g.gb, mb, vb, h2);
  }
  const Wp = mat64(c.n_p, c.n);
  for (let i = 0; i < W.data.length; i++) Wp.data[i] = W.data[i]!;
  return { Wp, loss };
}
