// A job's row in the SQLite store, read back: the whole job, or the few
// fields a scheduling decision needs.
import type { SQLInputValue } from "node:sqlite";
import type { SchedEntry } from "../rules.ts";
import type { StoredJob } from "../store.ts";
import type { JobOutcome, JobState, NewJob } from "../../shared/job.ts";

export type Row = Record<string, SQLInputValue>;

export function toSched(r: Row): SchedEntry {
  return {
    id: String(r.id),
    seq: Number(r.seq),
    key: String(r.key),
    installationId: Number(r.installation_id),
    state: r.state as JobState,
    runAfter: Number(r.run_after),
    leaseExpiresAt: r.lease_expires_at == null ? undefined : Number(r.lease_expires_at),
    cancelRequested: r.cancel_requested === 1,
  };
}

export function fromRow(r: Row): StoredJob {
  const job = JSON.parse(String(r.job)) as NewJob;
  const str = (v: SQLInputValue | undefined) => (v == null ? undefined : String(v));
  return {
    ...job,
    id: String(r.id),
    key: String(r.key),
    state: r.state as JobState,
    phase: str(r.phase) as StoredJob["phase"],
    triggers: JSON.parse(String(r.triggers)) as StoredJob["triggers"],
    attempts: Number(r.attempts),
    crashResumes: Number(r.crash_resumes ?? 0),
    progressCommentId: r.progress_comment_id == null ? undefined : Number(r.progress_comment_id),
    checkpoint: r.checkpoint == null ? undefined : (JSON.parse(String(r.checkpoint)) as StoredJob["checkpoint"]),
    outcome: r.outcome == null ? undefined : (JSON.parse(String(r.outcome)) as JobOutcome),
    cancelRequested: r.cancel_requested === 1,
    cancelReason: str(r.cancel_reason),
    model: str(r.model),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    startedAt: str(r.started_at),
    finishedAt: str(r.finished_at),
    seq: Number(r.seq),
    runAfter: Number(r.run_after),
    resumeNext: r.resume_next === 1,
    lease:
      r.lease_owner == null
        ? undefined
        : {
            owner: String(r.lease_owner),
            pid: Number(r.lease_pid),
            host: String(r.lease_host),
            expiresAt: Number(r.lease_expires_at),
          },
  };
}
