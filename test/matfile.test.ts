import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeNpy, parseCsv, readLabels, readMatrix, readMatrix32, readVector, writeNpy } from "../src/data/matfile.ts";
import { UserError } from "../src/util/errors.ts";
import { fromRows, mat, toRows } from "../src/util/mat.ts";
import { tmp } from "./helpers.ts";

const dir = tmp("wsae-matfile-");
const at = (name: string) => join(dir, name);

/** Assert fn throws a UserError whose one-line message matches re. */
function userError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes("\n"), "message must be one line");
    return true;
  });
}

/** A .npy with a hand-written header (v1 unless major says otherwise). */
function rawNpy(header: string, data: Buffer, major = 1): Buffer {
  const h = Buffer.from(header + "\n", "latin1");
  const len = Buffer.alloc(major === 1 ? 2 : 4);
  if (major === 1) len.writeUInt16LE(h.length);
  else len.writeUInt32LE(h.length);
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]), len, h, data]);
}
const f8 = (...v: number[]) => Buffer.from(Float64Array.from(v).buffer);

// Written by numpy 2.4 (np.save), so the reader is checked against the real writer.
const NUMPY_F8_2x3 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAADAAAAAAAAACEAAAAAAAAAQQAAAAAAAABRAAAAAAAAAGUA=";
const NUMPY_I8_5 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDUsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoDAAAAAAAAAAEAAAAAAAAABAAAAAAAAAABAAAAAAAAAAUAAAAAAAAA";
const NUMPY_FORTRAN = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAhAAAAAAAAA8D8AAAAAAAAQQAAAAAAAAABAAAAAAAAAFEA=";

test("reads .npy files written by numpy (float64 matrix, int64 labels)", () => {
  writeFileSync(at("np.npy"), Buffer.from(NUMPY_F8_2x3, "base64"));
  const m = readMatrix(at("np.npy"));
  assert.deepEqual([m.rows, m.cols, Array.from(m.data)], [2, 3, [1.5, -2, 3, 4, 5, 6.25]]);
  writeFileSync(at("lab.npy"), Buffer.from(NUMPY_I8_5, "base64"));
  assert.deepEqual(Array.from(readLabels(at("lab.npy"))), [3, 1, 4, 1, 5]);
});

test("writeNpy/readMatrix round-trip float64 and float32 exactly", () => {
  const m = fromRows([[1, -0.1, 1e-300], [Math.PI, 0, -2.5]]);
  writeNpy(at("m64.npy"), m);
  const back = readMatrix(at("m64.npy"), { rows: 2, cols: 3 });
  assert.deepEqual(Array.from(back.data), Array.from(m.data));
  const m32 = mat(2, 2, Float32Array.from([0.1, -3, 7.5, 1e-20]));
  writeNpy(at("m32.npy"), m32);
  assert.deepEqual(Array.from(readMatrix32(at("m32.npy")).data), Array.from(m32.data));
  assert.deepEqual(Array.from(readMatrix(at("m32.npy")).data), Array.from(m32.data, Number));
  const enc = encodeNpy({ dtype: "f8", shape: [2, 3], data: m.data });
  assert.equal((10 + enc.readUInt16LE(8)) % 64, 0); // numpy's 64-byte data alignment
});

