// A revision of a pull request: the free text of `/agent fix` plus the
// unresolved review feedback, answered with one follow-up commit on the same
// branch (never a force-push), replies in the addressed threads, and the PR
// body's result brought up to date. On a fork the app cannot push to, it opens
// a PR of its own (or replies with the patch) and says which.
import type { RepoConfig } from "../../config/repo-config.ts";
import type { JobOutcome, JobRecord, JobRunContext } from "../../shared/job.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import type { JobDeps } from "../deps.ts";
import { changedInstructions, loadIssueText, readRepoInstructions, speakerFilter } from "../issue-context.ts";
import { endStatus, firstLine, unfinishedEnding } from "../job-end.ts";
import { withJobScope, type JobScope } from "../job-scope.ts";
import { jobTask } from "../solve-base.ts";
import { findingsText, refusedHeadline, prepareCommit, pushOntoSharedBranch } from "../publish.ts";
import { modelSaid, testEvidence } from "../report-text.ts";
import { feedbackSection, loadReviewFeedback, type ReviewFeedback } from "./review-feedback.ts";
import { startRevision, upToDateStart, type MergedBase } from "./revision-start.ts";
import { mergedNote } from "./base-update-text.ts";
import { isAppLogin } from "../../github/bots.ts";
import type { SolveResult } from "../solve.ts";
import { readCheckpoint, type Checkpointer } from "../checkpointer.ts";
import { solveWithCheckpoints } from "../checkpointed-solve.ts";
import { answerThreads } from "./thread-replies.ts";

import { publishForFork, publishOnBranch, threadsNote, type PullInfo } from "./revision-publish.ts";
export async function runReviseJob(job: JobRecord, run: JobRunContext, deps: JobDeps): Promise<JobOutcome> {
  return withJobScope(job, run, deps, async (scope, config, workspaces) => {
    const { octokit, repo, reporter } = scope;
    const n = job.target.number;
    const { data: pr } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...repo,
      pull_number: n,
    });
    if (pr.state !== "open") {
      await reporter.final(false, "Stopped: this pull request is closed", "Reopen it and ask again.");
      return { status: "error", summary: "pull request is closed" };
    }
    // Reviewers see the job on the pull request's head from now on; a pushed commit gets a run of its own.
    await scope.checks.start(pr.head.sha);
    const speaks = speakerFilter(octokit, repo, config, scope.identity.slug);
    const conversation = await loadIssueText(octokit, repo, n, config, scope.identity.slug);
    const feedback = await loadReviewFeedback(octokit, repo, n, speaks);
    const sameRepo = pr.head.repo?.full_name.toLowerCase() === pr.base.repo.full_name.toLowerCase();

    const clone = await workspaces.clone(scope, pr.base.repo.clone_url, pr.base.ref, pr.base.repo.id);
    const { workspace, git } = clone;
    // The base's instructions are trusted; the branch's own, when it changes them, are data (ARCHITECTURE.md §6).
    const repoInstructions = await readRepoInstructions(workspace.repoDir);
    const branch = sameRepo ? pr.head.ref : `${config.branch_prefix}pr-${n}-revision`;
    if (sameRepo) {
      await git.fetchBranch(pr.head.ref);
      await git.checkoutNewBranch(branch, `origin/${pr.head.ref}`);
    } else {
      await git.checkoutRef(`refs/pull/${n}/head`);
      await git.checkoutNewBranch(branch);
    }
    const started = await startRevision(
      scope,
      git,
      config,
      branch,
      run.resumed ? readCheckpoint(job.checkpoint) : undefined,
    );
    if (started.alreadyPushed) return reportPushedBeforeRestart(scope, pr, started.alreadyPushed);
    // Only the app's own branch is brought up to date: a person's branch is theirs to merge or rebase.
    const ownFresh = sameRepo && !started.resume && isAppLogin(pr.user?.login, scope.identity.slug);
    const updated = ownFresh ? await upToDateStart(scope, config, clone, pr, started) : { start: started };
    if ("outcome" in updated) return updated.outcome;
    const { start } = updated;
    const merged = "merged" in updated ? updated.merged : undefined;
    const startSha = start.checkpoint.base;
    const branchInstructions = changedInstructions(repoInstructions, await readRepoInstructions(workspace.repoDir));
    const feedbackText = feedbackSection(feedback);
    await reporter.record({
      type: "task",
      source: `${repo.owner}/${repo.repo}#${n}`,
      title: `Revise pull request #${n}: ${pr.title}`,
      body: [pr.body ?? "", feedbackText].filter(Boolean).join("\n\n"),
    });

    const task = {
      ...jobTask(
        scope,
        config,
        {
          source: `${repo.owner}/${repo.repo}#${n} (pull request, branch ${pr.head.ref})`,
          title: `Revise pull request #${n}: ${pr.title}`,
          body: pr.body ?? "",
          comments: conversation.comments,
        },
        repoInstructions,
        feedbackText || undefined,
      ),
      ...(branchInstructions ? { branchInstructions } : {}),
    };
    const { result, checkpointer } = await solveWithCheckpoints(scope, config, clone, start, task);
    const outcome = await publishRevision(scope, git, config, pr, feedback, result, startSha, checkpointer, {
      sameRepo,
      merged,
    });
    await checkpointer.discard();
    return outcome;
  });
}

