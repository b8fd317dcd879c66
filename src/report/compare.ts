/**
 * `wsae verify`'s comparison of a fresh tree with the committed one: every CSV row by
 * row (aligned by the artifact's key columns), every number within the tolerance of
 * its class, every text cell equal, and every claim's verdict unchanged.
 *
 * Tolerances (also in docs/method.md, "Verifying a run"). A number is compared as
 * |a − b| ≤ abs + rel·max(|a|, |b|), with the class of its row and column:
 *  - exact: no training — closed forms, worked examples, the Theorem 4/5 identities,
 *    the Theorem 2 curve, the reference rows (zero predictor, closed form). float64 on
 *    the same seeded samples, so only last-bit differences (another backend, another
 *    summation order) may move them.
 *  - trained: a continuous metric of a trained SAE (L_SAE, explained variance, L0,
 *    per-dim variance, cosines, the training loss, γ range). A float32 training whose
 *    summation order differs between backends follows a slightly different trajectory.
 *  - count: integer counts over latents (dead, responding): one latent crossing a
 *    threshold moves them by one.
 *  - noisy: metrics that hinge on a discrete choice inside a trained model and are the
 *    noisiest across seeds: L_GT (it depends on the Hungarian assignment), the
 *    activated-features count (threshold τ), fig1's trained rows (which zero-loss
 *    minimiser training lands on) and its heatmaps of trained SAEs.
 * Claims are the real check: a verdict that changes is always reported.
 */
import type { Artifact, Row, TolClass } from "../experiments/types.ts";
import type { Tree } from "./tree.ts";

export type Tol = { abs: number; rel: number };
export type { TolClass };

export const TOLERANCE: Record<TolClass, Tol> = {
  exact: { abs: 1e-9, rel: 1e-6 },
  trained: { abs: 1e-3, rel: 0.05 },
  count: { abs: 2, rel: 0.1 },
  noisy: { abs: 0.05, rel: 0.25 },
};

const COUNT_COLUMNS = new Set(["dead_latents", "responding_latents"]);
const NOISY_COLUMNS = new Set(["l_gt", "l_gt_nonsparse", "avg_activated_features"]);

/** The default class: reference rows (no training) exact, then by column. Artifacts override it with tree.tolerance. */
export function tolClass(column: string, r: Row): TolClass {
  if (r.method === "reference") return "exact";
  if (COUNT_COLUMNS.has(column)) return "count";
  if (NOISY_COLUMNS.has(column)) return "noisy";
  return "trained";
}

type ClassOf = (table: string, column: string, r: Row) => TolClass;

export const within = (a: number, b: number, t: Tol): boolean => Math.abs(a - b) <= t.abs + t.rel * Math.max(Math.abs(a), Math.abs(b));

const keyOf = (r: Row, key: string[]) => key.map((k) => `${k}=${String(r[k] ?? "")}`).join(", ");

/** Differences of one CSV, as lines a reader can act on. */
export function compareTable(table: string, committed: Row[], fresh: Row[], key: string[], classOf: ClassOf = (_t, c, r) => tolClass(c, r)): string[] {
  const out: string[] = [];
  const cols = (rows: Row[]) => new Set(rows.flatMap((r) => Object.keys(r)));
  const cc = cols(committed), fc = cols(fresh);
  for (const c of cc) if (!fc.has(c)) out.push(`${table}.csv: column ${c} is gone`);
  for (const c of fc) if (!cc.has(c)) out.push(`${table}.csv: new column ${c}`);
  const index = (rows: Row[]) => new Map(rows.map((r, i) => [key.length ? keyOf(r, key) : `row ${i + 1}`, r]));
  const ci = index(committed), fi = index(fresh);
  for (const k of ci.keys()) if (!fi.has(k)) out.push(`${table}.csv: row ${k} is gone`);
  for (const k of fi.keys()) if (!ci.has(k)) out.push(`${table}.csv: new row ${k}`);
  for (const [k, a] of ci) {
    const b = fi.get(k);
    if (!b) continue;
    for (const c of cc) {
      if (!fc.has(c) || key.includes(c)) continue;
      const x = a[c], y = b[c];
      if (typeof x === "number" && typeof y === "number") {
        const cls = classOf(table, c, a), t = TOLERANCE[cls];
        if (!within(x, y, t)) out.push(`${table}.csv [${k}] ${c}: ${x} → ${y} (|Δ| ${Math.abs(x - y).toPrecision(3)} > ${cls} tolerance ${t.abs} + ${t.rel}·max)`);
      } else if (String(x ?? "") !== String(y ?? "")) out.push(`${table}.csv [${k}] ${c}: '${String(x ?? "")}' → '${String(y ?? "")}'`);
    }
  }
  return out;
}

/** Everything that moved between the committed tree and a fresh one; [] when within tolerance. */
export function compareTrees<C extends object>(a: Artifact<C>, committed: Tree, fresh: Tree): string[] {
  const out: string[] = [];
  const classOf: ClassOf = (t, c, r) => a.tree?.tolerance?.(t, c, r) ?? tolClass(c, r);
  out.push(...compareTable("data", committed.out.rows, fresh.out.rows, a.tree?.key ?? [], classOf));
  const names = new Set([...Object.keys(committed.out.extra ?? {}), ...Object.keys(fresh.out.extra ?? {})]);
  for (const n of [...names].sort()) {
    const x = committed.out.extra?.[n], y = fresh.out.extra?.[n];
    if (!x || !y) {
      out.push(`${n}.csv: ${x ? "missing from the fresh tree" : "not in the committed tree"}`);
      continue;
    }
    out.push(...compareTable(n, x, y, a.tree?.extra?.[n]?.key ?? [], classOf));
  }
  out.push(...compareClaims(committed.manifest.claims, fresh.manifest.claims));
  return out;
}

export function compareClaims(committed: { id: string; verdict: string }[], fresh: { id: string; verdict: string }[]): string[] {
  const out: string[] = [];
  const f = new Map(fresh.map((c) => [c.id, c.verdict]));
  const c0 = new Map(committed.map((c) => [c.id, c.verdict]));
  for (const [id, v] of c0) {
    if (!f.has(id)) out.push(`claim '${id}' is gone (was ${v})`);
    else if (f.get(id) !== v) out.push(`claim '${id}': ${v} → ${f.get(id)}`);
  }
  for (const [id, v] of f) if (!c0.has(id)) out.push(`new claim '${id}' (${v})`);
  return out;
}
