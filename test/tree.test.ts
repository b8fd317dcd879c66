// Results trees read back: validation of tampered trees (--from-results, report, verify),
// `wsae verify`'s tolerances, REPORT.md's provenance, and the repair of interrupted writes.
// Works on copies of the committed quick trees (results/quick), so nothing trains here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { artifact } from "../src/experiments/registry.ts";
import { verify } from "../src/cli/verify.ts";
import { compareTrees, TOLERANCE, within } from "../src/report/compare.ts";
import { gatherReport } from "../src/report/gather.ts";
import { readTree } from "../src/report/tree.ts";
import { validateTree } from "../src/report/validate.ts";
import { recoverInterrupted } from "../src/report/write.ts";
import { UserError } from "../src/util/errors.ts";
import { ROOT } from "../src/util/root.ts";
import { tmp } from "./helpers.ts";

const BIN = join(ROOT, "bin", "wsae.mjs");
const wsae = (args: string[], timeout = 60_000) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout, env: { ...process.env, FORCE_COLOR: "0" } });
const COMMITTED = join(ROOT, "results", "quick");

/** A results root holding a copy of the committed quick tree of each id. */
function copyRoot(...ids: string[]): string {
  const root = tmp("wsae-tree-");
  for (const id of ids) cpSync(join(COMMITTED, id), join(root, "quick", id), { recursive: true });
  return root;
}
const edit = (path: string, f: (s: string) => string) => writeFileSync(path, f(readFileSync(path, "utf8")));
const csvLines = (path: string) => readFileSync(path, "utf8").trimEnd().split("\n");
const setCell = (path: string, line: number, column: string, value: string) => {
  const lines = csvLines(path), head = lines[0]!.split(",");
  const cells = lines[line]!.split(",");
  cells[head.indexOf(column)] = value;
  lines[line] = cells.join(",");
  writeFileSync(path, lines.join("\n") + "\n");
};
function invalid(id: string, tamper: (dir: string) => void): string {
  const root = copyRoot(id), dir = join(root, "quick", id);
  tamper(dir);
  try {
    validateTree(artifact(id)!, readTree(dir)!);
  } catch (e) {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  assert.fail(`tampered ${id} tree accepted`);
}

test("the committed quick trees are valid", () => {
  for (const id of ["fig1", "fig2", "fig3", "table3"]) validateTree(artifact(id)!, readTree(join(COMMITTED, id))!);
});

const TAMPER: [string, string, (dir: string) => void, RegExp][] = [
  ["fig2", "empty data.csv", (d) => writeFileSync(join(d, "data.csv"), ""), /data.csv: no data rows/],
  ["fig2", "header-only data.csv", (d) => writeFileSync(join(d, "data.csv"), csvLines(join(d, "data.csv"))[0] + "\n"), /no data rows/],
  ["fig2", "a dropped column", (d) => edit(join(d, "data.csv"), (s) => s.split("\n").map((l) => l.split(",").slice(0, -1).join(",")).join("\n")), /column train_loss missing/],
  ["fig2", "a NaN cell", (d) => setCell(join(d, "data.csv"), 1, "l_gt", "NaN"), /row 1, column l_gt is NaN \(NaN\/Inf not allowed\)/],
  ["fig2", "a text cell in a number column", (d) => setCell(join(d, "data.csv"), 2, "l_sae", "oops"), /row 2, column l_sae is 'oops', not a number/],
  ["fig2", "a value out of range", (d) => setCell(join(d, "data.csv"), 1, "matched_cos", "1.5"), /column matched_cos is 1.5, above 1/],
  ["fig2", "a duplicate row", (d) => edit(join(d, "data.csv"), (s) => s + s.trimEnd().split("\n")[1] + "\n"), /rows 1 and \d+ are duplicates/],
  ["fig2", "a row whose S is not in the config", (d) => setCell(join(d, "data.csv"), 3, "S", "0.999"), /not implied by the manifest's config and seeds, e.g. generator, bias, l1, S, seed = polygon · false · 0.1 · 0.999 · 0/],
  ["fig2", "a missing row", (d) => edit(join(d, "data.csv"), (s) => s.trimEnd().split("\n").slice(0, -1).join("\n") + "\n"), /1 row\(s\) missing that the manifest's config and seeds imply/],
  ["fig2", "a seed not in the manifest", (d) => edit(join(d, "manifest.json"), (s) => s.replace(/"seeds": \[\s*0\s*\]/, '"seeds": [0, 1]')), /row\(s\) missing .* seed = .* · 1$/],
  ["fig2", "a config the artifact refuses", (d) => edit(join(d, "manifest.json"), (s) => s.replace(/"n_p": 6/, '"n_p": 60')), /manifest.json: superposition needs n > n_p/],
  ["fig2", "a config with a key missing", (d) => edit(join(d, "manifest.json"), (s) => s.replace(/"sparsities": \[[^\]]*\],/, "")), /manifest.json: config is incomplete or malformed/],
  ["fig1", "a deleted aux.json", (d) => rmSync(join(d, "aux.json")), /aux.json: missing \(fig1 writes it; the summary needs it\)/],
  ["fig1", "a deleted heatmaps.csv", (d) => rmSync(join(d, "heatmaps.csv")), /heatmaps.csv: missing/],
  ["table3", "a deleted alpha_sweep.csv", (d) => rmSync(join(d, "alpha_sweep.csv")), /alpha_sweep.csv: missing/],
  ["table3", "an α sweep row with an α not in the config", (d) => edit(join(d, "alpha_sweep.csv"), (s) => s.replace(",WSAE,variance,-1,", ",WSAE,variance,7,")), /alpha_sweep.csv: 1 row\(s\) not implied/],
];
for (const [id, what, tamper, msg] of TAMPER)
  test(`issue 7 item 7: ${id} tree with ${what} is refused`, () => assert.match(invalid(id, tamper), msg));

test("--from-results on a tampered tree: exit 2, one line, nothing rewritten", () => {
  const root = copyRoot("fig2"), dir = join(root, "quick", "fig2");
  setCell(join(dir, "data.csv"), 1, "S", "0.999");
  const before = readFileSync(join(dir, "summary.md"), "utf8");
  const r = wsae(["fig2", "--quick", "--from-results", "--out", root]);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.match(r.stderr, /data.csv: 1 row\(s\) not implied/);
  assert.equal(readFileSync(join(dir, "summary.md"), "utf8"), before);
});

test("issue 7 item 11: malformed manifests, a file as --out, a missing folder: one-line UserErrors (exit 2)", () => {
  for (const [text, msg] of [["{broken", /not valid JSON/], ["[]", /expected a JSON object, got an array/], ["null", /got null/], ['{"artifact":"fig2"}', /field 'command' must be a string/]] as const) {
    const root = copyRoot("fig2");
    writeFileSync(join(root, "quick", "fig2", "manifest.json"), text);
    assert.throws(() => gatherReport(root), (e: unknown) => e instanceof UserError && msg.test(e.message) && !e.message.includes("\n"), text);
    assert.throws(() => readTree(join(root, "quick", "fig2")), (e: unknown) => e instanceof UserError && msg.test(e.message), text);
  }
  const root = copyRoot("fig2");
  writeFileSync(join(root, "quick", "fig2", "manifest.json"), "[]");
  for (const args of [["report", "--out", root], ["fig2", "--quick", "--from-results", "--out", root]]) {
    const r = wsae(args);
    assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const file = join(root, "afile");
  writeFileSync(file, "x");
  assert.throws(() => gatherReport(file), /not a folder/);
  assert.throws(() => gatherReport(join(root, "nope")), /no such folder/);
  assert.ok(!existsSync(join(root, "nope")), "a missing --out is not created by report");
});

// ---- verify ---------------------------------------------------------------------------------

test("compare: last-bit differences pass every class; a trained metric moving 10% does not; a reference row is exact", () => {
  for (const t of Object.values(TOLERANCE)) assert.ok(within(0.1 + 0.2, 0.3, t) && within(1e10, 1e10 * (1 + 4e-16), t));
  const a = artifact("fig3")!;
  const tree = readTree(join(COMMITTED, "fig3"))!;
  const same = compareTrees(a, tree, structuredClone(tree));
  assert.deepEqual(same, []);
  const moved = structuredClone(tree);
  const sae = moved.out.rows.find((r) => r.label === "SAE")!;
  sae.l_sae = Number(sae.l_sae) * 1.1;
  const ref = moved.out.rows.find((r) => r.label === "zero predictor")!;
  ref.l_gt = Number(ref.l_gt) * (1 + 1e-5);
  const lastBit = moved.out.rows.find((r) => r.label === "SAE" && r !== sae)!;
  lastBit.explained_variance = Number(lastBit.explained_variance) * (1 + 1e-12);
  moved.manifest.claims = moved.manifest.claims.map((c, i) => (i === 0 ? { ...c, verdict: c.verdict === "reproduced" ? "not reproduced" : "reproduced" } : c));
  const d = compareTrees(a, tree, moved);
  assert.equal(d.length, 3, d.join("\n"));
  assert.match(d[0]!, /data.csv \[(generator=\w+, )?label=zero predictor, .*\] l_gt: .* > exact tolerance/);
  assert.match(d[1]!, /data.csv \[(generator=\w+, )?label=SAE, .*\] l_sae: .* > trained tolerance 0.001 \+ 0.05·max/);
  assert.match(d[2]!, /^claim '.*': .* → /);
});

test("compare: fig1 declares its own classes — identities exact, trained SAEs noisy", () => {
  const a = artifact("fig1")!;
  const tree = readTree(join(COMMITTED, "fig1"))!;
  const moved = structuredClone(tree);
  const gap = moved.out.rows.find((r) => r.check === "theorem4")!;
  gap.value = Number(gap.value) + 1e-6;
  const cos = moved.out.rows.find((r) => r.check === "closed_form" && r.quantity === "mean_matched_cos")!;
  cos.value = Number(cos.value) * 0.9;
  const d = compareTrees(a, tree, moved);
  assert.equal(d.length, 1, d.join("\n"));
  assert.match(d[0]!, /check=theorem4, .* value: .* > exact tolerance/);
});

test("wsae verify --tree: exit 0 within tolerance, 1 printing what moved; 2 on a malformed tree", async () => {
  const root = copyRoot("fig2", "fig3");
  let said = "";
  const say = (x: string) => void (said += x);
  assert.equal(await verify(["fig2", "fig3"], { quick: true, tree: root }, say), 0, said);
  assert.match(said, /fig2: ok — every number within tolerance, \d+ verdicts unchanged/);
  setCell(join(root, "quick", "fig2", "data.csv"), 2, "l0", "99");
  const moved = wsae(["verify", "--quick", "fig2", "--tree", root]);
  assert.equal(moved.status, 1, moved.stderr);
  assert.match(moved.stdout, /fig2: 1 difference\(s\)/);
  assert.match(moved.stdout, /l0: [\d.]+ → 99 /);
  setCell(join(root, "quick", "fig2", "data.csv"), 2, "l0", "NaN");
  await assert.rejects(verify(["fig2"], { quick: true, tree: root }, say), /column l0 is NaN/);
  await assert.rejects(verify(["fig9"], { quick: true }, say), /unknown or not implemented artifact 'fig9'/);
});

test("wsae verify --quick regenerates fig2 and finds it within tolerance of the committed tree", () => {
  const r = wsae(["verify", "--quick", "fig2"], 120_000);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^fig2: ok/);
});

// ---- REPORT.md ------------------------------------------------------------------------------------

test("issue 7 items 3 and 9: REPORT.md counts self-checks apart and shows the provenance the manifests hold", () => {
  const root = copyRoot("fig1", "fig2");
  edit(join(root, "quick", "fig2", "manifest.json"), (s) => {
    const m = JSON.parse(s);
    m.git = { commit: "0123456789abcdef", dirty: true, src_tree: "x", src_dirty: true };
    m.git_changed_during_run = true;
    m.rerendered = { at: "2026-11-27T10:00:00.000Z", git: null, tool: "0.1.0" };
    return JSON.stringify(m);
  });
  const md = gatherReport(root);
  const fig1Line = md.split("\n").find((l) => l.startsWith("| [fig1]"))!;
  assert.match(fig1Line, /\| 4× 🔧 self-check passed \|/);
  assert.doesNotMatch(fig1Line.split("|")[3]!, /self-check/, "the claims column counts the paper's claims only");
  assert.match(md, /\| \[fig2\].*\| dirty src, code changed during run, re-rendered \|/);
  assert.match(md, /Provenance: commit 0123456789 \*\*with uncommitted changes to src\/\*\*; \*\*the code changed while it ran\*\*; summary and figure \*\*re-rendered from the CSVs\*\* on 2026-11-27T10:00:00.000Z/);
});

// ---- interrupted and concurrent writes ---------------------------------------------------------------

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

test("issue 7 item 15: another live run's temporary folder survives; a dead run's is removed", () => {
  const root = tmp("wsae-live-");
  const dir = join(root, "fig2");
  mkdirSync(join(root, `.tmp-fig2-${process.ppid}`)); // the test runner: alive
  mkdirSync(join(root, `.tmp-fig2-${deadPid()}`));
  recoverInterrupted(dir);
  assert.deepEqual(readdirSync(root), [`.tmp-fig2-${process.ppid}`]);
});

test("issue 7 item 15: --from-results and report repair a kill between the two renames", () => {
  const root = copyRoot("fig2");
  const dir = join(root, "quick", "fig2");
  const old = join(root, "quick", `.old-fig2-${deadPid()}`);
  renameSync(dir, old);
  const r = wsae(["fig2", "--quick", "--from-results", "--quiet", "--out", root]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, "data.csv")) && !existsSync(old));
  renameSync(dir, old);
  gatherReport(root);
  assert.ok(existsSync(join(dir, "manifest.json")) && !existsSync(old));
});
