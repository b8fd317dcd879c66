/**
 * The crossed robustness map (`wsae robustness --grid full`, docs/method.md §3): every
 * context of the crossed factors judged by the one-factor map's own claim functions
 * (robustness-map.ts), then read per factor level — a 96-column map is unreadable, so
 * the figure and summary show, for each claim and each level of each crossed factor, the
 * share of the contexts with that level in which the claim is reproduced. cells.csv keeps
 * every context × claim verdict, key number and evidence.
 */
import { VERDICT_MARK } from "../report/summary.ts";
import { fromCsv, toCsv } from "../report/csv.ts";
import { aggregate, CLAIMS, mapOf, type Cell } from "./robustness-map.ts";
import { closestId, contextsOf, FACTORS, weightLabel, type Context, type Factor, type RobustnessConfig } from "./robustness-settings.ts";
import type { ClaimResult, Column, Output, Row } from "./types.ts";

const memo = new WeakMap<Row[], Map<string, Cell[]>>();

/** Every judged context × claim. Memoised per rows array: claims, summary, figure and cells.csv read one map. */
export function crossedCells(rc: RobustnessConfig, rows: Row[]): Cell[] {
  const byRc = memo.get(rows) ?? new Map<string, Cell[]>();
  memo.set(rows, byRc);
  const k = JSON.stringify(rc);
  const hit = byRc.get(k);
  if (hit) return hit;
  const cells = mapOf(contextsOf(rc), rows).map((c) =>
    c.verdict === "n/a" ? { ...c, key: "= α=1", evidence: "same SAE as this context with the α = 1 WSAE (only the tested WSAE differs)" } : c);
  byRc.set(k, cells);
  return cells;
}

/** The claim rows of the crossed map: ofat's aggregate over every judged context, lists cut to a few names. */
export const crossedClaims = (rc: RobustnessConfig, out: Output): ClaimResult[] => aggregate(contextsOf(rc), crossedCells(rc, out.rows), 6);

// ---- cells.csv -------------------------------------------------------------------

export const CELL_COLUMNS: Column[] = [
  { name: "context", kind: "str", description: "the training context (data.csv's setting): generator, bias, mechanism, tying" },
  { name: "weights", kind: "str", description: "the WSAE whose claims this row judges: α=1, another α or oracle Γ (those share the α=1 context's SAE)" },
  { name: "generator", kind: "str", description: "W_p generator" },
  { name: "bias", kind: "bool", description: "encoder bias on" },
  { name: "mechanism", kind: "str", description: "sparsity mechanism: λ=… (L1, ReLU) or Top-k … (λ = 0)" },
  { name: "tied", kind: "bool", description: "tied decoder" },
  { name: "claim", kind: "str", description: "claim id: fig2, a, b, c, d (fig3), alpha (α direction), zero (beats the all-zero predictor)" },
  { name: "verdict", kind: "str", description: "reproduced | partly reproduced | not reproduced | inconclusive | n/a (fig2 and α direction do not depend on the tested WSAE)" },
  { name: "key", kind: "str", optional: true, description: "the key number of the cell (as in the one-factor map)" },
  { name: "evidence", kind: "str", optional: true, description: "the verdict function's own words" },
];

const levelOf = (x: Context, f: Factor) => x.levels.find((l) => l.factor === f)!.label;

export function cellRows(rc: RobustnessConfig, cells: Cell[]): Row[] {
  const byId = new Map(contextsOf(rc).map((x) => [x.id, x]));
  return cells.map((c) => {
    const x = byId.get(c.setting)!;
    return {
      context: x.training, weights: weightLabel(x.test), generator: x.c.generator, bias: x.c.bias[0]!, mechanism: levelOf(x, "sparsity"), tied: x.c.tied,
      claim: c.claim, verdict: c.verdict, key: c.key, evidence: c.evidence.replace(/\n/g, " "),
    };
  });
}

/** A tree read back: cells.csv must be the map its data.csv implies (a verdict edited by hand is refused). */
export function checkCells(rc: RobustnessConfig, out: Output): { file: string; problem: string } | null {
  const problem = cellsProblem(rc, out);
  return problem ? { file: "cells.csv", problem } : null;
}

