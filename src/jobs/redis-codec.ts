// How a job is laid out in its Redis hash: one field per attribute, so a
// running job's own updates (phase, checkpoint) and the queue's transitions
// (state, lease) never overwrite each other.
import type { StoredJob } from "./store.ts";
import type { JobOutcome, JobState, NewJob } from "../shared/job.ts";

export function toHash(job: StoredJob): Record<string, string> {
  const { kind, installationId, target, trigger, reply } = job;
  const h: Record<string, string> = {
    job: JSON.stringify({ kind, installationId, target, trigger, ...(reply !== undefined ? { reply } : {}) }),
    key: job.key,
    kind: job.kind,
    inst: String(job.installationId),
    seq: String(job.seq),
    state: job.state,
    triggers: JSON.stringify(job.triggers),
    attempts: String(job.attempts),
    cancel: job.cancelRequested ? "1" : "0",
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    runAfter: String(job.runAfter),
    resume: job.resumeNext ? "1" : "0",
  };
  if (job.phase) h.phase = job.phase;
  return h;
}

export function fromHash(id: string, h: Record<string, string>): StoredJob | undefined {
  if (!h.job || !h.state) return undefined;
  const job = JSON.parse(h.job) as NewJob;
  return {
    ...job,
    id,
    key: h.key ?? "",
    state: h.state as JobState,
    phase: h.phase as StoredJob["phase"],
    triggers: JSON.parse(h.triggers ?? "[]") as StoredJob["triggers"],
    attempts: Number(h.attempts ?? 0),
    progressCommentId: h.pcid ? Number(h.pcid) : undefined,
    checkpoint: h.checkpoint ? (JSON.parse(h.checkpoint) as StoredJob["checkpoint"]) : undefined,
    outcome: h.outcome ? (JSON.parse(h.outcome) as JobOutcome) : undefined,
    cancelRequested: h.cancel === "1",
    createdAt: h.createdAt ?? "",
    updatedAt: h.updatedAt ?? "",
    startedAt: h.startedAt,
    finishedAt: h.finishedAt,
    seq: Number(h.seq ?? 0),
    runAfter: Number(h.runAfter ?? 0),
    resumeNext: h.resume === "1",
    lease: h.leaseOwner
      ? { owner: h.leaseOwner, pid: Number(h.leasePid), host: h.leaseHost ?? "", expiresAt: Number(h.leaseExp ?? 0) }
      : undefined,
  };
}
