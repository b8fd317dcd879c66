/**
 * The dense ReLU training step of the `wasm` backend with every operand resident in
 * module memory. Op by op (encodeRelu, matmul, maskedGrad, matmul, matmul) each product
 * copies its operands in and its result out: at the paper's shape (B 1024, n_p 20, n_m 200)
 * that is about 5 MB of copies per step, a third of the step's time. Here each product
 * reads the previous one's output where it lies, through the gemm kernel's strides.
 * The kernel, its tiles and every sum's order are those of the op-by-op path, so the
 * two agree bit for bit (test/wasm-step.test.ts).
 */
import { mat, type Mat } from "../util/mat.ts";
import type { DenseStep, OutputGrad } from "./backend.ts";
import { chunkOf, packB, takePadded, up } from "./pack.ts";
import { densityOf } from "./sparse.ts";

/** What the step needs of a WasmBackend instance: its memory and its kernels. */
export type WasmKernels = {
  reserve(floats: number): Float32Array;
  gemm(a: number, aI: number, aT: number, aK: number, b: number, bJ: number, bK: number, c: number, ldc: number, np: number, nq: number, k: number, chunk: number, cols?: number): void;
  reluBias(c: number, bias: number, rows: number, cols: number): void;
  maskAdd(c: number, z: number, n: number, l1: number): void;
};

/**
 * From this input width on the products are better off op by op: operands read in place
 * with long row strides starve the tile, where the op-by-op path packs them (measured:
 * the wide bench shape, n_p = 512, took 1.8× longer resident, under the same load).
 */
export const RESIDENT_MAX_NP = 64;

/** Float offsets of the step's buffers in module memory (all 16-byte aligned). */
function layout(B: number, n_p: number, n_m: number, untied: boolean) {
  const rp = up(B, 4), cm = up(n_m, 8), cq = up(n_p, 8), pp = up(n_p, 4);
  let o = 0;
  const take = (floats: number) => {
    const at = o;
    o = up(o + floats, 4);
    return at;
  };
  const XP = take(B * n_p + (rp - B) * n_p + cq); // slack: edge tiles read past the last row
  const WT = take(cm * n_p); // op(B) = Wᵀ of the encoder, in 8-column panels
  const DT = untied ? take(cm * n_p) : WT; // op(B) = Dᵀ of maskedGrad (the same panels when tied)
  const D = take(n_m * n_p + cq); // the decoder as it lies (decode reads 8 columns at a time)
  const BIAS = take(cm);
  const Z = take(rp * cm);
  const XH = take(rp * cq); // x̂, then G = ∂L/∂x̂ over it
  const DDEC = take(pp * cm); // (∂/∂D)ᵀ, n_p × n_m: see the step
  const DPRE = take(rp * cm);
  const DENC = take(pp * cm); // (∂/∂W)ᵀ
  return { rp, cm, cq, pp, XP, WT, DT, D, BIAS, Z, XH, DDEC, DPRE, DENC, end: o };
}

/** The transpose of the rows × cols top-left block of a padded one: a cols × rows matrix. */
function blockT(f: Float32Array, at: number, ld: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = f[at + i * ld + j]!;
  return out;
}

/**
 * z = relu(X·Wᵀ + b), x̂ = z·D, G and the loss by `outputGrad` (over x̂ in place), then
 * ∂/∂D = zᵀG, dPre = (G·Dᵀ + l1/B) ⊙ [z > 0], ∂/∂W = dPreᵀX and ∂/∂b = Σ_b dPre.
 * When fewer than `sparseBelow` of the latents are non-zero, stops after the encoder
 * and hands z back, for the caller's sparse path. Null (nothing done) for n_p ≥ RESIDENT_MAX_NP.
 */
export function denseReluStep(
  k: WasmKernels, x: Mat, w: Mat, d: Mat, bias: Float32Array | null, l1: number, sparseBelow: number, outputGrad: OutputGrad,
): { z: Mat } | DenseStep | null {
  const B = x.rows, n_p = x.cols, n_m = w.rows;
  if (n_p >= RESIDENT_MAX_NP) return null;
  if (w.cols !== n_p || d.rows !== n_m || d.cols !== n_p) throw new Error("denseReluStep: shapes differ");
  const L = layout(B, n_p, n_m, d !== w);
  const f = k.reserve(L.end);
  const { rp, cm, cq, pp } = L;
  // operands in, with zeroed slack where edge tiles read
  f.set(x.data, L.XP);
  f.fill(0, L.XP + B * n_p, L.WT);
  packB(w.data, true, n_p, n_m, f, L.WT);
  if (L.DT !== L.WT) packB(d.data, true, n_p, n_m, f, L.DT);
  f.set(d.data, L.D);
  f.fill(0, L.D + n_m * n_p, L.BIAS);
  f.fill(0, L.BIAS, L.Z);
  if (bias) f.set(bias, L.BIAS);
  const by = (o: number) => o * 4;
  // encoder: Z = relu(X·Wᵀ + b); X read in place (row stride n_p)
  k.gemm(by(L.XP), 16 * n_p, 4 * n_p, 4, by(L.WT), 32 * n_p, 32, by(L.Z), 4 * cm, rp / 4, cm / 8, n_p, chunkOf(n_p));
  k.reluBias(by(L.Z), by(L.BIAS), rp, cm);
  // the caller's density(z) on z where it lies (the same sampled entries)
  if (densityOf(f, L.Z, B * n_m, n_m, cm) < sparseBelow) return { z: mat(B, n_m, takePadded(f, L.Z, cm, B, n_m)) };
  // decoder: X̂ = Z·D (D read in place)
  k.gemm(by(L.Z), 16 * cm, 4 * cm, 4, by(L.D), 32, 4 * n_p, by(L.XH), 4 * cq, rp / 4, cq / 8, n_m, chunkOf(n_m), n_p);
  const loss = outputGrad(f, L.XH, cq, f, L.Z, cm);
  // (∂/∂D)ᵀ = Gᵀ·Z: the tile's 8 columns run along n_m (no padding at n_p = 20, where
  // Zᵀ·G would compute 24 columns for 20); every entry is the same sum over b in the same order
  k.gemm(by(L.XH), 16, 4, 4 * cq, by(L.Z), 32, 4 * cm, by(L.DDEC), 4 * cm, pp / 4, cm / 8, B, chunkOf(B));
  // dPre = (G·Dᵀ + l1/B) ⊙ [Z > 0]
  k.gemm(by(L.XH), 16 * cq, 4 * cq, 4, by(L.DT), 32 * n_p, 32, by(L.DPRE), 4 * cm, rp / 4, cm / 8, n_p, chunkOf(n_p));
  k.maskAdd(by(L.DPRE), by(L.Z), rp * cm, l1 / B);
  let gb: Float32Array | null = null;
  if (bias) {
    gb = new Float32Array(n_m);
    for (let b = 0; b < B; b++) for (let j = 0, o = L.DPRE + b * cm; j < n_m; j++) gb[j]! += f[o + j]!;
  }
  // (∂/∂W)ᵀ = Xᵀ·dPre
  k.gemm(by(L.XP), 16, 4, 4 * n_p, by(L.DPRE), 32, 4 * cm, by(L.DENC), 4 * cm, pp / 4, cm / 8, B, chunkOf(B));
  return { loss, gEnc: blockT(f, L.DENC, cm, n_p, n_m), gDec: blockT(f, L.DDEC, cm, n_p, n_m), gb };
}