function cellsProblem(rc: RobustnessConfig, out: Output): string | null {
  const want = fromCsv(toCsv(cellRows(rc, crossedCells(rc, out.rows))));
  const got = new Map((out.extra?.cells ?? []).map((r) => [`${r.context}|${r.weights}|${r.claim}`, r]));
  for (const w of want) {
    const g = got.get(`${w.context}|${w.weights}|${w.claim}`);
    const where = `context ${w.context}, weights ${w.weights}, claim ${w.claim}`;
    if (!g) return `no row for ${where}`;
    for (const c of CELL_COLUMNS)
      if (String(g[c.name] ?? "") !== String(w[c.name] ?? "")) return `${where}: ${c.name} '${String(g[c.name] ?? "")}' is not what data.csv gives ('${String(w[c.name] ?? "")}')`;
  }
  return null;
}

// ---- shares per factor level ----------------------------------------------------------

export type Share = { claim: string; factor: Factor | "all"; level: string; n: number; yes: number; part: number; no: number; undecided: number };

export const FACTOR_TITLE: Record<Factor | "all", string> = {
  all: "all", generator: "W_p generator", bias: "encoder bias", sparsity: "sparsity mechanism", tying: "decoder", weights: "tested WSAE",
};

/**
 * Per claim and per level of each crossed factor (and over all contexts): among the judged
 * contexts with that level where the claim applies (not n/a), how many reproduce it, partly,
 * fail, or cannot decide (inconclusive: a missing seed, a NaN).
 */
export function levelShares(contexts: Context[], cells: Cell[], factors: readonly Factor[]): Share[] {
  const byId = new Map(contexts.map((x) => [x.id, x]));
  const columns: { factor: Factor | "all"; level: string }[] = [{ factor: "all", level: "all contexts" }];
  for (const f of FACTORS.filter((f) => factors.includes(f)))
    for (const level of new Set(contexts.map((x) => levelOf(x, f)))) columns.push({ factor: f, level });
  const out: Share[] = [];
  for (const cl of CLAIMS)
    for (const col of columns) {
      const mine = cells.filter((c) => c.claim === cl.id && c.verdict !== "n/a" && (col.factor === "all" || levelOf(byId.get(c.setting)!, col.factor) === col.level));
      const count = (v: Cell["verdict"]) => mine.filter((c) => c.verdict === v).length;
      out.push({
        claim: cl.id, ...col, n: mine.length, yes: count("reproduced"), part: count("partly reproduced"), no: count("not reproduced"), undecided: count("inconclusive"),
      });
    }
  return out;
}

const shareText = (s: Share) => (s.n ? `${s.yes}/${s.n} ✅${s.part ? ` +${s.part} 🟡` : ""}` : "·");
/** The figure's font (DejaVu Sans) has no emoji: ✓ and ◐ stand for ✅ and 🟡 there. */
const figureText = (s: Share) => (s.n ? `${s.yes}/${s.n} ✓${s.part ? ` +${s.part} ◐` : ""}` : "·");

// ---- summary ---------------------------------------------------------------------------

const mark = (v: Cell["verdict"]): string => (v === "n/a" ? "·" : VERDICT_MARK[v].split(" ")[0]!);
const crossed = (rc: RobustnessConfig) => FACTORS.filter((f) => rc.factors.includes(f));

/** What the grid crosses, in words: "4 generators × 2 bias × 6 mechanisms × 2 tyings = 96 training contexts". */
function shapeOf(rc: RobustnessConfig, contexts: Context[]): string {
  const main = contexts.filter((x) => !x.sharesBaseSae);
  const n = (f: Factor) => new Set(main.map((x) => levelOf(x, f))).size;
  const parts = (["generator", "bias", "sparsity", "tying"] as const).map((f) => `${n(f)} ${FACTOR_TITLE[f]}${n(f) === 1 ? " (base only)" : ""}`);
  const tests = new Set(contexts.map((x) => levelOf(x, "weights")));
  return `${parts.join(" × ")} = ${main.length} training context${main.length === 1 ? "" : "s"}` +
    (tests.size > 1 ? `, each judged with ${tests.size} tested WSAEs (${[...tests].join(", ")}): ${contexts.length} judged contexts` : "");
}

