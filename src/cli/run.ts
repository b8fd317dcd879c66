/**
 * Run one artifact end to end: resolve its config, run it, write its results tree
 * (data.csv, summary.md, figure.svg/png, manifest.json) atomically.
 */
import { accessSync, constants as fsc, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import os from "node:os";
import { createBackend } from "../compute/index.ts";
import type { Artifact, ClaimResult, Output, Previous, RunContext } from "../experiments/types.ts";
import { fromCsv, toCsv } from "../report/csv.ts";
import { renderSvg, svgToPng } from "../report/figure.ts";
import { claimsTable, reportedTable } from "../report/summary.ts";
import { writeTreeAtomic, type Files } from "../report/write.ts";
import { gitState } from "../util/git.ts";
import { ROOT } from "../util/root.ts";
import { UserError } from "../util/errors.ts";
import { Progress } from "./progress.ts";
import { executeJobs, parseJobs } from "./pool.ts";

export { ROOT };
export const VERSION: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;

export type CommonOptions = {
  quick?: boolean;
  seeds?: string;
  seed?: string;
  out?: string;
  backend?: string;
  gpujsMode?: string;
  jobs?: string;
  quiet?: boolean;
  fromResults?: boolean;
};

export function resolveSeeds(o: CommonOptions, quick: boolean): number[] {
  const n = o.seeds === undefined ? (quick ? 1 : 3) : Number(o.seeds);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UserError(`--seeds must be an integer in [1, 100] (got '${o.seeds}')`);
  const base = o.seed === undefined ? 0 : Number(o.seed);
  if (!Number.isInteger(base) || base < 0 || base > 2 ** 31 - 1 - n) throw new UserError(`--seed must be a non-negative integer (got '${o.seed}')`);
  return Array.from({ length: n }, (_, i) => base + i);
}

/** Preset, then each artifact flag the user gave, parsed and checked. */
export function resolveConfig<C extends object>(a: Artifact<C>, o: Record<string, unknown>, quick: boolean): { config: C; overrides: string[] } {
  const config = structuredClone(quick ? a.presets.quick : a.presets.full) as Record<string, unknown>;
  const overrides: string[] = [];
  for (const spec of a.options) {
    const attr = camel(spec.flags);
    const raw = o[attr];
    if (raw === undefined) continue;
    config[spec.key] = spec.parse(String(raw));
    overrides.push(spec.flags.split(" ")[0]!);
  }
  a.validate(config as C);
  return { config: config as C, overrides };
}

/** commander's attribute name for "--eval-samples <int>" is evalSamples. */
export function camel(flags: string): string {
  const long = flags.split(/[ ,]+/).find((f) => f.startsWith("--"))!.slice(2);
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export async function runArtifact<C extends object>(a: Artifact<C>, o: CommonOptions & Record<string, unknown>, argv: string[]): Promise<string> {
  const quick = Boolean(o.quick);
  const outRoot = resolve(o.out ?? join(process.cwd(), "results"));
  const dirOf = (id: string) => (quick ? join(outRoot, "quick", id) : join(outRoot, id));
  if (o.fromResults) {
    const extra = [...a.options.map((s) => camel(s.flags)), "seeds", "seed"].filter((k) => o[k] !== undefined);
    if (extra.length) throw new UserError(`--from-results rebuilds an earlier run as it was; it takes no other settings (got ${extra.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")})`);
    return rerender(a, dirOf(a.id), quick, o);
  }
  const seeds = resolveSeeds(o, quick);
  const { config, overrides } = resolveConfig(a, o, quick);
  const dir = dirOf(a.id);
  checkWritable(outRoot);
  // the code that runs is the code at start: record it before training, not after
  const gitAtStart = gitState(ROOT);
  const nJobs = parseJobs(o.jobs);
  const backend = createBackend(o.backend ?? "auto", o.gpujsMode ?? "webasm");
  const progress = Progress.auto(a.id, Boolean(o.quiet));
  const stages: Record<string, number> = {};
  const started = new Date();
  const ctx: RunContext = {
    backend,
    seeds,
    plan: (t, u) => progress.plan(t, u),
    tick: (l) => progress.tick(l),
    step: (d, t) => progress.step(d, t),
    runJobs: (url, fn, jobs, label) =>
      executeJobs(url, fn, jobs, {
        jobs: nJobs, backendName: backend.name, gpujsMode: backend.mode, backend,
        onStep: (d, t) => progress.step(d, t), onDone: (i) => progress.tick(label(jobs[i]!)),
      }),
    previous(id) {
      const d = dirOf(id);
      const t = readTree(d);
      if (!t) return null; // absent or unreadable: recompute instead
      const m = t.manifest;
      return {
        config: m.config as Record<string, unknown>, seeds: m.seeds, backend: m.backend,
        git: (m.git as Previous["git"]) ?? null, gitChanged: m.git_changed_during_run !== false,
        rows: t.out.rows, path: relative(ROOT, d) || d,
      };
    },
    async stage(name, f) {
      const t = performance.now();
      try {
        return await f();
      } finally {
        stages[name] = (stages[name] ?? 0) + (performance.now() - t) / 1000;
      }
    },
  };
  let out: Output;
  try {
    out = await ctx.stage("run", () => a.run(config, ctx));
  } finally {
    progress.stop();
    await backend.dispose();
  }
  const cmd = `wsae ${argv.join(" ")}`.trim();
  const manifest = {
    artifact: a.id,
    title: a.title,
    command: cmd,
    preset: presetLabel(quick, overrides),
    overrides,
    config,
    seeds,
    backend: { name: backend.name, mode: backend.mode, requested: o.backend ?? "auto" },
    jobs: nJobs,
    tool: { name: "wsae", version: VERSION },
    git: gitAtStart,
    git_changed_during_run: false,
    node: process.version,
    platform: { os: `${os.platform()} ${os.release()}`, cpu: os.cpus()[0]?.model ?? "unknown", cores: os.cpus().length },
    started: started.toISOString(),
    ended: "",
    wall_s: {} as Record<string, number>,
  };
  await writeResults(a, dir, config, out, manifest, ctx.stage, () => {
    manifest.git_changed_during_run = JSON.stringify(gitState(ROOT)) !== JSON.stringify(gitAtStart);
    manifest.ended = new Date().toISOString();
    manifest.wall_s = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Number(v.toFixed(3))]));
  });
  progress.line(`${a.id}: wrote ${relative(process.cwd(), dir) || "."}/`);
  return dir;
}

