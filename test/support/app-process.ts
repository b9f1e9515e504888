// issuesmith as a real process (`node src/server.ts`), for tests and benches
// that kill it, restart it, or must not share its CPU: crash recovery,
// start-up failures, and the webhook burst.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./app.ts";

const SERVER = fileURLToPath(new URL("../../src/server.ts", import.meta.url));
const CLI = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));

export interface AppProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stdout and stderr lines so far. */
  output: string[];
  /** Resolves with the exit code (or signal) once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  env: Record<string, string>;
  /** Working directory (no .env of a developer's checkout gets read). */
  cwd: string;
  /** Wait for /healthz (default true); false to watch a start-up that should fail. */
  waitReady?: boolean;
  timeoutMs?: number;
  /** Run `issuesmith <args>` instead of the server. */
  cli?: string[];
}

export async function startAppProcess(options: StartOptions): Promise<AppProcess> {
  const port = Number(options.env.PORT ?? (await freePort()));
  const args = options.cli ? [CLI, ...options.cli] : [SERVER];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      LOG_FORMAT: "json",
      ...options.env,
      PORT: String(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim()) output.push(line);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const proc: AppProcess = {
    url,
    port,
    child,
    output,
    exited,
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.waitReady === false) return proc;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return proc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.kill("SIGKILL");
  throw new Error(`issuesmith did not become ready:\n${output.slice(-30).join("\n")}`);
}

export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
