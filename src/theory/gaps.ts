/**
 * Theorems 2, 4 and 5 evaluated at the closed form W_m = W_pᵀ.
 *
 * With x_m = σ(W_pᵀW_p x) and r = x − x_m, the reconstruction error of x_p is
 * x_p − W_p x_m = W_p r, so ‖Γ(x_p − W_p x_m)‖² − ‖r‖² = rᵀ(W_pᵀΓ²W_p − I)r exactly,
 * sample by sample. gapDirect computes the left side from the two losses,
 * gapFormula the right side from the matrix; they agree to rounding, which is
 * the numerical check of the identity (docs/method.md §1, Theorems 4–5).
 */
import { mat64 } from "../util/mat.ts";
import { UserError } from "../util/errors.ts";
import { type AnyMat, type Mat64, preActivation, xpOf, recoverBatch, recoverFeatures, reluInPlace, sampleX } from "./core.ts";

/** γ per input dim (length n_p); null means Γ = I (plain SAE, Theorem 4). */
export type GammaLike = ArrayLike<number> | null;

export type GapResult = {
  /** L_WSAE − L_GT (= L_SAE − L_GT when Γ = I). */
  gap: number;
  /** mean ‖Γ(x_p − x̂_p)‖² (equals lSae when Γ = I). */
  lWsae: number;
  /** mean ‖x_p − x̂_p‖², unweighted. */
  lSae: number;
  /** mean ‖x − x_m‖² with I* = identity. */
  lGt: number;
  samples: number;
};

/** γ² as a Float64Array of length n_p, validated; all ones for null. */
export function gammaSquared(np: number, gamma: GammaLike): Float64Array {
  const g2 = new Float64Array(np).fill(1);
  if (gamma === null) return g2;
  if (gamma.length !== np) throw new UserError(`gamma has ${gamma.length} entries, W_p has n_p = ${np} rows`);
  for (let d = 0; d < np; d++) {
    const v = gamma[d]!;
    if (!Number.isFinite(v) || v < 0) throw new UserError(`gamma[${d}] = ${v}: weights must be finite and >= 0`);
    g2[d] = v * v;
  }
  return g2;
}

/** The Theorem 5 gap matrix W_pᵀ Γ² W_p − I (n × n); Γ = I gives Theorem 4's. */
export function gapMatrix(Wp: AnyMat, gamma: GammaLike): Mat64 {
  const { rows: np, cols: n } = Wp;
  const g2 = gammaSquared(np, gamma);
  const M = mat64(n, n);
  for (let d = 0; d < np; d++) {
    const row = Wp.data.subarray(d * n, (d + 1) * n);
    for (let i = 0; i < n; i++) {
      const a = g2[d]! * row[i]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) M.data[i * n + j]! += a * row[j]!;
    }
  }
  for (let i = 0; i < n; i++) M.data[i * n + i]! -= 1;
  return M;
}

function checkX(Wp: AnyMat, X: AnyMat): void {
  if (X.cols !== Wp.cols) throw new UserError(`X has ${X.cols} columns, W_p has n = ${Wp.cols}`);
  if (X.rows === 0) throw new UserError("X has no samples");
}

/** L_WSAE, L_SAE and L_GT at W_m = W_pᵀ, and the gap computed from the losses. */
export function gapDirect(Wp: AnyMat, gamma: GammaLike, X: AnyMat): GapResult {
  checkX(Wp, X);
  const { rows: np, cols: n } = Wp;
  const g2 = gammaSquared(np, gamma);
  let lw = 0, ls = 0, lg = 0;
  for (let s = 0; s < X.rows; s++) {
    const x = X.data.subarray(s * n, (s + 1) * n);
    const xp = xpOf(Wp, x);
    const xm = reluInPlace(preActivation(Wp, xp)); // recoverFeatures(Wp, x), reusing x_p
    const rec = xpOf(Wp, xm); // W_p x_m
    for (let d = 0; d < np; d++) {
      const e = xp[d]! - rec[d]!;
      ls += e * e;
      lw += g2[d]! * e * e;
    }
    for (let i = 0; i < n; i++) {
      const e = x[i]! - xm[i]!;
      lg += e * e;
    }
  }
  const N = X.rows;
  return { gap: lw / N - lg / N, lWsae: lw / N, lSae: ls / N, lGt: lg / N, samples: N };
}

/** mean rᵀ(W_pᵀΓ²W_p − I)r with r = x − σ(W_pᵀW_p x): the theorem's right-hand side. */
export function gapFormula(Wp: AnyMat, gamma: GammaLike, X: AnyMat): number {
  checkX(Wp, X);
  const n = Wp.cols;
  const M = gapMatrix(Wp, gamma);
  const r = new Float64Array(n);
  const nz = new Int32Array(n);
  let total = 0;
  for (let s = 0; s < X.rows; s++) {
    const x = X.data.subarray(s * n, (s + 1) * n);
    const xm = recoverFeatures(Wp, x);
    let k = 0;
    for (let i = 0; i < n; i++) {
      r[i] = x[i]! - xm[i]!;
      if (r[i] !== 0) nz[k++] = i; // r vanishes wherever x_i = x_m,i = 0, most dims at high S
    }
    let q = 0;
    for (let a = 0; a < k; a++) {
      const i = nz[a]!;
      let row = 0;
      for (let b = 0; b < k; b++) row += M.data[i * n + nz[b]!]! * r[nz[b]!]!;
      q += r[i]! * row;
    }
    total += q;
  }
  return total / X.rows;
}

export type RecoveryPoint = {
  S: number;
  /** E‖x − σ(W_pᵀW_p x)‖², Monte Carlo. */
  error: number;
  /** E‖x‖² on the same samples. */
  xEnergy: number;
  /** Σ‖x − σ(W_pᵀW_p x)‖² / Σ‖x‖² (NaN when every x is 0). */
  relativeError: number;
  /** share of samples with at most one active feature (what S → 1 buys). */
  atMostOneActive: number;
};

/** Theorem 2 at one S, on the samples X (N × n) drawn at that S. */
export function recoveryPoint(Wp: AnyMat, S: number, X: AnyMat): RecoveryPoint {
  checkX(Wp, X);
  const n = Wp.cols, N = X.rows;
  const XM = recoverBatch(Wp, X);
  let err = 0, ex2 = 0, one = 0;
  for (let s = 0; s < N; s++) {
    let k = 0;
    for (let i = 0; i < n; i++) {
      const x = X.data[s * n + i]!;
      const e = x - XM.data[s * n + i]!;
      err += e * e;
      ex2 += x * x;
      if (x > 0) k++;
    }
    if (k <= 1) one++;
  }
  return { S, error: err / N, xEnergy: ex2 / N, relativeError: ex2 > 0 ? err / ex2 : NaN, atMostOneActive: one / N };
}

/**
 * Theorem 2: the closed form's recovery error as a function of S. Every S reuses
 * the same seed, so the uniforms behind x are shared across the curve.
 */
export function recoveryCurve(Wp: AnyMat, Ss: number[], N: number, seed: number): RecoveryPoint[] {
  return Ss.map((S) => recoveryPoint(Wp, S, sampleX(Wp.cols, S, N, seed)));
}

