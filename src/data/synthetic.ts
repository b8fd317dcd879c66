/**
 * The paper's data model: ground-truth features x ∈ R^n with i.i.d. coordinates,
 * x_i = 0 with probability S (the sparsity level) and U[0,1] otherwise; observed
 * polysemantic features x_p = W_p x with W_p ∈ R^{n_p × n}, n > n_p.
 */
import { mat, type Mat } from "../util/mat.ts";
import type { Rng } from "../util/rng.ts";
import { unrolledNN } from "../compute/unrolled.ts";
import { sharedSimd } from "../compute/wasm.ts";

/** Anything that hands the trainer batches of observed inputs x_p (B × n_p). */
export interface BatchSource {
  readonly dim: number;
  next(batch: number): Mat;
}

/**
 * Draw B samples of x into `out` (B × n). One uniform per coordinate: u < S gives 0,
 * otherwise (u − S)/(1 − S) is again U[0,1), so sparsity and value come from one draw.
 */
export function sampleX<M extends Mat<Float32Array | Float64Array>>(rng: Rng, S: number, out: M): M {
  const d = out.data;
  const scale = 1 / (1 - S);
  for (let i = 0; i < d.length; i++) {
    const u = rng.uniform();
    d[i] = u < S ? 0 : (u - S) * scale;
  }
  return out;
}

/** x_p = W_p x for each row of X, using W_pᵀ (n × n_p) so sparse rows of X are cheap. */
export function project(X: Mat, WpT: Mat, out: Mat): Mat {
  const n = X.cols, np = WpT.cols;
  const fast = unrolledNN(np);
  if (fast) {
    fast(X.data, WpT.data, out.data, X.rows, n);
    return out;
  }
  return projectRef(X, WpT, out);
}

/** Plain-loop reference for `project` (float64 row accumulator, as the fast path). */
export function projectRef(X: Mat, WpT: Mat, out: Mat): Mat {
  const n = X.cols, np = WpT.cols;
  const xd = X.data, wd = WpT.data, o = out.data;
  const acc = new Float64Array(np);
  for (let b = 0; b < X.rows; b++) {
    const xo = b * n;
    acc.fill(0);
    for (let i = 0; i < n; i++) {
      const v = xd[xo + i]!;
      if (v === 0) continue;
      const wo = i * np;
      for (let k = 0; k < np; k++) acc[k]! += v * wd[wo + k]!;
    }
    o.set(acc, b * np);
  }
  return out;
}

/** The non-zeros of a B × n sample, row by row: row b holds idx/val[ptr[b] .. ptr[b+1]) (ascending columns). */
export type SparseRows = { ptr: Int32Array; idx: Int32Array; val: Float32Array; count: number };

/** Buffers for the non-zeros of a rows × n sample: capacity for every entry, so no draw overflows. */
export function sparseRows(rows: number, n: number, reuse?: SparseRows): SparseRows {
  if (reuse && reuse.ptr.length >= rows + 1 && reuse.idx.length >= rows * n) return reuse;
  return { ptr: new Int32Array(rows + 1), idx: new Int32Array(rows * n), val: new Float32Array(rows * n), count: 0 };
}

/**
 * The law of sampleX, drawn sparsely: the gaps between non-zero coordinates of the
 * flattened B·n sequence are i.i.d. geometric, P(gap ≥ g) = S^g, so one gap (a uniform
 * and a log) and one value (a uniform) per non-zero give the same i.i.d. coordinates
 * with 2(1 − S) draws per coordinate instead of 1. Worth it for S ≥ SPARSE_S. Writes x
 * (zeros elsewhere) and its non-zeros as rows into `nz` (see sparseRows).
 */
export function sampleXSparse(rng: Rng, S: number, out: Mat<Float32Array | Float64Array>, nz: SparseRows): SparseRows {
  const d = out.data, total = d.length, n = out.cols, rows = out.rows;
  if (!(S > 0 && S < 1)) throw new Error(`sampleXSparse: S must be in (0, 1) (got ${S})`);
  if (nz.ptr.length < rows + 1 || nz.idx.length < total) throw new Error("sampleXSparse: buffers too small");
  d.fill(0);
  const { ptr, idx, val } = nz;
  const invLogS = 1 / Math.log(S);
  let count = 0, b = 0, rowStart = 0;
  ptr[0] = 0;
  // 1 − u is in (0, 1], so the log is finite; log(S) < 0 makes every gap ≥ 0
  for (let p = Math.floor(Math.log(1 - rng.uniform()) * invLogS); p < total; p += 1 + Math.floor(Math.log(1 - rng.uniform()) * invLogS)) {
    while (p >= rowStart + n) {
      rowStart += n;
      ptr[++b] = count;
    }
    const v = rng.uniform();
    d[p] = v;
    idx[count] = p - rowStart;
    val[count++] = v;
  }
  while (b < rows) ptr[++b] = count;
  nz.count = count;
  return nz;
}

