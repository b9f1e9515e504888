// The queue's decisions as pure functions, shared by every backend so that
// memory, sqlite and postgres cannot drift apart: which job runs next, what a
// new trigger coalesces into, and what a handler's result does to its job.
import { randomBytes } from "node:crypto";
import { Cancelled, Transient, errorMessage } from "../errors.ts";
import type { Lease, StoredJob, TerminalState } from "./store.ts";
import { jobKey } from "../shared/job.ts";
import type { JobKind, JobOutcome, JobState, NewJob, OutcomeStatus } from "../shared/job.ts";

/** GitHub redelivers for days (manual redelivery from the app settings too): remember deliveries a week. */
export const DELIVERY_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Sortable by creation (`issuesmith jobs show mivd3k2a-4f0c9a1b2e3d`). Time-ordered, with 48 random bits: a burst of deliveries in one millisecond
 * (hundreds, when a label is put on many issues at once) must not draw the
 * same id twice — with 16 bits, 34 jobs in a millisecond collided about once
 * in a hundred bursts and one job overwrote another.
 */
export function newJobId(now = Date.now()): string {
  return `${now.toString(36)}-${randomBytes(6).toString("hex")}`;
}

export function newStoredJob(job: NewJob, id: string, seq: number, now: Date): StoredJob {
  const at = now.toISOString();
  return {
    ...job,
    id,
    key: jobKey(job, id),
    state: "queued",
    phase: undefined,
    triggers: [job.trigger],
    attempts: 0,
    crashResumes: 0,
    progressCommentId: undefined,
    checkpoint: undefined,
    outcome: undefined,
    cancelRequested: false,
    cancelReason: undefined,
    model: undefined,
    createdAt: at,
    updatedAt: at,
    startedAt: undefined,
    finishedAt: undefined,
    seq,
    runAfter: 0,
    resumeNext: false,
    lease: undefined,
  };
}

type ActiveView = Pick<StoredJob, "id" | "seq" | "key" | "kind" | "state" | "cancelRequested">;

/**
 * The queued job a new trigger merges into: same key, same kind, not being
 * cancelled. Reply jobs have a key of their own and never merge.
 */
export function coalesceTarget(active: ActiveView[], key: string, kind: JobKind): string | undefined {
  if (kind === "reply") return undefined;
  const found = active
    .filter((j) => j.state === "queued" && j.key === key && j.kind === kind && !j.cancelRequested)
    .sort((a, b) => a.seq - b.seq);
  return found[0]?.id;
}

/** What the scheduler needs to know about an active (queued or running) job. */
export interface SchedEntry {
  id: string;
  seq: number;
  key: string;
  installationId: number;
  state: JobState;
  runAfter: number;
  leaseExpiresAt: number | undefined;
  cancelRequested: boolean;
}

export function schedEntry(job: StoredJob): SchedEntry {
  return {
    id: job.id,
    seq: job.seq,
    key: job.key,
    installationId: job.installationId,
    state: job.state,
    runAfter: job.runAfter,
    leaseExpiresAt: job.lease?.expiresAt,
    cancelRequested: job.cancelRequested,
  };
}

export interface NextPick {
  /** The job to lease now, if any; `orphan` when its previous worker died holding it. */
  pick: { id: string; orphan: boolean } | undefined;
  /** Orphaned jobs whose cancel was asked before their worker died: end them as cancelled. */
  cancelOrphans: string[];
}

/**
 * The next job to run. Rules, in order:
 * - a running job whose lease expired is an orphan: it is resumed first
 *   (it started earliest), unless a cancel was asked for it;
 * - at most one running job per key; only the oldest queued job of a key
 *   may start (a key's jobs run in arrival order);
 * - at most `perInstallation` running jobs per installation;
 * - queued jobs in backoff (runAfter in the future) wait;
 * - otherwise FIFO.
 */
export function pickNext(entries: SchedEntry[], perInstallation: number, now: number): NextPick {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  const live = sorted.filter((e) => e.state === "running" && (e.leaseExpiresAt ?? 0) > now);
  const orphans = sorted.filter((e) => e.state === "running" && (e.leaseExpiresAt ?? 0) <= now);
  const busyKeys = new Set(live.map((e) => e.key));
  const perInst = new Map<number, number>();
  for (const e of live) perInst.set(e.installationId, (perInst.get(e.installationId) ?? 0) + 1);
  const hasRoom = (e: SchedEntry) => (perInst.get(e.installationId) ?? 0) < perInstallation;

  const cancelOrphans = orphans.filter((e) => e.cancelRequested).map((e) => e.id);
  const resumable = orphans.filter((e) => !e.cancelRequested);
  for (const e of resumable) {
    if (!busyKeys.has(e.key) && hasRoom(e)) return { pick: { id: e.id, orphan: true }, cancelOrphans };
  }
  for (const e of resumable) busyKeys.add(e.key);

  const seenKeys = new Set<string>();
  for (const e of sorted) {
    if (e.state !== "queued") continue;
    if (seenKeys.has(e.key)) continue;
    seenKeys.add(e.key);
    if (busyKeys.has(e.key) || e.runAfter > now || !hasRoom(e)) continue;
    return { pick: { id: e.id, orphan: false }, cancelOrphans };
  }
  return { pick: undefined, cancelOrphans };
}

