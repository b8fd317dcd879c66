/**
 * Run one artifact end to end: resolve its config, run it, write its results tree
 * (data.csv, summary.md, figure.svg/png, manifest.json) atomically.
 */
import { accessSync, constants as fsc, existsSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import os from "node:os";
import { createBackend } from "../compute/index.ts";
import { artifact as artifactById } from "../experiments/registry.ts";
import type { Artifact, ArtifactId, Output, RunContext } from "../experiments/types.ts";
import { readTree, shown, writeResults, type Tree } from "../report/tree.ts";
import { validateTree } from "../report/validate.ts";
import { mkdirp } from "../report/write.ts";
import { gitState, type GitState } from "../util/git.ts";
import { parseSeeds } from "../util/parse.ts";
import { ROOT } from "../util/root.ts";
import { UserError } from "../util/errors.ts";
import { Progress } from "./progress.ts";
import { MemStore, ShardStandIn, codeHash, jobCache, parseShard, wrapRunJobs, type Executor, type JobStore } from "./jobs.ts";
import { shardDir, writeShard } from "./shards.ts";
import { resultArgv } from "../report/summary.ts";
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
  /** "i/n": run every n-th training only and write a shard tree for `wsae merge` */
  shard?: string;
  /** reuse trainings finished by an earlier run (and add to them) */
  resume?: boolean;
};

/** How `wsae merge` and `wsae all` steer a run: where finished trainings come from. */
export type RunHooks = { store?: JobStore; storedOnly?: string; mergedFrom?: string[] };

export function resolveSeeds(o: CommonOptions, quick: boolean): number[] {
  return parseSeeds(o.seeds, o.seed, quick ? 1 : 3);
}

/** Preset, then each artifact flag the user gave, parsed and checked. */
export function resolveConfig<C extends object>(a: Artifact<C>, o: Record<string, unknown>, quick: boolean): { config: C; overrides: string[] } {
  const config = structuredClone(quick ? a.presets.quick : a.presets.full) as Record<string, unknown>;
  const overrides: string[] = [];
  for (const spec of a.options) {
    const attr = camel(spec.flags);
    const raw = o[attr];
    if (raw === undefined || (negatable(spec.flags) && raw === true)) continue; // "--no-x" not given
    config[spec.key] = spec.parse(String(raw));
    overrides.push(spec.flags.split(" ")[0]!);
  }
  // Top-k is the sparsity mechanism instead of the L1 penalty: λ = 0 unless --l1 is given
  if (typeof config.topk === "number" && config.topk > 0 && Array.isArray(config.l1) && !overrides.includes("--l1")) config.l1 = [0];
  a.validate(config as C);
  return { config: config as C, overrides };
}

