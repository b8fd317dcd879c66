#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `wsae` never drifts from src/.
// Anything that escapes main()'s own handling still ends as one line, not a stack dump.
const fail = (e) => {
  process.stderr.write(`wsae: internal error: ${e && e.message ? e.message.split("\n")[0] : String(e)}\n`);
  if (process.env.WSAE_DEBUG) process.stderr.write(`${e && e.stack}\n`);
  process.exit(1);
};
// `wsae list | head` closes the pipe early: that is not an error
process.stdout.on("error", (e) => (e.code === "EPIPE" ? process.exit(0) : fail(e)));
process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);
try {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../src/cli/main.ts");
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  fail(e);
}
