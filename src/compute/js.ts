/**
 * Plain TypeScript kernels: the reference every other backend is tested against,
 * and the fast path on CPU machines. Sums run in float64 (JS numbers) and are
 * stored as float32. Loops skip exact zeros of the left operand, which is what
 * makes the sparse latents of an SAE cheap (decoder and every gradient).
 */
import { mat, type Mat } from "../util/mat.ts";
import { checkMatmul, type AdamHyper, type Backend } from "./backend.ts";
import { unrolledEncode, unrolledMasked, unrolledNN, unrolledTN } from "./unrolled.ts";

/** C = op(A)·op(B); narrow outputs (≤ 64 columns) go through the unrolled kernels. */
export function matmulJs(a: Mat, b: Mat, transA = false, transB = false): Mat {
  const [r, k, c] = checkMatmul(a, b, transA, transB);
  if (!transB && c <= 64) {
    const out = mat(r, c);
    if (!transA) unrolledNN(c)!(a.data, b.data, out.data, r, k);
    else {
      const acc = new Float64Array(r * c);
      unrolledTN(c)!(a.data, b.data, acc, r, k);
      out.data.set(acc);
    }
    return out;
  }
  return matmulRef(a, b, transA, transB);
}

/** The plain-loop reference matmul, float64 sums. */
export function matmulRef(a: Mat, b: Mat, transA = false, transB = false): Mat {
  const [r, k, c] = checkMatmul(a, b, transA, transB);
  const out = mat(r, c);
  const A = a.data, B = b.data, C = out.data;
  if (!transA && !transB) {
    const acc = new Float64Array(c);
    for (let i = 0; i < r; i++) {
      acc.fill(0);
      for (let kk = 0; kk < k; kk++) {
        const av = A[i * k + kk]!;
        if (av === 0) continue;
        const bo = kk * c;
        for (let j = 0; j < c; j++) acc[j]! += av * B[bo + j]!;
      }
      C.set(acc, i * c);
    }
  } else if (transA && !transB) {
    // A is k×r: C[i, :] = Σ_kk A[kk, i] · B[kk, :]
    const acc = new Float64Array(r * c);
    for (let kk = 0; kk < k; kk++) {
      const ao = kk * r, bo = kk * c;
      for (let i = 0; i < r; i++) {
        const av = A[ao + i]!;
        if (av === 0) continue;
        const co = i * c;
        for (let j = 0; j < c; j++) acc[co + j]! += av * B[bo + j]!;
      }
    }
    C.set(acc);
  } else if (!transA && transB) {
    // B is c×k: dot products of rows, the encoder's shape.
    for (let i = 0; i < r; i++) {
      const ao = i * k;
      for (let j = 0; j < c; j++) {
        const bo = j * k;
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += A[ao + kk]! * B[bo + kk]!;
        C[i * c + j] = s;
      }
    }
  } else {
    // A is k×r, B is c×k
    for (let i = 0; i < r; i++)
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += A[kk * r + i]! * B[j * k + kk]!;
        C[i * c + j] = s;
      }
  }
  return out;
}

/** Fused encoder; narrow inputs (n ≤ 64) through the unrolled kernel. */
export function encodeReluJs(x: Mat, w: Mat, bias: Float32Array | null): Mat {
  const fast = unrolledEncode(x.cols);
  if (!fast || w.cols !== x.cols) return encodeReluRef(x, w, bias);
  const out = mat(x.rows, w.rows);
  fast(x.data, w.data, bias, out.data, x.rows, w.rows);
  return out;
}

