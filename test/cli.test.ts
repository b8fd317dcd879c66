// The CLI as a user meets it: quick presets end to end, byte-identical reruns,
// one-line errors with exit code 2, and nothing written on bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { artifact } from "../src/experiments/registry.ts";
import { readTree } from "../src/report/tree.ts";
import { validateTree } from "../src/report/validate.ts";
import { gitState } from "../src/util/git.ts";
import { ROOT } from "../src/util/root.ts";
import { tmp } from "./helpers.ts";

const BIN = join(import.meta.dirname, "..", "bin", "wsae.mjs");
const wsae = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", ...env } });

test("wsae list names every artifact of the paper", () => {
  const r = wsae(["list"]);
  assert.equal(r.status, 0);
  for (const id of ["fig1", "fig2", "fig3", "fig4", "fig5", "table1", "table2", "table3"]) assert.match(r.stdout, new RegExp(`\\b${id}\\b`));
  assert.match(r.stdout, /✔ fig2/);
});

test("fig2 --quick writes the full results tree, and a rerun is byte-identical", () => {
  const out = tmp("wsae-fig2-");
  const r1 = wsae(["fig2", "--quick", "--quiet", "--out", out]);
  assert.equal(r1.status, 0, r1.stderr);
  const dir = join(out, "quick", "fig2");
  for (const f of ["data.csv", "summary.md", "figure.svg", "figure.png", "manifest.json"]) assert.ok(existsSync(join(dir, f)), f);
  assert.ok(!existsSync(join(out, "fig2")), "a quick run must not touch the full-run tree");
  const csv1 = readFileSync(join(dir, "data.csv"), "utf8");
  const lines = csv1.trim().split("\n");
  assert.match(lines[0]!, /^artifact,generator,bias,l1,tied,topk,S,seed,l_sae,l_gt,/);
  assert.equal(lines.length, 1 + 2 * 3 * 2); // 2 generators (polygon, tms) × 3 sparsities × 2 bias settings × 1 seed
  const header = lines[0]!.split(",");
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    const count = Number(cells[header.indexOf("avg_activated_features")]);
    assert.ok(count >= 1 && count <= 16, `activated features ${count}`);
    assert.ok(["true", "false"].includes(cells[header.indexOf("bias")]!));
  }
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  assert.equal(m.preset, "quick");
  assert.deepEqual(m.backend, { name: "wasm", mode: "simd128", requested: "auto" });
  assert.ok(Number.isInteger(m.jobs) && m.jobs >= 1);
  assert.deepEqual(m.seeds, [0]);
  assert.equal(m.config.n_p, 6);
  assert.ok(m.wall_s.run > 0);
  const summary = readFileSync(join(dir, "summary.md"), "utf8");
  assert.match(summary, /\| claim \| the paper says \| verdict \| our numbers \|/);
  assert.match(summary, /\| falls-with-S \(polygon, bias off\) \| .* \| 🟡 partly reproduced \|/);
  assert.match(summary, /\| falls-with-S \(polygon, bias on\) \| .* \| ❌ not reproduced \|/);
  // the setting closest to the paper: tms runs in the quick preset, and the section repeats its claims' verdicts
  const closest = summary.split("### In the setting closest to the paper")[1]!;
  for (const bias of ["off", "on"]) {
    const verdict = new RegExp(`\\| falls-with-S \\(tms, bias ${bias}\\) \\| [^|]* \\| ([^|]+) \\|`).exec(summary)![1]!.trim();
    assert.match(closest, new RegExp(`\\| bias ${bias}[^|]* \\| ${verdict} \\(`), `tms, bias ${bias}`);
  }
  assert.equal(readFileSync(join(dir, "figure.png")).subarray(1, 4).toString(), "PNG");
  assert.match(readFileSync(join(dir, "figure.svg"), "utf8"), /<svg/);
  const r2 = wsae(["fig2", "--quick", "--quiet", "--out", out]);
  assert.equal(r2.status, 0);
  assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), csv1);
  assert.deepEqual(readdirSync(join(out, "quick")), ["fig2"], "no temporary folders left behind");
});

