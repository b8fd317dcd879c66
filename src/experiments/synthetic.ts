/**
 * What fig1/fig2/fig3/table3 share: the synthetic setting's config and flags, the
 * superposition matrix per (generator, S, seed), and "train one SAE, measure it on
 * held-out samples" → one tidy row of metrics (docs/method.md §2 names).
 */
import type { Backend } from "../compute/backend.ts";
import { GENERATORS, gaussianWp, npiWp, polygonWp, type GeneratorName } from "../data/generators.ts";
import { SyntheticSource } from "../data/synthetic.ts";
import { trainTms } from "../data/tms.ts";
import { encodeAll, reconstruct, decoderOf, type SaeSpec } from "../sae/model.ts";
import { trainSae } from "../sae/train.ts";
import {
  activatedFeatures, alignFeatures, deadLatents, explainedVariance, groundTruthLoss, l0,
  matchedMeanCosine, meanMaxCosine, perDimVariance, reconstructionLoss, responseMatrix,
} from "../metrics/index.ts";
import { DivergenceError, UserError } from "../util/errors.ts";
import { parseIntFlag, parseNameList, parseNumFlag, parseNumList, splitList } from "../util/parse.ts";
import { mat64, type Mat } from "../util/mat.ts";
import { stream } from "../util/rng.ts";
import type { Column, JobContext, OptionSpec, Row, RunContext } from "./types.ts";

export type SynthConfig = {
  n: number;
  n_p: number;
  n_m: number;
  generator: GeneratorName;
  steps: number;
  batch: number;
  lr: number;
  /** L1 coefficients λ to run (a sweep when more than one). */
  l1: number[];
  /** Encoder bias settings to run: false = the theory's bias-free SAE. */
  bias: boolean[];
  tied: boolean;
  topk: number;
  evalSamples: number;
  /** Threshold τ of the activated-features count (docs/method.md §2). */
  tau: number;
  tmsSteps: number;
};

// ---- flag parsing (the parsers themselves live in util/parse.ts) ------------------

/** Upper bounds of the synthetic flags: refused with the limit rather than running for days. */
export const LIMITS = {
  dim: 100_000, steps: 1_000_000, batch: 65_536, evalSamples: 1_000_000,
  /** steps × batch × n_m × n_p multiply-adds of one training (full preset: 3·10⁹). */
  trainWork: 1e13,
} as const;

export function parseInt1(name: string, min = 1, max: number = LIMITS.steps) {
  return parseIntFlag(name, min, max);
}
export const parseNum = parseNumFlag;
export const parseList = parseNumList;
/** Sparsity levels, sorted and without repeats (a trend needs distinct levels). */
export function parseSparsities(raw: string): number[] {
  const v = parseNumList("--sparsities", (x) => x >= 0 && x < 1, "in [0, 1)")(raw);
  return [...new Set(v)].sort((a, b) => a - b);
}
export function parseBias(raw: string): boolean[] {
  const out = splitList("--bias", raw).map((s) => {
    if (s === "on" || s === "true") return true;
    if (s === "off" || s === "false") return false;
    throw new UserError(`--bias takes on, off or a list like off,on (got '${s}')`);
  });
  return [...new Set(out)];
}
/** One or more generator names, without repeats. */
export const parseGenerators: (raw: string) => GeneratorName[] = parseNameList("--generator", GENERATORS);
function parseGenerator(raw: string): GeneratorName {
  const [g, ...more] = parseGenerators(raw);
  if (more.length) throw new UserError(`--generator takes one generator here (got '${raw}'); fig2 runs several side by side`);
  return g!;
}

