/**
 * fig1's verdicts and summary tables. The worked examples and the Theorem 4/5
 * identities are self-checks: they hold for any x_m (algebra and arithmetic), so they
 * test our code, never count as reproductions of the paper's experiments.
 */
import { example1, example2 } from "../theory/index.ts";
import type { Fig1Config, InstanceInfo } from "./fig1.ts";
import { col, fmt, groupBy, mean, spearman, std } from "./stats.ts";
import type { ClaimResult, Output, Row } from "./types.ts";

/** Outcome of one trained SAE, in words used by claims and the summary. */
export const OUTCOME = {
  closed: "closed form",
  otherMin: "another zero-loss minimiser",
  stuck: "stuck above zero loss",
} as const;

// ---- claims ------------------------------------------------------------------------

const infosOf = (out: Output) => (out.aux?.instances ?? []) as InstanceInfo[];
const sel = (rows: Row[], f: Partial<Row>) => rows.filter((r) => Object.entries(f).every(([k, v]) => r[k] === v));
const e = (x: number) => (x === 0 ? "0" : Math.abs(x) < 1e-3 ? x.toExponential(1) : fmt(x, 3));

function closedFormClaim(c: Fig1Config, out: Output, id: string, info: InstanceInfo | undefined): ClaimResult | null {
  const mins = sel(out.rows, { check: "closed_form", instance: id, quantity: "min_matched_cos" });
  if (!mins.length) return null;
  const runs = mins.length, hit = mins.filter((r) => r.outcome === OUTCOME.closed).length;
  const other = mins.filter((r) => r.outcome === OUTCOME.otherMin).length;
  const cos = col(mins, "value");
  const lrel = col(sel(out.rows, { check: "closed_form", instance: id, quantity: "l_sae_relative" }), "value");
  const otherRuns = mins.filter((r) => r.outcome === OUTCOME.otherMin).map((r) => `${r.S}:${r.seed}`);
  const grams = col(sel(out.rows, { check: "closed_form", instance: id, quantity: "gram_rel_diff" }).filter((r) => otherRuns.includes(`${r.S}:${r.seed}`)), "value");
  const perS = c.sparsities.map((S) => {
    const v = col(mins.filter((r) => r.S === S), "value");
    return `S=${S}: min matched cos ${v.map((x) => fmt(x, 3)).join(", ")}`;
  }).join("; ");
  const premiseOk = info ? info.theorem1 && info.closedFormRelLoss <= 1e-12 : true;
  const verdict = hit === runs ? "reproduced" : hit > 0 ? "partly reproduced" : "not reproduced";
  let why = "";
  if (!premiseOk)
    why = ` The closed form is not a minimiser here (its L_SAE/E‖x_p‖² = ${e(info!.closedFormRelLoss)} > 0, while n_m = ${info!.nm} ≥ 2n_p = ${2 * info!.np} lets [I; −I] reconstruct exactly), so this is not a test of the claim.`;
  else if (other > 0)
    why = ` ${other} run(s) reached another zero-loss minimiser (L_SAE/E‖x_p‖² ≤ 1e-6, W_mᵀW_m vs W_pW_pᵀ rel. diff ${e(Math.min(...grams))}..${e(Math.max(...grams))}): with ≥ 2 sign-symmetric dims any orthonormal ±frame of them reconstructs exactly, so the closed form is one minimiser of a continuum, not the unique one.`;
  if (premiseOk && runs - hit - other > 0)
    why += ` ${runs - hit - other} run(s) stopped above zero loss (L_SAE/E‖x_p‖² up to ${e(Math.max(...lrel))}): a local minimum or not converged in ${c.steps} steps.`;
  return {
    id: `trained-reaches-closed-form (${id})`,
    paper: "a tied bias-free ReLU SAE trained at extreme sparsity (λ = 0, n_m = n) reaches I*(W_p, 0)ᵀ up to permutation",
    verdict: premiseOk ? verdict : "inconclusive",
    evidence: `${hit}/${runs} runs have min matched cosine ≥ ${c.cosThreshold} (${perS}; mean of mins ${fmt(mean(cos), 3)}). ` +
      `Held-out L_SAE/E‖x_p‖²: trained ${e(Math.min(...lrel))}..${e(Math.max(...lrel))} vs closed form ${info ? e(info.closedFormRelLoss) : "?"}.${why}`,
  };
}

