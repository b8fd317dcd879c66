/**
 * fig1's figure (vega-lite); its claims and summary tables are fig1-claims.ts. Top row, W_m W_p of a trained SAE beside the closed
 * form's W_pᵀW_p for each trained W_p (diverging colours centred at 0); bottom row,
 * min matched cosine per run, the Theorem 2 recovery curve, and the Theorem 4/5
 * identity as a direct-vs-formula scatter on the diagonal.
 */
import type { Fig1Config, InstanceInfo } from "./fig1.ts";
import type { Output, Row } from "./types.ts";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

function heatBlock(info: InstanceInfo, values: Row[], domain: number): object {
  const step = info.n <= 5 ? 26 : info.n <= 15 ? 12 : 8;
  const every = info.n <= 15 ? 1 : 4;
  const ticks = Array.from({ length: info.n }, (_, i) => i).filter((i) => i % every === 0);
  const trainedLabel = "trained SAE";
  const closedLabel = "closed form";
  const data = values.map((r) => ({ ...r, panel: r.model === "trained" ? trainedLabel : closedLabel }));
  return {
    title: { text: `${info.id} (n = ${info.n}, n_p = ${info.np})`, fontSize: 12, anchor: "start" },
    data: { values: data },
    facet: { column: { field: "panel", type: "nominal", sort: [trainedLabel, closedLabel], header: { title: null, labelFontSize: 11 } } },
    spec: {
      width: { step }, height: { step },
      mark: { type: "rect" },
      encoding: {
        x: { field: "feature", type: "ordinal", title: "feature i", axis: { values: ticks, labelAngle: 0 } },
        y: { field: "latent_rank", type: "ordinal", title: "latent j (matched order)", axis: { values: ticks } },
        color: {
          field: "value", type: "quantitative", title: ["(W_m W_p)[j, i]", "latent j's response", "to feature i"],
          scale: { scheme: "redblue", reverse: true, domain: [-domain, domain], domainMid: 0 },
        },
      },
    },
  };
}

