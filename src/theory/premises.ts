/**
 * Which of the theorems' premises a given W_p satisfies (docs/method.md §1).
 *
 * Geometry of the groups: features are split into groups living in mutually
 * orthogonal subspaces. A group is
 *   mono     one column (a monosemantic feature),
 *   digon    two antipodal, equal-norm columns on one line,
 *   polygon  m ≥ 3 equal-norm columns in a 2-D plane, spaced 2π/m apart,
 * else "other" (or "zero" for an all-zero column). Only digons (interference −1),
 * triangles (−0.5) and squares (0) have non-positive interference: a pentagon
 * has +0.309 between neighbours, a hexagon +0.5. An axis-aligned square is two
 * orthogonal digons and is reported as such; a rotated one as a 4-gon.
 */
import { type AnyMat, columnGram, type Mat64 } from "./core.ts";

export type Premise = { holds: boolean; reason: string };
export type GroupKind = "mono" | "digon" | "polygon" | "zero" | "other";
export type FeatureGroup = {
  kind: GroupKind;
  /** feature (column) indices, ascending. */
  features: number[];
  size: number;
  /** input dims where some column of the group is non-zero (> tol). */
  dims: number[];
  detail: string;
};
export type PremiseReport = {
  tol: number;
  nonPositiveInterference: Premise;
  digonPolygon: Premise;
  unitNorm: Premise;
  superposition: Premise;
  /** present when n_m was given. */
  enoughLatents?: Premise;
  /** our reading of the theorems' premises: Theorem 1 = digonPolygon ∧ unitNorm (∧ enoughLatents); Theorem 2 = nonPositiveInterference ∧ unitNorm. */
  theorem1: Premise;
  theorem2: Premise;
  groups: FeatureGroup[];
  /** largest off-diagonal column inner product and where. */
  maxInterference: { value: number; i: number; j: number } | null;
};

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

class UnionFind {
  private p: Int32Array;
  constructor(n: number) {
    this.p = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.p[i] !== i) i = this.p[i] = this.p[this.p[i]!]!;
    return i;
  }
  union(a: number, b: number): void {
    this.p[this.find(a)] = this.find(b);
  }
  groups(n: number): number[][] {
    const m = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const r = this.find(i);
      if (!m.has(r)) m.set(r, []);
      m.get(r)!.push(i);
    }
    return [...m.values()];
  }
}

function column(Wp: AnyMat, i: number): Float64Array {
  const v = new Float64Array(Wp.rows);
  for (let d = 0; d < Wp.rows; d++) v[d] = Wp.data[d * Wp.cols + i]!;
  return v;
}
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, k) => s + v * b[k]!, 0);

/** Orthonormal basis of span(cols) by Gram–Schmidt; residuals ≤ tol·scale are dropped. */
function spanBasis(cols: Float64Array[], tol: number): Float64Array[] {
  const scale = Math.max(1e-300, ...cols.map((c) => Math.sqrt(dot(c, c))));
  const basis: Float64Array[] = [];
  for (const c of cols) {
    const r = Float64Array.from(c);
    for (let pass = 0; pass < 2; pass++) // twice: classical GS loses orthogonality once
      for (const b of basis) {
        const p = dot(r, b);
        for (let k = 0; k < r.length; k++) r[k]! -= p * b[k]!;
      }
    const nr = Math.sqrt(dot(r, r));
    if (nr > tol * scale * 10) basis.push(r.map((v) => v / nr));
  }
  return basis;
}

/** Classify one group of columns; returns kind and a short reason. */
function classify(Wp: AnyMat, feats: number[], tol: number): { kind: GroupKind; detail: string } {
  const cols = feats.map((i) => column(Wp, i));
  const norms = cols.map((c) => Math.sqrt(dot(c, c)));
  if (feats.length === 1) return norms[0]! <= tol ? { kind: "zero", detail: "all-zero column" } : { kind: "mono", detail: "alone in its subspace" };
  const maxN = Math.max(...norms), minN = Math.min(...norms);
  const rank = spanBasis(cols, tol).length;
  if (maxN - minN > tol * Math.max(1, maxN)) return { kind: "other", detail: `unequal norms ${fmt(minN)}..${fmt(maxN)} in a group of ${feats.length} spanning ${rank}-D` };
  const m = feats.length;
  if (m === 2) {
    const c = dot(cols[0]!, cols[1]!) / (norms[0]! * norms[1]!);
    return Math.abs(c + 1) <= tol ? { kind: "digon", detail: "two antipodal columns" } : { kind: "other", detail: `two columns at cosine ${fmt(c)}, not antipodal` };
  }
  if (rank !== 2) return { kind: "other", detail: `${m} columns spanning ${rank}-D, not a plane` };
  const [e1, e2] = spanBasis(cols, tol) as [Float64Array, Float64Array];
  const ang = cols.map((c) => Math.atan2(dot(c, e2), dot(c, e1))).sort((a, b) => a - b);
  const step = (2 * Math.PI) / m;
  let worst = 0;
  for (let k = 0; k < m; k++) {
    const gap = k + 1 < m ? ang[k + 1]! - ang[k]! : ang[0]! + 2 * Math.PI - ang[k]!;
    worst = Math.max(worst, Math.abs(gap - step));
  }
  return worst <= Math.max(tol, 1e-12) * 10
    ? { kind: "polygon", detail: `regular ${m}-gon in a plane` }
    : { kind: "other", detail: `${m} columns in a plane but not evenly spaced (angle off by ${fmt(worst)} rad)` };
}

