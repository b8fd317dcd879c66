/**
 * One master seed, named sub-streams. Every random draw in wsae comes from
 * `streams(seed).get("data")` and the like, so adding a draw to one stream never
 * shifts another. Generator: xoroshiro128+ from pure-rand.
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

/** FNV-1a of a name, mixed with the master seed (both 32-bit). */
function subSeed(master: number, name: string): number {
  let h = 0x811c9dc5 ^ (master >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

export class Rng {
  private g: { next(): number; getState(): readonly number[] };
  private spare: number | null = null;
  constructor(seed: number) {
    this.g = xoroshiro128plus(seed | 0);
  }
  /** The generator's state, for a kernel that draws the same numbers elsewhere (compute/simd.wat sample_xp). */
  getState(): number[] {
    return [...this.g.getState()];
  }
  /** Continue from a state that kernel left (the four 32-bit words of getState). */
  setState(state: ArrayLike<number>): void {
    this.g = xoroshiro128plusFromState(Array.from(state, (v) => v | 0));
  }
  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number {
    return (this.g.next() >>> 0) / 4294967296;
  }
  /** Standard normal (Box–Muller, caches the second value). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/** Named sub-streams of one master seed. */
export function stream(seed: number, name: string): Rng {
  return new Rng(subSeed(seed, name));
}
