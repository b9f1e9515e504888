// A job's row in the PostgreSQL store, read back: the whole job, or the few
// fields a scheduling decision needs. BIGINT columns arrive as strings.
import type { SchedEntry } from "../rules.ts";
import type { StoredJob } from "../store.ts";
import type { JobOutcome, JobState, NewJob } from "../../shared/job.ts";

export interface JobRow {
  seq: string;
  id: string;
  key: string;
  kind: string;
  installation_id: string;
  state: string;
  job: string;
  triggers: string;
  phase: string | null;
  attempts: number;
  crash_resumes: number;
  progress_comment_id: string | null;
  checkpoint: string | null;
  outcome: string | null;
  cancel_requested: boolean;
  cancel_reason: string | null;
  model: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  run_after: string;
  resume_next: boolean;
  lease_owner: string | null;
  lease_pid: number | null;
  lease_host: string | null;
  lease_expires_at: string | null;
}

export type SchedRow = Pick<
  JobRow,
  | "id"
  | "seq"
  | "key"
  | "installation_id"
  | "state"
  | "run_after"
  | "lease_expires_at"
  | "cancel_requested"
  | "resume_next"
>;

export const SCHED_COLUMNS =
  "id, seq, key, installation_id, state, run_after, lease_expires_at, cancel_requested, resume_next";

export function toSched(r: SchedRow): SchedEntry {
  return {
    id: r.id,
    seq: Number(r.seq),
    key: r.key,
    installationId: Number(r.installation_id),
    state: r.state as JobState,
    runAfter: Number(r.run_after),
    leaseExpiresAt: r.lease_expires_at == null ? undefined : Number(r.lease_expires_at),
    cancelRequested: r.cancel_requested,
  };
}

export function fromRow(r: JobRow): StoredJob {
  const job = JSON.parse(r.job) as NewJob;
  return {
    ...job,
    id: r.id,
    key: r.key,
    state: r.state as JobState,
    phase: (r.phase ?? undefined) as StoredJob["phase"],
    triggers: JSON.parse(r.triggers) as StoredJob["triggers"],
    attempts: r.attempts,
    crashResumes: r.crash_resumes,
    progressCommentId: r.progress_comment_id == null ? undefined : Number(r.progress_comment_id),
    checkpoint: r.checkpoint == null ? undefined : (JSON.parse(r.checkpoint) as StoredJob["checkpoint"]),
    outcome: r.outcome == null ? undefined : (JSON.parse(r.outcome) as JobOutcome),
    cancelRequested: r.cancel_requested,
    cancelReason: r.cancel_reason ?? undefined,
    model: r.model ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
    seq: Number(r.seq),
    runAfter: Number(r.run_after),
    resumeNext: r.resume_next,
    lease:
      r.lease_owner == null
        ? undefined
        : {
            owner: r.lease_owner,
            pid: Number(r.lease_pid),
            host: String(r.lease_host),
            expiresAt: Number(r.lease_expires_at),
          },
  };
}
