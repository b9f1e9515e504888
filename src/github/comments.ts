// Comments and thread replies posted exactly once (ARCHITECTURE.md §3): each
// carries a hidden marker (or is matched by its exact text), so a post whose
// answer was lost is found instead of posted twice.
import { createOnce, NO_BLIND_RETRY } from "./create-once.ts";
import type { Octokit, RepoRef } from "./octokit.ts";

/** The id of the issue/PR conversation comment holding `marker`, if any. */
export async function findCommentWith(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
): Promise<number | undefined> {
  const comments = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const id = comments.find((c) => c.body?.includes(marker))?.id;
  return id === undefined ? undefined : Number(id);
}

/**
 * Posts `body` (which must contain `marker`) on the conversation once; returns
 * the comment id. `lookFirst: false` when the caller has just looked itself.
 */
export async function postCommentOnce(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  body: string,
  marker: string,
  options: { lookFirst?: boolean } = {},
): Promise<number> {
  if (!body.includes(marker)) throw new Error("postCommentOnce: the body must carry its marker");
  let skip = options.lookFirst === false;
  return createOnce(
    "comment",
    async () => {
      if (!skip) return findCommentWith(octokit, repo, issueNumber, marker);
      skip = false;
      return undefined;
    },
    async () => {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...repo,
        issue_number: issueNumber,
        body,
        ...NO_BLIND_RETRY,
      });
      return Number(data.id);
    },
  );
}

/** A reply in the review thread of `commentId` whose text holds `marker` (or equals it), if any. */
export async function findReplyWith(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
  commentId: number,
  marker: string,
): Promise<number | undefined> {
  const comments = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", {
    ...repo,
    pull_number: pullNumber,
    per_page: 100,
  });
  const id = comments.find((c) => c.in_reply_to_id === commentId && c.body.includes(marker))?.id;
  return id === undefined ? undefined : Number(id);
}

/** Replies in the thread of `commentId` once; `marker` defaults to the whole body. `lookFirst: false` when the caller has just looked. */
export async function replyOnce(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
  commentId: number,
  body: string,
  options: { marker?: string; lookFirst?: boolean } = {},
): Promise<number> {
  const marker = options.marker ?? body;
  if (!body.includes(marker)) throw new Error("replyOnce: the body must carry its marker");
  let skip = options.lookFirst === false;
  return createOnce(
    "review reply",
    async () => {
      if (!skip) return findReplyWith(octokit, repo, pullNumber, commentId, marker);
      skip = false;
      return undefined;
    },
    async () => {
      const { data } = await octokit.request(
        "POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
        { ...repo, pull_number: pullNumber, comment_id: commentId, body, ...NO_BLIND_RETRY },
      );
      return Number(data.id);
    },
  );
}
