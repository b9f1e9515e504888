#!/usr/bin/env node
// The `issuesmith` command. The source is TypeScript run by Node 24's type
// stripping; when this shim is started by an older Node, it re-runs the CLI
// with the Node 24 the project pins (node_modules/node).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const major = Number(process.versions.node.split(".")[0]);

if (major >= 24) {
  const { main } = await import(cli);
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    // A UserError (kind "user": a job store that cannot be opened, say) is one clear message, not a stack.
    const user = err && err.kind === "user";
    const details = user && Array.isArray(err.details) ? err.details.map((d) => `\n  - ${d}`).join("") : "";
    process.stderr.write(`issuesmith: ${user ? err.message : (err?.stack ?? String(err))}${details}\n`);
    process.exitCode = 1;
  }
} else {
  const pinned = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
  if (!existsSync(pinned)) {
    console.error(
      `issuesmith needs Node.js 24 (this is ${process.version}); run \`npm ci\` in the project to install the pinned one.`,
    );
    process.exit(1);
  }
  const child = spawn(pinned, [cli, ...process.argv.slice(2)], { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