/** "full" only when nothing was overridden: a tuned full run is not the paper-scale preset. */
export function presetLabel(quick: boolean, overrides: string[]): string {
  const base = quick ? "quick" : "full";
  return overrides.length ? `${base} + overrides (${overrides.join(" ")})` : base;
}

/** Fail before training, not after, when the results root cannot be written. */
function checkWritable(root: string): void {
  try {
    if (existsSync(root) && !statSync(root).isDirectory()) throw new Error("not a directory");
    mkdirSync(root, { recursive: true });
    accessSync(root, fsc.W_OK);
  } catch (e) {
    throw new UserError(`--out ${relative(process.cwd(), root) || root}: cannot write results there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

type Manifest = { command: string; preset: string; seeds: number[]; backend: { name: string; mode: string }; config: object } & Record<string, unknown>;

/** Rows → data.csv, extra CSVs, aux.json, figure, summary.md, manifest.json; one atomic swap. */
async function writeResults<C extends object>(
  a: Artifact<C>, dir: string, config: C, out: Output, manifest: Manifest,
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
    files["figure.png"] = await svgToPng(svg);
    files["figure.vl.json"] = JSON.stringify(spec, null, 2) + "\n";
  }
  files["summary.md"] = summaryMd(a, config, out, claims, {
    cmd: manifest.command, preset: manifest.preset, seeds: manifest.seeds, backend: `${manifest.backend.name} (${manifest.backend.mode})`,
  });
  finish();
  files["manifest.json"] = JSON.stringify(
    { ...manifest, claims: claims.map((c) => ({ id: c.id, verdict: c.verdict })), reused: out.reused ?? [], files: [...Object.keys(files), "manifest.json"].sort() },
    null, 2,
  ) + "\n";
  writeTreeAtomic(dir, files);
}

/**
 * --from-results: rebuild summary.md, figure and manifest from the CSVs a run already
 * wrote (after a change to a claim, table or plot), training nothing. The manifest
 * keeps the original run's command, config, seeds, backend and times.
 */
async function rerender<C extends object>(a: Artifact<C>, dir: string, quick: boolean, o: CommonOptions): Promise<string> {
  let tree: ReturnType<typeof readTree>;
  try {
    tree = readTree(dir, true);
  } catch (e) {
    throw new UserError(`--from-results: cannot read ${relative(process.cwd(), dir) || dir}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!tree) throw new UserError(`--from-results: no earlier ${quick ? "quick " : ""}run of ${a.id} in ${relative(process.cwd(), dir) || dir}`);
  const { manifest, out } = tree;
  const config = manifest.config as C;
  a.validate(config);
  const rendered = { at: new Date().toISOString(), git: gitState(ROOT), tool: VERSION };
  await writeResults(a, dir, config, out, { ...manifest, rerendered: rendered }, (_n, f) => f(), () => {});
  Progress.auto(a.id, Boolean(o.quiet)).line(`${a.id}: re-rendered ${relative(process.cwd(), dir) || "."}/ from its CSVs`);
  return dir;
}

/**
 * An earlier run's tree read back: manifest, data.csv, the extra CSVs and aux.json.
 * null when there is none; an unreadable tree is null too, or throws with `strict`.
 */
function readTree(dir: string, strict = false): { manifest: Manifest; out: Output } | null {
  if (!existsSync(join(dir, "manifest.json")) || !existsSync(join(dir, "data.csv"))) return null;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
    const extra: Record<string, ReturnType<typeof fromCsv>> = {};
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".csv") && f !== "data.csv").sort()) extra[f.slice(0, -4)] = fromCsv(readFileSync(join(dir, f), "utf8"));
    const auxPath = join(dir, "aux.json");
    const out: Output = {
      rows: fromCsv(readFileSync(join(dir, "data.csv"), "utf8")),
      extra: Object.keys(extra).length ? extra : undefined,
      aux: existsSync(auxPath) ? JSON.parse(readFileSync(auxPath, "utf8")) : undefined,
      reused: Array.isArray(manifest.reused) ? (manifest.reused as string[]) : [],
    };
    return { manifest, out };
  } catch (e) {
    if (strict) throw e;
    return null;
  }
}

