// The pipeline of one `fix` job on an issue: clone, branch (or resume),
// solve, then publish the evidence as a PR — or say plainly why not.
import type { RepoConfig } from "../config/repo-config.ts";
import { renderPrBody, type Verdict } from "../github/pr-body.ts";
import { findOpenPull } from "../github/pull-requests.ts";
import type { JobOutcome, JobRecord, JobRunContext } from "../shared/job.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import { Checkpointer, readCheckpoint, saveOnShutdown, type FixCheckpoint } from "./checkpointer.ts";
import type { JobDeps } from "./deps.ts";
import { branchName, loadIssueText, readRepoInstructions } from "./issue-context.ts";
import { jobTask, solveBase, withJobScope, type JobScope } from "./job-scope.ts";
import { findingsText, refusedHeadline, prepareCommit, pushAndOpenPull } from "./publish.ts";
import { lintBlocks, stopHeadline, testEvidence } from "./report-text.ts";
import { solve, type SolveResult } from "./solve.ts";

export const INCOMPLETE_LABEL = "agent: incomplete";

export async function runFixJob(job: JobRecord, run: JobRunContext, deps: JobDeps): Promise<JobOutcome> {
  return withJobScope(job, run, deps, async (scope, config, workspaces) => {
    const { octokit, repo, reporter, redactor, log } = scope;
    const { data: repoData } = await octokit.request("GET /repos/{owner}/{repo}", repo);
    const issue = await loadIssueText(octokit, repo, job.target.number, config, scope.identity.slug);
    await reporter.record({ type: "task", source: `${repo.owner}/${repo.repo}#${job.target.number}`, title: issue.title, body: issue.body });
    const { workspace, git, base } = await workspaces.clone(scope, repoData.clone_url, repoData.default_branch, repoData.id);
    const repoInstructions = await readRepoInstructions(workspace.repoDir);
    const previous = readCheckpoint(job.checkpoint);
    const branch = previous?.branch ?? branchName(config.branch_prefix, job.target.number, issue.title);
    const start = await prepareBranch(scope, git, branch, run.resumed ? previous : undefined, config);
    const checkpointer = new Checkpointer({ git, run, config, redactor, log, checkpoint: start.checkpoint, pushEveryMs: deps.env.checkpointIntervalMs });

    const result = await solve({
      ...solveBase(scope, config, workspace, { git, base }),
      task: jobTask(scope, config, issue, repoInstructions),
      tools: deps.tools,
      ...(start.resume ? { resume: start.resume } : {}),
      afterSetup: async () => {
        await git.markSetupArtifacts();
      },
      onEvent: (e) => reporter.event(e),
      onCheckpoint: async (state) => {
        reporter.usage(state.usage);
        await checkpointer.save(state);
      },
    }).catch((err: unknown) => saveOnShutdown(checkpointer, run, err));
    reporter.usage(result.usage);
    const outcome = await publishResult(scope, git, config, branch, start, result, issue.title, repoData.default_branch);
    await checkpointer.discard();
    return outcome;
  });
}

interface BranchStart {
  checkpoint: FixCheckpoint;
  /** Remote state of `branch` the final push must find. */
  expect: string | null | undefined;
  resume: { messages: FixCheckpoint["messages"]; usage: FixCheckpoint["usage"]; testRound: number } | undefined;
  /** Told to the model when it carries on after a restart. */
  note: string | undefined;
  existingPull: number | undefined;
}