test("the gpujs backend runs fig2 --quick and says so in the manifest", () => {
  const out = tmp("wsae-gpujs-");
  const r = wsae(["fig2", "--quick", "--quiet", "--backend", "gpujs", "--steps", "50", "--generator", "polygon", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, "quick", "fig2", "manifest.json"), "utf8"));
  assert.deepEqual(m.backend, { name: "gpujs", mode: "webasm", requested: "gpujs" });
  assert.deepEqual(m.overrides, ["--generator", "--steps"]);
});

test("data.csv is byte-identical for --jobs 1 (serial, in-process), --jobs 2 and --jobs 3 (worker threads)", () => {
  const csv = (jobs: string) => {
    const out = tmp(`wsae-jobs${jobs}-`);
    // WSAE_POOL_MIN_MS=0: hand the jobs to the workers even though this run is short
    const r = wsae(["fig3", "--quick", "--quiet", "--steps", "60", "--tms-steps", "60", "--jobs", jobs, "--out", out], { WSAE_POOL_MIN_MS: "0" });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(out, "quick", "fig3", "manifest.json"), "utf8"));
    assert.equal(m.jobs, Number(jobs));
    return readFileSync(join(out, "quick", "fig3", "data.csv"), "utf8");
  };
  const serial = csv("1");
  assert.equal(serial.trim().split("\n").length, 1 + 3 * 5 + 3 * 4); // + the tms companion: 2 references, SAE, WSAE per S
  assert.equal(csv("2"), serial);
  assert.equal(csv("3"), serial);
});

