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
import { mat, matmul64, transpose, type Mat } from "../util/mat.ts";
import { recoverBatch } from "../theory/index.ts";
import type { AnyMat } from "../metrics/index.ts";
import { stream } from "../util/rng.ts";
import { parseList, parseNum, roundRow, superposition, trainAndMeasure, type SynthConfig } from "./synthetic.ts";
import type { OptionSpec, Row, RunContext } from "./types.ts";

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
  const out = raw.split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of out) {
    if (!(PROXIES as string[]).includes(p)) throw new UserError(`--proxy must be one of ${PROXIES.join(", ")} (got '${p}')`);
    if (p === "semantic") throw new UserError("--proxy semantic needs labelled data; synthetic artifacts take variance, oracle or uniform");
  }
  if (!out.length) throw new UserError("--proxy needs at least one proxy");
  return [...new Set(out)] as Proxy[];
}

export const GRID_OPTIONS: OptionSpec[] = [
  { flags: "--alpha <x>", key: "alpha", description: "exponent α of γ_i = s_i^α (negative allowed: --alpha=-1)", parse: parseNum("--alpha", (v) => Math.abs(v) <= 10, "in [-10, 10]") },
  { flags: "--proxy <list>", key: "proxies", description: "WSAE weight proxies: variance, oracle, uniform (list)", parse: parseProxies },
  { flags: "--weight-samples <int>", key: "weightSamples", description: "samples of x_p for the variance proxy", parse: parseNum("--weight-samples", (v) => Number.isInteger(v) && v >= 2, "an integer >= 2") },
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
    label: labelOf(m), method: m.method, proxy: m.proxy, alpha: m.alpha ?? "", bias, l1, S, seed,
    gamma_min: gamma ? Math.min(...gamma) : 1, gamma_max: gamma ? Math.max(...gamma) : 1,
    ...metrics,
  };
}

/** The all-zero predictor and the closed form σ(W_pᵀ x_p), on the same held-out samples as the models. */
export function referenceRows(c: GridConfig, S: number, seed: number, Wp: Mat<Float64Array>): Row[] {
  const held = new SyntheticSource(Wp, S, stream(seed, `eval:S=${S}`)).sample(c.evalSamples);
  const n = Wp.cols, np = Wp.rows, N = c.evalSamples;
  const identity = Int32Array.from({ length: n }, (_, i) => i);
  const cf = recoverBatch(Wp, held.x); // Theorem 1's latents, latent i ↔ feature i
  const row = (label: string, Z: AnyMat, Xhat: AnyMat): Row => {
    const gt = groundTruthLoss(held.x, Z, identity);
    return {
      label, method: "reference", proxy: "", alpha: "", bias: false, l1: 0, S, seed, gamma_min: "", gamma_max: "",
      l_sae: reconstructionLoss(held.xp, Xhat), l_gt: gt.lgt, l_gt_nonsparse: gt.lgtNonSparse, l0: l0(Z),
      dead_latents: deadLatents(Z).count, explained_variance: explainedVariance(held.xp, Xhat),
      per_dim_variance: perDimVariance(Z).mean,
    };
  };
  return [row("zero predictor", mat(N, n), mat(N, np)), row("closed form σ(W_pᵀx_p)", cf, matmul64(cf, transpose(Wp)))];
}

/** The whole grid: S × seed × (references + methods) × bias × λ. */
export async function runGrid(c: GridConfig, ctx: RunContext, artifact: string): Promise<Row[]> {
  const methods = methodsOf(c);
  const rows: Row[] = [];
  ctx.plan(c.sparsities.length * ctx.seeds.length * methods.length * c.bias.length * c.l1.length, "SAEs");
  for (const seed of ctx.seeds)
    for (const S of c.sparsities) {
      const Wp = await superposition(ctx.backend, c, S, seed);
      for (const r of referenceRows(c, S, seed, Wp)) rows.push(roundRow({ artifact, generator: c.generator, ...r }));
      for (const bias of c.bias)
        for (const l1 of c.l1)
          for (const m of methods) {
            const r = await runMethod(ctx.backend, c, S, seed, Wp, m, bias, l1, (s) => ctx.step(s, c.steps));
            rows.push(roundRow({ artifact, generator: c.generator, ...r }));
            ctx.tick(`S=${S} seed=${seed} ${labelOf(m)}`);
          }
    }
  return rows;
}