/**
 * Groups: first the finest split into mutually orthogonal sets (link columns with
 * |w_iᵀw_j| > tol); then sets sharing input dims are merged when the merged set is
 * itself a regular polygon (a rotated square is two orthogonal digons on shared dims).
 */
export function featureGroups(Wp: AnyMat, tol = 1e-6, G: Mat64 = columnGram(Wp)): FeatureGroup[] {
  const { rows: np, cols: n } = Wp;
  const fine = new UnionFind(n), coarse = new UnionFind(n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (Math.abs(G.data[i * n + j]!) > tol) {
        fine.union(i, j);
        coarse.union(i, j);
      }
  const owner = new Int32Array(np).fill(-1);
  for (let d = 0; d < np; d++)
    for (let i = 0; i < n; i++)
      if (Math.abs(Wp.data[d * n + i]!) > tol) {
        if (owner[d]! >= 0) coarse.union(owner[d]!, i);
        else owner[d] = i;
      }
  const make = (features: number[], c: { kind: GroupKind; detail: string }): FeatureGroup => {
    const dims: number[] = [];
    for (let d = 0; d < np; d++) if (features.some((i) => Math.abs(Wp.data[d * n + i]!) > tol)) dims.push(d);
    return { ...c, features, size: features.length, dims };
  };
  const fineGroups = fine.groups(n);
  const out: FeatureGroup[] = [];
  for (const g of coarse.groups(n)) {
    const c = classify(Wp, g, tol);
    const root = coarse.find(g[0]!);
    const parts = fineGroups.filter((f) => coarse.find(f[0]!) === root);
    if (c.kind !== "other" || parts.length === 1) out.push(make(g, c));
    else for (const f of parts) out.push(make(f, classify(Wp, f, tol)));
  }
  return out.sort((a, b) => a.features[0]! - b.features[0]!);
}

/** Check the premises on W_p (n_p × n); pass n_m to also check n_m ≥ n. */
export function checkPremises(Wp: AnyMat, tol = 1e-6, nm?: number): PremiseReport {
  const { rows: np, cols: n } = Wp;
  const G = columnGram(Wp);
  let maxI: PremiseReport["maxInterference"] = null;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = G.data[i * n + j]!;
      if (maxI === null || v > maxI.value) maxI = { value: v, i, j };
    }
  const nonPos: Premise = maxI === null
    ? { holds: true, reason: "a single feature: no interference" }
    : maxI.value <= tol
      ? { holds: true, reason: `largest off-diagonal w_i·w_j = ${fmt(maxI.value)} <= ${tol}` }
      : { holds: false, reason: `w_${maxI.i}·w_${maxI.j} = ${fmt(maxI.value)} > 0 (positive interference)` };
  let worst = 0, worstI = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.abs(Math.sqrt(G.data[i * n + i]!) - 1);
    if (e > worst) [worst, worstI] = [e, i];
  }
  const unit: Premise = worst <= tol
    ? { holds: true, reason: "every column has norm 1" }
    : { holds: false, reason: `column ${worstI} has norm ${fmt(Math.sqrt(G.data[worstI * n + worstI]!))}` };
  const groups = featureGroups(Wp, tol, G);
  const bad = groups.filter((g) => g.kind === "other" || g.kind === "zero");
  const count = (k: GroupKind) => groups.filter((g) => g.kind === k).length;
  const sizes = groups.filter((g) => g.kind === "polygon").map((g) => g.size);
  const dp: Premise = bad.length === 0
    ? { holds: true, reason: `${count("mono")} mono, ${count("digon")} digon, ${count("polygon")} polygon group(s)${sizes.length ? ` (sizes ${sizes.join(", ")})` : ""} in orthogonal subspaces` }
    : { holds: false, reason: `${bad.length} group(s) are not digon/polygon, e.g. features ${bad[0]!.features.slice(0, 6).join(",")}${bad[0]!.size > 6 ? ",…" : ""}: ${bad[0]!.detail}` };
  const sup: Premise = n > np
    ? { holds: true, reason: `n = ${n} features > n_p = ${np} dims` }
    : { holds: false, reason: `n = ${n} <= n_p = ${np}: no superposition` };
  const enough: Premise | undefined = nm === undefined ? undefined : nm >= n
    ? { holds: true, reason: `n_m = ${nm} >= n = ${n}` }
    : { holds: false, reason: `n_m = ${nm} < n = ${n}` };
  const all = (ps: (Premise | undefined)[], names: string[]): Premise => {
    const failed = names.filter((_, k) => ps[k] && !ps[k]!.holds);
    return failed.length ? { holds: false, reason: `fails: ${failed.join(", ")}` } : { holds: true, reason: `holds: ${names.filter((_, k) => ps[k]).join(", ")}` };
  };
  return {
    tol, nonPositiveInterference: nonPos, digonPolygon: dp, unitNorm: unit, superposition: sup,
    ...(enough ? { enoughLatents: enough } : {}),
    theorem1: all([dp, unit, enough], ["digonPolygon", "unitNorm", "enoughLatents"]),
    theorem2: all([nonPos, unit], ["nonPositiveInterference", "unitNorm"]),
    groups, maxInterference: maxI,
  };
}
