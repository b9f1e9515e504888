// The words of a job's final report: what happened, why it stopped, what was
// tried, and the last test output — never a silent end.
import { details } from "../github/pr-body.ts";
import type { LintRun, SetupRun, TestRun } from "../shared/evidence.ts";

/** The tests (with what the trust boundary withheld), then the lint run beside them when there was one. */
export function testEvidence(
  tests: TestRun | undefined,
  testCommand: string | undefined,
  setup?: SetupRun,
  lint?: LintRun,
): string {
  // What the trust boundary withheld (secrets, an agent-changed manifest's install) is part of the evidence.
  const notes = [tests?.note, setup?.note]
    .filter(Boolean)
    .map((n) => `\n\n${n}`)
    .join("");
  const lintText = lint ? `\n\n${lintEvidence(lint)}` : "";
  if (tests) {
    const verdict = tests.passed ? "passed" : `failed (exit code ${tests.exitCode ?? "killed"})`;
    return `Tests: \`${tests.command}\` ${verdict}.${notes}\n\n${details("Last test output", tests.outputTail)}${lintText}`;
  }
  return (
    (testCommand
      ? `Tests: \`${testCommand}\` was not run by the app (the agent did not finish).`
      : "Tests: no test command was found in the repository or in `.github/agent.yml`.") +
    notes +
    lintText
  );
}

export function lintEvidence(lint: LintRun): string {
  if (lint.passed) return `Lint: \`${lint.command}\` passed.`;
  return `Lint: \`${lint.command}\` failed (${lint.killed ? `stopped: ${lint.killed}` : `exit code ${lint.exitCode}`}).\n\n${details("Lint output", lint.outputTail)}`;
}

/** A failing lint keeps the PR a draft only when the repository asks for it (`lint_blocks: true`). */
export function lintBlocks(lint: LintRun | undefined, config: { lint_blocks: boolean }): boolean {
  return config.lint_blocks && lint !== undefined && !lint.passed;
}

/** The same evidence for a terminal. */
export function testEvidencePlain(tests: TestRun | undefined, testCommand: string | undefined): string {
  if (tests) {
    const verdict = tests.passed ? "passed" : `FAILED (exit code ${tests.exitCode ?? "killed"})`;
    return `Tests: ${tests.command} ${verdict}
${tests.summary.split("\n").slice(0, 30).join("\n")}`;
  }
  return testCommand
    ? `Tests: ${testCommand} was not run (the agent did not finish).`
    : "Tests: no test command found (set test: in .github/agent.yml).";
}

/** The model's own words, quoted, for a report that has no pull request to carry them. */
export function modelSaid(summary: string | undefined): string {
  return summary?.trim() ? `\n\nThe model said:\n\n> ${summary.trim().split("\n").join("\n> ")}` : "";
}

export function bulletList(items: string[]): string {
  return items.map((i) => `- ${i}`).join("\n");
}
