// The worker pool behind runJobs: results in job order for any number of threads,
// errors keep their class (exit codes), a failure stops the run without hanging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { executeJobs, parseJobs, MAX_JOBS } from "../src/cli/pool.ts";
import { createBackend } from "../src/compute/index.ts";
import { DivergenceError, UserError } from "../src/util/errors.ts";
import type { TestJob } from "./fixtures/pool-jobs.ts";

const URL_ = new URL("./fixtures/pool-jobs.ts", import.meta.url).href;
const backend = createBackend("wasm");
const run = (jobs: TestJob[], n: number, fn = "testJob", onStep?: (d: number, t: number) => void, onDone?: (i: number) => void) =>
  executeJobs<TestJob, { seed: number; u: number; backend: string; prod: Float32Array }>(URL_, fn, jobs, { jobs: n, backendName: "wasm", backend, onStep, onDone, minPoolMs: 0 });

test("pooled results equal serial ones, in job order, with progress from the workers", async () => {
  const jobs = Array.from({ length: 7 }, (_, i) => ({ seed: 10 + i, steps: 2 + (i % 3) }));
  const serial = await run(jobs, 1);
  const steps: number[] = [], done: number[] = [];
  const pooled = await run(jobs, 3, "testJob", (d) => steps.push(d), (i) => done.push(i));
  assert.deepEqual(pooled.map((r) => r.seed), jobs.map((j) => j.seed));
  assert.deepEqual(pooled, serial);
  assert.ok(pooled.every((r) => r.backend === "wasm" && r.prod instanceof Float32Array));
  assert.deepEqual([...done].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(steps.length, jobs.reduce((s, j) => s + j.steps, 0));
});

for (const [fail, cls] of [["user", UserError], ["diverge", DivergenceError], ["plain", Error]] as const) {
  test(`a ${fail} error in a worker reaches the caller with its class`, async () => {
    const jobs: TestJob[] = [{ seed: 1 }, { seed: 2, fail }, { seed: 3 }, { seed: 4 }];
    await assert.rejects(run(jobs, 2), (e: unknown) => {
      assert.ok(e instanceof cls, String(e));
      if (cls !== Error) assert.ok(!(e instanceof (fail === "user" ? DivergenceError : UserError)));
      assert.match((e as Error).message, /2/);
      return true;
    });
  });
}

test("a failure terminates the workers still training (no hang)", async () => {
  const t0 = Date.now();
  await assert.rejects(run([{ seed: 1 }, { seed: 2, fail: "diverge" }], 2, "hangJob"), DivergenceError);
  assert.ok(Date.now() - t0 < 20000);
});

test("an unknown job function is an error, not a hang", async () => {
  await assert.rejects(run([{ seed: 1 }, { seed: 2 }], 2, "nope"), /no exported function 'nope'/);
});

test("short runs stay on this thread: the pool starts only when the rest would take a while", async () => {
  const jobs = Array.from({ length: 4 }, (_, i) => ({ seed: i }));
  const here = await executeJobs<TestJob, { backend: string }>(URL_, "testJob", jobs, { jobs: 2, backendName: "js", backend, minPoolMs: 60_000 });
  // the workers would have created a js backend: these ran here, on the wasm one
  assert.ok(here.every((r) => r.backend === "wasm"));
  const pooled = await executeJobs<TestJob, { backend: string }>(URL_, "testJob", jobs, { jobs: 2, backendName: "js", backend, minPoolMs: 0 });
  assert.ok(pooled.every((r) => r.backend === "js"));
});

test("--jobs accepts 1..64 and defaults to the number of cores", () => {
  assert.equal(parseJobs("1"), 1);
  assert.equal(parseJobs(String(MAX_JOBS)), MAX_JOBS);
  assert.ok(parseJobs(undefined) >= 1);
  for (const bad of ["0", "65", "1.5", "abc", "-2"]) assert.throws(() => parseJobs(bad), UserError);
});
