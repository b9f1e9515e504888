// Pull request, review, review comment and check run shapes.
import type {
  CheckRunRecord,
  IssueRecord,
  PullRecord,
  RepoRecord,
  ReviewCommentRecord,
  ReviewRecord,
} from "../state.ts";
import {
  type Json,
  type ShapeContext,
  authorAssociation,
  reactionRollup,
  repoApiUrl,
  repoWebUrl,
  userShape,
} from "./common.ts";
import { labelShape, ensureLabel } from "./issues.ts";
import { appShape, repositoryShape } from "./repo.ts";

/** What a PR shape needs from git, computed by the caller. */
export interface PullGitFacts {
  headSha: string;
  baseSha: string;
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

export function pullSimpleShape(
  ctx: ShapeContext,
  repo: RepoRecord,
  pull: PullRecord,
  issue: IssueRecord,
  facts: PullGitFacts,
): Json {
  const url = `${repoApiUrl(ctx, repo)}/pulls/${pull.number}`;
  const web = `${repoWebUrl(ctx, repo)}/pull/${pull.number}`;
  const issueUrl = `${repoApiUrl(ctx, repo)}/issues/${pull.number}`;
  const headRepo = ctx.state.repo(pull.headRepo);
  const statuses = `${repoApiUrl(ctx, repo)}/statuses/${facts.headSha}`;
  return {
    url,
    id: pull.id,
    node_id: pull.nodeId,
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoApiUrl(ctx, repo)}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: userShape(ctx, issue.user),
    body: issue.body,
    labels: issue.labels.map((name) => labelShape(ctx, repo, ensureLabel(ctx, repo, name))),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: null,
    assignee: issue.assignees[0] ? userShape(ctx, issue.assignees[0]) : null,
    assignees: issue.assignees.map((login) => userShape(ctx, login)),
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headRepo?.owner ?? repo.owner}:${pull.headRef}`,
      ref: pull.headRef,
      sha: facts.headSha,
      user: userShape(ctx, headRepo?.owner ?? repo.owner),
      repo: headRepo ? repositoryShape(ctx, headRepo) : null,
    },
    base: {
      label: `${repo.owner}:${pull.baseRef}`,
      ref: pull.baseRef,
      sha: facts.baseSha,
      user: userShape(ctx, repo.owner),
      repo: repositoryShape(ctx, repo),
    },
    _links: {
      self: { href: url },
      html: { href: web },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repoApiUrl(ctx, repo)}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: authorAssociation(ctx, repo, issue.user),
    auto_merge: null,
    draft: pull.draft,
  };
}

export function pullShape(
  ctx: ShapeContext,
  repo: RepoRecord,
  pull: PullRecord,
  issue: IssueRecord,
  facts: PullGitFacts,
): Json {
  return {
    ...pullSimpleShape(ctx, repo, pull, issue, facts),
    merged: pull.merged,
    mergeable: issue.state === "open" ? true : null,
    rebaseable: issue.state === "open" ? true : null,
    mergeable_state: issue.state === "open" ? (pull.draft ? "draft" : "clean") : "unknown",
    merged_by: null,
    comments: ctx.state.issueComments.filter((c) => c.repo === repo.fullName && c.issueNumber === pull.number).length,
    review_comments: ctx.state.reviewComments.filter((c) => c.repo === repo.fullName && c.pullNumber === pull.number)
      .length,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: facts.commits,
    additions: facts.additions,
    deletions: facts.deletions,
    changed_files: facts.changedFiles,
  };
}

export function reviewShape(ctx: ShapeContext, repo: RepoRecord, review: ReviewRecord): Json {
  const pullUrl = `${repoApiUrl(ctx, repo)}/pulls/${review.pullNumber}`;
  const html = `${repoWebUrl(ctx, repo)}/pull/${review.pullNumber}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: review.nodeId,
    user: userShape(ctx, review.user),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
    ...(review.submittedAt ? { submitted_at: review.submittedAt } : {}),
    commit_id: review.commitId,
    author_association: authorAssociation(ctx, repo, review.user),
  };
}

export function reviewCommentShape(ctx: ShapeContext, repo: RepoRecord, comment: ReviewCommentRecord): Json {
  const url = `${repoApiUrl(ctx, repo)}/pulls/comments/${comment.id}`;
  const pullUrl = `${repoApiUrl(ctx, repo)}/pulls/${comment.pullNumber}`;
  const html = `${repoWebUrl(ctx, repo)}/pull/${comment.pullNumber}#discussion_r${comment.id}`;
  return {
    url,
    pull_request_review_id: comment.reviewId,
    id: comment.id,
    node_id: comment.nodeId,
    diff_hunk: comment.diffHunk,
    path: comment.path,
    commit_id: comment.commitId,
    original_commit_id: comment.originalCommitId,
    ...(comment.inReplyToId !== null ? { in_reply_to_id: comment.inReplyToId } : {}),
    user: userShape(ctx, comment.user),
    body: comment.body,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(ctx, repo, comment.user),
    _links: { self: { href: url }, html: { href: html }, pull_request: { href: pullUrl } },
    start_line: comment.startLine,
    original_start_line: comment.startLine,
    start_side: comment.startLine === null ? null : comment.side,
    ...(comment.line !== null ? { line: comment.line, original_line: comment.line } : {}),
    side: comment.side,
    subject_type: comment.line === null ? "file" : "line",
    reactions: reactionRollup(
      `${url}/reactions`,
      ctx.state.reactions.filter(
        (r) => r.repo === repo.fullName && r.subject.kind === "review_comment" && r.subject.id === comment.id,
      ),
    ),
  };
}

/** `pullRequests`: the open PRs whose head is this commit (pull-request-minimal), found by the route. */
export function checkRunShape(
  ctx: ShapeContext,
  repo: RepoRecord,
  run: CheckRunRecord,
  pullRequests: Json[] = [],
): Json {
  const url = `${repoApiUrl(ctx, repo)}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: run.nodeId,
    external_id: run.externalId,
    url,
    html_url: `${repoWebUrl(ctx, repo)}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotationsCount,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 500_000 },
    app: appShape(ctx),
    pull_requests: pullRequests,
  };
}
