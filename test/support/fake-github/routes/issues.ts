// Issues (and PRs as issues), their comments, labels and reactions.
import { issueCommentShape, issueShape, labelShape, ensureLabel, reactionShape } from "../shapes/issues.ts";
import { nodeId, timestamp, type IssueCommentRecord, type ReactionContent, type ReactionRecord } from "../state.ts";
import type { RouteEnv, RouteRequest, RouteResult, RouteTable } from "./types.ts";
import { body, intParam, json, notFound, paginate, repoOf } from "./types.ts";

/** The login acting through an installation token: the app's bot user. */
export function actor(req: RouteRequest, env: RouteEnv): string {
  return req.caller.kind === "installation" ? `${env.ctx.app.slug}[bot]` : "ghost";
}

function issueOr404(req: RouteRequest, env: RouteEnv) {
  return env.ctx.state.issue(repoOf(req).fullName, intParam(req, "issue_number"));
}

function commentOr404(req: RouteRequest, env: RouteEnv): IssueCommentRecord | undefined {
  const repo = repoOf(req);
  return env.ctx.state.issueComments.find((c) => c.repo === repo.fullName && c.id === intParam(req, "comment_id"));
}

type LabelInput = string[] | { labels?: (string | { name: string })[] } | string;

function labelNames(input: LabelInput | undefined): string[] {
  if (input === undefined) return [];
  if (typeof input === "string") return [input];
  const list = Array.isArray(input) ? input : (input.labels ?? []);
  return list.map((l) => (typeof l === "string" ? l : l.name));
}

function react(req: RouteRequest, env: RouteEnv, subject: ReactionRecord["subject"]): RouteResult {
  const repo = repoOf(req);
  const user = actor(req, env);
  const content = body<{ content: ReactionContent }>(req).content;
  const { state } = env.ctx;
  const same = (r: ReactionRecord) =>
    r.repo === repo.fullName &&
    r.user === user &&
    r.content === content &&
    r.subject.kind === subject.kind &&
    ("number" in r.subject && "number" in subject
      ? r.subject.number === subject.number
      : "id" in r.subject && "id" in subject && r.subject.id === subject.id);
  const existing = state.reactions.find(same);
  // GitHub answers 200 with the reaction that already exists
  if (existing) return json(200, reactionShape(env.ctx, existing));
  const id = state.id();
  const reaction: ReactionRecord = {
    id,
    nodeId: nodeId("REA", id),
    repo: repo.fullName,
    subject,
    content,
    user,
    createdAt: timestamp(),
  };
  state.reactions.push(reaction);
  return json(201, reactionShape(env.ctx, reaction));
}

function listReactions(
  req: RouteRequest,
  env: RouteEnv,
  matches: (r: ReactionRecord) => boolean,
  url: string,
): Promise<RouteResult> {
  const content = req.query.get("content");
  const list = env.ctx.state.reactions.filter(
    (r) => r.repo === repoOf(req).fullName && matches(r) && (!content || r.content === content),
  );
  return paginate(req, list, url, (r) => reactionShape(env.ctx, r));
}