/** commander's attribute name for "--eval-samples <int>" is evalSamples; for "--no-cache", cache. */
export function camel(flags: string): string {
  const long = flags.split(/[ ,]+/).find((f) => f.startsWith("--"))!.slice(2).replace(/^no-/, "");
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A "--no-x" flag: commander sets x = true unless it is given. */
const negatable = (flags: string) => flags.startsWith("--no-");

/** The results root of --out: refused when empty (it would write into the current folder). */
export function outRootOf(out: string | undefined): string {
  if (out !== undefined && out.trim() === "") throw new UserError("--out needs a folder (got an empty string)");
  return resolve(out ?? join(process.cwd(), "results"));
}

export const treeDir = (outRoot: string, id: string, quick: boolean) => (quick ? join(outRoot, "quick", id) : join(outRoot, id));

export async function runArtifact<C extends object>(
  a: Artifact<C>, o: CommonOptions & Record<string, unknown>, argv: string[], hooks: RunHooks = {},
): Promise<string> {
  const quick = Boolean(o.quick);
  const outRoot = outRootOf(o.out);
  if (o.fromResults) {
    const given = (flags: string) => o[camel(flags)] !== undefined && !(negatable(flags) && o[camel(flags)] === true);
    const extra = [...a.options.map((s) => s.flags), "--seeds", "--seed"].filter(given).map((f) => f.split(" ")[0]!);
    if (extra.length) throw new UserError(`--from-results rebuilds an earlier run as it was; it takes no other settings (got ${extra.join(", ")})`);
    return rerender(a, treeDir(outRoot, a.id, quick), quick, o);
  }
  const seeds = resolveSeeds(o, quick);
  const { config, overrides } = resolveConfig(a, o, quick);
  const shard = o.shard === undefined ? undefined : parseShard(String(o.shard));
  return execute(a, {
    config, seeds, overrides, quick, outRoot, backend: o.backend, gpujsMode: o.gpujsMode, quiet: Boolean(o.quiet), jobs: o.jobs,
    command: `wsae ${argv.join(" ")}`.trim(), argv, options: o, shard,
    hooks: { ...hooks, store: hooks.store ?? (o.resume ? jobCache() : undefined) },
  });
}

export type ExecuteOptions<C> = {
  config: C; seeds: number[]; overrides: string[]; quick: boolean; outRoot: string;
  backend?: string; gpujsMode?: string; quiet: boolean; command: string;
  /** --jobs as given (default: one worker per core) */
  jobs?: string;
  /** the command line and options as given (a shard records them for `wsae merge`) */
  argv?: string[]; options?: Record<string, unknown>;
  shard?: { index: number; count: number };
  hooks?: RunHooks;
};

/** Run a resolved config and write its tree under outRoot (runArtifact, and `wsae verify` regenerating). */
export async function execute<C extends object>(a: Artifact<C>, x: ExecuteOptions<C>): Promise<string> {
  const { config, seeds, overrides, quick, outRoot } = x;
  const o = { backend: x.backend, gpujsMode: x.gpujsMode };
  const dirOf = (id: string) => treeDir(outRoot, id, quick);
  const dir = dirOf(a.id);
  checkWritable(outRoot);
  // the code that runs is the code at start: record it before training, not after
  const gitAtStart = gitState(ROOT);
  const nJobs = parseJobs(x.jobs);
  const backend = createBackend(o.backend ?? "auto", o.gpujsMode ?? "webasm");
  const progress = Progress.auto(a.id, x.quiet);
  const stages: Record<string, number> = {};
  const started = new Date();
  const hooks = x.hooks ?? {}, shard = x.shard;
  const own = shard ? new MemStore() : undefined;
  // the pool (or this thread, for short runs) executes; the wrapper adds the cache and shards
  const executor: Executor = (url, fn, js, label, onResult) => executeJobs(url, fn, js, {
    jobs: nJobs, backendName: backend.name, gpujsMode: backend.mode, backend,
    onStep: (d, t) => progress.step(d, t),
    onDone: (i, r) => {
      onResult?.(i, r as never);
      progress.tick(label(js[i]!));
    },
  });
  const jobs = wrapRunJobs(executor, {
    backend: `${backend.name}:${backend.mode}`, store: hooks.store, own, shard, storedOnly: hooks.storedOnly, onReused: (l) => progress.tick(l),
  });
  const ctx: RunContext = {
    backend,
    seeds,
    plan: (t, u) => progress.plan(t, u),
    tick: (l) => progress.tick(l),
    step: (d, t) => progress.step(d, t),
    runJobs: jobs.runJobs,
    previous(id) {
      return previousRun(id, dirOf(id), gitAtStart, backend);
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
  let out: Output | null = null;
  try {
    out = await ctx.stage("run", () => a.run(config, ctx));
  } catch (e) {
    // a shard's run ends where the artifact reads a result another shard computes
    if (!(shard && e instanceof ShardStandIn)) throw e;
  } finally {
    progress.stop();
    await backend.dispose();
  }
  const cmd = x.command;
  if (shard) {
    const sdir = shardDir(outRoot, a.id, quick, shard);
    writeShard(sdir, {
      artifact: a.id, quick, command: cmd, argv: resultArgv(x.argv ?? []), options: x.options ?? {}, config, seeds,
      backend: { name: backend.name, mode: backend.mode }, code: codeHash(), shard, stats: jobs.stats,
    }, own!);
    progress.line(`${a.id}: shard ${shard.index}/${shard.count} ran ${jobs.stats.executed} trainings; wrote ${relative(process.cwd(), sdir) || "."}/ (join the shards with 'wsae merge')`);
    return sdir;
  }
  if (!out) throw new Error("unreachable: a run without output that is not a shard");
  const manifest = {
    artifact: a.id,
    title: a.title,
    command: cmd,
    preset: presetLabel(quick, overrides),
    overrides,
    config: config as Record<string, unknown>,
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
    trainings: jobs.stats,
    ...(hooks.mergedFrom ? { merged_from: hooks.mergedFrom } : {}),
  };
  await writeResults(a, dir, config, out, manifest, ctx.stage, () => {
    manifest.git_changed_during_run = JSON.stringify(gitState(ROOT)) !== JSON.stringify(gitAtStart);
    manifest.ended = new Date().toISOString();
    manifest.wall_s = Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Number(v.toFixed(3))]));
  });
  progress.line(`${a.id}: wrote ${relative(process.cwd(), dir) || "."}/`);
  return dir;
}

