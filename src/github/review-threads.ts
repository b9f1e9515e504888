// Review threads of a pull request: what is still unresolved (GraphQL is the
// only API that knows), replies in a thread, resolving it, and draft → ready.
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

interface ThreadsQuery {
  repository: {
    pullRequest: {
      id: string;
      reviewThreads: {
        nodes: Array<{
          id: string;
          isResolved: boolean;
          isOutdated: boolean;
          path: string;
          line: number | null;
          comments: { nodes: Array<{ databaseId: number; body: string; diffHunk: string; line: number | null; originalLine: number | null; author: { login: string } | null }> };
        }>;
      };
    } | null;
  };
}

const THREADS_QUERY = `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      id
      reviewThreads(first: 100) {
        nodes {
          id isResolved isOutdated path line
          comments(first: 30) { nodes { databaseId body diffHunk line originalLine author { login } } }
        }
      }
    }
  }
}`;

export async function unresolvedThreads(octokit: Octokit, repo: RepoRef, number: number): Promise<ReviewThread[]> {
  const data = await octokit.graphql<ThreadsQuery>(THREADS_QUERY, { ...repo, number });
  const nodes = data.repository.pullRequest?.reviewThreads.nodes ?? [];
  return nodes
    .filter((t) => !t.isResolved)
    .map((t) => {
      const first = t.comments.nodes[0];
      return {
        id: t.id,
        path: t.path,
        line: t.line ?? first?.line ?? first?.originalLine ?? undefined,
        diffHunk: first?.diffHunk ?? "",
        outdated: t.isOutdated,
        comments: t.comments.nodes.map((c) => ({ id: c.databaseId, author: c.author?.login ?? "ghost", body: c.body })),
      };
    })
    .filter((t) => t.comments.length > 0);
}

export async function replyInThread(octokit: Octokit, repo: RepoRef, pullNumber: number, commentId: number, body: string): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", { ...repo, pull_number: pullNumber, comment_id: commentId, body });
}

export async function resolveThread(octokit: Octokit, threadId: string): Promise<void> {
  await octokit.graphql(`mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }`, { id: threadId });
}

export async function markReadyForReview(octokit: Octokit, pullNodeId: string): Promise<void> {
  await octokit.graphql(`mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id isDraft } } }`, { id: pullNodeId });
}
