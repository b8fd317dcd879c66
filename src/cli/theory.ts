/**
 * `wsae theory`: the paper's theory applied to a user's W_p (or the worked examples).
 * Parsing and formatting are pure functions so tests need no process.
 */
import type { Command } from "commander";
import { readMatrix, readVector } from "../data/matfile.ts";
import { UserError } from "../util/errors.ts";
import { MAX_SEED, parseIntFlag, parseNumFlag } from "../util/parse.ts";
import type { Mat } from "../util/mat.ts";
import { analyseWp, type GammaChoice, type GapReport, type TheoryReport } from "../theory/analyse.ts";
import { example1, example2, type WorkedExample } from "../theory/examples.ts";

/** Raw commander options (strings as typed by the user). */
export type TheoryRawOptions = {
  wp?: string;
  example?: string;
  nm?: string;
  sparsity?: string;
  gamma?: string;
  samples?: string;
  seed?: string;
  tol?: string;
  json?: boolean;
};

export type TheoryArgs =
  | { mode: "example"; example: 1 | 2; json: boolean }
  | { mode: "wp"; wp: string; nm?: number; S: number; gamma: string; samples: number; seed: number; tol: number; json: boolean };

const MAX_CELLS = 2e7; // samples × n: three float64 N × n arrays stay under ~0.5 GB
const MAX_ROWS = 30;
/** W_p entries (n_p × n): premises, Γ oracle and shrinking are O(n²·n_p); 10⁶ entries take seconds, 25·10⁶ hours. */
export const MAX_WP_CELLS = 1e6;
/** SAE latents: the closed form is an n_m × n_p matrix printed in --json. */
export const MAX_NM = 100_000;

const intArg = (flag: string, s: string, min: number, max: number): number => parseIntFlag(flag, min, max)(s);
const numArg = (flag: string, s: string): number => parseNumFlag(flag, () => true, "a number")(s);

/** Validate the options; every user mistake is a one-line UserError. */
export function parseTheoryArgs(o: TheoryRawOptions): TheoryArgs {
  const json = o.json === true;
  if (o.example !== undefined) {
    if (o.wp !== undefined) throw new UserError("give either --wp FILE or --example 1|2, not both");
    if (o.example !== "1" && o.example !== "2") throw new UserError(`--example must be 1 or 2, got '${o.example}'`);
    return { mode: "example", example: o.example === "1" ? 1 : 2, json };
  }
  if (o.wp === undefined) throw new UserError("wsae theory needs --wp FILE (.npy or .csv W_p, n_p x n) or --example 1|2");
  const S = numArg("--sparsity", o.sparsity ?? "0.9");
  if (!(S >= 0 && S < 1)) throw new UserError(`--sparsity must be in [0, 1), got ${S}`);
  const tol = numArg("--tol", o.tol ?? "1e-6");
  if (!(tol > 0 && tol < 1)) throw new UserError(`--tol must be in (0, 1), got ${tol}`);
  return {
    mode: "wp", wp: o.wp, json, S, tol,
    nm: o.nm === undefined ? undefined : intArg("--nm", o.nm, 1, MAX_NM),
    gamma: o.gamma ?? "uniform",
    samples: intArg("--samples", o.samples ?? "20000", 1, MAX_CELLS),
    seed: intArg("--seed", o.seed ?? "0", 0, MAX_SEED),
  };
}

const f = (v: number | null, p = 4): string => (v === null ? "-" : Number(v.toPrecision(p)).toString());
const vec = (v: ArrayLike<number>): string => `(${Array.from(v, (x) => f(x, 6)).join(", ")})`;
const pad = (s: string, w: number) => s.padStart(w);

/** The worked example as text. */
export function formatExample(ex: WorkedExample): string {
  const L: string[] = [];
  L.push(`Example ${ex.id} (${ex.source === "paper" ? "the paper's numbers" : "our instance"}): ${ex.title}`);
  L.push(`  W_p = [${ex.Wp.map((r) => `[${r.map((v) => f(v)).join(", ")}]`).join(", ")}]`);
  L.push(`  x                 = ${vec(ex.x)}`);
  L.push(`  x_p = W_p x       = ${vec(ex.xp)}`);
  L.push(`  W_p^T x_p         = ${vec(ex.preActivation)}`);
  const ok = ex.recovered.every((v, i) => Math.abs(v - ex.expected[i]!) <= 1e-12);
  L.push(`  x_m = relu(...)   = ${vec(ex.recovered)}   expected ${vec(ex.expected)}: ${ok ? "matches" : "DOES NOT MATCH"}`);
  for (const ft of ex.shrink.features) {
    const tag = ft.vanished ? "vanished" : ft.spurious ? "spurious" : ft.ratio !== null && ft.ratio < 1 - 1e-9 ? "shrunk" : "kept";
    L.push(`  feature ${ft.index + 1}: ${f(ft.value, 6)} -> ${f(ft.recovered, 6)}${ft.ratio !== null ? ` (ratio ${f(ft.ratio)})` : ""}  ${tag}`);
  }
  const t = ex.shrink.top1True + 1, r = ex.shrink.top1Recovered + 1;
  L.push(`  top-1 feature: true ${t}, recovered ${r}${t !== r ? " (rank changed)" : ""}`);
  L.push(`  ${ex.note}`);
  return L.join("\n") + "\n";
}

