// Inputs a user can get wrong, and what the repository must not depend on (issue 7).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig, resolveSeeds } from "../src/cli/run.ts";
import { runTheory } from "../src/cli/theory.ts";
import { writeNpy } from "../src/data/matfile.ts";
import { polygonWp } from "../src/data/generators.ts";
import { fig2 } from "../src/experiments/fig2.ts";
import { fig3 } from "../src/experiments/fig3.ts";
import { heldOut, trainingSource } from "../src/experiments/synthetic.ts";
import { referenceRows } from "../src/experiments/wsae-grid.ts";
import type { Artifact } from "../src/experiments/types.ts";
import { UserError } from "../src/util/errors.ts";
import { mat64 } from "../src/util/mat.ts";
import { ROOT } from "../src/util/root.ts";
import { stream } from "../src/util/rng.ts";
import { tmp } from "./helpers.ts";

const BIN = join(ROOT, "bin", "wsae.mjs");
const wsae = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout, env: { ...process.env, FORCE_COLOR: "0" } });

test("item 5: Top-k sets λ = 0 unless --l1 is given; tied and topk are columns of every synthetic row", () => {
  assert.deepEqual(resolveConfig(fig2, { topk: "2" }, true).config.l1, [0]);
  assert.deepEqual(resolveConfig(fig2, { topk: "2", l1: "0.05" }, true).config.l1, [0.05]);
  assert.deepEqual(resolveConfig(fig2, {}, true).config.l1, [0.1]);
  for (const id of ["fig2", "fig3", "table3"]) {
    const head = readFileSync(join(ROOT, "results", "quick", id, "data.csv"), "utf8").split("\n")[0]!.split(",");
    assert.ok(head.includes("tied") && head.includes("topk"), id);
  }
  assert.ok(fig3.columns.some((c) => c.name === "topk"));
});

test("item 6: held-out samples come from their own stream, never the training batches, and the reference rows use them", () => {
  const Wp = polygonWp(16, 6, stream(0, "wp:polygon")).Wp;
  const S = 0.5, seed = 3, N = 64;
  const held = heldOut(Wp, S, seed, N);
  const train = trainingSource(Wp, S, seed);
  const seen = new Set<string>();
  for (let step = 0; step < 20; step++) {
    const b = train.nextPair(32).x;
    for (let r = 0; r < b.rows; r++) seen.add(Array.from(b.data.subarray(r * b.cols, (r + 1) * b.cols)).join(","));
  }
  for (let r = 0; r < N; r++) assert.ok(!seen.has(Array.from(held.x.data.subarray(r * 16, (r + 1) * 16)).join(",")), `held-out sample ${r} is a training sample`);
  // the zero predictor's L_GT is E‖x‖² over exactly these held-out samples
  const c = { ...structuredClone(fig3.presets.quick), evalSamples: N };
  const zero = referenceRows(c, S, seed, Wp).find((r) => r.label === "zero predictor")!;
  let e2 = 0;
  for (const v of held.x.data) e2 += v * v;
  assert.ok(Math.abs(Number(zero.l_gt) - e2 / N) < 1e-9, `${zero.l_gt} vs ${e2 / N}`);
});

// items 12 and 14, in process (the CLI turns every UserError into one line and exit 2, tested in cli.test.ts)
const REFUSED: [string, Record<string, string>, RegExp][] = [
  ["fig2", { steps: "1e12" }, /--steps must be an integer in \[1, 1,000,000\]/],
  ["fig2", { batch: "1000000" }, /--batch must be an integer in \[1, 65,536\]/],
  ["fig2", { tmsSteps: "1000000000000" }, /--tms-steps must be an integer in \[1, 1,000,000\]/],
  ["fig2", { steps: "1000000", batch: "65536", nm: "200", np: "20", n: "200" }, /multiply-adds per training \(limit 1e\+13\)/],
  ["fig3", { weightSamples: "1000000000000" }, /--weight-samples must be an integer in \[2, 1,000,000\]/],
  ["fig2", { topk: "" }, /--topk must be an integer/],
  ["fig2", { sparsities: "0.5,,0.9" }, /--sparsities: item 2 of '0.5,,0.9' is empty/],
  ["fig2", { l1: "0.1," }, /--l1: item 2 of '0.1,' is empty/],
  ["fig2", { bias: "off," }, /--bias: item 2 of 'off,' is empty/],
];
for (const [id, o, msg] of REFUSED)
  test(`items 12, 14: ${id} ${JSON.stringify(o)} is refused with the limit`, () => {
    assert.throws(() => resolveConfig((id === "fig2" ? fig2 : fig3) as Artifact<any>, o, true), (e: unknown) => e instanceof UserError && msg.test(e.message));
  });

