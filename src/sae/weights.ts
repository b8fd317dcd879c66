/**
 * The WSAE's per-input-dimension weights Γ = diag(γ), γ_i = s_i^α, rescaled so that
 * mean γ_i² = 1 (so the weighted loss stays on the scale of the plain one).
 *   uniform   s_i = 1: the plain SAE (any α)
 *   variance  s_i = Var(x_p,i) over training samples (the paper's proxy for synthetic
 *             and LLM data). α > 0 up-weights high-variance dims; on the polygon
 *             geometry those are the *polysemantic* ones, hence α < 0 is also swept.
 *   oracle    synthetic only: γ from the known W_p that minimises the Theorem 5 gap
 *             matrix ‖W_pᵀΓ²W_p − I‖_F (theory/gamma.ts); α does not apply.
 *   semantic  s_i = semantic consistency of input dim i (labelled data; real-data artifacts).
 */
import { UserError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";
import { normalizeGamma, oracleGamma } from "../theory/index.ts";

export type Proxy = "uniform" | "variance" | "oracle" | "semantic";
export const PROXIES: Proxy[] = ["uniform", "variance", "oracle", "semantic"];

/** Population variance of each column of X (N × d), in float64. */
export function columnVariance(X: Mat<Float32Array | Float64Array>): Float64Array {
  const { rows: N, cols: d, data } = X;
  const mean = new Float64Array(d), m2 = new Float64Array(d);
  for (let r = 0; r < N; r++)
    for (let i = 0; i < d; i++) {
      // Welford: stable for dims with a large mean
      const v = data[r * d + i]!;
      const delta = v - mean[i]!;
      mean[i]! += delta / (r + 1);
      m2[i]! += delta * (v - mean[i]!);
    }
  return m2.map((x) => x / N);
}

/** γ = s^α rescaled to mean γ² = 1. Non-positive scores get the smallest positive score (α < 0 needs it). */
export function gammaFromScores(s: ArrayLike<number>, alpha: number): Float64Array {
  if (!Number.isFinite(alpha)) throw new UserError(`alpha must be a finite number (got ${alpha})`);
  let minPos = Infinity;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!Number.isFinite(v)) throw new UserError(`monosemanticity score ${i} is ${v}`);
    if (v > 0) minPos = Math.min(minPos, v);
  }
  if (minPos === Infinity) throw new UserError("every monosemanticity score is zero: no weights can be formed");
  return normalizeGamma(Array.from({ length: s.length }, (_, i) => Math.pow(Math.max(s[i]!, minPos), alpha)));
}

/** γ² as the trainer takes it (null for the plain SAE, so both share one code path). */
export function gamma2Of(gamma: Float64Array | null): Float32Array | null {
  return gamma ? Float32Array.from(gamma, (g) => g * g) : null;
}

export function weightsFor(
  proxy: Proxy, alpha: number, ctx: { xpSample?: Mat<Float32Array | Float64Array>; Wp?: Mat<Float32Array | Float64Array>; semantic?: ArrayLike<number> },
): Float64Array | null {
  switch (proxy) {
    case "uniform":
      return null;
    case "variance":
      if (!ctx.xpSample) throw new UserError("the variance proxy needs training samples of x_p");
      return gammaFromScores(columnVariance(ctx.xpSample), alpha);
    case "oracle":
      if (!ctx.Wp) throw new UserError("the oracle proxy needs the true W_p (synthetic data only)");
      return oracleGamma(ctx.Wp).gamma;
    case "semantic":
      if (!ctx.semantic) throw new UserError("the semantic proxy needs labelled data");
      return gammaFromScores(ctx.semantic, alpha);
  }
}