function formatGap(title: string, g: GapReport, weighted: boolean): string[] {
  const lw = weighted ? `L_WSAE = ${f(g.lWsae, 6)}, ` : "";
  const m = weighted ? "W_p^T G^2 W_p - I" : "W_p^T W_p - I";
  return [
    `${title} at W_m = W_p^T:`,
    `  ${lw}L_SAE = ${f(g.lSae, 6)}, L_GT = ${f(g.lGt, 6)}`,
    `  gap, direct   ${weighted ? "L_WSAE" : "L_SAE"} - L_GT       = ${f(g.direct, 10)}`,
    `  gap, formula  E[r^T(${m})r] = ${f(g.formula, 10)}   (|diff| ${g.absDiff.toExponential(1)})`,
  ];
}

/** The full report as text (the --json form is JSON.stringify of the report). */
export function formatTheoryReport(r: TheoryReport, source: string): string {
  const L: string[] = [];
  L.push(`W_p from ${source}: n_p = ${r.np} dims x n = ${r.n} features; S = ${r.S}, ${r.samples} samples, seed ${r.seed}`);
  L.push("");
  L.push(`Closed form (Theorem 1): W_m* = I*(W_p, 0)^T, ${r.closedForm.shape[0]} x ${r.closedForm.shape[1]} (n_m x n_p):`);
  L.push(`  rows 1..${r.n} are W_p's columns, ${r.closedForm.zeroRows} zero rows; latents x_m = relu(W_p^T x_p) (--json has W_m*)`);
  L.push(`  L_SAE at the closed form = ${f(r.closedForm.lSae, 6)}: ${r.closedForm.verdict}`);
  L.push("");
  const p = r.premises;
  L.push(`Premises (tol ${p.tol.toExponential()}):`);
  const rows: [string, { holds: boolean; reason: string } | undefined][] = [
    ["superposition", p.superposition], ["enoughLatents", p.enoughLatents], ["unitNorm", p.unitNorm],
    ["nonPositiveInterference", p.nonPositiveInterference], ["digonPolygon", p.digonPolygon],
  ];
  for (const [name, pr] of rows) if (pr) L.push(`  ${pr.holds ? "yes" : "no "}  ${name.padEnd(24)} ${pr.reason}`);
  L.push(`  => Theorem 1 (closed form is a minimiser): ${p.theorem1.holds ? "premises hold" : p.theorem1.reason}`);
  L.push(`  => Theorem 2 (exact recovery as S -> 1):  ${p.theorem2.holds ? "premises hold" : p.theorem2.reason}`);
  const shown = p.groups.slice(0, 12);
  L.push(`Feature groups (${p.groups.length}):`);
  for (const g of shown) {
    const feats = g.features.slice(0, 8).map((i) => i + 1).join(",") + (g.size > 8 ? ",…" : "");
    L.push(`  ${g.kind.padEnd(7)} size ${String(g.size).padEnd(4)} dims ${g.dims.map((d) => d + 1).join(",").padEnd(8)} features ${feats}  (${g.detail})`);
  }
  if (p.groups.length > shown.length) L.push(`  … ${p.groups.length - shown.length} more groups (--json has all)`);
  L.push("");
  const s = r.shrink;
  L.push(`Predicted shrinking/vanishing at S = ${r.S} (closed form, Monte Carlo; "on" = x_i > 0):`);
  L.push(`  feature  group    P(on)  E[x|on]  E[x_m|on]  shrink  P(vanish|on)  P(spurious|off)`);
  for (const ft of s.features.slice(0, MAX_ROWS))
    L.push(`  ${pad(String(ft.index + 1), 7)}  ${r.featureGroup[ft.index]!.padEnd(7)} ${pad(f(ft.pActive, 3), 6)} ${pad(f(ft.meanTrue), 8)} ${pad(f(ft.meanRecovered), 10)} ${pad(f(ft.shrink), 7)} ${pad(f(ft.pVanish, 3), 13)} ${pad(f(ft.pSpurious, 3), 16)}`);
  if (s.features.length > MAX_ROWS) L.push(`  … ${s.features.length - MAX_ROWS} more features not shown (--json has all)`);
  const t = s.totals;
  L.push(`  all ${r.n}: mean shrink ${f(t.meanShrink)}, min ${f(t.minShrink)}${t.minShrinkFeature !== null ? ` (feature ${t.minShrinkFeature + 1})` : ""}; ` +
    `P(vanish|on) ${f(t.pVanish, 3)}; P(spurious|off) ${f(t.pSpurious, 3)}; ${t.featuresShrunk} shrunk, ${t.featuresVanishing} can vanish`);
  L.push("");
  L.push(...formatGap("Theorem 4 (G = I)", r.theorem4, false));
  if (r.theorem5) {
    L.push(...formatGap(`Theorem 5 (G = ${r.theorem5.gamma}, rescaled to mean g^2 = 1)`, r.theorem5, true));
    const gv = r.theorem5.values;
    L.push(`  gamma = ${vec(gv.slice(0, 10))}${gv.length > 10 ? ` … (${gv.length} values)` : ""}`);
    if (r.oracle) L.push(`  oracle: min ||W_p^T diag(g) W_p - I||_F^2 = ${f(r.oracle.objective, 6)} at unscaled g (G = I: ${f(r.oracle.objectiveUniform, 6)}), KKT residual ${r.oracle.kkt.toExponential(1)}`);
  }
  return L.join("\n") + "\n";
}

