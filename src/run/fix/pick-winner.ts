// Which of several attempts becomes the pull request: the app's own test run
// decides, not the model. Pure, so the rule is pinned by unit tests.
import type { SolveResult } from "../solve.ts";

/** How an attempt ended, best first. */
export const OUTCOMES = ["passed", "untested", "failing", "incomplete", "no_change", "refused", "error"] as const;
export type AttemptOutcome = (typeof OUTCOMES)[number];

export interface AttemptScore {
  attempt: number;
  outcome: AttemptOutcome;
  /** Lines added plus lines removed. */
  diffLines: number;
  steps: number;
}

/**
 * An attempt whose tests pass first (then one that finished with no test command to run), then the
 * smallest diff, then the fewest steps, then the earlier attempt. Among attempts that all failed, the
 * one that got furthest (tests ran but failed, before one stopped early, before one that changed nothing).
 */
export function compareAttempts(a: AttemptScore, b: AttemptScore): number {
  return (
    OUTCOMES.indexOf(a.outcome) - OUTCOMES.indexOf(b.outcome) ||
    a.diffLines - b.diffLines ||
    a.steps - b.steps ||
    a.attempt - b.attempt
  );
}

export function pickWinner<T extends AttemptScore>(scores: T[]): { winner: T; allFailed: boolean } {
  const [winner] = [...scores].sort(compareAttempts);
  if (!winner) throw new Error("pickWinner: no attempt to choose from");
  return { winner, allFailed: winner.outcome !== "passed" && winner.outcome !== "untested" };
}

/** An attempt's outcome from its run and its checked commit (`sha` undefined: nothing changed). */
export function outcomeOf(
  result: Pick<SolveResult, "stop" | "tests" | "testCommand">,
  prepared: { sha: string | undefined; findings: unknown[] },
): AttemptOutcome {
  if (prepared.findings.length > 0) return "refused";
  if (!prepared.sha) return "no_change";
  if (result.stop !== "finish") return "incomplete";
  if (!result.testCommand) return "untested";
  return result.tests?.passed ? "passed" : "failing";
}

/** Lines added plus lines removed in a unified diff. */
export function diffSize(diff: string): number {
  let n = 0;
  let inHunk = false;
  for (const line of diff.split("\n")) {
    // A file's header (`+++ b/x`) comes before its first hunk; an added line "++x" reads "+++x" inside one.
    if (line.startsWith("diff ")) inHunk = false;
    else if (line.startsWith("@@")) inHunk = true;
    else if (inHunk && (line.startsWith("+") || line.startsWith("-"))) n++;
  }
  return n;
}

/** How an attempt ended, in a few words for the table of attempts. */
export function outcomeText(
  outcome: AttemptOutcome,
  result: Pick<SolveResult, "tests" | "reason"> | undefined,
  error?: string,
): string {
  switch (outcome) {
    case "passed":
      return "tests pass";
    case "untested":
      return "untested (no test command)";
    case "failing":
      return `tests fail (exit code ${result?.tests?.exitCode ?? "killed"})`;
    case "incomplete":
      return `stopped: ${firstLine(result?.reason ?? "before it finished")}`;
    case "no_change":
      return "no change";
    case "refused":
      return "refused: the change looks like it holds a secret or an oversized file";
    case "error":
      return `error: ${firstLine(error ?? "unknown")}`;
  }
}

function firstLine(text: string): string {
  const line = text.split("\n")[0]?.trim() ?? "";
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Told to the model of each attempt: it works alone, and the tests will judge. */
export function attemptNote(attempt: number, n: number): string {
  return `This is attempt ${attempt} of ${n}: ${n} independent attempts work on this issue side by side, each in its own copy of the repository. The repository's own tests decide which becomes the pull request, then the smallest change.`;
}
