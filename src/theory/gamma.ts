/**
 * The oracle Γ of docs/method.md §2: from a known W_p, the weights that most shrink the
 * Theorem 5 gap matrix W_pᵀΓ²W_p − I.
 *
 * With g = γ² and a_d the d-th row of W_p, W_pᵀ diag(g) W_p = Σ_d g_d a_d a_dᵀ, so
 *   ‖W_pᵀ diag(g) W_p − I‖_F² = gᵀQg − 2bᵀg + n,  Q_de = (a_d·a_e)², b_d = ‖a_d‖²,
 * a convex quadratic in g (Q is a Gram matrix of the a_d a_dᵀ), minimised over g ≥ 0.
 *
 * Closed form on the theory's geometry (groups on disjoint dims decouple):
 *   mono dim:  (g − 1)² → g = 1;
 *   digon dim: columns ±e_d, 2(g − 1)² + 2g² → g = 1/2;
 *   regular m-gon (m ≥ 3) in plane (a, b): Σ_k cos²θ_k = Σ_k sin²θ_k = m/2 and
 *     Σ_k cosθ_k sinθ_k = 0 for any phase, so the objective is
 *     (m/2)²(g_a² + g_b²) − m(g_a + g_b) + const → g_a = g_b = 2/m.
 * So a square's dims get 1/2, a triangle's 2/3, relative to 1 on a mono dim:
 * Γ down-weights polysemantic dims, the paper's weight-selection principle.
 */
import { UserError } from "../util/errors.ts";
import type { AnyMat } from "./core.ts";

export type OracleGamma = {
  /** γ rescaled so that mean γ_i² = 1 (docs/method.md §2). */
  gamma: Float64Array;
  /** the unscaled optimum g = γ² of the NNLS problem. */
  g: Float64Array;
  /** ‖W_pᵀ diag(g) W_p − I‖_F² at the optimum and at Γ = I. */
  objective: number;
  objectiveUniform: number;
  /** KKT residual of the NNLS solution, relative to max b_d (≤ 1e-10 when converged). */
  kkt: number;
};

/** Rescale γ so that mean γ_i² = 1. */
export function normalizeGamma(gamma: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < gamma.length; i++) {
    const v = gamma[i]!;
    if (!Number.isFinite(v) || v < 0) throw new UserError(`gamma[${i}] = ${v}: weights must be finite and >= 0`);
    s += v * v;
  }
  if (!(s > 0)) throw new UserError("gamma is all zero: cannot rescale to mean gamma^2 = 1");
  const k = Math.sqrt(gamma.length / s);
  return Float64Array.from(gamma, (v) => v * k);
}

function quadratic(Wp: AnyMat): { Q: Float64Array; b: Float64Array } {
  const { rows: np, cols: n } = Wp;
  const Q = new Float64Array(np * np), b = new Float64Array(np);
  for (let d = 0; d < np; d++)
    for (let e = d; e < np; e++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Wp.data[d * n + i]! * Wp.data[e * n + i]!;
      Q[d * np + e] = Q[e * np + d] = s * s;
      if (d === e) b[d] = s;
    }
  return { Q, b };
}

/** Solve Q_PP s = b_P by Cholesky; a tiny ridge rescues a singular Q_PP. */
function solveSub(Q: Float64Array, b: Float64Array, np: number, P: number[]): Float64Array {
  const k = P.length;
  let maxDiag = 0;
  for (const p of P) maxDiag = Math.max(maxDiag, Q[p * np + p]!);
  for (let ridge = 0; ; ridge = ridge ? ridge * 100 : 1e-14 * maxDiag) {
    const L = new Float64Array(k * k);
    let ok = true;
    for (let i = 0; i < k && ok; i++)
      for (let j = 0; j <= i; j++) {
        let s = Q[P[i]! * np + P[j]!]! + (i === j ? ridge : 0);
        for (let t = 0; t < j; t++) s -= L[i * k + t]! * L[j * k + t]!;
        if (i === j) {
          if (!(s > 1e-13 * maxDiag)) { ok = false; break; }
          L[i * k + i] = Math.sqrt(s);
        } else L[i * k + j] = s / L[j * k + j]!;
      }
    if (!ok) continue;
    const y = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let s = b[P[i]!]!;
      for (let t = 0; t < i; t++) s -= L[i * k + t]! * y[t]!;
      y[i] = s / L[i * k + i]!;
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let t = i + 1; t < k; t++) s -= L[t * k + i]! * y[t]!;
      y[i] = s / L[i * k + i]!;
    }
    return y;
  }
}

