/**
 * An artifact (one figure or table of the paper) is data plus one run function:
 * its presets, the flags that override them, its CSV columns, its claims, its plot.
 * Nothing here knows about terminals or files; the CLI and report/ do.
 */
import type { Backend } from "../compute/backend.ts";
import type { GitState } from "../util/git.ts";

export type Cell = number | string | boolean;
export type Row = Record<string, Cell>;

/** "inconclusive": the measurement cannot decide the paper's claim; "note": our own check, not a claim of the paper. */
export type Verdict = "reproduced" | "not reproduced" | "partly reproduced" | "inconclusive" | "note";
export type ClaimResult = { id: string; paper: string; verdict: Verdict; evidence: string };

/** A number the paper reports, shown beside ours, never as ours. */
export type Reported = { what: string; value: string; source: string };

export type Column = { name: string; description: string };

/** An artifact-specific flag, mapped onto one config key. */
export type OptionSpec = {
  flags: string; // commander syntax, e.g. "--sparsities <list>"
  key: string;
  description: string;
  parse: (raw: string) => unknown;
};

export type ArtifactId = "fig1" | "fig2" | "fig3" | "fig4" | "fig5" | "table1" | "table2" | "table3" | "robustness";

/** What the CLI hands an experiment. */
export interface RunContext {
  backend: Backend;
  seeds: number[];
  /** Announce the number of work units (training runs) up front, then tick each. */
  plan(total: number, unit: string): void;
  tick(label: string): void;
  /** Per-step hook for long single runs (progress bar detail). */
  step(done: number, total: number): void;
  /**
   * The committed results of another artifact run with the same preset and output
   * root, or null: lets table3 reuse fig3's grid instead of training it twice.
   */
  previous(id: ArtifactId): Previous | null;
  /**
   * Run independent jobs (one training each) and return their results in job order,
   * whatever order they finished in, so the CSV is the same for any degree of
   * parallelism. `fn` names an exported function of the ES module at `url` (pass
   * `import.meta.url`), called as fn(job, jobCtx): jobs and results must be
   * structured-cloneable (plain objects, arrays, typed arrays), because a pool of
   * worker threads may run them, each importing that module itself. Ticks the
   * progress once per job with `label(job)`; the artifact calls plan() first.
   */
  runJobs<J, R>(url: string, fn: string, jobs: J[], label: (job: J) => string): Promise<R[]>;
  /** Time a named stage for the manifest. */
  stage<T>(name: string, f: () => Promise<T>): Promise<T>;
}

/** What a job function (see RunContext.runJobs) gets besides its job. */
export type JobContext = {
  backend: Backend;
  /** Per-step progress of this job's training. */
  step(done: number, total: number): void;
};
export type JobFn<J, R> = (job: J, ctx: JobContext) => Promise<R>;

export type Previous = {
  config: Record<string, unknown>;
  seeds: number[];
  backend: { name: string; mode: string };
  /** the code that produced it (see util/git.ts) and whether it changed while it ran */
  git: GitState | null;
  gitChanged: boolean;
  rows: Row[];
  path: string;
};

export type Output = {
  rows: Row[];
  /** Extra CSV files (name → rows), e.g. an α sweep beside the main table. */
  extra?: Record<string, Row[]>;
  /** Data the plot or summary needs beyond the rows (heatmaps, closed forms). */
  aux?: Record<string, unknown>;
  /** Where rows were reused from (recorded in the manifest and summary). */
  reused?: string[];
};

export interface Artifact<C extends object = Record<string, unknown>> {
  id: ArtifactId;
  title: string;
  /** What the paper shows, one paragraph. */
  paper: string;
  implemented: boolean;
  presets: { quick: C; full: C };
  options: OptionSpec[];
  /** Help text examples. */
  examples: string[];
  columns: Column[];
  reported: Reported[];
  run(config: C, ctx: RunContext): Promise<Output>;
  claims(config: C, out: Output): ClaimResult[];
  /** Markdown body of summary.md after the header (tables, notes). */
  summary(config: C, out: Output, claims: ClaimResult[]): string;
  /** A vega-lite spec, or null when the artifact is a table. */
  plot?(config: C, out: Output): object | null;
  /** Validate the resolved config; throw UserError with one line. */
  validate(config: C): void;
}