export function fig1Plot(c: Fig1Config, out: Output): object | null {
  const infos = ((out.aux?.instances ?? []) as InstanceInfo[]);
  const heat = out.extra?.heatmaps ?? [];
  const S0 = c.sparsities[0]!;
  const trainedInfos = infos.filter((i) => i.trained);
  const seed0 = String(heat.find((r) => r.model === "trained")?.seed ?? "");
  const shown = heat.filter((r) => r.model === "closed form" || r.S === S0);
  const domain = Math.max(1, ...shown.map((r) => Math.abs(Number(r.value))));
  const blocks = trainedInfos.map((i) => heatBlock(i, shown.filter((r) => r.instance === i.id), Number(domain.toFixed(2))));

  const mins = out.rows.filter((r) => r.check === "closed_form" && r.quantity === "min_matched_cos")
    .map((r) => ({ run: `${r.instance}, S=${r.S}`, instance: r.instance, value: r.value, outcome: r.outcome, seed: r.seed }));
  const runOrder = [...new Set(mins.map((r) => r.run))];
  const cosPanel = {
    title: { text: "Trained SAE vs closed form", subtitle: ["min matched cosine per run", `(one per seed; dashed: ${c.cosThreshold})`], fontSize: 12 },
    width: 260, height: 220,
    layer: [
      {
        data: { values: mins },
        mark: { type: "point", filled: true, size: 70, opacity: 0.85 },
        encoding: {
          x: { field: "run", type: "nominal", sort: runOrder, title: "W_p, sparsity S", axis: { labelAngle: -35, labelLimit: 200 } },
          y: { field: "value", type: "quantitative", title: "min matched cosine (W_m row vs W_p column)", scale: { domain: [Math.min(0, ...mins.map((m) => Number(m.value))), 1.02] } },
          color: { field: "instance", type: "nominal", title: "W_p" },
          shape: { field: "outcome", type: "nominal", title: "outcome of the run", legend: { labelLimit: 220 } },
        },
      },
      { data: { values: [{ y: c.cosThreshold }] }, mark: { type: "rule", strokeDash: [4, 4], color: "gray" }, encoding: { y: { field: "y", type: "quantitative" } } },
    ],
  };

  const allCurve = out.extra?.recovery ?? [];
  const curve = allCurve.filter((r) => r.instance !== "gaussian");
  const gaussMin = Math.min(...allCurve.filter((r) => r.instance === "gaussian").map((r) => Number(r.relative_error)));
  const recPanel = {
    title: {
      text: "Theorem 2: recovery as S → 1",
      subtitle: ["closed form σ(W_pᵀW_p x), seed mean;", "polygons: positive interference", ...(Number.isFinite(gaussMin) ? [`(Gaussian W_p ≥ ${gaussMin.toFixed(2)}: off scale)`] : [])],
      fontSize: 12,
    },
    width: 260, height: 220,
    data: { values: curve },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "one_minus_S", type: "quantitative", title: "1 − S = P(x_i ≠ 0) (log scale; sparser →)", scale: { type: "log", reverse: true }, axis: { format: "~g" } },
      y: { aggregate: "mean", field: "relative_error", type: "quantitative", title: "E‖x − x_m‖² / E‖x‖² (relative error)", scale: { zero: true } },
      color: { field: "instance", type: "nominal", title: "W_p" },
    },
  };

  const ids = out.rows.filter((r) => r.check === "theorem4" || r.check === "theorem5")
    .map((r) => ({ instance: r.instance, gamma: r.gamma, S: r.S, direct: r.value, formula: r.expected, abs_diff: r.abs_diff }));
  const all = ids.flatMap((r) => [Number(r.direct), Number(r.formula)]);
  const lo = Math.min(...all), hi = Math.max(...all);
  const maxd = Math.max(...ids.map((r) => Number(r.abs_diff)));
  const idPanel = {
    title: { text: "Theorems 4–5 at W_m = W_pᵀ", subtitle: ["on the diagonal: identity holds", `max |diff| = ${maxd.toExponential(1)}`], fontSize: 12 },
    width: 260, height: 220,
    layer: [
      { data: { values: [{ a: lo, b: hi }] }, mark: { type: "rule", color: "gray", strokeDash: [4, 4] }, encoding: { x: { field: "a", type: "quantitative" }, y: { field: "a", type: "quantitative" }, x2: { field: "b" }, y2: { field: "b" } } },
      {
        data: { values: ids },
        mark: { type: "point", size: 45, opacity: 0.8 },
        encoding: {
          x: { field: "formula", type: "quantitative", title: "E[rᵀ(W_pᵀΓ²W_p − I)r] (formula)" },
          y: { field: "direct", type: "quantitative", title: "L_WSAE − L_GT (from the losses)" },
          color: { field: "instance", type: "nominal", title: "W_p" },
          shape: { field: "gamma", type: "nominal", title: "Γ" },
        },
      },
    ],
  };

  return {
    $schema: SCHEMA,
    title: { text: "Fig. 1: the framework x → W_p → x_p = W_p x → SAE (tied, bias-free ReLU) → x_m, checked", subtitle: [
      `top: (W_m W_p)[j, i] of a trained SAE (seed ${seed0}, S = ${S0}, λ = 0, n_m = n), latents matched`,
      "to features (Hungarian), beside the closed form's W_pᵀW_p; bottom: all runs, Theorem 2, Theorems 4–5",
    ], fontSize: 15, subtitleFontSize: 12, anchor: "start", offset: 16 },
    vconcat: [
      { hconcat: blocks, spacing: 30, align: "none", resolve: { scale: { color: "shared" } } },
      { hconcat: [cosPanel, recPanel, idPanel], spacing: 50, align: "none", resolve: { scale: { color: "shared", shape: "independent" }, legend: { shape: "independent" } } },
    ],
    spacing: 30,
    align: "none",
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
  };
}
