// Helpers for the runner tests: a throwaway workspace, a bwrap runner that
// fails loudly (never skips) when bubblewrap is missing, and a look at the
// host's process table from outside the sandbox.
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { UserError } from "../../src/errors.ts";
import {
  createRunner,
  type BwrapRunner,
  type CreateRunnerOptions,
  type RunnerLog,
} from "../../src/workspace/sandbox.ts";
import type { Workspace } from "../../src/workspace/types.ts";

export interface TestWorkspace extends Workspace {
  remove(): Promise<void>;
}

export async function makeWorkspace(): Promise<TestWorkspace> {
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-sbx-"));
  const repoDir = path.join(root, "repo");
  const homeDir = path.join(root, "home");
  await mkdir(repoDir);
  await mkdir(homeDir);
  return { root, repoDir, homeDir, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface LogLine {
  level: "warn" | "info";
  obj: object;
  msg: string;
}

export function recordingLog(): RunnerLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: "warn", obj, msg }),
    info: (obj, msg) => lines.push({ level: "info", obj, msg }),
  };
}

/** The bwrap runner, or a failure that says how to get bubblewrap: these tests are never skipped. */
export async function bwrapRunner(options: CreateRunnerOptions = {}): Promise<BwrapRunner> {
  try {
    const runner = await createRunner("bwrap", recordingLog(), options);
    if (runner.kind !== "bwrap") throw new Error("createRunner('bwrap') returned a direct runner");
    return runner;
  } catch (error) {
    if (error instanceof UserError) {
      throw new Error(
        `The sandbox tests need a working bubblewrap: ${error.message}\n` +
          "Install it with `apt-get install bubblewrap` (CI's .ci/run does) and make sure user namespaces are allowed.",
      );
    }
    throw error;
  }
}

/** Host processes whose command line contains `marker` (looked at from outside any sandbox). */
export async function hostProcessesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = (await readFile(`/proc/${name}/cmdline`, "utf8")).replace(/\0/g, " ");
      if (cmdline.includes(marker)) found.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

/**
 * Processes in the most populated pid namespace other than ours: during a
 * sandboxed fork bomb, the bomb itself, whatever else runs on the machine.
 */
export async function largestForeignPidNamespace(): Promise<number> {
  const own = await readlink("/proc/self/ns/pid");
  const sizes = new Map<string, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ns = await readlink(`/proc/${name}/ns/pid`);
      if (ns !== own) sizes.set(ns, (sizes.get(ns) ?? 0) + 1);
    } catch {
      /* exited meanwhile */
    }
  }
  return Math.max(0, ...sizes.values());
}
