// The SIMD training-batch sampler (compute/simd.wat sample_xp) against the JS sampler:
// the same generator, the same gaps (from a threshold table) and the same float32 sums,
// so the same x_p bit for bit, and the stream continues where the JS one would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SyntheticSource, gapTable } from "../src/data/synthetic.ts";
import { sharedSimd } from "../src/compute/wasm.ts";
import { mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

test("gapTable gives floor(log(1 − r/2³²)/log S) at every threshold, next to it, and at random r", () => {
  for (const S of [0.7, 0.9, 0.99, 0.999]) {
    const t = gapTable(S)!;
    const inv = 1 / Math.log(S);
    const gap = (r: number) => Math.floor(Math.log(1 - r / 4294967296) * inv);
    const lookup = (r: number) => {
      let g = t.bkt[r >>> 20]!;
      while (g < t.thr.length - 1 && t.thr[g + 1]! <= r) g++;
      return g;
    };
    const rs: number[] = [0, 1, 4294967295, 4294967294];
    for (let g = 1; g < t.thr.length; g++) rs.push(t.thr[g]!, t.thr[g]! - 1);
    const rng = stream(1, "gap");
    for (let i = 0; i < 20000; i++) rs.push(Math.floor(rng.uniform() * 4294967296));
    for (const r of rs) assert.equal(lookup(r), gap(r) + 0, `S=${S} r=${r}`); // + 0: gap(0) is −0
    assert.equal(t.thr.length - 1, gap(4294967295));
  }
  assert.equal(gapTable(1 - 1e-9), null, "a huge table is refused (the JS sampler is used)");
});

function wp(np: number, n: number) {
  const m = mat(np, n);
  const rng = stream(2, "wp");
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

for (const [S, np, n, B] of [[0.9, 20, 200, 1024], [0.7, 7, 13, 33], [0.99, 6, 16, 256], [0.999, 3, 50, 5], [0.5, 20, 200, 256], [0, 5, 9, 3], [0.69, 7, 30, 17]] as const) {
  test(`SIMD batch sampler equals the JS one bit for bit, and the stream goes on alike: S=${S}, n_p=${np}, n=${n}, B=${B}`, () => {
    const W = wp(np, n);
    // the SIMD path must really run (next() falls back to the JS sampler without it)
    const kernel = sharedSimd();
    assert.ok(kernel, "WebAssembly SIMD available");
    assert.ok(S < 0.7 || gapTable(S), "a gap table at this S");
    let calls = 0;
    const sampleXp = kernel.sampleXp.bind(kernel);
    kernel.sampleXp = (...a) => (calls++, sampleXp(...a));
    const simd = new SyntheticSource(W, S, stream(3, "data"));
    const js = new SyntheticSource(W, S, stream(3, "data"));
    for (let step = 0; step < 4; step++) {
      const a = simd.next(B).data.slice();
      const b = js.nextPair(B).xp.data.slice();
      assert.deepEqual(a, b, `step ${step}`);
      assert.ok(a.some((v) => v !== 0) || S > 0.99);
    }
    // a different batch size, then a held-out set drawn from the same stream
    assert.deepEqual(simd.next(B + 3).data, js.nextPair(B + 3).xp.data);
    assert.deepEqual(simd.sample(17).xp.data, js.sample(17).xp.data);
    kernel.sampleXp = sampleXp;
    assert.equal(calls, 5, "every next() ran the SIMD sampler");
  });
}
