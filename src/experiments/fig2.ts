/**
 * Figure 2: monosemantic-ness of a trained SAE, measured as the average number of
 * ground-truth features that activate one latent, against the sparsity S of the
 * ground-truth features. Paper: it falls as S grows, towards 1 (Theorem 2).
 */
import { VERDICT_MARK } from "../report/summary.ts";
import { UserError } from "../util/errors.ts";
import type { GeneratorName } from "../data/generators.ts";
import { col, fmt, groupBy, mean, nonFinite, pmCol, spearman, std } from "./stats.ts";
import {
  ARCH_COLUMNS, METRIC_COLUMNS, SYNTH_OPTIONS, parseGenerators, parseSparsities, roundRow, trainAndMeasure, trainTmsWps, validateSynth, wpOf,
  type SynthConfig,
} from "./synthetic.ts";
import type { Artifact, ClaimResult, JobContext, Row } from "./types.ts";

/** fig2 runs one or more W_p generators side by side (`generator` is set per run). */
export type Fig2Config = Omit<SynthConfig, "generator"> & { sparsities: number[]; generators: GeneratorName[] };

const variantName = (bias: boolean, l1: number, sweep: boolean, generator?: string) =>
  `${generator ? `${generator}, ` : ""}${bias ? "bias on" : "bias off"}${sweep ? `, λ=${l1}` : ""}`;

function variants(rows: Row[]) {
  return groupBy(rows, ["generator", "bias", "l1"]);
}

