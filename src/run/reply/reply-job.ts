// A `reply` job posts one comment (help text, a polite refusal). It runs as a
// job so it is paced and retried like every other write to GitHub; a hidden
// marker lets a retried reply find the comment it already posted.
import { postCommentOnce, replyOnce } from "../../github/comments.ts";
import type { JobOutcome, JobRecord } from "../../shared/job.ts";
import type { JobDeps } from "../deps.ts";

export function replyMarker(jobId: string): string {
  return `<!-- issuesmith:reply:${jobId} -->`;
}

export async function runReplyJob(job: JobRecord, deps: JobDeps): Promise<JobOutcome> {
  const octokit = await deps.octokitFor(job.installationId);
  const text = deps.redactor.redact(job.reply ?? "");
  if (!text.trim()) return { status: "replied", summary: "nothing to say" };
  const marker = replyMarker(job.id);
  const body = `${text}\n\n${marker}`;
  const repo = { owner: job.target.owner, repo: job.target.repo };
  const summary = text.split("\n")[0] ?? "";
  if (job.trigger.commentKind === "review_comment" && job.trigger.commentId !== undefined && job.target.isPullRequest) {
    // Answer in the review thread where the command was written.
    const existing = await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", {
      ...repo,
      pull_number: job.target.number,
      per_page: 100,
    });
    if (existing.some((c) => c.body.includes(marker))) return { status: "replied", summary };
    await replyOnce(octokit, repo, job.target.number, job.trigger.commentId, body, { marker, lookFirst: false });
  } else {
    const existing = await octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...repo,
      issue_number: job.target.number,
      per_page: 100,
    });
    if (existing.some((c) => c.body?.includes(marker))) return { status: "replied", summary };
    await postCommentOnce(octokit, repo, job.target.number, body, marker, { lookFirst: false });
  }
  return { status: "replied", summary };
}
