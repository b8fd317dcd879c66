import type { Mat } from "../util/mat.ts";

/** Any matrix the metrics accept; every metric reads it into float64 arithmetic. */
export type AnyMat = Mat<Float32Array | Float64Array>;

/** Shape checks fail loudly: a silently mis-shaped metric would corrupt a table without a trace. */
export function assertShape(cond: boolean, fn: string, msg: string): void {
  if (!cond) throw new Error(`${fn}: ${msg}`);
}
