/**
 * The SAE of the paper: latents z = σ(W_m x_p), reconstruction x̂_p = W_mᵀ z
 * (tied, bias-free, σ = ReLU). Knobs every synthetic artifact exposes: untied
 * decoder, encoder bias, Top-k activation. Weights are stored with latents as rows:
 * W (= W_m, n_m × n_p) encodes, D (n_m × n_p) decodes, D = W when tied.
 */
import { mat, type Mat } from "../util/mat.ts";
import type { Rng } from "../util/rng.ts";
import type { Backend } from "../compute/backend.ts";

export type SaeSpec = {
  n_p: number;
  n_m: number;
  tied: boolean;
  bias: boolean;
  /** 0 = ReLU; k > 0 = Top-k (keep the k largest positive pre-activations per sample). */
  topk: number;
};

export type SaeParams = { W: Mat; D: Mat | null; b: Float32Array | null };

export const THEORY_SAE = { tied: true, bias: false, topk: 0 } as const;

/** Rows ~ N(0, I/n_p): unit expected norm, random directions. */
export function initSae(spec: SaeSpec, rng: Rng): SaeParams {
  const rand = () => {
    const m = mat(spec.n_m, spec.n_p);
    const s = 1 / Math.sqrt(spec.n_p);
    for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() * s;
    return m;
  };
  const W = rand();
  const D = spec.tied ? null : rand();
  if (D) normalizeRows(D);
  return { W, D, b: spec.bias ? new Float32Array(spec.n_m) : null };
}

export function decoderOf(p: SaeParams): Mat {
  return p.D ?? p.W;
}

/** Unit-norm decoder rows: without it an untied SAE defeats the L1 penalty by rescaling. */
export function normalizeRows(m: Mat): void {
  for (let j = 0; j < m.rows; j++) {
    let s = 0;
    for (let i = 0; i < m.cols; i++) s += m.data[j * m.cols + i]! ** 2;
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let i = 0; i < m.cols; i++) m.data[j * m.cols + i]! *= inv;
    }
  }
}

/**
 * Keep the k largest positive entries of each row of a ReLU output, in place (ties: lower index
 * wins); the rest become 0. A row with fewer than k positive entries is left as it is. k <= 0 or
 * k >= cols: no-op. Float32 (training) or float64 (metrics' `activate`).
 */
export function topkRows<T extends Float32Array | Float64Array>(z: Mat<T>, k: number): Mat<T> {
  if (k <= 0 || k >= z.cols) return z;
  const m = z.cols, d = z.data;
  const idx = new Int32Array(k), val = new Float64Array(k);
  for (let b = 0; b < z.rows; b++) {
    const o = b * m;
    let cnt = 0;
    for (let j = 0; j < m; j++) {
      const v = d[o + j]!;
      if (!(v > 0)) continue;
      if (cnt < k) {
        // insertion into a descending list
        let p = cnt++;
        while (p > 0 && val[p - 1]! < v) { val[p] = val[p - 1]!; idx[p] = idx[p - 1]!; p--; }
        val[p] = v; idx[p] = j;
      } else if (v > val[k - 1]!) {
        let p = k - 1;
        while (p > 0 && val[p - 1]! < v) { val[p] = val[p - 1]!; idx[p] = idx[p - 1]!; p--; }
        val[p] = v; idx[p] = j;
      }
    }
    if (cnt < k) continue;
    d.fill(0, o, o + m);
    for (let t = 0; t < k; t++) d[o + idx[t]!] = val[t]!;
  }
  return z;
}

export async function encode(backend: Backend, spec: SaeSpec, p: SaeParams, xp: Mat): Promise<Mat> {
  const z = await backend.encodeRelu(xp, p.W, p.b);
  return spec.topk > 0 ? topkRows(z, spec.topk) : z;
}

/** Latents for a large held-out set, in chunks so memory stays flat. */
export async function encodeAll(backend: Backend, spec: SaeSpec, p: SaeParams, xp: Mat, chunk = 4096): Promise<Mat> {
  const out = mat(xp.rows, spec.n_m);
  for (let r = 0; r < xp.rows; r += chunk) {
    const rows = Math.min(chunk, xp.rows - r);
    const part = mat(rows, xp.cols, xp.data.subarray(r * xp.cols, (r + rows) * xp.cols));
    out.data.set((await encode(backend, spec, p, part)).data, r * spec.n_m);
  }
  return out;
}

export async function reconstruct(backend: Backend, p: SaeParams, z: Mat): Promise<Mat> {
  return backend.matmul(z, decoderOf(p));
}
