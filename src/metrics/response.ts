/**
 * Latent response matrix R (docs/method.md §2) and the fig2 "average activated features" score.
 */
import { matmul64, mat64, type Mat } from "../util/mat.ts";
import { topkRows } from "../sae/model.ts";
import { assertShape, type AnyMat } from "./types.ts";

/**
 * Activation of a latent layer for one pre-activation vector: ReLU, or Top-k followed by
 * ReLU when `k` is given (only the k largest pre-activations may survive, and only if positive).
 * The Top-k step is the SAE's own (`topkRows`): ties at the k-th place go to the lower index.
 */
export function activate(pre: Float64Array, k?: number): Float64Array {
  assertShape(k === undefined || (Number.isInteger(k) && k >= 1), "activate", `k must be a positive integer, got ${k}`);
  const m = pre.length;
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) out[j] = pre[j]! > 0 ? pre[j]! : 0;
  if (k !== undefined) topkRows(mat64(1, m, out), k);
  return out;
}

/**
 * R[j,i] = latent j's activation with only feature i on at value 1, minus its activation at x = 0.
 *
 * @param W_enc encoder, n_m × n_p (rows = latents); for a tied SAE pass W_m.
 * @param W_p   feature directions, n_p × n (columns = features).
 * @param bias  optional encoder bias, length n_m. The baseline subtraction matters only with a
 *              bias: a latent already on at x = 0 should not count as responding to every feature.
 *              A negative R is possible with a bias (feature i pushes a live latent down).
 * @param topk  optional k for a Top-k SAE; the competition is among latents for that one input.
 * @returns n_m × n float64 matrix.
 */
export function responseMatrix(
  W_enc: AnyMat,
  W_p: AnyMat,
  bias?: ArrayLike<number>,
  topk?: number,
): Mat<Float64Array> {
  assertShape(W_enc.cols === W_p.rows, "responseMatrix", `W_enc ${W_enc.rows}x${W_enc.cols} vs W_p ${W_p.rows}x${W_p.cols}`);
  const nm = W_enc.rows, n = W_p.cols;
  assertShape(bias === undefined || bias.length === nm, "responseMatrix", `bias length ${bias?.length} != n_m ${nm}`);
  assertShape(topk === undefined || (Number.isInteger(topk) && topk >= 1), "responseMatrix", `topk must be a positive integer, got ${topk}`);
  const A = matmul64(W_enc, W_p);
  const b = new Float64Array(nm);
  if (bias) for (let j = 0; j < nm; j++) b[j] = bias[j]!;
  const base = activate(b, topk);
  const R = mat64(nm, n);
  const pre = new Float64Array(nm);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nm; j++) pre[j] = A.data[j * n + i]! + b[j]!;
    const act = activate(pre, topk);
    for (let j = 0; j < nm; j++) R.data[j * n + i] = act[j]! - base[j]!;
  }
  return R;
}

/** Indices of the latents that respond to some feature (some R[j,i] > 0), ascending. */
export function respondingLatents(R: AnyMat): Int32Array {
  const out: number[] = [];
  for (let j = 0; j < R.rows; j++) {
    for (let i = 0; i < R.cols; i++)
      if (R.data[j * R.cols + i]! > 0) {
        out.push(j);
        break;
      }
  }
  return Int32Array.from(out);
}

export type ActivatedFeatures = {
  /** Mean of perLatent over responding latents; NaN when no latent responds (there is nothing to average, and 0 would read as "perfectly sparse"). */
  mean: number;
  /** Per latent: number of features with R[j,i] > τ·max_i R[j,i]; −1 for a latent that responds to nothing. */
  perLatent: Int32Array;
  /** How many latents respond. */
  responding: number;
};

/**
 * Average activated features per latent (fig2). The threshold is relative to each latent's own
 * strongest response, so the count measures how many features a latent mixes, not how large it is.
 */
export function activatedFeatures(R: AnyMat, tau = 0.1): ActivatedFeatures {
  assertShape(Number.isFinite(tau) && tau >= 0, "activatedFeatures", `tau must be finite and >= 0, got ${tau}`);
  const perLatent = new Int32Array(R.rows).fill(-1);
  let responding = 0, sum = 0;
  for (let j = 0; j < R.rows; j++) {
    const row = R.data.subarray(j * R.cols, (j + 1) * R.cols);
    let max = 0;
    for (let i = 0; i < R.cols; i++) if (row[i]! > max) max = row[i]!;
    if (!(max > 0)) continue;
    const thr = tau * max;
    let c = 0;
    for (let i = 0; i < R.cols; i++) if (row[i]! > thr) c++;
    perLatent[j] = c;
    responding++;
    sum += c;
  }
  return { mean: responding ? sum / responding : NaN, perLatent, responding };
}