async function publishRevision(
  scope: JobScope,
  git: GitWorkspace,
  config: RepoConfig,
  pr: PullInfo,
  feedback: ReviewFeedback,
  result: SolveResult,
  startSha: string,
  checkpointer: Checkpointer,
  { sameRepo, merged }: { sameRepo: boolean; merged: MergedBase | undefined },
): Promise<JobOutcome> {
  const { reporter, redactor } = scope;
  const n = pr.number;
  const mergeNote = merged ? `${mergedNote(merged, pr.base.ref, pr.html_url)}\n\n` : "";

  scope.checks.evidence(result, config);
  await reporter.phase("push");
  const prepared = await prepareCommit(
    git,
    startSha,
    config,
    redactor,
    `Address review feedback on #${n}\n\n${firstLine(result.summary) || "Address review feedback"}`,
  );
  if (!prepared.sha) {
    // The model chose to change nothing: each thread still hears why, and a merge of the base still goes out.
    if (merged) {
      const { sha } = await pushOntoSharedBranch(git, pr.head.ref, { rebase: false });
      await checkpointer.published(sha);
      await scope.checks.start(sha);
    }
    const threads =
      result.stop === "finish"
        ? await answerThreads(scope, config, n, feedback, result, new Set(), undefined)
        : undefined;
    const headline = unfinishedEnding(result)?.headline ?? "Stopped: no change was made";
    await reporter.final(
      false,
      headline,
      `${mergeNote}${threads ? `${threadsNote(threads, feedback.threads.length)}\n\n` : ""}${modelSaid(result.summary).trimStart()}\n\n${reporter.triedText()}\n\n${testEvidence(result.tests, result.testCommand, result.setup, result.lint)}`.trimStart(),
    );
    return { status: endStatus(result, undefined), summary: headline, usage: result.usage };
  }
  if (prepared.findings.length > 0) {
    await reporter.final(
      false,
      refusedHeadline(prepared.findings),
      `Nothing was pushed. Findings:\n\n${findingsText(prepared.findings)}`,
    );
    return { status: "error", summary: "refused to push: secret-like content", usage: result.usage };
  }
  await reporter.record({ type: "diff", diff: await git.diff(startSha) });
  if (sameRepo)
    return publishOnBranch(scope, git, config, pr, feedback, result, prepared.sha, checkpointer, mergeNote.trim());
  return publishForFork(scope, git, config, pr, result, prepared.sha);
}

/** A restart came after the follow-up commit was pushed: say so, and make no second one. */
async function reportPushedBeforeRestart(scope: JobScope, pr: PullInfo, sha: string): Promise<JobOutcome> {
  const short = sha.slice(0, 7);
  const commitUrl = `${pr.html_url}/commits/${sha}`;
  await scope.reporter.final(
    true,
    `Pushed ${short} to #${pr.number} before the worker restarted`,
    `${commitUrl}\n\nThe follow-up commit was pushed before the restart, so no second one was made. Replies in the review threads or the pull request's test result may be missing; ask again to have them written.`,
  );
  return { status: "pr_updated", summary: `pushed ${short} before a restart`, prNumber: pr.number, prUrl: pr.html_url };
}