async function prepareBranch(scope: JobScope, git: GitWorkspace, branch: string, previous: FixCheckpoint | undefined, config: RepoConfig): Promise<BranchStart> {
  const wipBranch = `${config.branch_prefix}wip/${scope.job.id}`;
  const remoteSha = (await git.fetchBranch(branch)) ? await git.revParse(`origin/${branch}`) : null;
  const openPull = remoteSha ? await findOpenPull(scope.octokit, scope.repo, branch) : undefined;
  // An open PR on this branch: build on top of it, never rewrite it.
  const startPoint = openPull && remoteSha ? remoteSha : await git.head();
  const fresh = (): FixCheckpoint => ({ version: 1, branch, base: startPoint, wipBranch, wipSha: undefined, messages: [], usage: { steps: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, wallMs: 0 }, testRound: 0 });
  const expect = openPull ? undefined : remoteSha;

  if (previous && previous.wipSha && (await git.fetchBranch(previous.wipBranch))) {
    await git.checkoutNewBranch(branch, `origin/${previous.wipBranch}`);
    return {
      checkpoint: previous,
      expect,
      resume: { messages: previous.messages, usage: previous.usage, testRound: previous.testRound },
      note: undefined,
      existingPull: openPull?.number,
    };
  }
  await git.checkoutNewBranch(branch, startPoint);
  if (previous) {
    // Resumed, but no work had been saved yet: start over, keep what was spent.
    const cp = { ...fresh(), usage: previous.usage };
    return { checkpoint: cp, expect, resume: undefined, note: undefined, existingPull: openPull?.number };
  }
  return { checkpoint: fresh(), expect, resume: undefined, note: undefined, existingPull: openPull?.number };
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
  const summaryLine = (result.summary ?? "").split("\n").find((l) => l.trim()) ?? "";
  const message = `Fix #${n}: ${title}\n\n${summaryLine}`.trim();
  const prepared = await prepareCommit(git, start.checkpoint.base, config, redactor, message);
  const refusedText = prepared.refused.length ? `\n\nChanges refused: ${prepared.refused.map((r) => `\`${r.path}\` (${r.reason})`).join("; ")}` : "";

  if (!prepared.sha) {
    const why = result.stop === "finish" ? "The model finished without changing any file." : stopHeadline(result);
    const summary = result.summary ? `\n\nThe model said:\n\n> ${result.summary.trim().split("\n").join("\n> ")}` : "";
    await reporter.final(false, result.stop === "finish" ? "Stopped: no change was made" : stopHeadline(result), `${why}${summary}${refusedText}\n\n${tried}\n\n${evidence}`);
    const status = result.stop === "limit" ? "limit" : result.stop === "cancelled" ? "cancelled" : result.stop === "model_error" ? "error" : "no_change";
    return { status, summary: result.reason ?? why, usage };
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
    await reporter.final(false, "Stopped on request", `The work so far was pushed to branch \`${branch}\` as it stands; no pull request was opened.${refusedText}\n\n${tried}`);
    return { status: "cancelled", summary: `cancelled; work pushed to ${branch}`, usage };
  }

  const verdict: Verdict = result.stop !== "finish" ? "incomplete" : !result.testCommand ? "no_tests" : result.tests?.passed ? "passed" : "failing";
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
      ...(result.stop !== "finish" ? { stopReason: result.reason ?? stopHeadline(result) } : {}),
      refused: prepared.refused,
      model: reporter.state.model ?? "",
      usage,
      ...(link ? { link } : {}),
    }),
  );
  const pull = await pushAndOpenPull(
    git,
    { octokit: scope.octokit, repo: scope.repo, branch, expect: start.expect, keep: start.checkpoint.wipBranch },
    { base: defaultBranch, title: redactor.redact(verdict === "incomplete" ? `[incomplete] ${title}` : title), body, draft, labels: verdict === "incomplete" ? [INCOMPLETE_LABEL] : [] },
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
          : `${what} draft #${pull.number} — incomplete: ${result.reason ?? stopHeadline(result)}`;
  await reporter.final((verdict === "passed" || verdict === "no_tests") && !lintBlocked, headline, `${pull.url}${refusedText}\n\n${verdict === "passed" ? "" : `${tried}\n\n`}${evidence}`);
  const status = verdict === "incomplete" ? "limit" : verdict === "failing" ? "tests_failing" : "pr_opened";
  return { status: result.stop === "model_error" ? "error" : status, summary: headline, prNumber: pull.number, prUrl: pull.url, usage };
}
