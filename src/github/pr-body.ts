// The pull request body: written for a reviewer, with the evidence (the test
// command and its result) and what the run used.
import type { Usage } from "../shared/job.ts";
import type { LintRun, SetupRun, TestRun } from "../shared/evidence.ts";
import { formatDuration } from "../shared/duration.ts";

export type Verdict = "passed" | "failing" | "no_tests" | "incomplete";

export interface PrBodyInput {
  jobId: string;
  issueNumber: number | undefined;
  summary: string;
  files: string[];
  verdict: Verdict;
  testCommand: string | undefined;
  tests: TestRun | undefined;
  setup: SetupRun | undefined;
  /** The app's lint run after the tests, and whether a failure keeps the PR a draft (`lint_blocks`). */
  lint?: LintRun;
  lintBlocks?: boolean;
  /** Why the run stopped early, for incomplete work. */
  stopReason?: string;
  /** Changes the app refused to include (protected paths). */
  refused: Array<{ path: string; reason: string }>;
  model: string;
  usage: Usage;
  link?: string;
  /** The job ran several attempts: each one, this PR's marked; `allFailed` when none passed. */
  attempts?: AttemptLine[];
  allFailed?: boolean;
}

/** One attempt of several, as the PR body and the report list it. */
export interface AttemptLine {
  attempt: number;
  /** This attempt's work is the pull request. */
  chosen: boolean;
  /** How it ended, for people: "tests pass", "tests fail (exit code 1)", "stopped: …", "no change". */
  result: string;
  passed: boolean;
  /** Lines added plus lines removed. */
  diffLines: number;
  steps: number;
  costUsd: number;
  link?: string;
}

export const PR_MARKER = "<!-- issuesmith:pr -->";

const VERDICT_LINE: Record<Verdict, string> = {
  passed: "✅ **Tests pass.**",
  failing: "⚠️ **Tests fail** — this draft needs a human (or another `/agent fix`).",
  no_tests: "ℹ️ **No test command was found**, so this change is untested. Add `test:` to `.github/agent.yml`.",
  incomplete: "⚠️ **Incomplete** — the run stopped before it finished; this draft holds the work so far.",
};

export function renderPrBody(input: PrBodyInput): string {
  const out: string[] = [PR_MARKER];
  if (input.issueNumber !== undefined) out.push(`Fixes #${input.issueNumber}`, "");
  out.push("## Summary", "", input.summary.trim() || "_The model gave no summary._", "");
  out.push("## Result", "", VERDICT_LINE[input.verdict]);
  if (input.stopReason) out.push("", `Stopped: ${input.stopReason}`);
  out.push("");
  if (input.tests) {
    out.push(
      `Test command: \`${input.tests.command}\` → exit code ${input.tests.exitCode ?? "killed"} in ${formatDuration(input.tests.durationMs)}`,
      "",
      details("Test output (tail)", input.tests.outputTail),
      "",
    );
  } else if (input.testCommand) {
    out.push(`Test command: \`${input.testCommand}\` (not run by the app: the agent did not finish)`, "");
  }
  if (input.setup?.ok && input.setup.fromCache) {
    out.push(
      `Dependencies: restored from the cache (same lockfile as a trusted earlier install) and checked with \`${input.setup.fromCache.check}\` instead of running \`${input.setup.command}\`.`,
      "",
    );
  }
  // The trust boundary's notes: secrets withheld or given, manifests the change touched that were not installed.
  for (const note of [input.tests?.note, input.setup?.note]) if (note) out.push(note, "");
  if (input.lint) out.push(...lintLines(input.lint, input.lintBlocks ?? false));
  if (input.setup && !input.setup.ok) {
    out.push(
      `Setup \`${input.setup.command}\` failed (exit code ${input.setup.exitCode ?? "killed"}).`,
      "",
      details("Setup output (tail)", input.setup.outputTail),
      "",
    );
  }
  if (input.attempts) out.push(attemptsSection(input.attempts, input.allFailed ?? false), "");
  out.push("## Files changed", "", ...input.files.slice(0, 100).map((f) => `- \`${f}\``));
  if (input.files.length > 100) out.push(`- … and ${input.files.length - 100} more`);
  out.push("");
  if (input.refused.length > 0) {
    out.push("## Changes not included", "", ...input.refused.map((r) => `- \`${r.path}\`: ${r.reason}`), "");
  }
  const u = input.usage;
  const used = [
    `model \`${input.model}\``,
    `${u.steps} steps`,
    `${u.inputTokens.toLocaleString("en-US")} input + ${u.outputTokens.toLocaleString("en-US")} output tokens`,
    ...(u.costUsd > 0 ? [`$${u.costUsd.toFixed(2)}`] : []),
    formatDuration(u.wallMs),
  ];
  out.push(
    "---",
    `<sub>Made by issuesmith · ${used.join(" · ")} · job \`${input.jobId.slice(0, 8)}\`${input.link ? ` · [trajectory](${input.link})` : ""}</sub>`,
  );
  return out.join("\n");
}

function lintLines(lint: LintRun, blocks: boolean): string[] {
  const result = lint.passed
    ? "passed"
    : `failed (${lint.killed ? `stopped: ${lint.killed}` : `exit code ${lint.exitCode}`})`;
  const line = `Lint command: \`${lint.command}\` → ${result} in ${formatDuration(lint.durationMs)}`;
  if (lint.passed) return [line, ""];
  const effect = blocks
    ? "⚠️ **Lint fails** — this PR stays a draft until it passes (`lint_blocks: true`)."
    : "Lint problems are reported, not blocking (`lint_blocks: true` in `.github/agent.yml` would keep the PR a draft).";
  return [line, "", effect, "", details("Lint output (tail)", lint.outputTail), ""];
}

export function details(summary: string, body: string): string {
  const fence = body.includes("```") ? "~~~~" : "```";
  return `<details><summary>${summary}</summary>\n\n${fence}\n${body.trimEnd()}\n${fence}\n\n</details>`;
}

/** The attempts of a job, as a table: how each ended, its diff, steps, cost and trajectory. */
export function attemptsSection(lines: AttemptLine[], allFailed: boolean): string {
  const n = lines.length;
  const lead = allFailed
    ? `**All ${n} attempts failed**; this is the best of them (by how far it got, then the smallest diff, then the fewest steps).`
    : `${n} independent attempts ran; the app's own test run chose this one (tests pass, then the smallest diff, then the fewest steps).`;
  const rows = [...lines]
    .sort((a, b) => Number(b.chosen) - Number(a.chosen) || a.attempt - b.attempt)
    .map(
      (l) =>
        `| ${l.chosen ? `**#${l.attempt} (this one)**` : `#${l.attempt}`} | ${l.passed ? "✅" : "❌"} ${l.result.replace(/\|/g, "\\|").replace(/\s+/g, " ")} | ${l.diffLines} lines | ${l.steps} | $${l.costUsd.toFixed(2)} | ${l.link ? `[trajectory](${l.link})` : "—"} |`,
    );
  return [
    "## Attempts",
    "",
    lead,
    "",
    "| Attempt | Result | Diff | Steps | Cost | Trajectory |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
