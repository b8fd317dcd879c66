/**
 * The one set of command-line value parsers (artifact flags, `wsae theory`, seeds).
 * Each returns a parser for one flag that throws a one-line UserError naming the flag,
 * the accepted range and what was given. Blank input is never a number here
 * (Number("") is 0 in JavaScript), and every integer flag has an upper bound, so an
 * absurd value is refused with the limit instead of hanging a run.
 */
import { UserError } from "./errors.ts";

/** Largest seed: seeds feed 32-bit generator state, so anything above would wrap. */
export const MAX_SEED = 2 ** 31 - 1;

const INT = /^[+-]?\d+$/;
/** A decimal number as a user types it (also 1e-3, .5); no hex, no "Infinity". */
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** An integer in [min, max]; `max` is always given: nothing here runs unbounded. */
export function parseIntFlag(name: string, min: number, max: number) {
  return (raw: string): number => {
    const s = String(raw).trim();
    const v = Number(s);
    if (!INT.test(s) || !Number.isSafeInteger(v) || v < min || v > max)
      throw new UserError(`${name} must be an integer in [${min}, ${max.toLocaleString("en-US")}] (got '${raw}')`);
    return v;
  };
}

/** A finite number accepted by `ok`, described by `what` in the error. */
export function parseNumFlag(name: string, ok: (v: number) => boolean, what: string) {
  return (raw: string): number => {
    const s = String(raw).trim();
    const v = Number(s);
    if (!NUM.test(s) || !Number.isFinite(v) || !ok(v)) throw new UserError(`${name} must be ${what} (got '${raw}')`);
    return v;
  };
}

/** Comma-separated items; an empty item ("0.5,,0.9", a trailing comma) is an error, not skipped. */
export function splitList(name: string, raw: string): string[] {
  const parts = String(raw).split(",").map((s) => s.trim());
  if (parts.length === 1 && parts[0] === "") throw new UserError(`${name} needs at least one value`);
  const empty = parts.findIndex((p) => p === "");
  if (empty >= 0) throw new UserError(`${name}: item ${empty + 1} of '${raw}' is empty`);
  return parts;
}

/** A list of numbers, each accepted by `ok`, without repeats (a repeat would duplicate rows), in the order given. */
export function parseNumList(name: string, ok: (v: number) => boolean, what: string) {
  const one = parseNumFlag(name, ok, what);
  return (raw: string): number[] => [...new Set(splitList(name, raw).map(one))];
}

/** A list of names from `allowed`, without repeats, in the order given. */
export function parseNameList<T extends string>(name: string, allowed: readonly T[]) {
  return (raw: string): T[] => {
    const out = splitList(name, raw);
    for (const g of out) if (!(allowed as readonly string[]).includes(g)) throw new UserError(`${name} must be one of ${allowed.join(", ")} (got '${g}')`);
    return [...new Set(out)] as T[];
  };
}

/** `n` seeds from `first`: both checked, so that no seed passes MAX_SEED. */
export function parseSeeds(seedsRaw: string | undefined, firstRaw: string | undefined, defaultCount: number): number[] {
  const n = seedsRaw === undefined ? defaultCount : parseIntFlag("--seeds", 1, 100)(seedsRaw);
  const first = firstRaw === undefined ? 0 : parseIntFlag("--seed", 0, MAX_SEED - n + 1)(firstRaw);
  return Array.from({ length: n }, (_, i) => first + i);
}
