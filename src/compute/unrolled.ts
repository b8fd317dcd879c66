/**
 * Shape-specialised JS kernels for narrow matrices (the paper's n_p = 20): the loop
 * over the narrow dimension is unrolled into local variables, which V8 compiles to
 * straight-line code. Built once per width with `new Function` (as gpu.js builds one
 * kernel per shape). Each keeps the float64 summation order of its plain-loop twin
 * in js.ts, so test/compute.test.ts checks them for exact equality.
 */
const MAX_UNROLL = 64;

const seq = (n: number, f: (k: number) => string, sep = "\n") => Array.from({ length: n }, (_, k) => f(k)).join(sep);

function cached<F>(cache: Map<number, F>, c: number, make: (c: number) => F): F | null {
  if (c < 1 || c > MAX_UNROLL) return null;
  let f = cache.get(c);
  if (!f) {
    f = make(c);
    cache.set(c, f);
  }
  return f;
}

/** C (r × c) = A (r × k) · B (k × c), skipping zeros of A. */
export type NNFn = (A: Float32Array, B: Float32Array, C: Float32Array, r: number, k: number) => void;
const nn = new Map<number, NNFn>();
export const unrolledNN = (c: number): NNFn | null =>
  cached(nn, c, (c) =>
    new Function("A", "B", "C", "r", "k", `
      for (let i = 0; i < r; i++) {
        const ao = i * k, co = i * ${c};
        ${seq(c, (j) => `let a${j} = 0;`, " ")}
        for (let kk = 0; kk < k; kk++) {
          const v = A[ao + kk];
          if (v === 0) continue;
          const bo = kk * ${c};
          ${seq(c, (j) => `a${j} += v * B[bo + ${j}];`)}
        }
        ${seq(c, (j) => `C[co + ${j}] = a${j};`, " ")}
      }`) as NNFn);

/** C (r × c) = Aᵀ · B with A (k × r), B (k × c), skipping zeros of A; acc is r·c float64. */
export type TNFn = (A: Float32Array, B: Float32Array, acc: Float64Array, r: number, k: number) => void;
const tn = new Map<number, TNFn>();
export const unrolledTN = (c: number): TNFn | null =>
  cached(tn, c, (c) =>
    new Function("A", "B", "acc", "r", "k", `
      for (let kk = 0; kk < k; kk++) {
        const ao = kk * r, bo = kk * ${c};
        ${seq(c, (j) => `const b${j} = B[bo + ${j}];`, " ")}
        for (let i = 0; i < r; i++) {
          const v = A[ao + i];
          if (v === 0) continue;
          const co = i * ${c};
          ${seq(c, (j) => `acc[co + ${j}] += v * b${j};`)}
        }
      }`) as TNFn);

/** O (B × m) = (G · Dᵀ + l1) where Z > 0, else 0; G is B × n, D is m × n. */
export type MaskedFn = (G: Float32Array, D: Float32Array, Z: Float32Array, O: Float32Array, B: number, m: number, l1: number) => void;
const masked = new Map<number, MaskedFn>();
export const unrolledMasked = (n: number): MaskedFn | null =>
  cached(masked, n, (n) =>
    new Function("G", "D", "Z", "O", "B", "m", "l1", `
      for (let b = 0; b < B; b++) {
        const go = b * ${n}, zo = b * m;
        ${seq(n, (i) => `const g${i} = G[go + ${i}];`, " ")}
        for (let j = 0; j < m; j++) {
          if (!(Z[zo + j] > 0)) continue;
          const d = j * ${n};
          let s = l1;
          ${seq(n, (i) => `s += g${i} * D[d + ${i}];`)}
          O[zo + j] = s;
        }
      }`) as MaskedFn);