export const fig2: Artifact<Fig2Config> = {
  id: "fig2",
  title: "Figure 2: average activated features per SAE latent vs ground-truth sparsity S",
  paper:
    "Monosemanticity, measured by the average number of ground-truth features that activate one SAE latent, " +
    "increases (the count falls towards 1) as the ground-truth features get sparser (S → 1).",
  implemented: true,
  presets: {
    quick: {
      n: 16, n_p: 6, n_m: 16, steps: 300, batch: 256, lr: 3e-3, l1: [0.1], bias: [false, true],
      tied: true, topk: 0, evalSamples: 2048, tau: 0.1, tmsSteps: 300, sparsities: [0.5, 0.9, 0.99], generators: ["polygon", "tms"],
    },
    full: {
      n: 200, n_p: 20, n_m: 200, steps: 3000, batch: 256, lr: 3e-3, l1: [0.1], bias: [false, true],
      tied: true, topk: 0, evalSamples: 8192, tau: 0.1, tmsSteps: 3000, sparsities: [0.5, 0.7, 0.8, 0.9, 0.95, 0.99],
      // tms: the setting closest to the paper's text (see closestSection)
      generators: ["polygon", "tms", "gaussian"],
    },
  },
  options: [
    { flags: "--sparsities <list>", key: "sparsities", description: "sparsity levels S in [0,1), e.g. 0.5,0.9,0.99", parse: parseSparsities },
    { flags: "--generator <list>", key: "generators", description: "W_p generator(s), run side by side: polygon, tms, gaussian (default polygon,tms,gaussian; quick polygon,tms)", parse: parseGenerators },
    ...SYNTH_OPTIONS.filter((o) => o.key !== "generator"),
  ],
  examples: [
    "wsae fig2 --quick",
    "wsae fig2 --seeds 5 --sparsities 0.5,0.8,0.95,0.99",
    "wsae fig2 --generator polygon --bias on   # skip the toy models (tms) and gaussian",
    "wsae fig2 --l1 0.01,0.03,0.1 --bias on   # sweep the sparsity penalty",
  ],
  columns: [
    { name: "artifact", kind: "str", description: "fig2" },
    { name: "generator", kind: "str", description: "W_p generator (polygon | tms | gaussian)" },
    { name: "bias", kind: "bool", description: "encoder bias on (true) or the theory's bias-free SAE (false)" },
    { name: "l1", kind: "num", min: 0, description: "L1 coefficient λ of the training loss" },
    ...ARCH_COLUMNS,
    { name: "S", kind: "num", min: 0, max: 1, description: "ground-truth sparsity: P(x_i = 0)" },
    { name: "seed", kind: "int", min: 0, description: "seed of W_p (polygon phases), SAE init, training and held-out samples" },
    ...METRIC_COLUMNS,
  ],
  tree: {
    key: ["generator", "bias", "l1", "S", "seed"],
    expected: (c, seeds) =>
      c.generators.flatMap((generator) => seeds.flatMap((seed) => c.sparsities.flatMap((S) => c.bias.flatMap((bias) => c.l1.map((l1) => ({ generator, bias, l1, S, seed })))))),
  },
  reported: [
    { what: "trend of activated features per latent", value: "falls as S increases (no numbers known)", source: "paper Fig. 2 via secondary notes (docs/method.md §1)" },
  ],

  validate(c) {
    validateSynth({ ...c, generator: c.generators[0]! });
    if (c.generators.includes("polygon") && c.n_p < 4) throw new UserError(`the polygon generator needs n_p >= 4 (got ${c.n_p})`);
    if (c.sparsities.length < 2) throw new UserError("fig2 needs at least two sparsity levels to show a trend");
  },

  async run(c, ctx) {
    // the toy models first, once per (S, seed): every bias and λ job of that cell carries its W_p
    const tms = c.generators.includes("tms") ? await trainTmsWps(ctx, { ...c, generator: "tms" }, c.sparsities) : null;
    const jobs: Fig2Job[] = [];
    for (const generator of c.generators)
      for (const seed of ctx.seeds)
        for (const S of c.sparsities)
          for (const bias of c.bias)
            for (const l1 of c.l1) jobs.push({ c: { ...c, generator }, S, seed, bias, l1, ...(generator === "tms" ? { Wp: tms!.get(S, seed)! } : {}) });
    ctx.plan(jobs.length, "SAEs");
    const rows = await ctx.runJobs<Fig2Job, Row>(import.meta.url, "fig2Job", jobs,
      (j) => `${j.c.generator} S=${j.S} seed=${j.seed} bias=${j.bias ? "on" : "off"} λ=${j.l1}`);
    const gi = (r: Row) => c.generators.indexOf(r.generator as GeneratorName);
    rows.sort((a, b) => gi(a) - gi(b) || Number(a.bias) - Number(b.bias) || Number(a.l1) - Number(b.l1) || Number(a.S) - Number(b.S) || Number(a.seed) - Number(b.seed));
    return { rows };
  },

  claims(c, out) {
    return fig2Claims(c, out.rows);
  },

  summary(c, out, claims) {
    const lines: string[] = [...closestSection(c, out.rows, claims), ""];
    lines.push("| variant | S | avg activated features / latent | responding latents | L0 | L_SAE | explained var. | matched cos |");
    lines.push("|---|---|---|---|---|---|---|---|");
    for (const v of variants(out.rows))
      for (const g of groupBy(v.rows, ["S"])) {
        const r = g.rows;
        lines.push(
          `| ${variantName(Boolean(v.key.bias), Number(v.key.l1), c.l1.length > 1, String(v.key.generator))} | ${g.key.S} | ${pmCol(r, "avg_activated_features")} | ` +
          `${pmCol(r, "responding_latents")} | ${pmCol(r, "l0")} | ${pmCol(r, "l_sae")} | ${pmCol(r, "explained_variance")} | ${pmCol(r, "matched_cos")} |`,
        );
      }
    lines.push("");
    if (c.topk > 0)
      lines.push(`**Top-k (k = ${c.topk}) instead of ReLU, λ = ${c.l1.join(", ")}.** ${TOPK_NOTE(c.topk, c.n, c.n_m)}`, "");
    lines.push(
      `Counting rule (docs/method.md §2): R[j,i] = σ(W_m W_p + b)[j,i] − σ(b)_j is latent j's response to feature i alone at value 1; ` +
      `a latent responds if some R[j,i] > 0; it counts feature i as activating it when R[j,i] > τ·max_i R[j,i], τ = ${c.tau}. ` +
      `Mean ± standard deviation over seeds.`,
    );
    lines.push(
      "",
      "Other settings the paper leaves open: its theory assumes non-positive interference (the `npi` W_p: digons, triangles, squares, which needs " +
      "n ≤ 2·n_p), and it does not state the encoder bias, the sparsity mechanism (L1 λ or Top-k) or the tying. `wsae robustness` judges this claim " +
      "in each of those settings, one factor at a time (results/robustness/summary.md, row \"fig2: count falls with S, towards 1\").",
    );
    return lines.join("\n");
  },

  plot(c, out) {
    const x = { field: "S", type: "quantitative", title: "ground-truth sparsity S = P(x_i = 0)", scale: { domain: [Math.min(...c.sparsities) - 0.02, 1] } };
    const color = { field: "variant", type: "nominal", title: "SAE variant", legend: { orient: "top-right" } };
    const yTitle = "avg activated features per latent (count)";
    const maxY = Math.max(1, ...out.rows.map((r) => Number(r.avg_activated_features)).filter(Number.isFinite));
    const panel = (generator: string) => ({
      title: `${generator} W_p${generator === "tms" ? " (closest to the paper)" : ""}`,
      width: 380, height: 300,
      data: { values: out.rows.filter((r) => r.generator === generator).map((r) => ({ S: r.S, value: r.avg_activated_features, variant: variantName(Boolean(r.bias), Number(r.l1), c.l1.length > 1) })) },
      layer: [
        // one shared y range across panels, from 0, so the generators compare honestly
        { mark: { type: "line", point: true }, encoding: { x, y: { aggregate: "mean", field: "value", type: "quantitative", title: yTitle, scale: { domain: [0, Math.ceil(maxY * 1.05)] } }, color } },
        { mark: { type: "errorbar", extent: "stdev", ticks: true }, encoding: { x, y: { field: "value", type: "quantitative", title: yTitle }, color } },
        { mark: { type: "rule", strokeDash: [4, 4], color: "gray" }, encoding: { y: { datum: 1 } } },
      ],
    });
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: { text: "Fig. 2: ground-truth features activating one SAE latent vs sparsity", subtitle: `n=${c.n}, n_p=${c.n_p}, n_m=${c.n_m}, λ=${c.l1.join("/")}; mean ± sd over seeds; dashed line = 1 (monosemantic)` },
      hconcat: c.generators.map(panel),
      resolve: { scale: { color: "shared" } },
    };
  },
};

