/**
 * The robustness map's claim logic: for one setting (a W_p generator, bias, sparsity
 * mechanism, tying and WSAE weighting), the verdict of every synthetic claim of the
 * paper, with the key number shown in the map's cell. The verdicts are fig2's, fig3's
 * and table3's own functions, called per setting through thin adapters (so a change
 * to those claims changes the map too); only "beats the all-zero predictor" is new.
 */
import { fig2 } from "./fig2.ts";
import { change, gridClaims, zeroLgt, type Fig3Config } from "./fig3.ts";
import { table3 } from "./table3.ts";
import { col, fmt, groupBy, mean } from "./stats.ts";
import { labelOf, type Method } from "./wsae-grid.ts";
import type { ClaimResult, Row, Verdict } from "./types.ts";

/** One column of the map: the base setting with one factor changed, or one context of the crossed grid. */
export type Setting = {
  id: string;
  factor: "base" | "generator" | "bias" | "sparsity" | "tying" | "weights" | "crossed";
  /** column label in the figure */
  label: string;
  /** what differs from the base, in words */
  what: string;
  c: Fig3Config;
  /** the WSAE whose claims this column judges */
  test: Method;
  /** every model trained for it (the SAE first); shared trainings are reused */
  train: Method[];
  /** the SAE (and so fig2's and the α direction's verdicts) is the base's */
  sharesBaseSae: boolean;
};

export type CellVerdict = Verdict | "n/a";
export type Cell = { claim: string; setting: string; verdict: CellVerdict; key: string; evidence: string };

/** The map's rows, in order. */
export const CLAIMS = [
  { id: "fig2", label: "fig2: count falls with S, towards 1", paper: "activated features per SAE latent fall as S grows, towards 1" },
  { id: "a", label: "fig3 (a): WSAE lowers L_GT", paper: "at low S, WSAE has lower L_GT than SAE" },
  { id: "b", label: "fig3 (b): larger gap on non-sparse dims", paper: "the WSAE advantage is larger on the non-sparse ground-truth dims" },
  { id: "c", label: "fig3 (c): comparable L_SAE", paper: "WSAE reconstructs x_p about as well as SAE" },
  { id: "d", label: "fig3 (d): higher per-dim variance", paper: "WSAE latents have higher per-dimensional variance" },
  { id: "alpha", label: "α direction: α > 0 helps", paper: "reweighting with γ_i = Var_i^α, α > 0, lowers L_GT" },
  { id: "zero", label: "a trained model beats the all-zero predictor", paper: "(implicit) trained SAEs recover features better than predicting x = 0, at low S" },
] as const;
export type ClaimId = (typeof CLAIMS)[number]["id"];

/** Rows of one setting: its trained models, and the reference rows of its W_p (shared by every bias and λ, as gridClaims reads them). */
export function rowsOf(s: Setting, rows: Row[]): Row[] {
  const c = s.c, labels = new Set(s.train.map(labelOf));
  const sameWp = (r: Row) => r.generator === c.generator && r.n === c.n && r.n_p === c.n_p;
  const out: Row[] = [];
  for (const r of rows) {
    if (!sameWp(r)) continue;
    if (r.method === "reference") out.push(r);
    else if (r.n_m === c.n_m && r.bias === c.bias[0] && r.l1 === c.l1[0] && r.tied === c.tied && r.topk === c.topk && labels.has(String(r.label))) out.push(r);
  }
  return out;
}

const lowOf = (c: Fig3Config) => c.sparsities.filter((S) => S <= c.lowS);
const at = (rows: Row[], S: number, label: string, metric: string) => mean(col(rows.filter((r) => r.S === S && r.label === label), metric));

/** Verdicts over several S combined: all equal → that verdict; any (partly) reproduced → partly; else inconclusive beats not reproduced. */
export function combine(vs: Verdict[]): Verdict {
  if (!vs.length) return "inconclusive";
  if (vs.every((v) => v === vs[0])) return vs[0]!;
  if (vs.some((v) => v === "reproduced" || v === "partly reproduced")) return "partly reproduced";
  return vs.some((v) => v === "inconclusive") ? "inconclusive" : "not reproduced";
}

