// The pipeline of one `fix` job on an issue: clone, branch (or resume),
// solve, then publish the evidence as a PR — or say plainly why not.
import type { RepoConfig } from "../../config/repo-config.ts";
import { renderPrBody, type Verdict } from "../../github/pr-body.ts";
import { findOpenPull } from "../../github/pull-requests.ts";
import type { JobOutcome, JobRecord, JobRunContext } from "../../shared/job.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import { freshCheckpoint, readCheckpoint, savedState, wipBranchName, type FixCheckpoint } from "../checkpointer.ts";
import { solveWithCheckpoints, type CheckpointedStart } from "../checkpointed-solve.ts";
import type { JobDeps } from "../deps.ts";
import { branchName, readRepoInstructions } from "../issue-context.ts";
import { startOnIssue } from "../issue-start.ts";
import { endStatus, firstLine, testsFailed, unfinishedEnding } from "../job-end.ts";
import { withJobScope, type JobScope } from "../job-scope.ts";
import { jobTask } from "../solve-base.ts";
import { findingsText, refusedHeadline, prepareCommit, pushAndOpenPull } from "../publish.ts";
import { lintBlocks, modelSaid, testEvidence } from "../report-text.ts";
import type { SolveResult } from "../solve.ts";

export const INCOMPLETE_LABEL = "agent: incomplete";

export async function runFixJob(job: JobRecord, run: JobRunContext, deps: JobDeps): Promise<JobOutcome> {
  return withJobScope(job, run, deps, async (scope, config, workspaces) => {
    const { defaultBranch, issue, clone } = await startOnIssue(scope, config, workspaces);
    const { workspace, git } = clone;
    const repoInstructions = await readRepoInstructions(workspace.repoDir);
    const previous = readCheckpoint(job.checkpoint);
    const branch = previous?.branch ?? branchName(config.branch_prefix, job.target.number, issue.title);
    const start = await prepareBranch(scope, git, branch, run.resumed ? previous : undefined, config);
    const { result, checkpointer } = await solveWithCheckpoints(
      scope,
      config,
      clone,
      start,
      jobTask(scope, config, issue, repoInstructions),
    );
    const outcome = await publishResult(scope, git, config, branch, start, result, issue.title, defaultBranch);
    await checkpointer.discard();
    return outcome;
  });
}

interface BranchStart extends CheckpointedStart {
  /** Remote state of `branch` the final push must find. */
  expect: string | null | undefined;
}

async function prepareBranch(
  scope: JobScope,
  git: GitWorkspace,
  branch: string,
  previous: FixCheckpoint | undefined,
  config: RepoConfig,
): Promise<BranchStart> {
  const remoteSha = (await git.fetchBranch(branch)) ? await git.revParse(`origin/${branch}`) : null;
  const openPull = remoteSha ? await findOpenPull(scope.octokit, scope.repo, branch) : undefined;
  // An open PR on this branch: build on top of it, never rewrite it.
  const startPoint = openPull && remoteSha ? remoteSha : await git.head();
  const expect = openPull ? undefined : remoteSha;

  if (previous && previous.wipSha && (await git.fetchBranch(previous.wipBranch))) {
    await git.checkoutNewBranch(branch, `origin/${previous.wipBranch}`);
    return { checkpoint: previous, expect, resume: savedState(previous) };
  }
  await git.checkoutNewBranch(branch, startPoint);
  // Resumed with no work saved yet: start over, keep what was spent.
  return {
    checkpoint: freshCheckpoint(branch, startPoint, wipBranchName(config, scope.job.id), previous?.usage),
    expect,
    resume: undefined,
  };
}

async function publishResult(
  scope: JobScope,
  git: GitWorkspace,
  config: RepoConfig,
  branch: string,
  start: BranchStart,
  result: SolveResult,
  title: string,
  defaultBranch: string,
): Promise<JobOutcome> {
  const { reporter, job, redactor } = scope;
  const n = job.target.number;
  const usage = result.usage;
  const tried = reporter.triedText();
  const evidence = testEvidence(result.tests, result.testCommand, result.setup, result.lint);

  await reporter.phase("push");
  const unfinished = unfinishedEnding(result);
  const message = `Fix #${n}: ${title}\n\n${firstLine(result.summary)}`.trim();
  const prepared = await prepareCommit(git, start.checkpoint.base, config, redactor, message);
  const refusedText = prepared.refused.length
    ? `\n\nChanges refused: ${prepared.refused.map((r) => `\`${r.path}\` (${r.reason})`).join("; ")}`
    : "";

  if (!prepared.sha) {
    const why = unfinished?.headline ?? "The model finished without changing any file.";
    await reporter.final(
      false,
      unfinished?.headline ?? "Stopped: no change was made",
      `${why}${modelSaid(result.summary)}${refusedText}\n\n${tried}\n\n${evidence}`,
    );
    return { status: endStatus(result, undefined), summary: result.reason ?? why, usage };
  }
  if (prepared.findings.length > 0) {
    await reporter.final(
      false,
      refusedHeadline(prepared.findings),
      `Nothing was pushed. Findings:\n\n${findingsText(prepared.findings)}\n\n${tried}`,
    );
    return { status: "error", summary: `refused to push: ${prepared.findings.length} secret-like finding(s)`, usage };
  }
  await reporter.record({ type: "diff", diff: await git.diff(start.checkpoint.base) });

  if (result.stop === "cancelled") {
    await git.push(branch, { expect: start.expect });
    await reporter.final(
      false,
      "Stopped on request",
      `The work so far was pushed to branch \`${branch}\` as it stands; no pull request was opened.${refusedText}\n\n${tried}`,
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
    }),
  );
  const pull = await pushAndOpenPull(
    git,
    { octokit: scope.octokit, repo: scope.repo, branch, expect: start.expect, keep: start.checkpoint.wipBranch },
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
          ? `${what} draft #${pull.number} — tests still fail`
          : `${what} draft #${pull.number} — incomplete: ${result.reason ?? unfinished?.headline ?? ""}`;
  await reporter.final(
    (verdict === "passed" || verdict === "no_tests") && !lintBlocked,
    headline,
    `${pull.url}${refusedText}\n\n${verdict === "passed" ? "" : `${tried}\n\n`}${evidence}`,
  );
  return { status: endStatus(result, "pr_opened"), summary: headline, prNumber: pull.number, prUrl: pull.url, usage };
}