/** Reference encoder, 2×2 register-blocked; same summation order as the unrolled one. */
export function encodeReluRef(x: Mat, w: Mat, bias: Float32Array | null): Mat {
  const B = x.rows, n = x.cols, m = w.rows;
  if (w.cols !== n) throw new Error(`encode: X is ${B}x${n} but W is ${w.rows}x${w.cols}`);
  const out = mat(B, m);
  const X = x.data, W = w.data, Z = out.data;
  // 2 samples × 2 latents per pass: four independent sums keep the FPU busy.
  const B2 = B - (B % 2), m2 = m - (m % 2);
  for (let b = 0; b < B2; b += 2) {
    const x0 = b * n, x1 = x0 + n;
    for (let j = 0; j < m2; j += 2) {
      const w0 = j * n, w1 = w0 + n;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let i = 0; i < n; i++) {
        const a0 = X[x0 + i]!, a1 = X[x1 + i]!, c0 = W[w0 + i]!, c1 = W[w1 + i]!;
        s00 += a0 * c0; s01 += a0 * c1; s10 += a1 * c0; s11 += a1 * c1;
      }
      if (bias) { s00 += bias[j]!; s01 += bias[j + 1]!; s10 += bias[j]!; s11 += bias[j + 1]!; }
      Z[b * m + j] = s00 > 0 ? s00 : 0;
      Z[b * m + j + 1] = s01 > 0 ? s01 : 0;
      Z[(b + 1) * m + j] = s10 > 0 ? s10 : 0;
      Z[(b + 1) * m + j + 1] = s11 > 0 ? s11 : 0;
    }
    for (let j = m2; j < m; j++) for (let bb = b; bb < b + 2; bb++) Z[bb * m + j] = dotRelu(X, bb * n, W, j * n, n, bias ? bias[j]! : 0);
  }
  for (let b = B2; b < B; b++) for (let j = 0; j < m; j++) Z[b * m + j] = dotRelu(X, b * n, W, j * n, n, bias ? bias[j]! : 0);
  return out;
}

function dotRelu(X: Float32Array, xo: number, W: Float32Array, wo: number, n: number, b: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += X[xo + i]! * W[wo + i]!;
  s += b; // bias last, as in the blocked and unrolled paths
  return s > 0 ? s : 0;
}

export function maskedGradJs(g: Mat, d: Mat, z: Mat, l1: number): Mat {
  const fast = unrolledMasked(g.cols);
  if (!fast) return maskedGradRef(g, d, z, l1);
  if (d.cols !== g.cols || z.rows !== g.rows || z.cols !== d.rows) throw new Error("maskedGrad: shapes differ");
  const out = mat(g.rows, d.rows);
  fast(g.data, d.data, z.data, out.data, g.rows, d.rows, l1);
  return out;
}

export function maskedGradRef(g: Mat, d: Mat, z: Mat, l1: number): Mat {
  const B = g.rows, n = g.cols, m = d.rows;
  if (d.cols !== n || z.rows !== B || z.cols !== m) throw new Error("maskedGrad: shapes differ");
  const out = mat(B, m);
  const G = g.data, D = d.data, Z = z.data, O = out.data;
  for (let b = 0; b < B; b++) {
    const go = b * n, zo = b * m;
    for (let j = 0; j < m; j++) {
      if (!(Z[zo + j]! > 0)) continue;
      const dofs = j * n;
      let s = l1;
      for (let i = 0; i < n; i++) s += G[go + i]! * D[dofs + i]!;
      O[zo + j] = s;
    }
  }
  return out;
}

export function adamJs(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): void {
  const { lr, beta1, beta2, eps, step } = h;
  const c1 = 1 / (1 - Math.pow(beta1, step)), c2 = 1 / (1 - Math.pow(beta2, step));
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = (m[i] = beta1 * m[i]! + (1 - beta1) * gi);
    const vi = (v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi);
    p[i] = p[i]! - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps);
  }
}

export class JsBackend implements Backend {
  readonly name = "js" as const;
  readonly mode = "js";
  async matmul(a: Mat, b: Mat, opts: { transA?: boolean; transB?: boolean } = {}): Promise<Mat> {
    return matmulJs(a, b, opts.transA, opts.transB);
  }
  async encodeRelu(x: Mat, w: Mat, bias: Float32Array | null): Promise<Mat> {
    return encodeReluJs(x, w, bias);
  }
  async maskedGrad(g: Mat, d: Mat, z: Mat, l1: number): Promise<Mat> {
    return maskedGradJs(g, d, z, l1);
  }
  async adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): Promise<void> {
    adamJs(p, g, m, v, h);
  }
  async dispose(): Promise<void> {}
}
