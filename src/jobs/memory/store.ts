// The in-process store: the same rules as the durable ones, kept in maps.
// For unit tests of other rooms and `AGENT_QUEUE=memory`; nothing survives
// the process.
import type { Claimed, HeartbeatResult, JobStore, LeaseOwner, ListFilter, StoredJob, TerminalState } from "../store.ts";
import { emptyCounts, publicRecord } from "../store.ts";
import {
  DELIVERY_TTL_MS,
  cancelledOutcome,
  coalesceTarget,
  leaseFor,
  newJobId,
  newStoredJob,
  pickNext,
  queuePosition,
  schedEntry,
} from "../rules.ts";
import type { QueueOptions } from "../store-queue.ts";
import { StoreQueue } from "../store-queue.ts";
import type { EnqueueResult, JobOutcome, JobPatch, JobRecord, JobState, NewJob } from "../../shared/job.ts";
import { jobKey } from "../../shared/job.ts";

export class MemoryStore implements JobStore {
  readonly backend = "memory" as const;
  readonly #jobs = new Map<string, StoredJob>();
  readonly #deliveries = new Map<string, { jobId: string; at: number }>();
  readonly #trajectories = new Map<string, string[]>();
  #seq = 0;

  async enqueue(job: NewJob): Promise<EnqueueResult> {
    const now = Date.now();
    this.#forgetOldDeliveries(now);
    const seen = this.#deliveries.get(job.trigger.deliveryId);
    const existing = seen && this.#jobs.get(seen.jobId);
    if (existing) return { job: clone(publicRecord(existing)), status: "duplicate" };

    const id = newJobId(now);
    const targetId = coalesceTarget(this.#active(), jobKey(job, id), job.kind);
    const target = targetId ? this.#jobs.get(targetId) : undefined;
    if (target) {
      target.triggers.push(job.trigger);
      target.updatedAt = new Date(now).toISOString();
      this.#deliveries.set(job.trigger.deliveryId, { jobId: target.id, at: now });
      return { job: clone(publicRecord(target)), status: "coalesced" };
    }
    const stored = newStoredJob(clone(job), id, ++this.#seq, new Date(now));
    this.#jobs.set(id, stored);
    this.#deliveries.set(job.trigger.deliveryId, { jobId: id, at: now });
    return { job: clone(publicRecord(stored)), status: "enqueued" };
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.#jobs.get(id);
    return job && clone(publicRecord(job));
  }

  async list(filter: ListFilter): Promise<JobRecord[]> {
    const out = [...this.#jobs.values()]
      .filter(
        (j) =>
          (!filter.states || filter.states.includes(j.state)) &&
          (!filter.key || j.key === filter.key) &&
          (!filter.since || j.createdAt >= filter.since),
      )
      .sort((a, b) => b.seq - a.seq)
      .slice(0, filter.limit ?? Infinity);
    return out.map((j) => clone(publicRecord(j)));
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job) return;
    if (patch.phase !== undefined) job.phase = patch.phase;
    if (patch.progressCommentId !== undefined) job.progressCommentId = patch.progressCommentId;
    if (patch.checkpoint !== undefined) job.checkpoint = clone(patch.checkpoint);
    if (patch.model !== undefined) job.model = patch.model;
    job.updatedAt = new Date().toISOString();
  }

  async cancel(selector: { id: string } | { key: string }, reason: string): Promise<JobRecord[]> {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const hit = this.#active().filter((j) => ("id" in selector ? j.id === selector.id : j.key === selector.key));
    for (const job of hit) {
      job.cancelReason ??= reason;
      // A queued job, or a running one whose worker is gone, has nobody to tell: end it now.
      if (job.state === "queued" || (job.lease?.expiresAt ?? 0) <= now) {
        job.outcome = cancelledOutcome(job.state === "queued" ? "cancelled before it started" : "cancelled");
        job.state = "cancelled";
        job.finishedAt = at;
        job.lease = undefined;
      } else {
        job.cancelRequested = true;
      }
      job.updatedAt = at;
    }
    return hit.map((j) => clone(publicRecord(j)));
  }

  async position(id: string): Promise<number | undefined> {
    return queuePosition(this.#active(), id);
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = emptyCounts();
    for (const job of this.#jobs.values()) counts[job.state]++;
    return counts;
  }

  async claim(owner: LeaseOwner, perInstallation: number, leaseMs: number): Promise<Claimed | undefined> {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const { pick, cancelOrphans } = pickNext(this.#active().map(schedEntry), perInstallation, now);
    for (const id of cancelOrphans) {
      const job = this.#jobs.get(id);
      if (!job) continue;
      Object.assign(job, {
        state: "cancelled",
        outcome: cancelledOutcome("cancelled (its worker had stopped)"),
        finishedAt: at,
        updatedAt: at,
        lease: undefined,
      });
    }
    const job = pick && this.#jobs.get(pick.id);
    if (!job) return undefined;
    const resumed = pick.orphan || job.resumeNext;
    job.state = "running";
    job.attempts++;
    if (pick.orphan) job.crashResumes++;
    job.resumeNext = false;
    job.lease = leaseFor(owner, leaseMs, now);
    job.startedAt = at;
    job.updatedAt = at;
    return { job: clone(publicRecord(job)), resumed };
  }

  async heartbeat(owner: LeaseOwner, ids: string[], leaseMs: number): Promise<HeartbeatResult> {
    const now = Date.now();
    const result: HeartbeatResult = { cancelRequested: [], lost: [] };
    for (const id of ids) {
      const job = this.#jobs.get(id);
      if (!job || job.state !== "running" || job.lease?.owner !== owner.id) {
        result.lost.push(id);
        continue;
      }
      job.lease.expiresAt = now + leaseMs;
      if (job.cancelRequested) result.cancelRequested.push(id);
    }
    return result;
  }

  async finish(
    id: string,
    owner: LeaseOwner,
    state: TerminalState,
    outcome: JobOutcome,
  ): Promise<JobRecord | undefined> {
    const job = this.#held(id, owner);
    if (!job) return undefined;
    const at = new Date().toISOString();
    Object.assign(job, { state, outcome: clone(outcome), finishedAt: at, updatedAt: at, lease: undefined });
    return clone(publicRecord(job));
  }

  async release(id: string, owner: LeaseOwner, opts: { runAfter: number; resume: boolean }): Promise<void> {
    const job = this.#held(id, owner);
    if (!job) return;
    Object.assign(job, {
      state: "queued",
      runAfter: opts.runAfter,
      resumeNext: opts.resume,
      lease: undefined,
      updatedAt: new Date().toISOString(),
    });
  }

  async reapDead(host: string, isAlive: (pid: number) => boolean): Promise<number> {
    let reaped = 0;
    for (const job of this.#active()) {
      if (job.state === "running" && job.lease && job.lease.host === host && !isAlive(job.lease.pid)) {
        job.lease.expiresAt = 0;
        reaped++;
      }
    }
    return reaped;
  }

  async appendTrajectory(jobId: string, records: string[]): Promise<void> {
    const list = this.#trajectories.get(jobId) ?? [];
    list.push(...records);
    this.#trajectories.set(jobId, list);
  }

  async readTrajectory(jobId: string): Promise<string[]> {
    return [...(this.#trajectories.get(jobId) ?? [])];
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  #active(): StoredJob[] {
    return [...this.#jobs.values()].filter((j) => j.state === "queued" || j.state === "running");
  }

  #held(id: string, owner: LeaseOwner): StoredJob | undefined {
    const job = this.#jobs.get(id);
    return job && job.state === "running" && job.lease?.owner === owner.id ? job : undefined;
  }

  #forgetOldDeliveries(now: number): void {
    // Insertion order is arrival order: stop at the first one still fresh.
    for (const [id, d] of this.#deliveries) {
      if (now - d.at <= DELIVERY_TTL_MS) break;
      this.#deliveries.delete(id);
    }
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A JobQueue held in this process's memory. */
export class MemoryQueue extends StoreQueue {
  constructor(options: QueueOptions = {}) {
    super(new MemoryStore(), options);
  }
}