/** One fig2 training, as a job a worker can run (see RunContext.runJobs). */
export type Fig2Job = { c: SynthConfig; S: number; seed: number; bias: boolean; l1: number; Wp?: Float64Array };

export async function fig2Job(j: Fig2Job, jc: JobContext): Promise<Row> {
  const Wp = await wpOf(jc.backend, j.c, j.S, j.seed, j.Wp);
  const m = await trainAndMeasure(jc.backend, j.c, { S: j.S, seed: j.seed, Wp, bias: j.bias, l1: j.l1, gamma2: null }, (s) => jc.step(s, j.c.steps));
  return roundRow({ artifact: "fig2", generator: j.c.generator, bias: j.bias, l1: j.l1, tied: j.c.tied, topk: j.c.topk, S: j.S, seed: j.seed, ...m });
}

/**
 * The tms verdicts beside the other generators' for each SAE variant, read from fig2's own
 * claims: the paper says its data follow Elhage et al.'s toy model, which is what tms trains.
 */
function closestSection(c: Fig2Config, rows: Row[], claims: ClaimResult[]): string[] {
  const L = ["### In the setting closest to the paper", ""];
  if (!c.generators.includes("tms"))
    return [...L, "Not in this run (`--generator` without tms). The paper says its synthetic data follow Elhage et al.'s toy model: `--generator tms` " +
      "(in the full and quick presets) trains one per S and seed and uses its W as W_p."];
  const gens = ["tms", ...c.generators.filter((g) => g !== "tms")];
  const sweep = c.l1.length > 1;
  const cell = (g: string, bias: boolean, l1: number) => {
    const claim = claims.find((x) => x.id === `falls-with-S (${variantName(bias, l1, sweep, g)})`);
    const at = groupBy(rows.filter((r) => r.generator === g && r.bias === bias && r.l1 === l1), ["S"]).sort((a, b) => Number(a.key.S) - Number(b.key.S));
    const ends = at.length ? `${fmt(mean(col(at[0]!.rows, "avg_activated_features")))} → ${fmt(mean(col(at[at.length - 1]!.rows, "avg_activated_features")))}` : "";
    return claim ? `${VERDICT_MARK[claim.verdict]} (${ends})` : "—";
  };
  L.push(
    "The paper says its synthetic data follow Elhage et al.'s toy model, so the `tms` W_p — the W of such a model trained at each S — with the tied, " +
    "bias-free ReLU SAE its theory analyses is the setting closest to its text (the L1 penalty is ours, docs/method.md §3). " +
    "fig2's verdict there, beside the other W_p of this run (count per latent at the lowest → highest S):",
    "",
    `| SAE variant | ${gens.map((g) => (g === "tms" ? "**tms W_p (closest to the paper)**" : `${g} W_p${g === "polygon" ? " (our default)" : ""}`)).join(" | ")} |`,
    `|---|${gens.map(() => "---").join("|")}|`,
  );
  for (const bias of c.bias)
    for (const l1 of c.l1) L.push(`| ${variantName(bias, l1, sweep)}${bias ? "" : " (the theory's SAE)"} | ${gens.map((g) => cell(g, bias, l1)).join(" | ")} |`);
  return L;
}

