/**
 * fig3's companion run in the setting closest to the paper's text: the paper says its
 * synthetic data follow Elhage et al.'s toy model, so fig3's base is run again with the
 * `tms` W_p (a toy model trained at each S and seed) and judged by fig3's own claims
 * (gridClaims) on those rows alone. Its rows sit in fig3's data.csv with generator = tms;
 * fig3's figure and table3 show the base generator only.
 */
import { VERDICT_MARK } from "../report/summary.ts";
import { UserError } from "../util/errors.ts";
import type { ClaimResult, Row } from "./types.ts";
import type { GridConfig } from "./wsae-grid.ts";

export const CLOSEST_GENERATOR = "tms" as const;
const TAG = ", in the tms setting (closest to the paper)";

/** `closest`: whether the companion runs; absent in trees written before it existed, which had none. */
export type ClosestFlag = { closest?: boolean };

export function parseClosest(raw: string): boolean {
  if (raw === "on" || raw === "true") return true;
  if (raw === "off" || raw === "false") return false;
  throw new UserError(`--closest takes on or off (got '${raw}')`);
}

export function validateClosest(c: ClosestFlag): void {
  if (c.closest !== undefined && typeof c.closest !== "boolean") throw new UserError(`closest must be true or false (got ${JSON.stringify(c.closest)})`);
}

/**
 * The companion's grid: the base with the tms W_p, the SAE and the base's score-based WSAE
 * (the variance proxy the claims judge); the oracle Γ, our reference, is left out to keep
 * the extra trainings to two per (S, seed). Null when off, or when the base already is tms.
 */
export function closestOf<C extends GridConfig & ClosestFlag>(c: C): C | null {
  if (!c.closest || c.generator === CLOSEST_GENERATOR) return null;
  return { ...c, generator: CLOSEST_GENERATOR, proxies: c.proxies.filter((p) => p !== "oracle") };
}

/** The base generator's rows, and the companion's. */
export const baseRows = (c: GridConfig, rows: Row[]) => rows.filter((r) => r.generator === c.generator);
export const closestRows = (c: GridConfig, rows: Row[]) => (closestOf(c) ? rows.filter((r) => r.generator === CLOSEST_GENERATOR) : []);

/** The companion's claims: the verdict function's own, on the tms rows only, named apart from the base's. */
export function closestClaims(c: GridConfig & ClosestFlag & { lowS: number }, rows: Row[], judge: (c: GridConfig & { lowS: number }, rows: Row[]) => ClaimResult[]): ClaimResult[] {
  const cc = closestOf(c);
  if (!cc) return [];
  return judge(cc, closestRows(c, rows)).map((x) => ({ ...x, id: `${x.id}${TAG}` }));
}

/** The summary's section: each claim's verdict in the tms setting beside the base's, then the tms numbers. */
export function closestSection(c: GridConfig & ClosestFlag, claims: ClaimResult[], table: (rows: Row[]) => string, rows: Row[]): string {
  const L = ["### In the setting closest to the paper", ""];
  const why = "The paper says its synthetic data follow Elhage et al.'s toy model, so the `tms` W_p (the W of such a model trained at each S and seed) " +
    "with the tied, bias-free ReLU SAE its theory analyses and the variance proxy at α = 1 is the setting closest to its text (the L1 penalty is ours, docs/method.md §3).";
  if (c.generator === CLOSEST_GENERATOR) return [...L, `${why} This run's W_p is tms: the claims above are that setting's.`].join("\n");
  const cc = closestOf(c);
  if (!cc) return [...L, `${why} This run has no companion run on it (\`--closest off\`, or a tree written before fig3 had one); \`wsae fig3\` runs it by default.`].join("\n");
  const pairs = claims.filter((x) => x.id.endsWith(TAG)).map((x) => ({ tms: x, base: claims.find((b) => b.id === x.id.slice(0, -TAG.length)) }));
  const cell = (x: ClaimResult | undefined) => (!x ? "—" : x.verdict === "note" ? x.evidence.split(" (")[0]! : VERDICT_MARK[x.verdict]);
  L.push(
    `${why} fig3 runs its base there too (\`--closest on\`, the default): the same SAE (bias ${c.bias.map((b) => (b ? "on" : "off")).join("/")}, λ = ${c.l1.join(", ")}) ` +
    `and ${cc.proxies.length ? "WSAE (variance proxy, α = " + c.alpha + ")" : "no WSAE (no score-based proxy given)"} at the same S, judged by the same claims on those rows alone (their evidence is in the claims table):`,
    "",
    `| claim | **tms W_p (closest to the paper)** | ${c.generator} W_p (our default) |`,
    "|---|---|---|",
    ...pairs.map((p) => `| ${p.base?.id ?? p.tms.id.slice(0, -TAG.length)} | ${cell(p.tms)} | ${cell(p.base)} |`),
    "",
    "Numbers in the tms setting (mean ± sd over seeds):",
    "",
    table(closestRows(c, rows)),
  );
  return L.join("\n");
}
