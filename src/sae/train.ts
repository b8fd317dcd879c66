/**
 * Adam on the (weighted) SAE loss, one fresh batch per step:
 *   L = (1/B) Σ_b [ Σ_i γ_i² (x̂_p − x_p)_{b,i}²  +  λ Σ_j z_{b,j} ]
 * γ² = 1 is the plain SAE loss L_SAE; other γ give L_WSAE (Γ = diag(γ)); λ is the
 * L1 sparsity penalty (0 in the theory). Gradients by hand, through backend ops.
 */
import type { Mat } from "../util/mat.ts";
import type { Rng } from "../util/rng.ts";
import { DivergenceError } from "../util/errors.ts";
import type { Backend } from "../compute/backend.ts";
import type { BatchSource } from "../data/synthetic.ts";
import { decoderOf, encode, initSae, normalizeRows, type SaeParams, type SaeSpec } from "./model.ts";
import { cscTransposeTimes, csrTimes, density, maskedDots, toCsc, toCsr } from "../compute/sparse.ts";

export type TrainConfig = {
  steps: number;
  batch: number;
  lr: number;
  l1: number;
  /** γ_i² per input dim (length n_p); null = all ones (plain SAE). */
  gamma2: Float32Array | null;
  beta1?: number;
  beta2?: number;
  eps?: number;
};

export type TrainResult = { params: SaeParams; losses: number[]; finalLoss: number; ms: number };

export type StepCallback = (step: number, loss: number) => void;

type Slot = { p: Float32Array; m: Float32Array; v: Float32Array };
const slot = (p: Float32Array): Slot => ({ p, m: new Float32Array(p.length), v: new Float32Array(p.length) });

export type Grads = { loss: number; gW: Float32Array; gD: Float32Array | null; gb: Float32Array | null };

/**
 * Loss and gradients on one batch. With a tied decoder the gradient of W collects
 * both uses (encoder and decoder); untied, gD is the decoder's alone.
 */
export async function lossAndGrad(
  backend: Backend, spec: SaeSpec, params: SaeParams, xp: Mat, l1: number, gamma2: Float32Array | null,
  path: "auto" | "dense" | "sparse" = "auto",
): Promise<Grads> {
  const B = xp.rows, n_p = spec.n_p, n_m = spec.n_m;
  const outputGrad = (xhat: Float32Array, off: number, ld: number, z: Float32Array, zOff: number, zLd: number) =>
    lossAndOutputGrad(xhat, off, ld, xp.data, z, zOff, zLd, l1, gamma2, B, n_p, n_m);
  let z: Mat | null = null;
  if (backend.reluStep && spec.topk === 0 && path !== "sparse") {
    // the backend runs the dense step in one go, unless the latents turn out sparse
    const r = await backend.reluStep(xp, params.W, decoderOf(params), params.b, l1, path === "dense" ? -1 : SPARSE_LATENTS, outputGrad);
    if (r && !("z" in r)) return combine(params, r.loss, r.gEnc, r.gDec, r.gb);
    z = r?.z ?? null;
  }
  z ??= await encode(backend, spec, params, xp);
  const sparse = path === "auto" ? spec.topk > 0 || density(z.data) < SPARSE_LATENTS : path === "sparse";
  if (sparse) return sparseGrad(spec, params, xp, z, l1, gamma2);
  const dec = decoderOf(params);
  const xhat = await backend.matmul(z, dec);
  const loss = outputGrad(xhat.data, 0, n_p, z.data, 0, n_m);
  const dDec = await backend.matmul(z, xhat, { transA: true });
  const dPre = await backend.maskedGrad(xhat, dec, z, l1 / B);
  const dEnc = await backend.matmul(dPre, xp, { transA: true });
  let gb: Float32Array | null = null;
  if (params.b) {
    gb = new Float32Array(n_m);
    const pd = dPre.data;
    for (let b = 0; b < B; b++) for (let j = 0; j < n_m; j++) gb[j]! += pd[b * n_m + j]!;
  }
  return combine(params, loss, dEnc.data, dDec.data, gb);
}

/**
 * Below this share of non-zero latents the step runs on sparse latents (compute/sparse.ts):
 * the decoder and the three backward products then cost O(nnz · n_p) instead of
 * O(B · n_m · n_p). Measured with scripts/bench.ts: the SIMD products win above it.
 */
export const SPARSE_LATENTS = 0.07;

/**
 * The loss, and G = ∂L/∂x̂ = (2/B) Γ² (x̂ − x_p) written over x̂ (row b at off + b·ld; the
 * latents' row b at zOff + b·zLd). Shared by every path, so they agree term by term.
 */
