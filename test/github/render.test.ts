import { describe, expect, it } from "vitest";
import { renderPrBody } from "../../src/github/pr-body.ts";
import { jobMarker, renderProgress } from "../../src/github/progress-comment.ts";
import { updateRevisionSection } from "../../src/run/revise/revision-section.ts";

const usage = { steps: 7, inputTokens: 12_000, outputTokens: 800, costUsd: 0.0312, wallMs: 95_000 };

describe("the progress comment", () => {
  it("shows where a job is: queued with its place, then the step and last action", () => {
    const queued = renderProgress({ jobId: "abcdef123456", kind: "fix", phase: "queued", queuePosition: 3 });
    expect(queued).toContain(jobMarker("abcdef123456"));
    expect(queued).toContain("#3 in line");
    const working = renderProgress({
      jobId: "abcdef123456",
      kind: "fix",
      phase: "edit",
      step: 7,
      maxSteps: 60,
      lastAction: "edit src/a.ts",
      model: "gpt",
      usage,
    });
    expect(working).toContain("step 7 of 60");
    expect(working).toContain("`edit src/a.ts`");
    expect(working).toMatch(/✅ cloning · ✅ installing dependencies · ⏳ working · ⬜ testing/);
    expect(working).toContain("12,800 tokens");
    expect(working).toContain("$0.03");
    expect(working).toContain("1 min 35 s");
  });

  it("ends with a headline and details, and says when the job was resumed", () => {
    const done = renderProgress({
      jobId: "j",
      kind: "fix",
      phase: "report",
      resumed: true,
      final: { ok: false, headline: "Stopped: no change was made", details: "The model said nothing." },
    });
    expect(done).toContain("⏹️ **Stopped: no change was made**");
    expect(done).toContain("resumed from its last checkpoint");
  });
});

describe("the PR body", () => {
  const base = {
    jobId: "abcdef123456",
    issueNumber: 12,
    summary: "Fixed it.",
    files: ["src/a.ts"],
    testCommand: "npm test",
    setup: undefined,
    refused: [],
    model: "gpt",
    usage,
  };
  it("carries Fixes #n, the summary, the files, the test evidence and what the run used", () => {
    const body = renderPrBody({
      ...base,
      verdict: "passed",
      tests: {
        command: "npm test",
        passed: true,
        exitCode: 0,
        killed: undefined,
        summary: "ok",
        outputTail: "# pass 3",
        durationMs: 1200,
      },
    });
    expect(body).toContain("Fixes #12");
    expect(body).toContain("Fixed it.");
    expect(body).toContain("- `src/a.ts`");
    expect(body).toContain("✅ **Tests pass.**");
    expect(body).toContain("<details><summary>Test output (tail)</summary>");
    expect(body).toContain("# pass 3");
    expect(body).toContain("7 steps");
  });

  it("says plainly when tests fail, are missing, or the run stopped early, and what was refused", () => {
    expect(renderPrBody({ ...base, verdict: "failing", tests: undefined })).toContain("Tests fail");
    expect(renderPrBody({ ...base, verdict: "no_tests", tests: undefined, testCommand: undefined })).toContain(
      "No test command was found",
    );
    const stopped = renderPrBody({
      ...base,
      verdict: "incomplete",
      tests: undefined,
      stopReason: "budget limit reached: steps (60 of 60)",
      refused: [{ path: ".github/workflows/ci.yml", reason: "workflows are protected" }],
    });
    expect(stopped).toContain("Incomplete");
    expect(stopped).toContain("steps (60 of 60)");
    expect(stopped).toContain("`.github/workflows/ci.yml`: workflows are protected");
  });

  it("fences test output that itself contains a code fence", () => {
    const body = renderPrBody({
      ...base,
      verdict: "passed",
      tests: {
        command: "t",
        passed: true,
        exitCode: 0,
        killed: undefined,
        summary: "",
        outputTail: "```\nhi\n```",
        durationMs: 1,
      },
    });
    expect(body).toContain("~~~~\n```\nhi\n```\n~~~~");
  });

  it("keeps one revision section up to date, before the footer, leaving the rest alone", () => {
    const body = "Fixes #1\n\nhuman notes\n\n---\n<sub>footer</sub>";
    const once = updateRevisionSection(body, "first");
    const twice = updateRevisionSection(once, "second");
    expect(twice).toContain("human notes");
    expect(twice).toContain("second");
    expect(twice).not.toContain("first");
    expect(twice.indexOf("second")).toBeLessThan(twice.indexOf("<sub>footer"));
  });
});
