/**
 * The synthetic WSAE-vs-SAE grid behind fig3 and table3: for each S, seed and
 * method (plain SAE; WSAE with each weight proxy), train and measure one SAE; beside
 * them two reference rows that need no training — the all-zero predictor (what a model
 * scores on L_GT by switching every feature off) and the closed form σ(W_pᵀ x_p).
 */
import type { Backend } from "../compute/backend.ts";
import { SyntheticSource } from "../data/synthetic.ts";
import {
  deadLatents, explainedVariance, groundTruthLoss, l0, perDimVariance, reconstructionLoss,
} from "../metrics/index.ts";
import { gamma2Of, weightsFor, PROXIES, type Proxy } from "../sae/weights.ts";
import { UserError } from "../util/errors.ts";
import { splitList } from "../util/parse.ts";
import { mat, matmul64, transpose, type Mat } from "../util/mat.ts";
import { recoverBatch } from "../theory/index.ts";
import type { AnyMat } from "../metrics/index.ts";
import { stream } from "../util/rng.ts";
import { heldOut, orEmpty, parseInt1, parseList, parseNum, roundRow, trainAndMeasure, trainTmsWps, wpOf, type SynthConfig, type WpTable } from "./synthetic.ts";
import type { JobContext, OptionSpec, Row, RunContext } from "./types.ts";

export type Method = { method: "SAE" | "WSAE"; proxy: Proxy; alpha: number | null };

export type GridConfig = SynthConfig & {
  sparsities: number[];
  /** α of the score-based proxies (variance). */
  alpha: number;
  /** WSAE proxies run beside the plain SAE. */
  proxies: Proxy[];
  /** Samples of x_p the variance proxy is computed on (drawn like training data). */
  weightSamples: number;
};

export function parseProxies(raw: string): Proxy[] {
  const out = splitList("--proxy", raw);
  for (const p of out) {
    if (!(PROXIES as string[]).includes(p)) throw new UserError(`--proxy must be one of ${PROXIES.join(", ")} (got '${p}')`);
    if (p === "semantic") throw new UserError("--proxy semantic needs labelled data; synthetic artifacts take variance, oracle or uniform");
  }
  return [...new Set(out)] as Proxy[];
}

export const GRID_OPTIONS: OptionSpec[] = [
  { flags: "--alpha <x>", key: "alpha", description: "exponent α of γ_i = s_i^α (negative allowed: --alpha=-1)", parse: parseNum("--alpha", (v) => Math.abs(v) <= 10, "in [-10, 10]") },
  { flags: "--proxy <list>", key: "proxies", description: "WSAE weight proxies: variance, oracle, uniform (list)", parse: parseProxies },
  { flags: "--weight-samples <int>", key: "weightSamples", description: "samples of x_p for the variance proxy", parse: parseInt1("--weight-samples", 2, 1_000_000) },
];

export const parseAlphas = parseList("--alphas", (v) => Math.abs(v) <= 10, "in [-10, 10]");

export function methodsOf(c: GridConfig): Method[] {
  const out: Method[] = [{ method: "SAE", proxy: "uniform", alpha: null }];
  for (const p of c.proxies) if (p !== "uniform") out.push({ method: "WSAE", proxy: p, alpha: p === "oracle" ? null : c.alpha });
  return out;
}

export function labelOf(m: { method: string; proxy: string; alpha: number | null | string }): string {
  if (m.method === "SAE") return "SAE";
  if (m.method === "WSAE") return m.proxy === "oracle" ? "WSAE (oracle Γ)" : `WSAE (${m.proxy}, α=${m.alpha})`;
  return m.method;
}

/** One trained model: weights from its proxy, then train and measure. */
export async function runMethod(
  backend: Backend, c: GridConfig, S: number, seed: number, Wp: Mat<Float64Array>, m: Method, bias: boolean, l1: number,
  onStep?: (s: number) => void,
): Promise<Row> {
  let xpSample: Mat | undefined;
  if (m.proxy === "variance") xpSample = new SyntheticSource(Wp, S, stream(seed, `weights:S=${S}`)).sample(c.weightSamples).xp;
  const gamma = weightsFor(m.proxy, m.alpha ?? 1, { xpSample, Wp });
  const metrics = await trainAndMeasure(backend, c, { S, seed, Wp, bias, l1, gamma2: gamma2Of(gamma) }, onStep);
  return {
    label: labelOf(m), method: m.method, proxy: m.proxy, alpha: m.alpha ?? "", bias, l1, tied: c.tied, topk: c.topk, S, seed,
    gamma_min: gamma ? Math.min(...gamma) : 1, gamma_max: gamma ? Math.max(...gamma) : 1,
    ...metrics,
  };
}

