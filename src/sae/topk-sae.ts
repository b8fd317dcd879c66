/**
 * The SAE real-data users know (EleutherAI sparsify / SAELens), for embeddings and activations:
 *   x̃ = x − b_dec,  a = ReLU(W_enc x̃ + b_enc),  z = TopK_k(a),  x̂ = W_decᵀ z + b_dec
 * untied, W_dec rows (one per latent) kept at unit norm with their gradient projected off the
 * row before each step; decoder initialised as the encoder's rows at unit norm, biases zero.
 * Loss, as sparsify's trainer: FVU = Σ γ_i² (x̂ − x)² / Σ γ_i² (x − x̄)² over the batch (γ ≡ 1:
 * the plain SAE; other Γ: the WSAE, weighting the reconstruction error per input dim), plus
 * auxAlpha · AuxK: the top k_aux = d/2 latents among those dead (no firing for `deadSteps`
 * steps) predict the residual x − x̂ (held fixed), scaled by min(dead / k_aux, 1).
 * The dense encoder product goes through the Backend (it is the only dense work: the decoder
 * and every gradient touch k latents per sample), selection and sparse parts are plain loops.
 */
import type { Backend } from "../compute/backend.ts";
import { DivergenceError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";
import type { Rng } from "../util/rng.ts";

export type TopkSpec = { d: number; m: number; k: number };
export type TopkParams = { Wenc: Mat; benc: Float32Array; Wdec: Mat; bdec: Float32Array };
/** B × k selected latents per sample: indices and values (a value 0 means "not firing"). */
export type Sparse = { rows: number; k: number; idx: Int32Array; val: Float32Array };

export function initTopk(spec: TopkSpec, rng: Rng): TopkParams {
  const { d, m } = spec;
  const Wenc: Mat = { rows: m, cols: d, data: new Float32Array(m * d) };
  const s = 1 / Math.sqrt(d); // torch nn.Linear's default: U(−1/√d, 1/√d)
  for (let i = 0; i < Wenc.data.length; i++) Wenc.data[i] = (2 * rng.uniform() - 1) * s;
  const Wdec: Mat = { rows: m, cols: d, data: Float32Array.from(Wenc.data) };
  unitRows(Wdec);
  return { Wenc, benc: new Float32Array(m), Wdec, bdec: new Float32Array(d) };
}

export function unitRows(W: Mat): void {
  const { rows, cols, data } = W;
  for (let j = 0; j < rows; j++) {
    let q = 0;
    for (let i = 0; i < cols; i++) q += data[j * cols + i]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(q), 1e-12);
    for (let i = 0; i < cols; i++) data[j * cols + i]! *= inv;
  }
}

/**
 * The k largest entries of each row of A (non-negative ReLU outputs), among the columns with
 * mask[j] = 1 when a mask is given. Ties: the lower index wins, so selection is deterministic.
 */
export function selectTopk(A: Mat, k: number, mask?: Uint8Array): Sparse {
  const { rows, cols, data } = A;
  const idx = new Int32Array(rows * k).fill(-1), val = new Float32Array(rows * k);
  for (let b = 0; b < rows; b++) {
    const o = b * k;
    let n = 0; // filled slots, kept sorted by value descending
    for (let j = 0; j < cols; j++) {
      if (mask && !mask[j]) continue;
      const v = data[b * cols + j]!;
      if (n === k && !(v > val[o + k - 1]!)) continue;
      let p = n < k ? n++ : k - 1;
      while (p > 0 && v > val[o + p - 1]!) {
        val[o + p] = val[o + p - 1]!;
        idx[o + p] = idx[o + p - 1]!;
        p--;
      }
      val[o + p] = v;
      idx[o + p] = j;
    }
  }
  return { rows, k, idx, val };
}

/** X̂ = Zᵀ-sparse · W + bias, in float64. */
export function decodeSparse(z: Sparse, W: Mat, bias: Float32Array | null): Float64Array {
  const d = W.cols, out = new Float64Array(z.rows * d);
  for (let b = 0; b < z.rows; b++) {
    const o = b * d;
    if (bias) for (let i = 0; i < d; i++) out[o + i] = bias[i]!;
    for (let t = 0; t < z.k; t++) {
      const v = z.val[b * z.k + t]!;
      if (!(v > 0)) continue;
      const wo = z.idx[b * z.k + t]! * d;
      for (let i = 0; i < d; i++) out[o + i]! += v * W.data[wo + i]!;
    }
  }
  return out;
}

/** a = ReLU(W_enc (x − b_dec) + b_enc) for every latent (B × m), and x̃ = x − b_dec. */
export async function preActs(backend: Backend, p: TopkParams, X: Mat): Promise<{ A: Mat; xT: Mat }> {
  const d = X.cols, xT: Mat = { rows: X.rows, cols: d, data: new Float32Array(X.data.length) };
  for (let r = 0; r < X.rows; r++) for (let i = 0; i < d; i++) xT.data[r * d + i] = X.data[r * d + i]! - p.bdec[i]!;
  return { A: await backend.encodeRelu(xT, p.Wenc, p.benc), xT };
}

