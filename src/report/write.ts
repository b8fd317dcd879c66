/**
 * Results trees are replaced as a whole: everything for one artifact is written into
 * a temporary sibling folder, the old tree is renamed aside, the new one renamed into
 * place, and the old one removed. A kill while writing leaves the old tree untouched;
 * a kill between the two renames leaves the old tree under `.old-<id>-<pid>`, which
 * the next run of that artifact puts back before it starts. No file is ever half-written.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";

export type Files = Record<string, string | Uint8Array>;

/** Clear what an interrupted earlier write left beside `dir` (restoring a tree that was set aside). */
export function recoverInterrupted(dir: string): void {
  const parent = dirname(dir), name = basename(dir);
  if (!existsSync(parent)) return;
  for (const f of readdirSync(parent)) {
    if (f.startsWith(`.tmp-${name}-`)) rmSync(join(parent, f), { recursive: true, force: true });
    else if (f.startsWith(`.old-${name}-`)) {
      if (!existsSync(dir)) renameSync(join(parent, f), dir);
      else rmSync(join(parent, f), { recursive: true, force: true });
    }
  }
}

export function writeTreeAtomic(dir: string, files: Files): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  recoverInterrupted(dir);
  const tmp = join(parent, `.tmp-${basename(dir)}-${process.pid}`);
  const old = join(parent, `.old-${basename(dir)}-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp, name)), { recursive: true });
    writeFileSync(join(tmp, name), content);
  }
  const hadOld = existsSync(dir);
  if (hadOld) renameSync(dir, old);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    if (hadOld) renameSync(old, dir);
    throw e;
  }
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

/** One file, written to a temporary name and renamed. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
