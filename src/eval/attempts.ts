// `issuesmith eval --attempts N`: N independent runs of one task, chosen the
// way the app chooses among a fix job's attempts (run/fix/pick-winner.ts):
// the app's own test run — the task's command on the agent's work, without
// the hidden tests — then the smallest diff, then the fewest steps. The task
// is resolved when the chosen attempt is, and costs what all of them cost
// (one token and cost pool, as in the app). Whether any attempt resolved it
// (pass@N) is kept beside it: the ceiling of a perfect choice.
import { SpendPool } from "../agent/budget.ts";
import { pickWinner, type AttemptOutcome } from "../run/fix/pick-winner.ts";
import { isHarnessFailure } from "./harness.ts";
import { runTask, type TaskResult, type TaskRunDeps } from "./run-task.ts";
import type { EvalTask } from "./task.ts";

export async function runTaskAttempts(task: EvalTask, deps: TaskRunDeps, attempts: number): Promise<TaskResult> {
  if (attempts <= 1) return runTask(task, deps);
  const started = performance.now();
  const pool = new SpendPool({ tokens: deps.config.budget.tokens, costUsd: deps.config.budget.cost_usd });
  const numbers = Array.from({ length: attempts }, (_, i) => i + 1);
  const runs = await Promise.all(
    numbers.map((index) => runTask(task, { ...deps, attempt: { index, of: attempts, pool } })),
  );
  // An attempt the harness failed on (clone, setup) says nothing of the agent: chosen only when all did.
  const scored = runs.filter((r) => !isHarnessFailure(r.failure));
  const candidates = (scored.length > 0 ? scored : runs).map((r) => ({
    run: r,
    attempt: runs.indexOf(r) + 1,
    outcome: attemptOutcome(r),
    diffLines: r.diffLines ?? 0,
    steps: r.steps,
  }));
  const { winner } = pickWinner(candidates);
  const sum = (f: (r: TaskResult) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    ...winner.run,
    steps: sum((r) => r.steps),
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    costUsd: sum((r) => r.costUsd),
    wallMs: Math.round(performance.now() - started),
    attempts: runs,
  };
}

/** An eval attempt's outcome, as the app would see it (the hidden tests play no part). */
export function attemptOutcome(r: Pick<TaskResult, "failure" | "stop" | "patch" | "appTestsPassed">): AttemptOutcome {
  if (r.stop === "error" || isHarnessFailure(r.failure)) return "error";
  if (!r.patch) return "no_change";
  if (r.stop !== "finish") return "incomplete";
  return r.appTestsPassed ? "passed" : "failing";
}

/** Tasks any attempt resolved (pass@N), of those a run with attempts scored. */
export function resolvedByAny(results: TaskResult[]): number {
  return results.filter((r) => r.resolved || (r.attempts ?? []).some((a) => a.resolved)).length;
}