export type TopkGrads = { Wenc: Float32Array; benc: Float32Array; Wdec: Float32Array; bdec: Float32Array };
/** `residual`: x − x̂ of the batch, the AuxK target (held fixed: no gradient flows through it). */
export type TopkStep = { loss: number; fvu: number; auxk: number; grads: TopkGrads; z: Sparse; residual: Float64Array };

/**
 * Loss and exact gradients on one batch (the decoder gradient *before* projection).
 * `gamma2` = γ_i² per input dim (null: plain SAE); `dead` marks latents eligible for AuxK.
 */
export async function topkLossAndGrad(
  backend: Backend, spec: TopkSpec, p: TopkParams, X: Mat, gamma2: Float32Array | null,
  dead: Uint8Array | null, auxAlpha: number, auxTarget?: Float64Array,
): Promise<TopkStep> {
  const { d, m, k } = spec, B = X.rows;
  const w = (i: number) => (gamma2 ? gamma2[i]! : 1);
  const { A, xT } = await preActs(backend, p, X);
  const z = selectTopk(A, k);
  const xhat = decodeSparse(z, p.Wdec, p.bdec);
  // the batch's (weighted) total variance: FVU's denominator, a constant of the batch
  const mu = new Float64Array(d);
  for (let b = 0; b < B; b++) for (let i = 0; i < d; i++) mu[i]! += X.data[b * d + i]! / B;
  let V = 0;
  for (let b = 0; b < B; b++) for (let i = 0; i < d; i++) V += w(i) * (X.data[b * d + i]! - mu[i]!) ** 2;
  V = Math.max(V, 1e-12);
  const G = new Float64Array(B * d); // ∂loss/∂x̂
  let rec = 0;
  for (let b = 0; b < B; b++)
    for (let i = 0; i < d; i++) {
      const e = xhat[b * d + i]! - X.data[b * d + i]!;
      rec += w(i) * e * e;
      G[b * d + i] = (2 * w(i) * e) / V;
    }
  const fvu = rec / V;
  const residual = new Float64Array(B * d);
  for (let q = 0; q < B * d; q++) residual[q] = X.data[q]! - xhat[q]!;
  // finite-difference checks pass the unperturbed residual, so the target stays fixed as in training
  const target = auxTarget ?? residual;
  // AuxK: dead latents predict the residual r = x − x̂ (fixed): loss scale·Σγ²(ê − r)²/V
  let auxk = 0, za: Sparse | null = null, Ga: Float64Array | null = null;
  const half = Math.floor(d / 2);
  const nDead = dead ? dead.reduce((s, x) => s + x, 0) : 0;
  if (dead && nDead > 0 && auxAlpha > 0 && half > 0) {
    const kAux = Math.min(half, nDead), scale = Math.min(nDead / half, 1);
    za = selectTopk(A, kAux, dead);
    const ehat = decodeSparse(za, p.Wdec, null);
    Ga = new Float64Array(B * d);
    let s = 0;
    for (let q = 0; q < B * d; q++) {
      const i = q % d, err = ehat[q]! - target[q]!; // ê − (x − x̂)
      s += w(i) * err * err;
      Ga[q] = (auxAlpha * scale * 2 * w(i) * err) / V;
    }
    auxk = (scale * s) / V;
  }
  const gWenc = new Float32Array(m * d), gbenc = new Float32Array(m), gWdec = new Float32Array(m * d);
  const gbdec = new Float64Array(d);
  for (let b = 0; b < B; b++) for (let i = 0; i < d; i++) gbdec[i]! += G[b * d + i]!; // x̂ = … + b_dec
  const back = (sp: Sparse, Gs: Float64Array) => {
    const dx = new Float64Array(d);
    for (let b = 0; b < B; b++) {
      const go = b * d;
      dx.fill(0);
      for (let t = 0; t < sp.k; t++) {
        const v = sp.val[b * sp.k + t]!;
        if (!(v > 0)) continue; // ReLU passes no gradient at 0
        const j = sp.idx[b * sp.k + t]!, wo = j * d;
        let dp = 0;
        for (let i = 0; i < d; i++) {
          dp += Gs[go + i]! * p.Wdec.data[wo + i]!;
          gWdec[wo + i]! += v * Gs[go + i]!;
        }
        gbenc[j]! += dp;
        for (let i = 0; i < d; i++) {
          gWenc[wo + i]! += dp * xT.data[go + i]!;
          dx[i]! += dp * p.Wenc.data[wo + i]!;
        }
      }
      for (let i = 0; i < d; i++) gbdec[i]! -= dx[i]!; // x̃ = x − b_dec
    }
  };
  back(z, G);
  if (za && Ga) back(za, Ga);
  return { loss: fvu + auxAlpha * auxk, fvu, auxk, z, residual, grads: { Wenc: gWenc, benc: gbenc, Wdec: gWdec, bdec: Float32Array.from(gbdec) } };
}

