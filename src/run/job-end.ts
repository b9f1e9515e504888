// How a job ends (ARCHITECTURE.md §1, §5.3): one table from the way its run
// stopped, or the error that stopped it, to the job's status and the headline
// of its report. Fix, revise and plan jobs and the job scope all end here, so
// the same stop never reads two ways.
import {
  Cancelled,
  LimitReached,
  ModelError,
  Transient,
  UserError,
  errorMessage,
  type ModelErrorReason,
} from "../errors.ts";
import type { CheckConclusion } from "../github/check-runs.ts";
import type { OutcomeStatus } from "../shared/job.ts";
import type { SolveResult, SolveStop } from "./solve.ts";

export interface Ending {
  status: OutcomeStatus;
  headline: string;
}

/**
 * A run that stopped short of `finish`. A model error is `error`, whatever the
 * job had changed by then: the run failed, it did not decide that nothing
 * needed changing (which is what `no_change` says).
 */
const UNFINISHED: Record<Exclude<SolveStop, "finish">, (reason: string, model?: ModelErrorReason) => Ending> = {
  limit: (reason) => ({ status: "limit", headline: `Stopped: ${reason}` }),
  // An endpoint that refused us or stayed down is named with its own reason.
  model_error: (reason, model) => ({
    status: "error",
    headline:
      model && model !== "protocol" ? `Stopped: ${reason}` : "Stopped: the model did not follow the tool protocol",
  }),
  cancelled: () => ({ status: "cancelled", headline: "Stopped on request" }),
};

const REASON_UNKNOWN: Record<Exclude<SolveStop, "finish">, string> = {
  limit: "a budget limit was reached",
  model_error: "no reason given",
  cancelled: "cancelled",
};

/** The ending of a run that did not finish; undefined when it did. */
export function unfinishedEnding(result: Pick<SolveResult, "stop" | "reason" | "modelError">): Ending | undefined {
  if (result.stop === "finish") return undefined;
  return UNFINISHED[result.stop](oneLine(result.reason ?? REASON_UNKNOWN[result.stop]), result.modelError);
}

/** What the job published after its run: a pull request opened, or one updated. */
export type Published = "pr_opened" | "pr_updated";

/**
 * The job's status from its run and what it published. An unfinished run
 * keeps its stop's status even when its partial work was published (the PR
 * fields of the outcome say where); a finished one is `no_change` without a
 * change, `tests_failing` when the app's own test run failed.
 */
export function endStatus(
  result: Pick<SolveResult, "stop" | "reason" | "modelError" | "tests" | "testCommand">,
  published: Published | undefined,
): OutcomeStatus {
  const unfinished = unfinishedEnding(result);
  if (unfinished) return unfinished.status;
  if (!published) return "no_change";
  return testsFailed(result) ? "tests_failing" : published;
}

/** The app ran the repository's tests after the model finished, and they failed. */
export function testsFailed(result: Pick<SolveResult, "tests" | "testCommand">): boolean {
  return Boolean(result.testCommand) && !result.tests?.passed;
}

/**
 * The ending of a job stopped by an error the job scope caught. Every typed
 * error is named in the headline; only what has no kind is an internal error.
 * `Transient` arrives here on the last attempt only (earlier ones are retried).
 */
export function errorEnding(err: unknown, attempts: number): Ending {
  if (err instanceof Cancelled) return UNFINISHED.cancelled(err.message);
  if (err instanceof LimitReached) return UNFINISHED.limit(err.message);
  if (err instanceof ModelError) return UNFINISHED.model_error(oneLine(err.message), err.reason);
  if (err instanceof Transient)
    return {
      status: "error",
      headline: `Stopped: ${oneLine(err.message)} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`,
    };
  if (err instanceof UserError || hasKind(err))
    return { status: "error", headline: `Stopped: ${oneLine(errorMessage(err))}` };
  return { status: "error", headline: "Stopped: an internal error" };
}

/** An error of a kind the code names (errors.ts, and kinds rooms add, such as the model client's). */
function hasKind(err: unknown): err is Error & { kind: string } {
  return err instanceof Error && typeof (err as { kind?: unknown }).kind === "string";
}

/**
 * What the job's check run concludes (ARCHITECTURE.md §1 "Checks"): failure
 * when the tests fail or the job failed; neutral when it stopped, changed
 * nothing or could not say (no test command); success only with passing tests.
 */
const CONCLUSION: Record<OutcomeStatus, CheckConclusion> = {
  pr_opened: "success",
  pr_updated: "success",
  tests_failing: "failure",
  error: "failure",
  config_error: "failure",
  interrupted: "failure",
  no_change: "neutral",
  limit: "neutral",
  cancelled: "neutral",
  plan_posted: "neutral",
  replied: "neutral",
};

/** A published change passes only with the tests' word for it, and a blocking lint failure fails it. */
export function checkConclusion(
  status: OutcomeStatus,
  evidence: { testsPassed: boolean; lintBlocked: boolean } | undefined,
): CheckConclusion {
  const conclusion = CONCLUSION[status];
  if (conclusion !== "success") return conclusion;
  if (evidence?.lintBlocked) return "failure";
  return evidence?.testsPassed ? "success" : "neutral";
}

/** The first non-blank line of a text, for headlines and commit subjects. */
export function firstLine(text: string | undefined): string {
  return (
    (text ?? "")
      .split("\n")
      .find((l) => l.trim())
      ?.trim() ?? ""
  );
}

function oneLine(text: string): string {
  const line = firstLine(text);
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
