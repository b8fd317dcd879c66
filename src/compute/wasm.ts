/**
 * The `wasm` backend: dense products on a hand-written WebAssembly SIMD kernel
 * (simd.wat, 4×8 register tile, float32 sums), everything element-wise in JS.
 * Narrow products read A where it lies (copied in by memcpy, read through byte
 * strides, so a transposed A costs nothing extra); wide ones pack A into 4-row panels;
 * a transposed B is packed into 8-column panels on the way in. All four transpose combinations run at about the
 * same speed (tfjs-backend-wasm's transposed matMul was 10× slower than its plain one). When the left operand is mostly zeros (sparse latents), the
 * zero-skipping JS kernels are cheaper than any dense product and are used instead.
 */
import { readFileSync } from "node:fs";
import { mat, type Mat } from "../util/mat.ts";
import { checkMatmul, type AdamHyper, type Backend, type DenseStep, type OutputGrad } from "./backend.ts";
import { adamJs, matmulJs, maskedGradJs } from "./js.ts";
import { density } from "./sparse.ts";
import { chunkOf, packA, packB, putPadded, takePadded, up } from "./pack.ts";
import { denseReluStep, type WasmKernels } from "./wasm-step.ts";

type Gemm4Fn = (a: number, aI: number, aT: number, aK: number, b: number, bK: number, c: number, ldc: number, np: number, k: number) => void;
/** simd.wat's gemm; `cols` (the real columns, ≤ 8·nq) lets a last panel of ≤ 4 columns take the 4-wide tile. */
type GemmFn = (a: number, aI: number, aT: number, aK: number, b: number, bJ: number, bK: number, c: number, ldc: number, np: number, nq: number, k: number, chunk: number, cols?: number) => void;

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
export const SPARSE_DENSITY = 0.05;

let shared: WasmBackend | null = null;
/** One instance per thread for work outside a backend (the batch sampler); null without SIMD. */
export function sharedSimd(): WasmBackend | null {
  if (!shared && simdSupported()) shared = new WasmBackend();
  return shared;
}

export class WasmBackend implements Backend {
  readonly name = "wasm" as const;
  readonly mode = "simd128";
  private readonly memory: WebAssembly.Memory;
  private readonly gemm: GemmFn;
  private readonly reluBias: (c: number, bias: number, rows: number, cols: number) => void;
  private readonly maskAdd: (c: number, z: number, n: number, l1: number) => void;
  private readonly sampler: (st: number, thr: number, bkt: number, gmax: number, total: number, n: number, w: number, m4: number, c: number) => number;
  private readonly samplerEach: (st: number, S: number, scale: number, rows: number, n: number, w: number, m4: number, c: number, tmp: number) => number;
  private readonly csr: (ptr: number, idx: number, val: number, w: number, c: number, rows: number, m4: number) => void;
  private f: Float32Array;
  private readonly kernels: WasmKernels;