export function crossedSummary(rc: RobustnessConfig, rows: Row[]): string {
  const contexts = contextsOf(rc);
  const cells = crossedCells(rc, rows);
  const byId = new Map(contexts.map((x) => [x.id, x]));
  const cell = (claim: string, id: string) => cells.find((c) => c.claim === claim && c.setting === id)!;
  const L: string[] = [];
  const trainings = rows.filter((r) => r.method !== "reference").length;
  L.push("### The crossed map", "",
    `Crossed factors: ${crossed(rc).map((f) => FACTOR_TITLE[f]).join(", ")}; ${shapeOf(rc, contexts)}. Factors not crossed stay at fig3's base ` +
    `(polygon W_p, bias off, L1 λ = ${rc.l1}, tied, variance α = 1). Each context is judged by the one-factor map's claim functions ` +
    `(fig2's count, fig3 (a)–(d) of the tested WSAE, the α direction over every variance-proxy model of the context, beats the all-zero predictor); ` +
    "cells.csv lists every context × claim with its verdict, key number and evidence. Models per context and the weights rule: docs/method.md §3.", "");
  L.push("### Per claim", "", "| claim | judged in | ✅ holds | 🟡 partly | ❌ fails | ⚪ undecided | where it holds |", "|---|---|---|---|---|---|---|");
  const all = levelShares(contexts, cells, []).filter((s) => s.factor === "all");
  for (const cl of CLAIMS) {
    const s = all.find((x) => x.claim === cl.id)!;
    const yes = cells.filter((c) => c.claim === cl.id && c.verdict === "reproduced").map((c) => `${byId.get(c.setting)!.label} (${c.key})`);
    const where = !yes.length ? "nowhere" : yes.length <= 8 ? yes.join("; ") : `${yes.slice(0, 8).join("; ")}; … ${yes.length - 8} more in cells.csv`;
    L.push(`| ${cl.label} | ${s.n} | ${s.yes} | ${s.part} | ${s.no} | ${s.undecided} | ${where} |`);
  }
  const shares = levelShares(contexts, cells, rc.factors);
  L.push("", "### Per factor level", "", "Each cell: among the judged contexts with that level where the claim applies, how many reproduce it (✅) and, after +, " +
    "how many partly (🟡); the rest fail or are undecided. `·`: the claim does not depend on the tested WSAE (fig2, α direction). Claim ids below.", "");
  L.push(`| factor | level | ${CLAIMS.map((c) => c.id).join(" | ")} |`, `|---|---|${CLAIMS.map(() => "---").join("|")}|`);
  for (const col of shares.filter((s) => s.claim === CLAIMS[0].id)) {
    const row = CLAIMS.map((cl) => shareText(shares.find((s) => s.claim === cl.id && s.factor === col.factor && s.level === col.level)!));
    L.push(`| ${FACTOR_TITLE[col.factor]} | ${col.level} | ${row.join(" | ")} |`);
  }
  L.push("", "### The context closest to the paper's text", "");
  const closest = byId.get(closestId(rc));
  if (closest) {
    L.push(`**${closest.label}**, variance α = 1 (a trained Elhage toy model as W_p, the tied bias-free ReLU SAE the theory analyses, our L1 λ; docs/method.md §3):`, "",
      "| claim | verdict | key number |", "|---|---|---|");
    for (const cl of CLAIMS) L.push(`| ${cl.label} | ${VERDICT_MARK[cell(cl.id, closest.id).verdict as keyof typeof VERDICT_MARK] ?? "·"} | ${cell(cl.id, closest.id).key} |`);
  } else L.push("The generator factor is not crossed, so the tms context (closest to the paper's text) is not in this grid.");
  L.push("", "### Every training context (tested WSAE α = 1)", "", `| context | ${CLAIMS.map((c) => c.id).join(" | ")} |`, `|---|${CLAIMS.map(() => "---").join("|")}|`);
  for (const x of contexts.filter((x) => !x.sharesBaseSae)) L.push(`| ${x.label} | ${CLAIMS.map((cl) => `${mark(cell(cl.id, x.id).verdict)} ${cell(cl.id, x.id).key}`).join(" | ")} |`);
  L.push("", `Claim ids: ${CLAIMS.map((c) => `${c.id} = ${c.label}`).join("; ")}.`);
  if (rc.factors.includes("generator"))
    L.push("", `npi contexts run at n = ${rc.npiN}, n_p = ${rc.npiNp}, n_m = ${rc.npiN} (non-positive interference needs n ≤ 2·n_p; docs/method.md §3).`);
  L.push("", `${trainings} trainings in data.csv (each once; a training shared by several contexts is listed under the first) and ` +
    `${rows.length - trainings} reference rows.`);
  return L.join("\n");
}

