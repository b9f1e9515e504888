// Enqueue on SQLite: the batch of deliveries that arrived together in one
// BEGIN IMMEDIATE (one fsync), each job under its own savepoint so one bad job
// fails alone; duplicates by delivery id, coalescing by rules.ts.
import type { DatabaseSync } from "node:sqlite";
import { coalesceTarget, newJobId, newStoredJob } from "../rules.ts";
import { publicRecord, type StoredJob } from "../store.ts";
import { fromRow, type Row } from "./codec.ts";
import { jobKey, type EnqueueResult, type JobState, type NewJob } from "../../shared/job.ts";

export const ACTIVE = "state IN ('queued', 'running')";

export interface PendingEnqueue {
  job: NewJob;
  resolve: (r: EnqueueResult) => void;
  reject: (e: unknown) => void;
}

/** Run fn under the write lock. node:sqlite is synchronous, so nothing else in this process interleaves. */
export function immediate<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

export function readJob(db: DatabaseSync, id: string): StoredJob | undefined {
  const row = db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as Row | undefined;
  return row && fromRow(row);
}

/** Settle every caller of the batch: its job, or the error that refused it. `first` runs inside the transaction. */
export function flushEnqueues(db: DatabaseSync, batch: PendingEnqueue[], first: () => void): void {
  const results: (() => void)[] = [];
  try {
    immediate(db, () => {
      first();
      for (const item of batch) {
        // A savepoint each: one bad job fails alone.
        db.exec("SAVEPOINT enqueue");
        try {
          const result = enqueueOne(db, item.job);
          db.exec("RELEASE enqueue");
          results.push(() => item.resolve(result));
        } catch (error) {
          db.exec("ROLLBACK TO enqueue; RELEASE enqueue");
          results.push(() => item.reject(error));
        }
      }
    });
  } catch (error) {
    for (const item of batch) item.reject(error);
    return;
  }
  for (const settle of results) settle();
}

function enqueueOne(db: DatabaseSync, job: NewJob): EnqueueResult {
  const now = Date.now();
  const seen = db.prepare("SELECT job_id FROM deliveries WHERE delivery_id = ?").get(job.trigger.deliveryId) as
    { job_id: string } | undefined;
  const existing = seen && readJob(db, seen.job_id);
  if (existing) return { job: publicRecord(existing), status: "duplicate" };

  const id = newJobId(now);
  const key = jobKey(job, id);
  const sameKey = db
    .prepare(`SELECT id, seq, key, kind, state, cancel_requested FROM jobs WHERE key = ? AND ${ACTIVE}`)
    .all(key) as Row[];
  const targetId = coalesceTarget(
    sameKey.map((r) => ({
      id: String(r.id),
      seq: Number(r.seq),
      key: String(r.key),
      kind: r.kind as NewJob["kind"],
      state: r.state as JobState,
      cancelRequested: r.cancel_requested === 1,
    })),
    key,
    job.kind,
  );
  const at = new Date(now).toISOString();
  if (targetId) {
    const target = readJob(db, targetId)!;
    target.triggers.push(job.trigger);
    db.prepare("UPDATE jobs SET triggers = ?, updated_at = ? WHERE id = ?").run(
      JSON.stringify(target.triggers),
      at,
      targetId,
    );
    remember(db, job.trigger.deliveryId, targetId, now);
    return { job: publicRecord({ ...target, updatedAt: at }), status: "coalesced" };
  }
  const stored = newStoredJob(job, id, 0, new Date(now));
  db.prepare(
    `INSERT INTO jobs (id, key, kind, installation_id, state, job, triggers, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)`,
  ).run(id, key, job.kind, job.installationId, JSON.stringify(job), JSON.stringify(stored.triggers), at, at);
  remember(db, job.trigger.deliveryId, id, now);
  return { job: publicRecord(stored), status: "enqueued" };
}

function remember(db: DatabaseSync, deliveryId: string, jobId: string, now: number): void {
  db.prepare("INSERT OR REPLACE INTO deliveries (delivery_id, job_id, at) VALUES (?, ?, ?)").run(
    deliveryId,
    jobId,
    now,
  );
}
