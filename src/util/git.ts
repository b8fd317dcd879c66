import { execFileSync } from "node:child_process";

export type GitState = { commit: string; dirty: boolean; src_tree: string; src_dirty: boolean };

const git = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();

/**
 * Commit of the working tree, whether tracked files differ from it, and the tree hash
 * of src/ (what computes the numbers: two runs with the same clean src_tree ran the
 * same code, whatever happened to docs or results). null outside git.
 */
export function gitState(cwd: string): GitState | null {
  try {
    return {
      commit: git(cwd, ["rev-parse", "HEAD"]),
      dirty: git(cwd, ["status", "--porcelain", "--untracked-files=no"]).length > 0,
      src_tree: git(cwd, ["rev-parse", "HEAD:src"]),
      src_dirty: git(cwd, ["status", "--porcelain", "--untracked-files=all", "--", "src"]).length > 0,
    };
  } catch {
    return null;
  }
}
