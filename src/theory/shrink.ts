/**
 * Feature shrinking and vanishing, the consequences of Theorem 1: the closed form
 * recovers x_m = σ(W_pᵀW_p x), so a feature sharing a dim with others comes back
 * smaller (negative interference subtracts) or exactly 0.
 */
import { UserError } from "../util/errors.ts";
import { type AnyMat, recoverBatch, recoverFeatures, sampleX } from "./core.ts";

export type FeatureOutcome = {
  index: number;
  value: number;
  recovered: number;
  /** recovered / value; null where the feature is off (value 0). */
  ratio: number | null;
  /** on in x, exactly 0 in x_m. */
  vanished: boolean;
  /** off in x, > 0 in x_m (possible only with positive interference). */
  spurious: boolean;
};

export type OneSampleShrink = {
  features: FeatureOutcome[];
  /** argmax of x and of x_m (first index on ties): shrinking can reorder them. */
  top1True: number;
  top1Recovered: number;
};

function argmax(v: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[k]!) k = i;
  return k;
}

/** Per-feature outcome for one x. */
export function shrinkOne(Wp: AnyMat, x: ArrayLike<number>): OneSampleShrink {
  const xm = recoverFeatures(Wp, x);
  const features = Array.from(xm, (rec, i): FeatureOutcome => {
    const v = x[i]!;
    return { index: i, value: v, recovered: rec, ratio: v !== 0 ? rec / v : null, vanished: v > 0 && rec === 0, spurious: v === 0 && rec > 0 };
  });
  return { features, top1True: argmax(x), top1Recovered: argmax(xm) };
}

export type FeatureShrinkStats = {
  index: number;
  /** share of samples with x_i > 0 (≈ 1 − S). */
  pActive: number;
  /** E[x_i | x_i > 0] and E[x_m,i | x_i > 0]. */
  meanTrue: number;
  meanRecovered: number;
  /** E[x_m,i]/E[x_i] over samples with x_i > 0; null if never active. */
  shrink: number | null;
  /** P(x_m,i = 0 | x_i > 0); null if never active. */
  pVanish: number | null;
  /** P(x_m,i > 0 | x_i = 0); null if never off. */
  pSpurious: number | null;
};

export type ShrinkSummary = {
  S: number;
  samples: number;
  seed: number;
  features: FeatureShrinkStats[];
  totals: {
    /** mean of the per-feature shrink factors (features ever active). */
    meanShrink: number | null;
    minShrink: number | null;
    minShrinkFeature: number | null;
    /** pooled over all (sample, active feature) pairs. */
    pVanish: number | null;
    pSpurious: number | null;
    /** features with shrink < 1 − 1e-9, and with pVanish > 0. */
    featuresShrunk: number;
    featuresVanishing: number;
  };
};

/** Monte Carlo per-feature shrinking/vanishing under the data model at sparsity S. */
export function shrinkStats(Wp: AnyMat, S: number, N: number, seed: number): ShrinkSummary {
  if (!Number.isInteger(N) || N < 1) throw new UserError(`samples must be a positive integer, got ${N}`);
  const n = Wp.cols;
  const X = sampleX(n, S, N, seed);
  const XM = recoverBatch(Wp, X);
  const on = new Float64Array(n), sumX = new Float64Array(n), sumM = new Float64Array(n);
  const van = new Float64Array(n), spur = new Float64Array(n);
  for (let s = 0; s < N; s++)
    for (let i = 0; i < n; i++) {
      const v = X.data[s * n + i]!, m = XM.data[s * n + i]!;
      if (v > 0) {
        on[i]!++;
        sumX[i]! += v;
        sumM[i]! += m;
        if (m === 0) van[i]!++;
      } else if (m > 0) spur[i]!++;
    }
  const features = Array.from({ length: n }, (_, i): FeatureShrinkStats => {
    const a = on[i]!, off = N - a;
    return {
      index: i,
      pActive: a / N,
      meanTrue: a ? sumX[i]! / a : 0,
      meanRecovered: a ? sumM[i]! / a : 0,
      shrink: a ? sumM[i]! / sumX[i]! : null,
      pVanish: a ? van[i]! / a : null,
      pSpurious: off ? spur[i]! / off : null,
    };
  });
  const act = features.filter((f) => f.shrink !== null);
  let minF: FeatureShrinkStats | null = null;
  for (const f of act) if (minF === null || f.shrink! < minF.shrink!) minF = f;
  const totOn = on.reduce((a, b) => a + b, 0), totOff = N * n - totOn;
  return {
    S, samples: N, seed, features,
    totals: {
      meanShrink: act.length ? act.reduce((a, f) => a + f.shrink!, 0) / act.length : null,
      minShrink: minF ? minF.shrink : null,
      minShrinkFeature: minF ? minF.index : null,
      pVanish: totOn ? van.reduce((a, b) => a + b, 0) / totOn : null,
      pSpurious: totOff ? spur.reduce((a, b) => a + b, 0) / totOff : null,
      featuresShrunk: act.filter((f) => f.shrink! < 1 - 1e-9).length,
      featuresVanishing: act.filter((f) => f.pVanish! > 0).length,
    },
  };
}
