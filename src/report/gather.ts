/**
 * `wsae report`: one page over every artifact's results tree — which ran (full or
 * quick only), when, on which backend, from which code (provenance), and each claim's
 * verdict — linking to the artifact's summary.md and figure. Self-checks (identities
 * and worked arithmetic that cannot fail on data) and notes are listed apart from the
 * paper's claims and never counted as reproduced. Every tree is validated as read.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { PLANNED, artifact } from "../experiments/registry.ts";
import { CLAIM_VERDICTS, type Verdict } from "../experiments/types.ts";
import { UserError } from "../util/errors.ts";
import { markOf } from "./summary.ts";
import { readManifest, readTree, shown, type Manifest } from "./tree.ts";
import { validateTree } from "./validate.ts";

/** Where the numbers came from, in words: the code, whether it was clean and stayed so, re-rendering. */
export function provenance(m: Manifest): string {
  const g = m.git;
  const parts = [
    g ? `commit ${g.commit.slice(0, 10)}${g.src_dirty ?? g.dirty ? " **with uncommitted changes to src/**" : " (src/ clean)"}` : "no git information",
  ];
  if (m.git_changed_during_run === true) parts.push("**the code changed while it ran**");
  else if (m.git_changed_during_run === undefined) parts.push("whether the code changed during the run is not recorded");
  if (m.rerendered)
    parts.push(`summary and figure **re-rendered from the CSVs** on ${m.rerendered.at} by wsae ${m.rerendered.tool}` +
      (m.rerendered.git ? ` at ${m.rerendered.git.commit.slice(0, 10)}${m.rerendered.git.src_dirty ? " with uncommitted changes" : ""}` : ""));
  if (m.reused?.length) parts.push(`rows reused from ${m.reused.join(", ")}`);
  return parts.join("; ");
}

/** Short provenance flags for the overview table ("" when clean, unchanged and not re-rendered). */
function flags(m: Manifest): string {
  const f: string[] = [];
  if (!m.git) f.push("no git");
  else if (m.git.src_dirty ?? m.git.dirty) f.push("dirty src");
  if (m.git_changed_during_run === true) f.push("code changed during run");
  if (m.rerendered) f.push("re-rendered");
  return f.join(", ");
}

/**
 * REPORT.md of the trees under outRoot (full trees first, quick ones where no full run
 * exists). `quickOnly`: the quick trees alone, for <outRoot>/quick/REPORT.md (links
 * relative to quick/), which is what `wsae all --quick` writes.
 */
export function gatherReport(outRoot: string, quickOnly = false): string {
  if (!existsSync(outRoot)) throw new UserError(`--out ${shown(outRoot)}: no such folder (run an artifact first, e.g. wsae fig2 --quick)`);
  if (!statSync(outRoot).isDirectory()) throw new UserError(`--out ${shown(outRoot)}: not a folder`);
  const lines = [
    "# wsae results report",
    "",
    "Reproduction of *On the Limits of Sparse Autoencoders: A Theoretical Framework and Reweighted Remedy* (Cui, Zhang, Wang, Wang; ICLR 2026).",
    "Each artifact's `summary.md` has the numbers behind every verdict; reported numbers of the paper are shown there beside ours, never as ours.",
    "The claims column counts the paper's claims only; self-checks (identities and worked arithmetic that hold for any input) and notes (our own checks) are counted apart and never as reproduced.",
    "",
    "| artifact | run | paper's claims | self-checks, notes | provenance |",
    "|---|---|---|---|---|",
  ];
  const details: string[] = [];
  let found = 0;
  for (const p of PLANNED) {
    const full = join(outRoot, p.id), quick = join(outRoot, "quick", p.id);
    const fm = quickOnly ? null : readManifest(full);
    const qm = fm ? null : readManifest(quick);
    const m = fm ?? qm;
    if (!m) {
      lines.push(`| ${p.id} | not run | — | — | — |`);
      continue;
    }
    found++;
    const dir = fm ? full : quick;
    const a = artifact(p.id);
    if (a) validateTree(a, readTree(dir)!);
    const rel = fm || quickOnly ? p.id : `quick/${p.id}`;
    const count = (vs: readonly string[]) => {
      const c = new Map<string, number>();
      for (const x of m.claims) if (vs.includes(x.verdict)) c.set(x.verdict, (c.get(x.verdict) ?? 0) + 1);
      return [...c].map(([v, n]) => `${n}× ${markOf(v)}`).join(", ") || "—";
    };
    const other = ["self-check", "self-check failed", "note"] satisfies Verdict[];
    const unknown = m.claims.filter((c) => !(CLAIM_VERDICTS as string[]).includes(c.verdict) && !(other as string[]).includes(c.verdict));
    if (unknown.length) throw new UserError(`${shown(join(dir, "manifest.json"))}: unknown verdict '${unknown[0]!.verdict}'`);
    lines.push(`| [${p.id}](${rel}/summary.md) | ${m.preset}${m.preset.startsWith("quick") ? " only (smoke test)" : ""}, ${m.seeds.length} seed(s), ${m.backend.name} | ` +
      `${count(CLAIM_VERDICTS)} | ${count(other)} | ${flags(m) || "clean"} |`);
    const claims = m.claims.filter((c) => (CLAIM_VERDICTS as string[]).includes(c.verdict));
    const checks = m.claims.filter((c) => !(CLAIM_VERDICTS as string[]).includes(c.verdict));
    details.push(
      `## ${p.title}`, "",
      `\`${m.command}\` — ${m.preset} preset, seeds ${m.seeds.join(", ")}, backend ${m.backend.name} (${m.backend.mode}), finished ${m.ended || "n/a"}, ${Math.round(m.wall_s.run ?? 0)} s.`,
      "",
      `Provenance: ${provenance(m)}.`,
      "",
      ...(existsSync(join(dir, "figure.png")) ? [`![${p.id}](${rel}/figure.png)`, ""] : []),
      ...(claims.length ? ["The paper's claims:", "", ...claims.map((c) => `- ${markOf(c.verdict)}: ${c.id}`), ""] : []),
      ...(checks.length ? ["Self-checks and notes (not claims of the paper's experiments):", "", ...checks.map((c) => `- ${markOf(c.verdict)}: ${c.id}`), ""] : []),
    );
  }
  if (!found) throw new UserError(`--out ${shown(outRoot)}: no results tree of any artifact there (expected <out>/<artifact>/manifest.json)`);
  return [...lines, "", ...details].join("\n");
}