/** sampleX's draws (the same numbers), also recording the non-zeros as rows into `nz`. */
function sampleXTracked(rng: Rng, S: number, out: Mat, nz: SparseRows): SparseRows {
  const d = out.data, n = out.cols, scale = 1 / (1 - S);
  const { ptr, idx, val } = nz;
  let count = 0;
  ptr[0] = 0;
  for (let b = 0; b < out.rows; b++) {
    for (let i = 0, o = b * n; i < n; i++) {
      const u = rng.uniform();
      if (u < S) d[o + i] = 0;
      else {
        const v = (u - S) * scale;
        d[o + i] = v;
        idx[count] = i;
        val[count++] = v;
      }
    }
    ptr[b + 1] = count;
  }
  nz.count = count;
  return nz;
}

/**
 * sampleXSparse's gap as a table, for the SIMD sampler: the gap of a draw r (the
 * generator's 32-bit output, u = r/2³²) is g(r) = floor(log(1 − r/2³²)·(1/log S)), which
 * never decreases as r grows (adjacent r move log(1 − u) by ≥ 2⁻³², far more than its
 * rounding error) and is at most gmax = g(2³² − 1). thr[g] = the least r with g(r) ≥ g,
 * found by bisection with that very expression, so the table gives the same gap for
 * every r; bkt[h] = g(h·2²⁰) starts the search. Null when the table would be huge
 * (S so close to 1 that gmax > 2²⁰).
 */
export function gapTable(S: number): { thr: Uint32Array; bkt: Int32Array } | null {
  const invLogS = 1 / Math.log(S);
  const gap = (r: number) => Math.floor(Math.log(1 - r / 4294967296) * invLogS);
  const gmax = gap(4294967295);
  if (!(gmax >= 0 && gmax <= 2 ** 20)) return null;
  const thr = new Uint32Array(gmax + 1);
  let lo = 0;
  for (let g = 1; g <= gmax; g++) {
    // least r in [lo, 2³² − 1] with gap(r) ≥ g (gap(2³² − 1) = gmax ≥ g)
    let hi = 4294967295;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (gap(mid) >= g) hi = mid;
      else lo = mid + 1;
    }
    thr[g] = lo;
  }
  const bkt = new Int32Array(4096);
  for (let h = 0; h < 4096; h++) bkt[h] = gap(h * 2 ** 20);
  return { thr, bkt };
}
const gapTables = new Map<number, ReturnType<typeof gapTable>>();

/** From this sparsity on, geometric gaps need fewer draws than one uniform per coordinate. */
export const SPARSE_S = 0.7;

/** Fresh samples every call, from its own named random stream. */
export class SyntheticSource implements BatchSource {
  readonly dim: number;
  private readonly WpT: Mat;
  private x: Mat | null = null;
  private xp: Mat | null = null;
  private nz: SparseRows | null = null;
  constructor(
    Wp: Mat<Float32Array | Float64Array>,
    readonly S: number,
    private readonly rng: Rng,
  ) {
    this.dim = Wp.rows;
    this.WpT = mat(Wp.cols, Wp.rows);
    for (let i = 0; i < Wp.rows; i++) for (let j = 0; j < Wp.cols; j++) this.WpT.data[j * Wp.rows + i] = Wp.data[i * Wp.cols + j]!;
  }
  private draw(x: Mat, xp: Mat): void {
    const simd = sharedSimd();
    const nz = (this.nz = sparseRows(x.rows, x.cols, this.nz ?? undefined));
    if (this.S >= SPARSE_S) sampleXSparse(this.rng, this.S, x, nz);
    else if (simd) sampleXTracked(this.rng, this.S, x, nz);
    else sampleX(this.rng, this.S, x);
    // x_p = x · W_pᵀ over the non-zeros as float32 SIMD axpys (plain loops without SIMD)
    if (simd) simd.csrTimes(nz.ptr, nz.idx, nz.val, this.WpT, x.rows, xp);
    else project(x, this.WpT, xp);
  }
  /** Both x (B × n) and x_p (B × n_p); buffers are reused between calls of the same size. */
  nextPair(batch: number): { x: Mat; xp: Mat } {
    if (!this.x || this.x.rows !== batch || !this.xp || this.xp.rows !== batch) {
      this.x = mat(batch, this.WpT.rows);
      this.xp = mat(batch, this.dim);
    }
    this.draw(this.x, this.xp!);
    return { x: this.x, xp: this.xp! };
  }
  /** x_p alone (a training batch): with SIMD, drawn and projected in one pass, x never formed; the same numbers as nextPair's. */
  next(batch: number): Mat {
    const simd = sharedSimd();
    if (!simd) return this.nextPair(batch).xp;
    let law: { gaps: { thr: Uint32Array; bkt: Int32Array } } | { each: number } = { each: this.S };
    if (this.S >= SPARSE_S) {
      if (!gapTables.has(this.S)) gapTables.set(this.S, gapTable(this.S));
      const gaps = gapTables.get(this.S);
      if (!gaps) return this.nextPair(batch).xp;
      law = { gaps };
    }
    if (!this.xp || this.xp.rows !== batch) {
      this.x = null;
      this.xp = mat(batch, this.dim);
    }
    const state = this.rng.getState();
    simd.sampleXp(state, law, this.WpT, batch, this.xp);
    this.rng.setState(state);
    return this.xp;
  }
  /** A held-out set with fresh copies (not the reused buffers). */
  sample(N: number): { x: Mat; xp: Mat } {
    const x = mat(N, this.WpT.rows), xp = mat(N, this.dim);
    this.draw(x, xp);
    return { x, xp };
  }
}