/** Z (B × m) = relu(X · Wᵀ + bias); X is B × n, W is m × n. */
export type EncodeFn = (X: Float32Array, W: Float32Array, bias: Float32Array | null, Z: Float32Array, B: number, m: number) => void;
const enc = new Map<number, EncodeFn>();
export const unrolledEncode = (n: number): EncodeFn | null =>
  cached(enc, n, (n) =>
    new Function("X", "W", "bias", "Z", "B", "m", `
      for (let b = 0; b < B; b++) {
        const xo = b * ${n}, zo = b * m;
        ${seq(n, (i) => `const x${i} = X[xo + ${i}];`, " ")}
        for (let j = 0; j < m; j++) {
          const w = j * ${n};
          let s = 0;
          ${seq(n, (i) => `s += x${i} * W[w + ${i}];`)}
          if (bias !== null) s += bias[j];
          Z[zo + j] = s > 0 ? s : 0;
        }
      }`) as EncodeFn);


/**
 * The sparse-latent products of compute/sparse.ts for narrow rows (n ≤ 64), unrolled over
 * n with float64 locals: the same sums in the same order as their loop versions, so equal.
 */
export type CsrTimesFn = (ptr: Int32Array, idx: Int32Array, val: Float32Array, D: Float32Array, O: Float32Array, rows: number) => void;
const csrT = new Map<number, CsrTimesFn>();
export const unrolledCsrTimes = (n: number): CsrTimesFn | null =>
  cached(csrT, n, (n) =>
    new Function("ptr", "idx", "val", "D", "O", "rows", `
      for (let b = 0; b < rows; b++) {
        ${seq(n, (i) => `let a${i} = 0;`, " ")}
        for (let t = ptr[b], t1 = ptr[b + 1]; t < t1; t++) {
          const v = val[t], o = idx[t] * ${n};
          ${seq(n, (i) => `a${i} += v * D[o + ${i}];`)}
        }
        const oo = b * ${n};
        ${seq(n, (i) => `O[oo + ${i}] = a${i};`, " ")}
      }`) as CsrTimesFn);

/** Row j of O = Σ over column j's entries (CSC order) of val·X[row]; skips exact zeros. */
export type CscTFn = (cptr: Int32Array, order: Int32Array, row: Int32Array, val: Float32Array, X: Float32Array, O: Float32Array, cols: number) => void;
const cscT = new Map<number, CscTFn>();
export const unrolledCscT = (n: number): CscTFn | null =>
  cached(cscT, n, (n) =>
    new Function("cptr", "order", "row", "val", "X", "O", "cols", `
      for (let j = 0; j < cols; j++) {
        const t0 = cptr[j], t1 = cptr[j + 1];
        if (t0 === t1) continue;
        ${seq(n, (i) => `let a${i} = 0;`, " ")}
        for (let p = t0; p < t1; p++) {
          const v = val[order[p]];
          if (v === 0) continue;
          const o = row[p] * ${n};
          ${seq(n, (i) => `a${i} += v * X[o + ${i}];`)}
        }
        const oo = j * ${n};
        ${seq(n, (i) => `O[oo + ${i}] = a${i};`, " ")}
      }`) as CscTFn);

/** out[t] = l1 + G[b]·D[idx[t]] for every entry t of row b. */
export type MaskedDotsFn = (ptr: Int32Array, idx: Int32Array, G: Float32Array, D: Float32Array, out: Float32Array, rows: number, l1: number) => void;
const mdots = new Map<number, MaskedDotsFn>();
export const unrolledMaskedDots = (n: number): MaskedDotsFn | null =>
  cached(mdots, n, (n) =>
    new Function("ptr", "idx", "G", "D", "out", "rows", "l1", `
      for (let b = 0; b < rows; b++) {
        const go = b * ${n};
        ${seq(n, (i) => `const g${i} = G[go + ${i}];`, " ")}
        for (let t = ptr[b], t1 = ptr[b + 1]; t < t1; t++) {
          const o = idx[t] * ${n};
          let s = l1;
          ${seq(n, (i) => `s += g${i} * D[o + ${i}];`)}
          out[t] = s;
        }
      }`) as MaskedDotsFn);
