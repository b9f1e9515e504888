// The bubblewrap runner: each command in fresh namespaces (user, mount, pid,
// ipc, uts, cgroup, and network unless the setup phase asked for it), seeing
// only its workspace read-write, the system read-only, a private /tmp and
// nothing of the app: not its $HOME, its files, its env or its processes.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PidsCgroup } from "./pids-cgroup.ts";
import { systemMountArgs } from "./bwrap-mounts.ts";
import { DEFAULT_MAX_PROCESSES } from "./run-limits.ts";
import { cleanEnv, commandCwd, openCgroup, runSpawned, SANDBOX_CGROUP_PROCS, shellArgs } from "./spawn.ts";
import type { CommandRunner, RunOptions, RunResult } from "./types.ts";

/** How a runner bounds the number of processes, i.e. what stops a fork bomb. */
export type ProcessLimit = "cgroup" | "rlimit" | "none";

export interface BwrapRunnerOptions {
  /** The bwrap executable; found on PATH by default. */
  bwrap?: string;
  /** Where each command gets its own pids cgroup; without it only RLIMIT_NPROC (ineffective as root). */
  pids?: PidsCgroup;
  maxProcesses?: number;
}

export class BwrapRunner implements CommandRunner {
  readonly kind = "bwrap" as const;
  readonly processLimit: ProcessLimit;
  readonly maxProcesses: number;
  readonly #bwrap: string;
  readonly #pids: PidsCgroup | undefined;
  readonly #system: string[];

  constructor(options: BwrapRunnerOptions = {}) {
    this.#bwrap = options.bwrap ?? "bwrap";
    this.#pids = options.pids;
    this.maxProcesses = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    this.#system = systemMountArgs();
    // Real uid 0 is exempt from RLIMIT_NPROC, user namespace or not.
    this.processLimit = this.#pids ? "cgroup" : process.getuid?.() === 0 ? "none" : "rlimit";
  }

  async run(options: RunOptions): Promise<RunResult> {
    const where = commandCwd(options);
    if ("refused" in where) return where.refused;
    const { repoDir, homeDir } = options.workspace;
    mkdirSync(homeDir, { recursive: true });
    const opened = openCgroup(this.#pids, this.maxProcesses);
    if ("refused" in opened) return opened.refused;
    const { cgroup } = opened;
    // The shell runs as pid 2 (bwrap's init is pid 1); `kill -1` after the command reaches only the sandbox.
    const shell = shellArgs(options, {
      procsFile: cgroup ? SANDBOX_CGROUP_PROCS : "",
      maxProcesses: this.maxProcesses,
      // Set after the user namespace exists, so it counts only the sandbox's processes (when not root).
      rlimitProcesses: true,
      killLeftovers: true,
    });
    const args = [
      ...this.sandboxArgs(options, where.cwd),
      // Only the procs file, so the command can join its cgroup but never raise pids.max.
      ...(cgroup ? ["--bind", cgroup.procsFile, SANDBOX_CGROUP_PROCS] : []),
      // The sandbox's own root (a tmpfs holding the mount points) is not a place to write.
      "--remount-ro",
      "/",
      "--",
      shell.file,
      ...shell.args,
    ];
    try {
      return await runSpawned({ file: this.#bwrap, args, cwd: repoDir, env: cleanEnv(options, homeDir) }, options);
    } finally {
      await cgroup?.close();
    }
  }

  /** The namespaces and mounts of one command's sandbox. */
  sandboxArgs(options: RunOptions, cwd: string): string[] {
    const { repoDir, homeDir } = options.workspace;
    return [
      "--unshare-all",
      ...(options.network ? ["--share-net"] : []),
      "--die-with-parent",
      // No controlling terminal to push keystrokes into (TIOCSTI).
      "--new-session",
      // As root bwrap would keep every capability inside its user namespace.
      "--cap-drop",
      "ALL",
      ...this.#system,
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      "--tmpfs",
      "/tmp",
      "--bind",
      repoDir,
      repoDir,
      // The app runs git on this checkout outside the sandbox: a hook, a filter driver, `url.*.insteadOf`
      // or `gpg.program` planted in .git/config would run there, next to the token. Read-only here.
      "--ro-bind-try",
      path.join(repoDir, ".git"),
      path.join(repoDir, ".git"),
      "--bind",
      homeDir,
      homeDir,
      "--chdir",
      cwd,
    ];
  }
}