// ---- figure ----------------------------------------------------------------------------

/**
 * Claims × factor levels, one block per crossed factor. Blocks are concatenated views, not a
 * facet: a faceted layer with independent x scales makes vega-lite warn on every render.
 */
export function crossedPlot(rc: RobustnessConfig, rows: Row[]): object {
  const contexts = contextsOf(rc);
  const shares = levelShares(contexts, crossedCells(rc, rows), rc.factors);
  const label = (id: string) => CLAIMS.find((c) => c.id === id)!.label;
  const main = contexts.filter((x) => !x.sharesBaseSae).length;
  const block = (f: Factor | "all", first: boolean) => {
    const mine = shares.filter((s) => s.factor === f);
    const levels = [...new Set(mine.map((s) => s.level))];
    return {
      title: { text: f === "all" ? "all contexts" : FACTOR_TITLE[f], fontSize: 12, anchor: "middle" },
      data: { values: mine.map((s) => ({ claim: label(s.claim), level: s.level, share: s.n ? s.yes / s.n : -1, text: figureText(s) })) },
      width: { step: f === "all" ? 124 : 96 }, height: { step: 40 },
      encoding: {
        x: { field: "level", type: "nominal", sort: levels, title: null, axis: { labelAngle: levels.length > 1 ? -25 : 0, labelLimit: 140, labelFontSize: 11 } },
        y: { field: "claim", type: "nominal", sort: CLAIMS.map((c) => c.label), title: null, axis: first ? { labelLimit: 400, labelFontSize: 11 } : null },
      },
      layer: [
        // a cell where the claim is not judged (share −1) is grey, not "0%"
        { mark: { type: "rect", stroke: "white", strokeWidth: 2 }, encoding: { color: { condition: { test: "datum.share < 0", value: "#eeeeee" }, field: "share", type: "quantitative", title: ["share of contexts", "reproducing it"], scale: { domain: [0, 1], scheme: "greens" }, legend: { format: ".0%" } } } },
        { mark: { type: "text", fontSize: 10.5 }, encoding: { text: { field: "text", type: "nominal" }, color: { condition: { test: "datum.share > 0.6", value: "white" }, value: "black" } } },
      ],
    };
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Crossed robustness map: where each synthetic claim is reproduced, per factor level",
      subtitle: [
        `${shapeOf(rc, contexts)}`,
        `n=${rc.n}, n_p=${rc.n_p}, n_m=${rc.n_m}; S ∈ {${rc.sparsities.join(", ")}}, low S ≤ ${rc.lowS}; ${main} training contexts, base level of each factor first`,
        "cell: contexts with that level that reproduce the claim (✓) / contexts with that level where it is judged, + partly (◐); colour: the reproduced share; · not judged",
      ],
      anchor: "start",
    },
    hconcat: [block("all", true), ...crossed(rc).map((f) => block(f, false))],
    // about one PNG pixel per view pixel (the default 1200 would shrink 19 columns of text to 6 px)
    usermeta: { pngWidth: Math.max(1200, 96 * (shares.length / CLAIMS.length) + 660) },
    spacing: 14,
    resolve: { scale: { color: "shared" } },
  };
}
