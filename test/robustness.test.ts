// The robustness map's claim logic on small row fixtures (one factor at a time, and the crossed
// grid's shares per factor level), its job plan, and the CLI's one-factor map.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregate, beatsZero, combine, mapOf, type Cell } from "../src/experiments/robustness-map.ts";
import { fullGridCount, jobsOf, robustness, settingsOf, type RobustnessConfig } from "../src/experiments/robustness.ts";
import { contextsOf } from "../src/experiments/robustness-settings.ts";
import { crossedCells, levelShares } from "../src/experiments/robustness-full.ts";
import type { Row } from "../src/experiments/types.ts";

const BIN = join(import.meta.dirname, "..", "bin", "wsae.mjs");
const wsae = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });

const RC: RobustnessConfig = { ...robustness.presets.quick, factors: ["bias"] };
const SPARS = RC.sparsities; // 0.5, 0.9, 0.99; low S ≤ 0.9

type Spec = { lgt: number; lsae: number; pdv: number; count: number };
/** Rows for one bias setting: the SAE, WSAE α = 1 and α = −1, each with a per-seed offset so the paired checks see every seed. */
function modelRows(bias: boolean, m: Record<"SAE" | "a1" | "am1", (S: number) => Spec>): Row[] {
  const rows: Row[] = [];
  const common = { generator: "polygon", n: RC.n, n_p: RC.n_p, n_m: RC.n_m, tied: true, topk: 0, bias, l1: RC.l1 };
  for (const seed of [0, 1])
    for (const S of SPARS)
      for (const [key, label, method, proxy, alpha] of [["SAE", "SAE", "SAE", "uniform", ""], ["a1", "WSAE (variance, α=1)", "WSAE", "variance", 1], ["am1", "WSAE (variance, α=-1)", "WSAE", "variance", -1]] as const) {
        const v = m[key](S);
        rows.push({ ...common, label, method, proxy, alpha, S, seed, l_gt: v.lgt + 0.01 * seed, l_gt_nonsparse: 0.8 * v.lgt + 0.01 * seed, l_sae: v.lsae, per_dim_variance: v.pdv, avg_activated_features: v.count, explained_variance: 0.9 });
      }
  return rows;
}
const zeroRows = (z: number): Row[] => [0, 1].flatMap((seed) => SPARS.map((S) => ({ generator: "polygon", n: RC.n, n_p: RC.n_p, label: "zero predictor", method: "reference", proxy: "", alpha: "", bias: false, l1: 0, S, seed, l_gt: z, l_gt_nonsparse: z, l_sae: 3, per_dim_variance: 0 })));

// base (bias off): count falls 10 → 1; WSAE α = 1 worse on L_GT, comparable L_SAE, lower variance; α = −1 best.
// bias on: count flat; WSAE α = 1 better on L_GT (more on non-sparse dims), L_SAE doubled, higher variance.
const ROWS: Row[] = [
  ...zeroRows(10),
  ...modelRows(false, {
    SAE: (S) => ({ lgt: 5, lsae: 1, pdv: 1, count: S === 0.5 ? 10 : S === 0.9 ? 5 : 1 }),
    a1: () => ({ lgt: 5.1, lsae: 1.05, pdv: 0.9, count: 4 }),
    am1: () => ({ lgt: 4.8, lsae: 1.5, pdv: 0.8, count: 4 }),
  }),
  ...modelRows(true, {
    SAE: () => ({ lgt: 5, lsae: 1, pdv: 1, count: 5 }),
    a1: () => ({ lgt: 4.5, lsae: 2, pdv: 1.2, count: 5 }),
    am1: () => ({ lgt: 5.2, lsae: 1.1, pdv: 1, count: 5 }),
  }),
];
// bias-on's rows must not count for the base, so its l_gt_nonsparse gain is larger only there:
for (const r of ROWS) if (r.bias === true && r.label === "WSAE (variance, α=1)") r.l_gt_nonsparse = 0.6 * Number(r.l_gt);

const verdictOf = (cells: Cell[], claim: string, setting: string) => cells.find((c) => c.claim === claim && c.setting === setting)!.verdict;

