// Semantic consistency and the label-based detection score on hand-computed cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { detectionScore, majorityLabels } from "../src/metrics/detection.ts";
import { semanticConsistency } from "../src/metrics/semantic.ts";
import { fromRows } from "../src/util/mat.ts";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("semantic consistency: majority share per firing latent, a never-firing latent is not scored, ties count once", () => {
  // latent 0: samples 0,1,2 (labels 0,0,1) → 2/3; latent 1 never fires; latent 2: samples 2,3 (1,1) → 1;
  // latent 3: samples 0,2 (labels 0,1), a tie → 1/2
  const Z = fromRows([[1, 0, 0, 2], [1, 0, 0, 0], [1, 0, 1, 1], [0, 0, 3, 0]]);
  const r = semanticConsistency(Z, [0, 0, 1, 1]);
  assert.equal(r.scored, 3);
  assert.ok(Number.isNaN(r.perLatent[1]!));
  close(r.perLatent[0]!, 2 / 3);
  close(r.perLatent[2]!, 1);
  close(r.perLatent[3]!, 1 / 2);
  close(r.percent, (100 * (2 / 3 + 1 + 1 / 2)) / 3);
});

test("semantic consistency with one class only is 100% for every firing latent", () => {
  const r = semanticConsistency(fromRows([[1, 0], [0, 2], [3, 0]]), [4, 4, 4]);
  assert.equal(r.percent, 100);
  assert.equal(r.scored, 2);
});

test("majority labels: ties go to the smallest label; a latent silent in training has no explanation", () => {
  const Z = fromRows([[1, 0, 1], [1, 0, 0], [1, 0, 1], [0, 0, 0]]);
  const m = majorityLabels(Z, [5, 5, 2, 9]);
  assert.deepEqual(Array.from(m.label), [5, 0, 2]); // latent 2: labels {5, 2} tie → 2
  assert.deepEqual(Array.from(m.has), [1, 0, 1]);
});

test("detection score: balanced accuracy of 'fires' from 'has the explained label', hand-computed", () => {
  // training: latent 0 fires on labels 0,0,1 → explanation 0; latent 1 never fires; latent 2 on labels 1,0 (tie) → 0
  const Ztr = fromRows([[1, 0, 0], [1, 0, 1], [1, 0, 1], [0, 0, 0]]);
  const ytr = [0, 0, 1, 1];
  // held-out labels 0,0,1,1,2; latent 0 fires on samples 0,2; latent 1 on 4 (no explanation); latent 2 on 0,1
  const Zte = fromRows([[1, 0, 1], [0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 1, 0]]);
  const r = detectionScore(Ztr, ytr, Zte, [0, 0, 1, 1, 2]);
  // latent 0: P(label 0 | fires) = 1/2, P(label ≠ 0 | silent) = 2/3 → 7/12
  close(r.perLatent[0]!, 0.5 * (1 / 2 + 2 / 3));
  assert.ok(Number.isNaN(r.perLatent[1]!), "no explanation → not scored");
  close(r.perLatent[2]!, 1); // fires exactly on the label-0 samples
  assert.equal(r.scored, 2);
  close(r.percent, 50 * (7 / 12 + 1));
});

test("detection score: a latent silent on held-out samples is not scored; one firing everywhere scores its precision", () => {
  const Ztr = fromRows([[1, 1], [1, 0]]);
  const Zte = fromRows([[1, 0], [1, 0], [1, 0]]);
  const r = detectionScore(Ztr, [3, 3], Zte, [3, 1, 3]);
  close(r.perLatent[0]!, 2 / 3); // no negatives: recall of the class present alone (scikit-learn's convention)
  assert.ok(Number.isNaN(r.perLatent[1]!));
  assert.equal(r.scored, 1);
});

test("detection score with one class only is 0.5 for a latent that fires on some samples", () => {
  const r = detectionScore(fromRows([[1], [0]]), [7, 7], fromRows([[1], [0], [2], [0]]), [7, 7, 7, 7]);
  close(r.perLatent[0]!, 0.5); // P(7 | fires) = 1, P(≠7 | silent) = 0
});

test("no latent fires: both scores are NaN with zero latents scored", () => {
  const Z = fromRows([[0, 0], [0, 0]]);
  assert.ok(Number.isNaN(semanticConsistency(Z, [0, 1]).percent));
  const d = detectionScore(Z, [0, 1], Z, [0, 1]);
  assert.ok(Number.isNaN(d.percent));
  assert.equal(d.scored, 0);
});
