// Verdict functions of the real-data claims, table-driven on small row fixtures:
// one fixture per verdict, plus the traps (NaN, a missing seed, one seed, holds at one setting only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { modestVerdict, mostVerdict, pairRows, pairedVerdict, type Pair } from "../src/experiments/real-claims.ts";
import { fig4Claim } from "../src/experiments/fig4.ts";
import { table1Claims } from "../src/experiments/table1.ts";
import { fig4 } from "../src/experiments/fig4.ts";
import { table1 } from "../src/experiments/table1.ts";
import type { Row } from "../src/experiments/types.ts";

/** pairs from "setting: base→treat, base→treat, …" per seed 0, 1, 2 … */
const P = (spec: Record<string, [number, number][]>): Pair[] =>
  Object.entries(spec).flatMap(([setting, xs]) => xs.map(([base, treat], seed) => ({ setting, seed, base, treat })));

const paired: { name: string; pairs: Pair[]; seeds: number[]; want: string }[] = [
  { name: "every seed up at every setting", pairs: P({ a: [[40, 42], [41, 41.5], [39, 40]], b: [[40, 41], [41, 43], [39, 39.1]] }), seeds: [0, 1, 2], want: "reproduced" },
  { name: "a tie on one seed still holds (≥), mean up", pairs: P({ a: [[40, 40], [41, 42], [39, 40]] }), seeds: [0, 1, 2], want: "reproduced" },
  { name: "holds at one setting only", pairs: P({ a: [[40, 42], [41, 42], [39, 40]], b: [[40, 39], [41, 40], [39, 38]] }), seeds: [0, 1, 2], want: "partly reproduced" },
  { name: "mean up but one seed down", pairs: P({ a: [[40, 45], [41, 40], [39, 41]] }), seeds: [0, 1, 2], want: "partly reproduced" },
  { name: "down everywhere", pairs: P({ a: [[40, 39], [41, 40], [39, 38]], b: [[40, 40], [41, 40.5], [39, 38]] }), seeds: [0, 1, 2], want: "not reproduced" },
  { name: "all equal: no gain", pairs: P({ a: [[40, 40], [41, 41]] }), seeds: [0, 1], want: "not reproduced" },
  { name: "trap: a NaN", pairs: P({ a: [[40, 42], [NaN, 42], [39, 40]] }), seeds: [0, 1, 2], want: "inconclusive" },
  { name: "trap: a missing seed", pairs: P({ a: [[40, 42], [41, 42]] }), seeds: [0, 1, 2], want: "inconclusive" },
  { name: "trap: one seed", pairs: P({ a: [[40, 50]] }), seeds: [0], want: "inconclusive" },
];

for (const c of paired)
  test(`pairedVerdict: ${c.name} → ${c.want}`, () => {
    const settings = [...new Set(c.pairs.map((p) => p.setting))];
    const v = pairedVerdict(c.pairs, c.seeds, settings);
    assert.equal(v.verdict, c.want, v.evidence);
    if (c.want === "inconclusive") assert.match(v.evidence, /inconclusive: /);
  });

test("pairedVerdict evidence carries the numbers: means, paired Δ ± sd, seeds agreeing", () => {
  const v = pairedVerdict(P({ "α=1": [[40, 42], [40, 44]] }), [0, 1], ["α=1"], "%");
  assert.equal(v.evidence, "α=1: 40 → 43%, paired Δ +3 ± 1.41 (2/2 seeds ≥ 0)");
});

const most: { name: string; pairs: Pair[]; want: string }[] = [
  { name: "up in 3 of 4 layers", pairs: P({ l1: [[70, 72], [71, 73]], l2: [[70, 71], [70, 72]], l3: [[70, 75], [70, 71]], l4: [[70, 69], [70, 68]] }), want: "reproduced" },
  { name: "up in 1 of 3 layers", pairs: P({ l1: [[70, 72], [71, 73]], l2: [[70, 69], [70, 69]], l3: [[70, 69], [70, 68]] }), want: "partly reproduced" },
  { name: "up in half the layers is not most", pairs: P({ l1: [[70, 72], [71, 73]], l2: [[70, 69], [70, 69]] }), want: "partly reproduced" },
  { name: "up in 1 of 12 layers while the mean over layers falls", pairs: P(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, i === 0 ? [[70, 71], [70, 71]] : [[70, 69.5], [70, 69.5]]]))), want: "not reproduced" },
  { name: "up in 4 of 12 layers, mean over layers down", pairs: P(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, i < 4 ? [[70, 71], [70, 71]] : [[70, 69], [70, 69]]]))), want: "partly reproduced" },
  { name: "down in every layer", pairs: P({ l1: [[70, 69], [71, 70]], l2: [[70, 69], [70, 69]] }), want: "not reproduced" },
  { name: "trap: NaN in one layer", pairs: P({ l1: [[70, 72], [71, 73]], l2: [[70, NaN], [70, 72]] }), want: "inconclusive" },
];
for (const c of most)
  test(`mostVerdict: ${c.name} → ${c.want}`, () => {
    const layers = [...new Set(c.pairs.map((p) => p.setting))];
    assert.equal(mostVerdict(c.pairs, [0, 1], layers).verdict, c.want);
  });

