/**
 * The worker pool behind RunContext.runJobs: independent trainings on N worker
 * threads, each with its own backend, results in job order whatever order they finish
 * in. A job's result depends only on the job (its seeds name its random streams), so
 * data.csv is the same bytes for any N and for the serial path.
 *
 * Errors keep their class across the thread boundary (UserError → exit 2,
 * DivergenceError → exit 3); the first failure stops handing out jobs, terminates
 * every worker and rejects with that error, so a failed run never hangs.
 */
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import type { Backend } from "../compute/backend.ts";
import type { JobFn } from "../experiments/types.ts";
import { DivergenceError, UserError } from "../util/errors.ts";

export const MAX_JOBS = 64;

export type PoolOptions = {
  /** Worker threads at most; 1 runs the jobs here, one after another, on `backend`. */
  jobs: number;
  /** What every worker creates for itself (see compute/index.ts createBackend). */
  backendName: string;
  gpujsMode?: string;
  /** The backend of the jobs run on this thread. */
  backend: Backend;
  /** Per-step progress of the job that reported last. */
  onStep?: (done: number, total: number) => void;
  /** A job finished (index into `jobs`), with its result. */
  onDone?: (index: number, result: unknown) => void;
  /** Estimated serial time left (ms) above which the remaining jobs go to workers; 0 = pool at once. Default 3000. */
  minPoolMs?: number;
};

/** Messages between the pool and its workers (pool-worker.ts). */
export type ToWorker = { type: "job"; index: number; url: string; fn: string; job: unknown };
export type FromWorker =
  | { type: "ready" }
  | { type: "step"; done: number; total: number }
  | { type: "done"; index: number; result: unknown }
  | { type: "error"; index: number; error: WireError };

export type WireError = { name: string; message: string; stack?: string };

export function toWire(e: unknown): WireError {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err instanceof UserError ? "UserError" : err instanceof DivergenceError ? "DivergenceError" : err.name, message: err.message, stack: err.stack };
}

/** The error rebuilt with its class, so main.ts maps it to the same exit code. */
export function fromWire(w: WireError): Error {
  const e = w.name === "UserError" ? new UserError(w.message) : w.name === "DivergenceError" ? new DivergenceError(w.message) : new Error(w.message);
  if (w.stack) e.stack = w.stack;
  return e;
}

/** --jobs: an integer in [1, 64]; default the number of cores. */
export function parseJobs(raw: unknown): number {
  if (raw === undefined) return Math.min(MAX_JOBS, Math.max(1, availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_JOBS) throw new UserError(`--jobs must be an integer in [1, ${MAX_JOBS}] (got '${String(raw)}')`);
  return n;
}

/**
 * Jobs start here, one after another; as soon as the rest would take longer than
 * `minPoolMs` serially (estimated from the jobs done so far), the rest go to worker
 * threads. A worker costs about half a second of CPU to start (tsx, the module graph),
 * which a quick preset would never win back; a full preset moves to the pool after its
 * first job. Which thread ran a job never changes its result.
 */
export async function executeJobs<J, R>(url: string, fn: string, jobs: J[], o: PoolOptions): Promise<R[]> {
  const f = await jobFunction<J, R>(url, fn);
  const minPoolMs = o.minPoolMs ?? defaultMinPoolMs();
  const out: R[] = [];
  const t0 = performance.now();
  for (let i = 0; i < jobs.length; i++) {
    const left = jobs.length - i, threads = Math.min(o.jobs, left);
    const estimate = i === 0 ? 0 : ((performance.now() - t0) / i) * left;
    if (threads > 1 && (estimate > minPoolMs || minPoolMs <= 0)) {
      const rest = await pooled<J, R>(url, fn, jobs.slice(i), threads, { ...o, onDone: (k, r) => o.onDone?.(i + k, r) });
      return out.concat(rest);
    }
    out.push(await f(jobs[i]!, { backend: o.backend, step: (d, t) => o.onStep?.(d, t) }));
    o.onDone?.(i, out[i]);
  }
  return out;
}

/** WSAE_POOL_MIN_MS overrides the threshold (tests set 0 to exercise the workers on tiny runs). */
function defaultMinPoolMs(): number {
  const v = Number(process.env.WSAE_POOL_MIN_MS);
  return process.env.WSAE_POOL_MIN_MS !== undefined && Number.isFinite(v) ? v : 3000;
}

export async function jobFunction<J, R>(url: string, fn: string): Promise<JobFn<J, R>> {
  const mod = (await import(url)) as Record<string, unknown>;
  const f = mod[fn];
  if (typeof f !== "function") throw new Error(`runJobs: ${url} has no exported function '${fn}'`);
  return f as JobFn<J, R>;
}

function pooled<J, R>(url: string, fn: string, jobs: J[], threads: number, o: PoolOptions): Promise<R[]> {
  return new Promise<R[]>((resolveAll, rejectAll) => {
    const results = new Array<R>(jobs.length);
    const workers: Worker[] = [];
    let next = 0, finished = 0, failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      // terminate() ends a worker even mid-training; the run is over either way
      void Promise.all(workers.map((w) => w.terminate())).finally(() => rejectAll(e));
    };
    const feed = (w: Worker) => {
      if (failed || next >= jobs.length) return;
      const index = next++;
      const msg: ToWorker = { type: "job", index, url, fn, job: jobs[index] };
      w.postMessage(msg);
    };
    for (let t = 0; t < threads; t++) {
      // pool-worker.mjs registers tsx in the worker, then loads pool-worker.ts
      const w = new Worker(new URL("./pool-worker.mjs", import.meta.url), {
        workerData: { backendName: o.backendName, gpujsMode: o.gpujsMode ?? "webasm" },
      });
      workers.push(w);
      w.on("message", (m: FromWorker) => {
        if (failed) return;
        if (m.type === "ready") feed(w);
        else if (m.type === "step") o.onStep?.(m.done, m.total);
        else if (m.type === "done") {
          results[m.index] = m.result as R;
          finished++;
          o.onDone?.(m.index, m.result);
          if (finished === jobs.length) void Promise.all(workers.map((x) => x.terminate())).then(() => resolveAll(results), rejectAll);
          else feed(w);
        } else if (m.type === "error") fail(fromWire(m.error));
      });
      w.on("error", (e) => fail(e instanceof Error ? e : new Error(String(e))));
      w.on("exit", (code) => {
        if (!failed && finished < jobs.length) fail(new Error(`a worker thread exited (code ${code}) before the jobs were done`));
      });
    }
  });
}
