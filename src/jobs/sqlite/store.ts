// The embedded durable store on node:sqlite (WAL). Every step that decides
// runs inside BEGIN IMMEDIATE, so several worker processes on one file never
// take the same job; the decisions themselves are rules.ts's.
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { Claimed, HeartbeatResult, JobStore, LeaseOwner, ListFilter, StoredJob, TerminalState } from "../store.ts";
import { emptyCounts, publicRecord } from "../store.ts";
import { DELIVERY_TTL_MS, cancelledOutcome, pickNext } from "../rules.ts";
import { fromRow, toSched, type Row } from "./codec.ts";
import { ACTIVE, flushEnqueues, immediate, readJob, type PendingEnqueue } from "./enqueue.ts";
import type { OpenOptions } from "./open.ts";
import { openJobDatabase } from "./open.ts";
import type { EnqueueResult, JobOutcome, JobPatch, JobRecord, JobState, NewJob } from "../../shared/job.ts";

export class SqliteStore implements JobStore {
  readonly backend = "sqlite" as const;
  readonly file: string;
  readonly #db: DatabaseSync;
  #closed = false;
  #lastPrune = 0;
  #pending: PendingEnqueue[] = [];

  constructor(file: string, options: OpenOptions = {}) {
    this.file = file;
    this.#db = openJobDatabase(file, options);
  }