export function fig1Claims(c: Fig1Config, out: Output): ClaimResult[] {
  const res: ClaimResult[] = [];
  const infos = infosOf(out);
  for (const k of [1, 2] as const) {
    const r = sel(out.rows, { check: `example${k}` });
    const maxd = Math.max(...col(r, "abs_diff"));
    const got = `(${r.map((x) => fmt(Number(x.value), 3)).join(", ")})`;
    res.push({
      id: `example-${k}`,
      paper: k === 1 ? "W_p = [[1,0,0],[0,1,−1]], x = (0.5, 1, 0.8) gives σ(W_pᵀW_p x) = (0.5, 0.2, 0)"
        : "Example 2: two features are zeroed (our instance x = (0.5, 0.8, 0.8); the paper's numbers are not known)",
      verdict: maxd <= 1e-12 ? "self-check" : "self-check failed",
      evidence: `x_m = ${got}, expected (${r.map((x) => x.expected).join(", ")}); max |diff| = ${e(maxd)}` +
        (k === 1 ? " (1 − 0.8 = 0.19999999999999996 in float64); feature 2 shrinks 1 → 0.2 and loses top-1, feature 3 vanishes" : "; features 2 and 3 vanish"),
    });
  }
  // Theorem 1: the closed form is a minimiser of the penalty-free L_SAE
  const exact = infos.filter((i) => i.trained && i.theorem1 && i.closedFormRelLoss <= 1e-12);
  const inexact = infos.filter((i) => i.trained && i.theorem1 && !(i.closedFormRelLoss <= 1e-12));
  if (exact.length)
    res.push({
      id: "theorem1-closed-form-minimises (mono/digon/square)",
      paper: "for digon/polygon W_p and n_m ≥ n, I*(W_p, 0)ᵀ is a minimiser of L_SAE",
      verdict: "reproduced",
      evidence: exact.map((i) => `${i.id}: closed-form L_SAE/E‖x_p‖² = ${e(i.closedFormRelLoss)} at S=${c.sparsities[0]} (exact reconstruction, so a global minimiser)`).join("; "),
    });
  for (const i of inexact)
    res.push({
      id: `theorem1-closed-form-minimises (${i.id})`,
      paper: "for digon/polygon W_p and n_m ≥ n, I*(W_p, 0)ᵀ is a minimiser of L_SAE",
      verdict: i.zeroLossFrame ? "not reproduced" : "inconclusive",
      evidence: `regular polygons (premise holds as we read it), but the closed form's L_SAE/E‖x_p‖² = ${e(i.closedFormRelLoss)} > 0 at S=${c.sparsities[0]}` +
        (i.zeroLossFrame ? `, while n_m = ${i.nm} ≥ 2n_p = ${2 * i.np} lets [I; −I; 0] reconstruct every x_p exactly: not a minimiser. The theorem's exact wording is not known (docs/method.md §1).` : "; no zero-loss tied SAE is known at this width"),
    });
  for (const id of infos.filter((i) => i.trained).map((i) => i.id)) {
    const cl = closedFormClaim(c, out, id, infos.find((i) => i.id === id));
    if (cl) res.push(cl);
  }
  // Theorem 3: uniqueness at n_m = n
  for (const g of groupBy(sel(out.rows, { check: "uniqueness" }), ["instance"])) {
    const rel = Number(g.rows.find((r) => r.quantity === "rotated_frame_l_sae_relative")?.value);
    const cos = Number(g.rows.find((r) => r.quantity === "rotated_frame_min_matched_cos")?.value);
    const info = infos.find((i) => i.id === g.key.instance);
    const mins = sel(out.rows, { check: "closed_form", instance: g.key.instance, quantity: "min_matched_cos" });
    const other = mins.filter((r) => r.outcome === OUTCOME.otherMin).length;
    const exact = rel <= 1e-12;
    res.push({
      id: `theorem3-unique-minimiser (${g.key.instance})`,
      paper: "with n_m = n the minimiser of L_SAE is unique up to permutation",
      verdict: exact && cos < c.cosThreshold ? "not reproduced" : "inconclusive",
      evidence: `a hand-built tied SAE with n_m = n = ${info?.n ?? "?"} (rows ±u_t for a random orthonormal basis u_t of the sign-symmetric dims, e_d on each mono dim) ` +
        `has L_SAE/E‖x_p‖² = ${e(rel)} at S=${g.rows[0]!.S}${exact ? " (exact, like the closed form)" : ""} but min matched cosine ${fmt(cos, 3)} to it; ` +
        `${other}/${mins.length} trained runs also ended at a zero-loss W_m that is not the closed form. The theorem's wording is not known; ` +
        "an SAE sparsity term (L1/L0 on the latents) would single out the closed form, whose latents are 1-sparse on single features while a rotated frame's are not.",
    });
  }
  // Theorems 4 and 5
  for (const th of ["theorem4", "theorem5"]) {
    const r = sel(out.rows, { check: th });
    if (!r.length) continue;
    const d = col(r, "abs_diff"), scale = Math.max(...col(r, "expected").map(Math.abs));
    const maxd = Math.max(...d);
    res.push({
      id: `${th}-identity`,
      paper: th === "theorem4" ? "at W_m = W_pᵀ, L_SAE − L_GT = E[rᵀ(W_pᵀW_p − I)r], r = x − σ(W_pᵀW_p x)"
        : "with Γ, L_WSAE − L_GT = E[rᵀ(W_pᵀΓ²W_p − I)r]",
      verdict: maxd <= c.identityTol ? "self-check" : "self-check failed",
      evidence: `max |losses − formula| = ${e(maxd)} over ${r.length} Monte Carlo checks (${new Set(r.map((x) => x.instance)).size} W_p, ` +
        `${th === "theorem5" ? "Γ oracle and random, " : ""}S ∈ {${c.identitySparsities.join(", ")}}, ${c.identitySamples} samples each, float64); largest |gap| ${e(scale)}; tolerance ${c.identityTol}. A numerical check of the algebra (x_p − W_p σ(W_pᵀx_p) = W_p r holds exactly), not of the paper's experiments`,
    });
  }
  // Theorem 2
  const rec = sel(out.rows, { check: "recovery" });
  const byInst = groupBy(rec, ["instance"]).map((g) => {
    const S = [...new Set(g.rows.map((r) => Number(r.S)))].sort((a, b) => a - b);
    const m = S.map((s) => mean(col(g.rows.filter((r) => Number(r.S) === s), "value")));
    const info = infos.find((i) => i.id === g.key.instance);
    return { id: String(g.key.instance), S, m, rho: spearman(S, m), nonPos: g.rows[0]!.expected !== "" , info };
  });
  const good = byInst.filter((b) => b.nonPos), bad = byInst.filter((b) => !b.nonPos);
  if (good.length) {
    const ok = good.every((b) => b.rho <= -0.9 && b.m[b.m.length - 1]! <= 0.01);
    const fmtB = (b: (typeof byInst)[number]) =>
      `${b.id}: ${e(b.m[0]!)} at S=${b.S[0]} → ${e(b.m[b.m.length - 1]!)} at S=${b.S[b.S.length - 1]} (Spearman ρ = ${fmt(b.rho, 2)})`;
    res.push({
      id: "theorem2-recovery-as-S-to-1",
      paper: "as S → 1 with non-positive interference the closed form recovers x: E‖x − σ(W_pᵀW_p x)‖² → 0 relative to E‖x‖²",
      verdict: ok ? "reproduced" : "not reproduced",
      evidence: `relative error ${good.map(fmtB).join("; ")}. Contrast, positive interference: ${bad.map(fmtB).join("; ") || "none run"}. ` +
        "(The absolute error falls to 0 for every W_p since x → 0; the relative error is the test.)",
    });
  }
  return res;
}

