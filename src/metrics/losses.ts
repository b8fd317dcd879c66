/**
 * Sample-averaged losses of docs/method.md §2: L_GT (all dims and non-sparse dims), L_SAE, explained variance.
 * Rows are samples throughout.
 */
import { assertShape, type AnyMat } from "./types.ts";

export type GroundTruthLoss = {
  /** mean_n Σ_i (x_ni − z_n,I*(i))²; z is taken as 0 for an unmatched feature. */
  lgt: number;
  /** Same sum restricted to i with x_ni ≠ 0, still divided by the total sample count N. */
  lgtNonSparse: number;
};

/**
 * L_GT against the alignment I*.
 * @param X        ground-truth features, N × n.
 * @param Z        latents, N × n_m.
 * @param latentOf from alignFeatures: latent of feature i or −1.
 * Dividing the non-sparse sum by N (not by the number of non-zero entries) keeps the two numbers
 * on the same scale, so lgt − lgtNonSparse is exactly the error spent on switched-off features.
 */
export function groundTruthLoss(X: AnyMat, Z: AnyMat, latentOf: ArrayLike<number>): GroundTruthLoss {
  const N = X.rows, n = X.cols, nm = Z.cols;
  assertShape(Z.rows === N, "groundTruthLoss", `X has ${N} samples, Z has ${Z.rows}`);
  assertShape(latentOf.length === n, "groundTruthLoss", `latentOf length ${latentOf.length} != n ${n}`);
  for (let i = 0; i < n; i++) {
    const j = latentOf[i]!;
    assertShape(Number.isInteger(j) && j >= -1 && j < nm, "groundTruthLoss", `latentOf[${i}] = ${j} out of range for n_m ${nm}`);
  }
  let all = 0, nonSparse = 0;
  for (let s = 0; s < N; s++) {
    const xo = s * n, zo = s * nm;
    for (let i = 0; i < n; i++) {
      const j = latentOf[i]!;
      const x = X.data[xo + i]!;
      const d = x - (j >= 0 ? Z.data[zo + j]! : 0);
      all += d * d;
      if (x !== 0) nonSparse += d * d;
    }
  }
  return { lgt: all / N, lgtNonSparse: nonSparse / N };
}

/**
 * L_SAE = mean_n ‖x_p − x̂_p‖². Unweighted by default, which is how docs/method.md §2 compares SAE and
 * WSAE. Pass `gamma` (length n_p) for L_WSAE = mean_n ‖Γ(x_p − x̂_p)‖².
 */
export function reconstructionLoss(Xp: AnyMat, Xhat: AnyMat, gamma?: ArrayLike<number>): number {
  assertShape(Xp.rows === Xhat.rows && Xp.cols === Xhat.cols, "reconstructionLoss", `${Xp.rows}x${Xp.cols} vs ${Xhat.rows}x${Xhat.cols}`);
  const d = Xp.cols;
  assertShape(gamma === undefined || gamma.length === d, "reconstructionLoss", `gamma length ${gamma?.length} != ${d}`);
  let sum = 0;
  for (let t = 0; t < Xp.data.length; t++) {
    const g = gamma ? gamma[t % d]! : 1;
    const e = g * (Xp.data[t]! - Xhat.data[t]!);
    sum += e * e;
  }
  return sum / Xp.rows;
}

/**
 * EV = 1 − Σ_n ‖x_n − x̂_n‖² / Σ_n ‖x_n − x̄‖², with x̄ the per-dimension mean over these samples.
 * Pooled (numerator and denominator summed separately), not the legacy per-sample ratio, which
 * differs on data with a large mean offset (anchors §4). NaN when the data have zero variance.
 */
export function explainedVariance(X: AnyMat, Xhat: AnyMat): number {
  assertShape(X.rows === Xhat.rows && X.cols === Xhat.cols, "explainedVariance", `${X.rows}x${X.cols} vs ${Xhat.rows}x${Xhat.cols}`);
  const N = X.rows, d = X.cols;
  const mean = new Float64Array(d);
  for (let s = 0; s < N; s++) for (let k = 0; k < d; k++) mean[k]! += X.data[s * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= N;
  let err = 0, tot = 0;
  for (let s = 0; s < N; s++)
    for (let k = 0; k < d; k++) {
      const x = X.data[s * d + k]!;
      const e = x - Xhat.data[s * d + k]!;
      const c = x - mean[k]!;
      err += e * e;
      tot += c * c;
    }
  return tot > 0 ? 1 - err / tot : NaN;
}
