// How one command process is started, watched and ended, whichever runner
// starts it: clean environment, output cap, timeout, cancellation, and no
// process left behind.
import { spawn } from "node:child_process";
import path from "node:path";
import { HeadTailBuffer } from "../shared/truncate.ts";
import { DEFAULT_MAX_OUTPUT, DEFAULT_MEMORY_MB, hardOutputLimit } from "./run-limits.ts";
import type { RunOptions, RunResult } from "./types.ts";

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

/** After the command exits, how long processes that escaped its group may hold its output open. */
const EXIT_GRACE_MS = 1000;

/** Spawn in its own process group, stdin closed, output capped, killed on timeout or abort. */
export function runSpawned(spec: SpawnSpec, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const buffer = new HeadTailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
  const outputLimit = hardOutputLimit(options.maxOutputBytes);
  return new Promise((resolve) => {
    let killed: RunResult["killed"];
    let exitCode: number | null | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    };
    const stop = (why: NonNullable<RunResult["killed"]>) => {
      killed ??= why;
      killGroup();
    };
    const onData = (chunk: Buffer) => {
      buffer.push(chunk);
      if (buffer.totalBytes > outputLimit) stop("output");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = () => stop("cancelled");
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let settled = false;
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onAbort);
      killGroup();
      resolve({
        exitCode: exitCode === undefined ? code : exitCode,
        output: buffer.toString(),
        killed,
        outputTruncated: buffer.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    };
    child.on("exit", (code) => {
      exitCode = code;
      // Background processes left in the group would hold the output pipes open: they go with the command.
      killGroup();
      // One that left the group (setsid) could hold them forever: stop listening after a moment.
      graceTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code);
      }, EXIT_GRACE_MS);
    });
    child.on("error", (err) => {
      buffer.push(Buffer.from(`\n${err.message}\n`));
      finish(127);
    });
    child.on("close", (code) => finish(code));
  });
}

/** The working directory of a command, or why it is refused: it must be inside the checkout. */
export function commandCwd(options: RunOptions): { cwd: string } | { refused: RunResult } {
  const cwd = path.resolve(options.workspace.repoDir, options.cwd ?? ".");
  const rel = path.relative(options.workspace.repoDir, cwd);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    return {
      refused: {
        exitCode: 126,
        output: `cwd ${cwd} is outside the workspace; commands run inside ${options.workspace.repoDir}`,
        killed: undefined,
        outputTruncated: false,
        durationMs: 0,
      },
    };
  }
  return { cwd };
}

/** `ulimit -v` takes KiB; 0 or less means no address-space limit. */
export function memoryKib(options: RunOptions): string {
  const mb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  return mb > 0 ? String(mb * 1024) : "unlimited";
}

/**
 * Arguments that make `sh` move itself into a cgroup before it becomes the
 * command: a process joining after spawn could fork before it is counted.
 */
export function joinCgroupArgs(procsFile: string, file: string, args: string[]): { file: string; args: string[] } {
  return { file: "/bin/sh", args: ["-c", 'echo $$ > "$0" || exit 125; exec "$@"', procsFile, file, ...args] };
}
