// safetensors written and read by hand, checked against the format's rules byte by byte.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../src/data/safetensors.ts";

test("the layout is the documented one: u64 LE header length, JSON header padded to 8, data in name order", () => {
  const bytes = encodeSafetensors({
    b: { dtype: "F32", shape: [2], data: new Float32Array([1, -2]) },
    a: { dtype: "F64", shape: [1, 1], data: new Float64Array([0.5]) },
  }, { format: "pt" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0, "data starts 8-byte aligned");
  const header = Buffer.from(bytes.subarray(8, 8 + n)).toString("utf8");
  assert.equal(header.trimEnd(), '{"__metadata__":{"format":"pt"},"a":{"dtype":"F64","shape":[1,1],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}');
  assert.match(header, /^[^ ]*\s*$/, "padding is trailing spaces only");
  const data = bytes.subarray(8 + n);
  assert.equal(data.length, 16);
  assert.equal(new DataView(data.buffer, data.byteOffset).getFloat64(0, true), 0.5);
  assert.equal(new DataView(data.buffer, data.byteOffset).getFloat32(8, true), 1);
  assert.equal(new DataView(data.buffer, data.byteOffset).getFloat32(12, true), -2);
});

test("a file parses back to the same tensors and metadata", () => {
  const W = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 1e-3);
  const bytes = encodeSafetensors({ W_enc: { dtype: "F32", shape: [3, 4], data: W }, k: { dtype: "I32", shape: [], data: new Int32Array([16]) } }, { k: "16" });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { k: "16" });
  assert.deepEqual(tensors.W_enc!.shape, [3, 4]);
  assert.deepEqual(Array.from(tensors.W_enc!.data as Float32Array), Array.from(W));
  assert.deepEqual(tensors.k!.shape, []);
  assert.equal((tensors.k!.data as Int32Array)[0], 16);
});

test("files that break a rule of the format are refused with one line", () => {
  const good = encodeSafetensors({ a: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) } });
  const n = Number(new DataView(good.buffer).getBigUint64(0, true));
  const withHeader = (h: string, dataBytes: number) => {
    const head = Buffer.from(h);
    const out = new Uint8Array(8 + head.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
    out.set(head, 8);
    return out;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ["too short", good.subarray(0, 5), /shorter/],
    ["header past the end", good.subarray(0, 8 + n - 1), /exceeds/],
    ["not JSON", withHeader("{nope", 0), /not valid JSON/],
    ["not an object", withHeader("[1]", 0), /not a JSON object/],
    ["bad dtype", withHeader('{"a":{"dtype":"Q9","shape":[1],"data_offsets":[0,4]}}', 4), /unsupported dtype/],
    ["size mismatch", withHeader('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8), /8 bytes for shape \[3\]/],
    ["hole", withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), /hole/],
    ["overlap", withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), /overlaps/],
    ["trailing bytes", withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 8), /after the last tensor/],
    ["past the data", withHeader('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 4), /past the data/],
    ["non-string metadata", withHeader('{"__metadata__":{"k":1}}', 0), /metadata 'k'/],
    ["null tensor entry", withHeader('{"a":null}', 0), /tensor 'a' is not an object/],
    ["null metadata", withHeader('{"__metadata__":null}', 0), /__metadata__ is not an object/],
  ];
  for (const [what, bytes, msg] of cases) {
    assert.throws(() => decodeSafetensors(bytes), (e: Error) => e instanceof SafetensorsError && msg.test(e.message) && !e.message.includes("\n"), what);
  }
  assert.throws(() => encodeSafetensors({ a: { dtype: "F32", shape: [3], data: new Float32Array(2) } }), /2 values for shape \[3\]/);
});

test("bytes inside a larger buffer (as Node's file reads give) decode to the right values", () => {
  const bytes = encodeSafetensors({ a: { dtype: "F32", shape: [3], data: new Float32Array([1.5, -2, 3]) } });
  const inside = Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(bytes), Buffer.from([7])]).subarray(3, 3 + bytes.length);
  assert.deepEqual(Array.from(decodeSafetensors(inside).tensors.a!.data as Float32Array), [1.5, -2, 3]);
});
