// The one runner every agent command goes through (shell, tests, setup):
// bubblewrap when it works here, the host directly when it does not (and
// only then, loudly). `createRunner` decides once, at start-up.
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "../errors.ts";
import { BwrapRunner, type ProcessLimit } from "./bwrap.ts";
import { findPidsCgroup, type PidsCgroup } from "./pids-cgroup.ts";
import { DEFAULT_MAX_PROCESSES } from "./run-limits.ts";
import { cleanEnv, commandCwd, openCgroup, runSpawned, shellArgs } from "./spawn.ts";
import type { CommandRunner, RunOptions, RunResult } from "./types.ts";

export { cleanEnv, runSpawned, type SpawnSpec } from "./spawn.ts";
export { describeKill, DEFAULT_MAX_PROCESSES, DEFAULT_MEMORY_MB, type LimitsInEffect } from "./run-limits.ts";
export { BwrapRunner, type ProcessLimit } from "./bwrap.ts";

export interface DirectRunnerOptions {
  /** A pids cgroup per command bounds forks and kills even processes that left the group. */
  pids?: PidsCgroup;
  maxProcesses?: number;
}

/** Runs commands directly on the host: only for when no sandbox is available. */
export class DirectRunner implements CommandRunner {
  readonly kind = "none" as const;
  readonly processLimit: ProcessLimit;
  readonly maxProcesses: number;
  readonly #pids: PidsCgroup | undefined;

  constructor(options: DirectRunnerOptions = {}) {
    this.#pids = options.pids;
    this.maxProcesses = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    // RLIMIT_NPROC would count every process of the app's user, so only a cgroup will do here.
    this.processLimit = this.#pids ? "cgroup" : "none";
  }

  async run(options: RunOptions): Promise<RunResult> {
    const where = commandCwd(options);
    if ("refused" in where) return where.refused;
    const opened = openCgroup(this.#pids, this.maxProcesses);
    if ("refused" in opened) return opened.refused;
    const { cgroup } = opened;
    // No RLIMIT_NPROC (it would count the app's own processes) and no `kill -1` (it would reach the host's).
    const shell = shellArgs(options, {
      procsFile: cgroup?.procsFile ?? "",
      maxProcesses: this.maxProcesses,
      rlimitProcesses: false,
      killLeftovers: false,
    });
    try {
      return await runSpawned({ ...shell, cwd: where.cwd, env: cleanEnv(options) }, options);
    } finally {
      await cgroup?.close();
    }
  }
}

export interface RunnerLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface CreateRunnerOptions {
  /** Processes and threads per command. */
  maxProcesses?: number;
  /** The bwrap executable. */
  bwrap?: string;
  /** Use a pids cgroup per command when the host allows it (default true). */
  cgroups?: boolean;
}

export type SandboxMode = "auto" | "bwrap" | "none";

/**
 * The runner for AGENT_SANDBOX. `auto` uses bubblewrap when a real command
 * runs in it here and falls back to the host with a loud warning; `bwrap`
 * refuses to start without it.
 */
export async function createRunner(
  mode: SandboxMode,
  log: RunnerLog,
  options: CreateRunnerOptions = {},
): Promise<DirectRunner | BwrapRunner> {
  const maxProcesses = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
  const pids = options.cgroups === false ? undefined : findPidsCgroup();
  const direct = async () =>
    (
      await firstWorking([
        ...(pids ? [new DirectRunner({ pids, maxProcesses })] : []),
        new DirectRunner({ maxProcesses }),
      ])
    ).runner;
  if (mode === "none") {
    const runner = await direct();
    log.warn(
      { sandbox: "none", processLimit: runner.processLimit },
      "AGENT_SANDBOX=none: agent commands run directly on this host, with the app's user and network. Only use this inside a disposable container.",
    );
    return runner;
  }
  const bwrap = options.bwrap ?? "bwrap";
  const sandboxed = await firstWorking([
    ...(pids ? [new BwrapRunner({ bwrap, pids, maxProcesses })] : []),
    new BwrapRunner({ bwrap, maxProcesses }),
  ]);
  if (sandboxed.failure) {
    const reason = sandboxed.failure;
    if (mode === "bwrap") {
      throw new UserError(`AGENT_SANDBOX=bwrap, but bubblewrap does not work on this host: ${reason}`, [
        "install it: apt-get install bubblewrap (the Dockerfile does)",
        "if it is installed, user namespaces are probably disabled: sysctl kernel.unprivileged_userns_clone=1 (Debian), kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+), or in Docker run with --security-opt seccomp=unconfined --security-opt apparmor=unconfined",
        "or set AGENT_SANDBOX=auto to fall back to running commands directly (only inside a disposable container)",
      ]);
    }
    const runner = await direct();
    log.warn(
      { sandbox: "none", reason, processLimit: runner.processLimit },
      `!!! NO SANDBOX: bubblewrap does not work here (${reason}). Agent commands will run directly on this host, ` +
        "with the app's user, files and network. Install bubblewrap (apt-get install bubblewrap) or set AGENT_SANDBOX=none to acknowledge.",
    );
    return runner;
  }
  const runner = sandboxed.runner;
  if (pids && runner.processLimit !== "cgroup") {
    log.warn(
      { cgroup: pids.dir },
      "could not move sandboxed commands into a pids cgroup; falling back to RLIMIT_NPROC",
    );
  }
  if (runner.processLimit === "none") {
    log.warn(
      { sandbox: "bwrap", processLimit: "none" },
      "sandboxed commands have no process limit: the app runs as root (exempt from RLIMIT_NPROC) and no pids cgroup can be created here, so a fork bomb is stopped only by the command timeout",
    );
  }
  log.info(
    { sandbox: "bwrap", processLimit: runner.processLimit, maxProcesses },
    "agent commands run in a bubblewrap sandbox",
  );
  return runner;
}

/** The first runner that runs `true` cleanly, or the last one with why it failed. */
async function firstWorking<R extends CommandRunner>(runners: R[]): Promise<{ runner: R; failure?: string }> {
  let failure = "no runner";
  for (const runner of runners) {
    const problem = await probe(runner);
    if (problem === undefined) return { runner };
    failure = problem;
  }
  return { runner: runners[runners.length - 1]!, failure };
}

async function probe(runner: CommandRunner): Promise<string | undefined> {
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-probe-"));
  try {
    const workspace = { root, repoDir: path.join(root, "repo"), homeDir: path.join(root, "home") };
    await mkdir(workspace.repoDir);
    await mkdir(workspace.homeDir);
    const result = await runner.run({ command: "true", workspace, timeoutMs: 10_000, network: false });
    if (result.exitCode === 0 && result.output.trim() === "") return undefined;
    return result.output.trim().split("\n").slice(-3).join(" / ") || `exit code ${result.exitCode}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
