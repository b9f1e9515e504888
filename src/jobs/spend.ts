// Spend caps beyond one job (ARCHITECTURE.md §3 "Env", AGENT_SPEND_CAPS):
// counted from the job store, per installation and per repository, per UTC
// day and month. A job that would pass a cap is refused before it is queued,
// with the numbers and when the cap resets. A job still running (or waiting)
// counts as its whole budget until it ends, so concurrent jobs cannot
// overshoot a cap between them.
import type { CapScope, CapWindow, SpendCaps } from "../config/spend-caps.ts";
import type { JobQueue, JobRecord } from "../shared/job.ts";

export interface SpendRequest {
  installationId: number;
  /** "owner/repo", any case. */
  repo: string;
  /** This job's own cost cap: what it may still spend. */
  budgetUsd: number;
}

export interface CapRefusal {
  scope: CapScope;
  window: CapWindow;
  /** What the cap counts. */
  measure: "usd" | "jobs";
  limit: number;
  used: number;
  resetsAt: Date;
  message: string;
}

export interface SpendTotals {
  usd: number;
  jobs: number;
}

/** The start of the UTC day or month that holds `now`, and the start of the next. */
export function capWindow(window: CapWindow, now: Date): { start: Date; end: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (window === "month") return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
  const d = now.getUTCDate();
  return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
}

/** What a job costs against a cap: its final spend once it ended, its whole budget while it may still spend. */
export function jobSpend(job: JobRecord, reserveUsd: number): number {
  if (job.outcome?.usage) return job.outcome.usage.costUsd;
  return job.state === "queued" || job.state === "running" ? reserveUsd : 0;
}

export function totals(jobs: JobRecord[], reserveUsd: number): SpendTotals {
  const counted = jobs.filter((j) => j.kind !== "reply");
  return { usd: counted.reduce((sum, j) => sum + jobSpend(j, reserveUsd), 0), jobs: counted.length };
}

function inScope(job: JobRecord, scope: CapScope, req: SpendRequest): boolean {
  if (job.installationId !== req.installationId) return false;
  return scope === "installation" || `${job.target.owner}/${job.target.repo}`.toLowerCase() === req.repo.toLowerCase();
}

/** The first cap this job would pass, or undefined when it fits under all of them. */
export async function checkSpendCaps(
  queue: Pick<JobQueue, "list">,
  caps: SpendCaps,
  req: SpendRequest,
  now = new Date(),
): Promise<CapRefusal | undefined> {
  const windows = (["month", "day"] as const).filter((w) => caps.installation?.[w] || caps.repository?.[w]);
  if (windows.length === 0) return undefined;
  // One read covers both windows: the month's start is never after the day's.
  const since = capWindow(windows[0]!, now).start;
  const recent = await queue.list({ since: since.toISOString() });
  for (const window of windows) {
    const { start, end } = capWindow(window, now);
    const inWindow = recent.filter((j) => Date.parse(j.createdAt) >= start.getTime());
    for (const scope of ["installation", "repository"] as const) {
      const limit = caps[scope]?.[window];
      if (!limit) continue;
      const used = totals(
        inWindow.filter((j) => inScope(j, scope, req)),
        req.budgetUsd,
      );
      if (limit.jobs !== undefined && used.jobs + 1 > limit.jobs)
        return refusal(scope, window, "jobs", limit.jobs, used.jobs, end, req);
      if (limit.usd !== undefined && used.usd + req.budgetUsd > limit.usd)
        return refusal(scope, window, "usd", limit.usd, used.usd, end, req);
    }
  }
  return undefined;
}

function refusal(
  scope: CapScope,
  window: CapWindow,
  measure: "usd" | "jobs",
  limit: number,
  used: number,
  resetsAt: Date,
  req: SpendRequest,
): CapRefusal {
  const who = scope === "installation" ? "this installation" : `the repository ${req.repo}`;
  const per = window === "day" ? "today (UTC)" : "this month (UTC)";
  const numbers =
    measure === "jobs"
      ? `${used} of ${limit} jobs were already started ${per}`
      : `$${used.toFixed(2)} of the $${limit.toFixed(2)} cap is spent or reserved ${per}, and this job may spend up to $${req.budgetUsd.toFixed(2)}`;
  return {
    scope,
    window,
    measure,
    limit,
    used,
    resetsAt,
    message: `Not started: the operator's ${window === "day" ? "daily" : "monthly"} ${measure === "jobs" ? "job" : "spend"} cap for ${who} would be passed — ${numbers}. The cap resets at ${resetsAt.toISOString().replace(".000Z", "Z")}.`,
  };
}
