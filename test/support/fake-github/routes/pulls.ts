// Pull requests: list/create/get/update, files, commits, reviews and
// review comments (threads, replies).
import { commitsBetween } from "../git-repo.ts";
import { createPull } from "../pull-create.ts";
import { hunkFor, pullFiles } from "../pull-git.ts";
import { repoApiUrl } from "../shapes/common.ts";
import { commitShape, diffEntryShape } from "../shapes/repo.ts";
import { pullShape, pullSimpleShape, reviewCommentShape, reviewShape } from "../shapes/pulls.ts";
import { nodeId, timestamp, type PullRecord, type ReviewCommentRecord, type ReviewRecord } from "../state.ts";
import { actor } from "./issues.ts";
import type { RouteEnv, RouteRequest, RouteTable } from "./types.ts";
import { body, intParam, json, notFound, paginate, repoOf, unprocessable } from "./types.ts";

function pullOf(req: RouteRequest, env: RouteEnv): PullRecord | undefined {
  return env.ctx.state.pull(repoOf(req).fullName, intParam(req, "pull_number"));
}

async function fullPull(env: RouteEnv, pull: PullRecord) {
  const repo = env.ctx.state.repo(pull.repo);
  const issue = env.ctx.state.issue(pull.repo, pull.number);
  if (!repo || !issue) throw new Error(`pull ${pull.repo}#${pull.number} lost its issue`);
  const { facts } = await pullFiles(env.ctx.state, pull);
  return pullShape(env.ctx, repo, pull, issue, facts);
}