/**
 * An earlier run of `id` under the same results root, for reuse. Whether it ran the
 * same code is decided here, from git, not by the artifact. A tree that would be
 * reused is validated first (a tampered tree stops the run with exit 2); one from
 * other code is returned unvalidated with sameCode false, and an absent one is null.
 */
function previousRun(id: ArtifactId, dir: string, now: GitState | null, backend: { name: string; mode: string }): ReturnType<RunContext["previous"]> {
  const a = artifactById(id);
  let t: Tree | null;
  try {
    t = readTree(dir);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`reusing ${id}: ${e.message}`);
    throw e;
  }
  if (!t || !a) return null;
  const m = t.manifest, g = m.git;
  const sameCode = now !== null && !now.src_dirty && g !== null && !g.src_dirty && g.src_tree === now.src_tree &&
    m.git_changed_during_run === false && m.backend.name === backend.name && m.backend.mode === backend.mode;
  if (sameCode) {
    try {
      validateTree(a, t);
    } catch (e) {
      throw new UserError(`reusing ${id}: ${(e as Error).message}`);
    }
  }
  return {
    config: m.config, seeds: m.seeds, backend: m.backend, git: g, gitChanged: m.git_changed_during_run !== false,
    sameCode, rows: t.out.rows, path: relative(ROOT, dir) || dir,
  };
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
    mkdirp(root);
    accessSync(root, fsc.W_OK);
  } catch (e) {
    throw new UserError(`--out ${shown(root)}: cannot write results there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * --from-results: rebuild summary.md, figure and manifest from the CSVs a run already
 * wrote (after a change to a claim, table or plot), training nothing. The manifest
 * keeps the original run's command, config, seeds, backend and times. The tree is
 * repaired if a write was interrupted, and validated against the artifact first.
 */
async function rerender<C extends object>(a: Artifact<C>, dir: string, quick: boolean, o: CommonOptions): Promise<string> {
  const tree = readTree(dir);
  if (!tree) throw new UserError(`--from-results: no earlier ${quick ? "quick " : ""}run of ${a.id} in ${shown(dir)}`);
  validateTree(a, tree);
  const { manifest, out } = tree;
  const config = manifest.config as C;
  const rendered = { at: new Date().toISOString(), git: gitState(ROOT), tool: VERSION };
  const { claims: _old, ...rest } = manifest;
  await writeResults(a, dir, config, out, { ...rest, rerendered: rendered }, (_n, f) => f(), () => {});
  Progress.auto(a.id, Boolean(o.quiet)).line(`${a.id}: re-rendered ${relative(process.cwd(), dir) || "."}/ from its CSVs`);
  return dir;
}
