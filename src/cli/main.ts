/**
 * `wsae`: one command per artifact of the paper, plus `list`.
 * Errors the user can fix print one line and exit 2; a diverged training exits 3.
 */
import { Command, CommanderError, Option } from "commander";
import chalk from "chalk";
import { ARTIFACTS, PLANNED, artifact } from "../experiments/registry.ts";
import { BACKEND_CHOICES, GPUJS_MODES } from "../compute/index.ts";
import { DivergenceError, UserError } from "../util/errors.ts";
import { VERSION, runArtifact } from "./run.ts";
import { registerTheory } from "./theory.ts";
import { registerAll, registerMerge } from "./all.ts";
import { registerTrain } from "./train.ts";
import { registerVerify } from "./verify.ts";
import { gatherReport } from "../report/gather.ts";
import { writeFileAtomic } from "../report/write.ts";
import { join } from "node:path";
import { outRootOf } from "./run.ts";

/** Exit code a command asks for without throwing (verify: 1 when something moved). */
let exitCode = 0;

function build(): Command {
  const program = new Command("wsae")
    .description("Reproduce, figure by figure, 'On the Limits of Sparse Autoencoders' (Cui et al., ICLR 2026).")
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(chalk.red(`wsae: ${oneLine(s)}`) + "\n") })
    .addHelpText("after", "\nExamples:\n  wsae list\n  wsae fig2 --quick\n  wsae fig2 --seeds 5 --sparsities 0.5,0.9,0.99\n");

  program
    .command("list")
    .description("every artifact of the paper, and whether it is implemented")
    .option("--ids", "only the ids of the implemented artifacts, one per line (for scripts)")
    .addHelpText("after", "\nExample:\n  wsae list\n  for a in $(wsae list --ids); do wsae $a --quick; done\n")
    .action((o: { ids?: boolean }) => {
      if (o.ids) return void process.stdout.write(ARTIFACTS.map((a) => `${a.id}\n`).join(""));
      for (const p of PLANNED) {
        const ok = Boolean(artifact(p.id));
        process.stdout.write(`${ok ? chalk.green("✔") : chalk.gray("·")} ${p.id.padEnd(10)} ${p.title}${ok ? "" : chalk.gray("  (not implemented yet)")}\n`);
      }
    });

  for (const a of ARTIFACTS) {
    const cmd = program
      .command(a.id)
      .description(a.title)
      .option("--quick", "the quick preset: seconds, for tests and CI (written under <out>/quick/)")
      .option("--seeds <n>", "number of seeds (default 3, quick 1)")
      .option("--seed <n>", "first seed (default 0); seeds are seed, seed+1, …")
      .option("--out <dir>", "results root", "results")
      .addOption(new Option("--backend <name>", "compute backend (auto: gpu.js on a real GPU, else wasm SIMD)").choices(BACKEND_CHOICES).default("auto"))
      .option("--jobs <n>", "trainings run in parallel on worker threads, 1-64 (default: the number of cores)")
      .addOption(new Option("--gpujs-mode <mode>", "gpu.js mode for --backend gpujs").choices(GPUJS_MODES).default("webasm"))
      .option("--quiet", "no progress output")
      .option("--from-results", "rebuild summary.md, figure and manifest from this artifact's existing CSVs, training nothing")
      .option("--shard <i/n>", "run every n-th training only (the i-th share) and write a shard tree; join the shards with 'wsae merge'")
      .option("--resume", "reuse trainings finished by an earlier run of the same code and settings (cached under ~/.cache/wsae; WSAE_CACHE_DIR overrides)");
    for (const o of a.options) cmd.option(o.flags, o.description);
    cmd.addHelpText("after", `\n${a.paper}\n\nExamples:\n${a.examples.map((e) => `  ${e}`).join("\n")}\n`);
    cmd.action(async (opts: Record<string, unknown>) => {
      await runArtifact(a, opts, process.argv.slice(2));
    });
  }
  program
    .command("report")
    .description("gather every artifact's verdicts into <out>/REPORT.md (reads manifests; trains nothing)")
    .option("--out <dir>", "results root", "results")
    .addHelpText("after", "\nExample:\n  wsae report            # writes results/REPORT.md\n")
    .action((o: { out: string }) => {
      const root = outRootOf(o.out);
      const path = join(root, "REPORT.md");
      writeFileAtomic(path, gatherReport(root));
      process.stdout.write(`wrote ${path}\n`);
    });

  registerAll(program);
  registerMerge(program);
  registerTrain(program);
  registerVerify(program, (c) => (exitCode = c));
  registerTheory(program);
  return program;
}

/** commander puts "(Did you mean …?)" on a second line; users get one. */
function oneLine(s: string): string {
  const line = s.trim().split(/\s*\n\s*/).join(" ");
  return /unknown command/.test(line) ? `${line} ('wsae list' shows every artifact)` : line;
}

export async function main(argv: string[]): Promise<number> {
  const program = build();
  exitCode = 0;
  try {
    // no command, or help for a command that does not exist, is a usage error (exit 2), not success
    if (!argv.length) {
      process.stderr.write(program.helpInformation());
      process.stderr.write(chalk.red("wsae: error: no command given ('wsae list' shows the artifacts)") + "\n");
      return 2;
    }
    if (argv[0] === "help" && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1]))
      throw new UserError(`unknown command '${argv[1]}' ('wsae list' shows every artifact)`);
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(chalk.red(`wsae: error: ${e.message}`) + "\n");
      return 2;
    }
    if (e instanceof DivergenceError) {
      process.stderr.write(chalk.red(`wsae: ${e.message}`) + "\n");
      return 3;
    }
    const err = e as Error;
    process.stderr.write(chalk.red(`wsae: internal error: ${err?.message ?? String(e)}`) + "\n");
    if (process.env.WSAE_DEBUG) process.stderr.write(`${err?.stack}\n`);
    else process.stderr.write("(set WSAE_DEBUG=1 for the stack trace)\n");
    return 1;
  }
}
