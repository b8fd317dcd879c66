/**
 * The closed-form SAE of Theorem 1 and the features it recovers.
 *
 * Data model (docs/method.md §1): x ∈ R^n with x_i = 0 w.p. S, else U[0,1]; x_p = W_p x with
 * W_p n_p × n (columns = ground-truth features). Tied, bias-free ReLU SAE with
 * encoder W_m (n_m × n_p). At W_m = W_pᵀ (zero-padded, up to the permutation I*)
 * the latents are x_m = σ(W_pᵀ x_p) = σ(W_pᵀ W_p x).
 */
import { mat64, type AnyMat, type Mat } from "../util/mat.ts";
import { stream } from "../util/rng.ts";
import { sampleX as drawX } from "../data/synthetic.ts";
import { UserError } from "../util/errors.ts";

export type Mat64 = Mat<Float64Array>;
export type { AnyMat };

/**
 * W_m* = (W_p, 0)ᵀ, n_m × n_p, with I* = identity: row i < n is feature i's column,
 * the n_m − n rows after it are zero (latents that never fire).
 */
export function closedForm(Wp: AnyMat, nm: number): Mat64 {
  const { rows: np, cols: n } = Wp;
  if (!Number.isInteger(nm) || nm < n)
    throw new UserError(`closed form needs n_m >= n (Theorem 1): got n_m=${nm}, n=${n}`);
  const Wm = mat64(nm, np);
  for (let i = 0; i < n; i++) for (let d = 0; d < np; d++) Wm.data[i * np + d] = Wp.data[d * n + i]!;
  return Wm;
}

/** x_p = W_p x for one sample, in float64 (batches go through data/synthetic.ts `project`). */
export function xpOf(Wp: AnyMat, x: ArrayLike<number>): Float64Array {
  const { rows: np, cols: n } = Wp;
  if (x.length !== n) throw new UserError(`x has ${x.length} entries, W_p has ${n} columns`);
  const xp = new Float64Array(np);
  for (let d = 0; d < np; d++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Wp.data[d * n + i]! * x[i]!;
    xp[d] = s;
  }
  return xp;
}

/** W_pᵀ x_p, the closed-form SAE's pre-activation (before σ). */
export function preActivation(Wp: AnyMat, xp: ArrayLike<number>): Float64Array {
  const { rows: np, cols: n } = Wp;
  const h = new Float64Array(n);
  for (let d = 0; d < np; d++) {
    const v = xp[d]!;
    if (v === 0) continue;
    for (let i = 0; i < n; i++) h[i]! += Wp.data[d * n + i]! * v;
  }
  return h;
}

/** In-place ReLU. Writes an exact 0 so callers can test "vanished" with === 0. */
export function reluInPlace(h: Float64Array): Float64Array {
  for (let i = 0; i < h.length; i++) if (!(h[i]! > 0)) h[i] = 0;
  return h;
}

/** x_m = σ(W_pᵀ W_p x): the features the closed-form SAE recovers from one x. */
export function recoverFeatures(Wp: AnyMat, x: ArrayLike<number>): Float64Array {
  return reluInPlace(preActivation(Wp, xpOf(Wp, x)));
}

/** Batched σ(W_pᵀ W_p x) over the rows of X (N × n). */
export function recoverBatch(Wp: AnyMat, X: AnyMat): Mat64 {
  const { rows: np, cols: n } = Wp;
  if (X.cols !== n) throw new UserError(`X has ${X.cols} columns, W_p has ${n} columns`);
  const out = mat64(X.rows, n);
  const xp = new Float64Array(np);
  for (let s = 0; s < X.rows; s++) {
    const x = X.data.subarray(s * n, (s + 1) * n);
    xp.fill(0);
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      if (v === 0) continue; // x is sparse at the S that matter
      for (let d = 0; d < np; d++) xp[d]! += Wp.data[d * n + i]! * v;
    }
    const h = out.data.subarray(s * n, (s + 1) * n);
    for (let d = 0; d < np; d++) {
      const v = xp[d]!;
      if (v === 0) continue;
      for (let i = 0; i < n; i++) h[i]! += Wp.data[d * n + i]! * v;
    }
    for (let i = 0; i < n; i++) if (!(h[i]! > 0)) h[i] = 0;
  }
  return out;
}

/**
 * N samples of x (N × n, float64). One uniform u per coordinate, x_i = 0 if u < S
 * else (u − S)/(1 − S): the same u's serve every S, so curves over S use common
 * random numbers and their Monte Carlo noise does not hide trends.
 */
export function sampleX(n: number, S: number, N: number, seed: number): Mat64 {
  if (!(S >= 0 && S < 1)) throw new UserError(`sparsity S must be in [0, 1), got ${S}`);
  return drawX(stream(seed, "theory-x"), S, mat64(N, n));
}

/** Gram matrix of W_p's columns, W_pᵀ W_p (n × n): interference between features. */
export function columnGram(Wp: AnyMat): Mat64 {
  const { rows: np, cols: n } = Wp;
  const G = mat64(n, n);
  for (let d = 0; d < np; d++) {
    const row = Wp.data.subarray(d * n, (d + 1) * n);
    for (let i = 0; i < n; i++) {
      const a = row[i]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) G.data[i * n + j]! += a * row[j]!;
    }
  }
  return G;
}
