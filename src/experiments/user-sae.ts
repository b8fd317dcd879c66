/**
 * `wsae train` / `wsae encode` below the CLI: an SAE or WSAE (the real-data Top-k SAE of
 * fig4–table2) trained on a user's own N×d matrix, measured on a seeded held-out share,
 * and applied to new data. Pure: arrays in, arrays and numbers out.
 */
import type { Backend } from "../compute/backend.ts";
import { detectionScore } from "../metrics/detection.ts";
import { deadLatents, l0, semanticConsistency } from "../metrics/index.ts";
import { encodeTopk, trainTopk, type TopkParams, type TopkSpec } from "../sae/topk-sae.ts";
import { gamma2Of } from "../sae/weights.ts";
import { UserError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";
import { stream } from "../util/rng.ts";
import { fvu, proxyGamma, rowsOf, splitIdx, type RealProxy } from "./real.ts";

export type UserSaeConfig = {
  width: number;
  k: number;
  proxy: RealProxy;
  alpha: number;
  steps: number;
  batch: number;
  lr: number;
  heldOut: number;
  seed: number;
  auxAlpha: number;
  deadSteps: number;
};

export type UserSaeMetrics = {
  samples_train: number; samples_held_out: number; d_in: number; d_sae: number; k: number;
  fvu: number; l0: number; dead_latents: number; train_fvu: number;
  semantic_consistency?: number; detection?: number;
};

export type UserSae = { spec: TopkSpec; params: TopkParams; gamma: Float64Array | null; metrics: UserSaeMetrics };

export function validateUserSae(c: UserSaeConfig, d: number, labels: Int32Array | null): void {
  if ((c.proxy === "semantic" || c.proxy === "shuffled") && !labels) throw new UserError(`--proxy ${c.proxy} needs --labels (semantic consistency of each input dim)`);
  if (c.k >= c.width) throw new UserError(`--k ${c.k} must be below --width ${c.width}`);
  if (c.width * d > 2 ** 27) throw new UserError(`--width ${c.width} × ${d} input dims = ${(c.width * d).toExponential(2)} weights per matrix (limit 1.34e+8)`);
}

/** Train on a seeded share of X, measure on the rest. */
export async function trainUserSae(
  backend: Backend, X: Mat, labels: Int32Array | null, c: UserSaeConfig, onStep?: (s: number) => void,
): Promise<UserSae> {
  validateUserSae(c, X.cols, labels);
  const split = splitIdx(X.rows, X.rows, c.heldOut, c.seed);
  const train = rowsOf(X, split.train), test = rowsOf(X, split.test);
  const yTrain = labels ? Int32Array.from(split.train, (i) => labels[i]!) : null;
  const yTest = labels ? Int32Array.from(split.test, (i) => labels[i]!) : null;
  const spec: TopkSpec = { d: X.cols, m: c.width, k: c.k };
  // variance and uniform need no labels; the label-based proxies were checked above
  const gamma = proxyGamma(c.proxy, c.alpha, train, yTrain ?? new Int32Array(train.rows), c.seed);
  const res = await trainTopk(backend, spec, train, {
    steps: c.steps, batch: c.batch, lr: c.lr, auxAlpha: c.auxAlpha, deadSteps: c.deadSteps, gamma2: gamma2Of(gamma),
  }, stream(c.seed, "sae:init:user"), stream(c.seed, "sae:batches:user"), onStep);
  const te = await encodeTopk(backend, spec, res.params, test);
  const metrics: UserSaeMetrics = {
    samples_train: train.rows, samples_held_out: test.rows, d_in: spec.d, d_sae: spec.m, k: spec.k,
    fvu: fvu(test, te.Xhat), l0: l0(te.Z), dead_latents: deadLatents(te.Z).count, train_fvu: res.finalFvu,
  };
  if (yTrain && yTest) {
    const tr = await encodeTopk(backend, spec, res.params, train);
    metrics.semantic_consistency = semanticConsistency(te.Z, yTest).percent;
    metrics.detection = detectionScore(tr.Z, yTrain, te.Z, yTest).percent;
  }
  return { spec, params: res.params, gamma, metrics };
}

/** Codes of every row of X under a trained SAE (N × d_sae, zeros where a latent is not kept). */
export async function encodeUser(backend: Backend, spec: TopkSpec, p: TopkParams, X: Mat): Promise<Mat> {
  if (X.cols !== spec.d) throw new UserError(`the data has ${X.cols} columns but the SAE reads ${spec.d}-d inputs`);
  return (await encodeTopk(backend, spec, p, X)).Z;
}