/** fig2's falls-with-S verdict on this setting's SAE rows. */
function fig2Cell(s: Setting, rs: Row[]): Omit<Cell, "claim" | "setting"> {
  const sae = rs.filter((r) => r.label === "SAE");
  const c = { ...s.c, generators: [s.c.generator], bias: s.c.bias, l1: s.c.l1 };
  const claim = fig2.claims(c, { rows: sae }).find((x) => x.id.startsWith("falls-with-S"));
  const S = [...new Set(sae.map((r) => Number(r.S)))].sort((a, b) => a - b);
  const first = at(sae, S[0]!, "SAE", "avg_activated_features"), last = at(sae, S[S.length - 1]!, "SAE", "avg_activated_features");
  if (!claim) return { verdict: "inconclusive", key: "no rows", evidence: "no SAE rows" };
  return { verdict: claim.verdict, key: `${fmt(first, 2)}→${fmt(last, 2)}`, evidence: claim.evidence };
}

/** Mean over the low S of the relative change WSAE vs SAE of one metric. */
function relChange(rs: Row[], low: number[], label: string, metric: string): number {
  return mean(low.map((S) => at(rs, S, label, metric) / at(rs, S, "SAE", metric) - 1));
}

/** fig3's (a)–(d) from gridClaims, for this setting's WSAE under test. */
function fig3Cells(s: Setting, rs: Row[]): Record<"a" | "b" | "c" | "d", Omit<Cell, "claim" | "setting">> {
  const label = labelOf(s.test);
  const mine = rs.filter((r) => r.method !== "WSAE" || r.label === label);
  const claims = gridClaims(s.c, mine);
  const low = lowOf(s.c);
  const pick = (prefix: string, metric: string) => {
    const cl = claims.find((x) => x.id.startsWith(prefix));
    const rel = relChange(mine, low, label, metric);
    return cl ? { verdict: cl.verdict, key: change(rel), evidence: cl.evidence } : { verdict: "inconclusive" as Verdict, key: "n/a", evidence: "no WSAE rows" };
  };
  return { a: pick("(a)", "l_gt"), b: pick("(b)", "l_gt_nonsparse"), c: pick("(c)", "l_sae"), d: pick("(d)", "per_dim_variance") };
}

/** table3's α-direction verdict at every low S, from this setting's variance-proxy models (α = 0 is the SAE). */
function alphaCell(s: Setting, rs: Row[]): Omit<Cell, "claim" | "setting"> {
  const low = lowOf(s.c);
  const sweep: Row[] = rs.filter((r) => r.label === "SAE" || (r.method === "WSAE" && r.proxy === "variance")).map((r) => ({ ...r, alpha: r.label === "SAE" ? 0 : Number(r.alpha) }));
  const alphas = [...new Set(sweep.map((r) => Number(r.alpha)))].sort((a, b) => a - b);
  if (!alphas.some((a) => a > 0) || alphas.length < 2) return { verdict: "inconclusive", key: "no α", evidence: "no α > 0 model in this setting" };
  const c3 = { ...s.c, alphas, sweepSparsities: low, l1Sweep: [] };
  const claims = table3.claims(c3, { rows: rs, extra: { alpha_sweep: sweep } }).filter((x) => x.id.startsWith("α direction"));
  const byAlpha = alphas.map((a) => ({ a, lgt: mean(low.map((S) => mean(col(sweep.filter((r) => r.S === S && r.alpha === a), "l_gt")))) }));
  const best = byAlpha.reduce((x, y) => (y.lgt < x.lgt ? y : x));
  return { verdict: combine(claims.map((x) => x.verdict)), key: `best α=${best.a}`, evidence: claims.map((x) => `${x.id}: ${x.evidence}`).join(" | ") };
}

/**
 * New claim: at every S ≤ lowS some trained model of the setting (its SAE or WSAE)
 * has a mean L_GT below the all-zero predictor's (which scores E[x_i²] per feature).
 * Key number: the best model's L_GT over the zero predictor's, at the worst low S.
 */
