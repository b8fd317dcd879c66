/**
 * What the robustness map runs (docs/method.md §3): its config, its settings — one factor
 * at a time around fig3's base (`--grid ofat`), or every crossed factor's levels combined
 * (`--grid full`) — and the distinct trainings and reference rows they need. Everything
 * here follows from the config and seeds alone: shards (`--shard i/n`) split these lists
 * and `wsae merge` rebuilds them, and a tree read back is checked against them.
 */
import { CLAIMS, type Setting } from "./robustness-map.ts";
import { REFERENCE_LABELS, type Fig3Config } from "./fig3.ts";
import { labelOf, type GridJob, type Method } from "./wsae-grid.ts";
import type { Row } from "./types.ts";

export const FACTORS = ["generator", "bias", "sparsity", "tying", "weights"] as const;
export type Factor = (typeof FACTORS)[number];

export type RobustnessConfig = {
  n: number; n_p: number; n_m: number; steps: number; batch: number; lr: number;
  evalSamples: number; tau: number; tmsSteps: number; weightSamples: number;
  sparsities: number[]; lowS: number;
  /** the base L1 λ, and the other λ of the sparsity factor */
  l1: number; l1s: number[];
  /** Top-k settings (λ = 0) of the sparsity factor */
  topks: number[];
  /** the base α = 1 is the paper's; these are the weights factor's other α (table3's direction needs a negative one) */
  alphas: number[];
  /** size of the non-positive-interference instance (n ≤ 2·n_p, docs/method.md §3) */
  npiN: number; npiNp: number;
  factors: Factor[];
  /** "ofat": one factor at a time (default); "full": the factors crossed (sharded, docs/method.md §3) */
  grid: "ofat" | "full";
};

export const SAE: Method = { method: "SAE", proxy: "uniform", alpha: null };
export const VAR = (alpha: number): Method => ({ method: "WSAE", proxy: "variance", alpha });
export const ORACLE: Method = { method: "WSAE", proxy: "oracle", alpha: null };
/** every setting also trains α = −1, so the α direction can be judged in each */
export const PROBE = -1;

/** fig3's base: polygon W_p, bias off, L1 λ, tied, variance α = 1. Other settings spread over it, so equal trainings hash equal (job cache). */
export function baseOf(rc: RobustnessConfig): Fig3Config {
  return {
    n: rc.n, n_p: rc.n_p, n_m: rc.n_m, generator: "polygon", steps: rc.steps, batch: rc.batch, lr: rc.lr, l1: [rc.l1], bias: [false],
    tied: true, topk: 0, evalSamples: rc.evalSamples, tau: rc.tau, tmsSteps: rc.tmsSteps, sparsities: rc.sparsities,
    alpha: 1, proxies: ["variance"], weightSamples: rc.weightSamples, lowS: rc.lowS,
  };
}

/** The models a setting that judges the weights trains: SAE, α = 1, every other α and the probe, oracle Γ. */
function weightModels(rc: RobustnessConfig): Method[] {
  return [SAE, VAR(1), ...[...new Set([...rc.alphas, PROBE])].filter((a) => a !== 1).map(VAR), ORACLE];
}

const npiSize = (rc: RobustnessConfig): Partial<Fig3Config> => ({ generator: "npi", n: rc.npiN, n_p: rc.npiNp, n_m: rc.npiN });