const BAD: [string[], RegExp][] = [
  [["fig2", "--quick", "--sparsities", "0.5,1"], /--sparsities must be in \[0, 1\)/],
  [["fig2", "--quick", "--sparsities", "-0.1,0.5"], /--sparsities must be in \[0, 1\)/],
  [["fig2", "--quick", "--n", "0"], /--n must be an integer in \[2, 100,000\]/],
  [["fig2", "--quick", "--nm", "-3"], /--nm must be an integer in \[1, 100,000\]/],
  [["fig2", "--quick", "--steps", "abc"], /--steps must be an integer/],
  [["fig2", "--quick", "--topk", "99"], /Top-k k = 99 \(--topk, or robustness.s --topks\) exceeds the SAE width/],
  [["fig2", "--quick", "--backend", "cuda"], /argument 'cuda' is invalid/],
  [["fig2", "--quick", "--jobs", "0"], /--jobs must be an integer in \[1, 64\]/],
  [["fig3", "--quick", "--jobs", "65"], /--jobs must be an integer in \[1, 64\]/],
  [["fig2", "--quick", "--generator", "fancy"], /--generator must be one of/],
  [["fig2", "--quick", "--n", "5", "--np", "6"], /n > n_p/],
  [["fig2", "--quick", "--wat"], /unknown option '--wat'/],
  [["fig2", "--quick", "--seeds", "0"], /--seeds must be an integer/],
  [["fig9"], /unknown command 'fig9'/],
  [["fig2", "--quick", "--sparsities", "0.5,0.5"], /at least two sparsity levels/],
  [["fig2", "--quick", "--eval-samples", "1000000000"], /--eval-samples must be an integer in \[16, 1,000,000\]/],
  [["fig4", "--quick", "--k", "0"], /--k must be/],
  [["help", "fig9"], /unknown command 'fig9'/],

  [["fig3", "--quick", "--from-results", "--steps", "3"], /takes no other settings \(got --steps\)/],
];
for (const [args, msg] of BAD) {
  test(`bad input: wsae ${args.join(" ")} → one line, exit 2, nothing written`, () => {
    const out = tmp("wsae-bad-");
    const r = wsae([...args, "--out", out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
    assert.deepEqual(readdirSync(out), []);
  });
}

test("--help shows examples on every command", () => {
  for (const cmd of [[], ["list"], ["report"], ["theory"], ["fig1"], ["fig2"], ["fig3"], ["table3"]]) {
    const r = execFileSync(process.execPath, [BIN, ...cmd, "--help"], { encoding: "utf8" });
    assert.match(r, /Examples?:/, cmd.join(" "));
  }
});

test("fig3 --quick and table3 --quick write their trees with reference rows and sweeps", () => {
  const out = tmp("wsae-fig3-");
  for (const id of ["fig3", "table3"]) {
    const r = wsae([id, "--quick", "--quiet", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
  }
  const f3 = readFileSync(join(out, "quick", "fig3", "data.csv"), "utf8");
  const head = f3.split("\n")[0]!.split(",");
  for (const c of ["label", "method", "proxy", "alpha", "l_gt", "l_gt_nonsparse", "l_sae", "per_dim_variance", "l0", "dead_latents", "explained_variance", "mmcs_feat", "matched_cos"])
    assert.ok(head.includes(c), c);
  // 3 S × (2 references + SAE + 2 WSAE) × 1 seed, then the tms companion: 3 S × (2 references + SAE + variance WSAE)
  const f3lines = f3.trim().split("\n");
  assert.equal(f3lines.length, 1 + 3 * 5 + 3 * 4);
  assert.deepEqual(f3lines.slice(1).map((l) => l.split(",")[1]), [...Array(15).fill("polygon"), ...Array(12).fill("tms")]);
  assert.match(f3, /zero predictor/);
  assert.match(f3, /closed form/);
  assert.ok(existsSync(join(out, "quick", "fig3", "figure.png")));
  assert.match(readFileSync(join(out, "quick", "fig3", "summary.md"), "utf8"), /\| \(a\) lower L_GT — WSAE \(variance, α=1\), in the tms setting \(closest to the paper\) \|/);
  // the validator reads the companion's rows off the manifest's config, and still rejects a tree without them
  const f3dir = join(out, "quick", "fig3");
  validateTree(artifact("fig3")!, readTree(f3dir)!);
  const noTms = readTree(f3dir)!;
  noTms.out.rows = noTms.out.rows.filter((r) => !(r.generator === "tms" && r.label === "SAE" && r.S === 0.5));
  assert.throws(() => validateTree(artifact("fig3")!, noTms), /1 row\(s\) missing .* = tms · SAE · false · 0.1 · 0.5 · 0$/);
  const off = readTree(f3dir)!;
  (off.manifest.config as Record<string, unknown>).closest = false;
  assert.throws(() => validateTree(artifact("fig3")!, off), /12 row\(s\) not implied by the manifest's config and seeds, e.g. generator, .* = tms · /);
  const t3 = join(out, "quick", "table3");
  for (const f of ["data.csv", "alpha_sweep.csv", "l1_sweep.csv", "summary.md", "manifest.json"]) assert.ok(existsSync(join(t3, f)), f);
  // table3 reused fig3's grid (same config, seeds, backend), without fig3's tms companion …
  const strip = (s: string) => s.split("\n").filter((l) => !l.startsWith("fig3,tms,")).map((l) => l.replace(/^(fig3|table3),/, "")).join("\n");
  const reusedCsv = readFileSync(join(t3, "data.csv"), "utf8");
  assert.equal(strip(reusedCsv), strip(f3));
  // reuse needs provably the same code: a clean src/ tree at the same hash (CI's clean clone)
  const clean = gitState(ROOT)?.src_dirty === false;
  assert.equal(JSON.parse(readFileSync(join(t3, "manifest.json"), "utf8")).reused.length, clean ? 1 : 0);
  // … and computing the grid itself gives the very same bytes
  const alone = tmp("wsae-t3-");
  assert.equal(wsae(["table3", "--quick", "--quiet", "--out", alone]).status, 0);
  assert.equal(readFileSync(join(alone, "quick", "table3", "data.csv"), "utf8"), reusedCsv);
  assert.deepEqual(JSON.parse(readFileSync(join(alone, "quick", "table3", "manifest.json"), "utf8")).reused, []);
  const alpha = readFileSync(join(t3, "alpha_sweep.csv"), "utf8").trim().split("\n");
  assert.equal(alpha.length, 1 + 2 * 5); // 2 S × 5 α
  assert.match(alpha.join("\n"), /,-1,/);
  const summary = readFileSync(join(t3, "summary.md"), "utf8");
  assert.match(summary, /α direction at S=0.5/);
  assert.match(summary, /### λ sweep/);
});

test("negative alpha is accepted, out-of-range alpha and unknown proxies are not", () => {
  const out = tmp("wsae-alpha-");
  const ok = wsae(["fig3", "--quick", "--quiet", "--alpha", "-1", "--proxy", "variance", "--steps", "20", "--bias", "off,on", "--closest", "off", "--out", out]);
  assert.equal(ok.status, 0, ok.stderr);
  // issue 7 item 1: the bias-on variant is judged against the same reference rows, and the table tells the variants apart
  const summary = readFileSync(join(out, "quick", "fig3", "summary.md"), "utf8");
  assert.match(summary, /\(a\) lower L_GT — WSAE \(variance, α=-1\), bias on \|/);
  assert.doesNotMatch(summary, /zero predictor n\/a/);
  assert.match(summary, /\| 0.5 \| SAE \| on \| 0.1 \|/);
  assert.match(summary, /\| 0.5 \| SAE \| off \| 0.1 \|/);
  const bad1 = wsae(["fig3", "--quick", "--alpha", "99", "--out", out]);
  assert.equal(bad1.status, 2);
  assert.match(bad1.stderr, /--alpha must be in \[-10, 10\]/);
  const bad2 = wsae(["fig3", "--quick", "--proxy", "magic", "--out", out]);
  assert.equal(bad2.status, 2);
  assert.match(bad2.stderr, /--proxy must be one of/);
});

test("wsae report gathers verdicts from the manifests", () => {
  const out = tmp("wsae-report-");
  assert.equal(wsae(["fig2", "--quick", "--quiet", "--out", out]).status, 0);
  const r = wsae(["report", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const md = readFileSync(join(out, "REPORT.md"), "utf8");
  assert.match(md, /\| \[fig2\]\(quick\/fig2\/summary\.md\) \| quick only/);
  assert.match(md, /\| fig4 \| not run \|/);
});

test("--from-results rebuilds summary and figure from the CSVs without training", () => {
  const out = tmp("wsae-rerender-");
  assert.equal(wsae(["fig3", "--quick", "--quiet", "--out", out]).status, 0);
  const dir = join(out, "quick", "fig3");
  const before = readFileSync(join(dir, "summary.md"), "utf8");
  const csv = readFileSync(join(dir, "data.csv"), "utf8");
  const r = wsae(["fig3", "--quick", "--from-results", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), csv);
  assert.equal(readFileSync(join(dir, "summary.md"), "utf8"), before);
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  assert.ok(m.rerendered?.at);
  assert.ok(m.wall_s.run > 0, "the original run's timings are kept");
  const missing = wsae(["fig2", "--quick", "--from-results", "--out", out]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no earlier quick run of fig2/);
});

test("an unwritable --out fails before any training, with one line", () => {
  const r = wsae(["fig2", "--quick", "--out", "/dev/null/x"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot write results there/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

test("a full run with overridden settings says so instead of calling itself the full preset", () => {
  const out = tmp("wsae-ovr-");
  const r = wsae(["fig2", "--quiet", "--n", "12", "--np", "5", "--nm", "12", "--steps", "20", "--seeds", "1", "--sparsities", "0.5,0.9", "--eval-samples", "64", "--generator", "polygon", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, "fig2", "manifest.json"), "utf8"));
  assert.match(m.preset, /^full \+ overrides \(--sparsities --generator --n --np --nm --steps --eval-samples\)$/);
  assert.equal(m.git_changed_during_run, false);
  assert.match(readFileSync(join(out, "fig2", "summary.md"), "utf8"), /preset: \*\*full \+ overrides/);
});
