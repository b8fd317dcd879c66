// Entry of a pool worker thread (see pool.ts): registers tsx in this thread, so the
// TypeScript job modules load as they do on the main thread, then runs the worker.
const { register } = await import("tsx/esm/api");
register();
await import("./pool-worker.ts");
