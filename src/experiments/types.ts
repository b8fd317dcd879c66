/**
 * An artifact (one figure or table of the paper) is data plus one run function:
 * its presets, the flags that override them, its CSV columns, its claims, its plot.
 * Nothing here knows about terminals or files; the CLI and report/ do.
 */
import type { Backend } from "../compute/backend.ts";
import type { GitState } from "../util/git.ts";

export type Cell = number | string | boolean;
export type Row = Record<string, Cell>;

/**
 * "inconclusive": the measurement cannot decide the paper's claim; "note": our own check, not a claim of the paper;
 * "self-check": an identity or worked arithmetic of the paper that holds for any input (it cannot fail on
 * data), so it checks our code, not the paper's experiments, and is never counted as a reproduction
 * ("self-check failed": it did not hold, a bug in our code).
 */
export type Verdict = "reproduced" | "not reproduced" | "partly reproduced" | "inconclusive" | "note" | "self-check" | "self-check failed";
/** Verdicts about the paper's claims (what REPORT.md counts as reproduced or not). */
export const CLAIM_VERDICTS: readonly Verdict[] = ["reproduced", "partly reproduced", "not reproduced", "inconclusive"];
export type ClaimResult = { id: string; paper: string; verdict: Verdict; evidence: string };

/** A number the paper reports, shown beside ours, never as ours. */
export type Reported = { what: string; value: string; source: string };

/**
 * One CSV column. `kind` and the bounds are what a tree read back is checked against
 * (report/validate.ts): "num" finite number, "int" integer, "bool" true/false, "str" text.
 * `optional`: the cell may be empty (not applicable to that row). Without `kind` only
 * NaN/Inf text is refused.
 */
export type Column = {
  name: string;
  description: string;
  kind?: "num" | "int" | "bool" | "str";
  min?: number;
  max?: number;
  optional?: boolean;
};

/** A CSV of a results tree: its columns, the columns that identify a row, and the rows a config implies. */
export type TableSpec<C> = {
  columns: Column[];
  /** Columns whose values identify one row: two rows with the same key are duplicates. */
  key: string[];
  /** The key values the config and seeds imply, one object per row (order free); omitted = not checked. */
  expected?(config: C, seeds: number[]): Row[];
  /** Written only for configs where this holds (e.g. robustness's cells.csv, by the crossed grid alone); omitted = always. */
  when?(config: C): boolean;
};

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
   * A job list must follow from the config and seeds alone, or from the results of
   * an earlier call marked `everyShard` (embedders, toy models whose output later jobs
   * carry): with `--shard i/n` every shard runs those, and only its share of the rest.
   */
  runJobs<J, R>(url: string, fn: string, jobs: J[], label: (job: J) => string, opts?: { everyShard?: boolean }): Promise<R[]>;
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
  /**
   * Decided by the run context, not the artifact: the earlier run provably ran the code
   * that runs now (both clean src/ trees with the same hash, unchanged during that run)
   * on the same backend, so equal settings and seeds give the same numbers.
   */
  sameCode: boolean;
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
  /**
   * How a results tree read back (--from-results, report, verify, reuse) is checked:
   * data.csv's key and expected rows (its columns are `columns`), the other CSVs it
   * writes, and whether aux.json must exist. See report/validate.ts.
   */
  tree?: {
    key: string[];
    expected?(config: C, seeds: number[]): Row[];
    extra?: Record<string, TableSpec<C>>;
    aux?: boolean;
    /** What the declarations cannot say (a file derived from data.csv must agree with it): the file and its problem, or null. */
    check?(config: C, out: Output): { file: string; problem: string } | null;
    /**
     * `wsae verify`'s tolerance class of one cell (report/compare.ts), where the default
     * (reference rows exact, counts, noisy L_GT-like columns, else trained) does not fit.
     */
    tolerance?(table: string, column: string, row: Row): TolClass | undefined;
  };
}

/** How far a number may move between two runs of the same code (report/compare.ts TOLERANCE). */
export type TolClass = "exact" | "trained" | "count" | "noisy";
