// The core of every job, whoever asked (app, CLI, eval): set up the
// workspace, run the agent loop, then run the tests ourselves and give the
// failures back for another round. "Done" is decided by that evidence.
import type { ThreadNote } from "../tools/define.ts";
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import { Cancelled, LimitReached, type ModelErrorReason } from "../errors.ts";
import type { Usage } from "../shared/job.ts";
import type { ChatMessage, ChatModel } from "../llm/types.ts";
import { BudgetTracker, limitsFromConfig, type SpendPool } from "../agent/budget.ts";
import { runAgentLoop, type AgentEvent, type ToolCaller } from "../agent/loop.ts";
import { initialMessages, testFailedMessage, type TaskInput } from "../agent/prompt.ts";
import type { PriceTable } from "../agent/prices.ts";
import type { Redactor } from "../security/redact.ts";
import type { ToolContext } from "../tools/define.ts";
import { detectTestCommand } from "../workspace/detect.ts";
import type { SetupCache } from "../workspace/cache/deps.ts";
import type { CommandRunner, Workspace } from "../workspace/types.ts";
import type { LintRun, SetupRun, TestRun } from "../shared/evidence.ts";
import { runTestCommand } from "./test-run.ts";
import type { Phase } from "../shared/phases.ts";
import type { TrustGate } from "./trust-gate.ts";
import { finalRun, lintAfter, runSetup, setupFailedNote } from "./solve-commands.ts";

export type SolveEvent =
  { type: "phase"; phase: Phase; detail?: string } | AgentEvent | { type: "test"; run: TestRun; round: number };

/** What a restarted job needs to carry on, saved after every step and brought back on resume. */
export interface SolveState {
  messages: ChatMessage[];
  usage: Usage;
  testRound: number;
}

/** The model, and how much of it one request may use. */
export interface SolveModel {
  chat: ChatModel;
  prices?: PriceTable;
  contextWindow: number;
  maxOutputTokens: number;
  /** Fraction of the window past which history is condensed. */
  condenseThreshold?: number;
}

/** Where the work happens and what the model may do there. */
export interface SolveWorkspace {
  dir: Workspace;
  runner: CommandRunner;
  tools: ToolCaller;
  redactor: Redactor;
  /**
   * The trust boundary (ARCHITECTURE.md §6): setup on the base's tree, the opted-in secrets for the
   * final test run only when the test machinery is the base's. Without it nothing gets secrets.
   */
  trust?: TrustGate;
  /** Installed trees kept between jobs (workspace/cache/deps.ts). */
  setupCache?: SetupCache;
}

/** Called as the run goes, so the caller can report and checkpoint it. */
export interface SolveHooks {
  onEvent?: (event: SolveEvent) => void | Promise<void>;
  /** Called once the setup command ran (the caller marks what it left behind). */
  afterSetup?: () => Promise<void>;
  /** Called once, right before the agent loop starts, with the setup that ran (if any). */
  beforeLoop?: (setup: SetupRun | undefined) => void;
  /** Called after every step with what a restarted job needs. */
  onCheckpoint?: (state: SolveState) => void | Promise<void>;
}

export interface SolveOptions {
  task: Omit<TaskInput, "testCommand" | "maxSteps">;
  /** "plan" uses the planning prompt. */
  mode?: "change" | "plan";
  model: SolveModel;
  workspace: SolveWorkspace;
  /**
   * The limits: the repository's budget (hard caps, counted on from `resume`)
   * and the signal (cancel, shutdown). The config also names the commands.
   */
  config: RepoConfig;
  signal: AbortSignal;
  resume?: SolveState;
  /** The tokens and cost this run shares with the other attempts of its job (the job's cap holds across them). */
  pool?: SpendPool;
  /** What earlier parts of the same job spent (a resumed job's usage comes with `resume`): counted against the budget. */
  spent?: Usage;
  /** Skip the setup phase; `verify: false`: no test run after finish (plans; eval applies hidden tests itself). */
  steps?: { skipSetup?: boolean; verify?: boolean };
  hooks?: SolveHooks;
  log: Logger;
}

export type SolveStop = "finish" | "limit" | "model_error" | "cancelled";

export interface SolveResult {
  stop: SolveStop;
  /** The model's summary, when it finished. */
  summary: string | undefined;
  /** The model's note on each review thread it was shown (revisions), when it gave them. */
  threads?: ThreadNote[];
  /** Why it stopped, for people, when it did not finish (the loop's error message). */
  reason: string | undefined;
  /** The budget that ran out, when one did. */
  limit: LimitReached | undefined;
  /** Why the model could not go on, when stop is "model_error" (a broken protocol, or its endpoint refusing or down). */
  modelError?: ModelErrorReason;
  testCommand: string | undefined;
  /** The app's last own test run (after finish), if any. */
  tests: TestRun | undefined;
  /** Rounds given back to the model after failing tests. */
  testRounds: number;
  /** The app's run of the lint command after the tests (when `lint:` is set and the model finished). */
  lint?: LintRun;
  setup: SetupRun | undefined;
  usage: Usage;
  messages: ChatMessage[];
}

