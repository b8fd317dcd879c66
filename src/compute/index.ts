import { UserError } from "../util/errors.ts";
import type { Backend, BackendName } from "./backend.ts";
import { JsBackend } from "./js.ts";
import { GpuJsBackend, type GpuJsMode } from "./gpujs.ts";

export type { Backend, BackendName } from "./backend.ts";

export const BACKENDS: BackendName[] = ["js", "gpujs"];
export const GPUJS_MODES: GpuJsMode[] = ["webasm", "headlessgl", "cpu"];

export function createBackend(name: string, gpujsMode: string = "webasm"): Backend {
  if (name === "js") return new JsBackend();
  if (name === "gpujs") {
    if (!(GPUJS_MODES as string[]).includes(gpujsMode))
      throw new UserError(`unknown gpu.js mode '${gpujsMode}' (expected one of ${GPUJS_MODES.join(", ")})`);
    try {
      return new GpuJsBackend(gpujsMode as GpuJsMode);
    } catch (e) {
      throw new UserError(`gpu.js mode '${gpujsMode}' is not available here: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  throw new UserError(`unknown backend '${name}' (expected one of ${BACKENDS.join(", ")})`);
}
