// `issuesmith jobs usage [--day | --month | --since <date>]`: spend and job
// counts by installation, by repository and by model, from the same store and with the
// same counting rule as the spend caps (ARCHITECTURE.md §3), so an operator
// sees what the caps see.
import { parseArgs } from "node:util";
import { capWindow, totals } from "../jobs/spend.ts";
import type { JobQueue, JobRecord } from "../shared/job.ts";

export const USAGE_HELP = "usage [--day | --month | --since <YYYY-MM-DD>]";

export async function printUsage(
  args: string[],
  queue: Pick<JobQueue, "list">,
  out: (line: string) => void,
  now = new Date(),
): Promise<string | undefined> {
  let values: { day?: boolean; month?: boolean; since?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { day: { type: "boolean" }, month: { type: "boolean" }, since: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return (error as Error).message.split("\n")[0];
  }
  if ([values.day, values.month, values.since !== undefined].filter(Boolean).length > 1)
    return "give one of --day, --month, --since";
  let since: Date;
  if (values.since !== undefined) {
    if (!/^\d{4}-\d\d-\d\d$/.test(values.since) || Number.isNaN(Date.parse(`${values.since}T00:00:00Z`)))
      return `--since takes a date such as 2026-12-01 (got ${JSON.stringify(values.since)})`;
    since = new Date(`${values.since}T00:00:00Z`);
  } else since = capWindow(values.day ? "day" : "month", now).start;

  const jobs = await queue.list({ since: since.toISOString() });
  out(`Jobs since ${since.toISOString().slice(0, 10)} (UTC); running and queued jobs count as not yet spent.`);
  table(
    "installation",
    group(jobs, (j) => String(j.installationId)),
    out,
  );
  table(
    "repository",
    group(jobs, (j) => `${j.target.owner}/${j.target.repo}`.toLowerCase()),
    out,
  );
  // A job that ended before its run chose a model (a config error, a cancel while queued) spent nothing on one.
  table(
    "model",
    group(jobs, (j) => j.model ?? "(none chosen)"),
    out,
  );
  return undefined;
}

function group(jobs: JobRecord[], by: (j: JobRecord) => string): Map<string, JobRecord[]> {
  const groups = new Map<string, JobRecord[]>();
  for (const j of jobs) groups.set(by(j), [...(groups.get(by(j)) ?? []), j]);
  return groups;
}

function table(title: string, groups: Map<string, JobRecord[]>, out: (line: string) => void): void {
  const rows = [...groups]
    .map(([name, jobs]) => ({ name, ...totals(jobs, 0) }))
    .sort((a, b) => b.usd - a.usd || a.name.localeCompare(b.name));
  const width = Math.max(title.length, ...rows.map((r) => r.name.length));
  out("");
  out(`${title.padEnd(width)}  ${"jobs".padStart(5)}  ${"cost".padStart(10)}`);
  for (const r of rows)
    out(`${r.name.padEnd(width)}  ${String(r.jobs).padStart(5)}  ${`$${r.usd.toFixed(2)}`.padStart(10)}`);
  if (rows.length === 0) out("(none)");
}
