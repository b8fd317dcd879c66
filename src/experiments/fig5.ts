/**
 * Figure 5: (a) semantic consistency vs α (semantic proxy; α = 0 is the plain SAE, negative α
 * up-weights the *less* consistent dims), (b) the proxies semantic, variance, uniform and a
 * shuffled control at one α, (c) reconstruction error (FVU) vs α.
 */
import { col, fmt, groupBy, mean, pm } from "./stats.ts";
import { modestVerdict, pairRows, pairedVerdict } from "./real-claims.ts";
import { VISION_PRESETS, parseAlphasReal, realSummary, scClaim } from "./fig4.ts";
import {
  EMBEDDINGS_OPTION, REAL_COLUMNS, REAL_OPTIONS, REAL_PROXIES, labelOf, runEmbeddingSaes, validateReal,
  type Method, type RealConfig, type RealProxy,
} from "./real.ts";
import { parseNum } from "./synthetic.ts";
import { UserError } from "../util/errors.ts";
import type { Artifact, ClaimResult, Row } from "./types.ts";

export type Fig5Config = RealConfig & { alphas: number[]; proxyAlpha: number; proxies: RealProxy[]; fvuTolerance: number };

function parseRealProxies(raw: string): RealProxy[] {
  const out = raw.split(",").map((s) => s.trim()).filter(Boolean);
  for (const p of out) if (!(REAL_PROXIES as string[]).includes(p)) throw new UserError(`--proxy must be a list of ${REAL_PROXIES.join(", ")} (got '${p}')`);
  if (!out.length) throw new UserError("--proxy needs at least one proxy");
  return [...new Set(out)] as RealProxy[];
}

const SAE: Method = { method: "SAE", proxy: "uniform", alpha: 0 };

/** The plain SAE once, the α sweep of the semantic proxy, the other proxies at proxyAlpha. */
export function methodsFig5(c: Fig5Config): Method[] {
  const out: Method[] = [SAE];
  const has = (m: Method) => out.some((o) => labelOf(o) === labelOf(m));
  for (const alpha of c.alphas) if (alpha !== 0) out.push({ method: "WSAE", proxy: "semantic", alpha });
  for (const proxy of c.proxies) {
    const m: Method = { method: "WSAE", proxy, alpha: c.proxyAlpha };
    if (proxy !== "uniform" && !has(m)) out.push(m);
  }
  return out;
}

export const fig5: Artifact<Fig5Config> = {
  id: "fig5",
  title: "Figure 5: semantic consistency and reconstruction vs α, and by weight proxy",
  paper: "Reweighting helps semantic consistency over a range of α (a) and with different proxies (b), while the reconstruction error grows only modestly with α (c).",
  implemented: true,
  presets: {
    quick: { ...VISION_PRESETS.quick, alphas: [-1, 0, 1], proxyAlpha: 1, proxies: ["semantic", "variance", "uniform", "shuffled"], fvuTolerance: 0.1 },
    full: { ...VISION_PRESETS.full, alphas: [-1, -0.5, 0, 0.5, 1, 2], proxyAlpha: 1, proxies: ["semantic", "variance", "uniform", "shuffled"], fvuTolerance: 0.1 },
  },
  options: [
    EMBEDDINGS_OPTION, ...REAL_OPTIONS,
    { flags: "--alphas <list>", key: "alphas", description: "α sweep of the semantic proxy (include 0 = SAE; negative allowed: --alphas=-1,0,1)", parse: parseAlphasReal },
    { flags: "--proxy <list>", key: "proxies", description: `proxies compared in (b): ${REAL_PROXIES.join(", ")}`, parse: parseRealProxies },
    { flags: "--proxy-alpha <x>", key: "proxyAlpha", description: "α of the proxies in (b)", parse: parseNum("--proxy-alpha", (v) => Math.abs(v) <= 10, "in [-10, 10]") },
    { flags: "--fvu-tolerance <x>", key: "fvuTolerance", description: "(c) 'modest' = FVU at most this much higher, relative, than the SAE's", parse: parseNum("--fvu-tolerance", (v) => v >= 0 && v <= 10, "in [0, 10]") },
  ],
  examples: ["wsae fig5 --quick", "wsae fig5 --alphas=-2,-1,0,1,2 --proxy semantic,shuffled", "wsae fig5 --embeddings feats.npy --labels labels.npy"],
  columns: REAL_COLUMNS,
  reported: [
    { what: "robustness to α and proxy", value: "'relatively robust' to α; α ∈ {0.5, 1} reported; no numbers for this figure known", source: "paper p. 6 and reviews via secondary notes (docs/method.md §1)" },
  ],
  validate(c) {
    validateReal(c);
    if (!c.alphas.includes(0)) throw new UserError("--alphas must include 0 (the plain SAE every α is compared with)");
  },
  async run(c, ctx) {
    const { rows, aux } = await runEmbeddingSaes("fig5", c, ctx, methodsFig5(c), false);
    return { rows, aux };
  },
  claims: (c, out) => fig5Claims(c, out.rows, [...new Set(out.rows.map((r) => Number(r.seed)))]),
  summary: (c, out) => [alphaTable(out.rows), "", realSummary(c, out, "fig5")].join("\n"),
  plot: (c, out) => fig5Plot(c, out.rows),
};

