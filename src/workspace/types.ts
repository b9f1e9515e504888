// What a job's workspace is, and the one door every command goes through.

/** A job's private directory: the clone, and a HOME for its commands. */
export interface Workspace {
  /** The job's temp dir; removed when the job ends. */
  root: string;
  /** The git checkout the agent works in. */
  repoDir: string;
  /** HOME for commands (npm/pip caches land here, not in the repo). */
  homeDir: string;
}

export interface RunOptions {
  /** A shell command line, run with `bash -c` inside the sandbox. */
  command: string;
  workspace: Workspace;
  /** Working directory; defaults to workspace.repoDir. Must be inside it. */
  cwd?: string;
  timeoutMs: number;
  /** Only the setup phase may ask for network, and only when the repo config allows it. */
  network: boolean;
  /** Extra variables on top of the minimal clean env (opt-in repo secrets). */
  env?: Record<string, string>;
  /** Combined stdout+stderr kept; beyond it the middle is cut (head and tail kept). Default 1 MiB. */
  maxOutputBytes?: number;
  /** Address-space limit in MiB. Default 4096. */
  memoryMb?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  /** null when killed by a signal. */
  exitCode: number | null;
  /** Combined stdout and stderr in arrival order, truncated head+tail with the cut marked. */
  output: string;
  /** Why the command did not end on its own, if it did not. */
  killed: "timeout" | "output" | "cancelled" | undefined;
  outputTruncated: boolean;
  durationMs: number;
}

export interface CommandRunner {
  /** "bwrap" when commands are isolated, "none" when they run directly on the host. */
  readonly kind: "bwrap" | "none";
  run(options: RunOptions): Promise<RunResult>;
}
