// The acknowledgement: 👀 on what triggered the job and the progress comment.
// It runs as soon as a job is enqueued (not when a worker slot frees up) and
// again, idempotently, as the job's first step, so it happens exactly once
// even across a crash: the comment id is stored with the job, and a comment
// posted just before a crash is found again by its hidden marker.
import pLimit from "p-limit";
import type { Logger } from "pino";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { findProgressComment, ProgressComment, type ProgressState } from "../github/progress-comment.ts";
import type { JobQueue, JobRecord } from "../shared/job.ts";
import type { Redactor } from "../security/redact.ts";

const inFlight = new Map<string, Promise<number>>();
// Acknowledgements wait their turn, a few at a time: under a burst, answering
// GitHub's deliveries comes first, and GitHub paces comment writes anyway.
const limit = pLimit(4);

export interface AckDeps {
  queue: JobQueue;
  redactor: Redactor;
  log: Logger;
  progressIntervalMs: number;
  model: string | undefined;
  /** Told the place in line the new comment shows. */
  onQueued?(jobId: string, position: number): void;
}

/** Post (or find) the job's progress comment; returns its id. Safe to call many times. */
export function acknowledge(job: JobRecord, octokit: Octokit, deps: AckDeps): Promise<number> {
  if (job.progressCommentId !== undefined) return Promise.resolve(job.progressCommentId);
  let p = inFlight.get(job.id);
  if (!p) {
    p = limit(() => doAcknowledge(job, octokit, deps)).finally(() => {
      // Keep the answer briefly: the worker's own call may come right after.
      setTimeout(() => inFlight.delete(job.id), 60_000).unref();
    });
    inFlight.set(job.id, p);
  }
  return p;
}

async function doAcknowledge(job: JobRecord, octokit: Octokit, deps: AckDeps): Promise<number> {
  const repo: RepoRef = { owner: job.target.owner, repo: job.target.repo };
  const stored = (await deps.queue.get(job.id))?.progressCommentId;
  if (stored !== undefined) return stored;
  const found = await findProgressComment(octokit, repo, job.target.number, job.id);
  if (found !== undefined) {
    await deps.queue.update(job.id, { progressCommentId: found });
    return found;
  }
  await react(octokit, repo, job).catch((err: unknown) => deps.log.warn({ err }, "could not add the 👀 reaction"));
  const position = await deps.queue.position(job.id);
  const progress = new ProgressComment({
    octokit,
    repo,
    issueNumber: job.target.number,
    redactor: deps.redactor,
    intervalMs: deps.progressIntervalMs,
    log: deps.log,
  });
  const state: ProgressState = {
    jobId: job.id,
    kind: job.kind,
    phase: "queued",
    ...(position !== undefined ? { queuePosition: position } : {}),
    ...(deps.model ? { model: deps.model } : {}),
  };
  const id = await progress.post(state);
  await deps.queue.update(job.id, { progressCommentId: id });
  if (position !== undefined) deps.onQueued?.(job.id, position);
  return id;
}

/**
 * A job cancelled before a worker took it never runs its own report: its
 * progress comment (posted first if its acknowledgement was still on the
 * way) is ended here with the reason, so it does not say "Queued" for ever.
 */
export async function reportCancelledBeforeStart(
  job: JobRecord,
  octokit: Octokit,
  deps: AckDeps,
  why: string,
): Promise<void> {
  const commentId = await acknowledge(job, octokit, deps);
  const repo: RepoRef = { owner: job.target.owner, repo: job.target.repo };
  const progress = new ProgressComment({
    octokit,
    repo,
    issueNumber: job.target.number,
    commentId,
    redactor: deps.redactor,
    intervalMs: 0,
    log: deps.log,
  });
  await progress.post({
    jobId: job.id,
    kind: job.kind,
    phase: "queued",
    final: { ok: false, headline: `Cancelled before it started: ${why}`, details: "Nothing was changed." },
    ...(deps.model ? { model: deps.model } : {}),
  });
}

export async function react(
  octokit: Octokit,
  repo: RepoRef,
  job: JobRecord,
  content: "eyes" | "rocket" | "confused" = "eyes",
): Promise<void> {
  const t = job.trigger;
  if (t.commentId !== undefined && t.commentKind === "issue_comment") {
    await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      ...repo,
      comment_id: t.commentId,
      content,
    });
  } else if (t.commentId !== undefined && t.commentKind === "review_comment") {
    await octokit.request("POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions", {
      ...repo,
      comment_id: t.commentId,
      content,
    });
  } else if (t.commentKind !== "review") {
    // A label (or anything without a comment): react on the issue itself.
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/reactions", {
      ...repo,
      issue_number: job.target.number,
      content,
    });
  }
}
