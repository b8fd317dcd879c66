import { createRequire } from "node:module";
import { GPU } from "gpu.js";
import { UserError } from "../util/errors.ts";
import type { Backend, BackendName } from "./backend.ts";
import { JsBackend } from "./js.ts";
import { WasmBackend, simdSupported } from "./wasm.ts";
import { GpuJsBackend, type GpuJsMode } from "./gpujs.ts";

export type { Backend, BackendName } from "./backend.ts";

export const BACKENDS: BackendName[] = ["js", "wasm", "gpujs"];
/** What --backend accepts: a backend, or "auto" (see autoBackendName). */
export const BACKEND_CHOICES = ["auto", ...BACKENDS];
export const GPUJS_MODES: GpuJsMode[] = ["webasm", "headlessgl", "cpu"];

/**
 * "auto": gpu.js on a real GPU (headless-gl built and a hardware renderer), else the
 * WebAssembly SIMD backend, else plain JS. gpu.js on a software renderer or on webasm
 * is slower than `wasm` at every shape measured (README, Speed), so it is never chosen
 * on a CPU.
 */
export function autoBackendName(): { name: BackendName; gpujsMode: GpuJsMode } {
  if (hardwareGl()) return { name: "gpujs", gpujsMode: "headlessgl" };
  return { name: simdSupported() ? "wasm" : "js", gpujsMode: "webasm" };
}

function hardwareGl(): boolean {
  try {
    if (!GPU.isHeadlessGLSupported) return false;
    const gl = createRequire(import.meta.url)("gl")(1, 1);
    const renderer = String(gl.getParameter(gl.RENDERER));
    gl.getExtension("STACKGL_destroy_context")?.destroy();
    return !/llvmpipe|softpipe|swiftshader|software|lavapipe/i.test(renderer);
  } catch {
    return false;
  }
}

export function createBackend(name: string, gpujsMode: string = "webasm"): Backend {
  if (name === "auto") {
    const a = autoBackendName();
    return createBackend(a.name, a.name === "gpujs" ? a.gpujsMode : gpujsMode);
  }
  if (name === "js") return new JsBackend();
  if (name === "wasm") {
    if (!simdSupported()) throw new UserError("the wasm backend needs WebAssembly SIMD, which this Node does not support; use --backend js");
    return new WasmBackend();
  }
  if (name === "gpujs") {
    if (!(GPUJS_MODES as string[]).includes(gpujsMode))
      throw new UserError(`unknown gpu.js mode '${gpujsMode}' (expected one of ${GPUJS_MODES.join(", ")})`);
    try {
      return new GpuJsBackend(gpujsMode as GpuJsMode);
    } catch (e) {
      throw new UserError(`gpu.js mode '${gpujsMode}' is not available here: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new UserError(`unknown backend '${name}' (expected one of ${BACKEND_CHOICES.join(", ")})`);
}