/** A review comment, opening a thread unless it replies to one, and the COMMENTED review GitHub wraps it in. */
export function addReviewComment(
  env: RouteEnv,
  pull: PullRecord,
  input: {
    user: string;
    body: string;
    path: string;
    line: number | null;
    startLine?: number | null;
    side: "LEFT" | "RIGHT";
    diffHunk: string;
    commitId: string;
    inReplyTo?: ReviewCommentRecord;
    reviewId?: number;
  },
): ReviewCommentRecord {
  const { state } = env.ctx;
  const now = timestamp();
  let reviewId = input.reviewId;
  if (reviewId === undefined) {
    const review: ReviewRecord = {
      id: state.id(),
      nodeId: "",
      repo: pull.repo,
      pullNumber: pull.number,
      user: input.user,
      body: "",
      state: "COMMENTED",
      commitId: input.commitId,
      submittedAt: now,
    };
    review.nodeId = nodeId("PRR", review.id);
    state.reviews.push(review);
    reviewId = review.id;
  }
  const id = state.id();
  const root = input.inReplyTo;
  const threadId = root?.threadId ?? nodeId("PRRT", state.id());
  const comment: ReviewCommentRecord = {
    id,
    nodeId: nodeId("PRRC", id),
    repo: pull.repo,
    pullNumber: pull.number,
    reviewId,
    threadId,
    user: input.user,
    body: input.body,
    path: root?.path ?? input.path,
    line: root ? root.line : input.line,
    startLine: root ? root.startLine : (input.startLine ?? null),
    side: root?.side ?? input.side,
    diffHunk: root?.diffHunk ?? input.diffHunk,
    commitId: input.commitId,
    originalCommitId: root?.originalCommitId ?? input.commitId,
    inReplyToId: root?.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  state.reviewComments.push(comment);
  const thread = state.reviewThreads.find((t) => t.id === threadId);
  if (thread) thread.commentIds.push(id);
  else
    state.reviewThreads.push({
      id: threadId,
      repo: pull.repo,
      pullNumber: pull.number,
      path: comment.path,
      line: comment.line,
      resolved: false,
      resolvedBy: null,
      commentIds: [id],
    });
  return comment;
}

export const pullRoutes: RouteTable = {
  "pulls/list": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const { state } = env.ctx;
      const wantState = req.query.get("state") ?? "open";
      const head = req.query.get("head");
      const base = req.query.get("base");
      const sort = req.query.get("sort") ?? "created";
      const direction = req.query.get("direction") ?? (sort === "created" ? "desc" : "asc");
      const list = state.pulls.filter((p) => {
        const issue = state.issue(p.repo, p.number);
        if (p.repo !== repo.fullName || !issue) return false;
        if (wantState !== "all" && issue.state !== wantState) return false;
        if (base && p.baseRef !== base) return false;
        if (head) {
          const [owner, ref] = head.includes(":") ? head.split(":", 2) : [undefined, head];
          if (ref !== undefined && ref !== "" && p.headRef !== ref) return false;
          if (owner && state.repo(p.headRepo)?.owner.toLowerCase() !== owner.toLowerCase()) return false;
        }
        return true;
      });
      const key = (p: PullRecord) => {
        const issue = state.issue(p.repo, p.number);
        return sort === "updated"
          ? (issue?.updatedAt ?? "")
          : (issue?.createdAt ?? "") + String(p.number).padStart(8, "0");
      };
      list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (direction === "desc" ? -1 : 1));
      return paginate(req, list, `${repoApiUrl(env.ctx, repo)}/pulls`, async (p) => {
        const issue = state.issue(p.repo, p.number);
        if (!issue) throw new Error("pull without issue");
        return pullSimpleShape(env.ctx, repo, p, issue, (await pullFiles(state, p)).facts);
      });
    },
  },

  "pulls/create": {
    auth: "installation",
    handle: async (req, env) => {
      const repo = repoOf(req);
      const input = body<{
        title?: string;
        body?: string;
        head: string;
        head_repo?: string;
        base: string;
        draft?: boolean;
        maintainer_can_modify?: boolean;
        issue?: number;
      }>(req);
      if (input.title === undefined)
        return unprocessable([{ resource: "PullRequest", code: "missing_field", field: "title" }]);
      const made = await createPull(env.ctx.state, repo, {
        title: input.title,
        body: input.body ?? null,
        user: actor(req, env),
        head: input.head,
        ...(input.head_repo ? { headRepoName: input.head_repo } : {}),
        base: input.base,
        draft: input.draft ?? false,
        maintainerCanModify: input.maintainer_can_modify ?? true,
      });
      if ("refused" in made) return unprocessable([{ resource: "PullRequest", ...made.refused }]);
      const shape = await fullPull(env, made.pull);
      return json(201, shape, { location: String(shape["url"]) });
    },
  },

  "pulls/get": {
    auth: "installation",
    handle: async (req, env) => {
      const pull = pullOf(req, env);
      return pull ? json(200, await fullPull(env, pull)) : notFound();
    },
  },

  "pulls/update": {
    auth: "installation",
    handle: async (req, env) => {
      const pull = pullOf(req, env);
      const issue = pull && env.ctx.state.issue(pull.repo, pull.number);
      if (!pull || !issue) return notFound();
      const patch = body<{
        title?: string;
        body?: string;
        state?: "open" | "closed";
        base?: string;
        maintainer_can_modify?: boolean;
      }>(req);
      if (patch.title !== undefined) issue.title = patch.title;
      if (patch.body !== undefined) issue.body = patch.body;
      if (patch.base !== undefined) pull.baseRef = patch.base;
      if (patch.maintainer_can_modify !== undefined) pull.maintainerCanModify = patch.maintainer_can_modify;
      if (patch.state !== undefined && patch.state !== issue.state) {
        issue.state = patch.state;
        issue.closedAt = patch.state === "closed" ? timestamp() : null;
      }
      issue.updatedAt = timestamp();
      return json(200, await fullPull(env, pull));
    },
  },

  "pulls/list-files": {
    auth: "installation",
    handle: async (req, env) => {
      const pull = pullOf(req, env);
      if (!pull) return notFound();
      const repo = repoOf(req);
      const { files, facts } = await pullFiles(env.ctx.state, pull);
      return paginate(req, files, `${repoApiUrl(env.ctx, repo)}/pulls/${pull.number}/files`, (f) =>
        diffEntryShape(env.ctx, repo, facts.headSha, f),
      );
    },
  },

  "pulls/list-commits": {
    auth: "installation",
    handle: async (req, env) => {
      const pull = pullOf(req, env);
      if (!pull) return notFound();
      const repo = repoOf(req);
      const { facts } = await pullFiles(env.ctx.state, pull);
      const commits = await commitsBetween(repo.gitDir, facts.baseSha, facts.headSha);
      return paginate(req, commits, `${repoApiUrl(env.ctx, repo)}/pulls/${pull.number}/commits`, (c) =>
        commitShape(env.ctx, repo, c),
      );
    },
  },

  "pulls/list-reviews": {
    auth: "installation",
    handle: (req, env) => {
      const pull = pullOf(req, env);
      if (!pull) return notFound();
      const repo = repoOf(req);
      const reviews = env.ctx.state.reviews.filter(
        (r) => r.repo === repo.fullName && r.pullNumber === pull.number && r.state !== "PENDING",
      );
      return paginate(req, reviews, `${repoApiUrl(env.ctx, repo)}/pulls/${pull.number}/reviews`, (r) =>
        reviewShape(env.ctx, repo, r),
      );
    },
  },

  "pulls/list-review-comments": {
    auth: "installation",
    handle: (req, env) => {
      const pull = pullOf(req, env);
      if (!pull) return notFound();
      const repo = repoOf(req);
      const since = req.query.get("since");
      const list = env.ctx.state.reviewComments.filter(
        (c) => c.repo === repo.fullName && c.pullNumber === pull.number && (!since || c.updatedAt >= since),
      );
      if (req.query.get("direction") === "desc") list.reverse();
      return paginate(req, list, `${repoApiUrl(env.ctx, repo)}/pulls/${pull.number}/comments`, (c) =>
        reviewCommentShape(env.ctx, repo, c),
      );
    },
  },

  "pulls/get-review-comment": {
    auth: "installation",
    handle: (req, env) => {
      const repo = repoOf(req);
      const comment = env.ctx.state.reviewComments.find(
        (c) => c.repo === repo.fullName && c.id === intParam(req, "comment_id"),
      );
      return comment ? json(200, reviewCommentShape(env.ctx, repo, comment)) : notFound();
    },
  },

  "pulls/create-review-comment": {
    auth: "installation",
    handle: async (req, env) => {
      const pull = pullOf(req, env);
      if (!pull) return notFound();
      const repo = repoOf(req);
      const input = body<{
        body: string;
        commit_id?: string;
        path?: string;
        line?: number;
        start_line?: number;
        side?: "LEFT" | "RIGHT";
        in_reply_to?: number;
        subject_type?: "line" | "file";
      }>(req);
      const root =
        input.in_reply_to === undefined
          ? undefined
          : env.ctx.state.reviewComments.find((c) => c.id === input.in_reply_to && c.pullNumber === pull.number);
      if (input.in_reply_to !== undefined && !root) return notFound();
      const { files, facts } = await pullFiles(env.ctx.state, pull);
      const path = root?.path ?? input.path;
      if (!path) return unprocessable([{ resource: "PullRequestReviewComment", code: "missing_field", field: "path" }]);
      const file = files.find((f) => f.filename === path);
      const side = input.side ?? "RIGHT";
      const line = input.subject_type === "file" ? null : (input.line ?? null);
      if (!root && !file)
        return unprocessable([
          {
            resource: "PullRequestReviewComment",
            code: "invalid",
            field: "path",
            message: "path could not be resolved",
          },
        ]);
      const comment = addReviewComment(env, pull, {
        user: actor(req, env),
        body: input.body,
        path,
        line,
        startLine: input.start_line ?? null,
        side,
        diffHunk: hunkFor(file?.patch, line, side),
        commitId: input.commit_id ?? facts.headSha,
        ...(root ? { inReplyTo: threadRoot(env, root) } : {}),
      });
      return json(201, reviewCommentShape(env.ctx, repo, comment));
    },
  },

  "pulls/create-reply-for-review-comment": {
    auth: "installation",
    handle: async (req, env) => {
      const pull = pullOf(req, env);
      if (!pull) return notFound();
      const repo = repoOf(req);
      const target = env.ctx.state.reviewComments.find(
        (c) => c.repo === repo.fullName && c.pullNumber === pull.number && c.id === intParam(req, "comment_id"),
      );
      if (!target) return notFound();
      const { facts } = await pullFiles(env.ctx.state, pull);
      const comment = addReviewComment(env, pull, {
        user: actor(req, env),
        body: body<{ body: string }>(req).body,
        path: target.path,
        line: target.line,
        side: target.side,
        diffHunk: target.diffHunk,
        commitId: facts.headSha,
        inReplyTo: threadRoot(env, target),
      });
      return json(201, reviewCommentShape(env.ctx, repo, comment));
    },
  },
};

/** GitHub threads every reply under the thread's first comment. */
function threadRoot(env: RouteEnv, comment: ReviewCommentRecord): ReviewCommentRecord {
  const thread = env.ctx.state.reviewThreads.find((t) => t.id === comment.threadId);
  const rootId = thread?.commentIds[0];
  return env.ctx.state.reviewComments.find((c) => c.id === rootId) ?? comment;
}
