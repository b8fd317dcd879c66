import { execFileSync } from "node:child_process";

/** Commit of the working tree and whether it has uncommitted changes; null outside git. */
export function gitState(cwd: string): { commit: string; dirty: boolean } | null {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return null;
  }
}
