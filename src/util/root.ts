import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder (where package.json and src/ live). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
