/**
 * Label-based detection score (docs/method.md §2), our stand-in for the paper's LLM-judged
 * auto-interpretability score, modelled on detection scoring (an explainer describes a latent,
 * a scorer predicts from the description where it fires):
 *   explanation of latent j = the most common label among the training samples where j fires
 *     (ties: the smallest label, so the score is deterministic);
 *   score of latent j = balanced accuracy, on held-out samples, of predicting "j fires" from
 *     "the sample carries that label": ½ (P(label = c | fires) + P(label ≠ c | does not fire)).
 * Scored: latents that fire on some training sample (they have an explanation) and on some
 * held-out sample ("latents that fire"). A latent that fires on every held-out sample has no
 * negatives; as scikit-learn's balanced_accuracy_score does, the score is then the recall of the
 * class present alone: P(label = c | fires).
 * "Fires" = activation > 0 (Top-k latents are exactly 0 when not selected).
 */
import { assertShape, type AnyMat } from "./types.ts";

export type Detection = {
  /** Mean over scored latents × 100; NaN when none is scored. */
  percent: number;
  scored: number;
  /** Per latent: balanced accuracy in [0, 1], NaN when not scored. */
  perLatent: Float64Array;
  /** Per latent: its explanation (majority training label); meaningful where `explained` is 1. */
  explanation: Int32Array;
  /** 1 where the latent fires on some training sample (so it has an explanation). */
  explained: Uint8Array;
};

/** Majority label among the rows where column j of Z is > 0; ties → smallest label; has[j] = 0 if none. */
export function majorityLabels(Z: AnyMat, labels: ArrayLike<number>): { label: Int32Array; has: Uint8Array } {
  const N = Z.rows, m = Z.cols;
  assertShape(labels.length === N, "majorityLabels", `labels length ${labels.length} != ${N} samples`);
  const out = new Int32Array(m), has = new Uint8Array(m);
  const counts = new Map<number, number>();
  for (let j = 0; j < m; j++) {
    counts.clear();
    for (let s = 0; s < N; s++) if (Z.data[s * m + j]! > 0) counts.set(labels[s]!, (counts.get(labels[s]!) ?? 0) + 1);
    let best = 0, bestLabel = 0;
    for (const [y, c] of counts) if (c > best || (c === best && y < bestLabel)) { best = c; bestLabel = y; }
    out[j] = bestLabel;
    has[j] = best > 0 ? 1 : 0;
  }
  return { label: out, has };
}

export function detectionScore(Ztrain: AnyMat, yTrain: ArrayLike<number>, Ztest: AnyMat, yTest: ArrayLike<number>): Detection {
  assertShape(Ztrain.cols === Ztest.cols, "detectionScore", `train has ${Ztrain.cols} latents, held-out ${Ztest.cols}`);
  assertShape(yTest.length === Ztest.rows, "detectionScore", `labels length ${yTest.length} != ${Ztest.rows} samples`);
  const { label: explanation, has: explained } = majorityLabels(Ztrain, yTrain);
  const N = Ztest.rows, m = Ztest.cols;
  const perLatent = new Float64Array(m).fill(NaN);
  let sum = 0, scored = 0;
  for (let j = 0; j < m; j++) {
    const c = explanation[j]!;
    if (!explained[j]) continue;
    let tp = 0, pos = 0, tn = 0, neg = 0;
    for (let s = 0; s < N; s++) {
      const fires = Ztest.data[s * m + j]! > 0, hit = yTest[s] === c;
      if (fires) { pos++; if (hit) tp++; } else { neg++; if (!hit) tn++; }
    }
    if (pos === 0) continue;
    const ba = neg === 0 ? tp / pos : 0.5 * (tp / pos + tn / neg);
    perLatent[j] = ba;
    sum += ba;
    scored++;
  }
  return { percent: scored ? (100 * sum) / scored : NaN, scored, perLatent, explanation, explained };
}
