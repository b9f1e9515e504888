// Review threads of a pull request: what is still unresolved (GraphQL is the
// only API that knows), replies in a thread, resolving it, and draft → ready.
// Threads and their comments are read across every page GraphQL returns
// (at most 100 a page), so a long review loses nothing (ARCHITECTURE.md §3).
import { replyOnce } from "./comments.ts";
import type { Octokit, RepoRef } from "./octokit.ts";

export interface ThreadComment {
  id: number;
  author: string;
  body: string;
}

export interface ReviewThread {
  id: string;
  path: string;
  line: number | undefined;
  diffHunk: string;
  outdated: boolean;
  comments: ThreadComment[];
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

interface CommentNode {
  databaseId: number;
  body: string;
  diffHunk: string;
  line: number | null;
  originalLine: number | null;
  author: { login: string } | null;
}

interface CommentPage {
  nodes: CommentNode[];
  pageInfo: PageInfo;
}

interface ThreadNode {
  id: string;
  isResolved: boolean;
  isOutdated: boolean;
  path: string;
  line: number | null;
  comments: CommentPage;
}

interface ThreadsQuery {
  repository: { pullRequest: { reviewThreads: { nodes: ThreadNode[]; pageInfo: PageInfo } } | null };
}

interface ThreadCommentsQuery {
  node: { comments: CommentPage } | null;
}

const COMMENT_FIELDS =
  "nodes { databaseId body diffHunk line originalLine author { login } } pageInfo { hasNextPage endCursor }";

const THREADS_QUERY = `query($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes {
          id isResolved isOutdated path line
          comments(first: 100) { ${COMMENT_FIELDS} }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

const THREAD_COMMENTS_QUERY = `query($id: ID!, $after: String) {
  node(id: $id) { ... on PullRequestReviewThread { comments(first: 100, after: $after) { ${COMMENT_FIELDS} } } }
}`;

/** Pages of a connection, until GitHub says there are no more (a repeated cursor ends it too). */
async function allPages<T>(
  first: { nodes: T[]; pageInfo: PageInfo } | undefined,
  next: (after: string) => Promise<{ nodes: T[]; pageInfo: PageInfo } | undefined>,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let page = first;
  while (page) {
    out.push(...page.nodes);
    const cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage || cursor === null || seen.has(cursor)) break;
    seen.add(cursor);
    page = await next(cursor);
  }
  return out;
}

async function threadComments(octokit: Octokit, thread: ThreadNode): Promise<CommentNode[]> {
  return allPages(
    thread.comments,
    async (after) =>
      (await octokit.graphql<ThreadCommentsQuery>(THREAD_COMMENTS_QUERY, { id: thread.id, after })).node?.comments,
  );
}

export async function unresolvedThreads(octokit: Octokit, repo: RepoRef, number: number): Promise<ReviewThread[]> {
  const page = async (after: string | null) =>
    (await octokit.graphql<ThreadsQuery>(THREADS_QUERY, { ...repo, number, after })).repository.pullRequest
      ?.reviewThreads;
  const threads = await allPages(await page(null), page);
  const out: ReviewThread[] = [];
  for (const t of threads) {
    if (t.isResolved) continue;
    const comments = await threadComments(octokit, t);
    const first = comments[0];
    if (!first) continue;
    out.push({
      id: t.id,
      path: t.path,
      line: t.line ?? first.line ?? first.originalLine ?? undefined,
      diffHunk: first.diffHunk,
      outdated: t.isOutdated,
      comments: comments.map((c) => ({ id: c.databaseId, author: c.author?.login ?? "ghost", body: c.body })),
    });
  }
  return out;
}

/** Replies once, even when GitHub loses the answer (`marker`: what identifies the reply, default its whole text). */
export async function replyInThread(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
  commentId: number,
  body: string,
  options: { marker?: string; lookFirst?: boolean } = {},
): Promise<void> {
  await replyOnce(octokit, repo, pullNumber, commentId, body, options);
}

export async function resolveThread(octokit: Octokit, threadId: string): Promise<void> {
  await octokit.graphql(
    `mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }`,
    { id: threadId },
  );
}

export async function markReadyForReview(octokit: Octokit, pullNodeId: string): Promise<void> {
  await octokit.graphql(
    `mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id isDraft } } }`,
    { id: pullNodeId },
  );
}
