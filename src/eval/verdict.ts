// The verdict on one task: resolved or not, and when not, whose failure it
// is and why, in one line for people. The harness's own failures
// (harness.ts) never reach here: they are decided where they happen.
import type { ModelErrorReason } from "../errors.ts";
import type { SolveStop } from "../run/solve.ts";
import type { RunResult } from "../workspace/types.ts";
import { HARNESS_FAILURES } from "./harness.ts";
import type { EvalTask } from "./task.ts";
import type { TestStatus } from "./test-ids.ts";

/** The agent's failures first, then the harness's (those are never scored). */
export const FAILURE_KINDS = [
  "no_patch",
  "patch_does_not_apply",
  "tests_fail",
  "budget",
  "error",
  ...HARNESS_FAILURES,
] as const;
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

export interface VerdictInput {
  resolved: boolean;
  stop: SolveStop;
  /** Why the model could not go on, when stop is "model_error". */
  modelError?: ModelErrorReason | undefined;
  /** The loop's reason when it did not finish. */
  reason: string | undefined;
  sha: string | undefined;
  applyError: string | undefined;
  tests: HiddenTestRun | undefined;
}

/** The model's endpoint failing the run: not scored (harness.ts), the agent never had its chance. */
const ENDPOINT_DOWN: ReadonlySet<ModelErrorReason> = new Set(["auth", "not_found", "unavailable"]);

/** Why not, in this order: the model failed, a budget ran out, no change, the hidden tests do not apply on the change, they fail. */
export function verdict(task: EvalTask, v: VerdictInput): { failure: FailureKind | null; reason: string } {
  if (v.resolved) return { failure: null, reason: "the hidden tests pass" };
  if (v.stop === "model_error" && v.modelError !== undefined && ENDPOINT_DOWN.has(v.modelError))
    return { failure: "model_unavailable", reason: v.reason ?? "the model endpoint was unavailable" };
  if (v.stop === "model_error") return { failure: "error", reason: v.reason ?? "the model failed" };
  if (v.stop === "limit") return { failure: "budget", reason: v.reason ?? "a budget ran out" };
  if (!v.sha)
    return {
      failure: "no_patch",
      reason: v.stop === "finish" ? "the agent finished without changing a file" : (v.reason ?? v.stop),
    };
  if (v.applyError !== undefined)
    return {
      failure: "patch_does_not_apply",
      reason: `the hidden test patch does not apply on the agent's change: ${v.applyError}`,
    };
  return { failure: "tests_fail", reason: testsFailReason(task, v.tests) };
}

/**
 * Resolved: with test lists, every listed test passes (SWE-bench's rule);
 * without them, the test command exits 0. A killed run never resolves.
 */
export function decide(
  task: Pick<EvalTask, "failToPass" | "passToPass">,
  run: Pick<HiddenTestRun, "exitCode" | "killed" | "failToPass" | "passToPass">,
): boolean {
  if (run.killed) return false;
  if (!task.failToPass && !task.passToPass) return run.exitCode === 0;
  const all = { ...run.failToPass, ...run.passToPass };
  return Object.values(all).every((s) => s === "passed");
}

function testsFailReason(task: EvalTask, tests: HiddenTestRun | undefined): string {
  if (!tests) return "the hidden tests did not run";
  if (tests.killed) return `the tests were stopped (${tests.killed})`;
  const failing = (r: Record<string, TestStatus> | undefined) =>
    Object.entries(r ?? {}).filter(([, s]) => s !== "passed");
  const f2p = failing(tests.failToPass);
  const p2p = failing(tests.passToPass);
  if (f2p.length || p2p.length) {
    const parts = [
      f2p.length ? `${f2p.length} of ${task.failToPass?.length} fail-to-pass not passing` : "",
      p2p.length ? `${p2p.length} of ${task.passToPass?.length} pass-to-pass broken` : "",
    ].filter(Boolean);
    const names = [...f2p, ...p2p]
      .slice(0, 3)
      .map(([n, s]) => `${n} (${s})`)
      .join(", ");
    return `${parts.join("; ")}: ${names}`;
  }
  return `the test command failed (exit ${tests.exitCode})`;
}
