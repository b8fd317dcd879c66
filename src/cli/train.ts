/**
 * `wsae train` fits an SAE or WSAE (the real-data Top-k SAE) to your own N×d matrix and
 * writes it where SAE users load it; `wsae encode` applies one to new data.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { createBackend } from "../compute/index.ts";
import { checkMatrix, loadUserEmbeddings } from "../data/labels.ts";
import { encodeNpy, readMatrix32 } from "../data/matfile.ts";
import { REAL_PROXIES, type RealProxy } from "../experiments/real.ts";
import { encodeUser, trainUserSae, validateUserSae, type UserSaeConfig } from "../experiments/user-sae.ts";
import { readSae, saeFiles } from "../report/saelens.ts";
import { writeFileAtomic, writeTreeAtomic } from "../report/write.ts";
import { UserError } from "../util/errors.ts";
import { parseIntFlag, parseNumFlag, parseSeeds } from "../util/parse.ts";
import { Progress } from "./progress.ts";
import { VERSION } from "./run.ts";

type TrainOpts = {
  data: string; labels?: string; width: string; k: string; alpha: string; proxy: string; out: string;
  steps: string; batch: string; lr: string; heldOut: string; seed?: string; backend?: string; quiet?: boolean;
};

function parseProxy(raw: string): RealProxy {
  if (!(REAL_PROXIES as string[]).includes(raw)) throw new UserError(`--proxy must be one of ${REAL_PROXIES.join(", ")} (got '${raw}')`);
  return raw as RealProxy;
}

/** The matrix alone (no labels), with the same limits as the artifacts' user data. */
function readData(path: string) {
  const X = readMatrix32(path);
  checkMatrix(X, path);
  return X;
}

/**
 * A folder for the SAE, replaced whole: it must be new, empty, or an earlier `wsae train`
 * output (cfg.json + sae_weights.safetensors), so a typo never wipes other files.
 */
function checkOutDir(out: string): string {
  if (!out.trim()) throw new UserError("--out needs a folder");
  const dir = resolve(out);
  if (!existsSync(dir)) return dir;
  if (!statSync(dir).isDirectory()) throw new UserError(`--out ${out}: exists and is not a folder`);
  const files = readdirSync(dir);
  const earlier = files.includes("cfg.json") && files.includes("sae_weights.safetensors");
  if (files.length && !earlier) throw new UserError(`--out ${out}: holds other files; give a new or empty folder (or an earlier 'wsae train' output to replace)`);
  return dir;
}