  constructor() {
    const inst = new WebAssembly.Instance(simdModule(), {});
    this.memory = inst.exports.memory as WebAssembly.Memory;
    const gemm8 = inst.exports.gemm as GemmFn, gemm4 = inst.exports.gemm4 as Gemm4Fn;
    // a last column panel with at most 4 real columns goes to the 4-wide tile (same sums, half the work)
    this.gemm = (a, aI, aT, aK, b, bJ, bK, c, ldc, np, nq, k, chunk, cols = nq * 8) => {
      if (nq === 0 || cols > nq * 8 - 4) return gemm8(a, aI, aT, aK, b, bJ, bK, c, ldc, np, nq, k, chunk);
      if (nq > 1) gemm8(a, aI, aT, aK, b, bJ, bK, c, ldc, np, nq - 1, k, chunk);
      gemm4(a, aI, aT, aK, b + (nq - 1) * bJ, bK, c + (nq - 1) * 32, ldc, np, k);
    };
    this.reluBias = inst.exports.relu_bias as WasmBackend["reluBias"];
    this.maskAdd = inst.exports.mask_add as WasmBackend["maskAdd"];
    this.csr = inst.exports.csr_rows as WasmBackend["csr"];
    this.sampler = inst.exports.sample_xp as WasmBackend["sampler"];
    this.samplerEach = inst.exports.sample_xp_each as WasmBackend["samplerEach"];
    this.f = new Float32Array(this.memory.buffer);
    this.kernels = { reserve: (n) => this.reserve(n), gemm: this.gemm, reluBias: this.reluBias, maskAdd: this.maskAdd };
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
   * A is copied as it lies (a memcpy) and read through strides; B too, unless op(B) is
   * a transpose, which is packed into 8-column panels (the kernel needs 8 consecutive
   * columns). Slack after each operand is zeroed: the edge tiles read into it.
   */
  private product(a: Mat, b: Mat, transA: boolean, transB: boolean, extra = 0): { f: Float32Array; c0: number; cp: number; rp: number; r: number; c: number; e0: number } {
    const [r, k, c] = checkMatmul(a, b, transA, transB);
    const np = Math.ceil(r / 4), nq = Math.ceil(c / 8), rp = np * 4, cp = nq * 8;
    // wide outputs reuse each row of A across many column panels: pack it into 4-row
    // panels (sequential reads); narrow ones read it in place (a memcpy, no packing)
    const packedA = c >= 64;
    const aLen = packedA ? rp * k : r * k + (transA ? rp - r : (rp - r) * k);
    // B is read 8 columns at a time: pack it when transposed or wide (long row strides)
    const packedB = transB || c >= 64;
    const bLen = packedB ? cp * k : k * c + (cp - c);
    const a0 = 0, b0 = up(a0 + aLen, 4), c0 = up(b0 + bLen, 4), e0 = c0 + rp * cp;
    const f = this.reserve(e0 + extra);
    if (k === 0 || r === 0 || c === 0) {
      f.fill(0, c0, c0 + rp * cp);
      return { f, c0, cp, rp, r, c, e0 };
    }
    if (packedA) packA(a.data, transA, r, k, f, a0);
    else {
      f.set(a.data, a0);
      f.fill(0, a0 + r * k, a0 + aLen);
    }
    if (packedB) packB(b.data, transB, k, c, f, b0);
    else {
      f.set(b.data, b0);
      f.fill(0, b0 + k * c, b0 + bLen);
    }
    // byte strides of op(A)[4ib + t, kk] and op(B)[kk, 8jb + u] (see simd.wat)
    const [aI, aT, aK] = packedA ? [16 * k, 4, 16] : transA ? [16, 4, r * 4] : [16 * k, 4 * k, 4];
    const [bJ, bK] = packedB ? [32 * k, 32] : [32, 4 * c];
    this.gemm(a0 * 4, aI, aT, aK, b0 * 4, bJ, bK, c0 * 4, cp * 4, np, nq, k, chunkOf(k), c);
    return { f, c0, cp, rp, r, c, e0 };
  }

  async matmul(a: Mat, b: Mat, opts: { transA?: boolean; transB?: boolean } = {}): Promise<Mat> {
    const transA = Boolean(opts.transA), transB = Boolean(opts.transB);
    if (!transB && density(a.data) < SPARSE_DENSITY) return matmulJs(a, b, transA, false);
    const p = this.product(a, b, transA, transB);
    return this.copyOut(p.f, p.c0, p.cp, p.r, p.c);
  }

  /** The r × c result out of the padded C block. */
  private copyOut(f: Float32Array, c0: number, cp: number, r: number, c: number): Mat {
    return mat(r, c, takePadded(f, c0, cp, r, c));
  }

  async encodeRelu(x: Mat, w: Mat, bias: Float32Array | null): Promise<Mat> {
    if (w.cols !== x.cols) throw new Error(`encode: X is ${x.rows}x${x.cols} but W is ${w.rows}x${w.cols}`);
    const cp = Math.ceil(w.rows / 8) * 8;
    const { f, c0, rp, r, c, e0 } = this.product(x, w, false, true, cp);
    // bias (zero-padded to the row stride) behind C, then the SIMD epilogue in place
    f.fill(0, e0, e0 + cp);
    if (bias) f.set(bias, e0);
    this.reluBias(c0 * 4, e0 * 4, rp, cp);
    return this.copyOut(f, c0, cp, r, c);
  }

  async maskedGrad(g: Mat, d: Mat, z: Mat, l1: number): Promise<Mat> {
    if (d.cols !== g.cols || z.rows !== g.rows || z.cols !== d.rows) throw new Error("maskedGrad: shapes differ");
    if (density(z.data) < SPARSE_DENSITY) return maskedGradJs(g, d, z, l1);
    const rp = Math.ceil(g.rows / 4) * 4, cp = Math.ceil(d.rows / 8) * 8;
    const { f, c0, r, c, e0 } = this.product(g, d, false, true, rp * cp);
    // Z laid out as C behind it (padding rows and columns 0: masked out)
    putPadded(z.data, r, c, f, e0, cp);
    f.fill(0, e0 + r * cp, e0 + rp * cp);
    this.maskAdd(c0 * 4, e0 * 4, rp * cp, l1);
    return this.copyOut(f, c0, cp, r, c);
  }

  /**
   * out (rows × m) = X · W for a sparse X in CSR form (row b: entries ptr[b]..ptr[b+1] of
   * idx, val) and a dense W (k × m): float32 SIMD axpys, one output row at a time.
   */
  csrTimes(ptr: Int32Array, idx: Int32Array, val: Float32Array, w: Mat, rows: number, out: Mat): Mat {
    const m = w.cols, m4 = Math.ceil(m / 4), mp = m4 * 4, nnz = ptr[rows]!;
    if (out.rows !== rows || out.cols !== m || ptr.length < rows + 1) throw new Error("csrTimes: shapes differ");
    const p0 = 0, i0 = up(p0 + rows + 1, 4), v0 = up(i0 + nnz, 4), w0 = up(v0 + nnz, 4), c0 = w0 + w.rows * mp;
    const f = this.reserve(c0 + rows * mp);
    const ints = new Int32Array(f.buffer, 0, c0);
    ints.set(ptr.subarray(0, rows + 1), p0);
    ints.set(idx.subarray(0, nnz), i0);
    f.set(val.subarray(0, nnz), v0);
    putPadded(w.data, w.rows, m, f, w0, mp);
    this.csr(p0 * 4, i0 * 4, v0 * 4, w0 * 4, c0 * 4, rows, m4);
    takePadded(f, c0, mp, rows, m, out.data);
    return out;
  }

  async reluStep(x: Mat, w: Mat, d: Mat, bias: Float32Array | null, l1: number, sparseBelow: number, outputGrad: OutputGrad): Promise<{ z: Mat } | DenseStep | null> {
    // below SPARSE_DENSITY the op-by-op products take the zero-skipping JS kernels (float64
    // sums): hand z back there too, so a forced dense step still equals op by op bit for bit
    return denseReluStep(this.kernels, x, w, d, bias, l1, Math.max(sparseBelow, SPARSE_DENSITY), outputGrad);
  }

  /**
   * out (rows × m) = x·W for a fresh sample x (rows × n; W is n × m) drawn as the JS
   * samplers draw it (data/synthetic.ts), continuing from and updating `state`
   * (Rng.getState): with the gap thresholds of sampleXSparse (`gaps`, see gapTable), or
   * one draw per coordinate as sampleXTracked (`each`, at sparsity S). x is never formed.
   * Returns its non-zero count.
   */
  sampleXp(state: number[], law: { gaps: { thr: Uint32Array; bkt: Int32Array } } | { each: number }, w: Mat, rows: number, out: Mat): number {
    const n = w.rows, m = w.cols, m4 = Math.ceil(m / 4), mp = m4 * 4, total = rows * n;
    if (out.rows !== rows || out.cols !== m) throw new Error("sampleXp: shapes differ");
    if (total >= 2 ** 31) throw new Error(`sampleXp: ${total} coordinates (limit 2^31)`);
    const thr = "gaps" in law ? law.gaps.thr : new Uint32Array(0);
    const s0 = 0, t0 = 4, k0 = up(t0 + thr.length, 4), w0 = k0 + 4096, c0 = w0 + n * mp;
    const tmp = up(c0 + rows * mp, 4); // sample_xp_each's list of one row's non-zeros
    const f = this.reserve(tmp + 2 * n);
    const ints = new Int32Array(f.buffer, 0, w0);
    ints.set(state, s0);
    putPadded(w.data, n, m, f, w0, mp);
    f.fill(0, c0, c0 + rows * mp);
    let count: number;
    if ("gaps" in law) {
      if (law.gaps.bkt.length !== 4096 || thr.length < 1) throw new Error("sampleXp: bad gap table");
      new Uint32Array(f.buffer, t0 * 4, thr.length).set(thr);
      ints.set(law.gaps.bkt, k0);
      count = this.sampler(s0 * 4, t0 * 4, k0 * 4, thr.length - 1, total, n, w0 * 4, m4, c0 * 4);
    } else {
      const S = law.each;
      count = this.samplerEach(s0 * 4, S, 1 / (1 - S), rows, n, w0 * 4, m4, c0 * 4, tmp * 4);
    }
    for (let i = 0; i < 4; i++) state[i] = ints[s0 + i]!;
    takePadded(f, c0, mp, rows, m, out.data);
    return count;
  }

  async adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): Promise<void> {
    adamJs(p, g, m, v, h);
  }

  async dispose(): Promise<void> {}
}
