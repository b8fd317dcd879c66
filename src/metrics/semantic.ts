/**
 * Semantic consistency (docs/method.md §2), following PKU-ML's `cluster_acc` (non_neg/main_eval.py):
 * keep columns positive somewhere, L2-normalise each sample (row), and for each column take the
 * samples with |ẑ| > thresh; the column's score is the share of its most common label.
 */
import { assertShape, type AnyMat } from "./types.ts";

export type SemanticConsistency = {
  /** Mean of the scored columns' shares × 100; NaN when no column is scored. */
  percent: number;
  /** Number of columns scored. */
  scored: number;
  /** Per column: share of the most common label in [0, 1], NaN when the column is not scored. */
  perLatent: Float64Array;
};

/**
 * @param Z      N × m activations (SAE latents, or input dims x_p for the `semantic` weight proxy).
 * @param labels length N class labels (any integers).
 * @param thresh activity threshold on the row-normalised values (PKU-ML: 1e-5).
 * The row normalisation makes `thresh` relative to each sample's total activation, so a latent
 * counts as active on a sample only when it is a non-negligible part of that sample's code.
 * A column is scored if some z > 0 (PKU-ML keeps columns with Σ relu(z) > 0) and at least one
 * sample passes the threshold (PKU-ML skips empty sets). All-zero rows stay zero (F.normalize
 * divides by max(‖z‖, 1e-12)) and so never count.
 */
export function semanticConsistency(Z: AnyMat, labels: ArrayLike<number>, thresh = 1e-5): SemanticConsistency {
  const N = Z.rows, m = Z.cols;
  assertShape(labels.length === N, "semanticConsistency", `labels length ${labels.length} != ${N} samples`);
  const inv = new Float64Array(N);
  for (let s = 0; s < N; s++) {
    let q = 0;
    for (let j = 0; j < m; j++) q += Z.data[s * m + j]! ** 2;
    inv[s] = 1 / Math.max(Math.sqrt(q), 1e-12);
  }
  const perLatent = new Float64Array(m).fill(NaN);
  let scored = 0, sum = 0;
  const counts = new Map<number, number>();
  for (let j = 0; j < m; j++) {
    let positive = false;
    for (let s = 0; s < N && !positive; s++) positive = Z.data[s * m + j]! > 0;
    if (!positive) continue;
    counts.clear();
    let active = 0, best = 0;
    for (let s = 0; s < N; s++) {
      if (!(Math.abs(Z.data[s * m + j]! * inv[s]!) > thresh)) continue;
      const y = labels[s]!;
      const c = (counts.get(y) ?? 0) + 1;
      counts.set(y, c);
      if (c > best) best = c;
      active++;
    }
    if (active === 0) continue;
    perLatent[j] = best / active;
    scored++;
    sum += best / active;
  }
  return { percent: scored ? (100 * sum) / scored : NaN, scored, perLatent };
}