/** The settings of the one-factor map: the base, then each factor's other values, the base kept for the rest. */
export function settingsOf(rc: RobustnessConfig): Setting[] {
  const base = baseOf(rc);
  const has = (f: Factor) => rc.factors.includes(f);
  const std = [SAE, VAR(1), VAR(PROBE)];
  const out: Setting[] = [{
    id: "base", factor: "base", label: "base (polygon)", what: "polygon W_p, bias off, L1 λ = " + rc.l1 + ", tied, variance α = 1",
    c: base, test: VAR(1), train: has("weights") ? weightModels(rc) : std, sharesBaseSae: false,
  }];
  const add = (id: string, factor: Setting["factor"], label: string, what: string, c: Partial<Fig3Config>) =>
    out.push({ id, factor, label, what, c: { ...base, ...c }, test: VAR(1), train: std, sharesBaseSae: false });
  if (has("generator")) {
    add("generator=tms", "generator", "tms W_p", "W_p of an Elhage toy model trained at each S", { generator: "tms" });
    add("generator=gaussian", "generator", "gaussian W_p", "random unit columns", { generator: "gaussian" });
    add("generator=npi", "generator", `npi W_p (n=${rc.npiN})`, `non-positive interference: digons, triangles, squares; n = ${rc.npiN}, n_p = ${rc.npiNp}, n_m = ${rc.npiN}`, npiSize(rc));
  }
  if (has("bias")) add("bias=on", "bias", "bias on", "encoder bias on", { bias: [true] });
  if (has("sparsity")) {
    for (const l of rc.l1s) add(`l1=${l}`, "sparsity", `λ=${l}`, `L1 λ = ${l}`, { l1: [l] });
    for (const k of rc.topks) add(`topk=${k}`, "sparsity", `Top-k ${k}`, `Top-k k = ${k}, λ = 0`, { topk: k, l1: [0] });
  }
  if (has("tying")) add("untied", "tying", "untied", "untied decoder, unit-norm rows, gradient projected off the rows (SAELens)", { tied: false });
  if (has("weights")) {
    for (const a of rc.alphas) out.push({ id: `alpha=${a}`, factor: "weights", label: `α=${a}`, what: `variance proxy, α = ${a}`, c: base, test: VAR(a), train: [SAE, VAR(a)], sharesBaseSae: true });
    out.push({ id: "oracle", factor: "weights", label: "oracle Γ", what: "oracle Γ from the true W_p (a reference, not a method)", c: base, test: ORACLE, train: [SAE, ORACLE], sharesBaseSae: true });
  }
  return out;
}

// ---- the crossed grid ------------------------------------------------------------

/** One level of one factor, as a column of the crossed map's figure. */
export type Level = { factor: Factor; label: string };

/**
 * One judged context of the crossed grid: a combination of generator, bias, mechanism and
 * tying (a training context: `training` is its id, data.csv's `setting`), judged with one
 * tested WSAE — α = 1, or, when the weights factor is crossed, each other α and oracle Γ,
 * which share the α = 1 context's SAE (as ofat's weights settings share the base's).
 */
export type Context = Setting & { training: string; levels: Level[] };

export const GENERATOR_LEVELS = ["polygon", "tms", "gaussian", "npi"] as const;
type Mechanism = { l1: number; topk: number };

export const contextId = (gen: string, bias: boolean, m: Mechanism, tied: boolean): string =>
  `gen=${gen},bias=${bias ? "on" : "off"},mech=${m.topk ? `topk${m.topk}` : `l1_${m.l1}`},tied=${tied}`;

/** The id of the crossed context closest to the paper's text (tms W_p, bias off, base λ, tied, α = 1). */
export const closestId = (rc: RobustnessConfig): string => contextId("tms", false, { l1: rc.l1, topk: 0 }, true);

export const weightLabel = (m: Method): string => (m.proxy === "oracle" ? "oracle Γ" : `α=${m.alpha}`);

/** Every judged context of `--grid full`: generators × bias × mechanisms × tyings, outermost first, each with its tested weights. */
export function contextsOf(rc: RobustnessConfig): Context[] {
  const base = baseOf(rc);
  const has = (f: Factor) => rc.factors.includes(f);
  const gens = has("generator") ? GENERATOR_LEVELS : (["polygon"] as const);
  const biases = has("bias") ? [false, true] : [false];
  const mechs: Mechanism[] = [{ l1: rc.l1, topk: 0 }];
  if (has("sparsity")) mechs.push(...rc.l1s.filter((l) => l !== rc.l1).map((l1) => ({ l1, topk: 0 })), ...rc.topks.map((topk) => ({ l1: 0, topk })));
  const tyings = has("tying") ? [true, false] : [true];
  const train = has("weights") ? weightModels(rc) : [SAE, VAR(1), VAR(PROBE)];
  const tests = has("weights") ? [VAR(1), ...rc.alphas.map(VAR), ORACLE] : [VAR(1)];
  const genLabel = (g: string) => (g === "npi" ? `npi (n=${rc.npiN})` : g);
  const out: Context[] = [];
  for (const gen of gens)
    for (const bias of biases)
      for (const m of mechs)
        for (const tied of tyings) {
          const c: Fig3Config = { ...base, ...(gen === "npi" ? npiSize(rc) : { generator: gen }), bias: [bias], l1: [m.l1], topk: m.topk, tied };
          const id = contextId(gen, bias, m, tied);
          const mech = m.topk ? `Top-k ${m.topk}` : `λ=${m.l1}`;
          const levels: Level[] = [
            { factor: "generator", label: genLabel(gen) }, { factor: "bias", label: `bias ${bias ? "on" : "off"}` },
            { factor: "sparsity", label: mech }, { factor: "tying", label: tied ? "tied" : "untied" },
          ];
          const what = `${genLabel(gen)} W_p, bias ${bias ? "on" : "off"}, ${m.topk ? `Top-k k = ${m.topk}, λ = 0` : `L1 λ = ${m.l1}`}, ${tied ? "tied" : "untied"}`;
          for (const t of tests) {
            const main = t === tests[0];
            out.push({
              id: main ? id : `${id},w=${t.proxy === "oracle" ? "oracle" : `alpha${t.alpha}`}`, factor: "crossed", training: id,
              label: `${genLabel(gen)} · bias ${bias ? "on" : "off"} · ${mech} · ${tied ? "tied" : "untied"}${main ? "" : ` · ${weightLabel(t)}`}`,
              what: `${what}, tested WSAE ${labelOf(t)}`, c, test: t, train: main ? train : [SAE, t], sharesBaseSae: !main,
              levels: [...levels, { factor: "weights", label: weightLabel(t) }],
            });
          }
        }
  return out;
}