export const issueRoutes: RouteTable = {
  "issues/get": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      return issue ? json(200, issueShape(env.ctx, repoOf(req), issue)) : notFound();
    },
  },

  "issues/update": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      if (!issue) return notFound();
      const patch = body<{
        title?: string | number;
        body?: string | null;
        state?: "open" | "closed";
        state_reason?: "completed" | "not_planned" | "reopened" | null;
        labels?: LabelInput;
        assignees?: string[];
      }>(req);
      if (patch.title !== undefined) issue.title = String(patch.title);
      if (patch.body !== undefined) issue.body = patch.body;
      if (patch.labels !== undefined) issue.labels = labelNames(patch.labels);
      if (patch.assignees !== undefined) issue.assignees = patch.assignees;
      if (patch.state !== undefined && patch.state !== issue.state) {
        issue.state = patch.state;
        issue.closedAt = patch.state === "closed" ? timestamp() : null;
        issue.stateReason =
          patch.state === "closed" ? (patch.state_reason === "not_planned" ? "not_planned" : "completed") : "reopened";
      }
      issue.updatedAt = timestamp();
      return json(200, issueShape(env.ctx, repoOf(req), issue));
    },
  },

  "issues/list-comments": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      if (!issue) return notFound();
      const since = req.query.get("since");
      const list = env.ctx.state.issueComments.filter(
        (c) => c.repo === issue.repo && c.issueNumber === issue.number && (!since || c.updatedAt >= since),
      );
      return paginate(req, list, `${env.ctx.api}/repos/${issue.repo}/issues/${issue.number}/comments`, (c) =>
        issueCommentShape(env.ctx, repoOf(req), c),
      );
    },
  },

  "issues/create-comment": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      if (!issue) return notFound();
      const id = env.ctx.state.id();
      const now = timestamp();
      const comment: IssueCommentRecord = {
        id,
        nodeId: nodeId("IC", id),
        repo: issue.repo,
        issueNumber: issue.number,
        body: body<{ body: string }>(req).body,
        user: actor(req, env),
        createdAt: now,
        updatedAt: now,
      };
      env.ctx.state.issueComments.push(comment);
      issue.updatedAt = now;
      const shape = issueCommentShape(env.ctx, repoOf(req), comment);
      return json(201, shape, { location: String(shape["url"]) });
    },
  },

  "issues/get-comment": {
    auth: "installation",
    handle: (req, env) => {
      const comment = commentOr404(req, env);
      return comment ? json(200, issueCommentShape(env.ctx, repoOf(req), comment)) : notFound();
    },
  },

  "issues/update-comment": {
    auth: "installation",
    handle: (req, env) => {
      const comment = commentOr404(req, env);
      if (!comment) return notFound();
      comment.body = body<{ body: string }>(req).body;
      comment.updatedAt = timestamp();
      return json(200, issueCommentShape(env.ctx, repoOf(req), comment));
    },
  },

  "issues/delete-comment": {
    auth: "installation",
    handle: (req, env) => {
      const comment = commentOr404(req, env);
      if (!comment) return notFound();
      const list = env.ctx.state.issueComments;
      list.splice(list.indexOf(comment), 1);
      return { status: 204 };
    },
  },

  "issues/list-labels-on-issue": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      if (!issue) return notFound();
      const repo = repoOf(req);
      return paginate(
        req,
        issue.labels,
        `${env.ctx.api}/repos/${repo.fullName}/issues/${issue.number}/labels`,
        (name) => labelShape(env.ctx, repo, ensureLabel(env.ctx, repo, name)),
      );
    },
  },

  "issues/add-labels": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      if (!issue) return notFound();
      const repo = repoOf(req);
      for (const name of labelNames(req.body as LabelInput)) {
        const label = ensureLabel(env.ctx, repo, name);
        if (!issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) issue.labels.push(label.name);
      }
      issue.updatedAt = timestamp();
      return json(
        200,
        issue.labels.map((name) => labelShape(env.ctx, repo, ensureLabel(env.ctx, repo, name))),
      );
    },
  },

  "issues/remove-label": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      if (!issue) return notFound();
      const repo = repoOf(req);
      const name = (req.params["name"] ?? "").toLowerCase();
      const index = issue.labels.findIndex((l) => l.toLowerCase() === name);
      if (index < 0) return notFound("Label does not exist");
      issue.labels.splice(index, 1);
      issue.updatedAt = timestamp();
      return json(
        200,
        issue.labels.map((l) => labelShape(env.ctx, repo, ensureLabel(env.ctx, repo, l))),
      );
    },
  },

  "reactions/create-for-issue": {
    auth: "installation",
    handle: (req, env) => {
      const issue = issueOr404(req, env);
      return issue ? react(req, env, { kind: "issue", number: issue.number }) : notFound();
    },
  },

  "reactions/list-for-issue": {
    auth: "installation",
    handle: (req, env) => {
      const number = intParam(req, "issue_number");
      return listReactions(
        req,
        env,
        (r) => r.subject.kind === "issue" && r.subject.number === number,
        `${env.ctx.api}${req.path}`,
      );
    },
  },

  "reactions/create-for-issue-comment": {
    auth: "installation",
    handle: (req, env) => {
      const comment = commentOr404(req, env);
      return comment ? react(req, env, { kind: "issue_comment", id: comment.id }) : notFound();
    },
  },

  "reactions/list-for-issue-comment": {
    auth: "installation",
    handle: (req, env) => {
      const id = intParam(req, "comment_id");
      return listReactions(
        req,
        env,
        (r) => r.subject.kind === "issue_comment" && r.subject.id === id,
        `${env.ctx.api}${req.path}`,
      );
    },
  },

  "reactions/create-for-pull-request-review-comment": {
    auth: "installation",
    handle: (req, env) => {
      const repo = repoOf(req);
      const comment = env.ctx.state.reviewComments.find(
        (c) => c.repo === repo.fullName && c.id === intParam(req, "comment_id"),
      );
      return comment ? react(req, env, { kind: "review_comment", id: comment.id }) : notFound();
    },
  },
};
