/**
 * Seeded generators for the superposition matrix W_p (n_p × n, columns = features).
 *
 * polygon  The theory's setting: each feature lives in its own small group — a
 *          1-D monosemantic dim, a digon (two antipodal features on one dim), or a
 *          regular m-gon in its own 2-D plane — and the group sizes differ, so the
 *          input dims differ in how polysemantic they are.
 * gaussian Random unit-norm columns: no structure, interference of both signs.
 * tms      The W of an Elhage-style toy model ReLU(WᵀWx + b) trained at the same S
 *          (see tms.ts): what the paper's "data follow the toy model" suggests.
 * npi      Non-positive interference, the premise of Theorems 1–2: digons, triangles
 *          and squares only. In R^{n_p} at most 2·n_p vectors have pairwise
 *          non-positive inner products, so it needs n ≤ 2·n_p.
 */
import { mat64, type Mat } from "../util/mat.ts";
import type { Rng } from "../util/rng.ts";
import { UserError } from "../util/errors.ts";

export type GeneratorName = "polygon" | "tms" | "gaussian" | "npi";
export const GENERATORS: GeneratorName[] = ["polygon", "tms", "gaussian", "npi"];

/** One group of features sharing a subspace: dims it uses and how many features. */
export type Group = { kind: "mono" | "digon" | "polygon"; dims: number[]; size: number };

/**
 * Group layout of the npi generator: a quarter of the dims (P = ⌊n_p/4⌋ planes) hold
 * squares, the other dims digons — 2·n_p features, every dim carrying two. For fewer
 * features, squares become triangles and digons become single features, alternately
 * (one feature less each), so the dims differ in how polysemantic they are (at
 * n = 2·n_p every dim has the same variance and the variance proxy is uniform).
 * Triangles interfere at −1/2, squares at 0 and −1, digons at −1: never positively.
 */
export function npiGroups(n: number, np: number): Group[] {
  if (np < 2) throw new UserError(`the npi generator needs n_p >= 2 (got ${np})`);
  const P = Math.floor(np / 4), D = np - 2 * P;
  const lo = Math.max(np + P, np + 1), hi = 2 * np;
  if (n < lo || n > hi)
    throw new UserError(`the npi generator needs ${lo} <= n <= 2·n_p = ${hi} for n_p = ${np} (got n=${n}): at most 2·n_p features can interfere non-positively`);
  let deficit = hi - n, tri = 0, mono = 0;
  for (let t = 0; deficit > 0; t++) {
    if ((t % 2 === 0 || mono >= D) && tri < P) tri++;
    else mono++;
    deficit--;
  }
  const groups: Group[] = [];
  let dim = 0;
  for (let i = 0; i < D; i++) groups.push(i < mono ? { kind: "mono", dims: [dim++], size: 1 } : { kind: "digon", dims: [dim++], size: 2 });
  for (let i = 0; i < P; i++, dim += 2) groups.push({ kind: "polygon", dims: [dim, dim + 1], size: i < tri ? 3 : 4 });
  return groups;
}

/**
 * Group layout for n features in n_p dims: a tenth of the dims (at least one) hold
 * one feature each, another tenth hold digons, the rest are paired into planes whose
 * polygon sizes grow geometrically (ratio 1.5, each ≥ 3) so that they differ.
 * Example at the paper's n = 200, n_p = 20: 2 mono dims, 2 digon dims, 8 planes with
 * 6, 8, 11, 15, 21, 29, 42, 62 features (largest-remainder rounding; 194 in all).
 */
export function polygonGroups(n: number, np: number): Group[] {
  if (np < 4) throw new UserError(`the polygon generator needs n_p >= 4 (got ${np})`);
  if (n <= np) throw new UserError(`superposition needs n > n_p (got n=${n}, n_p=${np})`);
  const k = Math.max(1, Math.floor(np / 10));
  const groups: Group[] = [];
  let dim = 0;
  for (let i = 0; i < k; i++) groups.push({ kind: "mono", dims: [dim++], size: 1 });
  for (let i = 0; i < k; i++) groups.push({ kind: "digon", dims: [dim++], size: 2 });
  let planes = Math.floor((np - dim) / 2);
  if ((np - dim) % 2 === 1) groups.push({ kind: "mono", dims: [np - 1], size: 1 });
  const used = groups.reduce((s, g) => s + g.size, 0);
  let F = n - used;
  if (F < 0) throw new UserError(`the polygon generator needs n >= ${used} for n_p = ${np} (got n=${n})`);
  planes = Math.min(planes, Math.floor(F / 3));
  if (planes === 0) {
    if (F > 0) throw new UserError(`the polygon generator cannot place ${F} more features in n_p = ${np} dims; raise n_p or n`);
    return groups;
  }
  const w = Array.from({ length: planes }, (_, i) => Math.pow(1.5, i));
  const wsum = w.reduce((a, b) => a + b, 0);
  const extra = F - 3 * planes;
  const raw = w.map((x) => (x / wsum) * extra);
  const sizes = raw.map((x) => 3 + Math.floor(x));
  let left = F - sizes.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let t = 0; left > 0; t++, left--) sizes[order[t % planes]![1]]! += 1;
  for (let p = 0; p < planes; p++) {
    groups.push({ kind: "polygon", dims: [dim, dim + 1], size: sizes[p]! });
    dim += 2;
  }
  return groups;
}

export function polygonWp(n: number, np: number, rng: Rng): { Wp: Mat<Float64Array>; groups: Group[] } {
  const groups = polygonGroups(n, np);
  return { Wp: placeGroups(groups, n, np, rng), groups };
}

/** The npi W_p: digons, triangles and squares (random phase per plane), unit columns. */
export function npiWp(n: number, np: number, rng: Rng): { Wp: Mat<Float64Array>; groups: Group[] } {
  const groups = npiGroups(n, np);
  return { Wp: placeGroups(groups, n, np, rng), groups };
}

/** Features of each group placed in its dims: ±1 on a digon's dim, a regular polygon (random phase) in a plane. */
function placeGroups(groups: Group[], n: number, np: number, rng: Rng): Mat<Float64Array> {
  const Wp = mat64(np, n);
  let f = 0;
  for (const g of groups) {
    if (g.kind === "mono") Wp.data[g.dims[0]! * n + f++] = 1;
    else if (g.kind === "digon") {
      Wp.data[g.dims[0]! * n + f++] = 1;
      Wp.data[g.dims[0]! * n + f++] = -1;
    } else {
      const phase = rng.uniform() * 2 * Math.PI;
      for (let t = 0; t < g.size; t++) {
        const th = phase + (2 * Math.PI * t) / g.size;
        Wp.data[g.dims[0]! * n + f] = Math.cos(th);
        Wp.data[g.dims[1]! * n + f] = Math.sin(th);
        f++;
      }
    }
  }
  return Wp;
}

export function gaussianWp(n: number, np: number, rng: Rng): Mat<Float64Array> {
  if (n <= np) throw new UserError(`superposition needs n > n_p (got n=${n}, n_p=${np})`);
  const Wp = mat64(np, n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < np; i++) {
      const v = rng.normal();
      Wp.data[i * n + j] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < np; i++) Wp.data[i * n + j]! *= inv;
  }
  return Wp;
}
