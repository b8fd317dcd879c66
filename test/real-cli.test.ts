// The real-data artifacts as a user meets them: quick presets end to end (built-in data,
// a rerun byte-identical), a user's embeddings and activations, and every user-data error
// as one line with exit code 2 and nothing written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeNpy } from "../src/data/matfile.ts";
import { fromCsv } from "../src/report/csv.ts";
import { loadUserActivations, loadUserEmbeddings } from "../src/data/labels.ts";
import { UserError } from "../src/util/errors.ts";
import { stream } from "../src/util/rng.ts";

const BIN = join(import.meta.dirname, "..", "bin", "wsae.mjs");
const CACHE = mkdtempSync(join(tmpdir(), "wsae-cache-cli-"));
const wsae = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", WSAE_CACHE_DIR: CACHE } });

for (const id of ["fig4", "fig5", "table1", "table2"])
  test(`${id} --quick runs end to end on the built-in data and says which data ran`, () => {
    const out = mkdtempSync(join(tmpdir(), `wsae-${id}-`));
    const r = wsae([id, "--quick", "--quiet", "--seeds", "2", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    const dir = join(out, "quick", id);
    const summary = readFileSync(join(dir, "summary.md"), "utf8");
    assert.match(summary, /\*\*Data that ran:\*\* built-in: 2000 real MNIST digits/);
    assert.match(summary, /reported/i);
    assert.match(summary, /\| (✅ reproduced|🟡 partly reproduced|❌ not reproduced|⚪ inconclusive) \|/);
    const text = readFileSync(join(dir, "data.csv"), "utf8");
    const rows = fromCsv(text);
    for (const c of ["sc", "sc_chance_majority", "sc_shuffled_labels", "detection", "fvu", "l0", "dead_latents"]) assert.ok(c in rows[0]!, c);
    assert.deepEqual([...new Set(rows.map((r) => r.seed))], [0, 1]);
    for (const r of rows) {
      if (r.method === "reference") continue;
      const sc = Number(r.sc), fvu = Number(r.fvu), l0 = Number(r.l0);
      assert.ok(sc > 0 && sc <= 100, `sc ${sc}`);
      assert.ok(fvu > 0 && fvu < 2, `fvu ${fvu}`);
      assert.ok(l0 > 0 && l0 <= Number(r.k), `l0 ${l0} ≤ k`);
      assert.ok(Number(r.sc_chance_majority) >= 10 && Number(r.sc_chance_majority) < 30, "10 digit classes");
    }
    if (id.startsWith("fig")) assert.equal(readFileSync(join(dir, "figure.png")).subarray(1, 4).toString(), "PNG");
    if (id === "fig4") {
      const again = wsae([id, "--quick", "--quiet", "--seeds", "2", "--out", out]);
      assert.equal(again.status, 0);
      assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), text, "same seed → byte-identical CSV (cached embedder)");
      const fresh = wsae([id, "--quick", "--quiet", "--seeds", "2", "--no-cache", "--out", out]);
      assert.equal(fresh.status, 0, fresh.stderr);
      assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), text, "--no-cache retrains to the same bytes");
      assert.equal(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).config.cache, false);
    }
  });

// ---- user data -------------------------------------------------------------------

function npy(path: string, dtype: "f4" | "f8" | "i4", shape: number[], values: ArrayLike<number>): string {
  const data = dtype === "f4" ? Float32Array.from(values) : dtype === "f8" ? Float64Array.from(values) : Int32Array.from(values);
  writeFileSync(path, encodeNpy({ dtype, shape, data }));
  return path;
}

/** N samples in 3 classes, each class lighting up its own block of dims (so scores are meaningful). */
function fixture(dir: string, N = 90, d = 6) {
  const rng = stream(1, "fixture");
  const X = new Float64Array(N * d), y = new Int32Array(N);
  for (let r = 0; r < N; r++) {
    y[r] = r % 3;
    for (let i = 0; i < d; i++) X[r * d + i] = Math.max(0, (Math.floor(i / 2) === y[r] ? 1 : 0) + 0.3 * rng.normal());
  }
  return { X, y, emb: npy(join(dir, "emb.npy"), "f8", [N, d], X), labels: npy(join(dir, "labels.npy"), "i4", [N], y) };
}

test("fig4 and table2 run on a user's embeddings; table1 on a user's activation folder (layers in file-name order)", () => {
  const dir = mkdtempSync(join(tmpdir(), "wsae-user-"));
  const f = fixture(dir);
  const out = join(dir, "out");
  const common = ["--quick", "--quiet", "--seeds", "2", "--out", out, "--labels", f.labels];
  for (const id of ["fig4", "table2"]) {
    const r = wsae([id, ...common, "--embeddings", f.emb]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(out, "quick", id, "summary.md"), "utf8"), /\*\*Data that ran:\*\* user embeddings .*emb\.npy \(90×6\)/);
  }
  const acts = join(dir, "acts");
  mkdirSync(acts);
  npy(join(acts, "layer_00.npy"), "f4", [90, 6], f.X);
  npy(join(acts, "layer_01.npy"), "f4", [90, 6], f.X.map((v) => v * 2));
  const r = wsae(["table1", ...common, "--activations", acts]);
  assert.equal(r.status, 0, r.stderr);
  const csv = readFileSync(join(out, "quick", "table1", "data.csv"), "utf8");
  assert.match(csv, /layer_00/);
  assert.match(csv, /layer_01/);
  assert.match(readFileSync(join(out, "quick", "table1", "summary.md"), "utf8"), /user activations .*2 layers: layer_00\.npy, layer_01\.npy/);
});

