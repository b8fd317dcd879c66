/**
 * Read matrices and label vectors from .npy or .csv; write .npy.
 *
 * .npy (NumPy format v1–v3): magic "\x93NUMPY", major, minor, header length
 * (uint16 LE for v1, uint32 LE for v2/v3), then a Python-dict header such as
 * {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } and raw data (C order, or
 * Fortran order as np.save(W.T) writes it, which is transposed into C order on load).
 * We accept little-endian f4/f8 (matrices) and i4/i8/u1 plus integral floats
 * (labels). No npm reader is used: npyjs 1.2.0 (Apache-2.0, typed) exists but
 * depends on cross-fetch for its URL loader, and the format is small enough to
 * parse here with our own error messages.
 * Every failure is a one-line UserError naming the file.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import { UserError } from "../util/errors.ts";
import type { Mat } from "../util/mat.ts";

export type NpyDtype = "f4" | "f8" | "i4" | "i8" | "u1";
export type NpyArray = { dtype: NpyDtype; shape: number[]; data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array };
/** Expected shape; a missing field is not checked. */
export type Expect = { rows?: number; cols?: number };

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const SIZES: Record<NpyDtype, number> = { f4: 4, f8: 8, i4: 4, i8: 8, u1: 1 };

/** Parse an in-memory .npy file; `name` is used in messages. */
export function parseNpy(buf: Buffer, name: string): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new UserError(`${name}: not a .npy file (bad magic; expected \\x93NUMPY)`);
  const major = buf[6]!;
  if (major < 1 || major > 3) throw new UserError(`${name}: unsupported .npy version ${major}.${buf[7]}`);
  const hlenSize = major === 1 ? 2 : 4;
  if (buf.length < 8 + hlenSize) throw new UserError(`${name}: truncated .npy header`);
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + hlenSize + hlen;
  if (buf.length < start) throw new UserError(`${name}: truncated .npy header (needs ${hlen} bytes)`);
  const header = buf.subarray(8 + hlenSize, start).toString(major === 3 ? "utf8" : "latin1");
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new UserError(`${name}: bad .npy header (need 'descr', 'fortran_order' and 'shape'): ${header.trim().slice(0, 80)}`);
  const dm = /^([<>|=]?)([fiu])(\d+)$/.exec(descr);
  const dtype = dm ? (`${dm[2]}${dm[3]}` as NpyDtype) : null;
  if (!dm || !dtype || !(dtype in SIZES)) throw new UserError(`${name}: unsupported dtype '${descr}' (supported: float32, float64, int32, int64, uint8)`);
  if (dm[1] === ">" && dtype !== "u1") throw new UserError(`${name}: big-endian dtype '${descr}' is not supported; save with a.astype('<${dtype}')`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new UserError(`${name}: bad shape (${shapeText}) in .npy header`);
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = count * SIZES[dtype];
  if (buf.length - start < bytes) throw new UserError(`${name}: truncated data: shape (${shape.join(", ")}) needs ${bytes} bytes, file has ${buf.length - start}`);
  const raw = buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + bytes); // a copy, so aligned
  const data = dtype === "f4" ? new Float32Array(raw) : dtype === "f8" ? new Float64Array(raw)
    : dtype === "i4" ? new Int32Array(raw) : dtype === "i8" ? new BigInt64Array(raw) : new Uint8Array(raw);
  // np.save(W.T) writes Fortran order: the same numbers column by column. Read it as the
  // array it is (transpose the storage into C order); only 1-D and 2-D arrays are needed here.
  if (fortran === "True" && shape.length > 2) throw new UserError(`${name}: Fortran-order arrays of more than 2 dimensions are not supported; save with np.ascontiguousarray(a)`);
  if (fortran === "True" && shape.length === 2) {
    const [r, c] = shape as [number, number];
    const C = new (data.constructor as { new (n: number): typeof data })(data.length);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) (C as Float64Array)[i * c + j] = (data as Float64Array)[j * r + i]!;
    return { dtype, shape, data: C };
  }
  return { dtype, shape, data };
}

