// The limits every command runs under, and how a command that hit one is
// explained to the model: what stopped it, and what to do instead.
import type { RunResult } from "./types.ts";
import { formatDuration } from "../shared/duration.ts";

/** Address space per process when RunOptions.memoryMb is unset (Node needs > 1 GiB of it to start). */
export const DEFAULT_MEMORY_MB = 4096;
/** Tasks (processes and threads) per command: room for test runners and builds, not for a fork bomb. */
export const DEFAULT_MAX_PROCESSES = 1024;
/** Combined stdout+stderr kept when RunOptions.maxOutputBytes is unset. */
export const DEFAULT_MAX_OUTPUT = 1024 * 1024;

/** Output beyond this stops the command: runaway output costs memory and minutes, never helps. */
export function hardOutputLimit(maxOutputBytes = DEFAULT_MAX_OUTPUT): number {
  return Math.max(64 * 1024 * 1024, maxOutputBytes * 16);
}

export interface LimitsInEffect {
  timeoutMs: number;
  memoryMb?: number;
  maxOutputBytes?: number;
  maxProcesses?: number;
}

// What failing programs print when an allocation or a fork is refused.
const OUT_OF_MEMORY =
  /Cannot allocate memory|std::bad_alloc|MemoryError|out of memory|Failed to reserve virtual memory|mmap failed|memory allocation of \d+ bytes failed/i;
const GIT_READ_ONLY = /\.git\/[^\n]*Read-only file system|Read-only file system[^\n]*\.git\//;
const OUT_OF_PROCESSES =
  /fork: (?:retry: )?Resource temporarily unavailable|Cannot fork|EAGAIN.*spawn|spawn.*EAGAIN|can't start new thread|pthread_create.*(?:Resource temporarily unavailable|EAGAIN)/i;

/**
 * Why a command did not finish on its own terms, in words for the model:
 * stopped (timeout, output, cancelled), or failed against the memory or
 * process limit or the read-only .git. Undefined when no limit was involved.
 */
export function describeKill(result: RunResult, limits: LimitsInEffect): string | undefined {
  switch (result.killed) {
    case "timeout":
      return (
        `The command was stopped after ${formatDuration(limits.timeoutMs)} (timeout) and all its processes were killed. ` +
        "Run a narrower command instead: a single test file or a name filter, fewer iterations, no watch mode. " +
        "Servers and background processes cannot outlive a command here."
      );
    case "output":
      return (
        `The command was stopped because it printed more than ${formatBytes(hardOutputLimit(limits.maxOutputBytes))} of output. ` +
        "Run it with quieter flags, or pipe it through `tail -n 50`, `head` or `grep` to keep the part you need."
      );
    case "cancelled":
      return "The command was cancelled because the job is being stopped; do not run it again.";
    case undefined:
      break;
  }
  if (result.exitCode === 0) return undefined;
  if (GIT_READ_ONLY.test(result.output)) {
    return (
      "The repository's .git directory is read-only here: the app commits and pushes your changes itself. " +
      "Change files with the edit tools (or the shell), review them with `git diff` or `git status`; do not run git commands that write (add, commit, stash, checkout)."
    );
  }
  if (OUT_OF_PROCESSES.test(result.output)) {
    return (
      `The command hit the limit of ${limits.maxProcesses ?? DEFAULT_MAX_PROCESSES} processes and threads. ` +
      "Run fewer things in parallel (e.g. `--maxWorkers=2`, `-j2`, `--runInBand`) and make sure nothing forks in a loop."
    );
  }
  if (OUT_OF_MEMORY.test(result.output)) {
    return (
      `The command probably ran out of memory: each process may use at most ${limits.memoryMb ?? DEFAULT_MEMORY_MB} MiB of address space. ` +
      "Work on less data at once, or run a smaller part of the test suite."
    );
  }
  return undefined;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}