test("labels from int32, uint8, integral floats, (n,1) arrays and CSV", () => {
  writeFileSync(at("i4.npy"), encodeNpy({ dtype: "i4", shape: [3], data: Int32Array.from([7, -1, 0]) }));
  assert.deepEqual(Array.from(readLabels(at("i4.npy"), 3)), [7, -1, 0]);
  writeFileSync(at("u1.npy"), encodeNpy({ dtype: "u1", shape: [4, 1], data: Uint8Array.from([9, 255, 0, 3]) }));
  assert.deepEqual(Array.from(readLabels(at("u1.npy"))), [9, 255, 0, 3]);
  writeFileSync(at("fl.npy"), encodeNpy({ dtype: "f8", shape: [2], data: Float64Array.from([2, 5]) }));
  assert.deepEqual(Array.from(readLabels(at("fl.npy"))), [2, 5]);
  writeFileSync(at("lab.csv"), "label\n1\n2\n3\n");
  assert.deepEqual(Array.from(readLabels(at("lab.csv"))), [1, 2, 3]);
  writeFileSync(at("frac.npy"), encodeNpy({ dtype: "f8", shape: [2], data: Float64Array.from([1, 2.5]) }));
  userError(() => readLabels(at("frac.npy")), /label 1 is 2\.5, not a 32-bit integer/);
  userError(() => readLabels(at("i4.npy"), 4), /expected 4 labels, got 3/);
  writeFileSync(at("lab2d.npy"), encodeNpy({ dtype: "i4", shape: [2, 2], data: Int32Array.from([1, 2, 3, 4]) }));
  userError(() => readLabels(at("lab2d.npy")), /expected a 1-D array, got shape \(2, 2\)/);
});

test("vectors from 1-D .npy and one-row or one-column CSV", () => {
  writeFileSync(at("g.npy"), encodeNpy({ dtype: "f4", shape: [3], data: Float32Array.from([0.5, 1, 2]) }));
  assert.deepEqual(Array.from(readVector(at("g.npy"), 3)), [0.5, 1, 2]);
  writeFileSync(at("row.csv"), "0.5, 1 ,2e0\n");
  assert.deepEqual(Array.from(readVector(at("row.csv"))), [0.5, 1, 2]);
  userError(() => readVector(at("row.csv"), 4), /expected 4 values, got 3/);
  writeFileSync(at("sq.csv"), "1,2\n3,4\n");
  userError(() => readVector(at("sq.csv")), /expected one row or one column, got 2x2/);
});

test("CSV matrices: header skipped, CRLF and blank lines tolerated", () => {
  writeFileSync(at("h.csv"), "f1,f2,f3\r\n1,0,-1\r\n0.5,.25,-3e-2\r\n\r\n");
  const m = readMatrix(at("h.csv"), { rows: 2, cols: 3 });
  assert.deepEqual(Array.from(m.data), [1, 0, -1, 0.5, 0.25, -0.03]);
  assert.deepEqual(parseCsv("1,2\n3,4", "x"), [[1, 2], [3, 4]]);
});

