// A task checked without the agent: clone the base, apply (or not) the
// reference fix and the hidden tests with git, run the test command in the
// same sandbox. With the fix it is the floor a harness run is measured
// against; without it, it shows the hidden tests really fail at the base.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { summarizeTestOutput } from "../tools/test-summary.ts";
import { GitWorkspace } from "../workspace/git.ts";
import type { CommandRunner } from "../workspace/types.ts";
import { createWorkspaceDir, removeWorkspaceDir } from "../run/workspace-dir.ts";
import { LOCAL_IDENTITY } from "../run/local-run.ts";
import { provideNodeModules } from "./provide.ts";
import { decide, type HiddenTestRun } from "./run-task.ts";
import { prepareSource } from "./source.ts";
import type { EvalTask } from "./task.ts";
import { statusOf, testStatuses } from "./test-ids.ts";

export interface DirectRun {
  resolved: boolean;
  tests: HiddenTestRun;
  /** Source, clone, provided packages, patches and tests: all of it. */
  wallMs: number;
}

export async function runDirect(
  task: EvalTask,
  options: { runner: CommandRunner; workDir: string; withFix: boolean; timeoutMs?: number; signal?: AbortSignal },
): Promise<DirectRun> {
  const started = performance.now();
  const source = await prepareSource(task, options.workDir);
  const workspace = await createWorkspaceDir(options.workDir, `direct-${task.id}`);
  try {
    const git = await GitWorkspace.clone({
      cloneUrl: source.source,
      dir: workspace.repoDir,
      identity: LOCAL_IDENTITY,
      home: workspace.homeDir,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (source.baseCommit) await git.checkoutRef(source.baseCommit);
    await provideNodeModules(workspace.repoDir, task.provideNodeModules);
    const patches = [
      ...(options.withFix ? [["fix", task.referencePatch ?? ""]] : []),
      ["tests", task.testPatch],
    ] as const;
    for (const [name, patch] of patches) {
      const file = path.join(workspace.root, `${name}.patch`);
      await writeFile(file, patch);
      await git.applyPatch(file);
    }
    const run = await options.runner.run({
      command: task.testCommand,
      workspace,
      timeoutMs: options.timeoutMs ?? 900_000,
      network: false,
      maxOutputBytes: 4 * 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const seen = testStatuses(run.output);
    const tests: HiddenTestRun = {
      command: task.testCommand,
      exitCode: run.exitCode,
      killed: run.killed,
      summary: summarizeTestOutput(run.output, run.killed ? null : run.exitCode).text,
      outputTail: run.output.split("\n").slice(-80).join("\n"),
      durationMs: Math.round(run.durationMs),
      ...(task.failToPass ? { failToPass: statusOf(task.failToPass, seen) } : {}),
      ...(task.passToPass ? { passToPass: statusOf(task.passToPass, seen) } : {}),
    };
    return { resolved: decide(task, tests), tests, wallMs: Math.round(performance.now() - started) };
  } finally {
    await removeWorkspaceDir(workspace);
    await source.cleanup();
  }
}
