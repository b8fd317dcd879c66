/**
 * One pool worker: creates its own backend, then runs the jobs the pool sends, one at
 * a time, answering each with its result or its error (class kept, see pool.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { createBackend } from "../compute/index.ts";
import { jobFunction, toWire, type FromWorker, type ToWorker } from "./pool.ts";

const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const { backendName, gpujsMode } = workerData as { backendName: string; gpujsMode: string };
const backend = createBackend(backendName, gpujsMode);

port.on("message", async (m: ToWorker) => {
  try {
    const f = await jobFunction<unknown, unknown>(m.url, m.fn);
    // steps are frequent: report every 25th (the bar redraws every 100th) and the last
    const step = (done: number, total: number) => {
      if (done % 25 === 0 || done === total) send({ type: "step", done, total });
    };
    const result = await f(m.job, { backend, step });
    send({ type: "done", index: m.index, result });
  } catch (e) {
    send({ type: "error", index: m.index, error: toWire(e) });
  }
});
send({ type: "ready" });
