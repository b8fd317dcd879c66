// The committed kernel is the assembly of its committed source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assembleSimd } from "../scripts/wasm-assemble.ts";

test("src/compute/simd.wasm is simd.wat assembled (run npm run build:wasm after editing the .wat)", async () => {
  const dir = join(import.meta.dirname, "..", "src", "compute");
  const built = await assembleSimd(readFileSync(join(dir, "simd.wat"), "utf8"));
  assert.deepEqual(new Uint8Array(readFileSync(join(dir, "simd.wasm"))), built);
});
