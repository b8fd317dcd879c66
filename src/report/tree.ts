/**
 * A results tree on disk: writing it (rows → CSVs, figure, summary.md, manifest.json in
 * one atomic swap) and reading it back (--from-results, `wsae report`, `wsae verify`,
 * table3's reuse of fig3) with the one Manifest type, the repair an interrupted write
 * needs, and a one-line UserError for anything malformed. Checking the rows against the
 * artifact is report/validate.ts.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Artifact, Output, Row } from "../experiments/types.ts";
import { UserError } from "../util/errors.ts";
import type { GitState } from "../util/git.ts";
import { fromCsv, toCsv } from "./csv.ts";
import { renderSvg, svgToPng } from "./figure.ts";
import { resultCommand, summaryMd } from "./summary.ts";
import { recoverInterrupted, writeTreeAtomic, type Files } from "./write.ts";

/** manifest.json of a results tree (written by cli/run.ts). */
export type Manifest = {
  artifact: string;
  title?: string;
  command: string;
  preset: string;
  overrides?: string[];
  config: Record<string, unknown>;
  seeds: number[];
  backend: { name: string; mode: string };
  tool?: { name: string; version: string };
  /** the code at the start of the run; null outside git */
  git: GitState | null;
  git_changed_during_run?: boolean;
  node?: string;
  platform?: { os: string; cpu: string; cores: number };
  started?: string;
  ended: string;
  wall_s: Record<string, number>;
  claims: { id: string; verdict: string; evidence?: string }[];
  reused?: string[];
  files?: string[];
  /** set by --from-results: summary and figure re-rendered from the CSVs, by this code */
  rerendered?: { at: string; git: GitState | null; tool: string };
};

export type Tree = { dir: string; manifest: Manifest; out: Output };

/** A path as the user should read it: relative to the current folder when inside it. */
export const shown = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Check the fields every reader relies on; the first problem is the error. */
export function checkManifest(m: unknown, where: string): Manifest {
  const bad = (what: string) => new UserError(`${where}: ${what}`);
  if (!isObj(m)) throw bad(`not a manifest (expected a JSON object, got ${m === null ? "null" : Array.isArray(m) ? "an array" : typeof m})`);
  for (const k of ["artifact", "command", "preset"] as const) if (typeof m[k] !== "string") throw bad(`field '${k}' must be a string`);
  if (!isObj(m.config)) throw bad("field 'config' must be an object");
  const seeds = m.seeds;
  if (!Array.isArray(seeds) || !seeds.length || !seeds.every((s) => Number.isSafeInteger(s) && (s as number) >= 0) || new Set(seeds).size !== seeds.length)
    throw bad("field 'seeds' must be a list of distinct non-negative integers");
  if (!isObj(m.backend) || typeof m.backend.name !== "string" || typeof m.backend.mode !== "string") throw bad("field 'backend' must be {name, mode}");
  if (!Array.isArray(m.claims) || !m.claims.every((c) => isObj(c) && typeof c.id === "string" && typeof c.verdict === "string"))
    throw bad("field 'claims' must be a list of {id, verdict}");
  if (m.git !== null && m.git !== undefined && !(isObj(m.git) && typeof m.git.commit === "string")) throw bad("field 'git' must be null or {commit, …}");
  if (!isObj(m.wall_s ?? {})) throw bad("field 'wall_s' must be an object");
  return { ...m, wall_s: (m.wall_s ?? {}) as Record<string, number>, ended: typeof m.ended === "string" ? m.ended : "", git: (m.git ?? null) as GitState | null } as Manifest;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UserError(`${shown(path)}: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
}

/** Only manifest.json, checked (what `wsae report` needs); null when the tree has none. */
export function readManifest(dir: string): Manifest | null {
  recoverInterrupted(dir);
  const path = join(dir, "manifest.json");
  if (!existsSync(path)) return null;
  return checkManifest(readJson(path), shown(path));
}

/**
 * The tree in `dir`: manifest, data.csv, every other CSV by name, aux.json.
 * Repairs an interrupted swap first (as a run does). null when there is no manifest;
 * a UserError naming the file for anything unreadable.
 */
export function readTree(dir: string): Tree | null {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UserError(`${shown(dir)}: not a folder`);
  const manifest = readManifest(dir);
  if (!manifest) return null;
  const csv = (name: string): Row[] => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new UserError(`${shown(path)}: missing (the manifest is there, so the tree is incomplete)`);
    try {
      return fromCsv(readFileSync(path, "utf8"));
    } catch (e) {
      throw new UserError(`${shown(path)}: not a readable CSV (${(e as Error).message.split("\n")[0]})`);
    }
  };
  const extra: Record<string, Row[]> = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".csv") && f !== "data.csv").sort()) extra[f.slice(0, -4)] = csv(f);
  const auxPath = join(dir, "aux.json");
  const aux = existsSync(auxPath) ? readJson(auxPath) : undefined;
  if (aux !== undefined && !isObj(aux)) throw new UserError(`${shown(auxPath)}: expected a JSON object`);
  const out: Output = {
    rows: csv("data.csv"),
    extra: Object.keys(extra).length ? extra : undefined,
    aux,
    reused: Array.isArray(manifest.reused) ? manifest.reused.map(String) : [],
  };
  return { dir, manifest, out };
}

/** Rows → data.csv, extra CSVs, aux.json, figure, summary.md, manifest.json; one atomic swap. */
export async function writeResults<C extends object>(
  a: Artifact<C>, dir: string, config: C, out: Output, manifest: Omit<Manifest, "claims">,
  stage: <T>(name: string, f: () => Promise<T>) => Promise<T>, finish: () => void,
): Promise<void> {
  const claims = a.claims(config, out);
  const files: Files = { "data.csv": toCsv(out.rows) };
  for (const [name, rows] of Object.entries(out.extra ?? {})) files[`${name}.csv`] = toCsv(rows);
  if (out.aux) files["aux.json"] = JSON.stringify(out.aux, null, 1) + "\n";
  const spec = a.plot?.(config, out) ?? null;
  if (spec) {
    const svg = await stage("figure", () => renderSvg(spec));
    files["figure.svg"] = svg;
    // a wide figure (the crossed robustness map) asks for a wider PNG, so its text stays legible
    const width = (spec as { usermeta?: { pngWidth?: number } }).usermeta?.pngWidth;
    files["figure.png"] = await svgToPng(svg, width);
    files["figure.vl.json"] = JSON.stringify(spec, null, 2) + "\n";
  }
  files["summary.md"] = summaryMd(a, config, out, claims, {
    cmd: resultCommand(manifest.command), preset: manifest.preset, seeds: manifest.seeds, backend: `${manifest.backend.name} (${manifest.backend.mode})`,
  });
  finish();
  files["manifest.json"] = JSON.stringify(
    { ...manifest, claims: claims.map((c) => ({ id: c.id, verdict: c.verdict, evidence: c.evidence })), reused: out.reused ?? [], files: [...Object.keys(files), "manifest.json"].sort() },
    null, 2,
  ) + "\n";
  writeTreeAtomic(dir, files);
}
