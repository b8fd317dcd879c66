// `wsae robustness --grid full`: the crossed contexts and their trainings (from the config
// alone), and the crossed tree end to end — cells.csv, validation of it read back, and
// shard + merge giving the bytes of a single run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { robustness } from "../src/experiments/robustness.ts";
import { contextsOf, expectedRows, fullGridCount, jobsOf, refsOf, settingsOf, type RobustnessConfig } from "../src/experiments/robustness-settings.ts";
import { readTree } from "../src/report/tree.ts";
import { validateTree } from "../src/report/validate.ts";
import { tmp } from "./helpers.ts";

const BIN = join(import.meta.dirname, "..", "bin", "wsae.mjs");
const wsae = (args: string[], cache: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", WSAE_CACHE_DIR: cache } });

const Q: RobustnessConfig = { ...robustness.presets.quick, grid: "full" };
const level = (x: ReturnType<typeof contextsOf>[number], f: string) => x.levels.find((l) => l.factor === f)!.label;

test("crossed contexts: every combination once, each level present, λ = 0 with Top-k, npi sizes, tied flags", () => {
  const all = contextsOf(Q);
  const main = all.filter((x) => !x.sharesBaseSae);
  assert.equal(main.length, 4 * 2 * 6 * 2); // generators × bias × (λ 0.1, 0.03, 0.3, Top-k 2, 4, 8) × tyings
  assert.equal(all.length, main.length * 4, "with weights crossed each is judged with α=1, α=0.5, α=-1 and oracle Γ");
  assert.equal(new Set(all.map((x) => x.id)).size, all.length);
  assert.equal(main[0]!.id, "gen=polygon,bias=off,mech=l1_0.1,tied=true");
  for (const [f, n] of [["generator", 4], ["bias", 2], ["sparsity", 6], ["tying", 2]] as const)
    for (const l of new Set(main.map((x) => level(x, f)))) assert.equal(main.filter((x) => level(x, f) === l).length, main.length / n, `${f} ${l}`);
  for (const x of main) {
    if (x.c.topk > 0) assert.equal(x.c.l1[0], 0, x.id);
    else assert.ok(x.c.l1[0]! > 0, x.id);
    assert.equal(x.c.tied, x.id.endsWith("tied=true"));
    if (x.c.generator === "npi") assert.deepEqual([x.c.n, x.c.n_p, x.c.n_m], [Q.npiN, Q.npiNp, Q.npiN]);
    else assert.deepEqual([x.c.n, x.c.n_p, x.c.n_m], [Q.n, Q.n_p, Q.n_m]);
    assert.equal(x.train.length, 5, "SAE, α=1, α=0.5, α=-1, oracle");
  }
  // factors not crossed stay at the base; without weights: SAE, α=1 and the α=-1 probe, judged at α=1 only
  const two = contextsOf({ ...Q, factors: ["generator", "tying"] });
  assert.equal(two.length, 8);
  assert.ok(two.every((x) => x.c.bias[0] === false && x.c.l1[0] === Q.l1 && x.c.topk === 0 && x.train.length === 3 && !x.sharesBaseSae));
  assert.equal(fullGridCount(robustness.presets.full, 3), 5760);
});

test("crossed trainings: one per distinct model, variants and repeated λ add none, ofat's are a subset (shared cache)", () => {
  const seeds = [0, 1];
  const jobs = jobsOf(Q, seeds);
  assert.equal(jobs.length, 96 * 5 * Q.sparsities.length * seeds.length);
  assert.equal(jobsOf({ ...Q, l1s: [Q.l1, ...Q.l1s] }, seeds).length, jobs.length, "a λ given twice is one level");
  const key = (j: (typeof jobs)[number]) => JSON.stringify([j.job.c, j.job.S, j.job.seed, j.job.m]);
  const crossed = new Set(jobs.map(key));
  assert.equal(crossed.size, jobs.length);
  // the same training in both grids is the same job, config bytes and all: the job cache serves it to either
  for (const j of jobsOf({ ...Q, grid: "ofat" }, seeds)) assert.ok(crossed.has(key(j)), j.setting);
  assert.ok(settingsOf(Q).length < contextsOf(Q).length);
  // reference rows once per W_p (generator, size, S, seed), not per context
  assert.equal(refsOf(Q, seeds).length, 4 * Q.sparsities.length * seeds.length);
  assert.equal(expectedRows(Q, seeds).length, jobs.length + 2 * refsOf(Q, seeds).length);
});

test("--grid full end to end: cells.csv, validated when read back (a hand-edited verdict refused), shard + merge byte for byte", () => {
  const cache = tmp("wsae-cache-"), single = tmp("wsae-gf-"), merged = tmp("wsae-gfm-");
  const shards = [tmp("wsae-gf1-"), tmp("wsae-gf2-")];
  const args = ["robustness", "--grid", "full", "--quick", "--quiet", "--factors", "bias,tying", "--steps", "30"];
  let r = wsae([...args, "--out", single], cache);
  assert.equal(r.status, 0, r.stderr);
  shards.forEach((d, i) => {
    r = wsae([...args, "--shard", `${i + 1}/2`, "--out", d], cache);
    assert.equal(r.status, 0, r.stderr);
  });
  r = wsae(["merge", ...shards, "--out", merged, "--quiet"], cache);
  assert.equal(r.status, 0, r.stderr);
  const dir = join(single, "quick", "robustness");
  for (const f of ["data.csv", "cells.csv", "summary.md", "figure.png"]) assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(merged, "quick", "robustness", f))), f);
  const csv = readFileSync(join(dir, "data.csv"), "utf8").trim().split("\n");
  assert.equal(csv.length, 1 + 4 * 3 * 3 + 2 * 3); // 4 contexts × (SAE, α=1, α=-1) × 3 S, and 2 reference rows per S
  assert.match(csv[1]!, /^robustness,"gen=polygon,bias=off,mech=l1_0.1,tied=true",polygon,/);
  assert.equal(readFileSync(join(dir, "cells.csv"), "utf8").trim().split("\n").length, 1 + 4 * 7);
  const summary = readFileSync(join(dir, "summary.md"), "utf8");
  assert.match(summary, /\| factor \| level \| fig2 \| a \| b \| c \| d \| alpha \| zero \|\n\|---\|---\|/);
  for (const l of ["all \\| all contexts", "encoder bias \\| bias off", "encoder bias \\| bias on", "decoder \\| tied", "decoder \\| untied"]) assert.match(summary, new RegExp(`\\| ${l} \\| \\d+/\\d+ ✅`), l);
  assert.match(summary, /36 trainings in data.csv/);
  const t = readTree(dir)!;
  validateTree(robustness, t);
  t.out.extra!.cells![0]!.verdict = t.out.extra!.cells![0]!.verdict === "reproduced" ? "not reproduced" : "reproduced";
  assert.throws(() => validateTree(robustness, t), /cells\.csv: context gen=polygon,bias=off,mech=l1_0\.1,tied=true, weights α=1, claim fig2: verdict/);
  t.out.extra = undefined;
  assert.throws(() => validateTree(robustness, t), /cells\.csv: missing/);
  assert.ok(!existsSync(join(shards[0]!, "quick", "robustness")), "a shard writes no artifact tree");
});
