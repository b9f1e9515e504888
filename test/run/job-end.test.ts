import { describe, expect, it } from "vitest";
import { Cancelled, LimitReached, ModelError, Transient, UserError } from "../../src/errors.ts";
import { checkConclusion, endStatus, errorEnding, firstLine, unfinishedEnding } from "../../src/run/job-end.ts";
import type { SolveResult } from "../../src/run/solve.ts";
import type { TestRun } from "../../src/shared/evidence.ts";

type Ran = Pick<SolveResult, "stop" | "reason" | "modelError" | "tests" | "testCommand">;
const passing: TestRun = {
  command: "npm test",
  passed: true,
  exitCode: 0,
  killed: undefined,
  summary: "",
  outputTail: "",
  durationMs: 1,
};
const failing: TestRun = { ...passing, passed: false, exitCode: 1 };
const run = (r: Partial<Ran>): Ran => ({
  stop: "finish",
  reason: undefined,
  tests: undefined,
  testCommand: undefined,
  ...r,
});

describe("the end of a run, one table for every job", () => {
  it("maps each stop short of finish to one status, whatever the job published", () => {
    for (const published of [undefined, "pr_opened", "pr_updated"] as const) {
      expect(endStatus(run({ stop: "limit", reason: "budget limit reached: steps (2 of 2)" }), published)).toBe(
        "limit",
      );
      expect(endStatus(run({ stop: "cancelled", reason: "cancelled on request" }), published)).toBe("cancelled");
      expect(
        endStatus(
          run({ stop: "model_error", reason: "the model broke the tool-call protocol 3 times in a row" }),
          published,
        ),
      ).toBe("error");
    }
  });

  it("calls a model error an error, not 'no change', when nothing was changed", () => {
    expect(endStatus(run({ stop: "model_error", reason: "model endpoint answered 404" }), undefined)).toBe("error");
  });

  it("tells a finished run with no change, failing tests and passing tests apart", () => {
    expect(endStatus(run({ testCommand: "npm test", tests: passing }), undefined)).toBe("no_change");
    expect(endStatus(run({ testCommand: "npm test", tests: failing }), "pr_opened")).toBe("tests_failing");
    expect(endStatus(run({ testCommand: "npm test", tests: failing }), "pr_updated")).toBe("tests_failing");
    expect(endStatus(run({ testCommand: "npm test", tests: passing }), "pr_updated")).toBe("pr_updated");
    expect(endStatus(run({}), "pr_opened")).toBe("pr_opened");
  });

  it("names the reason in the headline of an unfinished run, on one line", () => {
    expect(unfinishedEnding(run({}))).toBeUndefined();
    expect(unfinishedEnding(run({ stop: "limit", reason: "budget limit reached: steps (2 of 2)" }))?.headline).toBe(
      "Stopped: budget limit reached: steps (2 of 2)",
    );
    expect(unfinishedEnding(run({ stop: "cancelled", reason: "cancelled on request" }))?.headline).toBe(
      "Stopped on request",
    );
    const protocol = unfinishedEnding(
      run({
        stop: "model_error",
        modelError: "protocol",
        reason: "the model broke the tool-call protocol 3 times in a row",
      }),
    );
    expect(protocol?.headline).toBe("Stopped: the model did not follow the tool protocol");
    const key = unfinishedEnding(
      run({
        stop: "model_error",
        modelError: "auth",
        reason: "model endpoint refused the credentials (401)\nbody: {...}",
      }),
    );
    expect(key?.headline).toBe("Stopped: model endpoint refused the credentials (401)");
    expect(unfinishedEnding(run({ stop: "limit" }))?.headline).toBe("Stopped: a budget limit was reached");
  });
});

describe("the end of a job stopped by an error", () => {
  it("names every typed error, and calls only an untyped one internal", () => {
    expect(errorEnding(new Cancelled("cancelled on request"), 1)).toEqual({
      status: "cancelled",
      headline: "Stopped on request",
    });
    expect(errorEnding(new LimitReached("steps", 2, 2), 1)).toEqual({
      status: "limit",
      headline: "Stopped: budget limit reached: steps (2 of 2)",
    });
    expect(
      errorEnding(new ModelError("the model endpoint kept failing (503) for 3 min", { reason: "unavailable" }), 1),
    ).toEqual({
      status: "error",
      headline: "Stopped: the model endpoint kept failing (503) for 3 min",
    });
    expect(errorEnding(new UserError("the branch is protected"), 1)).toEqual({
      status: "error",
      headline: "Stopped: the branch is protected",
    });
    expect(errorEnding(new TypeError("x is undefined"), 1)).toEqual({
      status: "error",
      headline: "Stopped: an internal error",
    });
  });

  it("says a transient failure was given up on, and after how many attempts", () => {
    const ending = errorEnding(new Transient("model endpoint answered 503 after retries: Service Unavailable"), 3);
    expect(ending).toEqual({
      status: "error",
      headline: "Stopped: model endpoint answered 503 after retries: Service Unavailable (gave up after 3 attempts)",
    });
  });

  it("names an error kind another room adds", () => {
    class EndpointDown extends Error {
      readonly kind = "model_unavailable" as const;
    }
    expect(errorEnding(new EndpointDown("the model endpoint kept failing for 3 min"), 1).headline).toBe(
      "Stopped: the model endpoint kept failing for 3 min",
    );
  });
});

describe("firstLine", () => {
  it("is the first line with text, trimmed", () => {
    expect(firstLine("\n\n  Fixed sum.  \nMore.")).toBe("Fixed sum.");
    expect(firstLine(undefined)).toBe("");
  });
});

describe("the check run's conclusion, from the same table", () => {
  const tested = { testsPassed: true, lintBlocked: false };
  it("is success only for published work whose tests passed", () => {
    expect(checkConclusion("pr_opened", tested)).toBe("success");
    expect(checkConclusion("pr_updated", tested)).toBe("success");
    // no test evidence: a draft (or PR) nobody can call green
    expect(checkConclusion("pr_opened", { testsPassed: false, lintBlocked: false })).toBe("neutral");
    expect(checkConclusion("pr_opened", undefined)).toBe("neutral");
    // a lint failure the repository made blocking fails it
    expect(checkConclusion("pr_updated", { testsPassed: true, lintBlocked: true })).toBe("failure");
  });

  it("is failure when the tests fail or the job failed, neutral when it stopped or changed nothing", () => {
    for (const status of ["tests_failing", "error", "config_error", "interrupted"] as const)
      expect(checkConclusion(status, tested)).toBe("failure");
    for (const status of ["cancelled", "limit", "no_change"] as const)
      expect(checkConclusion(status, tested)).toBe("neutral");
  });
});
