/**
 * Cosine agreement between learned directions (rows of D, n_m × n_p) and true features
 * (columns of W_p, n_p × n). Signed cosines: a latent pointing at −g_i has not found g_i.
 */
import { mat64, type Mat } from "../util/mat.ts";
import { maxWeightAssignment } from "./alignment.ts";
import { assertShape, type AnyMat } from "./types.ts";

/**
 * C[j,i] = cos(D_j, W_p[:, i]), n_m × n. A zero-norm vector has cosine 0 with everything: a dead
 * decoder row has found nothing, and NaN would poison every mean downstream.
 */
export function cosineMatrix(D: AnyMat, W_p: AnyMat): Mat<Float64Array> {
  assertShape(D.cols === W_p.rows, "cosineMatrix", `D ${D.rows}x${D.cols} vs W_p ${W_p.rows}x${W_p.cols}`);
  const nm = D.rows, d = D.cols, n = W_p.cols;
  const dn = new Float64Array(nm), gn = new Float64Array(n);
  for (let j = 0; j < nm; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += D.data[j * d + k]! ** 2;
    dn[j] = Math.sqrt(s);
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += W_p.data[k * n + i]! ** 2;
    gn[i] = Math.sqrt(s);
  }
  const C = mat64(nm, n);
  for (let j = 0; j < nm; j++) {
    if (dn[j] === 0) continue;
    for (let i = 0; i < n; i++) {
      if (gn[i] === 0) continue;
      let s = 0;
      for (let k = 0; k < d; k++) s += D.data[j * d + k]! * W_p.data[k * n + i]!;
      // Clamp: rounding can push |cos| of parallel vectors a hair past 1.
      C.data[j * n + i] = Math.max(-1, Math.min(1, s / (dn[j]! * gn[i]!)));
    }
  }
  return C;
}

/**
 * Mean max cosine in both directions. featToLatent (MMCS_GT): is every feature found by some
 * latent? latentToFeat (MMCS_L): is every latent some feature? The second penalises dead and junk
 * latents that the first ignores. NaN for an empty side.
 */
export function meanMaxCosine(D: AnyMat, W_p: AnyMat): { featToLatent: number; latentToFeat: number } {
  const C = cosineMatrix(D, W_p);
  const nm = C.rows, n = C.cols;
  const colMax = new Float64Array(n).fill(-Infinity);
  let l2f = 0;
  for (let j = 0; j < nm; j++) {
    let rowMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const c = C.data[j * n + i]!;
      if (c > rowMax) rowMax = c;
      if (c > colMax[i]!) colMax[i] = c;
    }
    l2f += rowMax;
  }
  let f2l = 0;
  for (let i = 0; i < n; i++) f2l += colMax[i]!;
  return { featToLatent: n && nm ? f2l / n : NaN, latentToFeat: n && nm ? l2f / nm : NaN };
}

export type MatchedCosine = {
  /** total / matched; NaN when nothing can be matched. */
  mean: number;
  /** Sum of matched cosines (absolute values when opts.abs). */
  total: number;
  /** Number of matched pairs, min(n_m, n). */
  matched: number;
  /** Smallest matched cosine (absolute value when opts.abs): the worst-found feature. NaN when nothing is matched. */
  min: number;
  /** latentOf[i] = latent matched to feature i, −1 if unmatched (n_m < n). */
  latentOf: Int32Array;
};

/**
 * Hungarian-matched mean cosine: the one-to-one feature↔latent matching maximising total cosine,
 * averaged over matched pairs. Over-wide dictionaries are not penalised (only min(n_m, n) pairs
 * count) — read it beside meanMaxCosine's latentToFeat. `abs: true` gives the sign-agnostic MCC
 * of SAELens/O'Neill et al.; the default is signed, since a tied ReLU latent cannot use −g_i.
 */
export function matchedMeanCosine(D: AnyMat, W_p: AnyMat, opts: { abs?: boolean } = {}): MatchedCosine {
  const C = cosineMatrix(D, W_p);
  const nm = C.rows, n = C.cols;
  // Features as rows so the matching comes out indexed by feature.
  const W = mat64(n, nm);
  for (let j = 0; j < nm; j++)
    for (let i = 0; i < n; i++) {
      const c = C.data[j * n + i]!;
      W.data[i * nm + j] = opts.abs ? Math.abs(c) : c;
    }
  const a = maxWeightAssignment(W);
  const matched = Math.min(n, nm);
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const j = a.rowToCol[i]!;
    if (j >= 0) min = Math.min(min, W.data[i * nm + j]!);
  }
  return { mean: matched ? a.total / matched : NaN, total: a.total, matched, min: matched ? min : NaN, latentOf: a.rowToCol };
}
