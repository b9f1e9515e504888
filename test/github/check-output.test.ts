// What a job's check run shows, cut to GitHub's limits (65535 characters for
// output.summary and output.text each) with head and tail kept.
import { describe, expect, it } from "vitest";
import { checkOutput, OUTPUT_MAX_CHARS } from "../../src/github/check-output.ts";
import type { TestRun } from "../../src/shared/evidence.ts";

const tests = (over: Partial<TestRun> = {}): TestRun => ({
  command: "npm test",
  passed: true,
  exitCode: 0,
  killed: undefined,
  summary: "",
  outputTail: "ok 1 - adds two numbers\n",
  durationMs: 10,
  ...over,
});

describe("the check run's output", () => {
  it("shows the headline, the job's summary, the verdicts, the fenced test tail and the trajectory link", () => {
    const out = checkOutput({
      title: "Opened #3 — tests pass",
      summary: "`sum` subtracted instead of adding.",
      evidence: { tests: tests(), testCommand: "npm test" },
      link: "https://agent.example/jobs/abc?sig=1",
      jobId: "abcdef0123456789",
    });
    expect(out.title).toBe("Opened #3 — tests pass");
    expect(out.summary).toContain("`sum` subtracted instead of adding.");
    expect(out.summary).toContain("Tests: `npm test` passed.");
    expect(out.summary).toContain("[Every step of job `abcdef01`](https://agent.example/jobs/abc?sig=1)");
    expect(out.text).toBe("### Last test output\n\n```\nok 1 - adds two numbers\n```");
  });

  it("says plainly when there was no test command, and has no text without output", () => {
    const out = checkOutput({ title: "Opened #3", summary: "done", evidence: {}, jobId: "j1" });
    expect(out.summary).toContain("Tests: no test command was found");
    expect(out.summary).toContain("issuesmith job `j1`.");
    expect(out.text).toBeUndefined();
  });

  it("leaves the verdicts out for a job that ended before its run", () => {
    const out = checkOutput({ title: "Stopped: an internal error", summary: "", jobId: "j1" });
    expect(out.summary).not.toContain("Tests:");
    // an empty summary falls back to the title: GitHub requires one
    expect(out.summary.startsWith("Stopped: an internal error")).toBe(true);
  });

  it("cuts a huge test tail and summary to the limit, keeping the start and the end", () => {
    const tail = `FIRST LINE\n${"x".repeat(200_000)}\nLAST LINE`;
    const out = checkOutput({
      title: "Opened draft #3 — tests still fail",
      summary: `START ${"s".repeat(100_000)} END`,
      evidence: {
        tests: tests({ passed: false, exitCode: 1, outputTail: tail }),
        lint: tests({
          command: "npm run lint",
          passed: false,
          exitCode: 2,
          outputTail: `L0\n${"l".repeat(90_000)}\nL9`,
        }),
      },
      jobId: "j1",
    });
    expect(out.summary.length).toBeLessThanOrEqual(OUTPUT_MAX_CHARS);
    expect(out.text!.length).toBeLessThanOrEqual(OUTPUT_MAX_CHARS);
    expect(out.summary).toMatch(/^START s+\n\[\.\.\. [\d,]+ characters cut \.\.\.\]\ns+ END/);
    expect(out.summary).toContain("Tests: `npm test` failed (exit code 1).");
    expect(out.summary).toContain("Lint: `npm run lint` failed (exit code 2).");
    for (const kept of ["FIRST LINE", "LAST LINE", "L0", "L9", "characters of output cut", "### Lint output"])
      expect(out.text).toContain(kept);
  });

  it("fences output that holds fences, and stays under the limit with a pathological run of backticks", () => {
    const fenced = checkOutput({
      title: "t",
      summary: "s",
      evidence: { tests: tests({ outputTail: "```\nnot the end\n```" }) },
      jobId: "j1",
    });
    expect(fenced.text).toBe("### Last test output\n\n````\n```\nnot the end\n```\n````");
    const backticks = checkOutput({
      title: "t",
      summary: "s",
      evidence: { tests: tests({ outputTail: "`".repeat(64_000) }) },
      jobId: "j1",
    });
    expect(backticks.text!.length).toBeLessThanOrEqual(OUTPUT_MAX_CHARS);
  });

  it("redacts every piece before cutting, and keeps the title to one short line", () => {
    const out = checkOutput({
      title: `Stopped: token ghs_secret\n${"t".repeat(500)}`,
      summary: "leaked ghs_secret here",
      evidence: { tests: tests({ outputTail: "ghs_secret in output" }) },
      jobId: "j1",
      redact: (t) => t.replaceAll("ghs_secret", "[REDACTED]"),
    });
    expect(JSON.stringify(out)).not.toContain("ghs_secret");
    expect(out.title).not.toContain("\n");
    expect(out.title.length).toBeLessThanOrEqual(200);
  });
});
