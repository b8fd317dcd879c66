// `wsae train` → `wsae encode` on a user's own data: the files SAE users load, read back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors } from "../src/data/safetensors.ts";
import { encodeNpy, parseNpy } from "../src/data/matfile.ts";
import { readSae } from "../src/report/saelens.ts";
import { encodeTopk } from "../src/sae/topk-sae.ts";
import { JsBackend } from "../src/compute/js.ts";
import { tmp } from "./helpers.ts";

const BIN = join(import.meta.dirname, "..", "bin", "wsae.mjs");
const wsae = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });

/** 300 samples in 3 classes: class c lifts every third dim. */
function data(dir: string) {
  const N = 300, d = 12, X = new Float32Array(N * d), y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    y[i] = i % 3;
    for (let j = 0; j < d; j++) X[i * d + j] = Math.max(0, Math.sin(i * 7.1 + j * 3.3) + (j % 3 === y[i] ? 1 : 0));
  }
  writeFileSync(join(dir, "x.npy"), encodeNpy({ dtype: "f4", shape: [N, d], data: X }));
  writeFileSync(join(dir, "y.npy"), encodeNpy({ dtype: "i4", shape: [N], data: y }));
  return { X, N, d };
}

test("train writes SAELens-named weights that parse back; encode reproduces the codes", async () => {
  const dir = tmp("wsae-train-");
  const { X, N, d } = data(dir);
  const sae = join(dir, "sae");
  const r = wsae(["train", "--data", join(dir, "x.npy"), "--labels", join(dir, "y.npy"), "--width", "48", "--k", "4",
    "--proxy", "semantic", "--alpha", "1", "--steps", "60", "--backend", "js", "--quiet", "--out", sae]);
  assert.equal(r.status, 0, r.stderr);
  const cfg = JSON.parse(readFileSync(join(sae, "cfg.json"), "utf8"));
  assert.deepEqual([cfg.architecture, cfg.d_in, cfg.d_sae, cfg.k, cfg.apply_b_dec_to_input], ["topk", d, 48, 4, true]);
  assert.equal(cfg.wsae.proxy, "semantic");
  const { tensors } = decodeSafetensors(readFileSync(join(sae, "sae_weights.safetensors")));
  assert.deepEqual(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.shape])), { W_enc: [d, 48], W_dec: [48, d], b_enc: [48], b_dec: [d] });
  for (const name of ["W_enc", "W_dec", "b_enc", "b_dec"]) {
    const npy = parseNpy(readFileSync(join(sae, `${name}.npy`)), name);
    assert.deepEqual(npy.shape, tensors[name]!.shape);
    assert.deepEqual(Array.from(npy.data as Float32Array), Array.from(tensors[name]!.data as Float32Array), `${name}.npy = the safetensors tensor`);
  }
  // decoder rows at unit norm, γ with mean γ² = 1
  const Wdec = tensors.W_dec!.data as Float32Array;
  for (let j = 0; j < 48; j++) assert.ok(Math.abs(Math.hypot(...Wdec.subarray(j * d, (j + 1) * d)) - 1) < 1e-5);
  const g = parseNpy(readFileSync(join(sae, "gamma.npy")), "gamma").data as Float64Array;
  assert.ok(Math.abs(g.reduce((a, x) => a + x * x, 0) / g.length - 1) < 1e-9);
  const m = JSON.parse(readFileSync(join(sae, "metrics.json"), "utf8"));
  assert.equal(m.samples_held_out + m.samples_train, N);
  assert.equal(m.l0, 4);
  assert.ok(m.fvu > 0 && m.fvu < 1, `fvu ${m.fvu}`);
  assert.ok(m.semantic_consistency > 100 / 3 && m.semantic_consistency <= 100);
  // encode = the SAE read back, applied by the library: the same codes
  const codes = join(dir, "codes.npy");
  const e = wsae(["encode", "--sae", sae, "--data", join(dir, "x.npy"), "--out", codes, "--backend", "js"]);
  assert.equal(e.status, 0, e.stderr);
  const Z = parseNpy(readFileSync(codes), "codes");
  assert.deepEqual(Z.shape, [N, 48]);
  const { spec, params } = readSae(sae);
  const ref = await encodeTopk(new JsBackend(), spec, params, { rows: N, cols: d, data: X });
  assert.deepEqual(Array.from(Z.data as Float32Array), Array.from(ref.Z.data));
  for (let i = 0; i < N; i++) assert.ok((Z.data as Float32Array).subarray(i * 48, (i + 1) * 48).filter((v) => v > 0).length <= 4);
});

test("train and encode: bad input is one line and exit 2", () => {
  const dir = tmp("wsae-train-bad-");
  data(dir);
  writeFileSync(join(dir, "short.npy"), encodeNpy({ dtype: "i4", shape: [10], data: new Int32Array(10) }));
  const x = join(dir, "x.npy");
  const cases: [string[], RegExp][] = [
    [["train", "--data", x, "--proxy", "semantic", "--out", join(dir, "o")], /--proxy semantic needs --labels/],
    [["train", "--data", x, "--labels", join(dir, "short.npy"), "--out", join(dir, "o")], /10 labels, but .* has 300 rows/],
    [["train", "--data", x, "--k", "64", "--width", "64", "--out", join(dir, "o")], /--k 64 must be below --width 64/],
    [["train", "--data", x, "--width", "1e9", "--out", join(dir, "o")], /--width must be/],
    [["train", "--data", x, "--proxy", "magic", "--out", join(dir, "o")], /--proxy must be one of/],
    [["train", "--data", join(dir, "nope.npy"), "--out", join(dir, "o")], /nope\.npy/],
    [["encode", "--sae", dir, "--data", x, "--out", join(dir, "c.npy")], /expected cfg\.json and sae_weights\.safetensors/],
  ];
  writeFileSync(join(dir, "keep.txt"), "mine");
  cases.push([["train", "--data", x, "--out", dir], /holds other files/]);
  for (const [args, msg] of cases) {
    const r = wsae(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  assert.equal(readFileSync(join(dir, "keep.txt"), "utf8"), "mine", "a folder with other files is never replaced");
  // an SAE folder whose weights were tampered with
  const sae = join(dir, "sae");
  assert.equal(wsae(["train", "--data", x, "--width", "24", "--k", "2", "--steps", "5", "--backend", "js", "--quiet", "--out", sae]).status, 0);
  const st = readFileSync(join(sae, "sae_weights.safetensors"));
  writeFileSync(join(sae, "sae_weights.safetensors"), st.subarray(0, st.length - 4));
  const t = wsae(["encode", "--sae", sae, "--data", x, "--out", join(dir, "c.npy")]);
  assert.equal(t.status, 2);
  assert.match(t.stderr, /not a valid safetensors file/);
});