export const SYNTH_OPTIONS: OptionSpec[] = [
  { flags: "--n <int>", key: "n", description: "ground-truth features n", parse: parseInt1("--n", 2, LIMITS.dim) },
  { flags: "--np <int>", key: "n_p", description: "observed (polysemantic) dims n_p", parse: parseInt1("--np", 1, LIMITS.dim) },
  { flags: "--nm <int>", key: "n_m", description: "SAE latents n_m", parse: parseInt1("--nm", 1, LIMITS.dim) },
  { flags: "--generator <name>", key: "generator", description: "W_p generator: polygon | tms | gaussian | npi (non-positive interference, n ≤ 2·n_p)", parse: parseGenerator },
  { flags: "--steps <int>", key: "steps", description: "training steps per SAE", parse: parseInt1("--steps") },
  { flags: "--batch <int>", key: "batch", description: "samples per step", parse: parseInt1("--batch", 1, LIMITS.batch) },
  { flags: "--lr <x>", key: "lr", description: "Adam learning rate", parse: parseNum("--lr", (v) => v > 0 && v < 10, "in (0, 10)") },
  { flags: "--l1 <list>", key: "l1", description: "L1 coefficient(s) λ on the latents, e.g. 0.01 or 0,0.01,0.03", parse: parseList("--l1", (v) => v >= 0, ">= 0") },
  { flags: "--bias <list>", key: "bias", description: "encoder bias: off (theory), on, or off,on (both)", parse: parseBias },
  { flags: "--untied", key: "tied", description: "separate decoder (unit-norm rows) instead of the tied W_mᵀ", parse: () => false },
  { flags: "--topk <int>", key: "topk", description: "Top-k activation instead of ReLU (0 = ReLU)", parse: parseInt1("--topk", 0, LIMITS.dim) },
  { flags: "--eval-samples <int>", key: "evalSamples", description: "held-out samples for every metric", parse: parseInt1("--eval-samples", 16, LIMITS.evalSamples) },
  { flags: "--tau <x>", key: "tau", description: "activated-features threshold τ (share of a latent's max response)", parse: parseNum("--tau", (v) => v >= 0 && v < 1, "in [0, 1)") },
  { flags: "--tms-steps <int>", key: "tmsSteps", description: "training steps of the toy model behind --generator tms", parse: parseInt1("--tms-steps") },
];

export function validateSynth(c: SynthConfig): void {
  if (c.n <= c.n_p) throw new UserError(`superposition needs n > n_p (got n=${c.n}, n_p=${c.n_p})`);
  if (c.topk > c.n_m) throw new UserError(`Top-k k = ${c.topk} (--topk, or robustness's --topks) exceeds the SAE width n_m=${c.n_m}`);
  // typed arrays are limited, and this machine has 24 GiB: refuse sizes that cannot run
  const cap = 2 ** 28; // float32 entries per matrix (1 GiB)
  const big = (what: string, entries: number) => {
    if (entries > cap) throw new UserError(`${what} needs ${entries.toExponential(2)} float32 entries (limit ${cap.toExponential(2)}); use smaller sizes`);
  };
  big("--batch × --nm", c.batch * Math.max(c.n_m, c.n));
  big("--eval-samples × max(--n, --nm)", c.evalSamples * Math.max(c.n, c.n_m));
  big("--nm × --n (the response matrix)", c.n_m * c.n);
  const work = c.steps * c.batch * c.n_m * c.n_p;
  if (work > LIMITS.trainWork)
    throw new UserError(`--steps × --batch × --nm × --np = ${work.toExponential(2)} multiply-adds per training (limit ${LIMITS.trainWork.toExponential(0)}); use fewer steps or a smaller shape`);
}

// ---- superposition matrices ------------------------------------------------

const wpCache = new Map<string, Mat<Float64Array>>();

/** W_p for one (generator, S, seed). Only tms depends on S. */
export async function superposition(backend: Backend, c: SynthConfig, S: number, seed: number): Promise<Mat<Float64Array>> {
  const key = `${c.generator}:${c.n}:${c.n_p}:${seed}:${c.generator === "tms" ? `${S}:${c.tmsSteps}` : ""}`;
  let Wp = wpCache.get(key);
  if (!Wp) {
    if (c.generator === "polygon") Wp = polygonWp(c.n, c.n_p, stream(seed, "wp:polygon")).Wp;
    else if (c.generator === "gaussian") Wp = gaussianWp(c.n, c.n_p, stream(seed, "wp:gaussian"));
    else if (c.generator === "npi") Wp = npiWp(c.n, c.n_p, stream(seed, "wp:npi")).Wp;
    else Wp = await tmsWp(backend, { n: c.n, n_p: c.n_p, S, seed, tmsSteps: c.tmsSteps });
    wpCache.set(key, Wp);
  }
  return Wp;
}

/** What a tms W_p depends on, and nothing else: two artifacts asking for the same toy model share one cached job. */
export type TmsWpJob = { n: number; n_p: number; S: number; seed: number; tmsSteps: number };

async function tmsWp(backend: Backend, j: TmsWpJob): Promise<Mat<Float64Array>> {
  return (await trainTms(backend, { n: j.n, n_p: j.n_p, S: j.S, steps: j.tmsSteps, batch: 1024, lr: 1e-3, seed: j.seed })).Wp;
}

/** One toy model as a job (see RunContext.runJobs): its W_p's data, float64, row-major n_p × n. */
export async function tmsWpJob(j: TmsWpJob, jc: JobContext): Promise<Float64Array> {
  return (await tmsWp(jc.backend, j)).data;
}