test("map: each claim holds in exactly the setting the fixture makes it hold in", () => {
  const settings = settingsOf(RC);
  assert.deepEqual(settings.map((s) => s.id), ["base", "bias=on"]);
  const cells = mapOf(settings, ROWS);
  const table: [string, string, string][] = [
    ["fig2", "reproduced", "not reproduced"],
    ["a", "not reproduced", "reproduced"],
    ["b", "not reproduced", "reproduced"],
    ["c", "reproduced", "not reproduced"],
    ["d", "not reproduced", "reproduced"],
    ["alpha", "not reproduced", "reproduced"],
    ["zero", "reproduced", "reproduced"],
  ];
  for (const [claim, base, on] of table) {
    assert.equal(verdictOf(cells, claim, "base"), base, `${claim} in base`);
    assert.equal(verdictOf(cells, claim, "bias=on"), on, `${claim} with bias on`);
  }
  assert.equal(cells.find((c) => c.claim === "a" && c.setting === "bias=on")!.key, "-10%");
  assert.equal(cells.find((c) => c.claim === "alpha" && c.setting === "base")!.key, "best α=-1");
  const agg = aggregate(settings, cells);
  const a = agg.find((x) => x.id.startsWith("fig3 (a)"))!;
  assert.equal(a.verdict, "partly reproduced");
  assert.match(a.evidence, /^holds in 1\/2: bias on \(-10%\); fails in 1\/2: base \(polygon\)/);
  assert.equal(agg.find((x) => x.id.startsWith("a trained model"))!.verdict, "reproduced");
});

test("map: the reference rows are shared by every setting of the same W_p, whatever its bias", () => {
  // without them, gridClaims' gate would call bias-on's (a) inconclusive (no zero predictor)
  const cells = mapOf(settingsOf(RC), ROWS.filter((r) => !(r.bias === true && r.method === "reference")));
  assert.equal(verdictOf(cells, "a", "bias=on"), "reproduced");
});

test("beats the all-zero predictor: table of fixtures", () => {
  const rows = (z: number | null, lgt: Record<number, number>): Row[] => [
    ...(z === null ? [] : [0.5, 0.9].map((S) => ({ S, seed: 0, label: "zero predictor", method: "reference", l_gt: z }))),
    ...[0.5, 0.9].flatMap((S) => [{ S, seed: 0, label: "SAE", method: "SAE", l_gt: lgt[S]! }, { S, seed: 0, label: "W", method: "WSAE", l_gt: lgt[S]! + 1 }]),
  ];
  const cases: [string, number | null, Record<number, number>, string, string][] = [
    ["below at both S", 10, { 0.5: 5, 0.9: 8 }, "reproduced", "0.80× zero"],
    ["below at one S", 10, { 0.5: 12, 0.9: 8 }, "partly reproduced", "1.2× zero"],
    ["above at both", 10, { 0.5: 12, 0.9: 11 }, "not reproduced", "1.2× zero"],
    ["equal is not below", 10, { 0.5: 10, 0.9: 10 }, "not reproduced", "1× zero"],
    ["no zero rows", null, { 0.5: 5, 0.9: 5 }, "inconclusive", "n/a"],
  ];
  for (const [name, z, lgt, verdict, key] of cases) {
    const r = beatsZero(rows(z, lgt), [0.5, 0.9]);
    assert.equal(r.verdict, verdict, name);
    assert.equal(r.key, key, name);
  }
});

test("combine: verdicts over several S", () => {
  assert.equal(combine(["reproduced", "reproduced"]), "reproduced");
  assert.equal(combine(["reproduced", "not reproduced"]), "partly reproduced");
  assert.equal(combine(["inconclusive", "not reproduced"]), "inconclusive");
  assert.equal(combine([]), "inconclusive");
});

test("full preset: 420 distinct trainings (one base grid shared by every factor); --grid full 5760", () => {
  const full = robustness.presets.full;
  const jobs = jobsOf(full, [0, 1, 2]);
  assert.equal(jobs.length, 420); // 4 S × 3 seeds × (base 5 + 10 settings × 3)
  assert.equal(new Set(jobs.map((j) => JSON.stringify([j.job.c.generator, j.job.c.n, j.job.c.bias, j.job.c.l1, j.job.c.tied, j.job.c.topk, j.job.S, j.job.seed, j.job.m]))).size, 420);
  assert.equal(jobs.filter((j) => j.setting.startsWith("alpha=") || j.setting === "oracle").length, 0, "the weights factor reuses the base's trainings");
  assert.equal(fullGridCount(full, 3), 5760); // 4 generators × 2 bias × 6 mechanisms × 2 tyings × 5 models × 4 S × 3 seeds
});

