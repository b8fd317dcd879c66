/**
 * summary.md of an artifact: header, claims with verdicts, the artifact's own tables,
 * the paper's reported numbers (never as ours) and the columns of data.csv. The one
 * map from verdict to label lives here; `wsae report` uses it too.
 */
import type { Artifact, ClaimResult, Output, Reported, Verdict } from "../experiments/types.ts";

export const VERDICT_MARK: Record<Verdict, string> = {
  reproduced: "✅ reproduced",
  "partly reproduced": "🟡 partly reproduced",
  "not reproduced": "❌ not reproduced",
  inconclusive: "⚪ inconclusive",
  note: "ℹ️ note",
  "self-check": "🔧 self-check passed",
  "self-check failed": "🛑 self-check FAILED",
};

export const markOf = (v: string): string => VERDICT_MARK[v as Verdict] ?? v;

export const VERDICT_LEGEND =
  "⚪ inconclusive: our numbers cannot decide the paper's claim (the row says why). ℹ️ note: our own check, not a claim of the paper. " +
  "🔧 self-check: an identity or worked arithmetic that holds for any input, so it tests our code, not the paper's experiments; never counted as reproduced.";

export function claimsTable(claims: ClaimResult[]): string {
  const out = ["| claim | the paper says | verdict | our numbers |", "|---|---|---|---|"];
  for (const c of claims) out.push(`| ${c.id} | ${esc(c.paper)} | ${VERDICT_MARK[c.verdict]} | ${esc(c.evidence)} |`);
  out.push("", VERDICT_LEGEND);
  return out.join("\n");
}

export function reportedTable(rep: Reported[]): string {
  if (!rep.length) return "";
  const out = ["| reported (not ours) | value | source |", "|---|---|---|"];
  for (const r of rep) out.push(`| ${esc(r.what)} | ${esc(r.value)} | ${esc(r.source)} |`);
  return out.join("\n");
}

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export type SummaryMeta = { cmd: string; preset: string; seeds: number[]; backend: string };

export function summaryMd<C extends object>(a: Artifact<C>, config: C, out: Output, claims: ClaimResult[], meta: SummaryMeta): string {
  const parts = [
    `# ${a.title}`,
    "",
    `**The paper:** ${a.paper}`,
    "",
    ...(out.reused?.length ? [`Rows reused (same config, seeds and backend, so identical numbers): ${out.reused.join(", ")}.`, ""] : []),
    `Command: \`${meta.cmd}\` · preset: **${meta.preset.startsWith("quick") ? `${meta.preset} — a smoke test, not evidence` : meta.preset}** · seeds: ${meta.seeds.join(", ")} · backend: ${meta.backend}. Full configuration in manifest.json.`,
    "",
    "## Claims",
    "",
    claimsTable(claims),
    "",
    "## Results",
    "",
    a.summary(config, out, claims),
    "",
  ];
  const rep = reportedTable(a.reported);
  if (rep) parts.push("## Reported by the paper (secondary sources; not our numbers)", "", rep, "");
  parts.push("## Columns of data.csv", "", "| column | definition |", "|---|---|", ...a.columns.map((c) => `| \`${c.name}\` | ${c.description.replace(/\|/g, "\\|")} |`), "");
  return parts.join("\n");
}

/** Flags that change where and how a run goes, never its numbers. */
const RUN_ONLY_FLAGS = new Set(["--out", "--quiet", "--resume", "--shard", "--jobs", "--no-cache"]);
const TAKES_VALUE = new Set(["--out", "--shard", "--jobs"]);

/**
 * The command line as a reader reruns it to get these numbers: without the output
 * folder, progress, resume, shard or pool flags, so a merged or resumed run writes the
 * same summary as one plain run.
 */
export function resultArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!, flag = w.split("=")[0]!;
    if (!RUN_ONLY_FLAGS.has(flag)) out.push(w);
    else if (TAKES_VALUE.has(flag) && !w.includes("=")) i++;
  }
  return out;
}

export const resultCommand = (cmd: string): string => resultArgv(cmd.split(" ")).join(" ");