test("item 14: a blank or wrapping seed is refused", () => {
  assert.throws(() => resolveSeeds({ seed: "" }, true), /--seed must be an integer/);
  assert.throws(() => resolveSeeds({ seed: String(2 ** 32) }, true), /--seed must be an integer in \[0, 2,147,483,647\]/);
  assert.throws(() => resolveSeeds({ seeds: "" }, true), /--seeds must be an integer/);
  assert.deepEqual(resolveSeeds({ seed: "7", seeds: "2" }, true), [7, 8]);
});

test("item 10: --out /proc/x fails at once instead of hanging; report --out of a missing folder creates nothing", () => {
  const t0 = Date.now();
  const r = wsae(["fig2", "--quick", "--out", "/proc/wsae-x"], 30_000);
  assert.equal(r.status, 2, `${r.error ?? ""} ${r.stderr}`);
  assert.match(r.stderr, /cannot write results there/);
  assert.ok(Date.now() - t0 < 30_000);
  const empty = wsae(["fig2", "--quick", "--out", ""]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--out needs a folder/);
});

test("item 11: a λ that overflows the weights while the loss stays finite exits 3 with one line", () => {
  const out = tmp("wsae-l1-");
  const r = wsae(["fig2", "--quick", "--quiet", "--l1", "1e300", "--steps", "20", "--backend", "js", "--out", out]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /training diverged .*non-finite weight/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.deepEqual(readdirSync(out), []);
});

test("items 12, 13: theory refuses a W_p too large to analyse; γ of 1e300 is rescaled, not overflowed to 0", () => {
  const dir = tmp("wsae-theory-in-");
  const big = join(dir, "big.npy");
  writeNpy(big, mat64(1001, 1000));
  assert.throws(() => runTheory({ wp: big }), (e: unknown) => e instanceof UserError && /limit 1e\+6/.test(e.message));
  const wp = join(dir, "wp.csv"), g = join(dir, "g.csv");
  writeFileSync(wp, "1,0,0\n0,1,-1\n");
  writeFileSync(g, "1e300,1e300\n");
  const rep = JSON.parse(runTheory({ wp, gamma: g, samples: "200", json: true }));
  assert.deepEqual(rep.theorem5.values, [1, 1]);
});

test("item 14: no command is a usage error (exit 2), and so is help for an unknown command", () => {
  const r = wsae([]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no command given/);
  assert.equal(wsae(["help", "fig2"]).status, 0);
});

/** Every tracked text file under these folders. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|md|mjs|json)$/.test(f) ? [p] : [];
  });
}

test("item 16: nothing in the repository cites files a clone does not have", () => {
  const all = [join(ROOT, "README.md"), ...files(join(ROOT, "src")), ...files(join(ROOT, "test")), ...files(join(ROOT, "docs"))];
  assert.ok(all.some((f) => f.endsWith("method.md")), "docs/method.md ships the method");
  const forbidden = ["../shared", "shared/SPEC", "notes/paper.md", "SPEC §", "SPEC.md", "DESIGN.md"];
  for (const f of all) {
    if (f.endsWith("inputs.test.ts")) continue;
    const text = readFileSync(f, "utf8");
    for (const s of forbidden) assert.ok(!text.includes(s), `${f.slice(ROOT.length + 1)} cites '${s}'`);
  }
});

test("item 17: one Manifest, one verdict-label map, one AnyMat, one project; table3 does not call git; fig1's claims apart from its plot", () => {
  const src = files(join(ROOT, "src")).map((f) => ({ f: f.slice(ROOT.length + 1), t: readFileSync(f, "utf8") }));
  const count = (re: RegExp) => src.filter((x) => re.test(x.t)).map((x) => x.f);
  assert.deepEqual(count(/export type Manifest\b|type Manifest =/), ["src/report/tree.ts"]);
  assert.deepEqual(count(/"✅ reproduced"/), ["src/report/summary.ts"]);
  assert.deepEqual(count(/type AnyMat =/), ["src/util/mat.ts"]);
  assert.deepEqual(count(/export function project\(/), ["src/data/synthetic.ts"]);
  assert.deepEqual(count(/function (intArg|numArg)\(/), []);
  assert.ok(!/util\/git/.test(src.find((x) => x.f === "src/experiments/table3.ts")!.t));
  assert.ok(!/function (readTree|summaryMd)\b|readdirSync|fromCsv/.test(src.find((x) => x.f === "src/cli/run.ts")!.t));
  assert.ok(!/Claims|Summary/.test(src.find((x) => x.f === "src/experiments/fig1-plot.ts")!.t.match(/export function \w+/g)!.join(" ")));
});
