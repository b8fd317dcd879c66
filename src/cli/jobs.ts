/**
 * What wraps an artifact's independent trainings (RunContext.runJobs) between the
 * artifact and whatever executes them (a serial loop or a worker pool):
 *  - a result store keyed by a hash of (job module, function, job, backend, code), so
 *    `wsae all` resumes where it was killed and repeats only what is missing;
 *  - sharding: `--shard i/n` executes every n-th job (by its global index across the
 *    run's runJobs calls) and hands back stand-ins for the others, so n machines
 *    split one sweep; `wsae merge` then serves every job from the shards' results
 *    and replays the artifact into the very tree a single run writes.
 * This works because an artifact's job lists depend on its config, its seeds and the
 * results of jobs marked `everyShard` only (RunContext.runJobs says so), and because a
 * job's result depends on its inputs, the backend and the code alone.
 */
import { createHash, type Hash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { UserError } from "../util/errors.ts";
import { ROOT } from "../util/root.ts";
import { writeFileAtomic } from "../report/write.ts";
import { cacheDir } from "../data/embedder.ts";

/** Runs jobs and returns results in job order; `onResult` fires as each one finishes. */
export type Executor = <J, R>(
  url: string, fn: string, jobs: J[], label: (job: J) => string, onResult?: (index: number, result: R) => void,
) => Promise<R[]>;

/** RunContext.runJobs: `everyShard` marks jobs whose results later job lists are built from. */
export type RunJobs = <J, R>(url: string, fn: string, jobs: J[], label: (job: J) => string, opts?: { everyShard?: boolean }) => Promise<R[]>;

export type Shard = { index: number; count: number };

/** "2/4" → the second of four shards (1-based, as CI matrices number them). */
export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) throw new UserError(`--shard takes i/n with 1 <= i <= n <= 1000 (got '${raw}')`);
  return { index, count };
}

let srcHash: string | null = null;

/** sha256 of every file under src/ (paths and bytes): the code a result came from, git or not. */
export function codeHash(): string {
  if (srcHash) return srcHash;
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(ROOT, p)).update("\0").update(readFileSync(p)).update("\0");
    }
  };
  walk(join(ROOT, "src"));
  return (srcHash = h.digest("hex"));
}

/**
 * Feed a job into the hash part by part: typed arrays as their type and raw bytes (a job may
 * carry a data matrix of millions of floats, too big for one JSON string), everything else as
 * JSON, object keys in their (deterministic) construction order.
 */
function hashInto(h: Hash, v: unknown): void {
  if (ArrayBuffer.isView(v)) {
    h.update(`<${v.constructor.name}:${v.byteLength}>`).update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  } else if (Array.isArray(v)) {
    h.update("[");
    for (const x of v) hashInto(h, x), h.update(",");
    h.update("]");
  } else if (v !== null && typeof v === "object") {
    h.update("{");
    for (const [k, x] of Object.entries(v)) h.update(JSON.stringify(k)).update(":"), hashInto(h, x), h.update(",");
    h.update("}");
  } else h.update(JSON.stringify(v) ?? "undefined");
}

export function jobKey(url: string, fn: string, job: unknown, backend: string): string {
  const h = createHash("sha256");
  hashInto(h, { module: relative(ROOT, fileURLToPath(url)), fn, backend, code: codeHash() });
  hashInto(h, job);
  return h.digest("hex").slice(0, 40);
}

/** Finished results by key. Values are v8-serialized (the structured-clone format workers use). */
export interface JobStore {
  get(key: string): unknown | undefined;
  put(key: string, value: unknown): void;
}

/** In memory: a shard's own results, or the union of shards being merged. */
export class MemStore implements JobStore {
  readonly entries = new Map<string, Uint8Array>();
  get(key: string) {
    const b = this.entries.get(key);
    return b ? deserialize(b) : undefined;
  }
  put(key: string, value: unknown) {
    this.entries.set(key, serialize(value));
  }
}

/** One file per result under `dir`, written atomically: survives a kill at any point. */
export class DirStore implements JobStore {
  constructor(readonly dir: string) {}
  private path(key: string) {
    return join(this.dir, key.slice(0, 2), `${key}.v8`);
  }
  get(key: string) {
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    try {
      return deserialize(readFileSync(p));
    } catch {
      return undefined; // unreadable (e.g. written by another Node version): recompute
    }
  }
  put(key: string, value: unknown) {
    writeFileAtomic(this.path(key), serialize(value));
  }
}

export function jobCache(): DirStore {
  const dir = join(cacheDir(), "jobs");
  mkdirSync(dir, { recursive: true });
  return new DirStore(dir);
}

/** Thrown when an artifact reads a job result that another shard computes: this shard's work is done. */
export class ShardStandIn extends Error {
  constructor() {
    super("a result that another shard computes was read");
  }
}

/** A result this shard does not compute: any use of it ends the shard's run (see ShardStandIn). */
function standIn(): object {
  const fail = () => {
    throw new ShardStandIn();
  };
  return new Proxy({}, { get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail, set: fail });
}

export type JobPolicy = {
  backend: string;
  /** results to reuse and to add to (resume, merge) */
  store?: JobStore;
  /** results this process computes are also put here (a shard's own tree) */
  own?: MemStore;
  shard?: Shard;
  /** every job must come from `store` (merge): a missing one is an error, never recomputed */
  storedOnly?: string;
  /** a job served from the store still ticks the progress */
  onReused?: (label: string) => void;
};

export type JobStats = { executed: number; reused: number; skipped: number };

/** runJobs with a store, shards and a stats record, on top of an executor. */
export function wrapRunJobs(exec: Executor, p: JobPolicy): { runJobs: RunJobs; stats: JobStats } {
  const stats: JobStats = { executed: 0, reused: 0, skipped: 0 };
  let seen = 0; // global job index across calls: what shards split
  const runJobs: RunJobs = async <J, R>(url: string, fn: string, jobs: J[], label: (job: J) => string, opts?: { everyShard?: boolean }) => {
    const out: R[] = new Array(jobs.length);
    const keys = jobs.map((j) => jobKey(url, fn, j, p.backend));
    const todo: number[] = [];
    for (let i = 0; i < jobs.length; i++) {
      // jobs every shard runs (their results feed later job lists) take no share index
      const g = opts?.everyShard ? -1 : seen++;
      const have = p.store?.get(keys[i]!);
      if (have !== undefined) {
        out[i] = have as R;
        stats.reused++;
        p.own?.put(keys[i]!, have);
        p.onReused?.(`${label(jobs[i]!)} (cached)`);
      } else if (p.storedOnly !== undefined) {
        throw new UserError(`${p.storedOnly}: no result for job '${label(jobs[i]!)}' in the given shards (were they run with the same code, backend and --shard count?)`);
      } else if (p.shard && g >= 0 && g % p.shard.count !== p.shard.index - 1) {
        out[i] = standIn() as R;
        stats.skipped++;
      } else todo.push(i);
    }
    if (todo.length) {
      // kept as each one finishes, so a killed run loses only the jobs in flight
      const keep = (t: number, r: unknown) => {
        p.store?.put(keys[todo[t]!]!, r);
        p.own?.put(keys[todo[t]!]!, r);
      };
      const done = await exec<J, R>(url, fn, todo.map((i) => jobs[i]!), label, keep);
      todo.forEach((i, t) => (out[i] = done[t]!));
      stats.executed += todo.length;
    }
    return out;
  };
  return { runJobs, stats };
}