const isSae = (r: Row) => r.label === "SAE";
const semAt = (a: number) => (r: Row) => r.label === labelOf({ method: "WSAE", proxy: "semantic", alpha: a });

export function fig5Claims(c: Fig5Config, rows: Row[], seeds: number[]): ClaimResult[] {
  const out: ClaimResult[] = [];
  const pos = c.alphas.filter((a) => a > 0);
  if (pos.length) {
    const s = pos.map((a) => ({ name: `α=${a}`, base: isSae, treat: semAt(a) }));
    const v = pairedVerdict(pairRows(rows, "sc", seeds, s), seeds, s.map((x) => x.name), "%");
    out.push({ id: "(a) WSAE ≥ SAE over a range of α > 0", paper: "reweighting (semantic proxy) raises semantic consistency over a range of α", verdict: v.verdict, evidence: v.evidence });
    out.push({ ...scClaim(rows, seeds, s, true, ""), id: "(a) … above shuffled-label chance" });
  }
  const proxies = c.proxies.filter((p) => p === "semantic" || p === "variance");
  if (proxies.length) {
    const s = proxies.map((p) => ({ name: p, base: isSae, treat: (r: Row) => r.label === labelOf({ method: "WSAE", proxy: p, alpha: c.proxyAlpha }) }));
    const v = pairedVerdict(pairRows(rows, "sc", seeds, s), seeds, s.map((x) => x.name), "%");
    out.push({ id: `(b) WSAE ≥ SAE with each proxy (α=${c.proxyAlpha})`, paper: "reweighting helps with different proxies (semantic consistency, per-dim variance)", verdict: v.verdict, evidence: v.evidence });
  }
  if (c.proxies.includes("semantic") && c.proxies.includes("shuffled")) {
    const s = [{ name: `α=${c.proxyAlpha}`, base: (r: Row) => r.label === labelOf({ method: "WSAE", proxy: "shuffled", alpha: c.proxyAlpha }), treat: (r: Row) => r.label === labelOf({ method: "WSAE", proxy: "semantic", alpha: c.proxyAlpha }) }];
    const v = pairedVerdict(pairRows(rows, "sc", seeds, s), seeds, s.map((x) => x.name), "%");
    out.push({ id: "(b) control: semantic > shuffled weights", paper: "(our control) the proxy's information, not mere reweighting, moves the score: shuffled → semantic", verdict: v.verdict, evidence: v.evidence });
  }
  const cost = [0.5, 1].filter((a) => c.alphas.includes(a));
  if (cost.length) {
    const s = cost.map((a) => ({ name: `α=${a}`, base: isSae, treat: semAt(a) }));
    const v = modestVerdict(pairRows(rows, "fvu", seeds, s), seeds, s.map((x) => x.name), c.fvuTolerance);
    out.push({ id: "(c) modest reconstruction cost", paper: "the WSAE's reconstruction error (FVU) stays close to the SAE's", verdict: v.verdict, evidence: `FVU, SAE → WSAE: ${v.evidence}` });
  }
  return out;
}