/** The all-zero predictor and the closed form σ(W_pᵀ x_p), on the same held-out samples as the models. */
export function referenceRows(c: GridConfig, S: number, seed: number, Wp: Mat<Float64Array>): Row[] {
  const held = heldOut(Wp, S, seed, c.evalSamples);
  const n = Wp.cols, np = Wp.rows, N = c.evalSamples;
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  const cf = recoverBatch(Wp, held.x); // Theorem 1's latents, latent i ↔ feature i
  const row = (label: string, Z: AnyMat, Xhat: AnyMat): Row => {
    const gt = groundTruthLoss(held.x, Z, identity);
    // no SAE here: bias, λ, tied and k do not apply, so they are empty (not "false"/0)
    return {
      label, method: "reference", proxy: "", alpha: "", bias: "", l1: "", tied: "", topk: "", S, seed, gamma_min: "", gamma_max: "",
      l_sae: reconstructionLoss(held.xp, Xhat), l_gt: gt.lgt, l_gt_nonsparse: gt.lgtNonSparse, l0: l0(Z),
      dead_latents: deadLatents(Z).count, explained_variance: explainedVariance(held.xp, Xhat),
      per_dim_variance: orEmpty(perDimVariance(Z).mean),
    };
  };
  return [row("zero predictor", mat(N, n), mat(N, np)), row("closed form σ(W_pᵀx_p)", cf, matmul64(cf, transpose(Wp)))];
}

/** One grid training, as a job a worker can run (see RunContext.runJobs); GRID_JOB_URL names this module. */
export const GRID_JOB_URL = import.meta.url;
/** `Wp`: the tms W_p, trained once before the jobs (trainTmsWps); other generators compute theirs in the worker. */
export type GridJob = { c: GridConfig; artifact: string; S: number; seed: number; m: Method; bias: boolean; l1: number; Wp?: Float64Array };

export async function gridJob(j: GridJob, jc: JobContext): Promise<Row> {
  const Wp = await wpOf(jc.backend, j.c, j.S, j.seed, j.Wp);
  const r = await runMethod(jc.backend, j.c, j.S, j.seed, Wp, j.m, j.bias, j.l1, (s) => jc.step(s, j.c.steps));
  return roundRow({ artifact: j.artifact, generator: j.c.generator, ...r });
}

export const gridJobLabel = (j: GridJob) => `S=${j.S} seed=${j.seed} ${labelOf(j.m)}${j.c.bias.length > 1 ? ` bias=${j.bias ? "on" : "off"}` : ""}${j.c.l1.length > 1 ? ` λ=${j.l1}` : ""}`;

/**
 * The whole grid: S × seed × (references + methods) × bias × λ. `wps` holds the tms W_p when
 * the caller has trained them already (table3, for its sweeps too); else they are trained here.
 */
export async function runGrid(c: GridConfig, ctx: RunContext, artifact: string, wps?: WpTable): Promise<Row[]> {
  const methods = methodsOf(c);
  const tms = wps ?? (await trainTmsWps(ctx, c, c.sparsities));
  const cells: { S: number; seed: number; jobs: GridJob[] }[] = [];
  for (const seed of ctx.seeds)
    for (const S of c.sparsities) {
      const jobs: GridJob[] = [];
      const Wp = tms.get(S, seed);
      for (const bias of c.bias) for (const l1 of c.l1) for (const m of methods) jobs.push({ c, artifact, S, seed, m, bias, l1, ...(Wp ? { Wp } : {}) });
      cells.push({ S, seed, jobs });
    }
  const all = cells.flatMap((x) => x.jobs);
  ctx.plan(all.length, "SAEs");
  const trained = await ctx.runJobs<GridJob, Row>(GRID_JOB_URL, "gridJob", all, gridJobLabel);
  const rows: Row[] = [];
  let i = 0;
  for (const cell of cells) {
    const Wp = await wpOf(ctx.backend, c, cell.S, cell.seed, tms.get(cell.S, cell.seed));
    for (const r of referenceRows(c, cell.S, cell.seed, Wp)) rows.push(roundRow({ artifact, generator: c.generator, ...r }));
    for (let k = 0; k < cell.jobs.length; k++) rows.push(trained[i++]!);
  }
  return rows;
}