function gammaChoice(spec: string, np: number): GammaChoice {
  if (spec === "uniform" || spec === "oracle") return spec;
  const v = readVector(spec, np);
  // γ is rescaled to mean γ² = 1 anyway; dividing by the largest |γ| first keeps γ² from
  // overflowing (1e300² = Inf would turn every weight into 0)
  const top = Math.max(...Array.from(v, Math.abs));
  if (!(top > 0)) throw new UserError(`${spec}: every weight is 0; Γ needs some γ_i ≠ 0`);
  return { file: spec, values: Float64Array.from(v, (x) => x / top) };
}

/** Run the command (reads files), returning what to print. */
export function runTheory(o: TheoryRawOptions): string {
  const a = parseTheoryArgs(o);
  if (a.mode === "example") {
    const ex = a.example === 1 ? example1() : example2();
    return a.json ? JSON.stringify(ex) + "\n" : formatExample(ex);
  }
  const Wp: Mat<Float64Array> = readMatrix(a.wp);
  if (Wp.rows * Wp.cols > MAX_WP_CELLS) throw new UserError(`${a.wp}: W_p is ${Wp.rows} x ${Wp.cols} = ${Wp.rows * Wp.cols} entries (limit ${MAX_WP_CELLS.toExponential(0)}); the premise and Γ checks grow as n²·n_p`);
  const nm = a.nm ?? Wp.cols;
  if (nm < Wp.cols) throw new UserError(`--nm ${nm} is less than n = ${Wp.cols} features (W_p columns): Theorem 1 needs n_m >= n`);
  if (a.samples * Wp.cols > MAX_CELLS) throw new UserError(`--samples ${a.samples} x n = ${Wp.cols} exceeds ${MAX_CELLS} values; use fewer samples`);
  const report = analyseWp(Wp, { nm, S: a.S, gamma: gammaChoice(a.gamma, Wp.rows), samples: a.samples, seed: a.seed, tol: a.tol });
  return a.json ? JSON.stringify({ wp: a.wp, ...report }) + "\n" : formatTheoryReport(report, a.wp);
}

const HELP = `
Examples:
  $ wsae theory --example 1                 the paper's Example 1: (0.5, 1, 0.8) -> (0.5, 0.2, 0)
  $ wsae theory --example 2                 our instance of Example 2 (two features vanish)
  $ wsae theory --wp Wp.npy                 premises, shrinking and Theorem 4 gap at S = 0.9
  $ wsae theory --wp Wp.csv --sparsity 0.99 --gamma oracle --json

W_p is n_p x n (rows = input dims, columns = ground-truth features), float32/float64
.npy (C order) or .csv. --gamma FILE holds n_p weights (.npy or one-row/one-column .csv);
every gamma is rescaled to mean gamma^2 = 1.`;

export function registerTheory(program: Command): Command {
  return program
    .command("theory")
    .description("closed-form SAE, premises, feature shrinking/vanishing and the Theorem 4/5 gaps for a W_p")
    .option("--wp <file>", "superposition matrix W_p (n_p x n), .npy or .csv")
    .option("--example <id>", "print the worked Example 1 or 2 instead")
    .option("--nm <n>", "SAE latents n_m (default: n)")
    .option("--sparsity <S>", "ground-truth sparsity S in [0, 1)", "0.9")
    .option("--gamma <spec>", "uniform | oracle | FILE with n_p weights", "uniform")
    .option("--samples <n>", "Monte Carlo samples of x", "20000")
    .option("--seed <n>", "seed for the samples", "0")
    .option("--tol <x>", "tolerance of the premise checks", "1e-6")
    .option("--json", "print one JSON object")
    .addHelpText("after", HELP)
    .action((opts: TheoryRawOptions) => {
      process.stdout.write(runTheory(opts));
    });
}