test("bad --grid, --factors, or a Top-k wider than npi's SAE in the crossed grid: one line, exit 2, nothing written", () => {
  const out = mkdtempSync(join(tmpdir(), "wsae-rob-"));
  for (const [args, msg] of [
    [["--grid", "crossed"], /--grid takes ofat .* or full .*got 'crossed'/],
    [["--grid", "full", "--factors", "generator,colour"], /--factors must be a list of generator, bias, sparsity, tying, weights \(got 'colour'\)/],
    [["--grid", "full", "--topks", "4,12"], /crosses Top-k with the npi generator, whose SAE has n_m = --npi-n = 9 latents: --topks 12 exceed it/],
  ] as const) {
    const r = wsae(["robustness", "--quick", "--quiet", ...args, "--out", out]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, msg);
  }
  assert.ok(!existsSync(join(out, "quick")));
});

test("wsae robustness --quick (one factor, few steps) writes the map", () => {
  const out = mkdtempSync(join(tmpdir(), "wsae-rob-"));
  const r = wsae(["robustness", "--quick", "--quiet", "--factors", "bias", "--steps", "40", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const dir = join(out, "quick", "robustness");
  const csv = readFileSync(join(dir, "data.csv"), "utf8").trim().split("\n");
  assert.match(csv[0]!, /^artifact,setting,generator,n,n_p,n_m,tied,topk,label,method,/);
  assert.equal(csv.length, 1 + 3 * 2 + 3 * 3 * 2); // references (zero, closed form) + base (SAE, α=1, α=−1) + bias on, per S
  const summary = readFileSync(join(dir, "summary.md"), "utf8");
  assert.match(summary, /\| claim \| base \(polygon\) \| bias on \|/);
  assert.equal(readFileSync(join(dir, "figure.png")).subarray(1, 4).toString(), "PNG");
});

// ---- the crossed grid on the same fixture: bias crossed, so two contexts (bias off = the base, bias on) ----

const RCX: RobustnessConfig = { ...RC, grid: "full" };
const share = (cells: Cell[], claim: string, level: string) => levelShares(contextsOf(RCX), cells, RCX.factors).find((s) => s.claim === claim && s.level === level)!;

test("crossed map: the one-factor verdicts per context, and per level a claim that holds in exactly one context", () => {
  const ids = contextsOf(RCX).map((x) => x.id);
  assert.deepEqual(ids, ["gen=polygon,bias=off,mech=l1_0.1,tied=true", "gen=polygon,bias=on,mech=l1_0.1,tied=true"]);
  const cells = crossedCells(RCX, ROWS);
  assert.equal(verdictOf(cells, "a", ids[0]!), "not reproduced");
  assert.equal(verdictOf(cells, "a", ids[1]!), "reproduced");
  assert.deepEqual(share(cells, "a", "all contexts"), { claim: "a", factor: "all", level: "all contexts", n: 2, yes: 1, part: 0, no: 1, undecided: 0 });
  assert.deepEqual([share(cells, "a", "bias off").yes, share(cells, "a", "bias off").n], [0, 1]);
  assert.deepEqual([share(cells, "a", "bias on").yes, share(cells, "a", "bias on").n], [1, 1]);
  assert.equal(share(cells, "zero", "all contexts").yes, 2);
  // only crossed factors get columns
  assert.deepEqual([...new Set(levelShares(contextsOf(RCX), cells, RCX.factors).map((s) => s.level))], ["all contexts", "bias off", "bias on"]);
});

test("crossed map: a NaN or a missing seed makes that context's claim undecided, counted apart from fails", () => {
  const nan = ROWS.map((r) => (r.bias === true && r.label === "WSAE (variance, α=1)" && r.S === 0.5 && r.seed === 0 ? { ...r, l_gt: NaN } : r));
  let cells = crossedCells(RCX, nan);
  assert.equal(verdictOf(cells, "a", "gen=polygon,bias=on,mech=l1_0.1,tied=true"), "inconclusive");
  assert.deepEqual(share(cells, "a", "bias on"), { claim: "a", factor: "bias", level: "bias on", n: 1, yes: 0, part: 0, no: 0, undecided: 1 });
  assert.equal(share(cells, "a", "all contexts").undecided, 1);
  const missing = ROWS.filter((r) => !(r.bias === true && r.label === "SAE" && r.seed === 1));
  cells = crossedCells(RCX, missing);
  assert.equal(verdictOf(cells, "a", "gen=polygon,bias=on,mech=l1_0.1,tied=true"), "inconclusive");
  assert.equal(share(cells, "a", "bias off").no, 1, "the other context is untouched");
});
