/**
 * The built-in "vision model": an MLP the tool trains itself on real MNIST digits, with the
 * Backend's kernels, deterministically from the seed. Its hidden layers are ReLU layers, so
 * their activations are non-negative, as NCL's features are; the last hidden layer is the
 * embedding (fig4, fig5, table2), and a 12-hidden-layer variant (Pythia-160M has 12 layers)
 * gives per-layer activations for table1. Softmax cross-entropy on the 10 digit labels, Adam,
 * He-normal init. Trained on the training split only, so held-out images are unseen.
 *
 * Embeddings are cached under the user's cache folder ($WSAE_CACHE_DIR, else
 * $XDG_CACHE_HOME/wsae, else ~/.cache/wsae), keyed by a hash of the config, the seed, the
 * backend and this code, written atomically (temporary name, then rename).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Backend } from "../compute/backend.ts";
import { DivergenceError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";
import { stream } from "../util/rng.ts";
import { takeRows } from "./mnist.ts";

export type EmbedderConfig = { hidden: number[]; epochs: number; batch: number; lr: number };
export type MlpParams = { W: Mat[]; b: Float32Array[] };

/** He-normal weights N(0, 2/fan_in), zero biases; the last layer maps to the classes. */
export function initMlp(sizes: number[], seed: number): MlpParams {
  const rng = stream(seed, "embedder:init");
  const W: Mat[] = [], b: Float32Array[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const fanIn = sizes[l - 1]!, out = sizes[l]!, s = Math.sqrt(2 / fanIn);
    const data = new Float32Array(out * fanIn);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * s;
    W.push({ rows: out, cols: fanIn, data });
    b.push(new Float32Array(out));
  }
  return { W, b };
}

/** Hidden activations H_1..H_L (ReLU) and the logits. */
export async function forward(backend: Backend, p: MlpParams, X: Mat): Promise<{ H: Mat[]; logits: Mat }> {
  const H: Mat[] = [];
  let h = X;
  for (let l = 0; l < p.W.length - 1; l++) H.push((h = await backend.encodeRelu(h, p.W[l]!, p.b[l]!)));
  const last = p.W.length - 1;
  const logits = await backend.matmul(h, p.W[last]!, { transB: true });
  for (let r = 0; r < logits.rows; r++) for (let c = 0; c < logits.cols; c++) logits.data[r * logits.cols + c]! += p.b[last]![c]!;
  return { H, logits };
}

/** Mean cross-entropy and its gradients (exact; tests compare them with finite differences). */
export async function mlpLossAndGrad(backend: Backend, p: MlpParams, X: Mat, y: ArrayLike<number>): Promise<{ loss: number; gW: Float32Array[]; gb: Float32Array[] }> {
  const { H, logits } = await forward(backend, p, X);
  const B = X.rows, C = logits.cols;
  const dL: Mat = { rows: B, cols: C, data: new Float32Array(B * C) };
  let loss = 0;
  for (let r = 0; r < B; r++) {
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, logits.data[r * C + c]!);
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(logits.data[r * C + c]! - mx);
    loss += Math.log(z) + mx - logits.data[r * C + y[r]!]!;
    for (let c = 0; c < C; c++) dL.data[r * C + c] = (Math.exp(logits.data[r * C + c]! - mx) / z - (c === y[r] ? 1 : 0)) / B;
  }
  const L = p.W.length, gW: Float32Array[] = new Array(L), gb: Float32Array[] = new Array(L);
  const colSum = (m: Mat) => {
    const s = new Float32Array(m.cols);
    for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) s[c]! += m.data[r * m.cols + c]!;
    return s;
  };
  let d = dL;
  for (let l = L - 1; l >= 0; l--) {
    const input = l === 0 ? X : H[l - 1]!;
    gW[l] = (await backend.matmul(d, input, { transA: true })).data;
    gb[l] = colSum(d);
    if (l === 0) break;
    const dh = await backend.matmul(d, p.W[l]!);
    const h = H[l - 1]!;
    for (let i = 0; i < dh.data.length; i++) if (!(h.data[i]! > 0)) dh.data[i] = 0; // through the ReLU
    d = dh;
  }
  return { loss: loss / B, gW, gb };
}

export type EmbedResult = { train: Mat[]; test: Mat[]; trainAcc: number; testAcc: number; cached: boolean };

/**
 * Train on images[trainIdx], then return every hidden layer's activations on the training and
 * held-out images (rows in the order of trainIdx / testIdx).
 */
