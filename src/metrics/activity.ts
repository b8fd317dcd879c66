/**
 * Latent activity statistics over a sample set (rows = samples, columns = latents):
 * L0, dead latents, and the fig3d per-dimensional variance.
 */
import type { AnyMat } from "./types.ts";

/** Mean number of latents with z > 0 per sample. NaN for zero samples. */
export function l0(Z: AnyMat): number {
  let c = 0;
  for (let t = 0; t < Z.data.length; t++) if (Z.data[t]! > 0) c++;
  return c / Z.rows;
}

function liveMask(Z: AnyMat, eps: number): Uint8Array {
  const live = new Uint8Array(Z.cols);
  for (let t = 0; t < Z.data.length; t++) if (Z.data[t]! > eps) live[t % Z.cols] = 1;
  return live;
}

/**
 * Latents that never fire (z > 0) on these samples. "Dead" is relative to the sample set given,
 * as in docs/method.md §2 (held-out samples), not a training-time firing window.
 */
export function deadLatents(Z: AnyMat): { count: number; fraction: number } {
  const live = liveMask(Z, 0);
  let count = 0;
  for (let j = 0; j < Z.cols; j++) if (!live[j]) count++;
  return { count, fraction: count / Z.cols };
}

/**
 * Mean over live latents (z > eps on at least one sample) of the population variance (÷N) of the
 * latent's activation. Dead latents are excluded because their zero variance would reward models
 * for killing latents. `mean` is NaN when no latent is live.
 */
export function perDimVariance(Z: AnyMat, eps = 0): { mean: number; live: number } {
  const N = Z.rows, m = Z.cols;
  const isLive = liveMask(Z, eps);
  const mu = new Float64Array(m);
  for (let s = 0; s < N; s++) for (let j = 0; j < m; j++) mu[j]! += Z.data[s * m + j]!;
  for (let j = 0; j < m; j++) mu[j]! /= N;
  // Two passes (mean, then squared deviations): E[z²] − E[z]² loses digits for near-constant latents.
  // Not sae/weights.ts columnVariance (Welford): it agrees only to rounding, so using it here would
  // move the reported per_dim_variance in the last bits.
  const v = new Float64Array(m);
  for (let s = 0; s < N; s++)
    for (let j = 0; j < m; j++) {
      const d = Z.data[s * m + j]! - mu[j]!;
      v[j]! += d * d;
    }
  let live = 0, sum = 0;
  for (let j = 0; j < m; j++)
    if (isLive[j]) {
      live++;
      sum += v[j]! / N;
    }
  return { mean: live ? sum / live : NaN, live };
}