test("malformed files give one-line UserErrors", () => {
  userError(() => readMatrix(at("missing.npy")), /missing\.npy: file not found/);
  writeFileSync(at("w.txt"), "1,2");
  userError(() => readMatrix(at("w.txt")), /unknown extension '\.txt'; expected \.npy or \.csv/);
  writeFileSync(at("bad.npy"), Buffer.from("PK\x03\x04 this is a zip, not npy"));
  userError(() => readMatrix(at("bad.npy")), /not a \.npy file \(bad magic/);
  writeFileSync(at("nohdr.npy"), rawNpy("{'descr': '<f8', 'shape': (1, 1), }", f8(1)));
  userError(() => readMatrix(at("nohdr.npy")), /bad \.npy header/);
  writeFileSync(at("c16.npy"), rawNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }", f8(1, 0)));
  userError(() => readMatrix(at("c16.npy")), /unsupported dtype '<c16'/);
  writeFileSync(at("f2.npy"), rawNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (1, 1), }", Buffer.alloc(2)));
  userError(() => readMatrix(at("f2.npy")), /unsupported dtype '<f2'/);
  writeFileSync(at("be.npy"), rawNpy("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1), }", f8(1)));
  userError(() => readMatrix(at("be.npy")), /big-endian dtype '>f8'/);
  writeFileSync(at("fort.npy"), Buffer.from(NUMPY_FORTRAN, "base64"));
  // np.save(W.T) writes Fortran order: read as the same 2×3 array, not refused (issue 7, item 13)
  assert.deepEqual(toRows(readMatrix(at("fort.npy"))), [[0, 1, 2], [3, 4, 5]]);
  writeFileSync(at("i4m.npy"), encodeNpy({ dtype: "i4", shape: [1, 2], data: Int32Array.from([1, 2]) }));
  userError(() => readMatrix(at("i4m.npy")), /a matrix must be float32 or float64, got i4/);
  writeFileSync(at("trunc.npy"), rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", f8(1, 2, 3)));
  userError(() => readMatrix(at("trunc.npy")), /truncated data: shape \(2, 2\) needs 32 bytes, file has 24/);
});

test("wrong rank, wrong shape and non-finite values are rejected", () => {
  writeFileSync(at("r3.npy"), encodeNpy({ dtype: "f8", shape: [1, 2, 2], data: new Float64Array(4) }));
  userError(() => readMatrix(at("r3.npy")), /expected a 2-D array, got 3-D \(shape \(1, 2, 2\)\)/);
  writeFileSync(at("r1.npy"), encodeNpy({ dtype: "f8", shape: [4], data: new Float64Array(4) }));
  userError(() => readMatrix(at("r1.npy")), /expected a 2-D array, got 1-D/);
  writeNpy(at("s.npy"), fromRows([[1, 2, 3], [4, 5, 6]]));
  userError(() => readMatrix(at("s.npy"), { rows: 3 }), /expected 3 rows, got 2 \(shape 2x3\)/);
  userError(() => readMatrix(at("s.npy"), { cols: 2 }), /expected 2 columns, got 3 \(shape 2x3\)/);
  writeFileSync(at("empty.npy"), encodeNpy({ dtype: "f8", shape: [0, 3], data: new Float64Array(0) }));
  userError(() => readMatrix(at("empty.npy")), /empty matrix \(shape 0x3\)/);
  writeNpy(at("nan.npy"), fromRows([[1, 2], [NaN, 4]]));
  userError(() => readMatrix(at("nan.npy")), /value at row 1, column 0 is NaN/);
  writeNpy(at("inf.npy"), fromRows([[1, -Infinity]]));
  userError(() => readMatrix(at("inf.npy")), /value at row 0, column 1 is -Infinity/);
  writeFileSync(at("v2.npy"), rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", f8(3, 4), 2));
  assert.deepEqual(Array.from(readMatrix(at("v2.npy")).data), [3, 4]); // version 2 header (uint32 length)
});

test("malformed CSV: ragged rows, NaN/Inf, non-numbers, empty cells", () => {
  writeFileSync(at("rag.csv"), "1,2,3\n4,5\n");
  userError(() => readMatrix(at("rag.csv")), /ragged CSV: line 2 has 2 values, line 1 has 3/);
  writeFileSync(at("rag2.csv"), "a,b\n1,2,3\n");
  userError(() => readMatrix(at("rag2.csv")), /ragged CSV: line 2 has 3 values, line 1 has 2/);
  writeFileSync(at("nan.csv"), "1,2\nnan,4\n");
  userError(() => readMatrix(at("nan.csv")), /line 2, column 1 is nan \(NaN\/Inf not allowed\)/);
  writeFileSync(at("inf.csv"), "1,-inf\n");
  userError(() => readMatrix(at("inf.csv")), /line 1, column 2 is -inf/);
  writeFileSync(at("word.csv"), "x,y\n1,2\n3,abc\n");
  userError(() => readMatrix(at("word.csv")), /line 3, column 2: 'abc' is not a number/);
  writeFileSync(at("hole.csv"), "1,,2\n");
  userError(() => readMatrix(at("hole.csv")), /line 1, column 2 is empty/);
  writeFileSync(at("hdronly.csv"), "a,b\n");
  userError(() => readMatrix(at("hdronly.csv")), /no numeric rows/);
});

test("issue 7 item 13: CSV 1e400 is refused, a first row with one text cell is an error, not a dropped header", () => {
  userError(() => parseCsv("1,2\n1e400,3\n", "x.csv"), /outside the float64 range/);
  userError(() => parseCsv("1,0,x\n1,2,3\n", "x.csv"), /line 1, column 3: 'x' is not a number/);
  assert.deepEqual(parseCsv("a,b,c\n1,2,3\n", "x.csv"), [[1, 2, 3]]);
});
