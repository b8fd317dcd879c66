// The built-in embedder: exact gradients, determinism from the seed, and the embeddings cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsBackend } from "../src/compute/js.ts";
import { cacheDir, embedImages, initMlp, mlpLossAndGrad } from "../src/data/embedder.ts";
import { loadMnist } from "../src/data/mnist.ts";
import { splitIdx } from "../src/experiments/real.ts";
import type { Mat } from "../src/util/mat.ts";
import { stream } from "../src/util/rng.ts";

const be = new JsBackend();

test("the mnist package gives 10,000 real digits with the documented per-digit counts", () => {
  const m = loadMnist();
  assert.equal(m.X.rows, 10000);
  assert.equal(m.X.cols, 784);
  const counts = new Array(10).fill(0);
  for (const y of m.labels) counts[y]++;
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.ok(m.X.data.every((v) => v >= 0 && v <= 1));
});

test("MLP cross-entropy gradients match finite differences", async () => {
  const p = initMlp([5, 4, 3, 10], 1);
  const rng = stream(2, "x");
  const X: Mat = { rows: 6, cols: 5, data: Float32Array.from({ length: 30 }, () => rng.uniform()) };
  const y = [0, 3, 9, 1, 1, 5];
  const g = await mlpLossAndGrad(be, p, X, y);
  const all = [...p.W.map((w) => w.data), ...p.b], grads = [...g.gW, ...g.gb];
  for (let t = 0; t < all.length; t++)
    for (let i = 0; i < all[t]!.length; i += 2) {
      const h = 1e-3, v = all[t]![i]!;
      all[t]![i] = v + h;
      const up = (await mlpLossAndGrad(be, p, X, y)).loss;
      all[t]![i] = v - h;
      const dn = (await mlpLossAndGrad(be, p, X, y)).loss;
      all[t]![i] = v;
      const fd = (up - dn) / (2 * h);
      assert.ok(Math.abs(fd - grads[t]![i]!) < 2e-3 + 0.02 * Math.abs(fd), `tensor ${t}[${i}]: ${fd} vs ${grads[t]![i]}`);
    }
});

test("the embedder is deterministic from the seed, non-negative, and cached atomically under WSAE_CACHE_DIR", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wsae-cache-"));
  const prev = process.env.WSAE_CACHE_DIR;
  process.env.WSAE_CACHE_DIR = dir;
  try {
    assert.equal(cacheDir(), dir);
    const im = loadMnist();
    const { train, test: held } = splitIdx(im.X.rows, 600, 0.25, 3);
    assert.equal(held.length, 150);
    assert.equal(new Set([...train, ...held]).size, 600, "train and held-out are disjoint");
    const cfg = { hidden: [12, 6], epochs: 1, batch: 50, lr: 2e-3 };
    const a = await embedImages(be, im, train, held, cfg, 3, { cache: false });
    const b = await embedImages(be, im, train, held, cfg, 3, { cache: true });
    assert.equal(a.cached, false);
    assert.equal(b.cached, false);
    assert.deepEqual(a.train[1]!.data, b.train[1]!.data, "same seed → identical embeddings");
    assert.equal(a.test[1]!.rows, 150);
    assert.ok(a.train.every((m) => m.data.every((v) => v >= 0)), "ReLU layers are non-negative");
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp")), [], "no temporary file left");
    assert.equal(readdirSync(dir).length, 1);
    const c = await embedImages(be, im, train, held, cfg, 3, { cache: true });
    assert.equal(c.cached, true, "second run reads the cache");
    assert.deepEqual(c.test[1]!.data, a.test[1]!.data);
    assert.equal(c.testAcc, a.testAcc);
    const d = await embedImages(be, im, train, held, cfg, 4, { cache: true });
    assert.equal(d.cached, false, "another seed is another key");
    assert.notDeepEqual(d.train[1]!.data, a.train[1]!.data);
  } finally {
    if (prev === undefined) delete process.env.WSAE_CACHE_DIR;
    else process.env.WSAE_CACHE_DIR = prev;
  }
});
