// Publishing a revision: one follow-up commit pushed to the PR's branch, with
// replies in the addressed threads and the PR body brought up to date; on a
// fork the app cannot push to, a PR of its own (or the patch in a comment).
import type { RepoConfig } from "../../config/repo-config.ts";
import { details } from "../../github/pr-body.ts";
import { isAppLogin } from "../../github/bots.ts";
import { openOrUpdatePull } from "../../github/pull-requests.ts";
import { markReadyForReview } from "../../github/review-threads.ts";
import type { JobOutcome } from "../../shared/job.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import { INCOMPLETE_LABEL } from "../fix/fix-publish.ts";
import { endStatus, testsFailed, unfinishedEnding } from "../job-end.ts";
import { type JobScope } from "../job-scope.ts";
import { pushOntoSharedBranch } from "../publish.ts";
import { lintBlocks, testEvidence } from "../report-text.ts";
import { type ReviewFeedback } from "./review-feedback.ts";
import { updateRevisionSection } from "./revision-section.ts";
import type { SolveResult } from "../solve.ts";
import { type Checkpointer } from "../checkpointer.ts";
import { answerThreads } from "./thread-replies.ts";

export interface PullInfo {
  number: number;
  node_id: string;
  draft?: boolean;
  body: string | null;
  title: string;
  html_url: string;
  head: { ref: string };
  base: { ref: string };
  user: { login: string } | null;
}

export async function publishOnBranch(
  scope: JobScope,
  git: GitWorkspace,
  config: RepoConfig,
  pr: PullInfo,
  feedback: ReviewFeedback,
  result: SolveResult,
  made: string,
  checkpointer: Checkpointer,
  /** Set when the base was merged in first (mergedNote): the commit builds on that merge, which is never rebased. */
  mergeNote = "",
): Promise<JobOutcome> {
  const { octokit, repo, reporter, redactor, job } = scope;
  // fast-forward only: reviewers keep their history; a commit pushed meanwhile is built on, and said so
  const { sha, rebasedOnto } = await pushOntoSharedBranch(git, pr.head.ref, { rebase: !mergeNote });
  const rebasedNote =
    rebasedOnto && made !== sha
      ? ` Someone pushed \`${rebasedOnto.slice(0, 7)}\` to the branch meanwhile; this commit was rebased onto it (the tests above ran before that).`
      : "";
  await checkpointer.published(sha);
  await scope.checks.start(sha);
  const commitUrl = `${pr.html_url}/commits/${sha}`;
  const short = sha.slice(0, 7);
  const changed = new Set(await git.diffPaths(`${sha}~1`));
  const passed = result.stop === "finish" && !testsFailed(result);
  const threads = await answerThreads(scope, config, pr.number, feedback, result, changed, { short, url: commitUrl });

  const section = [
    `### Revision [\`${short}\`](${commitUrl}) (job \`${job.id.slice(0, 8)}\`)`,
    "",
    (result.summary ?? result.reason ?? "").trim(),
    ...(mergeNote ? ["", mergeNote] : []),
    "",
    testEvidence(result.tests, result.testCommand, result.setup, result.lint),
  ].join("\n");
  await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...repo,
    pull_number: pr.number,
    body: redactor.redact(updateRevisionSection(pr.body ?? "", section)),
  });

  let readyNote = "";
  if (
    passed &&
    !lintBlocks(result.lint, config) &&
    pr.draft &&
    isAppLogin(pr.user?.login, scope.identity.slug) &&
    config.ready_when_green
  ) {
    await markReadyForReview(octokit, pr.node_id);
    await octokit
      .request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
        ...repo,
        issue_number: pr.number,
        name: INCOMPLETE_LABEL,
      })
      .catch(() => undefined);
    readyNote = " The pull request is now ready for review.";
  }
  const unfinished = unfinishedEnding(result);
  const verdict = unfinished
    ? `incomplete: ${result.reason ?? unfinished.headline}`
    : passed
      ? "tests pass"
      : "tests still fail";
  await reporter.final(
    passed,
    `Pushed ${short} to #${pr.number} — ${verdict}`,
    `${commitUrl}\n\n${mergeNote ? `${mergeNote}\n\n` : ""}${threadsNote(threads, feedback.threads.length)}${readyNote}${rebasedNote}\n\n${testEvidence(result.tests, result.testCommand, result.setup, result.lint)}`,
  );
  return {
    status: endStatus(result, "pr_updated"),
    summary: `pushed ${short}: ${verdict}`,
    prNumber: pr.number,
    prUrl: pr.html_url,
    usage: result.usage,
  };
}

export async function publishForFork(
  scope: JobScope,
  git: GitWorkspace,
  config: RepoConfig,
  pr: PullInfo,
  result: SolveResult,
  sha: string,
): Promise<JobOutcome> {
  const { octokit, repo, reporter, redactor } = scope;
  const evidence = testEvidence(result.tests, result.testCommand, result.setup, result.lint);
  if (config.fork_fallback === "patch") {
    const patch = redactor.redact(await git.diff(`${sha}~1`));
    await reporter.final(
      true,
      `This pull request comes from a fork I cannot push to, so here is the change as a patch`,
      `Apply it with \`git apply\`:\n\n${details("patch", patch.length > 60_000 ? `${patch.slice(0, 60_000)}\n[... cut ...]` : patch)}\n\n${evidence}`,
    );
    return { status: endStatus(result, "pr_updated"), summary: "replied with a patch (fork)", usage: result.usage };
  }
  const branch = await git.currentBranch();
  await git.push(branch, { expect: null });
  await scope.checks.start(sha);
  const passed = result.stop === "finish" && !testsFailed(result);
  const opened = await openOrUpdatePull(octokit, repo, {
    branch,
    base: pr.base.ref,
    title: redactor.redact(`Revision of #${pr.number}: ${pr.title}`),
    body: redactor.redact(
      `Builds on #${pr.number} (from a fork the app cannot push to) with the requested changes.\n\n## Summary\n\n${(result.summary ?? result.reason ?? "").trim()}\n\n${evidence}`,
    ),
    draft: !passed || lintBlocks(result.lint, config),
    labels: [],
  });
  await reporter.final(
    passed,
    `This pull request comes from a fork I cannot push to, so I opened #${opened.number} with the changes`,
    `${opened.url} builds on this branch and targets \`${pr.base.ref}\`.\n\n${evidence}`,
  );
  return {
    status: endStatus(result, "pr_opened"),
    summary: `opened #${opened.number} for fork PR #${pr.number}`,
    prNumber: opened.number,
    prUrl: opened.url,
    usage: result.usage,
  };
}

export function threadsNote(threads: { answered: number; resolved: number }, total: number): string {
  if (total === 0) return "";
  return `Answered ${threads.answered} of ${total} review thread${total === 1 ? "" : "s"}${threads.resolved > 0 ? `, resolved ${threads.resolved}` : ""}.`;
}
