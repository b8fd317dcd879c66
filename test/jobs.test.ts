// The layer between an artifact's trainings and whatever runs them: the result cache
// behind `wsae all`'s resume, `--shard i/n` and `wsae merge`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirStore, MemStore, ShardStandIn, jobKey, parseShard, wrapRunJobs, type Executor } from "../src/cli/jobs.ts";
import { resultCommand } from "../src/report/summary.ts";

const BIN = join(import.meta.dirname, "..", "bin", "wsae.mjs");
const temps: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  temps.push(d);
  return d;
};
test.after(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const wsae = (args: string[], cache: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", WSAE_CACHE_DIR: cache } });

/** An executor that squares numbers and records what it was asked to run. */
function squarer() {
  const ran: number[] = [];
  const exec: Executor = async <J, R>(_u: string, _f: string, jobs: J[], _l: (j: J) => string, onResult?: (i: number, r: R) => void) =>
    jobs.map((j, i) => {
      ran.push(j as number);
      const r = ((j as number) ** 2) as R;
      onResult?.(i, r);
      return r;
    });
  return { exec, ran };
}
const URL_ = import.meta.url;

test("job keys change with the job, the function and the backend, and not otherwise", () => {
  const k = jobKey(URL_, "f", { S: 0.5, g: new Float32Array([1, 2]) }, "js:js");
  assert.equal(k, jobKey(URL_, "f", { S: 0.5, g: new Float32Array([1, 2]) }, "js:js"));
  assert.notEqual(k, jobKey(URL_, "f", { S: 0.5, g: new Float32Array([1, 3]) }, "js:js"));
  assert.notEqual(k, jobKey(URL_, "f", { S: 0.5, g: new Float64Array([1, 2]) }, "js:js"));
  assert.notEqual(k, jobKey(URL_, "h", { S: 0.5, g: new Float32Array([1, 2]) }, "js:js"));
  assert.notEqual(k, jobKey(URL_, "f", { S: 0.5, g: new Float32Array([1, 2]) }, "wasm:simd"));
});

test("a store serves finished jobs and keeps new ones; only the missing ones run", async () => {
  const store = new DirStore(tmp("wsae-store-"));
  const a = squarer();
  const r1 = wrapRunJobs(a.exec, { backend: "js:js", store });
  assert.deepEqual(await r1.runJobs(URL_, "sq", [1, 2, 3], String), [1, 4, 9]);
  const b = squarer();
  const r2 = wrapRunJobs(b.exec, { backend: "js:js", store });
  assert.deepEqual(await r2.runJobs(URL_, "sq", [2, 3, 4], String), [4, 9, 16]);
  assert.deepEqual(b.ran, [4], "2 and 3 came from the store");
  assert.deepEqual(r2.stats, { executed: 1, reused: 2, skipped: 0 });
  const c = squarer();
  assert.deepEqual(await wrapRunJobs(c.exec, { backend: "other", store }).runJobs(URL_, "sq", [2], String), [4]);
  assert.deepEqual(c.ran, [2], "another backend never reuses a result");
});

test("shards split jobs by their index across calls; a stand-in ends the shard when read", async () => {
  const own = [new MemStore(), new MemStore()];
  const ran: number[][] = [];
  for (const i of [1, 2]) {
    const s = squarer();
    const w = wrapRunJobs(s.exec, { backend: "b", shard: { index: i, count: 2 }, own: own[i - 1] });
    const first = await w.runJobs(URL_, "sq", [1, 2, 3], String);
    await w.runJobs(URL_, "sq", [4, 5], String); // global indices 3, 4
    ran.push(s.ran);
    assert.throws(() => (first[i === 1 ? 1 : 0] as unknown as { x: number }).x, ShardStandIn);
  }
  assert.deepEqual(ran, [[1, 3, 5], [2, 4]]);
  // merge: the union serves everything, and nothing is recomputed
  const union = new MemStore();
  for (const o of own) for (const [k, v] of o.entries) union.entries.set(k, v);
  const m = squarer();
  const w = wrapRunJobs(m.exec, { backend: "b", store: union, storedOnly: "merge" });
  assert.deepEqual(await w.runJobs(URL_, "sq", [1, 2, 3], String), [1, 4, 9]);
  assert.deepEqual(await w.runJobs(URL_, "sq", [4, 5], String), [16, 25]);
  assert.deepEqual(m.ran, []);
  await assert.rejects(w.runJobs(URL_, "sq", [6], String), /merge: no result for job '6'/);
});

test("--shard and the summary's command", () => {
  assert.deepEqual(parseShard("2/4"), { index: 2, count: 4 });
  for (const bad of ["0/4", "5/4", "1/0", "a/b", "1", ""]) assert.throws(() => parseShard(bad), /--shard takes i\/n/);
  assert.equal(resultCommand("wsae fig3 --quick --out /tmp/x --shard 1/2 --quiet --seeds 2 --out=y --resume"), "wsae fig3 --quick --seeds 2");
});

test("shard + merge writes the tree one run writes, byte for byte", () => {
  const cache = tmp("wsae-cache-");
  const single = tmp("wsae-single-"), merged = tmp("wsae-merged-");
  const shards = [tmp("wsae-s1-"), tmp("wsae-s2-")];
  // fig3 (its tms companion), fig4 and robustness build later jobs from earlier results (toy models, embedders): every shard runs
  // those; fig2 takes its toy models from the same trainTmsWps as fig3, so fig3 stands for both here
  const arts = ["fig3", "table3", "fig4", "robustness"];
  // kept small: what is tested is which jobs each shard runs, not what they learn
  const short = ["--steps", "30", "--tms-steps", "30"];
  const EXTRA: Record<string, string[]> = {
    robustness: ["--factors", "generator", ...short], fig3: [...short, "--sparsities", "0.5,0.9"], table3: ["--steps", "30"],
  };
  const extra = (a: string) => EXTRA[a] ?? [];
  for (const a of arts) {
    assert.equal(wsae([a, "--quick", "--quiet", ...extra(a), "--out", single], cache).status, 0);
    shards.forEach((d, i) => {
      const r = wsae([a, "--quick", "--quiet", ...extra(a), "--shard", `${i + 1}/2`, "--out", d], cache);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!existsSync(join(d, "quick", a)), "a shard writes no artifact tree");
    });
  }
  const r = wsae(["merge", ...shards, "--out", merged, "--quiet"], cache);
  assert.equal(r.status, 0, r.stderr);
  for (const a of arts) {
    const files = readdirSync(join(single, "quick", a)).filter((f) => f !== "manifest.json");
    assert.ok(files.includes("data.csv") && files.includes("summary.md"));
    for (const f of files) assert.ok(readFileSync(join(single, "quick", a, f)).equals(readFileSync(join(merged, "quick", a, f))), `${a}/${f}`);
    const m = JSON.parse(readFileSync(join(merged, "quick", a, "manifest.json"), "utf8"));
    assert.equal(m.trainings.executed, 0, "merge trains nothing");
    assert.equal(m.merged_from.length, 2);
  }
  // a missing shard, a shard given twice, a folder with none: one line, exit 2
  const miss = wsae(["merge", shards[0]!, "--out", merged], cache);
  assert.equal(miss.status, 2);
  assert.match(miss.stderr, /missing 2\/2/);
  const twice = wsae(["merge", shards[0]!, shards[0]!, shards[1]!, "--out", merged], cache);
  assert.equal(twice.status, 0, "the same folder named twice is one shard");
  const none = wsae(["merge", cache, "--out", merged], cache);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no shard trees/);
  assert.equal(wsae(["fig2", "--quick", "--shard", "3/2"], cache).status, 2);
});