test("every user-data error is one UserError line naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "wsae-bad-"));
  const f = fixture(dir);
  const cases: [string, () => unknown, RegExp][] = [
    ["1-D embeddings", () => loadUserEmbeddings(npy(join(dir, "a.npy"), "f4", [540], f.X), f.labels), /expected a 2-D array/],
    ["integer embeddings", () => loadUserEmbeddings(npy(join(dir, "b.npy"), "i4", [90, 6], f.X.map(Math.round)), f.labels), /must be float32 or float64/],
    ["NaN", () => loadUserEmbeddings(npy(join(dir, "c.npy"), "f4", [90, 6], f.X.map((v, i) => (i === 13 ? NaN : v))), f.labels), /row 2, column 1 is NaN/],
    ["Inf", () => loadUserEmbeddings(npy(join(dir, "c2.npy"), "f8", [90, 6], f.X.map((v, i) => (i === 0 ? Infinity : v))), f.labels), /Infinity/],
    ["N ≠ labels", () => loadUserEmbeddings(f.emb, npy(join(dir, "l1.npy"), "i4", [89], f.y.slice(1))), /89 labels, but .* has 90 rows/],
    ["one class", () => loadUserEmbeddings(f.emb, npy(join(dir, "l2.npy"), "i4", [90], new Int32Array(90).fill(4))), /every label is 4; .* at least two classes/],
    ["non-integer labels", () => loadUserEmbeddings(f.emb, npy(join(dir, "l3.npy"), "f8", [90], Array.from(f.y, (v, i) => (i === 5 ? 1.5 : v)))), /label 5 is 1.5, not a 32-bit integer/],
    ["too few rows", () => loadUserEmbeddings(npy(join(dir, "d.npy"), "f4", [5, 6], f.X.slice(0, 30)), npy(join(dir, "l4.npy"), "i4", [5], [0, 1, 0, 1, 0])), /too few/],
    ["not a folder", () => loadUserActivations(f.emb, f.labels), /not a folder/],
    ["missing folder", () => loadUserActivations(join(dir, "nope"), f.labels), /folder not found/],
    ["empty folder", () => { mkdirSync(join(dir, "empty")); return loadUserActivations(join(dir, "empty"), f.labels); }, /no \.npy files/],
    ["layer row mismatch", () => { mkdirSync(join(dir, "acts")); npy(join(dir, "acts", "l0.npy"), "f4", [80, 6], f.X.slice(0, 480)); return loadUserActivations(join(dir, "acts"), f.labels); }, /80 rows, but .* has 90 labels/],
  ];
  for (const [name, run, msg] of cases) {
    assert.throws(run, (e: unknown) => e instanceof UserError && msg.test(e.message) && !e.message.includes("\n"), name);
  }
});

test("bad user-data flags exit 2 with one line and write nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "wsae-bad-cli-"));
  const f = fixture(dir);
  const out = join(dir, "out");
  const bad: [string[], RegExp][] = [
    [["fig4", "--embeddings", f.emb], /--embeddings needs --labels/],
    [["fig4", "--labels", f.labels], /--labels goes with --embeddings or --activations/],
    [["table1", "--embeddings", f.emb, "--labels", f.labels], /unknown option '--embeddings'/],
    [["table2", "--embeddings", join(dir, "missing.npy"), "--labels", f.labels], /missing\.npy: file not found/],
    [["fig4", "--embeddings", f.emb, "--labels", npy(join(dir, "one.npy"), "i4", [90], new Int32Array(90))], /at least two classes/],
    [["fig5", "--alphas", "0.5,1"], /--alphas must include 0/],
    [["table2", "--embeddings", npy(join(dir, "wide.npy"), "f4", [90, 100], new Float32Array(9000).fill(0.5)), "--labels", f.labels, "--expansion", "1000"], /--expansion 1000 × input dim 100 = 100000 latents is over the limit of 65536/],
    [["fig4", "--embeddings", f.emb, "--labels", f.labels, "--expansion", "2", "--k", "12"], /--k 12 must be below the number of latents \(2 × 6 = 12\)/],
    [["fig4", "--embeddings", f.emb, "--labels", f.labels, "--expansion", "20000"], /--expansion must be an integer in \[1, 1024\]/],
    [["fig4", "--expansion", "100000"], /--expansion must be an integer in \[1, 1024\]/],
  ];
  for (const [args, msg] of bad) {
    const r = wsae([...args, "--quick", "--quiet", "--out", out]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  assert.ok(!existsSync(join(out, "quick")), "nothing written");
});
