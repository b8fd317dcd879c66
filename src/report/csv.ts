import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";
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

/** Read back a CSV written by toCsv: numbers and booleans get their types again. */
export function fromCsv(text: string): Row[] {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return records.map((rec) => {
    const row: Row = {};
    for (const [k, v] of Object.entries(rec)) {
      if (v === "true" || v === "false") row[k] = v === "true";
      else if (v !== "" && Number.isFinite(Number(v))) row[k] = Number(v);
      else row[k] = v;
    }
    return row;
  });
}
