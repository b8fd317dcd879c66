import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recoverInterrupted, writeTreeAtomic } from "../src/report/write.ts";
import { tmp } from "./helpers.ts";

test("writeTreeAtomic replaces a tree whole and leaves nothing beside it", () => {
  const root = tmp("wsae-write-");
  const dir = join(root, "fig2");
  writeTreeAtomic(dir, { "a.csv": "1\n", "sub/b.txt": "x" });
  writeTreeAtomic(dir, { "c.csv": "2\n" });
  assert.deepEqual(readdirSync(dir), ["c.csv"]);
  assert.deepEqual(readdirSync(root), ["fig2"]);
});

test("a tree set aside by an interrupted swap is put back; stale temporary folders are removed", () => {
  const root = tmp("wsae-recover-");
  const dir = join(root, "fig3");
  // a kill between the two renames: only the set-aside old tree and a finished temp exist
  mkdirSync(join(root, ".old-fig3-123"));
  writeFileSync(join(root, ".old-fig3-123", "data.csv"), "old\n");
  mkdirSync(join(root, ".tmp-fig3-456"));
  recoverInterrupted(dir);
  assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), "old\n");
  assert.deepEqual(readdirSync(root), ["fig3"]);
  // and the next write goes through normally
  writeTreeAtomic(dir, { "data.csv": "new\n" });
  assert.equal(readFileSync(join(dir, "data.csv"), "utf8"), "new\n");
  assert.ok(!existsSync(join(root, ".old-fig3-123")));
});
