/**
 * Table 1: per-layer interpretability of SAE vs WSAE (variance proxy, α = 0.5 and 1) on a
 * 12-layer network: semantic consistency and the label-based detection score (our stand-in
 * for the paper's LLM-judged auto-interpretability score), FVU and L0, the mean over layers,
 * and the paper's Pythia-160M numbers beside ours, labelled reported.
 */
import { col, fmt, groupBy, mean, pm } from "./stats.ts";
import { mostVerdict, pairRows } from "./real-claims.ts";
import { realSummary } from "./fig4.ts";
import {
  ACTIVATIONS_OPTION, REAL_COLUMNS, REAL_OPTIONS, SAE_URL, inputRow, labelOf, planReal, prepareData, validateReal,
  type Method, type RealConfig, type SaeJob, type SaeOut,
} from "./real.ts";
import { parseAlphasReal } from "./fig4.ts";
import { UserError } from "../util/errors.ts";
import type { Artifact, ClaimResult, Row } from "./types.ts";

export type Table1Config = RealConfig & { alphas: number[] };

export function methodsTable1(c: Table1Config): Method[] {
  return [{ method: "SAE", proxy: "uniform", alpha: 0 }, ...c.alphas.map((alpha) => ({ method: "WSAE" as const, proxy: "variance" as const, alpha }))];
}

const REPORTED: Record<string, [number, number]> = { mean: [76.4, 80.2], "3": [77.8, 84.6], "8": [74.6, 81.5] };

export const table1: Artifact<Table1Config> = {
  id: "table1",
  title: "Table 1: per-layer interpretability of SAE vs WSAE (α = 0.5, 1)",
  paper: "On Pythia-160M's 12 layers (Top-k k = 32, 32× latents), the WSAE (per-dim variance proxy) raises the LLM-judged auto-interpretability score in most layers: mean 76.4 → 80.2 (α = 1), layer 3 77.8 → 84.6, layer 8 74.6 → 81.5.",
  implemented: true,
  presets: {
    quick: {
      embeddings: null, activations: null, labels: null, cache: true, images: 2000, heldOut: 0.25,
      embedder: { hidden: [16, 16, 16], epochs: 1, batch: 64, lr: 2e-3 },
      expansion: 2, k: 4, steps: 40, batch: 128, lr: 2e-3, auxAlpha: 1 / 32, deadSteps: 20, alphas: [0.5, 1],
    },
    full: {
      embeddings: null, activations: null, labels: null, cache: true, images: 10000, heldOut: 0.2,
      embedder: { hidden: Array(12).fill(32), epochs: 12, batch: 128, lr: 1e-3 },
      expansion: 16, k: 16, steps: 500, batch: 256, lr: 1e-3, auxAlpha: 1 / 32, deadSteps: 100, alphas: [0.5, 1],
    },
  },
  options: [
    ACTIVATIONS_OPTION, ...REAL_OPTIONS,
    { flags: "--alphas <list>", key: "alphas", description: "α of the WSAE models (variance proxy), e.g. 0.5,1", parse: parseAlphasReal },
  ],
  examples: [
    "wsae table1 --quick",
    "wsae table1 --activations acts/ --labels tokens.npy --expansion 32 --k 32   # your model's layers (see README)",
  ],
  columns: REAL_COLUMNS,
  reported: [
    { what: "auto-interp score (%), Pythia-160M, mean over 12 layers, SAE → WSAE (α = 1)", value: "76.4 → 80.2", source: "paper via secondary notes (docs/method.md §1); LLM-judged (Llama-3.1-8B) — a different model and metric than ours" },
    { what: "same, layer 3", value: "77.8 → 84.6", source: "as above" },
    { what: "same, layer 8", value: "74.6 → 81.5", source: "as above" },
    { what: "α = 0.5", value: "'positive gain in most layers' (no numbers)", source: "as above" },
  ],
  validate(c) {
    validateReal(c);
    if (c.embeddings) throw new UserError("table1 reads per-layer activations: use --activations DIR (fig4, fig5 and table2 take --embeddings)");
    if (!c.alphas.length) throw new UserError("--alphas needs at least one value");
  },
  async run(c, ctx) {
    const methods = methodsTable1(c);
    // the number of layers is known only once the data is; plan with the built-in count
    const nLayers = c.activations ? 1 : c.embedder.hidden.length;
    planReal(c, ctx, ctx.seeds.length * methods.length * nLayers);
    const { data, source } = await prepareData(c, ctx, true);
    if (c.activations) ctx.plan(ctx.seeds.length * methods.length * data[0]!.layers.length, "trainings");
    const jobs: SaeJob[] = data.flatMap((s) => s.layers.flatMap((l) => methods.map((m) => ({
      artifact: "table1", seed: s.seed, layer: l.name, m, c, train: l.train, test: l.test, yTrain: s.yTrain, yTest: s.yTest, keepLatents: false,
    }))));
    const outs = await ctx.runJobs<SaeJob, SaeOut>(SAE_URL, "saeJob", jobs, (j) => `seed=${j.seed} ${j.layer} ${labelOf(j.m)}`);
    const rows: Row[] = [];
    let i = 0;
    for (const s of data)
      for (const l of s.layers) {
        rows.push(inputRow("table1", s.seed, l, s.yTrain, s.yTest));
        for (let q = 0; q < methods.length; q++) rows.push(outs[i++]!.row);
      }
    return { rows, aux: { source, notes: data.map((s) => s.note).filter(Boolean) } };
  },
  claims: (c, out) => table1Claims(c, out.rows, [...new Set(out.rows.map((r) => Number(r.seed)))]),
  summary: (c, out) => [layerTable(c, out.rows), "", realSummary(c, out, "table1")].join("\n"),
};