test("--resume reuses every finished training: same bytes, nothing retrained", () => {
  const cache = tmp("wsae-cache-"), out = tmp("wsae-resume-");
  assert.equal(wsae(["fig2", "--quick", "--quiet", "--resume", "--out", out], cache).status, 0);
  const csv = readFileSync(join(out, "quick", "fig2", "data.csv"), "utf8");
  const m1 = JSON.parse(readFileSync(join(out, "quick", "fig2", "manifest.json"), "utf8"));
  assert.deepEqual([m1.trainings.executed, m1.trainings.reused], [15, 0]); // 3 tms toy models + 2 generators × 3 S × 2 bias
  assert.equal(wsae(["fig2", "--quick", "--quiet", "--resume", "--out", out], cache).status, 0);
  const m2 = JSON.parse(readFileSync(join(out, "quick", "fig2", "manifest.json"), "utf8"));
  assert.deepEqual([m2.trainings.executed, m2.trainings.reused], [0, 15]);
  assert.equal(readFileSync(join(out, "quick", "fig2", "data.csv"), "utf8"), csv);
});

test("a killed `wsae all` resumes without repeating a finished training", async () => {
  const cache = tmp("wsae-cache-"), out = tmp("wsae-all-");
  const jobsDir = join(cache, "jobs");
  const count = () => (existsSync(jobsDir) ? readdirSync(jobsDir).flatMap((d) => readdirSync(join(jobsDir, d))).length : 0);
  const child = spawn(process.execPath, [BIN, "all", "--quick", "--quiet", "--only", "fig3", "--out", out], { env: { ...process.env, WSAE_CACHE_DIR: cache }, stdio: "ignore" });
  const exited = new Promise((res) => child.on("exit", res));
  const t0 = Date.now();
  while (count() < 3 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGKILL");
  await exited;
  const before = count();
  assert.ok(before >= 3, `some trainings finished before the kill (${before})`);
  const r = wsae(["all", "--quick", "--quiet", "--only", "fig3", "--out", out], cache);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, "quick", "fig3", "manifest.json"), "utf8"));
  assert.ok(m.trainings.reused >= before, `reused ${m.trainings.reused} of the ${before} finished before the kill`);
  assert.equal(m.trainings.executed + m.trainings.reused, 9 + 3 + 6); // the grid, then the tms companion's toy models and SAEs
  assert.match(r.stdout, /fig3 .* \d+ s/);
  assert.ok(existsSync(join(out, "quick", "REPORT.md")));
  assert.equal(wsae(["all", "--only", "fig9"], cache).status, 2);
});

test("`wsae all --quick` runs every artifact end to end and writes one table and REPORT.md", () => {
  const cache = tmp("wsae-cache-"), out = tmp("wsae-allq-");
  const r = wsae(["all", "--quick", "--quiet", "--out", out], cache);
  assert.equal(r.status, 0, r.stderr);
  const ids = ["fig1", "fig2", "fig3", "fig4", "fig5", "table1", "table2", "table3", "robustness"];
  for (const id of ids) {
    assert.match(r.stdout, new RegExp(`^${id}\\s+\\S.* \\d+ s\\s+\\d+ / \\d+`, "m"), `${id} has a row`);
    assert.ok(existsSync(join(out, "quick", id, "summary.md")), id);
  }
  assert.match(r.stdout, /all 9 artifacts in \d+ s/);
  const report = readFileSync(join(out, "quick", "REPORT.md"), "utf8");
  for (const id of ids) assert.match(report, new RegExp(`\\[${id}\\]\\(${id}/summary\\.md\\)`));
  assert.ok(!existsSync(join(out, "REPORT.md")), "a quick run leaves the full REPORT.md alone");
});