export async function embedImages(
  backend: Backend, images: { X: Mat; labels: Int32Array }, trainIdx: Int32Array, testIdx: Int32Array,
  cfg: EmbedderConfig, seed: number, opts: { cache: boolean; onStep?: (done: number, total: number) => void },
): Promise<EmbedResult> {
  const key = cacheKey({ cfg, seed, backend: `${backend.name}/${backend.mode}`, train: hashIdx(trainIdx), test: hashIdx(testIdx), n: images.X.rows });
  if (opts.cache) {
    const hit = readCache(key);
    if (hit) return { ...hit, cached: true };
  }
  const Xtr = takeRows(images.X, trainIdx), ytr = Int32Array.from(trainIdx, (i) => images.labels[i]!);
  const sizes = [images.X.cols, ...cfg.hidden, 10];
  const p = initMlp(sizes, seed);
  const slots = [...p.W.map((w) => w.data), ...p.b].map((a) => ({ m: new Float32Array(a.length), v: new Float32Array(a.length) }));
  const hyper = { lr: cfg.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 0 };
  const rng = stream(seed, "embedder:batches");
  const B = Math.min(cfg.batch, Xtr.rows), perEpoch = Math.floor(Xtr.rows / B), total = cfg.epochs * perEpoch;
  const d = Xtr.cols, batch: Mat = { rows: B, cols: d, data: new Float32Array(B * d) }, yb = new Int32Array(B);
  for (let e = 0; e < cfg.epochs; e++) {
    const perm = rng.permutation(Xtr.rows);
    for (let s = 0; s < perEpoch; s++) {
      for (let r = 0; r < B; r++) {
        const src = perm[s * B + r]!;
        batch.data.set(Xtr.data.subarray(src * d, (src + 1) * d), r * d);
        yb[r] = ytr[src]!;
      }
      const g = await mlpLossAndGrad(backend, p, batch, yb);
      if (!Number.isFinite(g.loss)) throw new DivergenceError(`embedder training diverged at epoch ${e + 1} (loss ${g.loss})`);
      hyper.step++;
      const params = [...p.W.map((w) => w.data), ...p.b], grads = [...g.gW, ...g.gb];
      for (let i = 0; i < params.length; i++) await backend.adam(params[i]!, grads[i]!, slots[i]!.m, slots[i]!.v, hyper);
      opts.onStep?.(hyper.step, total);
    }
  }
  const run = async (X: Mat, y: Int32Array) => {
    const { H, logits } = await forward(backend, p, X);
    let ok = 0;
    for (let r = 0; r < X.rows; r++) {
      let best = 0;
      for (let c = 1; c < logits.cols; c++) if (logits.data[r * logits.cols + c]! > logits.data[r * logits.cols + best]!) best = c;
      if (best === y[r]) ok++;
    }
    return { H, acc: ok / X.rows };
  };
  const tr = await run(Xtr, ytr);
  const te = await run(takeRows(images.X, testIdx), Int32Array.from(testIdx, (i) => images.labels[i]!));
  const out = { train: tr.H, test: te.H, trainAcc: tr.acc, testAcc: te.acc };
  if (opts.cache) writeCache(key, out);
  return { ...out, cached: false };
}

// ---- cache -------------------------------------------------------------------------

/** The user's cache folder (embeddings here, finished trainings under jobs/): $WSAE_CACHE_DIR, else $XDG_CACHE_HOME/wsae, else ~/.cache/wsae. */
export function cacheDir(): string {
  if (process.env.WSAE_CACHE_DIR) return process.env.WSAE_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wsae");
}

/** The code that produces an embedding is part of its key: editing it invalidates the cache. */
const CODE = ["embedder.ts", "mnist.ts"].map((f) => readFileSync(fileURLToPath(new URL(f, import.meta.url)), "utf8")).join("\0");

function cacheKey(o: object): string {
  return createHash("sha256").update(JSON.stringify(o)).update(CODE).digest("hex").slice(0, 32);
}

function hashIdx(idx: Int32Array): string {
  return createHash("sha256").update(Buffer.from(idx.buffer, idx.byteOffset, idx.byteLength)).digest("hex").slice(0, 16);
}

type Stored = { train: Mat[]; test: Mat[]; trainAcc: number; testAcc: number };

/** File: uint32 header length, JSON header (shapes, accuracies), then the float32 matrices. */
function writeCache(key: string, s: Stored): void {
  try {
    const dir = cacheDir();
    mkdirSync(dir, { recursive: true });
    const mats = [...s.train, ...s.test];
    const head = Buffer.from(JSON.stringify({ shapes: mats.map((m) => [m.rows, m.cols]), layers: s.train.length, trainAcc: s.trainAcc, testAcc: s.testAcc }));
    const len = Buffer.alloc(4);
    len.writeUInt32LE(head.length);
    const pad = Buffer.alloc((4 - ((4 + head.length) % 4)) % 4, 0x20);
    const path = join(dir, `embed-${key}.bin`), tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, Buffer.concat([len, head, pad, ...mats.map((m) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength))]));
    renameSync(tmp, path);
  } catch {
    // a cache that cannot be written only costs time on the next run
  }
}

function readCache(key: string): Stored | null {
  const path = join(cacheDir(), `embed-${key}.bin`);
  if (!existsSync(path)) return null;
  try {
    const buf = readFileSync(path);
    const hl = buf.readUInt32LE(0);
    const h = JSON.parse(buf.subarray(4, 4 + hl).toString()) as { shapes: [number, number][]; layers: number; trainAcc: number; testAcc: number };
    let off = 4 + hl + ((4 - ((4 + hl) % 4)) % 4);
    const mats = h.shapes.map(([r, c]) => {
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + r * c * 4));
      if (data.length !== r * c) throw new Error("truncated");
      off += r * c * 4;
      return { rows: r, cols: c, data };
    });
    return { train: mats.slice(0, h.layers), test: mats.slice(h.layers), trainAcc: h.trainAcc, testAcc: h.testAcc };
  } catch {
    return null; // unreadable: retrain and overwrite
  }
}