/** tms W_p per (S, seed), trained before the SAE jobs that carry them; empty for the other generators. */
export type WpTable = { get(S: number, seed: number): Float64Array | undefined };

/**
 * A toy model costs about five SAE trainings (15–20 s at n = 200, n_p = 20, 3000 steps, vs 3.5 s), so it
 * is trained once per (S, seed), not in every job that needs it: as jobs every shard runs
 * (the SAE jobs are built from their results, RunContext.runJobs), whose W_p the SAE jobs carry.
 */
export async function trainTmsWps(ctx: RunContext, c: SynthConfig, sparsities: number[]): Promise<WpTable> {
  if (c.generator !== "tms") return { get: () => undefined };
  const jobs: TmsWpJob[] = [];
  for (const seed of ctx.seeds) for (const S of sparsities) jobs.push({ n: c.n, n_p: c.n_p, S, seed, tmsSteps: c.tmsSteps });
  ctx.plan(jobs.length, "toy models (tms W_p)");
  const out = await ctx.runJobs<TmsWpJob, Float64Array>(import.meta.url, "tmsWpJob", jobs, (j) => `tms W_p S=${j.S} seed=${j.seed}`, { everyShard: true });
  const at = new Map(jobs.map((j, i) => [`${j.S}:${j.seed}`, out[i]!]));
  return { get: (S, seed) => at.get(`${S}:${seed}`) };
}

/** W_p in this thread: the carried one when there is one, else computed (cheap for every generator but tms). */
export async function wpOf(backend: Backend, c: SynthConfig, S: number, seed: number, carried?: Float64Array): Promise<Mat<Float64Array>> {
  return carried ? mat64(c.n_p, c.n, carried) : superposition(backend, c, S, seed);
}

// ---- one SAE, trained and measured ------------------------------------------

export type RunSpec = { S: number; seed: number; Wp: Mat<Float64Array>; bias: boolean; l1: number; gamma2: Float32Array | null };

export const METRIC_COLUMNS: Column[] = [
  { name: "l_sae", kind: "num", min: 0, description: "L_SAE: mean over held-out samples of ‖x_p − x̂_p‖² (unweighted, also for WSAE)" },
  { name: "l_gt", kind: "num", min: 0, description: "L_GT: mean over held-out samples of Σ_i (x_i − z_{I*(i)})², I* = Hungarian max-weight assignment on R" },
  { name: "l_gt_nonsparse", kind: "num", min: 0, description: "L_GT restricted to the features with x_i ≠ 0 (still divided by the number of samples)" },
  { name: "l0", kind: "num", min: 0, description: "mean number of latents > 0 per held-out sample" },
  { name: "dead_latents", kind: "int", min: 0, description: "latents that never fire on the held-out samples" },
  { name: "explained_variance", kind: "num", max: 1, description: "1 − Σ‖x_p − x̂_p‖² / Σ‖x_p − mean(x_p)‖² on held-out samples" },
  { name: "per_dim_variance", kind: "num", min: 0, optional: true, description: "mean over live latents of the variance of the latent's activation over held-out samples (empty: no live latent)" },
  { name: "avg_activated_features", kind: "num", min: 0, optional: true, description: "over responding latents, mean count of features i with R[j,i] > τ·max_i R[j,i]; R[j,i] = σ(W_m W_p + b)[j,i] − σ(b)_j (empty: reference rows)" },
  { name: "responding_latents", kind: "int", min: 0, optional: true, description: "latents with some R[j,i] > 0" },
  { name: "mmcs_feat", kind: "num", min: -1, max: 1, optional: true, description: "mean over features of the max cosine to any decoder row" },
  { name: "mmcs_latent", kind: "num", min: -1, max: 1, optional: true, description: "mean over decoder rows of the max cosine to any feature" },
  { name: "matched_cos", kind: "num", min: -1, max: 1, optional: true, description: "Hungarian-matched mean cosine between decoder rows and W_p columns" },
  { name: "train_loss", kind: "num", min: 0, optional: true, description: "training loss (weighted reconstruction + λ·L1) at the last step" },
];

/** The SAE architecture of a row (the knobs of docs/method.md §3), written into every row so variants can be told apart. */
export const ARCH_COLUMNS: Column[] = [
  { name: "tied", kind: "bool", optional: true, description: "decoder tied to the encoder (W_mᵀ) or separate (empty: reference rows, no SAE)" },
  { name: "topk", kind: "int", min: 0, optional: true, description: "Top-k activation's k; 0 = ReLU (empty: reference rows)" },
];

