// One eval task through the same pipeline as the app (localRun: private
// clone, sandbox, agent loop, budgets, commit), then the verdict: the hidden
// test patch applied on top of the agent's work and the test command run.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { ToolCaller } from "../agent/loop.ts";
import type { PriceTable } from "../agent/prices.ts";
import type { RepoConfig } from "../config/repo-config.ts";
import { Cancelled, errorMessage } from "../errors.ts";
import type { ChatModel } from "../llm/types.ts";
import { localRun } from "../run/local-run.ts";
import type { SolveEvent, SolveStop } from "../run/solve.ts";
import { TrajectoryRecorder } from "../run/trajectory.ts";
import type { Redactor } from "../security/redact.ts";
import { summarizeTestOutput } from "../tools/test-summary.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import type { CommandRunner, RunResult, Workspace } from "../workspace/types.ts";
import { provideNodeModules } from "./provide.ts";
import { prepareSource, type TaskSource } from "./source.ts";
import type { EvalTask } from "./task.ts";
import { statusOf, testStatuses, type TestStatus } from "./test-ids.ts";

export const FAILURE_KINDS = ["no_patch", "patch_does_not_apply", "tests_fail", "budget", "error"] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface HiddenTestRun {
  command: string;
  exitCode: number | null;
  killed: RunResult["killed"];
  summary: string;
  outputTail: string;
  durationMs: number;
  failToPass?: Record<string, TestStatus>;
  passToPass?: Record<string, TestStatus>;
}

export interface TaskResult {
  id: string;
  resolved: boolean;
  /** Why not, when not resolved (null when resolved; kept in the JSON line). */
  failure: FailureKind | null;
  /** One line for people. */
  reason: string;
  stop: SolveStop | "error";
  model: string;
  /** The agent's change, as a unified diff against the base. */
  patch: string;
  changed: string[];
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Clone, setup, agent loop and hidden tests. */
  wallMs: number;
  tests: HiddenTestRun | undefined;
  /** The trajectory file, relative to the output directory. */
  trajectory: string;
  startedAt: string;
  finishedAt: string;
}

export interface TaskRunDeps {
  runner: CommandRunner;
  tools: ToolCaller;
  redactor: Redactor;
  /** The model for this task (a fresh one each: a client keeps per-endpoint state). */
  model(task: EvalTask, source: TaskSource): Promise<ChatModel>;
  config: RepoConfig;
  prices?: PriceTable;
  contextWindow: number;
  maxOutputTokens: number;
  workDir: string;
  outDir: string;
  log: Logger;
  signal: AbortSignal;
  onEvent?: (taskId: string, event: SolveEvent) => void;
}

