import { describe, expect, it } from "vitest";
import { renderProgress } from "../../src/github/progress-comment.ts";
import { JobReporter } from "../../src/run/reporter.ts";
import { unfinishedEnding } from "../../src/run/job-end.ts";
import type { SolveResult } from "../../src/run/solve.ts";

const retry = {
  type: "model_retry" as const,
  step: 3,
  attempt: 2,
  maxAttempts: 9,
  status: 503,
  message: "The engine is currently overloaded,\n please try again later.",
  retryAt: "2026-12-02T05:12:30.000Z",
  delayMs: 8_000,
};

describe("the progress comment while the model endpoint fails", () => {
  it("says the endpoint is failing, why, and when it tries again; the next answer clears it", async () => {
    const reporter = new JobReporter({ state: { jobId: "job-1", kind: "fix", phase: "edit", step: 2, maxSteps: 60 } });
    await reporter.event(retry);
    const failing = renderProgress(reporter.state);
    expect(failing).toContain(
      "⚠️ The model endpoint is failing (503: The engine is currently overloaded, please try again later.); trying again at 05:12:30 UTC, in 8 s (try 3 of 9).",
    );
    await reporter.event({
      type: "model",
      step: 3,
      model: "m",
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd: 0,
      latencyMs: 5,
      content: "",
      toolCalls: [],
    });
    expect(renderProgress(reporter.state)).not.toContain("⚠️");
  });

  it("is not shown once the job has ended", async () => {
    const reporter = new JobReporter({ state: { jobId: "job-1", kind: "fix", phase: "edit" } });
    await reporter.event(retry);
    await reporter.final(false, "Stopped: model endpoint failing: 503 … after 9 tries over 114 s", "");
    expect(renderProgress(reporter.state)).not.toContain("trying again");
  });
});

describe("the headline of a job the model could not finish", () => {
  const base = {
    summary: undefined,
    limit: undefined,
    testCommand: undefined,
    tests: undefined,
    testRounds: 0,
    setup: undefined,
    usage: { steps: 1, inputTokens: 1, outputTokens: 1, costUsd: 0, wallMs: 1 },
    messages: [],
  } satisfies Partial<SolveResult>;
  it("names an endpoint that refused or stayed down, and keeps the protocol wording for a model that broke it", () => {
    expect(
      unfinishedEnding({
        ...base,
        stop: "model_error",
        modelError: "auth",
        reason: "model endpoint refused the API key (401): Incorrect API key provided: [key].",
      })?.headline,
    ).toBe("Stopped: model endpoint refused the API key (401): Incorrect API key provided: [key].");
    expect(
      unfinishedEnding({
        ...base,
        stop: "model_error",
        modelError: "unavailable",
        reason: "model endpoint failing: 503 Service Unavailable after 9 tries over 114 s",
      })?.headline,
    ).toContain("after 9 tries over 114 s");
    expect(
      unfinishedEnding({
        ...base,
        stop: "model_error",
        modelError: "protocol",
        reason: "the model sent malformed tool calls 3 times in a row",
      })?.headline,
    ).toBe("Stopped: the model did not follow the tool protocol");
  });
});