export async function solve(options: SolveOptions): Promise<SolveResult> {
  const { config, log, hooks, model } = options;
  const { dir: workspace, runner } = options.workspace;
  const emit = async (e: SolveEvent) => {
    await hooks?.onEvent?.(e);
  };
  const budget = new BudgetTracker(limitsFromConfig(config.budget), model.chat.name, model.prices, {
    used: options.resume?.usage ?? options.spent,
    ...(options.pool ? { pool: options.pool } : {}),
  });

  // The wall clock is a hard cap: when it runs out, running commands are killed too.
  const wall = new AbortController();
  const wallTimer = setTimeout(() => {
    const u = budget.usage;
    wall.abort(
      new LimitReached(
        "wall_clock",
        u.wallMs,
        budget.limits.wallMs,
        `budget limit reached: wall clock (${Math.round(budget.limits.wallMs / 60_000)} min)`,
      ),
    );
  }, budget.remainingMs);
  const signal = AbortSignal.any([options.signal, wall.signal]);
  // Work setup left running (the installed tree copied into the dependency cache): the model is asked
  // meanwhile, but no tool touches the workspace before it is done.
  const settling: Promise<unknown>[] = [];
  const tools: ToolCaller = {
    specs: () => options.workspace.tools.specs(),
    call: async (call, ctx) => {
      await Promise.allSettled(settling);
      return options.workspace.tools.call(call, ctx);
    },
  };

  try {
    const testCommand = config.test ?? (await detectTestCommand(workspace.repoDir));
    let setup: SetupRun | undefined;
    // A resumed job has a fresh workspace: dependencies are installed again.
    if (!options.steps?.skipSetup) {
      setup = await runSetup(options, signal, emit, settling);
      if (setup) await hooks?.afterSetup?.();
    }
    hooks?.beforeLoop?.(setup);
    const messages =
      options.resume?.messages ??
      initialMessages(
        {
          ...options.task,
          testCommand,
          ...(config.lint ? { lintCommand: config.lint } : {}),
          maxSteps: config.budget.steps,
          extra:
            [options.task.extra, setup && !setup.ok ? setupFailedNote(setup) : undefined]
              .filter(Boolean)
              .join("\n\n") || undefined,
        },
        options.mode,
      );
    // The agent's tools never get secrets (ARCHITECTURE.md §6).
    const { redactor } = options.workspace;
    const context: ToolContext = { workspace, runner, config, testCommand, redactor, signal };
    let testRound = options.resume?.testRound ?? 0;
    let tests: TestRun | undefined;
    const result = (stop: SolveStop, extra: Partial<SolveResult>): SolveResult => ({
      stop,
      summary: undefined,
      reason: undefined,
      limit: undefined,
      testCommand,
      tests,
      testRounds: testRound,
      setup,
      usage: budget.usage,
      messages,
      ...extra,
    });

    for (;;) {
      await emit({ type: "phase", phase: "edit" });
      const loop = await runAgentLoop({
        model: model.chat,
        tools,
        context,
        messages,
        budget,
        signal,
        condense: {
          window: model.contextWindow,
          maxOutputTokens: model.maxOutputTokens,
          threshold: model.condenseThreshold ?? 0.7,
          keepRecentTurns: 6,
        },
        onEvent: async (e) => {
          await emit(e);
          if (e.type === "tool") await hooks?.onCheckpoint?.({ messages, usage: budget.usage, testRound });
        },
      });
      // The loop's stop is the run's stop: passed on as it is, never renamed.
      if (loop.stop !== "finish") {
        return result(loop.stop, {
          reason: loop.error.message,
          limit: loop.stop === "limit" ? loop.error : undefined,
          modelError: loop.stop === "model_error" ? loop.error.reason : undefined,
        });
      }

      const threads = loop.threads ? { threads: loop.threads } : {};
      if (options.steps?.verify === false) return result("finish", { summary: loop.summary, ...threads });
      if (!testCommand)
        return result("finish", { summary: loop.summary, ...threads, ...(await lintAfter(options, signal, emit)) });
      await emit({ type: "phase", phase: "test" });
      tests = await runTestCommand(
        runner,
        workspace,
        testCommand,
        config.budget.test_timeout_seconds * 1000,
        signal,
        redactor,
      );
      if (signal.aborted) {
        await emit({ type: "test", run: tests, round: testRound });
        return abortedResult(signal, result, loop.summary);
      }
      if (tests.passed || testRound >= config.budget.test_rounds) {
        // The model is done: now, and only now, the run with secrets, if the boundary allows it.
        ({ tests, setup } = await finalRun(options, testCommand, setup, tests, signal));
        await emit({ type: "test", run: tests, round: testRound });
        if (signal.aborted) return abortedResult(signal, result, loop.summary);
        return result("finish", {
          summary: loop.summary,
          ...threads,
          tests,
          ...(await lintAfter(options, signal, emit)),
        });
      }
      await emit({ type: "test", run: tests, round: testRound });
      testRound++;
      log.info(
        { round: testRound, exitCode: tests.exitCode },
        "tests failed after finish; giving the model another round",
      );
      messages.push({
        role: "user",
        content: testFailedMessage({
          round: testRound,
          rounds: config.budget.test_rounds,
          command: testCommand,
          exitCode: tests.exitCode,
          summary: tests.summary,
        }),
      });
      await hooks?.onCheckpoint?.({ messages, usage: budget.usage, testRound });
    }
  } finally {
    clearTimeout(wallTimer);
    budget.release();
    await Promise.allSettled(settling);
  }
}

function abortedResult(
  signal: AbortSignal,
  result: (stop: SolveStop, extra: Partial<SolveResult>) => SolveResult,
  summary: string,
): SolveResult {
  const reason: unknown = signal.reason;
  if (reason instanceof LimitReached) return result("limit", { limit: reason, reason: reason.message, summary });
  if (reason instanceof Cancelled) return result("cancelled", { reason: reason.message, summary });
  throw reason instanceof Error ? reason : new Cancelled();
}
