/**
 * The paper's worked examples, and small W_p builders for tests and demos.
 */
import { fromRows, mat64, toRows } from "../util/mat.ts";
import { type Mat64, preActivation, xpOf, reluInPlace } from "./core.ts";
import { shrinkOne, type OneSampleShrink } from "./shrink.ts";

export type WorkedExample = {
  id: 1 | 2;
  title: string;
  /** "paper": the paper's numbers; "ours": an instance we chose for a described case. */
  source: "paper" | "ours";
  note: string;
  Wp: number[][];
  x: number[];
  xp: number[];
  preActivation: number[];
  recovered: number[];
  /** what the example is documented to give. */
  expected: number[];
  shrink: OneSampleShrink;
};

function work(id: 1 | 2, title: string, source: "paper" | "ours", note: string, Wp: Mat64, x: number[], expected: number[]): WorkedExample {
  const xp = xpOf(Wp, x);
  const pre = preActivation(Wp, xp);
  const recovered = reluInPlace(Float64Array.from(pre));
  return {
    id, title, source, note, Wp: toRows(Wp), x, xp: Array.from(xp), preActivation: Array.from(pre),
    recovered: Array.from(recovered), expected, shrink: shrinkOne(Wp, x),
  };
}

/** Feature 1 alone on dim 1, features 2 and 3 a digon on dim 2 (both examples). */
export function exampleWp(): Mat64 {
  return fromRows([[1, 0, 0], [0, 1, -1]]);
}

/**
 * Example 1 (the paper's numbers): x = (0.5, 1, 0.8) → x_m = (0.5, 0.2, 0).
 * Feature 2 shrinks from 1 to 0.2 and loses the top-1 rank to feature 1; feature 3
 * vanishes. In float64, 1 − 0.8 = 0.19999999999999996, so "0.2" holds to 1 ulp.
 */
export function example1(): WorkedExample {
  return work(1, "feature shrinking (and vanishing)", "paper",
    "x = (0.5, 1, 0.8) as in the paper: feature 2 (true top-1) shrinks 1 -> 0.2 and feature 1 becomes the top latent; feature 3 vanishes",
    exampleWp(), [0.5, 1, 0.8], [0.5, 0.2, 0]);
}

/**
 * Example 2: the paper only says dims 2 and 3 are both zeroed; its numbers are
 * not known (docs/method.md §1). This x = (0.5, 0.8, 0.8) is OUR instance: any
 * x_2 = x_3 cancels on the digon dim, so x_p = (0.5, 0) and x_m = (0.5, 0, 0).
 */
export function example2(): WorkedExample {
  return work(2, "feature vanishing (two features zeroed)", "ours",
    "our instance, not the paper's numbers (which are not known): x_2 = x_3 = 0.8 cancel on the digon dim, so both features vanish",
    exampleWp(), [0.5, 0.8, 0.8], [0.5, 0, 0]);
}

/** m unit columns at angles phase + 2πk/m, as a 2 × m block. */
export function regularPolygon(m: number, phase = 0): number[][] {
  const c: number[] = [], s: number[] = [];
  for (let k = 0; k < m; k++) {
    const t = phase + (2 * Math.PI * k) / m;
    c.push(Math.cos(t));
    s.push(Math.sin(t));
  }
  return [c, s];
}

/**
 * Block-diagonal W_p from group sizes: 1 → a monosemantic dim, 2 → a digon on one
 * dim, m ≥ 3 → a regular m-gon in its own 2-D plane (angle phase + 2πk/m).
 */
export function polygonBlocks(sizes: number[], phase = 0): Mat64 {
  if (sizes.length === 0 || sizes.some((m) => !Number.isInteger(m) || m < 1)) throw new Error(`polygonBlocks: bad group sizes [${sizes}]`);
  const np = sizes.reduce((a, m) => a + (m >= 3 ? 2 : 1), 0);
  const n = sizes.reduce((a, m) => a + m, 0);
  const Wp = mat64(np, n);
  let d = 0, f = 0;
  for (const m of sizes) {
    if (m === 1) Wp.data[d * n + f] = 1;
    else if (m === 2) {
      Wp.data[d * n + f] = 1;
      Wp.data[d * n + f + 1] = -1;
    } else {
      const [c, s] = regularPolygon(m, phase) as [number[], number[]];
      for (let k = 0; k < m; k++) {
        Wp.data[d * n + f + k] = c[k]!;
        Wp.data[(d + 1) * n + f + k] = s[k]!;
      }
    }
    d += m >= 3 ? 2 : 1;
    f += m;
  }
  return Wp;
}
