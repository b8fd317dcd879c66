import type { Row } from "./types.ts";

/**
 * Mean over seeds; NaN when any value is not finite (or there is none), so a seed
 * that failed is never silently dropped while the text still says "over 3 seeds".
 */
export function mean(xs: number[]): number {
  if (!xs.length || !xs.every((x) => Number.isFinite(x))) return NaN;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value; NaN when any value is not finite. */
export function std(xs: number[]): number {
  if (!xs.every((x) => Number.isFinite(x))) return NaN;
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Values that are not finite, as "k of n" for a table cell ("" when all are). */
export function nonFinite(xs: number[]): string {
  const k = xs.filter((x) => !Number.isFinite(x)).length;
  return k ? `${k} of ${xs.length} not finite` : "";
}

/** Group rows by the listed keys, keeping first-seen order. */
export function groupBy(rows: Row[], keys: string[]): { key: Row; rows: Row[] }[] {
  const out = new Map<string, { key: Row; rows: Row[] }>();
  for (const r of rows) {
    const k = keys.map((x) => String(r[x])).join("\u0000");
    let g = out.get(k);
    if (!g) {
      g = { key: Object.fromEntries(keys.map((x) => [x, r[x]!])), rows: [] };
      out.set(k, g);
    }
    g.rows.push(r);
  }
  return [...out.values()];
}

/** A numeric column; an empty or missing cell is NaN (Number("") would be 0). */
export const col = (rows: Row[], name: string): number[] => rows.map((r) => (r[name] === "" || r[name] === undefined ? NaN : Number(r[name])));

/** pm of a column, "—" where the column does not apply to these rows (every cell empty). */
export function pmCol(rows: Row[], name: string, digits = 3): string {
  return rows.every((r) => r[name] === "" || r[name] === undefined) ? "—" : pm(col(rows, name), digits);
}

/** "m ± s" with a sensible number of digits. */
export function pm(xs: number[], digits = 3): string {
  const m = mean(xs), s = std(xs);
  if (!Number.isFinite(m)) return xs.length ? `n/a (${nonFinite(xs)})` : "n/a";
  return xs.length > 1 ? `${fmt(m, digits)} ± ${fmt(s, digits)}` : fmt(m, digits);
}

export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return "n/a";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1000 || a < 1e-3) return x.toExponential(2);
  return x.toPrecision(digits).replace(/\.?0+$/, (m) => (m.includes(".") ? "" : m));
}

/** Spearman rank correlation (ties get average ranks). */
export function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]) => {
    const idx = v.map((val, i) => [val, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
      for (let k = i; k <= j; k++) r[idx[k]![1]] = (i + j) / 2 + 1;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x), ry = rank(y);
  const mx = mean(rx), my = mean(ry);
  let num = 0, dx = 0, dy = 0;
  for (let i = 0; i < x.length; i++) {
    num += (rx[i]! - mx) * (ry[i]! - my);
    dx += (rx[i]! - mx) ** 2;
    dy += (ry[i]! - my) ** 2;
  }
  return dx && dy ? num / Math.sqrt(dx * dy) : NaN;
}
