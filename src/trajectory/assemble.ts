// A stored trajectory (records appended as the job ran, possibly by several
// workers across a resume) read back as one Trajectory: the export format of
// `issuesmith run --trajectory` and the input of the job page.
import type { JobRecord, Usage } from "../shared/job.ts";
import type { Trajectory, TrajectoryEntry } from "../run/trajectory.ts";

export function assembleTrajectory(jobId: string, records: string[], job?: JobRecord): Trajectory {
  const all: TrajectoryEntry[] = [];
  for (const record of records) {
    const entry = parseEntry(record);
    if (entry) all.push(entry);
  }
  let task: Trajectory["task"] | undefined;
  let diff: string | undefined;
  let outcome: Trajectory["outcome"];
  let outcomeAt: string | undefined;
  const entries: TrajectoryEntry[] = [];
  for (const e of all) {
    if (e.type === "task") task = { source: e.source, title: e.title, body: e.body };
    else if (e.type === "diff") diff = e.diff;
    else {
      if (e.type === "outcome") {
        outcome = { status: e.status, summary: e.summary };
        outcomeAt = e.at;
      }
      entries.push(e);
    }
  }
  // The job record has the last word on how the job ended (the report may be
  // written before a retry or a resume, the record only once).
  if (job?.outcome) outcome = { status: job.outcome.status, summary: job.outcome.summary };
  const model = entries.find((e) => e.type === "model")?.model ?? "";
  return {
    version: 1,
    jobId,
    task: task ?? taskOfJob(job),
    model,
    startedAt: job?.startedAt ?? job?.createdAt ?? all[0]?.at ?? "",
    finishedAt: job?.finishedAt ?? outcomeAt,
    entries,
    outcome,
    usage: job?.outcome?.usage ?? usageOf(entries),
    diff,
  };
}

/** What the job record alone says about the task, when no task record was kept. */
function taskOfJob(job: JobRecord | undefined): Trajectory["task"] {
  if (!job) return { source: "", title: "", body: "" };
  const source = `${job.target.owner}/${job.target.repo}#${job.target.number}`;
  const text = job.triggers
    .map((t) => t.text?.trim() ?? "")
    .filter(Boolean)
    .join("\n\n");
  return { source, title: `${job.kind} ${source}`, body: text };
}

/** Usage summed from the model calls (a job still running has no final figure yet). */
export function usageOf(entries: TrajectoryEntry[]): Usage | undefined {
  const models = entries.filter((e) => e.type === "model");
  if (models.length === 0) return undefined;
  const first = entries[0]?.at;
  const last = entries.at(-1)?.at;
  return {
    steps: Math.max(...models.map((m) => m.step)),
    inputTokens: models.reduce((n, m) => n + m.inputTokens, 0),
    outputTokens: models.reduce((n, m) => n + m.outputTokens, 0),
    costUsd: models.reduce((n, m) => n + m.costUsd, 0),
    wallMs: first && last ? Math.max(0, Date.parse(last) - Date.parse(first)) : 0,
  };
}

function parseEntry(record: string): TrajectoryEntry | undefined {
  try {
    const value: unknown = JSON.parse(record);
    if (value && typeof value === "object" && typeof (value as { type?: unknown }).type === "string")
      return value as TrajectoryEntry;
  } catch {
    // A record that cannot be read is left out rather than hiding the rest.
  }
  return undefined;
}
