/**
 * `wsae report`: one page over every artifact's results tree — which ran (full or
 * quick only), when, on which backend, and each claim's verdict — linking to the
 * artifact's summary.md and figure. Reads manifests only; computes nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PLANNED } from "../experiments/registry.ts";

type Manifest = {
  command: string; preset: string; seeds: number[]; backend: { name: string; mode: string };
  git: { commit: string; dirty: boolean; src_dirty?: boolean } | null; ended: string; wall_s: Record<string, number>;
  claims: { id: string; verdict: string }[];
};

const MARK: Record<string, string> = {
  reproduced: "✅ reproduced", "partly reproduced": "🟡 partly reproduced", "not reproduced": "❌ not reproduced", inconclusive: "⚪ inconclusive",
  note: "ℹ️ note",
};

export function gatherReport(outRoot: string): string {
  const lines = [
    "# wsae results report",
    "",
    "Reproduction of *On the Limits of Sparse Autoencoders: A Theoretical Framework and Reweighted Remedy* (Cui, Zhang, Wang, Wang; ICLR 2026).",
    "Each artifact's `summary.md` has the numbers behind every verdict; reported numbers of the paper are shown there beside ours, never as ours.",
    "",
    "| artifact | run | verdicts |",
    "|---|---|---|",
  ];
  const details: string[] = [];
  for (const p of PLANNED) {
    const full = join(outRoot, p.id, "manifest.json"), quick = join(outRoot, "quick", p.id, "manifest.json");
    const path = existsSync(full) ? full : existsSync(quick) ? quick : null;
    if (!path) {
      lines.push(`| ${p.id} | not run | — |`);
      continue;
    }
    const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    const rel = path === full ? p.id : `quick/${p.id}`;
    const counts = new Map<string, number>();
    for (const c of m.claims) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
    lines.push(`| [${p.id}](${rel}/summary.md) | ${m.preset}${m.preset.startsWith("quick") ? " only (smoke test)" : ""}, ${m.seeds.length} seed(s), ${m.backend.name} | ${[...counts].map(([v, n]) => `${n}× ${MARK[v] ?? v}`).join(", ")} |`);
    details.push(
      `## ${p.title}`, "",
      `\`${m.command}\` — ${m.preset} preset, seeds ${m.seeds.join(", ")}, backend ${m.backend.name} (${m.backend.mode}), ` +
      `commit ${m.git ? m.git.commit.slice(0, 10) + (m.git.src_dirty ?? m.git.dirty ? " with uncommitted changes to the code" : "") : "n/a"}, finished ${m.ended}, ${Math.round(m.wall_s.run ?? 0)} s.`,
      "",
      ...(existsSync(join(outRoot, rel, "figure.png")) ? [`![${p.id}](${rel}/figure.png)`, ""] : []),
      ...m.claims.map((c) => `- ${MARK[c.verdict] ?? c.verdict}: ${c.id}`),
      "",
    );
  }
  return [...lines, "", ...details].join("\n");
}
