import { describe, expect, it } from "vitest";
import { attemptsSection } from "../../../src/github/pr-body.ts";
import { totalUsage } from "../../../src/run/fix/attempts.ts";
import { keptWork } from "../../../src/run/job-scope.ts";
import { attemptsCheckpoint, freshCheckpoint, readAttemptCheckpoints } from "../../../src/run/checkpointer.ts";
import {
  diffSize,
  outcomeOf,
  pickWinner,
  type AttemptOutcome,
  type AttemptScore,
} from "../../../src/run/fix/pick-winner.ts";

const score = (attempt: number, outcome: AttemptOutcome, diffLines = 2, steps = 5): AttemptScore => ({
  attempt,
  outcome,
  diffLines,
  steps,
});

describe("which attempt becomes the pull request", () => {
  it("takes an attempt whose tests pass over any that failed, however small their diff", () => {
    const { winner, allFailed } = pickWinner([score(1, "failing", 1, 1), score(2, "passed", 40, 30)]);
    expect(winner.attempt).toBe(2);
    expect(allFailed).toBe(false);
  });

  it("breaks a tie between passing attempts by the smallest diff, then the fewest steps, then the earlier", () => {
    expect(
      pickWinner([score(1, "passed", 9, 3), score(2, "passed", 4, 8), score(3, "passed", 4, 9)]).winner.attempt,
    ).toBe(2);
    expect(pickWinner([score(1, "passed", 4, 6), score(2, "passed", 4, 5)]).winner.attempt).toBe(2);
    expect(pickWinner([score(2, "passed", 4, 5), score(1, "passed", 4, 5)]).winner.attempt).toBe(1);
  });

  it("when none passes, picks the one that got furthest and says all failed", () => {
    const order: AttemptOutcome[] = ["failing", "incomplete", "no_change", "refused", "error"];
    for (let i = 0; i < order.length - 1; i++) {
      const { winner, allFailed } = pickWinner([score(1, order[i + 1]!, 0, 0), score(2, order[i]!, 50, 50)]);
      expect(winner.outcome, `${order[i]} over ${order[i + 1]}`).toBe(order[i]);
      expect(allFailed).toBe(true);
    }
  });

  it("counts an untested change (no test command) as success, below a passing one", () => {
    expect(pickWinner([score(1, "untested")]).allFailed).toBe(false);
    expect(pickWinner([score(1, "untested", 1), score(2, "passed", 9)]).winner.attempt).toBe(2);
  });

  it("refuses to choose from nothing", () => {
    expect(() => pickWinner([])).toThrow(/no attempt/);
  });
});

describe("an attempt's outcome", () => {
  const tests = (passed: boolean) => ({
    command: "npm test",
    exitCode: passed ? 0 : 1,
    killed: undefined,
    passed,
    durationMs: 1,
    outputTail: "",
    summary: "",
  });
  it("comes from the app's own test run, the commit and how the run stopped", () => {
    const sha = { sha: "abc", findings: [] };
    expect(outcomeOf({ stop: "finish", testCommand: "npm test", tests: tests(true) }, sha)).toBe("passed");
    expect(outcomeOf({ stop: "finish", testCommand: "npm test", tests: tests(false) }, sha)).toBe("failing");
    expect(outcomeOf({ stop: "finish", testCommand: undefined, tests: undefined }, sha)).toBe("untested");
    expect(outcomeOf({ stop: "limit", testCommand: "npm test", tests: undefined }, sha)).toBe("incomplete");
    expect(
      outcomeOf({ stop: "finish", testCommand: "npm test", tests: tests(true) }, { sha: undefined, findings: [] }),
    ).toBe("no_change");
    expect(
      outcomeOf({ stop: "finish", testCommand: "npm test", tests: tests(true) }, { sha: "abc", findings: [{}] }),
    ).toBe("refused");
  });

  it("measures a diff in lines added and removed, headers not counted", () => {
    const diff = [
      "diff --git a/x b/x",
      "index 1..2 100644",
      "--- a/x",
      "+++ b/x",
      "@@ -1,2 +1,2 @@",
      " same",
      "-old",
      "+new",
      "+++plus signs in an added line",
      "diff --git a/y b/y",
      "--- a/y",
      "+++ b/y",
      "@@ -0,0 +1 @@",
      "+only",
    ].join("\n");
    expect(diffSize(diff)).toBe(4);
    expect(diffSize("")).toBe(0);
  });
});

describe("the attempts' record", () => {
  it("keeps each attempt's checkpoint in its slot and reads them back", () => {
    const cp = freshCheckpoint("agent/issue-1", "abc", "agent/wip/j-2");
    const saved = attemptsCheckpoint([undefined, cp]);
    expect(readAttemptCheckpoints(JSON.parse(JSON.stringify(saved)))).toEqual([undefined, cp]);
    expect(readAttemptCheckpoints(cp)).toEqual([]);
    expect(readAttemptCheckpoints(undefined)).toEqual([]);
  });

  it("says where each attempt's work is kept when the job ends early", () => {
    const cp = (n: number, sha?: string) => ({
      ...freshCheckpoint("agent/issue-1", "abc", `agent/wip/j-${n}`),
      wipSha: sha,
    });
    expect(keptWork({ checkpoint: attemptsCheckpoint([cp(1, "1234567890"), cp(2), cp(3, "abcdef1234")]) })).toBe(
      "The attempts' work so far is kept on `agent/wip/j-1` (attempt 1, commit `1234567`), `agent/wip/j-3` (attempt 3, commit `abcdef1`). ",
    );
    expect(keptWork({ checkpoint: attemptsCheckpoint([cp(1)]) })).toBe("");
    expect(keptWork({ checkpoint: cp(1, "1234567890") })).toContain("kept on branch `agent/wip/j-1`");
  });

  it("adds what the attempts spent; the wall clock is the longest one's", () => {
    const u = (n: number) => ({ steps: n, inputTokens: n * 10, outputTokens: n, costUsd: n / 100, wallMs: n * 1000 });
    expect(totalUsage([u(1), u(3)])).toEqual({
      steps: 4,
      inputTokens: 40,
      outputTokens: 4,
      costUsd: 0.04,
      wallMs: 3000,
    });
  });

  it("lists every attempt in the PR, the chosen one first, and says so when all failed", () => {
    const line = (attempt: number, chosen: boolean, result: string) => ({
      attempt,
      chosen,
      result,
      passed: result === "tests pass",
      diffLines: 2,
      steps: 3,
      costUsd: 0.5,
    });
    const ok = attemptsSection([line(1, false, "tests fail | badly"), line(2, true, "tests pass")], false);
    expect(ok.split("\n").slice(-2)).toEqual([
      "| **#2 (this one)** | ✅ tests pass | 2 lines | 3 | $0.50 | — |",
      "| #1 | ❌ tests fail \\| badly | 2 lines | 3 | $0.50 | — |",
    ]);
    expect(attemptsSection([line(1, true, "tests fail")], true)).toContain("**All 1 attempts failed**");
  });
});