export function beatsZero(rs: Row[], low: number[]): Omit<Cell, "claim" | "setting"> {
  const per = low.map((S) => {
    const z = zeroLgt(rs, S);
    const models = groupBy(rs.filter((r) => r.S === S && r.method !== "reference"), ["label"]).map((g) => ({ label: String(g.key.label), lgt: mean(col(g.rows, "l_gt")) }));
    const best = models.length ? models.reduce((x, y) => (y.lgt < x.lgt ? y : x)) : { label: "none", lgt: NaN };
    return { S, z, best, ok: best.lgt < z, ratio: best.lgt / z };
  });
  const evidence = per.map((p) => `S=${p.S}: zero predictor ${fmt(p.z)}, best ${p.best.label} ${fmt(p.best.lgt)}`).join("; ");
  if (!per.length || per.some((p) => !Number.isFinite(p.ratio))) return { verdict: "inconclusive", key: "n/a", evidence: `no zero-predictor or model rows (${evidence})` };
  const ok = per.filter((p) => p.ok).length;
  const worst = Math.max(...per.map((p) => p.ratio));
  return {
    verdict: ok === per.length ? "reproduced" : ok > 0 ? "partly reproduced" : "not reproduced",
    key: `${fmt(worst, 2)}× zero`,
    evidence: `${ok}/${per.length} low-S levels have a model below the all-zero predictor on L_GT (${evidence})`,
  };
}

/** Every claim's cell for one setting. */
export function evaluateSetting(s: Setting, rows: Row[]): Cell[] {
  const rs = rowsOf(s, rows);
  const f3 = fig3Cells(s, rs);
  const same = { verdict: "n/a" as const, key: "= base", evidence: "same SAE as the base setting (only the WSAE weights differ)" };
  const cells: Record<ClaimId, Omit<Cell, "claim" | "setting">> = {
    fig2: s.sharesBaseSae ? same : fig2Cell(s, rs),
    ...f3,
    alpha: s.sharesBaseSae ? same : alphaCell(s, rs),
    zero: beatsZero(rs.filter((r) => r.method !== "WSAE" || r.label === labelOf(s.test)), lowOf(s.c)),
  };
  return CLAIMS.map((cl) => ({ claim: cl.id, setting: s.id, ...cells[cl.id] }));
}

export function mapOf(settings: Setting[], rows: Row[]): Cell[] {
  return settings.flatMap((s) => evaluateSetting(s, rows));
}

/**
 * Per claim, the settings where it holds, partly holds, fails or cannot be decided: the artifact's claim rows.
 * A crossed grid has hundreds of contexts: past `listed` names a list shows its first ones and the count.
 */
export function aggregate(settings: Setting[], cells: Cell[], listed = Infinity): ClaimResult[] {
  const names = new Map(settings.map((s) => [s.id, s.label]));
  return CLAIMS.map((cl) => {
    const mine = cells.filter((c) => c.claim === cl.id && c.verdict !== "n/a");
    const where = (v: Verdict) => mine.filter((c) => c.verdict === v).map((c) => `${names.get(c.setting)!} (${c.key})`);
    const yes = where("reproduced"), part = where("partly reproduced"), no = where("not reproduced"), inc = where("inconclusive");
    const verdict: Verdict = !mine.length ? "inconclusive" : yes.length === mine.length ? "reproduced" : yes.length || part.length ? "partly reproduced" : inc.length ? "inconclusive" : "not reproduced";
    const some = (xs: string[]) => (xs.length > listed ? `${xs.slice(0, listed).join(", ")}, … (${xs.length - listed} more)` : xs.join(", "));
    const list = (what: string, xs: string[]) => (xs.length ? [`${what} in ${xs.length}/${mine.length}: ${some(xs)}`] : []);
    return {
      id: cl.label, paper: cl.paper, verdict,
      evidence: [...list("holds", yes), ...list("partly", part), ...list("fails", no), ...list("inconclusive", inc)].join("; "),
    };
  });
}
