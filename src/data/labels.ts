/**
 * A user's own data for the real-data artifacts: `--embeddings FILE --labels FILE` (one N×d
 * matrix) or `--activations DIR --labels FILE` (one N×d_l .npy per layer, layers in file-name
 * order). Every problem is one UserError line naming the file: shape, dtype, NaN/Inf (from
 * matfile.ts), N against the label count, fewer than two classes, non-integer labels, sizes.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";
import { readLabels, readMatrix32 } from "./matfile.ts";

export type UserData = { layers: { name: string; X: Mat }[]; labels: Int32Array; source: string };

/** Limits that keep a wrong file from allocating the machine away. */
export const MAX_DIM = 8192;
export const MAX_ROWS = 2_000_000;
export const MAX_LAYERS = 128;

function checkLabels(labels: Int32Array, path: string, N: number, what: string): void {
  if (labels.length !== N) throw new UserError(`${path}: ${labels.length} labels, but ${what} has ${N} rows`);
  const first = labels[0]!;
  if (labels.every((v) => v === first)) throw new UserError(`${path}: every label is ${first}; scores need at least two classes`);
}

export function checkMatrix(X: Mat, path: string): void {
  if (X.cols > MAX_DIM) throw new UserError(`${path}: ${X.cols} columns is over the limit of ${MAX_DIM}`);
  if (X.rows > MAX_ROWS) throw new UserError(`${path}: ${X.rows} rows is over the limit of ${MAX_ROWS}`);
  if (X.rows < 20) throw new UserError(`${path}: ${X.rows} rows is too few to split into training and held-out samples (need >= 20)`);
}

export function loadUserEmbeddings(path: string, labelsPath: string): UserData {
  const X = readMatrix32(path);
  checkMatrix(X, path);
  const labels = readLabels(labelsPath);
  checkLabels(labels, labelsPath, X.rows, path);
  return { layers: [{ name: "embedding", X }], labels, source: `user embeddings ${path} (${X.rows}×${X.cols}), labels ${labelsPath}` };
}

export function loadUserActivations(dir: string, labelsPath: string): UserData {
  if (!existsSync(dir)) throw new UserError(`${dir}: folder not found`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: not a folder (--activations takes a folder of per-layer .npy files)`);
  const files = readdirSync(dir).filter((f) => f.toLowerCase().endsWith(".npy")).sort();
  if (!files.length) throw new UserError(`${dir}: no .npy files (expected one N×d array per layer)`);
  if (files.length > MAX_LAYERS) throw new UserError(`${dir}: ${files.length} layers is over the limit of ${MAX_LAYERS}`);
  const labels = readLabels(labelsPath);
  const layers = files.map((f) => {
    const p = join(dir, f);
    const X = readMatrix32(p);
    checkMatrix(X, p);
    if (X.rows !== labels.length) throw new UserError(`${p}: ${X.rows} rows, but ${labelsPath} has ${labels.length} labels`);
    return { name: f.replace(/\.npy$/i, ""), X };
  });
  checkLabels(labels, labelsPath, layers[0]!.X.rows, join(dir, files[0]!));
  return { layers, labels, source: `user activations ${dir} (${files.length} layers: ${files.join(", ")}; ${labels.length} rows), labels ${labelsPath}` };
}
