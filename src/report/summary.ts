import type { ClaimResult, Reported } from "../experiments/types.ts";

const mark: Record<ClaimResult["verdict"], string> = {
  reproduced: "✅ reproduced",
  "partly reproduced": "🟡 partly reproduced",
  "not reproduced": "❌ not reproduced",
  inconclusive: "⚪ inconclusive",
  note: "ℹ️ note",
};

export function claimsTable(claims: ClaimResult[]): string {
  const out = ["| claim | the paper says | verdict | our numbers |", "|---|---|---|---|"];
  for (const c of claims) out.push(`| ${c.id} | ${esc(c.paper)} | ${mark[c.verdict]} | ${esc(c.evidence)} |`);
  out.push("", "⚪ inconclusive: our numbers cannot decide the paper's claim (the row says why). ℹ️ note: our own check, not a claim of the paper.");
  return out.join("\n");
}

export function reportedTable(rep: Reported[]): string {
  if (!rep.length) return "";
  const out = ["| reported (not ours) | value | source |", "|---|---|---|"];
  for (const r of rep) out.push(`| ${esc(r.what)} | ${esc(r.value)} | ${esc(r.source)} |`);
  return out.join("\n");
}

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
