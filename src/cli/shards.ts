/**
 * Shard trees and `wsae merge`. A run with `--shard i/n` writes
 * <out>/[quick/]shards/<artifact>/<i>-of-<n>/ holding shard.json (what ran: command,
 * config, seeds, backend, code hash, shard) and jobs/<key>.v8 (its finished
 * trainings). `wsae merge DIR…` finds every shard tree under the folders given, checks
 * that they belong to one run and that none is missing, and replays the artifact with
 * every training served from the shards: the tree it writes is, byte for byte, the one
 * a single run writes (manifest times aside).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { deserialize } from "node:v8";
import { UserError } from "../util/errors.ts";
import { writeTreeAtomic, type Files } from "../report/write.ts";
import { artifact } from "../experiments/registry.ts";
import { MemStore, codeHash, type JobStats, type Shard } from "./jobs.ts";

export type ShardManifest = {
  artifact: string;
  quick: boolean;
  command: string;
  /** the command line without run-only flags (--out, --shard, …): what merge replays */
  argv: string[];
  options: Record<string, unknown>;
  config: unknown;
  seeds: number[];
  backend: { name: string; mode: string };
  code: string;
  shard: Shard;
  stats: JobStats;
};

export function shardDir(outRoot: string, id: string, quick: boolean, s: Shard): string {
  return join(outRoot, ...(quick ? ["quick"] : []), "shards", id, `${s.index}-of-${s.count}`);
}

export function writeShard(dir: string, m: ShardManifest, own: MemStore): void {
  const files: Files = { "shard.json": JSON.stringify({ ...m, options: { ...m.options, shard: undefined } }, null, 1) + "\n" };
  for (const [k, v] of [...own.entries].sort(([a], [b]) => (a < b ? -1 : 1))) files[`jobs/${k}.v8`] = v;
  writeTreeAtomic(dir, files);
}

/** Every shard tree under the given folders (a shard folder itself, or any folder above it). */
export function findShards(dirs: string[]): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    if (existsSync(join(d, "shard.json"))) return void found.push(d);
    if (depth > 6) return;
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (!f.startsWith(".") && statSync(p).isDirectory()) walk(p, depth + 1);
    }
  };
  for (const d of dirs) {
    const p = resolve(d);
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new UserError(`merge: ${d} is not a folder`);
    walk(p, 0);
  }
  return [...new Set(found)].sort();
}

export type ShardGroup = { manifest: ShardManifest; dirs: string[]; store: MemStore };

/** Shards grouped by run; each group checked complete and consistent, its results joined. */
export function readShardGroups(dirs: string[]): ShardGroup[] {
  const paths = findShards(dirs);
  if (!paths.length) throw new UserError(`merge: no shard trees (shard.json) under ${dirs.join(", ")}`);
  const groups = new Map<string, { manifest: ShardManifest; parts: Map<number, string>; store: MemStore }>();
  for (const p of paths) {
    let m: ShardManifest;
    try {
      m = JSON.parse(readFileSync(join(p, "shard.json"), "utf8")) as ShardManifest;
      if (typeof m.artifact !== "string" || !Array.isArray(m.argv) || !m.shard || !Number.isInteger(m.shard.count)) throw new Error("fields missing");
    } catch (e) {
      throw new UserError(`merge: ${relative(process.cwd(), p)}/shard.json is not a shard manifest (${(e as Error).message.split("\n")[0]})`);
    }
    if (!artifact(m.artifact)) throw new UserError(`merge: ${relative(process.cwd(), p)} is a shard of unknown artifact '${m.artifact}'`);
    const run = JSON.stringify([m.artifact, m.quick, m.argv, m.config, m.seeds, m.backend, m.code, m.shard.count]);
    let g = groups.get(run);
    if (!g) groups.set(run, (g = { manifest: m, parts: new Map(), store: new MemStore() }));
    if (g.parts.has(m.shard.index)) throw new UserError(`merge: shard ${m.shard.index}/${m.shard.count} of ${m.artifact} given twice (${g.parts.get(m.shard.index)} and ${p})`);
    g.parts.set(m.shard.index, p);
    const jd = join(p, "jobs");
    for (const f of existsSync(jd) ? readdirSync(jd).sort() : []) {
      if (!/^[0-9a-f]{40}\.v8$/.test(f)) continue;
      const buf = readFileSync(join(jd, f));
      try {
        deserialize(buf);
      } catch {
        throw new UserError(`merge: ${relative(process.cwd(), join(jd, f))} is damaged`);
      }
      g.store.entries.set(f.slice(0, -3), buf);
    }
  }
  const byArtifact = new Map<string, number>();
  for (const g of groups.values()) {
    const m = g.manifest;
    const key = `${m.quick ? "quick/" : ""}${m.artifact}`;
    byArtifact.set(key, (byArtifact.get(key) ?? 0) + 1);
    const missing = Array.from({ length: m.shard.count }, (_, i) => i + 1).filter((i) => !g.parts.has(i));
    if (missing.length) throw new UserError(`merge: ${m.artifact} was split in ${m.shard.count} shards; missing ${missing.map((i) => `${i}/${m.shard.count}`).join(", ")}`);
    if (m.code !== codeHash()) throw new UserError(`merge: the shards of ${m.artifact} ran other code (src/ differs from this checkout); rerun them from this commit`);
  }
  for (const [k, n] of byArtifact) if (n > 1) throw new UserError(`merge: shards of ${n} different runs of ${k} given (different settings, seeds or backend); merge one run at a time`);
  return [...groups.values()].map((g) => ({ manifest: g.manifest, dirs: [...g.parts.values()], store: g.store }));
}