// ---- summary -----------------------------------------------------------------------

export function fig1Summary(c: Fig1Config, out: Output): string {
  const L: string[] = [];
  const infos = infosOf(out);
  L.push("### Instances", "");
  L.push("| W_p | n | n_p | n_m | Theorem 1 premise (our reading) | non-positive interference | n_m ≥ 2n_p ([I; −I] exact) | closed-form L_SAE / E‖x_p‖² |");
  L.push("|---|---|---|---|---|---|---|---|");
  for (const i of infos)
    L.push(`| ${i.label} | ${i.n} | ${i.np} | ${i.trained ? i.nm : "—"} | ${i.theorem1 ? "holds" : "fails"} | ${i.nonPositive ? "yes" : "no"} | ${i.trained ? (i.zeroLossFrame ? "yes" : "no") : "—"} | ${e(i.closedFormRelLoss)} |`);
  L.push("", `Closed-form loss at S = ${c.sparsities[0]} (Monte Carlo). Polygons are regular with phase ${String(out.aux?.phase ?? "?")} rad; "digons + squares" has 1 mono dim and 6 sign-symmetric dims.`, "");

  L.push("### Worked examples (W_p = [[1,0,0],[0,1,−1]])", "");
  L.push("| example | x | x_m = σ(W_pᵀW_p x) ours | expected |", "|---|---|---|---|");
  for (const [k, ex] of [[1, example1()], [2, example2()]] as const)
    L.push(`| ${k} (${ex.source === "paper" ? "paper's numbers" : "our instance"}) | (${ex.x.join(", ")}) | (${ex.recovered.map((v) => fmt(v, 3)).join(", ")}) | (${ex.expected.join(", ")}) |`);
  L.push("");

  L.push("### Trained SAE vs the closed form I*(W_p, 0)ᵀ", "");
  L.push(`Tied, bias-free ReLU SAE, n_m = n, λ = 0 (the theory's loss), Adam lr ${c.lr}, ${c.steps} steps of ${c.batch} fresh samples; held-out ${c.evalSamples} samples. ` +
    "Cosines are signed, between W_m rows and W_p columns after a Hungarian matching; mean ± sd over seeds.", "");
  L.push("| W_p | S | min matched cos | mean matched cos | runs at closed form | L_SAE/E‖x_p‖² trained | closed form | ‖W_mᵀW_m − W_pW_pᵀ‖/‖W_pW_pᵀ‖ | outcomes |");
  L.push("|---|---|---|---|---|---|---|---|---|");
  const cf = sel(out.rows, { check: "closed_form" });
  for (const g of groupBy(cf, ["instance", "S"])) {
    const q = (name: string) => col(g.rows.filter((r) => r.quantity === name), "value");
    const mins = g.rows.filter((r) => r.quantity === "min_matched_cos");
    const lr = g.rows.filter((r) => r.quantity === "l_sae_relative");
    const outs = groupBy(mins, ["outcome"]).map((o) => `${o.rows.length}× ${o.key.outcome}`).join(", ");
    L.push(`| ${g.key.instance} | ${g.key.S} | ${pmE(q("min_matched_cos"))} | ${pmE(q("mean_matched_cos"))} | ${mins.filter((r) => r.outcome === OUTCOME.closed).length}/${mins.length} | ` +
      `${pmE(q("l_sae_relative"))} | ${pmE(col(lr, "expected"))} | ${pmE(q("gram_rel_diff"))} | ${outs} |`);
  }
  L.push("",
    "Reading: \"another zero-loss minimiser\" means L_SAE ≈ 0 at a W_m that is not the closed form. With two or more sign-symmetric dims " +
    "(digons, squares) the pairs ±u_k of any orthonormal basis u_k of those dims reconstruct every x_p exactly, so the penalty-free loss has a " +
    "continuum of global minimisers even at n_m = n; W_mᵀW_m = W_pW_pᵀ (last numeric column ≈ 0) identifies such a rotated frame. " +
    "The heatmaps show W_m W_p for the first seed at the first S, latents in matched order: the closed form's is W_pᵀW_p.", "");

  const uq = sel(out.rows, { check: "uniqueness" });
  if (uq.length) {
    L.push("### Theorem 3 (uniqueness at n_m = n): a second exact minimiser", "");
    L.push("| W_p | S | L_SAE/E‖x_p‖² of the rotated ±frame | its min matched cosine to the closed form |", "|---|---|---|---|");
    for (const g of groupBy(uq, ["instance"])) {
      const v = (q: string) => Number(g.rows.find((r) => r.quantity === q)?.value);
      L.push(`| ${g.key.instance} | ${g.rows[0]!.S} | ${e(v("rotated_frame_l_sae_relative"))} | ${fmt(v("rotated_frame_min_matched_cos"), 3)} |`);
    }
    L.push("", "Built by hand (not trained): rows ±u_t for a random orthonormal basis u_t of the sign-symmetric dims and e_d on each mono dim; " +
      "σ(a)u − σ(−a)u = a·u, so it reconstructs every x_p exactly. Example 1's W_p has one sign-symmetric dim only, where the frame is unique.", "");
  }
  L.push("### Theorems 4 and 5 at W_m = W_pᵀ", "");
  L.push("| W_p | Γ | S | gap from the losses (L_WSAE − L_GT) | E[rᵀ(W_pᵀΓ²W_p − I)r] | max |diff| over seeds |", "|---|---|---|---|---|---|");
  const ids = sel(out.rows, { check: "theorem4" }).concat(sel(out.rows, { check: "theorem5" }));
  for (const g of groupBy(ids, ["instance", "gamma", "S"]))
    L.push(`| ${g.key.instance} | ${g.key.gamma} | ${g.key.S} | ${pmE(col(g.rows, "value"))} | ${pmE(col(g.rows, "expected"))} | ${e(Math.max(...col(g.rows, "abs_diff")))} |`);
  L.push("", "Both sides are computed in float64 on the same samples, so they agree to rounding; a sign or factor error in either would show as a difference of the gap's size. " +
    "The oracle Γ minimises ‖W_pᵀΓ²W_p − I‖_F (docs/method.md §2), which is what the paper's Γ can shrink; compare its gap with the uniform one.", "");

  L.push("### Theorem 2: recovery error of the closed form as S → 1", "");
  const rec = sel(out.rows, { check: "recovery" });
  const Ss = [...new Set(rec.map((r) => Number(r.S)))].sort((a, b) => a - b);
  L.push(`| W_p | ${Ss.map((s) => `S=${s}`).join(" | ")} |`, `|---|${Ss.map(() => "---").join("|")}|`);
  for (const g of groupBy(rec, ["instance"]))
    L.push(`| ${g.key.instance}${g.rows[0]!.expected !== "" ? " (non-positive interference)" : " (positive interference)"} | ${Ss.map((s) => e(mean(col(g.rows.filter((r) => Number(r.S) === s), "value")))).join(" | ")} |`);
  L.push("", `Relative error E‖x − σ(W_pᵀW_p x)‖² / E‖x‖², mean over seeds, ${c.recoverySamples} samples per S (the same uniforms at every S). ` +
    "recovery.csv also has the absolute error, E‖x‖² and the share of samples with at most one active feature.");
  return L.join("\n");
}

function pmE(xs: number[]): string {
  const f = xs.filter(Number.isFinite);
  if (!f.length) return "n/a";
  const m = mean(f), s = std(f);
  return f.length > 1 ? `${e(m)} ± ${e(s)}` : e(m);
}
