/**
 * The batched matrix work of SAE training, as a small set of ops. The trainer
 * calls ops; each backend supplies kernels for them (tfjs-style), and test/compute
 * runs one spec against every backend. Every op is async because gpu.js's
 * threaded webasm mode (and its announced v3 API) returns promises.
 */
import type { Mat } from "../util/mat.ts";

export type BackendName = "js" | "wasm" | "gpujs";

/**
 * The loss and G = ∂L/∂x̂ of one batch, written over x̂ in place: x̂ row b at
 * xhat[off + b·ld ...], the latents z row b at z[zOff + b·zLd ...]. Returns the loss.
 */
export type OutputGrad = (xhat: Float32Array, off: number, ld: number, z: Float32Array, zOff: number, zLd: number) => number;

/** A dense step's loss and gradients: encoder use of W, decoder use (= D's), encoder bias. */
export type DenseStep = { loss: number; gEnc: Float32Array; gDec: Float32Array; gb: Float32Array | null };

export type AdamHyper = { lr: number; beta1: number; beta2: number; eps: number; step: number };

export interface Backend {
  readonly name: BackendName;
  /** What actually ran: "js", "simd128" (wasm), or the gpu.js mode ("webasm", "headlessgl", "cpu"). */
  readonly mode: string;
  /** C = op(A)·op(B); `transA` reads A as Aᵀ, `transB` reads B as Bᵀ (no copy). */
  matmul(a: Mat, b: Mat, opts?: { transA?: boolean; transB?: boolean }): Promise<Mat>;
  /**
   * Fused encoder: Z = relu(X·Wᵀ + bias). X is B×n_p, W is n_m×n_p (rows are latents),
   * bias has length n_m or is null.
   */
  encodeRelu(x: Mat, w: Mat, bias: Float32Array | null): Promise<Mat>;
  /**
   * Fused backward through the activation: dPre = (G·Dᵀ + l1) ⊙ [Z > 0].
   * G is B×n_p, D is n_m×n_p, Z is B×n_m. The mask is where the activation passed
   * gradient (ReLU: z > 0; Top-k: the kept entries, which are also > 0).
   */
  maskedGrad(g: Mat, d: Mat, z: Mat, l1: number): Promise<Mat>;
  /**
   * Optional: the whole dense ReLU step in one call (z = relu(X·Wᵀ + b), x̂ = z·D, the loss
   * and G by `outputGrad`, then the three backward products and the bias gradient), equal
   * bit for bit to the op-by-op sequence. Returns only z when fewer than `sparseBelow` of
   * the latents are non-zero (the caller's sparse path takes over), and null, having done
   * nothing, at shapes where op by op is faster.
   */
  reluStep?(x: Mat, w: Mat, d: Mat, bias: Float32Array | null, l1: number, sparseBelow: number, outputGrad: OutputGrad): Promise<{ z: Mat } | DenseStep | null>;
  /** In-place Adam update of `param` with its moment buffers `m`, `v`. */
  adam(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): Promise<void>;
  dispose(): Promise<void>;
}

export function shapeOf(a: Mat, trans: boolean | undefined): [number, number] {
  return trans ? [a.cols, a.rows] : [a.rows, a.cols];
}

export function checkMatmul(a: Mat, b: Mat, transA?: boolean, transB?: boolean): [number, number, number] {
  const [r, k] = shapeOf(a, transA);
  const [k2, c] = shapeOf(b, transB);
  if (k !== k2) throw new Error(`matmul: inner dimensions differ (${r}x${k} · ${k2}x${c})`);
  return [r, k, c];
}
