// A revision answers every review thread it was asked to handle
// (ARCHITECTURE.md §1): in the thread itself, with the model's word for it
// or, failing that, what the commit shows; it resolves only the threads it
// changed code for (with `resolve_threads`). A resumed job skips the threads
// it already answered (the job's hidden marker says which).
import type { RepoConfig } from "../../config/repo-config.ts";
import { jobMarker } from "../../github/progress-comment.ts";
import { replyInThread, resolveThread } from "../../github/review-threads.ts";
import { firstLine } from "../job-end.ts";
import type { JobScope } from "../job-scope.ts";
import { threadAnswers, type ReviewFeedback } from "./review-feedback.ts";
import type { SolveResult } from "../solve.ts";

/** Posts one reply per thread; returns how many threads were answered (now or before a restart). */
export async function answerThreads(
  scope: Pick<JobScope, "octokit" | "repo" | "redactor" | "job" | "log">,
  config: RepoConfig,
  pullNumber: number,
  feedback: ReviewFeedback,
  result: Pick<SolveResult, "threads" | "summary">,
  changedPaths: ReadonlySet<string>,
  commit: { short: string; url: string } | undefined,
): Promise<{ answered: number; resolved: number }> {
  if (feedback.threads.length === 0) return { answered: 0, resolved: 0 };
  const { octokit, repo, redactor, job, log } = scope;
  const marker = jobMarker(job.id);
  const done = new Set(
    (
      await octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/comments", {
        ...repo,
        pull_number: pullNumber,
        per_page: 100,
      })
    )
      .filter((c) => c.body.includes(marker))
      .map((c) => c.in_reply_to_id),
  );
  const summaryLine = firstLine(result.summary) || undefined;
  let resolved = 0;
  for (const a of threadAnswers(feedback.threads, result.threads, changedPaths, commit, summaryLine)) {
    const first = a.thread.comments[0]!;
    if (done.has(first.id)) continue;
    await replyInThread(octokit, repo, pullNumber, first.id, redactor.redact(`${a.reply}\n\n${marker}`), {
      marker,
      lookFirst: false,
    });
    if (a.changedCode && config.resolve_threads) {
      await resolveThread(octokit, a.thread.id).then(
        () => resolved++,
        (err: unknown) => log.warn({ err }, "could not resolve a review thread"),
      );
    }
  }
  return { answered: feedback.threads.length, resolved };
}
