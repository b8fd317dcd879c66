/**
 * Row-major dense matrix. `data[r * cols + c]` is entry (r, c).
 * Float32Array on the training hot path; Float64Array where the math needs it
 * (theory identities, metrics).
 */
export type Mat<T extends Float32Array | Float64Array = Float32Array> = {
  rows: number;
  cols: number;
  data: T;
};

/** A matrix of either precision (metrics and theory read both). */
export type AnyMat = Mat<Float32Array | Float64Array>;

export function mat(rows: number, cols: number, data?: Float32Array): Mat {
  if (data && data.length !== rows * cols) throw new Error(`mat: data length ${data.length} != ${rows}x${cols}`);
  return { rows, cols, data: data ?? new Float32Array(rows * cols) };
}

export function mat64(rows: number, cols: number, data?: Float64Array): Mat<Float64Array> {
  if (data && data.length !== rows * cols) throw new Error(`mat64: data length ${data.length} != ${rows}x${cols}`);
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** Build a matrix from nested rows (tests, small literals). */
export function fromRows(rows: number[][]): Mat<Float64Array> {
  const r = rows.length;
  const c = r ? rows[0]!.length : 0;
  const m = mat64(r, c);
  rows.forEach((row, i) => {
    if (row.length !== c) throw new Error("fromRows: ragged rows");
    row.forEach((v, j) => (m.data[i * c + j] = v));
  });
  return m;
}

export function toRows(m: Mat<Float32Array | Float64Array>): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function transpose<T extends Float32Array | Float64Array>(m: Mat<T>): Mat<T> {
  const out = new (m.data.constructor as { new (n: number): T })(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j]!;
  return { rows: m.cols, cols: m.rows, data: out };
}

/** Plain float64 product, for metrics and theory (not the hot path). */
export function matmul64(a: Mat<Float32Array | Float64Array>, b: Mat<Float32Array | Float64Array>): Mat<Float64Array> {
  if (a.cols !== b.rows) throw new Error(`matmul64: ${a.rows}x${a.cols} · ${b.rows}x${b.cols}`);
  const out = mat64(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const av = a.data[i * a.cols + k]!;
      if (av === 0) continue;
      const bo = k * b.cols, oo = i * b.cols;
      for (let j = 0; j < b.cols; j++) out.data[oo + j]! += av * b.data[bo + j]!;
    }
  return out;
}
