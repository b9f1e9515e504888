// The eval progress display: a bar redrawn in place on a terminal, one line
// per finished task when the output is a file or a CI log.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { EvalProgress } from "../../src/eval/progress.ts";
import type { TaskResult } from "../../src/eval/run-task.ts";

function stream(tty: boolean) {
  const s = Object.assign(new PassThrough(), { isTTY: tty, columns: 120 });
  const chunks: string[] = [];
  s.on("data", (c: Buffer) => chunks.push(c.toString()));
  return { s, text: () => chunks.join("") };
}

const result = (id: string, resolved: boolean): TaskResult => ({
  id,
  resolved,
  failure: resolved ? null : "tests_fail",
  scored: true,
  reason: resolved ? "the hidden tests pass" : "the test command failed (exit 1)",
  stop: "finish",
  model: "m",
  steps: 4,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0,
  wallMs: 2_500,
  changed: [],
  patch: "",
  tests: undefined,
  trajectory: "",
  startedAt: "",
  finishedAt: "",
});

describe("eval progress", () => {
  it("redraws one bar line on a terminal, with what each running task does", () => {
    const { s, text } = stream(true);
    const p = new EvalProgress(s, 4, [result("done-before", true)]);
    p.started("a");
    p.activity("a", "step 2 edit src/x.js");
    p.finished(result("a", false));
    p.end();
    const out = text();
    expect(out).toContain("\r\x1b[2K[#####---------------] 1/4 · resolved 1");
    expect(out).toContain("a: step 2 edit src/x.js");
    expect(out).toContain("✗ a · tests_fail: the test command failed (exit 1) · 4 steps · 2.5 s\n");
    expect(out).toContain("[##########----------] 2/4 · resolved 1");
  });

  it("writes one plain line per finished task when not on a terminal", () => {
    const { s, text } = stream(false);
    const p = new EvalProgress(s, 2);
    p.started("a");
    p.activity("a", "edit");
    p.finished(result("a", true));
    p.end();
    expect(text()).toBe("[1/2] ✓ a · resolved · 4 steps · 2.5 s\n");
  });
});