function lossAndOutputGrad(
  gd: Float32Array, off: number, ld: number, xd: Float32Array, z: Float32Array, zOff: number, zLd: number,
  l1: number, gamma2: Float32Array | null, B: number, n_p: number, n_m: number,
): number {
  const s = 2 / B;
  let rec = 0;
  for (let b = 0; b < B; b++) {
    const o = off + b * ld, x = b * n_p;
    if (gamma2) {
      for (let i = 0; i < n_p; i++) {
        const e = gd[o + i]! - xd[x + i]!, w = gamma2[i]!;
        rec += w * e * e;
        gd[o + i] = s * w * e;
      }
    } else {
      // γ² = 1: the same arithmetic with w = 1 (w·e·e and s·1·e are exact), without the lookups
      for (let i = 0; i < n_p; i++) {
        const e = gd[o + i]! - xd[x + i]!;
        rec += e * e;
        gd[o + i] = s * e;
      }
    }
  }
  let l1sum = 0;
  if (l1 > 0) for (let b = 0; b < B; b++) for (let j = 0, o = zOff + b * zLd; j < n_m; j++) l1sum += z[o + j]!;
  return (rec + l1 * l1sum) / B;
}

/** With a tied decoder the gradient of W collects both uses (encoder and decoder). */
function combine(params: SaeParams, loss: number, gEnc: Float32Array, gDec: Float32Array, gb: Float32Array | null): Grads {
  if (params.D) return { loss, gW: gEnc, gD: gDec, gb };
  for (let i = 0; i < gEnc.length; i++) gEnc[i]! += gDec[i]!;
  return { loss, gW: gEnc, gD: null, gb };
}

/** The same step on sparse latents: equal to the js backend's dense path bit for bit. */
function sparseGrad(spec: SaeSpec, params: SaeParams, xp: Mat, z: Mat, l1: number, gamma2: Float32Array | null): Grads {
  const dec = decoderOf(params), B = xp.rows;
  const zs = toCsr(z), zc = toCsc(zs);
  const xhat = csrTimes(zs, dec);
  // the L1 term sums z in flat order, as the dense path does
  const loss = lossAndOutputGrad(xhat.data, 0, spec.n_p, xp.data, z.data, 0, spec.n_m, l1, gamma2, B, spec.n_p, spec.n_m);
  const dDec = cscTransposeTimes(zs, zc, zs.val, xhat);
  const dPre = maskedDots(zs, xhat, dec, l1 / B);
  const dEnc = cscTransposeTimes(zs, zc, dPre, xp);
  let gb: Float32Array | null = null;
  if (params.b) {
    gb = new Float32Array(spec.n_m);
    for (let b = 0; b < B; b++) for (let t = zs.ptr[b]!; t < zs.ptr[b + 1]!; t++) gb[zs.idx[t]!]! += dPre[t]!;
  }
  return combine(params, loss, dEnc.data, dDec.data, gb);
}

/**
 * Untied decoder rows live on the unit sphere (renormalised after every step), so, as
 * SAELens does (remove_gradient_parallel_to_decoder_directions), remove from each row's
 * gradient its component along the row before the step: g_j ← g_j − (g_j·d_j) d_j.
 * At unit-norm rows that is the gradient of L(D normalised), the direction the loss
 * actually changes along the sphere. In place.
 */
export function projectOffRows(gD: Float32Array, D: Mat): void {
  const c = D.cols, d = D.data;
  for (let j = 0; j < D.rows; j++) {
    const o = j * c;
    let dot = 0;
    for (let i = 0; i < c; i++) dot += gD[o + i]! * d[o + i]!;
    for (let i = 0; i < c; i++) gD[o + i]! -= dot * d[o + i]!;
  }
}

export async function trainSae(
  backend: Backend,
  spec: SaeSpec,
  source: BatchSource,
  cfg: TrainConfig,
  initRng: Rng,
  onStep?: StepCallback,
): Promise<TrainResult> {
  if (source.dim !== spec.n_p) throw new Error(`trainSae: source gives ${source.dim}-d inputs, SAE expects ${spec.n_p}`);
  const t0 = performance.now();
  const params = initSae(spec, initRng);
  const W = slot(params.W.data);
  const D = params.D ? slot(params.D.data) : null;
  const bias = params.b ? slot(params.b) : null;
  const hyper = { lr: cfg.lr, beta1: cfg.beta1 ?? 0.9, beta2: cfg.beta2 ?? 0.999, eps: cfg.eps ?? 1e-8, step: 0 };
  const losses: number[] = [];
  let loss = NaN;
  for (let step = 1; step <= cfg.steps; step++) {
    const g = await lossAndGrad(backend, spec, params, source.next(cfg.batch), cfg.l1, cfg.gamma2);
    loss = g.loss;
    if (!Number.isFinite(loss)) {
      throw new DivergenceError(`training diverged at step ${step} of ${cfg.steps} (loss ${loss}); try a smaller --lr (now ${cfg.lr})`);
    }
    hyper.step = step;
    await backend.adam(W.p, g.gW, W.m, W.v, hyper);
    if (D) {
      projectOffRows(g.gD!, params.D!);
      await backend.adam(D.p, g.gD!, D.m, D.v, hyper);
      normalizeRows(params.D!);
    }
    if (bias) await backend.adam(bias.p, g.gb!, bias.m, bias.v, hyper);
    if (step === 1 || step % 50 === 0 || step === cfg.steps) losses.push(loss);
    onStep?.(step, loss);
  }
  return { params, losses, finalLoss: loss, ms: performance.now() - t0 };
}

/** Dense-equivalent FLOPs of one step (encoder, decoder, three backward products). */
export function stepFlops(spec: SaeSpec, batch: number): number {
  return 10 * batch * spec.n_p * spec.n_m;
}
