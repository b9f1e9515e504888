// How one command process is started, watched and ended, whichever runner
// starts it: clean environment, output cap, timeout, cancellation, and no
// process left behind.
import { spawn } from "node:child_process";
import path from "node:path";
import { HeadTailBuffer } from "../shared/truncate.ts";
import { DEFAULT_MAX_OUTPUT, DEFAULT_MEMORY_MB, hardOutputLimit } from "./run-limits.ts";
import type { PidsCgroup, RunCgroup } from "./pids-cgroup.ts";
import { OFFLINE_ENV } from "./offline-env.ts";
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
    // Git hook installers run by `npm install` would write .git/, which is read-only in the sandbox.
    HUSKY: "0",
    LEFTHOOK: "0",
    SKIP_INSTALL_SIMPLE_GIT_HOOKS: "1",
    ...(options.network ? {} : OFFLINE_ENV),
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
      refused: refusedResult(
        126,
        `cwd ${cwd} is outside the workspace; commands run inside ${options.workspace.repoDir}`,
      ),
    };
  }
  return { cwd };
}

/** The result of a command that was never started. */
export function refusedResult(exitCode: number, output: string): RunResult {
  return { exitCode, output, killed: undefined, outputTruncated: false, durationMs: 0 };
}

/** A command's own pids cgroup, or the result explaining why it could not be made (never run unlimited). */
export function openCgroup(
  pids: PidsCgroup | undefined,
  maxProcesses: number,
): { cgroup: RunCgroup | undefined } | { refused: RunResult } {
  try {
    return { cgroup: pids?.open(maxProcesses) };
  } catch (error) {
    return {
      refused: refusedResult(125, `issuesmith: could not create the process-limit cgroup: ${(error as Error).message}`),
    };
  }
}

/** `ulimit -v` takes KiB; 0 or less means no address-space limit. */
export function memoryKib(options: RunOptions): string {
  const mb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  return mb > 0 ? String(mb * 1024) : "unlimited";
}

/** Where the bwrap runner shows a command its own cgroup's procs file (and nothing else of the cgroup). */
export const SANDBOX_CGROUP_PROCS = "/run/issuesmith/cgroup.procs";

export interface ShellLimits {
  /** A cgroup.procs file the shell moves itself into before anything can fork; "" for none. */
  procsFile: string;
  maxProcesses: number;
  /** Set RLIMIT_NPROC too: counted per user namespace, so only meaningful inside bwrap. */
  rlimitProcesses: boolean;
  /** Kill everything left in the pid namespace when the command ends: only ever inside bwrap. */
  killLeftovers: boolean;
}

/**
 * The one shell a command runs in: it joins the cgroup, sets the limits, then
 * runs the command with eval, in a subshell when leftovers are to be killed
 * afterwards. One exec instead of a wrapper and a second bash: on a busy
 * machine an exec costs milliseconds. The command sees $0 = bash and no
 * positional parameters, as with `bash -c command`.
 */
export function shellArgs(options: RunOptions, limits: ShellLimits): { file: string; args: string[] } {
  const run = 'eval "unset __c __m __p __n\n$__c"';
  const script = [
    "__c=$1 __m=$2 __p=$3 __n=$4",
    "set --",
    'if [ -n "$__p" ]; then echo $$ > "$__p" || { echo "issuesmith: could not join the process-limit cgroup" >&2; exit 125; }; fi',
    'ulimit -v "$__m" 2>/dev/null',
    ...(limits.rlimitProcesses ? ['ulimit -u "$__n" 2>/dev/null'] : []),
    ...(limits.killLeftovers ? [`( ${run} )`, "__s=$?", "kill -KILL -1 2>/dev/null", "exit $__s"] : [run]),
  ].join("\n");
  return {
    file: "/bin/bash",
    args: ["-c", script, "bash", options.command, memoryKib(options), limits.procsFile, String(limits.maxProcesses)],
  };
}
