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
