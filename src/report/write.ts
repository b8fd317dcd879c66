/**
 * Results trees are replaced as a whole: everything for one artifact is written into
 * a temporary sibling folder, the old tree is renamed aside, the new one renamed into
 * place, and the old one removed. A kill while writing leaves the old tree untouched;
 * a kill between the two renames leaves the old tree under `.old-<id>-<pid>`, which
 * the next run, --from-results, report or verify of that artifact puts back before it
 * reads. Only folders of processes that are gone are touched, so two runs writing into
 * the same --out never delete each other's live temporary folder. No file is ever half-written.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, basename, resolve } from "node:path";

export type Files = Record<string, string | Uint8Array>;

/** Whether process `pid` still runs (EPERM: it runs under another user). */
export function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Clear what an interrupted earlier write left beside `dir` (restoring a tree that was set aside). */
export function recoverInterrupted(dir: string): void {
  const parent = dirname(dir), name = basename(dir);
  if (!existsSync(parent)) return;
  for (const f of readdirSync(parent)) {
    const m = new RegExp(`^\\.(tmp|old)-${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d+)$`).exec(f);
    if (!m || alive(Number(m[2]))) continue; // another run is writing right now: not ours to touch
    if (m[1] === "tmp") rmSync(join(parent, f), { recursive: true, force: true });
    else if (!existsSync(dir)) renameSync(join(parent, f), dir);
    else rmSync(join(parent, f), { recursive: true, force: true });
  }
}

/**
 * mkdir -p one level at a time. Node 20's recursive mkdir never returns on some
 * pseudo file systems (/proc/x loops forever); a plain mkdir there fails at once.
 */
export function mkdirp(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: "ENOTDIR" });
  for (const m of missing.reverse()) mkdirSync(m);
}

export function writeTreeAtomic(dir: string, files: Files): void {
  const parent = dirname(dir);
  mkdirp(parent);
  recoverInterrupted(dir);
  const tmp = join(parent, `.tmp-${basename(dir)}-${process.pid}`);
  const old = join(parent, `.old-${basename(dir)}-${process.pid}`);
  mkdirp(tmp);
  for (const [name, content] of Object.entries(files)) {
    mkdirp(dirname(join(tmp, name)));
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
  mkdirp(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
