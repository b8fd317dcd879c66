/**
 * Everything `wsae theory` reports for one W_p, as a plain JSON-able object.
 */
import { UserError } from "../util/errors.ts";
import { toRows } from "../util/mat.ts";
import { type AnyMat, closedForm, sampleX } from "./core.ts";
import { gapDirect, gapFormula } from "./gaps.ts";
import { normalizeGamma, oracleGamma } from "./gamma.ts";
import { checkPremises, type PremiseReport } from "./premises.ts";
import { shrinkStats, type ShrinkSummary } from "./shrink.ts";

export type GammaChoice = "uniform" | "oracle" | { file: string; values: ArrayLike<number> };

export type AnalyseOptions = {
  nm: number;
  S: number;
  gamma: GammaChoice;
  samples: number;
  seed: number;
  tol: number;
};

export type GapReport = {
  gamma: string;
  /** γ actually used (mean γ² = 1). */
  values: number[];
  /** L_WSAE − L_GT from the losses, and E[rᵀ(W_pᵀΓ²W_p − I)r] from the matrix. */
  direct: number;
  formula: number;
  absDiff: number;
  lWsae: number;
  lSae: number;
  lGt: number;
};

export type TheoryReport = {
  n: number;
  np: number;
  nm: number;
  S: number;
  samples: number;
  seed: number;
  closedForm: {
    shape: [number, number];
    /** rows 0..n−1 of W_m* are W_p's columns; the remaining rows are zero. */
    featureRows: number;
    zeroRows: number;
    Wm: number[][];
    /** L_SAE at the closed form (Monte Carlo, Γ = I). */
    lSae: number;
    /** n_m ≥ 2n_p: W_m = [I; −I; 0] reconstructs every x_p, so min L_SAE = 0 (docs/method.md §2). */
    zeroLossSaeExists: boolean;
    /** whether the closed form is then a global minimiser of the penalty-free L_SAE, in words. */
    verdict: string;
  };
  premises: PremiseReport;
  shrink: ShrinkSummary;
  /** group kind of each feature, from premises.groups. */
  featureGroup: string[];
  theorem4: GapReport;
  /** present when Γ is not uniform. */
  theorem5?: GapReport;
  oracle?: { g: number[]; objective: number; objectiveUniform: number; kkt: number };
};

function gapReport(Wp: AnyMat, label: string, gamma: Float64Array | null, X: AnyMat): GapReport {
  const d = gapDirect(Wp, gamma, X);
  const f = gapFormula(Wp, gamma, X);
  return {
    gamma: label, values: gamma ? Array.from(gamma) : new Array<number>(Wp.rows).fill(1),
    direct: d.gap, formula: f, absDiff: Math.abs(d.gap - f), lWsae: d.lWsae, lSae: d.lSae, lGt: d.lGt,
  };
}

/**
 * A tied ReLU SAE with n_m ≥ 2n_p reconstructs any x_p exactly ([I; −I]), so the
 * closed form can be a global minimiser of the penalty-free L_SAE only if its own
 * loss is 0 — true for mono/digon groups, false for triangles and larger polygons
 * at S < 1. The paper's Theorem 1 (wording not known) must be read with that in mind.
 */
function verdict(lSae: number, nm: number, np: number, n: number): string {
  // a rotated square reconstructs exactly up to rounding, hence the tolerance
  if (lSae <= 1e-12 * n) return "reconstructs every sampled x_p exactly (L_SAE = 0 up to rounding): a global minimiser of L_SAE";
  if (nm >= 2 * np)
    return `L_SAE > 0 here, while with n_m = ${nm} >= 2 n_p = ${2 * np} the tied SAE [I; -I; 0] reconstructs every x_p exactly: the closed form is NOT a global minimiser of the penalty-free L_SAE at this S`;
  return `L_SAE > 0 here; with n_m = ${nm} < 2 n_p = ${2 * np} no zero-loss tied SAE is known, so whether the closed form is a minimiser is not settled here`;
}

export function analyseWp(Wp: AnyMat, o: AnalyseOptions): TheoryReport {
  const { rows: np, cols: n } = Wp;
  if (n < 1 || np < 1) throw new UserError(`W_p must have at least one row and column (got ${np}x${n})`);
  if (!(o.S >= 0 && o.S < 1)) throw new UserError(`sparsity must be in [0, 1), got ${o.S}`);
  const Wm = closedForm(Wp, o.nm);
  const premises = checkPremises(Wp, o.tol, o.nm);
  const featureGroup = new Array<string>(n).fill("?");
  for (const g of premises.groups) for (const i of g.features) featureGroup[i] = g.kind === "polygon" ? `${g.size}-gon` : g.kind;
  const X = sampleX(n, o.S, o.samples, o.seed);
  const theorem4 = gapReport(Wp, "uniform", null, X);
  const report: TheoryReport = {
    n, np, nm: o.nm, S: o.S, samples: o.samples, seed: o.seed,
    closedForm: {
      shape: [o.nm, np], featureRows: n, zeroRows: o.nm - n, Wm: toRows(Wm),
      lSae: theorem4.lSae, zeroLossSaeExists: o.nm >= 2 * np, verdict: verdict(theorem4.lSae, o.nm, np, n),
    },
    premises, shrink: shrinkStats(Wp, o.S, o.samples, o.seed), featureGroup, theorem4,
  };
  if (o.gamma === "oracle") {
    const og = oracleGamma(Wp);
    report.oracle = { g: Array.from(og.g), objective: og.objective, objectiveUniform: og.objectiveUniform, kkt: og.kkt };
    report.theorem5 = gapReport(Wp, "oracle", og.gamma, X);
  } else if (o.gamma !== "uniform") {
    if (o.gamma.values.length !== np)
      throw new UserError(`${o.gamma.file}: gamma has ${o.gamma.values.length} entries, W_p has n_p = ${np} rows`);
    report.theorem5 = gapReport(Wp, o.gamma.file, normalizeGamma(o.gamma.values), X);
  }
  return report;
}
