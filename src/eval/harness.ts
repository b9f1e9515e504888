// The harness's own steps around the agent: the clone, the task's setup and
// the hidden tests. When one of them fails the task is not the agent's
// failure: it gets a failure kind of its own and stays out of the resolve
// rate: "done" is decided by evidence (ARCHITECTURE.md §1), and a harness
// that could not gather it says so instead of blaming the agent.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { RepoConfig } from "../config/repo-config.ts";
import { errorMessage } from "../errors.ts";
import type { Redactor } from "../security/redact.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import type { CommandRunner, Workspace } from "../workspace/types.ts";
import { summarizeTestOutput } from "../tools/test-summary.ts";
import { provideNodeModules } from "./provide.ts";
import { git } from "./source.ts";
import type { EvalTask } from "./task.ts";
import { statusOf, testStatuses } from "./test-ids.ts";
import type { HiddenTestRun } from "./verdict.ts";

/** Failures of the harness, not of the agent: counted apart, never scored. */
// model_unavailable: the model's endpoint refused the key, does not know the model, or stayed down past the
// retries — the operator's setup, not the agent's work (a model that answers garbage is still the agent's "error").
export const HARNESS_FAILURES = ["clone_error", "setup_error", "harness_error", "model_unavailable"] as const;
export type HarnessFailureKind = (typeof HARNESS_FAILURES)[number];

export function isHarnessFailure(kind: string | null | undefined): kind is HarnessFailureKind {
  return (HARNESS_FAILURES as readonly string[]).includes(kind ?? "");
}

/** A harness step failed; `kind` says which. */
export class HarnessFailure extends Error {
  readonly harness: HarnessFailureKind;
  constructor(kind: HarnessFailureKind, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "HarnessFailure";
    this.harness = kind;
  }
}

export interface SetupOutcome {
  command: string;
  exitCode: number | null;
  durationMs: number;
}

/**
 * Before the agent starts, on the fresh clone: the provided packages, a check
 * that the hidden tests apply to the base at all, and the task's setup
 * command (its network per the task, the app's default otherwise). Throws
 * HarnessFailure when any of them fails, so no model call is spent on a
 * task that could not be scored.
 */
export async function prepareTask(
  task: EvalTask,
  workspace: Workspace,
  gitWorkspace: GitWorkspace,
  options: { runner: CommandRunner; config: RepoConfig; redactor: Redactor; signal: AbortSignal },
): Promise<SetupOutcome | undefined> {
  try {
    await provideNodeModules(workspace.repoDir, task.provideNodeModules);
  } catch (err) {
    throw new HarnessFailure("setup_error", errorMessage(err), { cause: err });
  }
  const patchFile = path.join(workspace.root, "hidden-tests-check.patch");
  await writeFile(patchFile, task.testPatch);
  try {
    await git(workspace.repoDir, ["apply", "--check", "--whitespace=nowarn", patchFile]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? errorMessage(err);
    throw new HarnessFailure(
      "harness_error",
      `the hidden test patch does not apply to the base commit: ${stderr.trim().split("\n")[0] ?? ""}`,
      { cause: err },
    );
  }
  if (!task.setup) return undefined;
  const run = await options.runner.run({
    command: task.setup,
    workspace,
    timeoutMs: options.config.budget.setup_timeout_seconds * 1000,
    network: options.config.setup_network,
    signal: options.signal,
    maxOutputBytes: 256 * 1024,
  });
  if (options.signal.aborted) return undefined;
  if (run.exitCode !== 0 || run.killed) {
    const tail = options.redactor.redact(run.output).trim().split("\n").slice(-3).join(" / ");
    const how = run.killed ? `was stopped (${run.killed})` : `failed (exit ${run.exitCode})`;
    const offline = options.config.setup_network ? "" : " without network (setup_network: false)";
    throw new HarnessFailure(
      "setup_error",
      `the setup command \`${task.setup}\` ${how}${offline} after ${(run.durationMs / 1000).toFixed(1)} s: ${tail}`,
    );
  }
  // What setup left behind (node_modules/, a rewritten lockfile) is not the agent's work.
  await gitWorkspace.markSetupArtifacts();
  return { command: task.setup, exitCode: run.exitCode, durationMs: Math.round(run.durationMs) };
}

/** What running a test command needs. */
interface TestDeps {
  runner: CommandRunner;
  redactor: Redactor;
  signal: AbortSignal;
}

/** The hidden tests applied on top of the agent's work, then the task's test command: the verdict's evidence. */
export async function runHiddenTests(
  task: EvalTask,
  workspace: Workspace,
  git: GitWorkspace,
  config: RepoConfig,
  deps: TestDeps,
): Promise<HiddenTestRun | { applyError: string }> {
  // Outside the repository, so it is not part of anything the tests see.
  const patchFile = path.join(workspace.root, "hidden-tests.patch");
  await writeFile(patchFile, task.testPatch);
  try {
    await git.applyPatch(patchFile);
  } catch (err) {
    return { applyError: errorMessage(err).replace(/^the change does not apply to your working tree: /, "") };
  }
  const run = await deps.runner.run({
    command: task.testCommand,
    workspace,
    timeoutMs: config.budget.test_timeout_seconds * 1000,
    network: false,
    signal: deps.signal,
    maxOutputBytes: 4 * 1024 * 1024,
  });
  const output = deps.redactor.redact(run.output);
  const seen = testStatuses(output);
  return {
    command: task.testCommand,
    exitCode: run.exitCode,
    killed: run.killed,
    summary: summarizeTestOutput(output, run.killed ? null : run.exitCode).text,
    outputTail: output.split("\n").slice(-80).join("\n"),
    durationMs: Math.round(run.durationMs),
    ...(task.failToPass ? { failToPass: statusOf(task.failToPass, seen) } : {}),
    ...(task.passToPass ? { passToPass: statusOf(task.passToPass, seen) } : {}),
  };
}

/**
 * The app's own test run on an attempt's work, as the app would run it: the task's test command on the
 * repository the agent left, without the hidden tests (which would be peeking at the answer). Only
 * chooses among attempts; the verdict is still the hidden tests'.
 */
export async function runVisibleTests(
  task: EvalTask,
  workspace: Workspace,
  config: RepoConfig,
  deps: TestDeps,
): Promise<boolean> {
  const run = await deps.runner.run({
    command: task.testCommand,
    workspace,
    timeoutMs: config.budget.test_timeout_seconds * 1000,
    network: false,
    signal: deps.signal,
    maxOutputBytes: 256 * 1024,
  });
  return run.exitCode === 0 && !run.killed;
}