export function table1Claims(c: Table1Config, rows: Row[], seeds: number[]): ClaimResult[] {
  const layers = [...new Set(rows.map((r) => String(r.layer)))];
  const out: ClaimResult[] = [];
  for (const [metric, name] of [["detection", "detection score"], ["sc", "semantic consistency"]] as const)
    for (const alpha of c.alphas) {
      const label = labelOf({ method: "WSAE", proxy: "variance", alpha });
      const settings = layers.map((l) => ({ name: l, base: (r: Row) => r.layer === l && r.label === "SAE", treat: (r: Row) => r.layer === l && r.label === label }));
      const v = mostVerdict(pairRows(rows, metric, seeds, settings), seeds, layers, "%");
      out.push({
        id: `WSAE ≥ SAE in most layers — ${name}, α=${alpha}`,
        paper: `the WSAE (variance proxy, α = ${alpha}) scores higher than the SAE in most layers${alpha === 1 ? " (reported mean 76.4 → 80.2, LLM-judged)" : ""}`,
        verdict: v.verdict, evidence: v.evidence,
      });
    }
  return out;
}

/** Per layer: SAE and each WSAE, both scores, FVU, L0; then the mean over layers and the reported numbers. */
function layerTable(c: Table1Config, rows: Row[]): string {
  const methods = methodsTable1(c).map(labelOf);
  const head = ["layer", ...methods.flatMap((m) => [`${m} detection %`, `${m} sem. cons. %`]), ...methods.map((m) => `${m} FVU`), "L0 (all models)"];
  const out = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  const models = rows.filter((r) => r.method !== "reference");
  const layers = groupBy(models, ["layer"]);
  for (const g of layers) {
    const by = (m: string) => g.rows.filter((r) => r.label === m);
    out.push(`| ${g.key.layer} | ${methods.flatMap((m) => [pm(col(by(m), "detection")), pm(col(by(m), "sc"))]).join(" | ")} | ${methods.map((m) => pm(col(by(m), "fvu"))).join(" | ")} | ${pm(col(g.rows, "l0"))} |`);
  }
  const meanOf = (m: string, metric: string) => mean(layers.map((g) => mean(col(g.rows.filter((r) => r.label === m), metric))));
  out.push(`| **mean over ${layers.length} layers** | ${methods.flatMap((m) => [fmt(meanOf(m, "detection")), fmt(meanOf(m, "sc"))]).map((x) => `**${x}**`).join(" | ")} | ${methods.map((m) => fmt(meanOf(m, "fvu"))).join(" | ")} | ${fmt(mean(col(models, "l0")))} |`);
  const rep = [
    "",
    "Reported by the paper beside ours — **a different model (Pythia-160M) and metric (LLM-judged auto-interpretability)**, so only the direction compares:",
    "",
    "| | reported SAE → WSAE (α = 1) | ours: detection, SAE → WSAE (α = 1) | ours: semantic consistency, SAE → WSAE (α = 1) |",
    "|---|---|---|---|",
  ];
  const w1 = labelOf({ method: "WSAE", proxy: "variance", alpha: 1 });
  const layerName = (n: number) => layers.map((g) => String(g.key.layer)).find((l) => Number(l.replace(/\D+/g, "")) === n);
  for (const [key, [a, b]] of Object.entries(REPORTED)) {
    const ln = key === "mean" ? null : layerName(Number(key));
    const ours = (metric: string) => {
      if (!methods.includes(w1)) return "n/a (α = 1 not run)";
      if (key === "mean") return `${fmt(meanOf("SAE", metric))} → ${fmt(meanOf(w1, metric))}`;
      if (!ln) return "n/a (no such layer)";
      const at = models.filter((r) => r.layer === ln);
      return `${fmt(mean(col(at.filter((r) => r.label === "SAE"), metric)))} → ${fmt(mean(col(at.filter((r) => r.label === w1), metric)))}`;
    };
    out.push(...(rep.length ? rep.splice(0) : []));
    out.push(`| ${key === "mean" ? "mean over layers" : `layer ${key}${ln ? ` (ours: ${ln})` : ""}`} | ${a} → ${b} | ${ours("detection")} | ${ours("sc")} |`);
  }
  return out.join("\n");
}