/** Remove from each decoder row's gradient its component along the (unit) row, as sparsify does. */
export function projectDecoderGrad(Wdec: Mat, g: Float32Array): void {
  const { rows, cols, data } = Wdec;
  for (let j = 0; j < rows; j++) {
    let dot = 0;
    for (let i = 0; i < cols; i++) dot += g[j * cols + i]! * data[j * cols + i]!;
    for (let i = 0; i < cols; i++) g[j * cols + i]! -= dot * data[j * cols + i]!;
  }
}

export type TopkTrainConfig = {
  steps: number;
  batch: number;
  lr: number;
  /** weight of the AuxK loss (sparsify: 1/32) */
  auxAlpha: number;
  /** a latent that has not fired for this many steps counts as dead for AuxK */
  deadSteps: number;
  gamma2: Float32Array | null;
};

export type TopkTrainResult = { params: TopkParams; finalLoss: number; finalFvu: number; deadAtEnd: number };

/** Adam (β = 0.9, 0.999); batches drawn without replacement, a fresh permutation every epoch. */
export async function trainTopk(
  backend: Backend, spec: TopkSpec, X: Mat, cfg: TopkTrainConfig, initRng: Rng, batchRng: Rng,
  onStep?: (step: number) => void,
): Promise<TopkTrainResult> {
  if (X.cols !== spec.d) throw new Error(`trainTopk: data is ${X.cols}-d, SAE expects ${spec.d}`);
  const p = initTopk(spec, initRng);
  const slots = [p.Wenc.data, p.benc, p.Wdec.data, p.bdec].map((a) => ({ p: a, m: new Float32Array(a.length), v: new Float32Array(a.length) }));
  const hyper = { lr: cfg.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 0 };
  const lastFired = new Int32Array(spec.m);
  const dead = new Uint8Array(spec.m);
  const B = Math.min(cfg.batch, X.rows), d = spec.d;
  let perm = batchRng.permutation(X.rows), pos = 0, loss = NaN, fvu = NaN;
  const batch: Mat = { rows: B, cols: d, data: new Float32Array(B * d) };
  for (let step = 1; step <= cfg.steps; step++) {
    for (let r = 0; r < B; r++) {
      if (pos === X.rows) { perm = batchRng.permutation(X.rows); pos = 0; }
      const src = perm[pos++]!;
      batch.data.set(X.data.subarray(src * d, (src + 1) * d), r * d);
    }
    for (let j = 0; j < spec.m; j++) dead[j] = step - 1 - lastFired[j]! >= cfg.deadSteps ? 1 : 0;
    const s = await topkLossAndGrad(backend, spec, p, batch, cfg.gamma2, dead, cfg.auxAlpha);
    loss = s.loss;
    fvu = s.fvu;
    if (!Number.isFinite(loss)) throw new DivergenceError(`Top-k SAE training diverged at step ${step} of ${cfg.steps} (loss ${loss}); try a smaller --lr (now ${cfg.lr})`);
    for (let q = 0; q < s.z.idx.length; q++) if (s.z.val[q]! > 0) lastFired[s.z.idx[q]!] = step;
    projectDecoderGrad(p.Wdec, s.grads.Wdec);
    hyper.step = step;
    const gs = [s.grads.Wenc, s.grads.benc, s.grads.Wdec, s.grads.bdec];
    for (let i = 0; i < slots.length; i++) await backend.adam(slots[i]!.p, gs[i]!, slots[i]!.m, slots[i]!.v, hyper);
    unitRows(p.Wdec);
    onStep?.(step);
  }
  let deadAtEnd = 0;
  for (let j = 0; j < spec.m; j++) if (cfg.steps - lastFired[j]! >= cfg.deadSteps) deadAtEnd++;
  return { params: p, finalLoss: loss, finalFvu: fvu, deadAtEnd };
}

/** Latent codes of every row of X as a dense N × m matrix, and the reconstruction; in chunks. */
export async function encodeTopk(backend: Backend, spec: TopkSpec, p: TopkParams, X: Mat): Promise<{ Z: Mat; Xhat: Float64Array }> {
  const { d, m } = spec, N = X.rows, chunk = 1024;
  const Z: Mat = { rows: N, cols: m, data: new Float32Array(N * m) };
  const Xhat = new Float64Array(N * d);
  for (let r0 = 0; r0 < N; r0 += chunk) {
    const n = Math.min(chunk, N - r0);
    const part: Mat = { rows: n, cols: d, data: X.data.subarray(r0 * d, (r0 + n) * d) };
    const z = selectTopk((await preActs(backend, p, part)).A, spec.k);
    for (let b = 0; b < n; b++)
      for (let t = 0; t < z.k; t++) if (z.val[b * z.k + t]! > 0) Z.data[(r0 + b) * m + z.idx[b * z.k + t]!] = z.val[b * z.k + t]!;
    Xhat.set(decodeSparse(z, p.Wdec, p.bdec), r0 * d);
  }
  return { Z, Xhat };
}