function alphaTable(rows: Row[]): string {
  const out = ["| proxy | α | semantic consistency % | FVU | L0 | dead latents |", "|---|---|---|---|---|---|"];
  for (const g of groupBy(rows.filter((r) => r.method !== "reference"), ["proxy", "alpha"]))
    out.push(`| ${g.key.proxy} | ${g.key.alpha} | ${pm(col(g.rows, "sc"))} | ${pm(col(g.rows, "fvu"))} | ${pm(col(g.rows, "l0"))} | ${pm(col(g.rows, "dead_latents"))} |`);
  return out.join("\n");
}

export function fig5Plot(c: Fig5Config, rows: Row[]): object {
  const models = rows.filter((r) => r.method !== "reference");
  const sweep = models.filter((r) => r.method === "SAE" || r.proxy === "semantic").map((r) => ({ alpha: Number(r.alpha), sc: Number(r.sc), fvu: Number(r.fvu), shuffled: Number(r.sc_shuffled_labels) }));
  const maj = mean(col(models, "sc_chance_majority"));
  const ref = [{ what: `chance: majority label (${fmt(maj)}%)`, y: maj }];
  const ax = { field: "alpha", type: "quantitative", title: "α (γ_i = s_i^α; 0 = SAE)" };
  const ruleLayer = { data: { values: ref }, mark: { type: "rule", strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative" }, color: { field: "what", type: "nominal", title: "chance", scale: { range: ["#888"] }, legend: { orient: "bottom", direction: "vertical", labelLimit: 300 } } } };
  const a = {
    title: ["(a) semantic consistency vs α (semantic proxy)", "dashed: the same codes with shuffled labels (chance)"], width: 260, height: 230,
    layer: [
      { data: { values: sweep }, mark: { type: "line", point: true, strokeDash: [5, 3], color: "#999" }, encoding: { x: ax, y: { field: "shuffled", aggregate: "mean", type: "quantitative", title: "semantic consistency (%)" } } },
      { data: { values: sweep }, mark: { type: "line", point: true }, encoding: { x: ax, y: { field: "sc", aggregate: "mean", type: "quantitative", title: "semantic consistency (%)", scale: { domain: [0, 100] } } } },
      { data: { values: sweep }, mark: { type: "errorbar", extent: "stdev", ticks: true }, encoding: { x: ax, y: { field: "sc", type: "quantitative", title: "semantic consistency (%)" } } },
      ruleLayer,
    ],
  };
  const order = ["uniform", "semantic", "variance", "shuffled"];
  const prox = models.filter((r) => r.method === "SAE" || Number(r.alpha) === c.proxyAlpha)
    .filter((r) => r.method === "SAE" || r.proxy !== "uniform").map((r) => ({ proxy: r.method === "SAE" ? "uniform" : String(r.proxy), sc: Number(r.sc) }));
  const px = { field: "proxy", type: "nominal", sort: order, title: `proxy (α = ${c.proxyAlpha}; uniform = SAE)`, axis: { labelAngle: 0 } };
  const b = {
    title: "(b) by weight proxy", width: 220, height: 230,
    layer: [
      { data: { values: prox }, mark: { type: "bar", opacity: 0.8 }, encoding: { x: px, y: { field: "sc", aggregate: "mean", type: "quantitative", title: "semantic consistency (%)", scale: { domain: [0, 100] } }, color: { field: "proxy", type: "nominal", sort: order, legend: null, scale: { scheme: "tableau10" } } } },
      { data: { values: prox }, mark: { type: "errorbar", extent: "stdev", ticks: true }, encoding: { x: px, y: { field: "sc", type: "quantitative", title: "semantic consistency (%)" } } },
    ],
  };
  const cc = {
    title: "(c) reconstruction error vs α", width: 260, height: 230,
    layer: [
      { data: { values: sweep }, mark: { type: "line", point: true, color: "#e15759" }, encoding: { x: ax, y: { field: "fvu", aggregate: "mean", type: "quantitative", title: "FVU on held-out samples", scale: { zero: true } } } },
      { data: { values: sweep }, mark: { type: "errorbar", extent: "stdev", ticks: true, color: "#e15759" }, encoding: { x: ax, y: { field: "fvu", type: "quantitative", title: "FVU on held-out samples" } } },
    ],
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Fig. 5: WSAE vs α and by proxy", subtitle: `Top-k k=${c.k}, ${c.expansion}× latents; mean ± sd over seeds; held-out samples` },
    hconcat: [a, b, cc],
    resolve: { scale: { color: "independent" } },
  };
}