const modest: { name: string; pairs: Pair[]; want: string }[] = [
  { name: "FVU +5% and −2%", pairs: P({ a: [[0.2, 0.21], [0.2, 0.21]], b: [[0.2, 0.196], [0.2, 0.196]] }), want: "reproduced" },
  { name: "FVU +5% at one α, +50% at the other", pairs: P({ a: [[0.2, 0.21], [0.2, 0.21]], b: [[0.2, 0.3], [0.2, 0.3]] }), want: "partly reproduced" },
  { name: "FVU doubles", pairs: P({ a: [[0.2, 0.4], [0.2, 0.4]] }), want: "not reproduced" },
  { name: "trap: a missing seed", pairs: P({ a: [[0.2, 0.2]] }), want: "inconclusive" },
];
for (const c of modest)
  test(`modestVerdict (tol 10%): ${c.name} → ${c.want}`, () => {
    const s = [...new Set(c.pairs.map((p) => p.setting))];
    assert.equal(modestVerdict(c.pairs, [0, 1], s, 0.1).verdict, c.want);
  });

const row = (seed: number, label: string, sc: number, extra: Partial<Row> = {}): Row => ({ seed, label, sc, layer: "embedding", method: label === "SAE" ? "SAE" : "WSAE", ...extra });

test("pairRows pairs by seed and leaves a missing side as NaN", () => {
  const rows = [row(0, "SAE", 40), row(0, "W", 42), row(1, "SAE", 41)];
  const p = pairRows(rows, "sc", [0, 1], [{ name: "x", base: (r) => r.label === "SAE", treat: (r) => r.label === "W" }]);
  assert.deepEqual(p.slice(0, 1), [{ setting: "x", seed: 0, base: 40, treat: 42 }]);
  assert.ok(Number.isNaN(p[1]!.treat));
});

test("fig4's claim from rows: holds at α=1 only → partly; a missing WSAE seed → inconclusive", () => {
  const c = { ...fig4.presets.full };
  const rows = [0, 1, 2].flatMap((s) => [row(s, "SAE", 40), row(s, "WSAE (semantic, α=0.5)", 39), row(s, "WSAE (semantic, α=1)", 41 + s)]);
  assert.equal(fig4Claim(c, rows, [0, 1, 2]).verdict, "partly reproduced");
  assert.equal(fig4Claim(c, rows.filter((r) => !(r.seed === 2 && r.label === "WSAE (semantic, α=1)")), [0, 1, 2]).verdict, "inconclusive");
});

test("table1's claims are per score and α, over layers", () => {
  const c = { ...table1.presets.full };
  const rows: Row[] = [];
  for (const layer of ["layer 01", "layer 02", "layer 03"])
    for (const seed of [0, 1]) {
      rows.push({ seed, layer, label: "SAE", sc: 50, detection: 70 });
      rows.push({ seed, layer, label: "WSAE (variance, α=0.5)", sc: 49, detection: 71 });
      rows.push({ seed, layer, label: "WSAE (variance, α=1)", sc: 48, detection: layer === "layer 01" ? 72 : 69 });
    }
  const v = Object.fromEntries(table1Claims(c, rows, [0, 1]).map((x) => [x.id, x.verdict]));
  assert.equal(v["WSAE ≥ SAE in most layers — detection score, α=0.5"], "reproduced");
  assert.equal(v["WSAE ≥ SAE in most layers — detection score, α=1"], "partly reproduced");
  assert.equal(v["WSAE ≥ SAE in most layers — semantic consistency, α=1"], "not reproduced");
});

test("the above-chance check subtracts each model's shuffled-labels level: a gain from smaller active sets is not reproduced", () => {
  const c = { ...fig4.presets.full, alphas: [1] };
  const rows = [0, 1].flatMap((s) => [
    row(s, "SAE", 40, { sc_shuffled_labels: 20 }),
    row(s, "WSAE (semantic, α=1)", 43, { sc_shuffled_labels: 25 + s }), // +3 raw, but chance +5/+6
  ]);
  assert.equal(fig4Claim(c, rows, [0, 1]).verdict, "reproduced");
  const v = fig4Claim(c, rows, [0, 1], true);
  assert.equal(v.verdict, "not reproduced");
  assert.match(v.evidence, /α=1: 20 → 17.5 pts, paired Δ -2.5/);
});
