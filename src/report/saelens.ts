/**
 * A trained SAE as SAE users load it: SAELens's layout (cfg.json + sae_weights.safetensors
 * with W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc [d_sae], b_dec [d_in]), plus .npy
 * copies, the WSAE weights γ and the metrics. And back: the files read and checked.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../data/safetensors.ts";
import { encodeNpy } from "../data/matfile.ts";
import type { TopkParams, TopkSpec } from "../sae/topk-sae.ts";
import { UserError } from "../util/errors.ts";
import { transpose } from "../util/mat.ts";
import type { Files } from "./write.ts";

export type SaeCfg = {
  architecture: "topk"; d_in: number; d_sae: number; k: number; activation_fn_kwargs: { k: number };
  apply_b_dec_to_input: true; normalize_activations: "none"; dtype: "float32"; device: "cpu";
  wsae: Record<string, unknown>;
};

export function saeFiles(spec: TopkSpec, p: TopkParams, gamma: Float64Array | null, wsae: Record<string, unknown>, metrics: object): Files {
  const cfg: SaeCfg = {
    architecture: "topk", d_in: spec.d, d_sae: spec.m, k: spec.k, activation_fn_kwargs: { k: spec.k },
    apply_b_dec_to_input: true, normalize_activations: "none", dtype: "float32", device: "cpu", wsae,
  };
  const Wenc = transpose(p.Wenc); // ours: latents as rows; SAELens: W_enc is d_in × d_sae
  const st = encodeSafetensors({
    W_enc: { dtype: "F32", shape: [spec.d, spec.m], data: Wenc.data },
    W_dec: { dtype: "F32", shape: [spec.m, spec.d], data: p.Wdec.data },
    b_enc: { dtype: "F32", shape: [spec.m], data: p.benc },
    b_dec: { dtype: "F32", shape: [spec.d], data: p.bdec },
  }, { format: "pt", producer: "wsae" });
  const npy = (shape: number[], data: Float32Array | Float64Array) => encodeNpy({ dtype: data instanceof Float64Array ? "f8" : "f4", shape, data });
  const files: Files = {
    "cfg.json": JSON.stringify(cfg, null, 2) + "\n",
    "sae_weights.safetensors": st,
    "W_enc.npy": npy([spec.d, spec.m], Wenc.data),
    "W_dec.npy": npy([spec.m, spec.d], p.Wdec.data),
    "b_enc.npy": npy([spec.m], p.benc),
    "b_dec.npy": npy([spec.d], p.bdec),
    "metrics.json": JSON.stringify(metrics, null, 2) + "\n",
  };
  if (gamma) files["gamma.npy"] = npy([spec.d], gamma);
  return files;
}

/** Read an SAE folder written by `wsae train` (or any SAELens Top-k SAE with the same names). */
export function readSae(dir: string): { spec: TopkSpec; params: TopkParams } {
  const cfgPath = join(dir, "cfg.json"), stPath = join(dir, "sae_weights.safetensors");
  if (!existsSync(cfgPath) || !existsSync(stPath)) throw new UserError(`--sae ${dir}: expected cfg.json and sae_weights.safetensors there`);
  let cfg: Partial<SaeCfg> & { activation_fn_kwargs?: { k?: number } };
  try {
    cfg = JSON.parse(readFileSync(cfgPath, "utf8"));
  } catch {
    throw new UserError(`${cfgPath}: not valid JSON`);
  }
  const k = cfg.k ?? cfg.activation_fn_kwargs?.k;
  const d = cfg.d_in, m = cfg.d_sae;
  const int = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (!int(d) || !int(m) || !int(k)) throw new UserError(`${cfgPath}: needs positive integers d_in, d_sae and k`);
  let t;
  try {
    t = decodeSafetensors(readFileSync(stPath)).tensors;
  } catch (e) {
    if (e instanceof SafetensorsError) throw new UserError(`${stPath}: ${e.message}`);
    throw e;
  }
  const get = (name: string, shape: number[]): Float32Array => {
    const x = t[name];
    if (!x) throw new UserError(`${stPath}: no tensor ${name}`);
    if (x.dtype !== "F32" || x.shape.join("x") !== shape.join("x")) throw new UserError(`${stPath}: ${name} is ${x.dtype} [${x.shape}], expected F32 [${shape}]`);
    const v = x.data as Float32Array;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new UserError(`${stPath}: ${name} holds a non-finite value at ${i}`);
    return v;
  };
  const WencT = get("W_enc", [d!, m!]);
  const params: TopkParams = {
    Wenc: transpose({ rows: d!, cols: m!, data: WencT }),
    Wdec: { rows: m!, cols: d!, data: Float32Array.from(get("W_dec", [m!, d!])) },
    benc: Float32Array.from(get("b_enc", [m!])),
    bdec: Float32Array.from(get("b_dec", [d!])),
  };
  return { spec: { d: d!, m: m!, k: k! }, params };
}