/** Run one task. Throws Cancelled when the run was interrupted (no result: `--resume` runs it again). */
export async function runTask(task: EvalTask, deps: TaskRunDeps): Promise<TaskResult> {
  const startedAt = new Date();
  const trajectoryRel = path.join("trajectories", `${task.id}.json`);
  const title = task.problemStatement.split("\n").find((l) => l.trim())?.replace(/^#+\s*/, "").slice(0, 120) ?? task.id;
  let recorder: TrajectoryRecorder | undefined;
  let source: TaskSource | undefined;
  let started = performance.now();
  let modelName = "";
  try {
    source = await prepareSource(task, deps.workDir);
    const model = await deps.model(task, source);
    modelName = model.name;
    started = performance.now();
    recorder = new TrajectoryRecorder({ jobId: task.id, task: { source: task.id, title, body: task.problemStatement }, model: model.name, redactor: deps.redactor });
    const rec = recorder;
    const config: RepoConfig = {
      ...deps.config,
      setup: task.setup ?? null,
      setup_network: task.setupNetwork,
      test: task.testCommand,
      budget: { ...deps.config.budget, ...(task.timeoutMinutes ? { wall_clock_minutes: task.timeoutMinutes } : {}) },
    };
    let baseSha = "";
    let tests: HiddenTestRun | undefined;
    let applyError: string | undefined;
    const run = await localRun({
      source: source.source,
      ...(source.baseCommit ? { baseCommit: source.baseCommit } : {}),
      branch: `eval/${task.id}`,
      task: { title, body: task.problemStatement, source: task.id },
      config,
      model,
      tools: deps.tools,
      runner: deps.runner,
      redactor: deps.redactor,
      ...(deps.prices ? { prices: deps.prices } : {}),
      contextWindow: deps.contextWindow,
      maxOutputTokens: deps.maxOutputTokens,
      workDir: deps.workDir,
      jobId: randomUUID(),
      signal: deps.signal,
      log: deps.log,
      verify: false,
      onEvent: (e) => {
        rec.record(e);
        deps.onEvent?.(task.id, e);
      },
      beforeSolve: async (workspace, git) => {
        baseSha = await git.head();
        await provideNodeModules(workspace.repoDir, task.provideNodeModules);
      },
      afterSolve: async (workspace, git) => {
        if (deps.signal.aborted || (await git.diffPaths(baseSha)).length === 0) return;
        const hidden = await runHiddenTests(task, workspace, git, config, deps);
        if ("applyError" in hidden) applyError = hidden.applyError;
        else {
          tests = hidden;
          rec.record({ type: "phase", phase: "test", detail: "hidden tests (the agent never saw them)" });
          rec.record({ type: "test", round: -1, run: { command: hidden.command, passed: decide(task, hidden), exitCode: hidden.exitCode, killed: hidden.killed, summary: hidden.summary, outputTail: hidden.outputTail, durationMs: hidden.durationMs } });
        }
      },
    });
    if (deps.signal.aborted) throw new Cancelled("interrupted");
    const r = run.result;
    const resolved = Boolean(run.sha && tests && decide(task, tests));
    const failure: FailureKind | null = resolved
      ? null
      : r.stop === "model_error"
        ? "error"
        : r.stop === "limit"
          ? "budget"
          : !run.sha
            ? "no_patch"
            : applyError !== undefined
              ? "patch_does_not_apply"
              : "tests_fail";
    const reason = resolved
      ? "the hidden tests pass"
      : failure === "error"
        ? (r.reason ?? "the model failed")
        : failure === "budget"
          ? (r.reason ?? "a budget ran out")
          : failure === "no_patch"
            ? r.stop === "finish"
              ? "the agent finished without changing a file"
              : (r.reason ?? r.stop)
            : failure === "patch_does_not_apply"
              ? `the hidden test patch does not apply on the agent's change: ${applyError}`
              : testsFailReason(task, tests);
    const result: TaskResult = {
      id: task.id,
      resolved,
      failure,
      reason,
      stop: r.stop,
      model: model.name,
      steps: r.usage.steps,
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      costUsd: r.usage.costUsd,
      wallMs: Math.round(performance.now() - started),
      changed: run.changed,
      patch: run.diff,
      tests,
      trajectory: trajectoryRel,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    };
    recorder.finish({ usage: { ...r.usage, wallMs: result.wallMs }, diff: run.diff, outcome: { status: resolved ? "resolved" : (failure ?? "unresolved"), summary: reason } });
    await writeFile(path.join(deps.outDir, trajectoryRel), JSON.stringify(recorder.toJSON(), null, 2));
    return result;
  } catch (err) {
    if (err instanceof Cancelled || deps.signal.aborted) throw err instanceof Cancelled ? err : new Cancelled("interrupted");
    const reason = deps.redactor.redact(errorMessage(err)).split("\n")[0] ?? "error";
    deps.log.warn({ err, task: task.id }, "eval task failed with an error");
    if (recorder) {
      recorder.finish({ outcome: { status: "error", summary: reason } });
      await writeFile(path.join(deps.outDir, trajectoryRel), JSON.stringify(recorder.toJSON(), null, 2)).catch(() => undefined);
    }
    return {
      id: task.id,
      resolved: false,
      failure: "error",
      reason,
      stop: "error",
      model: modelName,
      steps: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      wallMs: Math.round(performance.now() - started),
      changed: [],
      patch: "",
      tests: undefined,
      trajectory: recorder ? trajectoryRel : "",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    };
  } finally {
    await source?.cleanup();
  }
}

async function runHiddenTests(task: EvalTask, workspace: Workspace, git: GitWorkspace, config: RepoConfig, deps: TaskRunDeps): Promise<HiddenTestRun | { applyError: string }> {
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
 * Resolved: with test lists, every listed test passes (SWE-bench's rule);
 * without them, the test command exits 0. A killed run never resolves.
 */
export function decide(task: Pick<EvalTask, "failToPass" | "passToPass">, run: Pick<HiddenTestRun, "exitCode" | "killed" | "failToPass" | "passToPass">): boolean {
  if (run.killed) return false;
  if (!task.failToPass && !task.passToPass) return run.exitCode === 0;
  const all = { ...run.failToPass, ...run.passToPass };
  return Object.values(all).every((s) => s === "passed");
}

function testsFailReason(task: EvalTask, tests: HiddenTestRun | undefined): string {
  if (!tests) return "the hidden tests did not run";
  if (tests.killed) return `the tests were stopped (${tests.killed})`;
  const failing = (r: Record<string, TestStatus> | undefined) => Object.entries(r ?? {}).filter(([, s]) => s !== "passed");
  const f2p = failing(tests.failToPass);
  const p2p = failing(tests.passToPass);
  if (f2p.length || p2p.length) {
    const parts = [f2p.length ? `${f2p.length} of ${task.failToPass?.length} fail-to-pass not passing` : "", p2p.length ? `${p2p.length} of ${task.passToPass?.length} pass-to-pass broken` : ""].filter(Boolean);
    const names = [...f2p, ...p2p].slice(0, 3).map(([n, s]) => `${n} (${s})`).join(", ");
    return `${parts.join("; ")}: ${names}`;
  }
  return `the test command failed (exit ${tests.exitCode})`;
}
