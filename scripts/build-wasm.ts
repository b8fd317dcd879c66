/**
 * npm run build:wasm — assemble src/compute/simd.wat into src/compute/simd.wasm with
 * wabt (a devDependency). The .wasm is committed so running wsae needs no build step;
 * test/wasm.test.ts checks that it matches this assembly of the .wat.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assembleSimd } from "./wasm-assemble.ts";

const dir = join(import.meta.dirname, "..", "src", "compute");
const bytes = await assembleSimd(readFileSync(join(dir, "simd.wat"), "utf8"));
writeFileSync(join(dir, "simd.wasm"), bytes);
process.stdout.write(`wrote src/compute/simd.wasm (${bytes.length} bytes)\n`);
