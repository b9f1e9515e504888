// A `reply` job posts one comment (help text, a polite refusal). It runs as a
// job so it is paced and retried like every other write to GitHub.
import type { JobOutcome, JobRecord } from "../jobs/types.ts";
import type { JobDeps } from "./deps.ts";

export async function runReplyJob(job: JobRecord, deps: JobDeps): Promise<JobOutcome> {
  const octokit = await deps.octokitFor(job.installationId);
  const body = deps.redactor.redact(job.reply ?? "");
  if (!body.trim()) return { status: "replied", summary: "nothing to say" };
  const repo = { owner: job.target.owner, repo: job.target.repo };
  if (job.trigger.commentKind === "review_comment" && job.trigger.commentId !== undefined && job.target.isPullRequest) {
    // Answer in the review thread where the command was written.
    await octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", {
      ...repo,
      pull_number: job.target.number,
      comment_id: job.trigger.commentId,
      body,
    });
  } else {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: job.target.number, body });
  }
  return { status: "replied", summary: body.split("\n")[0] ?? "" };
}
