/**
 * `wsae all` runs every implemented artifact in the paper's order, resumably (each
 * finished training is cached by a hash of its job, backend and code), then prints one
 * table and writes REPORT.md. `wsae merge DIR…` joins shard trees (see shards.ts).
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import chalk from "chalk";
import { ARTIFACTS, artifact } from "../experiments/registry.ts";
import { gatherReport } from "../report/gather.ts";
import { writeFileAtomic } from "../report/write.ts";
import { UserError } from "../util/errors.ts";
import { runArtifact, type CommonOptions } from "./run.ts";
import { jobCache } from "./jobs.ts";
import { readShardGroups } from "./shards.ts";

type Done = { id: string; verdicts: string; key: string; seconds: number; executed: number; reused: number };

const SHORT: Record<string, string> = {
  reproduced: "✅", "partly reproduced": "🟡", "not reproduced": "❌", inconclusive: "⚪", note: "ℹ️", "self-check": "🔧",
};

/** The first claim's verdict and the head of its evidence: the number a reader looks for first. */
function keyNumber(claims: { id: string; verdict: string; evidence?: string }[]): string {
  const c = claims.find((x) => x.verdict !== "note" && x.verdict !== "self-check") ?? claims[0];
  if (!c) return "";
  const cut = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);
  return `${cut(c.id, 36)}: ${cut((c.evidence ?? "").split(/;|\. /)[0]!.trim(), 56)}`;
}

export function table(done: Done[]): string {
  const head = ["artifact", "verdicts", "key number", "wall", "trainings run / reused"];
  const rows = done.map((d) => [d.id, d.verdicts, d.key, `${d.seconds.toFixed(0)} s`, `${d.executed} / ${d.reused}`]);
  const w = head.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) => r.map((c, i) => c + " ".repeat(w[i]! - [...c].length)).join("  ");
  return [line(head), w.map((n) => "─".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

export function registerAll(program: Command): void {
  program
    .command("all")
    .description("run every artifact (resumable: finished trainings are cached), print a table, write <out>/REPORT.md")
    .option("--quick", "every artifact's quick preset (written under <out>/quick/)")
    .option("--seeds <n>", "number of seeds (default 3, quick 1)")
    .option("--seed <n>", "first seed (default 0)")
    .option("--out <dir>", "results root", "results")
    .option("--backend <name>", "compute backend")
    .option("--only <list>", "a subset of artifacts, e.g. fig2,fig3")
    .option("--no-cache", "neither reuse nor keep finished trainings (no resume; the built-in embedders keep their own cache, see fig4 --no-cache)")
    .option("--quiet", "no progress output")
    .addHelpText("after", "\nExamples:\n  wsae all --quick      # every artifact's smoke test, about a minute\n  wsae all              # the full reproduction; rerun after a kill to resume\n")
    .action(async (o: CommonOptions & { only?: string; cache?: boolean }) => {
      const ids = o.only ? o.only.split(",").map((s) => s.trim()).filter(Boolean) : ARTIFACTS.map((a) => a.id);
      for (const id of ids) if (!artifact(id)) throw new UserError(`--only: unknown or unimplemented artifact '${id}' ('wsae list' shows them)`);
      const root = resolve(o.out ?? "results");
      const store = o.cache === false ? undefined : jobCache();
      const done: Done[] = [];
      const t0 = performance.now();
      for (const [i, id] of ids.entries()) {
        const a = artifact(id)!;
        if (!o.quiet) process.stderr.write(chalk.bold(`wsae all: [${i + 1}/${ids.length}] ${id} — ${a.title}\n`));
        const argv = [id, ...(o.quick ? ["--quick"] : []), ...(o.seeds ? ["--seeds", o.seeds] : []), ...(o.seed ? ["--seed", o.seed] : []),
          ...(o.backend ? ["--backend", o.backend] : [])];
        const t = performance.now();
        const opts: CommonOptions & Record<string, unknown> = { quick: o.quick, seeds: o.seeds, seed: o.seed, out: root, quiet: o.quiet };
        if (o.backend) opts.backend = o.backend;
        const dir = await runArtifact(a, opts, argv, { store });
        const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { claims: { id: string; verdict: string; evidence?: string }[]; trainings?: { executed: number; reused: number } };
        const counts = new Map<string, number>();
        for (const c of m.claims) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
        done.push({
          id, verdicts: [...counts].map(([v, n]) => `${n}${SHORT[v] ?? v}`).join(" "), key: keyNumber(m.claims),
          seconds: (performance.now() - t) / 1000, executed: m.trainings?.executed ?? 0, reused: m.trainings?.reused ?? 0,
        });
      }
      // a quick run reports on the quick trees, beside them, and never replaces the full REPORT.md
      const report = o.quick ? join(root, "quick", "REPORT.md") : join(root, "REPORT.md");
      writeFileAtomic(report, gatherReport(root, Boolean(o.quick)));
      process.stdout.write(`${table(done)}\n\nall ${ids.length} artifacts in ${((performance.now() - t0) / 1000).toFixed(0)} s; wrote ${relative(process.cwd(), report)}\n`);
    });
}

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description("join the shard trees of a run split with --shard i/n into the tree one run writes")
    .argument("<dirs...>", "folders holding shard trees (searched recursively)")
    .option("--out <dir>", "results root to write the joined tree(s) into", "results")
    .option("--quiet", "no progress output")
    .addHelpText("after", "\nExample:\n  wsae fig3 --shard 1/2 --out s1 & wsae fig3 --shard 2/2 --out s2; wait\n  wsae merge s1 s2            # writes results/fig3/ as 'wsae fig3' would\n")
    .action(async (dirs: string[], o: { out: string; quiet?: boolean }) => {
      for (const g of readShardGroups(dirs)) {
        const a = artifact(g.manifest.artifact)!;
        const opts = { ...(g.manifest.options as Record<string, unknown>), out: resolve(o.out), quiet: o.quiet, shard: undefined, resume: undefined };
        await runArtifact(a, opts, g.manifest.argv, {
          store: g.store, storedOnly: "merge", mergedFrom: g.dirs.map((d) => relative(process.cwd(), d) || d),
        });
      }
    });
}
