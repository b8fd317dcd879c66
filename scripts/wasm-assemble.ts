/** WAT text → wasm bytes with wabt, SIMD enabled (shared by build-wasm and its test). */
import wabtInit from "wabt";

export async function assembleSimd(wat: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat("simd.wat", wat, { simd: true });
  try {
    mod.validate();
    return Uint8Array.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}