/** 1-based place of a queued job among all queued jobs, by arrival. */
export function queuePosition(entries: PositionView[], id: string): number | undefined {
  const me = entries.find((e) => e.id === id);
  if (!me || me.state !== "queued") return undefined;
  return entries.filter((e) => e.state === "queued" && e.seq <= me.seq).length;
}
type PositionView = Pick<SchedEntry, "id" | "seq" | "state">;

const SUCCEEDED: readonly OutcomeStatus[] = ["pr_opened", "pr_updated", "plan_posted", "replied"];

export function stateForOutcome(status: OutcomeStatus): TerminalState {
  if (SUCCEEDED.includes(status)) return "succeeded";
  if (status === "cancelled") return "cancelled";
  if (status === "interrupted") return "interrupted";
  return "failed";
}

export function leaseFor(owner: { id: string; pid: number; host: string }, leaseMs: number, now: number): Lease {
  return { owner: owner.id, pid: owner.pid, host: owner.host, expiresAt: now + leaseMs };
}

/** Outcome stored for a job cancelled without its handler's word (queued, or orphaned). */
export function cancelledOutcome(summary: string): JobOutcome {
  return { status: "cancelled", summary };
}

export interface RetryPolicy {
  /** Starts allowed for a job failing with Transient (resumes count as starts). */
  maxAttempts: number;
  /** First backoff; doubles each attempt. */
  baseMs: number;
}

/** No retry follows a start with this many attempts made. */
export function isLastAttempt(attempts: number, policy: RetryPolicy): boolean {
  return attempts >= policy.maxAttempts;
}

/**
 * A job whose workers died more than `maxResumes` times is not run again: it
 * ends `interrupted` (a job that kills its worker every time would otherwise
 * be resumed for ever).
 */
export function crashInterrupt(
  crashResumes: number,
  maxResumes: number,
): { crashes: number; maxResumes: number } | undefined {
  return crashResumes > maxResumes ? { crashes: crashResumes, maxResumes } : undefined;
}

export function retryDelayMs(attempts: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const backoff = policy.baseMs * 2 ** Math.max(0, attempts - 1);
  return Math.max(backoff, retryAfterMs ?? 0);
}

export type Settlement =
  | { action: "finish"; state: TerminalState; outcome: JobOutcome }
  | { action: "release"; resume: boolean; runAfter: number; why: string };

export interface HandlerResult {
  /** Set when the handler returned. */
  outcome?: JobOutcome | undefined;
  /** Set when the handler threw. */
  error?: unknown;
  threw: boolean;
  /** The reason the job's signal was aborted with, if it was. */
  abortReason: unknown;
  /** True when the abort was the worker's shutdown. */
  shutdown: boolean;
  attempts: number;
  /** The run was told to end the job `interrupted` (see crashInterrupt). */
  interrupt: { crashes: number } | undefined;
  now: number;
}

const SHUTDOWN_REQUEUE: readonly OutcomeStatus[] = ["interrupted", "cancelled", "error"];

/** What a handler's return or throw does to its job. */
export function settle(r: HandlerResult, policy: RetryPolicy): Settlement {
  // Stopped by our own shutdown: the job is not over, the next worker resumes it.
  if (r.shutdown && (r.threw || !r.outcome || SHUTDOWN_REQUEUE.includes(r.outcome.status))) {
    return { action: "release", resume: true, runAfter: 0, why: "shutdown" };
  }
  // Past the crash cap the job ends here, even when its report could not be written.
  if (r.interrupt && (r.threw || r.outcome?.status !== "interrupted")) {
    const why = r.threw ? `; the report failed: ${errorMessage(r.error)}` : "";
    return {
      action: "finish",
      state: "interrupted",
      outcome: { status: "interrupted", summary: `its worker died ${r.interrupt.crashes} times${why}` },
    };
  }
  if (!r.threw) {
    if (!r.outcome || typeof r.outcome.status !== "string") {
      return {
        action: "finish",
        state: "failed",
        outcome: { status: "error", summary: "the job handler returned no outcome" },
      };
    }
    return { action: "finish", state: stateForOutcome(r.outcome.status), outcome: r.outcome };
  }
  const error = r.error;
  // Whatever a cancelled handler throws on its way out (an AbortError from
  // fetch, say) is the cancel's doing.
  if (error instanceof Cancelled || r.abortReason instanceof Cancelled) {
    const reason = error instanceof Cancelled ? error : (r.abortReason as Cancelled);
    return { action: "finish", state: "cancelled", outcome: cancelledOutcome(reason.message) };
  }
  if (error instanceof Transient) {
    if (!isLastAttempt(r.attempts, policy)) {
      const delay = retryDelayMs(r.attempts, policy, error.retryAfterMs);
      return { action: "release", resume: false, runAfter: r.now + delay, why: `retry: ${error.message}` };
    }
    return {
      action: "finish",
      state: "failed",
      outcome: { status: "error", summary: `gave up after ${r.attempts} attempts: ${error.message}` },
    };
  }
  return { action: "finish", state: "failed", outcome: { status: "error", summary: errorMessage(error) } };
}