function readBytes(path: string): Buffer {
  if (!existsSync(path)) throw new UserError(`${path}: file not found`);
  if (!statSync(path).isFile()) throw new UserError(`${path}: not a file`);
  return readFileSync(path);
}

function kindOf(path: string): "npy" | "csv" {
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return "npy";
  if (ext === ".csv") return "csv";
  throw new UserError(`${path}: unknown extension '${ext || "(none)"}'; expected .npy or .csv`);
}

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NONFINITE = /^[+-]?(nan|inf|infinity)$/i;

/** Parse CSV text into rows of numbers; a first row that is not all numbers is a header. */
export function parseCsv(text: string, name: string): number[][] {
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  let width = -1, widthLine = 0;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!;
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    const isNum = (c: string) => NUM.test(c) || NONFINITE.test(c);
    // A header has no number at all; "1,,2" is a data row with a hole, and "1,0,x" a data row
    // with a bad cell (reported below), not a header to drop silently.
    const header = cells.some((c) => c !== "" && !isNum(c)) && !cells.some((c) => isNum(c));
    if (header && rows.length === 0 && width < 0) {
      width = cells.length; // header row: skipped, but it fixes the width
      widthLine = ln + 1;
      continue;
    }
    if (width >= 0 && cells.length !== width) throw new UserError(`${name}: ragged CSV: line ${ln + 1} has ${cells.length} values, line ${widthLine} has ${width}`);
    width = cells.length;
    if (!widthLine) widthLine = ln + 1;
    rows.push(cells.map((c, j) => {
      if (NONFINITE.test(c)) throw new UserError(`${name}: line ${ln + 1}, column ${j + 1} is ${c} (NaN/Inf not allowed)`);
      if (c === "") throw new UserError(`${name}: line ${ln + 1}, column ${j + 1} is empty`);
      if (!NUM.test(c)) throw new UserError(`${name}: line ${ln + 1}, column ${j + 1}: '${c.slice(0, 20)}' is not a number`);
      const v = Number(c);
      if (!Number.isFinite(v)) throw new UserError(`${name}: line ${ln + 1}, column ${j + 1}: ${c.slice(0, 20)} is outside the float64 range`);
      return v;
    }));
  }
  if (rows.length === 0) throw new UserError(`${name}: no numeric rows`);
  return rows;
}

function checkFinite(name: string, data: ArrayLike<number>, cols: number): void {
  for (let k = 0; k < data.length; k++)
    if (!Number.isFinite(data[k]!)) throw new UserError(`${name}: value at row ${Math.floor(k / cols)}, column ${k % cols} is ${data[k]} (NaN/Inf not allowed)`);
}

function checkShape(name: string, rows: number, cols: number, expect?: Expect): void {
  if (rows === 0 || cols === 0) throw new UserError(`${name}: empty matrix (shape ${rows}x${cols})`);
  const bad = (what: string, want: number, got: number) => new UserError(`${name}: expected ${want} ${what}, got ${got} (shape ${rows}x${cols})`);
  if (expect?.rows !== undefined && rows !== expect.rows) throw bad("rows", expect.rows, rows);
  if (expect?.cols !== undefined && cols !== expect.cols) throw bad("columns", expect.cols, cols);
}

function loadMatrix<T extends Float32Array | Float64Array>(path: string, make: (n: number | ArrayLike<number>) => T, expect?: Expect): Mat<T> {
  const name = path;
  if (kindOf(path) === "csv") {
    const rows = parseCsv(readBytes(path).toString("utf8"), name);
    const r = rows.length, c = rows[0]!.length;
    checkShape(name, r, c, expect);
    return { rows: r, cols: c, data: make(rows.flat()) };
  }
  const a = parseNpy(readBytes(path), name);
  if (a.dtype !== "f4" && a.dtype !== "f8") throw new UserError(`${name}: a matrix must be float32 or float64, got ${a.dtype}`);
  if (a.shape.length !== 2) throw new UserError(`${name}: expected a 2-D array, got ${a.shape.length}-D (shape (${a.shape.join(", ")}))`);
  const [r, c] = a.shape as [number, number];
  checkShape(name, r, c, expect);
  checkFinite(name, a.data as Float32Array | Float64Array, c);
  return { rows: r, cols: c, data: make(a.data as Float32Array | Float64Array) };
}

