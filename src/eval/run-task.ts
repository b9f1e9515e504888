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
import type { CommandRunner } from "../workspace/types.ts";
import type { SpendPool } from "../agent/budget.ts";
import { attemptNote, diffSize } from "../run/fix/pick-winner.ts";
import { HarnessFailure, isHarnessFailure, prepareTask, runHiddenTests, runVisibleTests } from "./harness.ts";
import type { HarnessFailureKind } from "./harness.ts";
import { prepareSource, type TaskSource } from "./source.ts";
import type { EvalTask } from "./task.ts";
import { decide, verdict, type FailureKind, type HiddenTestRun } from "./verdict.ts";

export { decide, FAILURE_KINDS, type FailureKind, type HiddenTestRun } from "./verdict.ts";

export interface TaskResult {
  id: string;
  resolved: boolean;
  /** Why not, when not resolved (null when resolved; kept in the JSON line). */
  failure: FailureKind | null;
  /** false when the harness failed (clone, setup, hidden tests): left out of the resolve rate. */
  scored: boolean;
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
  /** One of several attempts: did the app's own test run (no hidden tests) pass, and the diff's size. */
  appTestsPassed?: boolean;
  diffLines?: number;
  /** Several attempts: each one's result (the task's fields are the chosen one's, its costs all of theirs). */
  attempts?: TaskResult[];
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
  /** Set when this run is one of several attempts at the task (attempts.ts): which, and the task's shared pool. */
  attempt?: { index: number; of: number; pool: SpendPool };
}

