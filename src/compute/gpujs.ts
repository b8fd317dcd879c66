/**
 * gpu.js kernels for the same ops as the js backend. Each kernel writes a flat
 * 1-D output (so the result is already a row-major Float32Array) and reads its
 * loop bounds from `constants`: gpu.js silently truncates argument-bound loops at
 * 1000 iterations. One kernel per (op, shape), cached, destroyed on dispose.
 * Modes: "webasm" (CPU, SIMD + worker threads) by default; "headlessgl" only where
 * a real GPU and built headless-gl exist; "cpu" for debugging.
 */
import { GPU } from "gpu.js";
import { mat, type Mat } from "../util/mat.ts";
import { checkMatmul, type AdamHyper, type Backend } from "./backend.ts";

export type GpuJsMode = "webasm" | "headlessgl" | "cpu";

type Kernel = ((...args: unknown[]) => unknown) & { destroy(): void; kernel?: { constructor: { name: string } } };
// gpu.js types arguments as number[]; it accepts typed arrays at run time.
type Arg = number[];
const arg = (a: Float32Array): Arg => a as unknown as Arg;

// Strided matmul: one source for all four transpose combinations.
function matmulKernel(this: any, a: number[], b: number[]): number {
  const r = Math.floor(this.thread.x / this.constants.c);
  const j = this.thread.x - r * this.constants.c;
  let s = 0;
  for (let kk = 0; kk < this.constants.k; kk++) {
    s += a[r * this.constants.ar + kk * this.constants.ak] * b[kk * this.constants.bk + j * this.constants.bc];
  }
  return s;
}

function encodeReluKernel(this: any, x: number[], w: number[], bias: number[]): number {
  const b = Math.floor(this.thread.x / this.constants.m);
  const j = this.thread.x - b * this.constants.m;
  let s = bias[j];
  for (let i = 0; i < this.constants.n; i++) s += x[b * this.constants.n + i] * w[j * this.constants.n + i];
  return Math.max(s, 0);
}

function maskedGradKernel(this: any, g: number[], d: number[], z: number[], l1: number): number {
  const b = Math.floor(this.thread.x / this.constants.m);
  const j = this.thread.x - b * this.constants.m;
  if (z[this.thread.x] > 0) {
    let s = l1;
    for (let i = 0; i < this.constants.n; i++) s += g[b * this.constants.n + i] * d[j * this.constants.n + i];
    return s;
  }
  return 0;
}

function adamMomentKernel(this: any, m: number[], g: number[], beta: number, square: number): number {
  const gi = g[this.thread.x];
  if (square > 0) return beta * m[this.thread.x] + (1 - beta) * gi * gi;
  return beta * m[this.thread.x] + (1 - beta) * gi;
}

function adamParamKernel(this: any, p: number[], m: number[], v: number[], lrc1: number, c2: number, eps: number): number {
  return p[this.thread.x] - (lrc1 * m[this.thread.x]) / (Math.sqrt(v[this.thread.x] * c2) + eps);
}

export class GpuJsBackend implements Backend {
  readonly name = "gpujs" as const;
  readonly mode: GpuJsMode;
  private readonly gpu: GPU;
  private readonly kernels = new Map<string, Kernel>();

  constructor(mode: GpuJsMode = "webasm") {
    this.mode = mode;
    this.gpu = new GPU({ mode: mode as never });
  }

  private kernel(key: string, fn: Function, length: number, constants: Record<string, number>): Kernel {
    let k = this.kernels.get(key);
    if (!k) {
      k = this.gpu.createKernel(fn as never, {
        output: [length],
        constants,
        precision: "single",
        tactic: "precision",
        asyncMode: this.mode === "webasm",
      } as never) as unknown as Kernel;
      this.kernels.set(key, k);
    }
    return k;
  }

  private static async flat(out: unknown, length: number): Promise<Float32Array> {
    const r = await out;
    if (r instanceof Float32Array) return r.length === length ? r : Float32Array.from(r.subarray(0, length));
    return Float32Array.from(r as ArrayLike<number>);
  }

  async matmul(a: Mat, b: Mat, opts: { transA?: boolean; transB?: boolean } = {}): Promise<Mat> {
    const [r, k, c] = checkMatmul(a, b, opts.transA, opts.transB);
    const ar = opts.transA ? 1 : a.cols, ak = opts.transA ? a.cols : 1;
    const bk = opts.transB ? 1 : b.cols, bc = opts.transB ? b.cols : 1;
    const key = `mm:${r}:${k}:${c}:${opts.transA ? 1 : 0}${opts.transB ? 1 : 0}`;
    const kern = this.kernel(key, matmulKernel, r * c, { c, k, ar, ak, bk, bc });
    return mat(r, c, await GpuJsBackend.flat(kern(arg(a.data), arg(b.data)), r * c));
  }

  async encodeRelu(x: Mat, w: Mat, bias: Float32Array | null): Promise<Mat> {
    const B = x.rows, n = x.cols, m = w.rows;
    if (w.cols !== n) throw new Error(`encode: X is ${B}x${n} but W is ${w.rows}x${w.cols}`);
    const kern = this.kernel(`enc:${B}:${n}:${m}`, encodeReluKernel, B * m, { n, m });
    const b = bias ?? new Float32Array(m);
    return mat(B, m, await GpuJsBackend.flat(kern(arg(x.data), arg(w.data), arg(b)), B * m));
  }

  async maskedGrad(g: Mat, d: Mat, z: Mat, l1: number): Promise<Mat> {
    const B = g.rows, n = g.cols, m = d.rows;
    if (d.cols !== n || z.rows !== B || z.cols !== m) throw new Error("maskedGrad: shapes differ");
    const kern = this.kernel(`mg:${B}:${n}:${m}`, maskedGradKernel, B * m, { n, m });
    return mat(B, m, await GpuJsBackend.flat(kern(arg(g.data), arg(d.data), arg(z.data), l1), B * m));
  }

  async adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): Promise<void> {
    const len = p.length;
    const mom = this.kernel(`adm:${len}`, adamMomentKernel, len, {});
    const par = this.kernel(`adp:${len}`, adamParamKernel, len, {});
    const m2 = await GpuJsBackend.flat(mom(arg(m), arg(g), h.beta1, 0), len);
    const v2 = await GpuJsBackend.flat(mom(arg(v), arg(g), h.beta2, 1), len);
    m.set(m2);
    v.set(v2);
    const c1 = 1 / (1 - Math.pow(h.beta1, h.step)), c2 = 1 / (1 - Math.pow(h.beta2, h.step));
    p.set(await GpuJsBackend.flat(par(arg(p), arg(m), arg(v), h.lr * c1, c2, h.eps), len));
  }

  /** The gpu.js kernel class that ran the last-created kernel (tests assert it). */
  kernelClassNames(): string[] {
    return [...this.kernels.values()].map((k) => k.kernel?.constructor.name ?? "unknown");
  }

  async dispose(): Promise<void> {
    for (const k of this.kernels.values()) k.destroy();
    this.kernels.clear();
    await (this.gpu.destroy() as unknown as Promise<void>);
  }
}
