/**
 * Shape-specialised JS kernel for the data projection x_p = W_p x at narrow widths
 * (the paper's n_p = 20): the loop over the n_p outputs is unrolled into local
 * accumulators, which V8 turns into straight-line code (≈1.5× faster here).
 * Built once per width with `new Function` (as gpu.js builds one kernel per shape);
 * same float64 summation order as `projectRef`, so test/compute checks they agree exactly.
 */
const MAX_UNROLL = 64;

type ProjectFn = (X: Float32Array, WT: Float32Array, O: Float32Array, B: number, n: number) => void;

const projectors = new Map<number, ProjectFn>();

/** O = X·WT for sparse rows of X (B × n) and an output width np ≤ 64. */
export function unrolledProjector(np: number): ProjectFn | null {
  if (np < 1 || np > MAX_UNROLL) return null;
  let f = projectors.get(np);
  if (!f) {
    const init = Array.from({ length: np }, (_, k) => `let a${k} = 0;`).join(" ");
    const acc = Array.from({ length: np }, (_, k) => `a${k} += v * WT[wo + ${k}];`).join("\n");
    const store = Array.from({ length: np }, (_, k) => `O[oo + ${k}] = a${k};`).join(" ");
    const src = `
      for (let b = 0; b < B; b++) {
        const xo = b * n, oo = b * ${np};
        ${init}
        for (let i = 0; i < n; i++) {
          const v = X[xo + i];
          if (v === 0) continue;
          const wo = i * ${np};
          ${acc}
        }
        ${store}
      }`;
    f = new Function("X", "WT", "O", "B", "n", src) as ProjectFn;
    projectors.set(np, f);
  }
  return f;
}
