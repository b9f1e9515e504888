// What the worker loop is tuned with, and the logger it writes to: shared by
// the worker, the queue that starts it and the backends that log.
import type { RetryPolicy } from "./rules.ts";

/** The slice of pino the queue uses (Probot's logger fits). */
export interface QueueLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WorkerTuning {
  /** How long a lease lasts without a heartbeat: a dead worker's job is taken over after this. */
  leaseMs: number;
  /** How often leases are renewed and cancels looked for (cancel latency across processes). */
  heartbeatMs: number;
  /** How often to look for work when nothing in this process said there is some. */
  pollMs: number;
  retry: RetryPolicy;
  /** Takeovers after a dead worker a job may have; past it the job ends `interrupted` (AGENT_MAX_RESUMES). */
  maxResumes: number;
}

/** After the grace and the abort, how long running jobs get to record where they are. */
export const SETTLE_AFTER_ABORT_MS = 3_000;

export const DEFAULT_TUNING: WorkerTuning = {
  leaseMs: 30_000,
  heartbeatMs: 1_000,
  pollMs: 500,
  retry: { maxAttempts: 3, baseMs: 5_000 },
  maxResumes: 3,
};