/** The settings a config judges: ofat's, or the crossed grid's contexts. */
export const settingsFor = (rc: RobustnessConfig): Setting[] => (rc.grid === "full" ? contextsOf(rc) : settingsOf(rc));

// ---- trainings and rows --------------------------------------------------------------

/** A training's identity: two settings asking for the same one share it. */
const jobKey = (c: Fig3Config, S: number, seed: number, m: Method) =>
  JSON.stringify([c.generator, c.n, c.n_p, c.n_m, c.bias[0], c.l1[0], c.tied, c.topk, S, seed, m.proxy, m.alpha]);

/** Every distinct training of the map, in setting order, with the setting that first needs it. */
export function jobsOf(rc: RobustnessConfig, seeds: number[]): { setting: string; job: GridJob }[] {
  const seen = new Set<string>();
  const out: { setting: string; job: GridJob }[] = [];
  for (const s of settingsFor(rc))
    for (const seed of seeds)
      for (const S of rc.sparsities)
        for (const m of s.train) {
          const k = jobKey(s.c, S, seed, m);
          if (seen.has(k)) continue;
          seen.add(k);
          out.push({ setting: s.id, job: { c: s.c, artifact: "robustness", S, seed, m, bias: s.c.bias[0]!, l1: s.c.l1[0]! } });
        }
  return out;
}

/** Trainings of `--grid full` with these factors (the crossed grid's distinct jobs). */
export function fullGridCount(rc: RobustnessConfig, seeds: number): number {
  return jobsOf({ ...rc, grid: "full" }, Array.from({ length: seeds }, (_, i) => i)).length;
}

/** One W_p at one (S, seed): its generator and size, S and seed. */
export const wpKey = (c: Pick<Fig3Config, "generator" | "n" | "n_p">, S: number, seed: number): string => JSON.stringify([c.generator, c.n, c.n_p, S, seed]);

/** Every (W_p, S, seed) of the map once, under the first setting that uses it: its reference rows (no training), and the W_p its trainings carry. */
export function refsOf(rc: RobustnessConfig, seeds: number[]): { setting: string; c: Fig3Config; S: number; seed: number }[] {
  const seen = new Set<string>();
  const out: { setting: string; c: Fig3Config; S: number; seed: number }[] = [];
  for (const s of settingsFor(rc))
    for (const seed of seeds)
      for (const S of rc.sparsities) {
        const k = wpKey(s.c, S, seed);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ setting: s.id, c: s.c, S, seed });
      }
  return out;
}

/** data.csv's key of every row the config and seeds imply (a tree read back is checked against them). */
export function expectedRows(rc: RobustnessConfig, seeds: number[]): Row[] {
  return [
    ...refsOf(rc, seeds).flatMap((r) => REFERENCE_LABELS.map((label) => ({ setting: r.setting, label, S: r.S, seed: r.seed }))),
    ...jobsOf(rc, seeds).map((j) => ({ setting: j.setting, label: labelOf(j.job.m), S: j.job.S, seed: j.job.seed })),
  ];
}

/** cells.csv's key of every judged context × claim of the crossed grid. */
export function expectedCells(rc: RobustnessConfig): Row[] {
  return contextsOf(rc).flatMap((x) => CLAIMS.map((cl) => ({ context: x.training, weights: weightLabel(x.test), claim: cl.id })));
}
