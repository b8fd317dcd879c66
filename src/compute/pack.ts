/** Operand packing for the wasm gemm kernel (simd.wat): panels the 4×8 tile reads sequentially. */

/** Panels of 4 rows of op(A) (r × k): panel ib holds op(A)[4ib + t, kk] at kk·4 + t; missing rows are 0. */
export function packA(A: Float32Array, transA: boolean, r: number, k: number, f: Float32Array, o: number): void {
  const rp = Math.ceil(r / 4) * 4;
  if (rp !== r) f.fill(0, o + (rp - 4) * k, o + rp * k); // the last, partial panel
  if (!transA) {
    // A is r × k
    for (let i = 0; i < r; i++) {
      const d = o + (i >> 2) * k * 4 + (i & 3), s = i * k;
      for (let kk = 0; kk < k; kk++) f[d + kk * 4] = A[s + kk]!;
    }
  } else {
    // A is k × r: op(A)[i, kk] = A[kk·r + i]
    for (let kk = 0; kk < k; kk++) {
      const s = kk * r, d = o + kk * 4;
      for (let i = 0; i < r; i++) f[d + (i >> 2) * k * 4 + (i & 3)] = A[s + i]!;
    }
  }
}

/** Panels of 8 columns of op(B) (k × c): panel jb holds op(B)[kk, 8jb + u] at kk·8 + u; missing columns are 0. */
export function packB(B: Float32Array, transB: boolean, k: number, c: number, f: Float32Array, o: number): void {
  const cp = Math.ceil(c / 8) * 8;
  if (cp !== c) f.fill(0, o + (cp - 8) * k, o + cp * k);
  if (!transB) {
    // B is k × c
    for (let kk = 0; kk < k; kk++) {
      const s = kk * c, d = o + kk * 8;
      for (let j = 0; j < c; j++) f[d + (j >> 3) * k * 8 + (j & 7)] = B[s + j]!;
    }
  } else {
    // B is c × k: op(B)[kk, j] = B[j·k + kk]
    for (let j = 0; j < c; j++) {
      const s = j * k, d = o + (j >> 3) * k * 8 + (j & 7);
      for (let kk = 0; kk < k; kk++) f[d + kk * 8] = B[s + kk]!;
    }
  }
}

/** x rounded up to a multiple of m (operands are laid out in 16-byte units of 4 floats). */
export const up = (x: number, m: number): number => Math.ceil(x / m) * m;

/** A panels per cache block of the gemm kernel: about 96 KiB of A stays in L2 while B streams (it only orders the tiles). */
export const chunkOf = (k: number): number => Math.max(1, Math.floor((96 * 1024) / (k * 16)));

/** A rows × cols matrix into `f` from `at` with rows `ld` apart, each row's padding zeroed. */
export function putPadded(src: Float32Array, rows: number, cols: number, f: Float32Array, at: number, ld: number): void {
  if (ld === cols) {
    f.set(src.subarray(0, rows * cols), at);
    return;
  }
  for (let i = 0; i < rows; i++) {
    f.set(src.subarray(i * cols, (i + 1) * cols), at + i * ld);
    f.fill(0, at + i * ld + cols, at + (i + 1) * ld);
  }
}

/** The rows × cols top-left block of a padded one in `f` (rows `ld` apart from `at`), into `out`. */
export function takePadded(f: Float32Array, at: number, ld: number, rows: number, cols: number, out: Float32Array = new Float32Array(rows * cols)): Float32Array {
  if (ld === cols) out.set(f.subarray(at, at + rows * cols));
  else if (cols >= 64) for (let i = 0; i < rows; i++) out.set(f.subarray(at + i * ld, at + i * ld + cols), i * cols);
  // short rows: a plain loop beats a subarray per row
  else for (let i = 0; i < rows; i++) for (let j = 0, s = at + i * ld, d = i * cols; j < cols; j++) out[d + j] = f[s + j]!;
  return out;
}
