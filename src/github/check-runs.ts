// The app's check run on a commit (ARCHITECTURE.md §1 "Checks"): one named
// "issuesmith" per job and commit, its external_id the job id, so a retried
// job or a create whose answer was lost finds the run it made instead of
// making a second one (create-once.ts).
import { createOnce, NO_BLIND_RETRY } from "./create-once.ts";
import type { Octokit, RepoRef } from "./octokit.ts";

export const CHECK_NAME = "issuesmith";

/** The conclusions the app gives its runs: passed, failed, or neither (stopped, untested, superseded). */
export type CheckConclusion = "success" | "failure" | "neutral";

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

export interface CheckRunRef {
  id: number;
  status: string;
}

/** This job's run on `sha`, looked for among the app-named runs of that commit (every page). */
export async function findCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  sha: string,
  externalId: string,
): Promise<CheckRunRef | undefined> {
  const pages = octokit.paginate.iterator("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...repo,
    ref: sha,
    check_name: CHECK_NAME,
    filter: "all",
    per_page: 100,
  });
  for await (const page of pages) {
    const run = page.data.find((r) => r.external_id === externalId && r.head_sha === sha);
    if (run) return { id: run.id, status: run.status };
  }
  return undefined;
}

/**
 * The job's run on `sha`, in progress: found when an earlier try made it,
 * made otherwise. Few and short tries (the job waits on them); a failure is
 * the caller's to log, never the job's end.
 */
export async function startCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  run: { sha: string; externalId: string; detailsUrl: string | undefined; output: CheckOutput },
): Promise<CheckRunRef> {
  return createOnce(
    "check run",
    () => findCheckRun(octokit, repo, run.sha, run.externalId),
    async () => {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
        ...repo,
        name: CHECK_NAME,
        head_sha: run.sha,
        external_id: run.externalId,
        status: "in_progress",
        started_at: githubTime(),
        output: run.output,
        ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
        ...NO_BLIND_RETRY,
      });
      return { id: Number(data.id), status: data.status };
    },
    { attempts: 2, backoffMs: 500 },
  );
}

/** Ends a run with its conclusion and output (sent again as a whole, so a retry is harmless). */
export async function completeCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  id: number,
  end: { conclusion: CheckConclusion; output: CheckOutput; detailsUrl: string | undefined },
): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    ...repo,
    check_run_id: id,
    status: "completed",
    conclusion: end.conclusion,
    completed_at: githubTime(),
    output: end.output,
    ...(end.detailsUrl ? { details_url: end.detailsUrl } : {}),
  });
}

/** ISO 8601 to the second, as the Checks API documents its times. */
function githubTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