/** A 2-D float matrix as float64 (theory, metrics). */
export function readMatrix(path: string, expect?: Expect): Mat<Float64Array> {
  return loadMatrix(path, (x) => (typeof x === "number" ? new Float64Array(x) : Float64Array.from(x)), expect);
}

/** A 2-D float matrix as float32 (large embeddings for training). */
export function readMatrix32(path: string, expect?: Expect): Mat<Float32Array> {
  return loadMatrix(path, (x) => (typeof x === "number" ? new Float32Array(x) : Float32Array.from(x)), expect);
}

/** A flat vector: a 1-D .npy, an (n,1)/(1,n) array, or a one-row/one-column CSV. */
function loadFlat(path: string): { values: number[] | ArrayLike<number | bigint>; dtype: NpyDtype | "csv" } {
  if (kindOf(path) === "csv") {
    const rows = parseCsv(readBytes(path).toString("utf8"), path);
    if (rows.length > 1 && rows[0]!.length > 1) throw new UserError(`${path}: expected one row or one column, got ${rows.length}x${rows[0]!.length}`);
    return { values: rows.flat(), dtype: "csv" };
  }
  const a = parseNpy(readBytes(path), path);
  const ok = a.shape.length === 1 || (a.shape.length === 2 && (a.shape[0] === 1 || a.shape[1] === 1));
  if (!ok) throw new UserError(`${path}: expected a 1-D array, got shape (${a.shape.join(", ")})`);
  return { values: a.data, dtype: a.dtype };
}

/** A float vector (e.g. gamma) of an optional expected length. */
export function readVector(path: string, expectLength?: number): Float64Array {
  const { values } = loadFlat(path);
  const v = Float64Array.from(values as ArrayLike<number>, (x) => Number(x));
  if (v.length === 0) throw new UserError(`${path}: empty vector`);
  if (expectLength !== undefined && v.length !== expectLength) throw new UserError(`${path}: expected ${expectLength} values, got ${v.length}`);
  checkFinite(path, v, v.length);
  return v;
}

/** Integer class labels (int32/int64/uint8, or floats/CSV holding integers). */
export function readLabels(path: string, expectLength?: number): Int32Array {
  const { values } = loadFlat(path);
  const out = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const x = Number(values[k]!);
    if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) throw new UserError(`${path}: label ${k} is ${values[k]}, not a 32-bit integer`);
    out[k] = x;
  }
  if (out.length === 0) throw new UserError(`${path}: no labels`);
  if (expectLength !== undefined && out.length !== expectLength) throw new UserError(`${path}: expected ${expectLength} labels, got ${out.length}`);
  return out;
}

/** Encode an array as .npy v1.0 bytes (C order, little-endian). */
export function encodeNpy(a: NpyArray): Buffer {
  const descr = a.dtype === "u1" ? "|u1" : `<${a.dtype}`;
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64); // numpy aligns the data to 64 bytes
  header += " ".repeat(pad % 64) + "\n";
  const head = Buffer.alloc(10);
  MAGIC.copy(head);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, "latin1"), Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)]);
}

/** Write a 2-D float matrix as .npy (f8 or f4 by its array type); atomic via rename. */
export function writeNpy(path: string, m: Mat<Float64Array | Float32Array>): void {
  const dtype: NpyDtype = m.data instanceof Float64Array ? "f8" : "f4";
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeNpy({ dtype, shape: [m.rows, m.cols], data: m.data }));
  renameSync(tmp, path);
}
