import { test } from "node:test";
import assert from "node:assert/strict";
import { gaussianWp, polygonGroups, polygonWp } from "../src/data/generators.ts";
import { SyntheticSource, sampleX, sampleXSparse, sparseRows } from "../src/data/synthetic.ts";
import { mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

test("named streams are reproducible and independent", () => {
  const a = stream(5, "data"), b = stream(5, "data"), c = stream(5, "init"), d = stream(6, "data");
  const xa = [a.uniform(), a.uniform()], xb = [b.uniform(), b.uniform()];
  assert.deepEqual(xa, xb);
  assert.notEqual(c.uniform(), xa[0]);
  assert.notEqual(d.uniform(), xa[0]);
});

test("x has P(x_i = 0) = S and U[0,1] non-zeros", () => {
  const x = sampleX(stream(0, "x"), 0.8, mat(500, 200));
  let zeros = 0, sum = 0, nz = 0, max = 0;
  for (const v of x.data) {
    if (v === 0) zeros++;
    else { sum += v; nz++; max = Math.max(max, v); }
  }
  assert.ok(Math.abs(zeros / x.data.length - 0.8) < 0.005, `zero share ${zeros / x.data.length}`);
  assert.ok(Math.abs(sum / nz - 0.5) < 0.01, `mean of non-zeros ${sum / nz}`);
  assert.ok(max < 1);
});

test("x_p = W_p x row by row", () => {
  const { Wp } = polygonWp(10, 4, stream(0, "wp"));
  const src = new SyntheticSource(Wp, 0.5, stream(0, "s"));
  const { x, xp } = src.sample(3);
  for (let b = 0; b < 3; b++)
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += Wp.data[i * 10 + j]! * x.data[b * 10 + j]!;
      assert.ok(Math.abs(xp.data[b * 4 + i]! - s) < 1e-5);
    }
});

test("polygon generator at the paper's scale: groups of different sizes, unit columns, regular polygons", () => {
  const groups = polygonGroups(200, 20);
  assert.deepEqual(groups.map((g) => `${g.kind}${g.size}`), ["mono1", "mono1", "digon2", "digon2", "polygon6", "polygon8", "polygon11", "polygon15", "polygon21", "polygon29", "polygon42", "polygon62"]);
  assert.equal(groups.reduce((s, g) => s + g.size, 0), 200);
  assert.equal(new Set(groups.flatMap((g) => g.dims)).size, 20);
  const { Wp } = polygonWp(200, 20, stream(0, "wp"));
  for (let j = 0; j < 200; j++) {
    let s = 0;
    for (let i = 0; i < 20; i++) s += Wp.data[i * 200 + j]! ** 2;
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
  // neighbours in the 6-gon (features 6..11, dims 4,5) are 60° apart
  const dot = (a: number, b: number) => Wp.data[4 * 200 + a]! * Wp.data[4 * 200 + b]! + Wp.data[5 * 200 + a]! * Wp.data[5 * 200 + b]!;
  assert.ok(Math.abs(dot(6, 7) - 0.5) < 1e-12);
  assert.ok(Math.abs(dot(6, 9) + 1) < 1e-12);
  // digon: antipodal on one dim
  assert.equal(Wp.data[2 * 200 + 2], 1);
  assert.equal(Wp.data[2 * 200 + 3], -1);
});

test("polygon generator rejects impossible sizes with a clear message", () => {
  assert.throws(() => polygonGroups(10, 3), /needs n_p >= 4/);
  assert.throws(() => polygonGroups(5, 5), /n > n_p/);
});

test("gaussian generator gives unit-norm columns", () => {
  const Wp = gaussianWp(30, 7, stream(2, "g"));
  for (let j = 0; j < 30; j++) {
    let s = 0;
    for (let i = 0; i < 7; i++) s += Wp.data[i * 30 + j]! ** 2;
    assert.ok(Math.abs(s - 1) < 1e-12);
  }
});

test("the sparse (geometric-gap) sampler has the law of sampleX: P(x_i = 0) = S, U[0,1] non-zeros, no position bias", () => {
  for (const S of [0.7, 0.9, 0.99]) {
    const x = mat(2000, 200);
    const { count, ptr, idx, val } = sampleXSparse(stream(3, `gap:${S}`), S, x, sparseRows(2000, 200));
    let nz = 0, sum = 0, sq = 0;
    const perCol = new Float64Array(200);
    for (let p = 0; p < x.data.length; p++) {
      const v = x.data[p]!;
      if (v === 0) continue;
      nz++; sum += v; sq += v * v;
      perCol[p % 200]!++;
      assert.ok(v > 0 && v < 1);
    }
    assert.equal(nz, count);
    // the rows list exactly the non-zeros of x, ascending within each row
    assert.equal(ptr[2000], count);
    for (let b = 0; b < 2000; b++)
      for (let t = ptr[b]!; t < ptr[b + 1]!; t++) {
        assert.equal(x.data[b * 200 + idx[t]!], val[t]);
        if (t > ptr[b]!) assert.ok(idx[t]! > idx[t - 1]!);
      }
    const N = x.data.length, p1 = 1 - S;
    // within 5 standard errors of the binomial share, the U[0,1] mean 1/2 and second moment 1/3
    assert.ok(Math.abs(nz / N - p1) < 5 * Math.sqrt((p1 * S) / N), `S=${S}: share ${nz / N}`);
    assert.ok(Math.abs(sum / nz - 0.5) < 5 * Math.sqrt(1 / 12 / nz));
    assert.ok(Math.abs(sq / nz - 1 / 3) < 5 * Math.sqrt(4 / 45 / nz));
    // first and last coordinates as likely as the middle ones (rows are cut from one sequence)
    const expect = 2000 * p1, sd = Math.sqrt(2000 * p1 * S);
    for (const c of [0, 1, 100, 199]) assert.ok(Math.abs(perCol[c]! - expect) < 5 * sd, `col ${c}: ${perCol[c]}`);
  }
});

test("x_p = W_p x on every sampler path (dense draw and gap draw, narrow and wide n_p)", () => {
  for (const [S, n, np] of [[0.5, 12, 5], [0.9, 40, 7], [0.95, 90, 70]] as const) {
    const Wp = gaussianWp(n, np, stream(4, "g"));
    const { x, xp } = new SyntheticSource(Wp, S, stream(5, "s")).sample(50);
    for (let b = 0; b < 50; b++)
      for (let i = 0; i < np; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Wp.data[i * n + j]! * x.data[b * n + j]!;
        assert.ok(Math.abs(xp.data[b * np + i]! - s) < 1e-5, `S=${S} n_p=${np}`);
      }
  }
});