/** Run one task. Throws Cancelled when the run was interrupted (no result: `--resume` runs it again). */
export async function runTask(task: EvalTask, deps: TaskRunDeps): Promise<TaskResult> {
  const startedAt = new Date();
  const suffix = deps.attempt ? `-attempt-${deps.attempt.index}` : "";
  const trajectoryRel = path.join("trajectories", `${task.id}${suffix}.json`);
  const title =
    task.problemStatement
      .split("\n")
      .find((l) => l.trim())
      ?.replace(/^#+\s*/, "")
      .slice(0, 120) ?? task.id;
  let recorder: TrajectoryRecorder | undefined;
  let source: TaskSource | undefined;
  let started = performance.now();
  let modelName = "";
  // Which harness step a thrown error belongs to; "agent" errors are the agent's.
  const at: { stage: HarnessFailureKind | "agent" } = { stage: "clone_error" };
  try {
    source = await prepareSource(task, deps.workDir);
    at.stage = "harness_error";
    const model = await deps.model(task, source);
    at.stage = "clone_error";
    modelName = model.name;
    started = performance.now();
    recorder = new TrajectoryRecorder({
      jobId: task.id,
      task: { source: task.id, title, body: task.problemStatement },
      model: model.name,
      redactor: deps.redactor,
    });
    const rec = recorder;
    const config: RepoConfig = {
      ...deps.config,
      // The harness runs the task's setup itself (prepareTask), so a failed one stops the task before the agent starts.
      setup: null,
      setup_network: task.setupNetwork ?? deps.config.setup_network,
      test: task.testCommand,
      budget: { ...deps.config.budget, ...(task.timeoutMinutes ? { wall_clock_minutes: task.timeoutMinutes } : {}) },
    };
    let baseSha = "";
    let tests: HiddenTestRun | undefined;
    let applyError: string | undefined;
    let appTestsPassed: boolean | undefined;
    const run = await localRun({
      source: source.source,
      ...(source.baseCommit ? { baseCommit: source.baseCommit } : {}),
      branch: `eval/${task.id}`,
      task: {
        title,
        body: task.problemStatement,
        source: task.id,
        ...(deps.attempt ? { extra: attemptNote(deps.attempt.index, deps.attempt.of) } : {}),
      },
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
      ...(deps.attempt ? { pool: deps.attempt.pool } : {}),
      onEvent: (e) => {
        rec.record(e);
        deps.onEvent?.(task.id, e);
      },
      beforeSolve: async (workspace, git) => {
        at.stage = "setup_error";
        baseSha = await git.head();
        if (task.setup) {
          rec.record({ type: "phase", phase: "setup", detail: task.setup });
          deps.onEvent?.(task.id, { type: "phase", phase: "setup", detail: task.setup });
        }
        await prepareTask(task, workspace, git, {
          runner: deps.runner,
          config,
          redactor: deps.redactor,
          signal: deps.signal,
        });
        at.stage = "agent";
      },
      afterSolve: async (workspace, git) => {
        if (deps.signal.aborted || (await git.diffPaths(baseSha)).length === 0) return;
        at.stage = "harness_error";
        // Several attempts: the app's own test run (the task's command, without the hidden tests) picks one.
        if (deps.attempt) appTestsPassed = await runVisibleTests(task, workspace, config, deps);
        const hidden = await runHiddenTests(task, workspace, git, config, deps);
        if ("applyError" in hidden) applyError = hidden.applyError;
        else {
          tests = hidden;
          rec.record({ type: "phase", phase: "test", detail: "hidden tests (the agent never saw them)" });
          rec.record({
            type: "test",
            round: -1,
            run: {
              command: hidden.command,
              passed: decide(task, hidden),
              exitCode: hidden.exitCode,
              killed: hidden.killed,
              summary: hidden.summary,
              outputTail: hidden.outputTail,
              durationMs: hidden.durationMs,
            },
          });
        }
      },
    });
    if (deps.signal.aborted) throw new Cancelled("interrupted");
    const r = run.result;
    const resolved = Boolean(run.sha && tests && decide(task, tests));
    const { failure, reason } = verdict(task, {
      resolved,
      stop: r.stop,
      modelError: r.modelError,
      reason: r.reason,
      sha: run.sha,
      applyError,
      tests,
    });
    const result: TaskResult = {
      id: task.id,
      resolved,
      failure,
      scored: !isHarnessFailure(failure),
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
      ...(deps.attempt ? { appTestsPassed: appTestsPassed ?? false, diffLines: diffSize(run.diff) } : {}),
    };
    recorder.finish({
      usage: { ...r.usage, wallMs: result.wallMs },
      diff: run.diff,
      outcome: { status: resolved ? "resolved" : (failure ?? "unresolved"), summary: reason },
    });
    await writeFile(path.join(deps.outDir, trajectoryRel), JSON.stringify(recorder.toJSON(), null, 2));
    return result;
  } catch (err) {
    if (err instanceof Cancelled || deps.signal.aborted)
      throw err instanceof Cancelled ? err : new Cancelled("interrupted");
    const failure: FailureKind =
      err instanceof HarnessFailure ? err.harness : at.stage === "agent" ? "error" : at.stage;
    const what =
      failure === "clone_error"
        ? "the clone failed: "
        : failure === "setup_error" && !(err instanceof HarnessFailure)
          ? "the setup failed: "
          : failure === "harness_error" && !(err instanceof HarnessFailure)
            ? "the harness failed: "
            : "";
    const reason = what + (deps.redactor.redact(errorMessage(err)).split("\n")[0] ?? "error");
    // A harness failure is reported in the results and the report (the reason says it all); anything else is a bug worth a warning.
    if (isHarnessFailure(failure))
      deps.log.info({ task: task.id, failure, reason }, "the harness failed on a task; it is not scored");
    else deps.log.warn({ err, task: task.id }, "eval task failed with an error");
    if (recorder) {
      recorder.finish({ outcome: { status: failure, summary: reason } });
      await writeFile(path.join(deps.outDir, trajectoryRel), JSON.stringify(recorder.toJSON(), null, 2)).catch(
        () => undefined,
      );
    }
    return {
      id: task.id,
      resolved: false,
      failure,
      scored: !isHarnessFailure(failure),
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