const TOPK_NOTE = (k: number, n: number, nm: number) =>
  `With Top-k and no encoder bias, a single-feature probe W_m W_p e_i fires exactly k latents whatever S is, so the count per latent is about k·n/n_m = ${fmt((k * n) / nm)} by construction; the bias-off rows cannot test the claim.`;

/**
 * fig2's verdicts: per variant (generator, bias, λ), the count must fall with S
 * (Spearman ρ ≤ −0.8 and the sparsest S below the densest by more than the seed
 * spread) — reproduced when it also ends ≤ 1.5, partly when it only falls.
 * Inconclusive where a seed has no finite count, a seed is missing at some S, or the
 * count is fixed by construction (Top-k without bias). Then notes on the knobs.
 */
export function fig2Claims(c: Pick<Fig2Config, "bias" | "generators" | "l1" | "topk" | "n" | "n_m">, rows: Row[]): ClaimResult[] {
  const results: ClaimResult[] = [];
  const allSeeds = new Set(rows.map((r) => r.seed));
  const lastOf: { key: Row; last: number; sd: number; verdict: ClaimResult["verdict"] }[] = [];
  for (const v of variants(rows)) {
    const bySeedS = groupBy(v.rows, ["S"]).sort((a, b) => Number(a.key.S) - Number(b.key.S));
    const S = bySeedS.map((g) => Number(g.key.S));
    const m = bySeedS.map((g) => mean(col(g.rows, "avg_activated_features")));
    const sd = bySeedS.map((g) => std(col(g.rows, "avg_activated_features")));
    const rho = spearman(S, m);
    const first = m[0]!, last = m[m.length - 1]!;
    const falls = rho <= -0.8 && last < first - Math.max(sd[0]!, sd[sd.length - 1]!);
    const towardsOne = last <= 1.5;
    const name = variantName(Boolean(v.key.bias), Number(v.key.l1), c.l1.length > 1, String(v.key.generator));
    const bad = bySeedS.filter((g) => nonFinite(col(g.rows, "avg_activated_features")));
    const short = bySeedS.filter((g) => new Set(g.rows.map((r) => r.seed)).size < allSeeds.size);
    const byConstruction = c.topk > 0 && v.key.bias === false;
    let verdict: ClaimResult["verdict"] = falls && towardsOne ? "reproduced" : falls ? "partly reproduced" : "not reproduced";
    let why = "";
    if (bad.length) why = ` — inconclusive: the count is not finite for ${bad.map((g) => `S=${g.key.S} (${nonFinite(col(g.rows, "avg_activated_features"))})`).join(", ")}`;
    else if (short.length) why = ` — inconclusive: seeds missing at ${short.map((g) => `S=${g.key.S} (${new Set(g.rows.map((r) => r.seed)).size} of ${allSeeds.size})`).join(", ")}`;
    else if (byConstruction) why = ` — inconclusive: ${TOPK_NOTE(c.topk, c.n, c.n_m)}`;
    if (why) verdict = "inconclusive";
    lastOf.push({ key: v.key, last, sd: sd[sd.length - 1]!, verdict });
    const ns = allSeeds.size;
    results.push({
      id: `falls-with-S (${name})`,
      paper: "activated features per latent fall as S grows, towards 1",
      verdict,
      evidence:
        `${fmt(first)} at S=${S[0]} → ${fmt(last)} at S=${S[S.length - 1]} (mean over ${ns} seed${ns > 1 ? "s" : ""}); ` +
        `Spearman ρ(S, count) = ${fmt(rho, 2)}; ${towardsOne ? "reaches ≤ 1.5 at the sparsest S" : "stays above 1.5 at the sparsest S"}${why}`,
    });
  }
  /** Does the knob change the verdict or the count at the sparsest S (beyond the seed spread and 10%)? */
  const knob = (key: "bias" | "generator") => {
    const by = new Map<string, typeof lastOf>();
    for (const x of lastOf) {
      const other = key === "bias" ? `${x.key.generator}|${x.key.l1}` : `${x.key.bias}|${x.key.l1}`;
      by.set(other, [...(by.get(other) ?? []), x]);
    }
    const groups = [...by.values()].filter((g) => g.length > 1);
    const verdicts = groups.some((g) => new Set(g.map((x) => x.verdict)).size > 1);
    const counts = groups.some((g) => {
      const v = g.map((x) => x.last);
      const spread = Math.max(...g.map((x) => x.sd), 0.1 * Math.max(...v.map(Math.abs)));
      return Math.max(...v) - Math.min(...v) > spread;
    });
    const listed = groups.map((g) => g.map((x) => `${key === "bias" ? (x.key.bias ? "bias on" : "bias off") : x.key.generator}: ${fmt(x.last)}`).join(" vs ")).join("; ");
    return { verdicts, counts, listed };
  };
  const say = (k: ReturnType<typeof knob>) =>
    (k.verdicts ? "yes: the verdicts above differ" : k.counts ? "yes, in the numbers: the verdicts agree but the counts differ" : "no: the verdicts and the counts agree") +
    ` (count at the sparsest S: ${k.listed}). `;
  if (c.bias.length > 1)
    results.push({
      id: "knob: encoder bias",
      paper: "(our check) does the result depend on the encoder bias?",
      verdict: "note",
      evidence: say(knob("bias")) +
        "A tied bias-free latent responds to every feature it overlaps positively, whatever S is, so without a bias the count cannot reach 1 unless all interference is non-positive (digons, triangles, squares).",
    });
  if (c.generators.length > 1)
    results.push({
      id: "knob: W_p generator",
      paper: "(our check) does the result depend on the superposition geometry?",
      verdict: "note",
      evidence: say(knob("generator")) + "See the table.",
    });
  return results;
}