/** The training samples of one (S, seed): a fresh batch per step from stream "train:S=…". */
export function trainingSource(Wp: Mat<Float64Array>, S: number, seed: number): SyntheticSource {
  return new SyntheticSource(Wp, S, stream(seed, `train:S=${S}`));
}
/**
 * The held-out samples of one (S, seed), from stream "eval:S=…": never the training
 * stream, so every metric is measured on samples no model trained on; the reference
 * rows use the very same samples as the trained models.
 */
export function heldOut(Wp: Mat<Float64Array>, S: number, seed: number, N: number): { x: Mat; xp: Mat } {
  return new SyntheticSource(Wp, S, stream(seed, `eval:S=${S}`)).sample(N);
}

export function specOf(c: SynthConfig, bias: boolean): SaeSpec {
  return { n_p: c.n_p, n_m: c.n_m, tied: c.tied, bias, topk: c.topk };
}

/**
 * Train one SAE on fresh samples at sparsity S and measure it on held-out samples.
 * Streams are named by (S, seed), so SAE and WSAE with the same seed see the same
 * initial weights and the same batches: their difference is the weighting alone.
 */
export async function trainAndMeasure(
  backend: Backend, c: SynthConfig, r: RunSpec, onStep?: (step: number) => void,
): Promise<Row> {
  const spec = specOf(c, r.bias);
  const src = trainingSource(r.Wp, r.S, r.seed);
  const res = await trainSae(
    backend, spec, src, { steps: c.steps, batch: c.batch, lr: c.lr, l1: r.l1, gamma2: r.gamma2 },
    stream(r.seed, "init"), onStep ? (s) => onStep(s) : undefined,
  );
  // a finite loss does not mean finite weights (a huge λ can overflow them in the last step)
  assertFiniteParams(res.params, `S=${r.S} seed=${r.seed} λ=${r.l1}`);
  const held = heldOut(r.Wp, r.S, r.seed, c.evalSamples);
  const Z = await encodeAll(backend, spec, res.params, held.xp);
  const Xhat = await reconstruct(backend, res.params, Z);
  const R = responseMatrix(res.params.W, r.Wp, res.params.b ?? undefined, c.topk || undefined);
  const align = alignFeatures(R);
  const gt = groundTruthLoss(held.x, Z, align.latentOf);
  const act = activatedFeatures(R, c.tau);
  const mmcs = meanMaxCosine(decoderOf(res.params), r.Wp);
  return {
    l_sae: reconstructionLoss(held.xp, Xhat),
    l_gt: gt.lgt,
    l_gt_nonsparse: gt.lgtNonSparse,
    l0: l0(Z),
    dead_latents: deadLatents(Z).count,
    explained_variance: explainedVariance(held.xp, Xhat),
    per_dim_variance: orEmpty(perDimVariance(Z).mean),
    avg_activated_features: act.mean,
    responding_latents: act.responding,
    mmcs_feat: mmcs.featToLatent,
    mmcs_latent: mmcs.latentToFeat,
    matched_cos: matchedMeanCosine(decoderOf(res.params), r.Wp).mean,
    train_loss: res.finalLoss,
  };
}

/** A mean over no live latents is not a number but "not applicable": written as an empty cell. */
export const orEmpty = (v: number): number | "" => (Number.isFinite(v) ? v : "");

/** Training diverged if any weight is NaN/Inf, even when the last loss was finite: exit 3. */
export function assertFiniteParams(p: { W: Mat; D?: Mat | null; b?: Float32Array | null }, what: string): void {
  for (const [name, a] of [["W_m", p.W.data], ["decoder", p.D?.data], ["bias", p.b]] as const) {
    if (!a) continue;
    for (let i = 0; i < a.length; i++)
      if (!Number.isFinite(a[i]!)) throw new DivergenceError(`training diverged (${what}): ${name} has a non-finite weight (${a[i]}) although the loss stayed finite; try a smaller --l1 or --lr`);
  }
}

const MEASURED = new Set([
  ...METRIC_COLUMNS.map((c) => c.name), "gamma_min", "gamma_max",
  "value", "expected", "abs_diff", "error", "x_energy", "relative_error", "at_most_one_active", // fig1
]);

/** Round measured numbers for the CSV (stable text, no 17-digit noise); settings such as S, λ, α stay exact. */
export function roundRow(row: Row, digits = 6): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "number" && !Number.isInteger(v) && MEASURED.has(k) ? Number(v.toPrecision(digits)) : v;
  return out;
}
