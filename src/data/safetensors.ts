/**
 * The safetensors format (huggingface/safetensors, the file SAELens and sparsify load),
 * written and read by hand: no package for it installs here offline. Layout:
 *   8 bytes   N, unsigned little-endian 64-bit: the header's length
 *   N bytes   UTF-8 JSON: { name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: {str: str} },
 *             padded with spaces so the data starts 8-byte aligned
 *   rest      the tensors' bytes, little-endian, row-major, back to back: no holes, no overlap
 * Offsets count from the start of the data. Tensors are written in name order.
 */

export type Tensor = { dtype: "F32" | "F64" | "I32" | "I64"; shape: number[]; data: Float32Array | Float64Array | Int32Array | BigInt64Array };

const BYTES: Record<Tensor["dtype"], number> = { F32: 4, F64: 8, I32: 4, I64: 8 };
const ARRAY: Record<Tensor["dtype"], (b: ArrayBuffer, o: number, n: number) => Tensor["data"]> = {
  F32: (b, o, n) => new Float32Array(b, o, n),
  F64: (b, o, n) => new Float64Array(b, o, n),
  I32: (b, o, n) => new Int32Array(b, o, n),
  I64: (b, o, n) => new BigInt64Array(b, o, n),
};

/** Error with one line a user can act on; the CLI turns it into exit 2. */
export class SafetensorsError extends Error {}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Little-endian on every platform this runs on (x86-64, arm64); checked once. */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  if (!LITTLE) throw new SafetensorsError("safetensors: big-endian machines are not supported");
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new SafetensorsError("safetensors: '__metadata__' cannot name a tensor");
    const t = tensors[name]!;
    if (count(t.shape) !== t.data.length) throw new SafetensorsError(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = t.data.length * BYTES[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += " ".repeat(pad);
  const head = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** Parse and check a safetensors file: every rule of the format, one clear line when broken. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const fail = (why: string): never => {
    throw new SafetensorsError(`not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail("shorter than its 8-byte header length");
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8) || n > 100_000_000n) fail(`header length ${n} exceeds the file (${bytes.length} bytes)`);
  const hlen = Number(n);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 8, hlen).toString("utf8");
  if (!text.startsWith("{")) fail("header is not a JSON object");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail("header is not valid JSON");
  }
  const dataLen = bytes.length - 8 - hlen;
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const tensors: Record<string, Tensor> = {};
  // a fresh, aligned copy: typed arrays need aligned offsets
  const data = new Uint8Array(bytes.subarray(8 + hlen)).buffer; // a copy (Buffer.slice would share its pool)
  for (const [name, v] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (v === null || typeof v !== "object" || Array.isArray(v)) fail("__metadata__ is not an object");
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (typeof x !== "string") fail(`metadata '${k}' is not a string`);
        metadata[k] = x as string;
      }
      continue;
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) fail(`tensor '${name}' is not an object`);
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t.dtype !== "string" || !(t.dtype in BYTES)) fail(`tensor '${name}' has unsupported dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor '${name}' has a bad shape`);
    const off = t.data_offsets as number[];
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[1]! < off[0]!) fail(`tensor '${name}' has bad data_offsets`);
    const dtype = t.dtype as Tensor["dtype"], shape = t.shape as number[];
    if (off[1]! > dataLen) fail(`tensor '${name}' ends at byte ${off[1]} past the data (${dataLen} bytes)`);
    if (off[1]! - off[0]! !== count(shape) * BYTES[dtype]) fail(`tensor '${name}': ${off[1]! - off[0]!} bytes for shape [${shape}] of ${dtype}`);
    if (off[0]! % BYTES[dtype]) fail(`tensor '${name}' is not aligned to its ${BYTES[dtype]}-byte dtype`);
    spans.push([off[0]!, off[1]!, name]);
    tensors[name] = { dtype, shape, data: ARRAY[dtype](data, off[0]!, count(shape)) };
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let end = 0;
  for (const [b, e, name] of spans) {
    if (b !== end) fail(b < end ? `tensor '${name}' overlaps another` : `a hole before tensor '${name}'`);
    end = e;
  }
  if (end !== dataLen) fail(`${dataLen - end} bytes after the last tensor`);
  return { tensors, metadata };
}
