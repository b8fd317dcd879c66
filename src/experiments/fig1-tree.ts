/**
 * The rows and files a fig1 config implies, so a tree read back can be checked
 * (report/validate.ts): data.csv's checks per instance, seed and S, the heatmaps of the
 * trained W_p and the Theorem 2 curve.
 */
import { stream } from "../util/rng.ts";
import { INSTANCES, rotatedFrame, type Fig1Config } from "./fig1.ts";
import type { Artifact, Row } from "./types.ts";

const QUANTITIES = ["min_matched_cos", "mean_matched_cos", "l_sae_relative", "gram_rel_diff", "dead_latents"];

export function fig1Keys(c: Fig1Config, seeds: number[]): Row[] {
  const out: Row[] = [];
  const s0 = seeds[0]!;
  for (const k of [1, 2]) for (let i = 1; i <= 3; i++) out.push({ check: `example${k}`, instance: "example-1", S: "", gamma: "", seed: "", quantity: `x_m[${i}]` });
  const trained = INSTANCES.filter((i) => i.trained);
  for (const seed of seeds) for (const inst of trained) for (const S of c.sparsities) for (const quantity of QUANTITIES) out.push({ check: "closed_form", instance: inst.id, S, gamma: "", seed, quantity });
  for (const inst of trained)
    if (rotatedFrame(inst.Wp(s0), stream(s0, `fig1:rotation:${inst.id}`)))
      for (const quantity of ["rotated_frame_l_sae_relative", "rotated_frame_min_matched_cos"]) out.push({ check: "uniqueness", instance: inst.id, S: c.sparsities[0]!, gamma: "", seed: s0, quantity });
  for (const seed of seeds)
    for (const inst of INSTANCES)
      for (const S of c.identitySparsities)
        for (const gamma of ["uniform", "oracle", "random"]) out.push({ check: gamma === "uniform" ? "theorem4" : "theorem5", instance: inst.id, S, gamma, seed, quantity: "gap" });
  for (const seed of seeds) for (const inst of INSTANCES) for (const S of c.recoverySparsities) out.push({ check: "recovery", instance: inst.id, S, gamma: "", seed, quantity: "relative_error" });
  return out;
}

export const FIG1_TREE: NonNullable<Artifact<Fig1Config>["tree"]> = {
  key: ["check", "instance", "S", "gamma", "seed", "quantity"],
  expected: fig1Keys,
  extra: {
    heatmaps: {
      columns: ["instance", "model", "S", "seed", "latent_rank", "latent", "feature", "value"].map((name) => ({ name, description: name })),
      key: ["instance", "model", "S", "seed", "latent_rank", "feature"],
      expected: (c, seeds) => INSTANCES.filter((i) => i.trained).flatMap((inst) => {
        const n = inst.Wp(seeds[0]!).cols, cells = Array.from({ length: n * n }, (_, k) => ({ latent_rank: Math.floor(k / n), feature: k % n }));
        return [
          ...cells.map((x) => ({ instance: inst.id, model: "closed form", S: "", seed: "", ...x })),
          ...c.sparsities.flatMap((S) => cells.map((x) => ({ instance: inst.id, model: "trained", S, seed: seeds[0]!, ...x }))),
        ];
      }),
    },
    recovery: {
      columns: ["instance", "non_positive_interference", "S", "one_minus_S", "seed", "error", "x_energy", "relative_error", "at_most_one_active"].map((name) => ({ name, description: name })),
      key: ["instance", "S", "seed"],
      expected: (c, seeds) => seeds.flatMap((seed) => INSTANCES.flatMap((inst) => c.recoverySparsities.map((S) => ({ instance: inst.id, S, seed })))),
    },
  },
  aux: true,
  // verify: worked examples, identities, the Theorem 2 curve and the closed form's heatmap involve no
  // training (exact); trained SAEs land on one of many zero-loss minimisers (noisy)
  tolerance: (table, _column, r) =>
    table === "recovery" || r.model === "closed form" || (typeof r.check === "string" && r.check !== "closed_form") ? "exact" : "noisy",
};
