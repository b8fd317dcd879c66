/**
 * Exact maximum-weight one-to-one matching (Hungarian, via `munkres`), and the feature→latent
 * alignment I* of docs/method.md §2. Never greedy: on [[0.9,0.8],[0.8,0]] greedy gets 0.9, optimal 1.6.
 */
import { munkres } from "munkres";
import { assertShape, type AnyMat } from "./types.ts";

export type Assignment = {
  /** rowToCol[r] = column matched to row r, or −1 when there are more rows than columns. */
  rowToCol: Int32Array;
  /** colToRow[c] = row matched to column c, or −1. */
  colToRow: Int32Array;
  /** Sum of the matched weights. */
  total: number;
};

/**
 * Maximum-weight matching on a rows × cols weight matrix; min(rows, cols) pairs are matched.
 * Costs are passed as max − w rather than −w so munkres only ever sees non-negative finite
 * numbers; the shift is the same for every complete matching, so the optimum is unchanged.
 */
export function maxWeightAssignment(W: AnyMat): Assignment {
  const { rows, cols, data } = W;
  const rowToCol = new Int32Array(rows).fill(-1);
  const colToRow = new Int32Array(cols).fill(-1);
  if (rows === 0 || cols === 0) return { rowToCol, colToRow, total: 0 };
  let max = -Infinity;
  for (let t = 0; t < data.length; t++) {
    const v = data[t]!;
    assertShape(Number.isFinite(v), "maxWeightAssignment", `non-finite weight ${v} at (${Math.floor(t / cols)}, ${t % cols})`);
    if (v > max) max = v;
  }
  const cost: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = new Float64Array(cols);
    for (let c = 0; c < cols; c++) row[c] = max - data[r * cols + c]!;
    cost.push(row);
  }
  let total = 0;
  for (const [r, c] of munkres(cost)) {
    rowToCol[r] = c;
    colToRow[c] = r;
    total += data[r * cols + c]!;
  }
  return { rowToCol, colToRow, total };
}

export type Alignment = {
  /** latentOf[i] = latent aligned to feature i, −1 if unmatched (only possible when n_m < n). */
  latentOf: Int32Array;
  /** featureOf[j] = feature aligned to latent j, −1 if none. */
  featureOf: Int32Array;
  /** Σ_i R[latentOf[i], i] over matched features. */
  total: number;
};

/**
 * I*: maximum-weight one-to-one assignment of features to latents on the response matrix R
 * (n_m × n). With n_m ≥ n every feature gets a latent, even one whose response to it is 0 —
 * I* is a permutation in the theory, and L_GT then charges the feature's full energy.
 */
export function alignFeatures(R: AnyMat): Alignment {
  // Features as rows, so the matching is indexed the way L_GT consumes it.
  const { rows: nm, cols: n } = R;
  const Rt = { rows: n, cols: nm, data: new Float64Array(n * nm) };
  for (let j = 0; j < nm; j++) for (let i = 0; i < n; i++) Rt.data[i * nm + j] = R.data[j * n + i]!;
  const a = maxWeightAssignment(Rt);
  assertShape(a.rowToCol.length === n, "alignFeatures", "internal shape error");
  return { latentOf: a.rowToCol, featureOf: a.colToRow, total: a.total };
}
