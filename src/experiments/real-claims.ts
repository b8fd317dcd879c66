/**
 * Verdicts of the real-data claims, computed from rows paired by seed (same split, embedder,
 * init and batches on both sides). Pure functions on small arrays, tested table by table.
 *   pairedVerdict  "B ≥ A" at each setting: holds where every paired difference is ≥ 0 and
 *                  their mean > 0; reproduced = holds at every setting; partly = holds at some,
 *                  or the mean difference is > 0 everywhere but not every seed agrees; else not
 *                  reproduced. A missing seed, a NaN or fewer than two seeds: inconclusive.
 *   mostVerdict    table1's "in most layers": reproduced = holds in more than half the layers
 *                  and the mean over layers is > 0; partly = holds in at least a third of the
 *                  layers, or in some layer with the mean over layers > 0; else not reproduced.
 *   modestVerdict  "the cost stays modest": the mean relative increase of a cost (FVU) is ≤ tol.
 */
import type { Verdict } from "./types.ts";
import { fmt, mean, std } from "./stats.ts";
import type { Row } from "./types.ts";

export type Pair = { setting: string; seed: number; base: number; treat: number };
export type SettingResult = { setting: string; n: number; diffs: number[]; meanDiff: number; sdDiff: number; holds: boolean; base: number; treat: number };
export type PairedResult = { verdict: Verdict; settings: SettingResult[]; problem: string | null; evidence: string };

/** Pairs of one metric between two models, per setting and seed; a missing side gives NaN. */
export function pairRows(
  rows: Row[], metric: string, seeds: number[], settings: { name: string; base: (r: Row) => boolean; treat: (r: Row) => boolean }[],
): Pair[] {
  const out: Pair[] = [];
  for (const s of settings)
    for (const seed of seeds) {
      const b = rows.find((r) => r.seed === seed && s.base(r)), t = rows.find((r) => r.seed === seed && s.treat(r));
      out.push({ setting: s.name, seed, base: b ? Number(b[metric]) : NaN, treat: t ? Number(t[metric]) : NaN });
    }
  return out;
}

function problems(pairs: Pair[], seeds: number[], settings: string[]): string | null {
  if (seeds.length < 2) return `${seeds.length} seed(s): a paired comparison needs at least two to say whether seeds agree`;
  for (const s of settings)
    for (const seed of seeds) {
      const p = pairs.find((q) => q.setting === s && q.seed === seed);
      if (!p) return `seed ${seed} is missing at ${s}`;
      if (!Number.isFinite(p.base) || !Number.isFinite(p.treat)) return `seed ${seed} at ${s} has no number (${p.base} vs ${p.treat})`;
    }
  return null;
}

export function settingResults(pairs: Pair[], settings: string[]): SettingResult[] {
  return settings.map((s) => {
    const ps = pairs.filter((p) => p.setting === s && Number.isFinite(p.base) && Number.isFinite(p.treat));
    const diffs = ps.map((p) => p.treat - p.base);
    const meanDiff = mean(diffs);
    return {
      setting: s, n: diffs.length, diffs, meanDiff, sdDiff: std(diffs), holds: diffs.length > 0 && meanDiff > 0 && diffs.every((d) => d >= 0),
      base: mean(ps.map((p) => p.base)), treat: mean(ps.map((p) => p.treat)),
    };
  });
}

const showSetting = (r: SettingResult, unit: string) =>
  `${r.setting}: ${fmt(r.base)} → ${fmt(r.treat)}${unit}, paired Δ ${r.meanDiff >= 0 ? "+" : ""}${fmt(r.meanDiff)} ± ${fmt(r.sdDiff)} (${r.diffs.filter((d) => d >= 0).length}/${r.n} seeds ≥ 0)`;

export function pairedVerdict(pairs: Pair[], seeds: number[], settings: string[], unit = ""): PairedResult {
  const res = settingResults(pairs, settings);
  const problem = problems(pairs, seeds, settings);
  const evidence = res.map((r) => showSetting(r, unit)).join("; ");
  if (problem) return { verdict: "inconclusive", settings: res, problem, evidence: `${evidence} — inconclusive: ${problem}` };
  const verdict: Verdict = res.every((r) => r.holds) ? "reproduced"
    : res.some((r) => r.holds) || res.every((r) => r.meanDiff > 0) ? "partly reproduced" : "not reproduced";
  return { verdict, settings: res, problem, evidence };
}

/** "B ≥ A in most layers": one setting per layer. */
export function mostVerdict(pairs: Pair[], seeds: number[], layers: string[], unit = ""): PairedResult {
  const res = settingResults(pairs, layers);
  const problem = problems(pairs, seeds, layers);
  const held = res.filter((r) => r.holds).length, overall = mean(res.map((r) => r.meanDiff));
  const up = res.filter((r) => r.meanDiff > 0).length;
  const evidence = `holds (every seed ≥ 0, mean > 0) in ${held}/${layers.length} layers (mean Δ > 0 in ${up}/${layers.length}); mean over layers ${fmt(mean(res.map((r) => r.base)))} → ${fmt(mean(res.map((r) => r.treat)))}${unit} (Δ ${overall >= 0 ? "+" : ""}${fmt(overall)}); ` +
    res.map((r) => `${r.setting} ${r.meanDiff >= 0 ? "+" : ""}${fmt(r.meanDiff)}`).join(", ");
  if (problem) return { verdict: "inconclusive", settings: res, problem, evidence: `${evidence} — inconclusive: ${problem}` };
  // a gain in one layer of twelve while the mean over layers falls is not "partly" most layers
  const verdict: Verdict = held > layers.length / 2 && overall > 0 ? "reproduced"
    : held >= layers.length / 3 || (held > 0 && overall > 0) ? "partly reproduced" : "not reproduced";
  return { verdict, settings: res, problem, evidence };
}

/** "The cost (e.g. FVU) of B over A stays modest": mean relative increase ≤ tol at each setting. */
export function modestVerdict(pairs: Pair[], seeds: number[], settings: string[], tol: number): PairedResult {
  const res = settingResults(pairs, settings);
  const problem = problems(pairs, seeds, settings);
  const rel = res.map((r) => (r.treat - r.base) / Math.abs(r.base));
  const ok = rel.map((x) => Number.isFinite(x) && x <= tol);
  const evidence = res.map((r, i) => `${r.setting}: ${fmt(r.base)} → ${fmt(r.treat)} (${rel[i]! >= 0 ? "+" : ""}${fmt(100 * rel[i]!)}%)`).join("; ") + ` (modest = at most +${100 * tol}%)`;
  if (problem) return { verdict: "inconclusive", settings: res, problem, evidence: `${evidence} — inconclusive: ${problem}` };
  const verdict: Verdict = ok.every(Boolean) ? "reproduced" : ok.some(Boolean) ? "partly reproduced" : "not reproduced";
  return { verdict, settings: res, problem, evidence };
}
