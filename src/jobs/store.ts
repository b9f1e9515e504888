// The storage seam under the shared worker. Each backend (memory/, sqlite/,
// postgres/) implements these atomic steps; the decisions inside them come from
// rules.ts, and everything above them (worker loop, cancel wake-ups, retries)
// is written once in worker.ts and store-queue.ts.
import type { EnqueueResult, JobOutcome, JobPatch, JobQueue, JobRecord, JobState, NewJob } from "../shared/job.ts";

/** The lease a worker holds on a running job; heart-beaten, and reclaimable once expired. */
export interface Lease {
  owner: string;
  pid: number;
  host: string;
  expiresAt: number;
}

/** A job as stored: the public record plus what scheduling needs. */
export interface StoredJob extends JobRecord {
  /** Arrival order; FIFO is by seq. */
  seq: number;
  /** Epoch ms before which a queued job is not claimed (retry backoff). */
  runAfter: number;
  /** Handed back at shutdown: the next claim is a resume. */
  resumeNext: boolean;
  lease: Lease | undefined;
}

/** Who is claiming: one per worker. */
export interface LeaseOwner {
  id: string;
  pid: number;
  host: string;
}

export interface Claimed {
  job: JobRecord;
  /** The job was running under a worker that died, or was handed back at shutdown. */
  resumed: boolean;
}

export type TerminalState = Exclude<JobState, "queued" | "running">;

export interface ListFilter {
  states?: JobState[];
  key?: string;
  /** ISO time: only jobs created at or after it. */
  since?: string;
  limit?: number;
}

export interface HeartbeatResult {
  /** Held jobs someone asked to cancel. */
  cancelRequested: string[];
  /** Jobs this owner no longer holds (lease expired and taken, or ended elsewhere). */
  lost: string[];
}

/**
 * A job's trajectory, kept beside it in the same backend, so a page served by
 * one process shows a job a worker on another machine ran. Records are opaque
 * JSON text to the store, appended in order, a batch at a time (one write per
 * agent step, not per event); they live as long as the job record.
 */
export interface TrajectoryLog {
  appendTrajectory(jobId: string, records: string[]): Promise<void>;
  /** Every record of the job, oldest first; empty when there are none. */
  readTrajectory(jobId: string): Promise<string[]>;
}

export interface JobStore extends TrajectoryLog {
  readonly backend: JobQueue["backend"];
  enqueue(job: NewJob): Promise<EnqueueResult>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first. */
  list(filter: ListFilter): Promise<JobRecord[]>;
  update(id: string, patch: JobPatch): Promise<void>;
  /** As JobQueue.cancel; `reason` is kept on each job it hits (a reason given earlier stays). */
  cancel(selector: { id: string } | { key: string }, reason: string): Promise<JobRecord[]>;
  position(id: string): Promise<number | undefined>;
  counts(): Promise<Record<JobState, number>>;
  /** Atomically take the next runnable job (FIFO, key free, installation under its limit) and lease it. */
  claim(owner: LeaseOwner, perInstallation: number, leaseMs: number): Promise<Claimed | undefined>;
  /** Extend the leases this owner holds on `ids`. */
  heartbeat(owner: LeaseOwner, ids: string[], leaseMs: number): Promise<HeartbeatResult>;
  /** End a held job; undefined (and nothing written) when the owner no longer holds it. */
  finish(id: string, owner: LeaseOwner, state: TerminalState, outcome: JobOutcome): Promise<JobRecord | undefined>;
  /** Put a held job back in the queue (keeping its place and attempt count). */
  release(id: string, owner: LeaseOwner, opts: { runAfter: number; resume: boolean }): Promise<void>;
  /**
   * Expire at once the leases of jobs run by a process of this host that is
   * gone, so a restarted worker resumes them without waiting for the lease.
   * Only for stores that live on one host (sqlite): across machines pid
   * namespaces make a pid check unsafe, and the lease alone decides.
   */
  reapDead?(host: string, isAlive: (pid: number) => boolean): Promise<number>;
  /**
   * Stores shared by several processes (postgres) call onWork when another
   * process may have made a job runnable, so idle workers claim at once
   * rather than at their next poll. Returns the unsubscribe.
   */
  subscribe?(onWork: () => void): () => void;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function publicRecord(job: StoredJob): JobRecord {
  const { seq: _seq, runAfter: _runAfter, resumeNext: _resumeNext, lease: _lease, ...record } = job;
  return record;
}

export function emptyCounts(): Record<JobState, number> {
  return { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0 };
}
