// Issue, label, comment and reaction shapes.
import type { IssueCommentRecord, IssueRecord, LabelRecord, ReactionRecord, RepoRecord } from "../state.ts";
import {
  type Json,
  type ShapeContext,
  authorAssociation,
  reactionRollup,
  repoApiUrl,
  repoWebUrl,
  userShape,
} from "./common.ts";

export function labelShape(ctx: ShapeContext, repo: RepoRecord, label: LabelRecord): Json {
  return {
    id: label.id,
    node_id: label.nodeId,
    url: `${repoApiUrl(ctx, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

/** The repository's label record, made on first use like GitHub does when a label is added to an issue. */
export function ensureLabel(ctx: ShapeContext, repo: RepoRecord, name: string): LabelRecord {
  const existing = ctx.state.labels.find(
    (l) => l.repo === repo.fullName && l.name.toLowerCase() === name.toLowerCase(),
  );
  if (existing) return existing;
  const id = ctx.state.id();
  const label: LabelRecord = { id, nodeId: `LA_${id}`, repo: repo.fullName, name, color: "ededed", description: null };
  ctx.state.labels.push(label);
  return label;
}

export function issueShape(ctx: ShapeContext, repo: RepoRecord, issue: IssueRecord): Json {
  const url = `${repoApiUrl(ctx, repo)}/issues/${issue.number}`;
  const kind = issue.isPullRequest ? "pull" : "issues";
  const shape: Json = {
    id: issue.id,
    node_id: issue.nodeId,
    url,
    repository_url: repoApiUrl(ctx, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    timeline_url: `${url}/timeline`,
    html_url: `${repoWebUrl(ctx, repo)}/${kind}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: userShape(ctx, issue.user),
    labels: issue.labels.map((name) => labelShape(ctx, repo, ensureLabel(ctx, repo, name))),
    assignee: issue.assignees[0] ? userShape(ctx, issue.assignees[0]) : null,
    assignees: issue.assignees.map((login) => userShape(ctx, login)),
    milestone: null,
    locked: issue.locked,
    active_lock_reason: null,
    comments: ctx.state.issueComments.filter((c) => c.repo === repo.fullName && c.issueNumber === issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: null,
    author_association: authorAssociation(ctx, repo, issue.user),
    reactions: reactionRollup(
      `${url}/reactions`,
      ctx.state.reactions.filter(
        (r) => r.repo === repo.fullName && r.subject.kind === "issue" && r.subject.number === issue.number,
      ),
    ),
  };
  if (issue.isPullRequest) {
    const pull = ctx.state.pull(repo.fullName, issue.number);
    shape["pull_request"] = {
      url: `${repoApiUrl(ctx, repo)}/pulls/${issue.number}`,
      html_url: `${repoWebUrl(ctx, repo)}/pull/${issue.number}`,
      diff_url: `${repoWebUrl(ctx, repo)}/pull/${issue.number}.diff`,
      patch_url: `${repoWebUrl(ctx, repo)}/pull/${issue.number}.patch`,
      merged_at: pull?.mergedAt ?? null,
    };
    shape["draft"] = pull?.draft ?? false;
  }
  return shape;
}

export function issueCommentShape(ctx: ShapeContext, repo: RepoRecord, comment: IssueCommentRecord): Json {
  const url = `${repoApiUrl(ctx, repo)}/issues/comments/${comment.id}`;
  const issue = ctx.state.issue(repo.fullName, comment.issueNumber);
  return {
    id: comment.id,
    node_id: comment.nodeId,
    url,
    body: comment.body,
    html_url: `${repoWebUrl(ctx, repo)}/${issue?.isPullRequest ? "pull" : "issues"}/${comment.issueNumber}#issuecomment-${comment.id}`,
    user: userShape(ctx, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${repoApiUrl(ctx, repo)}/issues/${comment.issueNumber}`,
    author_association: authorAssociation(ctx, repo, comment.user),
    performed_via_github_app: null,
    reactions: reactionRollup(
      `${url}/reactions`,
      ctx.state.reactions.filter(
        (r) => r.repo === repo.fullName && r.subject.kind === "issue_comment" && r.subject.id === comment.id,
      ),
    ),
  };
}

export function reactionShape(ctx: ShapeContext, reaction: ReactionRecord): Json {
  return {
    id: reaction.id,
    node_id: reaction.nodeId,
    user: userShape(ctx, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}