export function registerTrain(program: Command): void {
  program
    .command("train")
    .description("train an SAE or WSAE (Top-k, untied, unit-norm decoder) on your own N×d data; write cfg.json + sae_weights.safetensors (SAELens names), .npy copies and metrics")
    .requiredOption("--data <file>", "N×d matrix (.npy float32/float64 or .csv), one sample per row")
    .option("--labels <file>", "class labels (.npy/.csv), one per row: enable the semantic and shuffled proxies and the label-based scores")
    .option("--width <int>", "latents d_sae", "4096")
    .option("--k <int>", "latents kept per sample (Top-k)", "32")
    .option("--proxy <name>", `weights Γ: ${REAL_PROXIES.join(" | ")} (uniform = the plain SAE)`, "uniform")
    .option("--alpha <x>", "α of γ_i = s_i^α (0 = the plain SAE; negative allowed: --alpha=-1)", "1")
    .option("--steps <int>", "training steps", "2000")
    .option("--batch <int>", "samples per step", "256")
    .option("--lr <x>", "Adam learning rate", "1e-3")
    .option("--held-out <x>", "share of rows held out for the metrics (split by seed)", "0.1")
    .option("--seed <n>", "seed of the split, init and batches", "0")
    .option("--backend <name>", "compute backend")
    .requiredOption("--out <dir>", "folder for the SAE (replaced whole)")
    .option("--quiet", "no progress output")
    .addHelpText("after", "\nExamples:\n  wsae train --data acts.npy --width 8192 --k 32 --proxy variance --alpha 1 --out sae-l3\n" +
      "  wsae train --data feats.npy --labels y.npy --width 2048 --k 16 --proxy semantic --out wsae-vision\n" +
      "  wsae encode --sae sae-l3 --data more_acts.npy --out codes.npy\n")
    .action(async (o: TrainOpts) => {
      const c: UserSaeConfig = {
        width: parseIntFlag("--width", 2, 1 << 16)(o.width),
        k: parseIntFlag("--k", 1, 4096)(o.k),
        proxy: parseProxy(o.proxy),
        alpha: parseNumFlag("--alpha", (v) => Math.abs(v) <= 10, "in [-10, 10]")(o.alpha),
        steps: parseIntFlag("--steps", 1, 1_000_000)(o.steps),
        batch: parseIntFlag("--batch", 2, 65536)(o.batch),
        lr: parseNumFlag("--lr", (v) => v > 0 && v <= 1, "in (0, 1]")(o.lr),
        heldOut: parseNumFlag("--held-out", (v) => v >= 0.01 && v <= 0.5, "in [0.01, 0.5]")(o.heldOut),
        seed: parseSeeds("1", o.seed, 1)[0]!,
        auxAlpha: 1 / 32, deadSteps: 100,
      };
      const dir = checkOutDir(o.out);
      const { X, labels } = o.labels
        ? (() => { const u = loadUserEmbeddings(o.data, o.labels!); return { X: u.layers[0]!.X, labels: u.labels }; })()
        : { X: readData(o.data), labels: null };
      validateUserSae(c, X.cols, labels);
      const backend = createBackend(o.backend ?? "auto");
      const progress = Progress.auto("train", Boolean(o.quiet));
      progress.plan(c.steps, "steps");
      let fit;
      try {
        fit = await trainUserSae(backend, X, labels, c, (s) => progress.tick(`step ${s}`));
      } finally {
        progress.stop();
        await backend.dispose();
      }
      const wsae = { tool: `wsae ${VERSION}`, data: o.data, labels: o.labels ?? null, backend: `${backend.name} (${backend.mode})`, ...c };
      writeTreeAtomic(dir, saeFiles(fit.spec, fit.params, fit.gamma, wsae, fit.metrics));
      const m = fit.metrics;
      progress.line(`train: ${m.d_in}→${m.d_sae} latents, k=${m.k}: held-out FVU ${m.fvu.toFixed(4)}, L0 ${m.l0.toFixed(1)}, dead ${m.dead_latents}` +
        (m.semantic_consistency !== undefined ? `, semantic consistency ${m.semantic_consistency.toFixed(1)}%, detection ${m.detection!.toFixed(1)}%` : "") +
        `; wrote ${relative(process.cwd(), dir) || "."}/`);
    });

  program
    .command("encode")
    .description("apply a trained SAE (a `wsae train` folder) to N×d data; write the N×d_sae codes as .npy")
    .requiredOption("--sae <dir>", "folder with cfg.json and sae_weights.safetensors")
    .requiredOption("--data <file>", "N×d matrix (.npy/.csv)")
    .requiredOption("--out <file>", "codes .npy (float32, N×d_sae)")
    .option("--backend <name>", "compute backend")
    .addHelpText("after", "\nExample:\n  wsae encode --sae sae-l3 --data acts.npy --out codes.npy\n")
    .action(async (o: { sae: string; data: string; out: string; backend?: string }) => {
      if (!o.out.trim()) throw new UserError("--out needs a file name");
      if (existsSync(o.out) && statSync(o.out).isDirectory()) throw new UserError(`--out ${o.out}: is a folder; give a file name such as codes.npy`);
      const { spec, params } = readSae(o.sae);
      const X = readMatrix32(o.data);
      if (X.cols !== spec.d) throw new UserError(`${o.data}: ${X.cols} columns, but the SAE in ${o.sae} reads ${spec.d}-d inputs`);
      if (X.rows * spec.m > 2 ** 28) throw new UserError(`${o.data}: ${X.rows} rows × ${spec.m} latents is over the limit of 2.7e+8 codes; split the data`);
      const backend = createBackend(o.backend ?? "auto");
      try {
        const Z = await encodeUser(backend, spec, params, X);
        writeFileAtomic(o.out, encodeNpy({ dtype: "f4", shape: [Z.rows, Z.cols], data: Z.data }));
        process.stderr.write(`encode: ${Z.rows} rows → ${Z.cols} latents (k=${spec.k}); wrote ${o.out}\n`);
      } finally {
        await backend.dispose();
      }
    });
}