function summaryMd<C extends object>(
  a: Artifact<C>, config: C, out: Output, claims: ClaimResult[],
  meta: { cmd: string; preset: string; seeds: number[]; backend: string },
): string {
  const parts = [
    `# ${a.title}`,
    "",
    `**The paper:** ${a.paper}`,
    "",
    ...(out.reused?.length ? [`Rows reused (same config, seeds and backend, so identical numbers): ${out.reused.join(", ")}.`, ""] : []),
    `Command: \`${meta.cmd}\` · preset: **${meta.preset.startsWith("quick") ? `${meta.preset} — a smoke test, not evidence` : meta.preset}** · seeds: ${meta.seeds.join(", ")} · backend: ${meta.backend}. Full configuration in manifest.json.`,
    "",
    "## Claims",
    "",
    claimsTable(claims),
    "",
    "## Results",
    "",
    a.summary(config, out, claims),
    "",
  ];
  const rep = reportedTable(a.reported);
  if (rep) parts.push("## Reported by the paper (secondary sources; not our numbers)", "", rep, "");
  parts.push("## Columns of data.csv", "", "| column | definition |", "|---|---|", ...a.columns.map((c) => `| \`${c.name}\` | ${c.description.replace(/\|/g, "\\|")} |`), "");
  return parts.join("\n");
}
