// The one runner every agent command goes through (shell, tests, setup).
// This file holds the direct runner ("none"); the bubblewrap runner and
// `createRunner(mode)` choosing between them are built on the same spawn.
import { spawn } from "node:child_process";
import path from "node:path";
import { HeadTailBuffer } from "../shared/truncate.ts";
import type { CommandRunner, RunOptions, RunResult } from "./types.ts";

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/** The environment every command sees: nothing of the app's own. */
export function cleanEnv(options: RunOptions, homeDir = options.workspace.homeDir): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: homeDir,
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    CI: "true",
    TERM: "dumb",
    NO_COLOR: "1",
    GIT_TERMINAL_PROMPT: "0",
    ...options.env,
  };
}

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Spawn in its own process group, stdin closed, output capped, killed on timeout or abort. */
export function runSpawned(spec: SpawnSpec, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const buffer = new HeadTailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
  // Runaway output is stopped well before it costs memory or minutes.
  const hardOutputLimit = Math.max(64 * 1024 * 1024, (options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT) * 16);
  return new Promise((resolve) => {
    let killed: RunResult["killed"];
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const killGroup = (why: NonNullable<RunResult["killed"]>) => {
      killed ??= why;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    };
    const onData = (chunk: Buffer) => {
      buffer.push(chunk);
      if (buffer.totalBytes > hardOutputLimit) killGroup("output");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => killGroup("timeout"), options.timeoutMs);
    const onAbort = () => killGroup("cancelled");
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let settled = false;
    const finish = (exitCode: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever the command left running in its group goes with it.
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* none left */
      }
      resolve({
        exitCode,
        output: buffer.toString(),
        killed,
        outputTruncated: buffer.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    };
    child.on("error", (err) => {
      buffer.push(Buffer.from(`\n${err.message}\n`));
      finish(127);
    });
    child.on("close", (code) => finish(code));
  });
}

/** Runs commands directly on the host: only for when no sandbox is available. */
export class DirectRunner implements CommandRunner {
  readonly kind = "none" as const;

  run(options: RunOptions): Promise<RunResult> {
    const cwd = options.cwd ?? options.workspace.repoDir;
    const rel = path.relative(options.workspace.repoDir, cwd);
    if (rel.startsWith("..") || path.isAbsolute(rel)) {
      return Promise.resolve({ exitCode: 126, output: `cwd ${cwd} is outside the workspace`, killed: undefined, outputTruncated: false, durationMs: 0 });
    }
    return runSpawned({ file: "/bin/bash", args: ["-c", options.command], cwd, env: cleanEnv(options) }, options);
  }
}
