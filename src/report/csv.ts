import { stringify } from "csv-stringify/sync";
import type { Row } from "../experiments/types.ts";

/** Tidy CSV: header = union of keys in first-seen order; numbers as JS prints them. */
export function toCsv(rows: Row[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return stringify(rows.map((r) => cols.map((c) => (r[c] === undefined ? "" : r[c]))), {
    header: true,
    columns: cols,
    cast: { boolean: (v) => String(v) },
  });
}
