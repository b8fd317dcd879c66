/**
 * Sparse-latent products of one SAE step. With Top-k (k kept latents per sample) or
 * ReLU + L1 (most latents exactly 0), the decoder and every backward product touch
 * only the non-zero latents: the encoder is the one dense product left. Latents are
 * held as CSR rows (per sample) and, for the products summed over the batch, as the
 * same entries grouped by latent (CSC). Sums run in float64 in the same order as the
 * js backend's zero-skipping loops, so these equal `js` bit for bit
 * (test/sparse.test.ts), which keeps the js backend an exact oracle for them.
 */
import { mat, type Mat } from "../util/mat.ts";
import { unrolledCscT, unrolledCsrTimes, unrolledMaskedDots } from "./unrolled.ts";

/** Non-zeros of a B × m matrix: row b holds entries ptr[b]..ptr[b+1] (ascending columns). */
export type Csr = { rows: number; cols: number; ptr: Int32Array; idx: Int32Array; val: Float32Array };

export function toCsr(z: Mat): Csr {
  const { rows, cols, data } = z;
  let nnz = 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) nnz++;
  const ptr = new Int32Array(rows + 1), idx = new Int32Array(nnz), val = new Float32Array(nnz);
  let t = 0;
  for (let b = 0; b < rows; b++) {
    const o = b * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j]!;
      if (v !== 0) { idx[t] = j; val[t++] = v; }
    }
    ptr[b + 1] = t;
  }
  return { rows, cols, ptr, idx, val };
}

/** The same entries grouped by column: column j holds positions cptr[j]..cptr[j+1] of `order` (into the CSR arrays), rows ascending. */
export type Csc = { cptr: Int32Array; order: Int32Array; row: Int32Array };

export function toCsc(s: Csr): Csc {
  const nnz = s.idx.length;
  const cptr = new Int32Array(s.cols + 1);
  for (let t = 0; t < nnz; t++) cptr[s.idx[t]! + 1]!++;
  for (let j = 0; j < s.cols; j++) cptr[j + 1]! += cptr[j]!;
  const fill = cptr.slice(0, s.cols), order = new Int32Array(nnz), row = new Int32Array(nnz);
  for (let b = 0; b < s.rows; b++)
    for (let t = s.ptr[b]!; t < s.ptr[b + 1]!; t++) {
      const p = fill[s.idx[t]!]!++;
      order[p] = t;
      row[p] = b;
    }
  return { cptr, order, row };
}

/** Z · D (B × n): each sample's reconstruction from its non-zero latents' rows of D (m × n). */
export function csrTimes(z: Csr, d: Mat): Mat {
  const n = d.cols, D = d.data;
  if (d.rows !== z.cols) throw new Error(`csrTimes: Z has ${z.cols} columns, D ${d.rows} rows`);
  const out = mat(z.rows, n), O = out.data;
  const fast = unrolledCsrTimes(n);
  if (fast) {
    fast(z.ptr, z.idx, z.val, D, O, z.rows);
    return out;
  }
  const acc = new Float64Array(n);
  for (let b = 0; b < z.rows; b++) {
    acc.fill(0);
    for (let t = z.ptr[b]!; t < z.ptr[b + 1]!; t++) {
      const v = z.val[t]!, o = z.idx[t]! * n;
      for (let i = 0; i < n; i++) acc[i]! += v * D[o + i]!;
    }
    O.set(acc, b * n);
  }
  return out;
}

/**
 * Vᵀ · X (m × n) for the sparse V whose pattern is `z` and values `val` (z's own or
 * another's on the same pattern): row j sums val·X[b] over the samples b where latent
 * j is non-zero. Latents with no entry get a zero row.
 */
export function cscTransposeTimes(z: Csr, c: Csc, val: Float32Array, x: Mat): Mat {
  const n = x.cols, X = x.data;
  if (x.rows !== z.rows) throw new Error(`cscTransposeTimes: V has ${z.rows} rows, X ${x.rows}`);
  const out = mat(z.cols, n), O = out.data;
  const fast = unrolledCscT(n);
  if (fast) {
    fast(c.cptr, c.order, c.row, val, X, O, z.cols);
    return out;
  }
  const acc = new Float64Array(n);
  for (let j = 0; j < z.cols; j++) {
    const t0 = c.cptr[j]!, t1 = c.cptr[j + 1]!;
    if (t0 === t1) continue;
    acc.fill(0);
    for (let p = t0; p < t1; p++) {
      const v = val[c.order[p]!]!;
      if (v === 0) continue; // as the dense loops skip exact zeros
      const o = c.row[p]! * n;
      for (let i = 0; i < n; i++) acc[i]! += v * X[o + i]!;
    }
    O.set(acc, j * n);
  }
  return out;
}

/** dPre on z's pattern: l1 + G[b]·D[j] for every non-zero (b, j) (the masked gradient, sparse). */
export function maskedDots(z: Csr, g: Mat, d: Mat, l1: number): Float32Array {
  const n = g.cols, G = g.data, D = d.data;
  if (d.cols !== n || g.rows !== z.rows || d.rows !== z.cols) throw new Error("maskedDots: shapes differ");
  const out = new Float32Array(z.idx.length);
  const fast = unrolledMaskedDots(n);
  if (fast) {
    fast(z.ptr, z.idx, G, D, out, z.rows, l1);
    return out;
  }
  for (let b = 0; b < z.rows; b++) {
    const go = b * n;
    for (let t = z.ptr[b]!; t < z.ptr[b + 1]!; t++) {
      const o = z.idx[t]! * n;
      let s = l1;
      for (let i = 0; i < n; i++) s += G[go + i]! * D[o + i]!;
      out[t] = s;
    }
  }
  return out;
}

/**
 * Share of non-zeros, from at most 4096 entries: a routing hint, not a metric. Large arrays
 * are sampled along the golden-ratio sequence, which no row length aliases with (an even
 * stride through a B × n_m matrix would see the same few latents in every row).
 */
export function density(a: Float32Array): number {
  return densityOf(a, 0, a.length, a.length, a.length);
}

/**
 * density() of the len entries of a rows × cols matrix lying in `a` from `off` with row
 * stride `ld` (a padded block): the same entries sampled, so the same answer.
 */
export function densityOf(a: Float32Array, off: number, len: number, cols: number, ld: number): number {
  const at = (i: number) => (ld === cols ? off + i : off + Math.floor(i / cols) * ld + (i % cols));
  if (len <= 4096) {
    let nz = 0;
    for (let i = 0; i < len; i++) if (a[at(i)] !== 0) nz++;
    return len ? nz / len : 1;
  }
  let nz = 0, f = 0;
  for (let k = 0; k < 4096; k++) {
    f += 0.6180339887498949;
    if (f >= 1) f -= 1;
    if (a[at(Math.floor(f * len))] !== 0) nz++;
  }
  return nz / 4096;
}
