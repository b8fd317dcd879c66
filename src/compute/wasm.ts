/**
 * The `wasm` backend: dense products on a hand-written WebAssembly SIMD kernel
 * (simd.wat, 4×8 register tile, float32 sums), everything element-wise in JS.
 * Operands are packed into the module's memory in panel order (4 rows of op(A),
 * 8 columns of op(B), zero-padded), which is also where every transpose happens:
 * the kernel never reads memory with a stride, so all four transpose combinations
 * run at the same speed (tfjs-backend-wasm's transposed matMul was 10× slower than
 * its plain one here). When the left operand is mostly zeros (sparse latents), the
 * zero-skipping JS kernels are cheaper than any dense product and are used instead.
 */
import { readFileSync } from "node:fs";
import { mat, type Mat } from "../util/mat.ts";
import { checkMatmul, type AdamHyper, type Backend } from "./backend.ts";
import { adamJs, matmulJs, maskedGradJs } from "./js.ts";

type GemmFn = (ap: number, bp: number, c: number, np: number, k: number, nq: number, chunk: number) => void;

let bytes: Uint8Array<ArrayBuffer> | null = null;
let module: WebAssembly.Module | null = null;
const simdBytes = () => (bytes ??= new Uint8Array(readFileSync(new URL("./simd.wasm", import.meta.url))));
/** Compiled once per thread (every worker has its own). */
function simdModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(simdBytes());
  return module;
}

/** Whether this runtime validates the kernel (WebAssembly SIMD: Node ≥ 16.4). */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(simdBytes());
  } catch {
    return false;
  }
}

/** Below this share of nonzeros in the left operand, the JS zero-skipping kernels win (measured by scripts/bench.ts --ops). */
export const SPARSE_DENSITY = 0.15;

export function density(a: Float32Array): number {
  let nz = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) nz++;
  return a.length ? nz / a.length : 1;
}

export class WasmBackend implements Backend {
  readonly name = "wasm" as const;
  readonly mode = "simd128";
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: GemmFn;
  private f: Float32Array;

  constructor() {
    const inst = new WebAssembly.Instance(simdModule(), {});
    this.memory = inst.exports.memory as WebAssembly.Memory;
    this.gemm = inst.exports.gemm as GemmFn;
    this.f = new Float32Array(this.memory.buffer);
  }

  /** Float32 view of at least `floats` entries (growing the memory; the view is renewed after a grow). */
  private reserve(floats: number): Float32Array {
    const bytes = floats * 4;
    if (bytes > 2 ** 31) throw new Error(`wasm backend: operands need ${bytes} bytes (limit 2 GiB)`);
    if (this.memory.buffer.byteLength < bytes) this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
    if (this.f.buffer !== this.memory.buffer) this.f = new Float32Array(this.memory.buffer);
    return this.f;
  }

  /**
   * op(A)·op(B) into the padded C block of the module memory; returns the view, the
   * float offset of C and its padded row stride. Epilogues (bias, ReLU, masks) read it.
   */
  private product(a: Mat, b: Mat, transA: boolean, transB: boolean): { f: Float32Array; c0: number; cp: number; r: number; c: number } {
    const [r, k, c] = checkMatmul(a, b, transA, transB);
    const np = Math.ceil(r / 4), nq = Math.ceil(c / 8), rp = np * 4, cp = nq * 8;
    const a0 = 0, b0 = rp * k, c0 = b0 + cp * k;
    const f = this.reserve(c0 + rp * cp);
    if (k === 0 || r === 0 || c === 0) {
      f.fill(0, c0, c0 + rp * cp);
      return { f, c0, cp, r, c };
    }
    packA(a.data, transA, r, k, f, a0);
    packB(b.data, transB, k, c, f, b0);
    // A panels per cache block: about 96 KiB of A stays in L2 while B streams
    const chunk = Math.max(1, Math.floor(96 * 1024 / (k * 16)));
    this.gemm(a0 * 4, b0 * 4, c0 * 4, np, k, nq, chunk);
    return { f, c0, cp, r, c };
  }

  async matmul(a: Mat, b: Mat, opts: { transA?: boolean; transB?: boolean } = {}): Promise<Mat> {
    const transA = Boolean(opts.transA), transB = Boolean(opts.transB);
    if (!transB && density(a.data) < SPARSE_DENSITY) return matmulJs(a, b, transA, false);
    const { f, c0, cp, r, c } = this.product(a, b, transA, transB);
    const out = mat(r, c);
    if (cp === c) out.data.set(f.subarray(c0, c0 + r * c));
    else for (let i = 0; i < r; i++) out.data.set(f.subarray(c0 + i * cp, c0 + i * cp + c), i * c);
    return out;
  }

  async encodeRelu(x: Mat, w: Mat, bias: Float32Array | null): Promise<Mat> {
    if (w.cols !== x.cols) throw new Error(`encode: X is ${x.rows}x${x.cols} but W is ${w.rows}x${w.cols}`);
    const { f, c0, cp, r, c } = this.product(x, w, false, true);
    const out = mat(r, c), Z = out.data;
    for (let i = 0; i < r; i++) {
      const o = c0 + i * cp, zo = i * c;
      if (bias) for (let j = 0; j < c; j++) { const s = f[o + j]! + bias[j]!; Z[zo + j] = s > 0 ? s : 0; }
      else for (let j = 0; j < c; j++) { const s = f[o + j]!; Z[zo + j] = s > 0 ? s : 0; }
    }
    return out;
  }

  async maskedGrad(g: Mat, d: Mat, z: Mat, l1: number): Promise<Mat> {
    if (d.cols !== g.cols || z.rows !== g.rows || z.cols !== d.rows) throw new Error("maskedGrad: shapes differ");
    if (density(z.data) < SPARSE_DENSITY) return maskedGradJs(g, d, z, l1);
    const { f, c0, cp, r, c } = this.product(g, d, false, true);
    const out = mat(r, c), O = out.data, Z = z.data;
    for (let i = 0; i < r; i++) {
      const o = c0 + i * cp, zo = i * c;
      for (let j = 0; j < c; j++) if (Z[zo + j]! > 0) O[zo + j] = f[o + j]! + l1;
    }
    return out;
  }

  async adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): Promise<void> {
    adamJs(p, g, m, v, h);
  }

  async dispose(): Promise<void> {}
}

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