  /**
   * Enqueues arriving together (a burst of deliveries) share one transaction
   * and so one fsync: durable when the promise resolves, and a burst of 200
   * costs a few commits, not 200.
   */
  enqueue(job: NewJob): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ job, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flushEnqueues());
    });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.#row(id);
    return job && publicRecord(job);
  }

  async list(filter: ListFilter): Promise<JobRecord[]> {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.states) {
      if (filter.states.length === 0) return [];
      where.push(`state IN (${filter.states.map(() => "?").join(", ")})`);
      args.push(...filter.states);
    }
    if (filter.key) {
      where.push("key = ?");
      args.push(filter.key);
    }
    if (filter.since) {
      where.push("created_at >= ?");
      args.push(filter.since);
    }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...args, filter.limit ?? -1) as Row[];
    return rows.map((r) => publicRecord(fromRow(r)));
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const fields: [string, SQLInputValue][] = [];
    if (patch.phase !== undefined) fields.push(["phase", patch.phase]);
    if (patch.progressCommentId !== undefined) fields.push(["progress_comment_id", patch.progressCommentId]);
    if (patch.checkpoint !== undefined) fields.push(["checkpoint", JSON.stringify(patch.checkpoint)]);
    if (patch.model !== undefined) fields.push(["model", patch.model]);
    if (fields.length === 0) return;
    const sets = fields.map(([column]) => `${column} = ?`).join(", ");
    this.#db
      .prepare(`UPDATE jobs SET ${sets}, updated_at = ? WHERE id = ?`)
      .run(...fields.map(([, v]) => v), new Date().toISOString(), id);
  }

  async cancel(selector: { id: string } | { key: string }, reason: string): Promise<JobRecord[]> {
    return this.#tx(() => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const rows = (
        "id" in selector
          ? this.#db.prepare(`SELECT * FROM jobs WHERE id = ? AND ${ACTIVE}`).all(selector.id)
          : this.#db.prepare(`SELECT * FROM jobs WHERE key = ? AND ${ACTIVE} ORDER BY seq`).all(selector.key)
      ) as Row[];
      return rows.map((row) => {
        const job = { ...fromRow(row), cancelReason: row.cancel_reason == null ? reason : String(row.cancel_reason) };
        this.#db.prepare("UPDATE jobs SET cancel_reason = ? WHERE id = ?").run(job.cancelReason, job.id);
        // Queued, or running under a worker that is gone: nobody to tell, end it now.
        if (job.state === "queued" || (job.lease?.expiresAt ?? 0) <= now) {
          const outcome = cancelledOutcome(job.state === "queued" ? "cancelled before it started" : "cancelled");
          this.#end(job.id, "cancelled", outcome, at);
          return publicRecord({ ...job, state: "cancelled", outcome, finishedAt: at, updatedAt: at });
        }
        this.#db.prepare("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?").run(at, job.id);
        return publicRecord({ ...job, cancelRequested: true, updatedAt: at });
      });
    });
  }

  async position(id: string): Promise<number | undefined> {
    const me = this.#db.prepare("SELECT seq, state FROM jobs WHERE id = ?").get(id) as
      { seq: number; state: string } | undefined;
    if (!me || me.state !== "queued") return undefined;
    const { n } = this.#db
      .prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued' AND seq <= ?")
      .get(me.seq) as { n: number };
    return n;
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = emptyCounts();
    for (const r of this.#db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as {
      state: JobState;
      n: number;
    }[]) {
      counts[r.state] = r.n;
    }
    return counts;
  }

  async claim(owner: LeaseOwner, perInstallation: number, leaseMs: number): Promise<Claimed | undefined> {
    return this.#tx(() => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const rows = this.#db
        .prepare(
          `SELECT id, seq, key, installation_id, state, run_after, lease_expires_at, cancel_requested FROM jobs WHERE ${ACTIVE}`,
        )
        .all() as Row[];
      const { pick, cancelOrphans } = pickNext(rows.map(toSched), perInstallation, now);
      for (const id of cancelOrphans)
        this.#end(id, "cancelled", cancelledOutcome("cancelled (its worker had stopped)"), at);
      if (!pick) return undefined;
      const before = this.#row(pick.id)!;
      this.#db
        .prepare(
          `UPDATE jobs SET state = 'running', attempts = attempts + 1, crash_resumes = crash_resumes + ?, resume_next = 0, started_at = ?, updated_at = ?,
             lease_owner = ?, lease_pid = ?, lease_host = ?, lease_expires_at = ? WHERE id = ?`,
        )
        .run(pick.orphan ? 1 : 0, at, at, owner.id, owner.pid, owner.host, now + leaseMs, pick.id);
      return { job: publicRecord(this.#row(pick.id)!), resumed: pick.orphan || before.resumeNext };
    });
  }

  async heartbeat(owner: LeaseOwner, ids: string[], leaseMs: number): Promise<HeartbeatResult> {
    return this.#tx(() => {
      const result: HeartbeatResult = { cancelRequested: [], lost: [] };
      const extend = this.#db.prepare(
        "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
      );
      const expiresAt = Date.now() + leaseMs;
      for (const id of ids) {
        if (extend.run(expiresAt, id, owner.id).changes === 0) {
          result.lost.push(id);
          continue;
        }
        const r = this.#db.prepare("SELECT cancel_requested FROM jobs WHERE id = ?").get(id) as {
          cancel_requested: number;
        };
        if (r.cancel_requested === 1) result.cancelRequested.push(id);
      }
      return result;
    });
  }

  async finish(
    id: string,
    owner: LeaseOwner,
    state: TerminalState,
    outcome: JobOutcome,
  ): Promise<JobRecord | undefined> {
    return this.#tx(() => {
      if (!this.#holds(id, owner)) return undefined;
      this.#end(id, state, outcome, new Date().toISOString());
      return publicRecord(this.#row(id)!);
    });
  }

  async release(id: string, owner: LeaseOwner, opts: { runAfter: number; resume: boolean }): Promise<void> {
    this.#tx(() => {
      if (!this.#holds(id, owner)) return;
      this.#db
        .prepare(
          `UPDATE jobs SET state = 'queued', run_after = ?, resume_next = ?, updated_at = ?,
             lease_owner = NULL, lease_pid = NULL, lease_host = NULL, lease_expires_at = NULL WHERE id = ?`,
        )
        .run(opts.runAfter, opts.resume ? 1 : 0, new Date().toISOString(), id);
    });
  }

  async reapDead(host: string, isAlive: (pid: number) => boolean): Promise<number> {
    return this.#tx(() => {
      const rows = this.#db
        .prepare("SELECT id, lease_pid FROM jobs WHERE state = 'running' AND lease_host = ?")
        .all(host) as {
        id: string;
        lease_pid: number;
      }[];
      const dead = rows.filter((r) => r.lease_pid !== process.pid && !isAlive(r.lease_pid));
      for (const r of dead)
        this.#db.prepare("UPDATE jobs SET lease_expires_at = 0 WHERE id = ? AND lease_pid = ?").run(r.id, r.lease_pid);
      return dead.length;
    });
  }

  async appendTrajectory(jobId: string, records: string[]): Promise<void> {
    if (records.length === 0) return;
    // One transaction per batch: one fsync however many records it holds.
    this.#tx(() => {
      const insert = this.#db.prepare("INSERT INTO trajectory (job_id, record) VALUES (?, ?)");
      for (const record of records) insert.run(jobId, record);
    });
  }

  async readTrajectory(jobId: string): Promise<string[]> {
    const rows = this.#db.prepare("SELECT record FROM trajectory WHERE job_id = ? ORDER BY n").all(jobId) as {
      record: string;
    }[];
    return rows.map((r) => r.record);
  }

  async ping(): Promise<boolean> {
    try {
      this.#db.prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#pending.length > 0) this.#flushEnqueues();
    this.#closed = true;
    this.#db.close();
  }

  #holds(id: string, owner: LeaseOwner): boolean {
    return (
      this.#db
        .prepare("SELECT 1 FROM jobs WHERE id = ? AND state = 'running' AND lease_owner = ?")
        .get(id, owner.id) !== undefined
    );
  }

  #end(id: string, state: TerminalState, outcome: JobOutcome, at: string): void {
    this.#db
      .prepare(
        `UPDATE jobs SET state = ?, outcome = ?, finished_at = ?, updated_at = ?,
           lease_owner = NULL, lease_pid = NULL, lease_host = NULL, lease_expires_at = NULL WHERE id = ?`,
      )
      .run(state, JSON.stringify(outcome), at, at, id);
  }

  /** Run fn under the write lock. node:sqlite is synchronous, so nothing else in this process interleaves. */
  #tx<T>(fn: () => T): T {
    return immediate(this.#db, fn);
  }

  #row(id: string): StoredJob | undefined {
    return readJob(this.#db, id);
  }

  #flushEnqueues(): void {
    flushEnqueues(this.#db, this.#pending.splice(0), () => this.#pruneDeliveries(Date.now()));
  }

  #pruneDeliveries(now: number): void {
    if (now - this.#lastPrune < 60_000) return;
    this.#lastPrune = now;
    this.#db.prepare("DELETE FROM deliveries WHERE at < ?").run(now - DELIVERY_TTL_MS);
  }
}
