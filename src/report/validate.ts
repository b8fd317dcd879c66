/**
 * Is a results tree read back the tree its manifest says it is? Checked against the
 * artifact's declarations only (its columns, `tree.key`, `tree.expected`, `tree.extra`,
 * `tree.aux`), so every artifact that declares them is covered without code here:
 *  - the manifest's config passes the artifact's own validate(), its seeds are sane;
 *  - each CSV has exactly the declared columns, at least one row, no NaN/Inf cell,
 *    values of the declared kind and range, no two rows with the same key;
 *  - the rows are exactly those the config and seeds imply (no missing, no extra);
 *  - the files the summary and figure need (extra CSVs, aux.json) exist, and a CSV
 *    written only for some configs (`when`) is absent for the others;
 *  - whatever the artifact's own `tree.check` adds (a derived file agrees with data.csv).
 * The first problem found is thrown as one UserError line naming the file.
 */
import { join } from "node:path";
import type { Artifact, Column, Row, TableSpec } from "../experiments/types.ts";
import { UserError } from "../util/errors.ts";
import { shown, type Tree } from "./tree.ts";

const NONFINITE = /^[+-]?(nan|inf|infinity)$/i;

function cellProblem(c: Column, v: Row[string]): string | null {
  if (v === "" || v === undefined) return c.optional || !c.kind ? null : "is empty";
  if (typeof v === "string" && NONFINITE.test(v.trim())) return `is ${v} (NaN/Inf not allowed)`;
  if (!c.kind) return null;
  if (c.kind === "bool") return typeof v === "boolean" ? null : `is '${v}', not true/false`;
  if (c.kind === "str") return typeof v === "string" || typeof v === "number" ? null : `is '${v}', not text`;
  if (typeof v !== "number") return `is '${v}', not a number`;
  if (c.kind === "int" && !Number.isInteger(v)) return `is ${v}, not an integer`;
  if (c.min !== undefined && v < c.min) return `is ${v}, below ${c.min}`;
  if (c.max !== undefined && v > c.max) return `is ${v}, above ${c.max}`;
  return null;
}

const keyOf = (r: Row, key: string[]) => key.map((k) => String(r[k] ?? "")).join(" · ");

/** One CSV against its spec; `file` names it in the error. */
export function checkTable<C>(file: string, rows: Row[], spec: TableSpec<C>, config: C, seeds: number[]): void {
  const bad = (what: string) => new UserError(`${file}: ${what}`);
  if (!rows.length) throw bad("no data rows");
  const declared = spec.columns.map((c) => c.name);
  const present = new Set(rows.flatMap((r) => Object.keys(r)));
  const missing = declared.filter((c) => !present.has(c));
  if (missing.length) throw bad(`column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} missing`);
  const unknown = [...present].filter((c) => !declared.includes(c));
  if (unknown.length) throw bad(`unknown column${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`);
  rows.forEach((r, i) => {
    for (const c of spec.columns) {
      const p = cellProblem(c, r[c.name]!);
      if (p) throw bad(`row ${i + 1}, column ${c.name} ${p}`);
    }
  });
  if (!spec.key.length) return;
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    const k = keyOf(r, spec.key);
    if (seen.has(k)) throw bad(`rows ${seen.get(k)! + 1} and ${i + 1} are duplicates (${spec.key.join(", ")} = ${k})`);
    seen.set(k, i);
  });
  if (!spec.expected) return;
  const want = new Set(spec.expected(config, seeds).map((r) => keyOf(r, spec.key)));
  const extra = [...seen.keys()].filter((k) => !want.has(k));
  if (extra.length) throw bad(`${extra.length} row(s) not implied by the manifest's config and seeds, e.g. ${spec.key.join(", ")} = ${extra[0]}`);
  const absent = [...want].filter((k) => !seen.has(k));
  if (absent.length) throw bad(`${absent.length} row(s) missing that the manifest's config and seeds imply, e.g. ${spec.key.join(", ")} = ${absent[0]}`);
}

/** The whole tree; throws a one-line UserError at the first problem. */
export function validateTree<C extends object>(a: Artifact<C>, t: Tree): void {
  const where = (f: string) => shown(join(t.dir, f));
  const m = t.manifest;
  if (m.artifact !== a.id) throw new UserError(`${where("manifest.json")}: is a tree of ${m.artifact}, not ${a.id}`);
  try {
    a.validate(m.config as C);
  } catch (e) {
    const msg = e instanceof UserError ? e.message : `config is incomplete or malformed (${(e as Error).message})`;
    throw new UserError(`${where("manifest.json")}: ${msg}`);
  }
  const config = m.config as C;
  const tree = a.tree;
  checkTable(where("data.csv"), t.out.rows, { columns: a.columns, key: tree?.key ?? [], expected: tree?.key.length ? tree.expected : undefined }, config, m.seeds);
  for (const [name, spec] of Object.entries(tree?.extra ?? {})) {
    const rows = t.out.extra?.[name];
    if (spec.when && !spec.when(config)) {
      if (rows) throw new UserError(`${where(`${name}.csv`)}: ${a.id} writes no ${name}.csv with the manifest's config`);
      continue;
    }
    if (!rows) throw new UserError(`${where(`${name}.csv`)}: missing (${a.id} writes it; the summary needs it)`);
    checkTable(where(`${name}.csv`), rows, spec, config, m.seeds);
  }
  if (tree?.aux && t.out.aux === undefined) throw new UserError(`${where("aux.json")}: missing (${a.id} writes it; the summary needs it)`);
  const p = tree?.check?.(config, t.out);
  if (p) throw new UserError(`${where(p.file)}: ${p.problem}`);
}
