// Publishing a fix job's work: one commit on the branch, then a pull request
// with the evidence (a draft when the tests fail or the run stopped early) —
// or a report saying plainly why nothing was opened. With several attempts,
// the one the tests chose is published and the others are listed beside it.
import type { RepoConfig } from "../../config/repo-config.ts";
import { attemptsSection, renderPrBody, type AttemptLine, type Verdict } from "../../github/pr-body.ts";
import type { JobOutcome, Usage } from "../../shared/job.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import { endStatus, firstLine, testsFailed, unfinishedEnding } from "../job-end.ts";
import type { JobScope } from "../job-scope.ts";
import { findingsText, refusedHeadline, prepareCommit, pushAndOpenPull } from "../publish.ts";
import { lintBlocks, modelSaid, testEvidence } from "../report-text.ts";
import type { SolveResult } from "../solve.ts";
import type { BranchStart } from "./branch-start.ts";

export const INCOMPLETE_LABEL = "agent: incomplete";

/** The work of a fix job's run, ready to publish. */
export interface FixWork {
  git: GitWorkspace;
  branch: string;
  start: BranchStart;
  result: SolveResult;
  /** Set when the run was one of several attempts: the one the tests chose, and how the others did. */
  attempts?: AttemptsChoice;
}

export interface AttemptsChoice {
  /** Every attempt, the chosen one marked. */
  lines: AttemptLine[];
  /** No attempt passed (or, without a test command, finished with a change): the report says all failed. */
  allFailed: boolean;
  /** What the chosen attempt did (its tools), for a report of work that did not succeed. */
  tried: string;
  /** What all the attempts spent together. */
  usage: Usage;
}

/** The commit message of a fix. */
export function fixMessage(issueNumber: number, title: string, summary: string | undefined): string {
  return `Fix #${issueNumber}: ${title}\n\n${firstLine(summary)}`.trim();
}

export async function publishResult(
  scope: JobScope,
  config: RepoConfig,
  work: FixWork,
  issue: { title: string; defaultBranch: string },
): Promise<JobOutcome> {
  const { reporter, job, redactor } = scope;
  const { git, branch, start, result, attempts } = work;
  const { title, defaultBranch } = issue;
  const n = job.target.number;
  const usage = attempts?.usage ?? result.usage;
  const tried = attempts?.tried ?? reporter.triedText();
  const evidence = testEvidence(result.tests, result.testCommand, result.setup, result.lint);
  const attemptsText = attempts ? `\n\n${attemptsSection(attempts.lines, attempts.allFailed)}` : "";
  const allFailed = attempts?.allFailed ? `all ${attempts.lines.length} attempts failed; ` : "";

  scope.checks.evidence(result, config);
  await reporter.phase("push");
  const unfinished = unfinishedEnding(result);
  const prepared = await prepareCommit(
    git,
    start.checkpoint.base,
    config,
    redactor,
    fixMessage(n, title, result.summary),
  );
  const refusedText = prepared.refused.length
    ? `\n\nChanges refused: ${prepared.refused.map((r) => `\`${r.path}\` (${r.reason})`).join("; ")}`
    : "";

  if (!prepared.sha) {
    const why = unfinished?.headline ?? "The model finished without changing any file.";
    await reporter.final(
      false,
      `${unfinished?.headline ?? "Stopped: no change was made"}${allFailed ? ` (${allFailed.slice(0, -2)})` : ""}`,
      `${why}${modelSaid(result.summary)}${refusedText}\n\n${tried}\n\n${evidence}${attemptsText}`,
    );
    return { status: endStatus(result, undefined), summary: result.reason ?? why, usage };
  }
  if (prepared.findings.length > 0) {
    await reporter.final(
      false,
      refusedHeadline(prepared.findings),
      `Nothing was pushed. Findings:\n\n${findingsText(prepared.findings)}\n\n${tried}${attemptsText}`,
    );
    return { status: "error", summary: `refused to push: ${prepared.findings.length} secret-like finding(s)`, usage };
  }
  await reporter.record({ type: "diff", diff: await git.diff(start.checkpoint.base) });

  if (result.stop === "cancelled") {
    await git.push(branch, { expect: start.expect });
    await reporter.final(
      false,
      "Stopped on request",
      `The work so far${attempts ? ` of the best of ${attempts.lines.length} attempts (all were stopped)` : ""} was pushed to branch \`${branch}\` as it stands; no pull request was opened.${refusedText}\n\n${tried}${attemptsText}`,
    );
    return { status: "cancelled", summary: `cancelled; work pushed to ${branch}`, usage };
  }

  const verdict: Verdict = unfinished
    ? "incomplete"
    : !result.testCommand
      ? "no_tests"
      : testsFailed(result)
        ? "failing"
        : "passed";
  const lintBlocked = lintBlocks(result.lint, config);
  const draft = verdict === "failing" || verdict === "incomplete" || config.draft || lintBlocked;
  await reporter.phase("open-pr");
  const link = scope.deps.trajectories?.link(job.id);
  const body = redactor.redact(
    renderPrBody({
      jobId: job.id,
      issueNumber: n,
      summary: result.summary ?? `The run stopped before the model wrote a summary. ${result.reason ?? ""}`,
      files: prepared.changed,
      verdict,
      testCommand: result.testCommand,
      tests: result.tests,
      setup: result.setup,
      ...(result.lint ? { lint: result.lint, lintBlocks: config.lint_blocks } : {}),
      ...(unfinished ? { stopReason: result.reason ?? unfinished.headline } : {}),
      refused: prepared.refused,
      model: reporter.state.model ?? "",
      usage,
      ...(link ? { link } : {}),
      ...(attempts ? { attempts: attempts.lines, allFailed: attempts.allFailed } : {}),
    }),
  );
  const pull = await pushAndOpenPull(
    git,
    {
      octokit: scope.octokit,
      repo: scope.repo,
      branch,
      expect: start.expect,
      keep: start.checkpoint.wipBranch,
      checks: scope.checks,
    },
    {
      base: defaultBranch,
      title: redactor.redact(verdict === "incomplete" ? `[incomplete] ${title}` : title),
      body,
      draft,
      labels: verdict === "incomplete" ? [INCOMPLETE_LABEL] : [],
    },
  );
  const what = pull.created ? "Opened" : "Updated";
  const lintNote = result.lint && !result.lint.passed ? (lintBlocked ? ", lint fails" : " (lint fails)") : "";
  const headline =
    verdict === "passed"
      ? `${what} ${lintBlocked ? "draft " : ""}#${pull.number} — tests pass${lintNote}`
      : verdict === "no_tests"
        ? `${what} ${lintBlocked ? "draft " : ""}#${pull.number} — untested (no test command found)${lintNote}`
        : verdict === "failing"
          ? `${what} draft #${pull.number} — ${allFailed}tests still fail`
          : `${what} draft #${pull.number} — ${allFailed}incomplete: ${result.reason ?? unfinished?.headline ?? ""}`;
  await reporter.final(
    (verdict === "passed" || verdict === "no_tests") && !lintBlocked,
    headline,
    `${pull.url}${refusedText}\n\n${verdict === "passed" ? "" : `${tried}\n\n`}${evidence}${attemptsText}`,
  );
  return { status: endStatus(result, "pr_opened"), summary: headline, prNumber: pull.number, prUrl: pull.url, usage };
}