function gradient(Q: Float64Array, b: Float64Array, g: Float64Array, np: number): Float64Array {
  const w = new Float64Array(np);
  for (let d = 0; d < np; d++) {
    let s = b[d]!;
    for (let e = 0; e < np; e++) s -= Q[d * np + e]! * g[e]!;
    w[d] = s; // w = b − Qg: the descent direction of ½gᵀQg − bᵀg
  }
  return w;
}

function kktResidual(w: Float64Array, g: Float64Array, scale: number): number {
  let r = 0;
  for (let d = 0; d < g.length; d++) r = Math.max(r, g[d]! > 0 ? Math.abs(w[d]!) : Math.max(0, w[d]!));
  return r / scale;
}

/** NNLS min_{g ≥ 0} ½gᵀQg − bᵀg: Lawson–Hanson active set, then coordinate-descent polish. */
function nnls(Q: Float64Array, b: Float64Array, np: number): { g: Float64Array; kkt: number } {
  const scale = Math.max(1e-300, ...b);
  const g = new Float64Array(np);
  const inP = new Array<boolean>(np).fill(false);
  let w = gradient(Q, b, g, np);
  for (let outer = 0; outer < 3 * np + 10; outer++) {
    let j = -1;
    for (let d = 0; d < np; d++) if (!inP[d] && w[d]! > 1e-13 * scale && (j < 0 || w[d]! > w[j]!)) j = d;
    if (j < 0) break;
    inP[j] = true;
    for (let inner = 0; inner <= np; inner++) {
      const P = inP.flatMap((v, d) => (v ? [d] : []));
      const sP = solveSub(Q, b, np, P);
      if (sP.every((v) => v > 0)) {
        g.fill(0);
        P.forEach((d, k) => (g[d] = sP[k]!));
        break;
      }
      let alpha = 1;
      P.forEach((d, k) => { if (sP[k]! <= 0) alpha = Math.min(alpha, g[d]! / (g[d]! - sP[k]!)); });
      P.forEach((d, k) => {
        g[d] = g[d]! + alpha * (sP[k]! - g[d]!);
        if (g[d]! <= 1e-15 * scale) { g[d] = 0; inP[d] = false; }
      });
    }
    w = gradient(Q, b, g, np);
  }
  // The active-set solution is exact up to the linear solves; polish anything left.
  for (let sweep = 0; sweep < 10000 && kktResidual(w, g, scale) > 1e-12; sweep++) {
    for (let d = 0; d < np; d++) {
      const q = Q[d * np + d]!;
      if (!(q > 0)) continue;
      let s = b[d]!;
      for (let e = 0; e < np; e++) s -= Q[d * np + e]! * g[e]!;
      g[d] = Math.max(0, g[d]! + s / q);
    }
    w = gradient(Q, b, g, np);
  }
  return { g, kkt: kktResidual(w, g, scale) };
}

function objective(Q: Float64Array, b: Float64Array, g: ArrayLike<number>, np: number, n: number): number {
  let f = n;
  for (let d = 0; d < np; d++) {
    f -= 2 * b[d]! * g[d]!;
    for (let e = 0; e < np; e++) f += g[d]! * Q[d * np + e]! * g[e]!;
  }
  return Math.max(0, f);
}

/** The Γ that minimises ‖W_pᵀΓ²W_p − I‖_F² (γ ≥ 0), rescaled to mean γ² = 1. */
export function oracleGamma(Wp: AnyMat): OracleGamma {
  const { rows: np, cols: n } = Wp;
  const { Q, b } = quadratic(Wp);
  if (!b.some((v) => v > 0)) throw new UserError("W_p is all zero: no oracle gamma");
  const { g, kkt } = nnls(Q, b, np);
  return {
    gamma: normalizeGamma(Float64Array.from(g, Math.sqrt)),
    g,
    objective: objective(Q, b, g, np, n),
    objectiveUniform: objective(Q, b, new Float64Array(np).fill(1), np, n),
    kkt,
  };
}
