/** Any matrix the metrics accept (the one AnyMat, util/mat.ts); every metric reads it into float64 arithmetic. */
export type { AnyMat } from "../util/mat.ts";

/** Shape checks fail loudly: a silently mis-shaped metric would corrupt a table without a trace. */
export function assertShape(cond: boolean, fn: string, msg: string): void {
  if (!cond) throw new Error(`${fn}: ${msg}`);
}
