import type { Artifact, ArtifactId } from "./types.ts";
import { fig1 } from "./fig1.ts";
import { fig2 } from "./fig2.ts";
import { fig3 } from "./fig3.ts";
import { table3 } from "./table3.ts";
import { fig4 } from "./fig4.ts";
import { fig5 } from "./fig5.ts";
import { table1 } from "./table1.ts";
import { table2 } from "./table2.ts";
import { robustness } from "./robustness.ts";

/** Every artifact of docs/method.md §1, implemented or not, in the paper's order. */
export const PLANNED: { id: ArtifactId; title: string }[] = [
  { id: "fig1", title: "Figure 1: the framework x → W_p → x_p → SAE → x_m, Examples 1–2, Theorems 1, 2, 4, 5 checked" },
  { id: "fig2", title: "Figure 2: average activated features per SAE latent vs ground-truth sparsity S" },
  { id: "fig3", title: "Figure 3: WSAE vs SAE over S — L_GT, non-sparse-dim error, L_SAE, per-dimensional variance" },
  { id: "fig4", title: "Figure 4: semantic consistency of SAE vs WSAE on vision-model embeddings" },
  { id: "fig5", title: "Figure 5: semantic consistency and reconstruction vs α, and by weight proxy" },
  { id: "table1", title: "Table 1: per-layer interpretability of SAE vs WSAE (α = 0.5, 1)" },
  { id: "table2", title: "Table 2: vision semantic consistency, SAE vs WSAE" },
  { id: "table3", title: "Table 3: the synthetic numbers behind Figure 3, per S, mean ± std over seeds" },
  { id: "robustness", title: "Robustness map (ours): each synthetic claim's verdict across generators, bias, sparsity mechanism, tying, weights (one factor at a time; --grid full crosses them)" },
];

export const ARTIFACTS: Artifact<any>[] = [fig1, fig2, fig3, fig4, fig5, table1, table2, table3, robustness];

export function artifact(id: string): Artifact<any> | undefined {
  return ARTIFACTS.find((a) => a.id === id);
}
