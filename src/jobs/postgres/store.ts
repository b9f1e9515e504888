// The scale-out store on PostgreSQL (node-postgres): many receivers and
// workers on many machines share one database. Every step that decides runs
// in one transaction; a claim holds an advisory lock while it picks, and the
// pick is rules.ts's pickNext, the same as memory and SQLite (ARCHITECTURE.md §3).
import type pg from "pg";
import type { PoolClient } from "pg";
import type { Claimed, HeartbeatResult, JobStore, LeaseOwner, ListFilter, TerminalState } from "../store.ts";
import { emptyCounts, publicRecord } from "../store.ts";
import { cancelledOutcome, pickNext } from "../rules.ts";
import type { EnqueueResult, JobOutcome, JobPatch, JobRecord, JobState, NewJob } from "../../shared/job.ts";
import type { JobRow, SchedRow } from "./codec.ts";
import { SCHED_COLUMNS, fromRow, toSched } from "./codec.ts";
import { describeConnectError, newPool, safeDatabaseUrl, type PostgresOptions } from "./connect.ts";
import { EnqueueBatcher } from "./enqueue.ts";
import { CLAIM_LOCK, LOCK_NS, WAKE_CHANNEL } from "./locks.ts";
import { migrate } from "./migrate.ts";
import { WakeListener } from "./notify.ts";
import { appendTrajectory, readTrajectory } from "./trajectory.ts";
import { pruneOld, transaction } from "./transaction.ts";
import { errorMessage } from "../../errors.ts";

const ACTIVE = "state IN ('queued', 'running')";
const CLEAR_LEASE = "lease_owner = NULL, lease_pid = NULL, lease_host = NULL, lease_expires_at = NULL";
const NOTIFY = `pg_notify('${WAKE_CHANNEL}', '')`;
const PRUNE_EVERY_MS = 3600_000;

export class PostgresStore implements JobStore {
  readonly backend = "postgres" as const;
  /** The database URL without its password. */
  readonly where: string;
  readonly #pool: pg.Pool;
  readonly #wake: WakeListener;
  readonly #options: PostgresOptions;
  readonly #batcher = new EnqueueBatcher((fn) => this.#tx(fn));
  #pruneTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(url: string, pool: pg.Pool, options: PostgresOptions) {
    this.where = safeDatabaseUrl(url);
    this.#pool = pool;
    this.#options = options;
    this.#wake = new WakeListener(url, options.log);
    // An idle connection the server dropped (a restart): the pool discards it; say so, do not crash.
    pool.on("error", (error) => options.log?.warn({ err: errorMessage(error) }, "job store connection lost"));
  }

  /** Connect, migrate, listen; a UserError saying what to fix when the database cannot be used. */
  static async connect(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const pool = newPool(url, { max: options.poolMax });
    const store = new PostgresStore(url, pool, options);
    try {
      const client = await pool.connect().catch((error: unknown) => {
        throw describeConnectError(url, error);
      });
      try {
        const applied = await migrate(client, store.where);
        if (applied.length > 0) options.log?.info({ versions: applied }, "job store schema migrated");
      } finally {
        client.release();
      }
      await store.#wake.start();
      await store.prune();
    } catch (error) {
      await store.close();
      throw error;
    }
    store.#pruneTimer = setInterval(
      () =>
        void store
          .prune()
          .catch((e: unknown) => options.log?.warn({ err: errorMessage(e) }, "job store pruning failed")),
      PRUNE_EVERY_MS,
    );
    store.#pruneTimer.unref();
    return store;
  }

  /** Called when another process may have made a job runnable. */
  subscribe(onWork: () => void): () => void {
    return this.#wake.subscribe(onWork);
  }

  enqueue(job: NewJob): Promise<EnqueueResult> {
    return this.#batcher.enqueue(job);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const { rows } = await this.#pool.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
    return rows[0] && publicRecord(fromRow(rows[0]));
  }

  async list(filter: ListFilter): Promise<JobRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states) {
      if (filter.states.length === 0) return [];
      args.push(filter.states);
      where.push(`state = ANY($${args.length})`);
    }
    if (filter.key) {
      args.push(filter.key);
      where.push(`key = $${args.length}`);
    }
    if (filter.since) {
      args.push(filter.since);
      where.push(`created_at >= $${args.length}`);
    }
    args.push(filter.limit ?? null);
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT $${args.length}`;
    const { rows } = await this.#pool.query<JobRow>(sql, args);
    return rows.map((r) => publicRecord(fromRow(r)));
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const fields: [string, unknown][] = [];
    if (patch.phase !== undefined) fields.push(["phase", patch.phase]);
    if (patch.progressCommentId !== undefined) fields.push(["progress_comment_id", patch.progressCommentId]);
    if (patch.checkpoint !== undefined) fields.push(["checkpoint", JSON.stringify(patch.checkpoint)]);
    if (patch.model !== undefined) fields.push(["model", patch.model]);
    if (fields.length === 0) return;
    const sets = fields.map(([column], i) => `${column} = $${i + 3}`).join(", ");
    await this.#pool.query(`UPDATE jobs SET ${sets}, updated_at = $2 WHERE id = $1`, [
      id,
      new Date().toISOString(),
      ...fields.map(([, v]) => v),
    ]);
  }

  cancel(selector: { id: string } | { key: string }, reason: string): Promise<JobRecord[]> {
    return this.#tx(async (c) => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const { rows } =
        "id" in selector
          ? await c.query<JobRow>(`SELECT * FROM jobs WHERE id = $1 AND ${ACTIVE} FOR UPDATE`, [selector.id])
          : await c.query<JobRow>(`SELECT * FROM jobs WHERE key = $1 AND ${ACTIVE} ORDER BY seq FOR UPDATE`, [
              selector.key,
            ]);
      const out: JobRecord[] = [];
      for (const row of rows) {
        const job = { ...fromRow(row), cancelReason: row.cancel_reason ?? reason };
        await c.query("UPDATE jobs SET cancel_reason = $2 WHERE id = $1", [job.id, job.cancelReason]);
        // Queued, or running under a worker that is gone: nobody to tell, end it now.
        if (job.state === "queued" || (job.lease?.expiresAt ?? 0) <= now) {
          const outcome = cancelledOutcome(job.state === "queued" ? "cancelled before it started" : "cancelled");
          await this.#end(c, job.id, "cancelled", outcome, at);
          out.push(publicRecord({ ...job, state: "cancelled", outcome, finishedAt: at, updatedAt: at }));
          continue;
        }
        await c.query("UPDATE jobs SET cancel_requested = TRUE, updated_at = $2 WHERE id = $1", [job.id, at]);
        out.push(publicRecord({ ...job, cancelRequested: true, updatedAt: at }));
      }
      if (rows.length > 0) await c.query(`SELECT ${NOTIFY}`);
      return out;
    });
  }

  async position(id: string): Promise<number | undefined> {
    const { rows } = await this.#pool.query<{ n: string }>(
      `SELECT (SELECT COUNT(*) FROM jobs o WHERE o.state = 'queued' AND o.seq <= me.seq) AS n
       FROM jobs me WHERE me.id = $1 AND me.state = 'queued'`,
      [id],
    );
    return rows[0] ? Number(rows[0].n) : undefined;
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = emptyCounts();
    const { rows } = await this.#pool.query<{ state: JobState; n: string }>(
      "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
    );
    for (const r of rows) counts[r.state] = Number(r.n);
    return counts;
  }

  claim(owner: LeaseOwner, perInstallation: number, leaseMs: number): Promise<Claimed | undefined> {
    return this.#tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NS, CLAIM_LOCK]);
      const now = Date.now();
      const at = new Date(now).toISOString();
      const { rows } = await c.query<SchedRow>(`SELECT ${SCHED_COLUMNS} FROM jobs WHERE ${ACTIVE}`);
      const { pick, cancelOrphans } = pickNext(rows.map(toSched), perInstallation, now);
      for (const id of cancelOrphans) {
        await this.#end(
          c,
          id,
          "cancelled",
          cancelledOutcome("cancelled (its worker had stopped)"),
          at,
          "AND state = 'running'",
        );
      }
      if (!pick) return undefined;
      const before = rows.find((r) => r.id === pick.id)!;
      // Guarded: a cancel (or a late heartbeat of an orphan's owner) may have committed since the read.
      const still = pick.orphan ? "state = 'running' AND lease_expires_at <= $6" : "state = 'queued'";
      const { rows: taken } = await c.query<JobRow>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, crash_resumes = crash_resumes + $8, resume_next = FALSE, started_at = $2, updated_at = $2,
           lease_owner = $3, lease_pid = $4, lease_host = $5, lease_expires_at = $6 + $7::bigint
         WHERE id = $1 AND ${still} RETURNING *`,
        [pick.id, at, owner.id, owner.pid, owner.host, now, leaseMs, pick.orphan ? 1 : 0],
      );
      if (!taken[0]) return undefined;
      return { job: publicRecord(fromRow(taken[0])), resumed: pick.orphan || before.resume_next };
    });
  }

  async heartbeat(owner: LeaseOwner, ids: string[], leaseMs: number): Promise<HeartbeatResult> {
    const { rows } = await this.#pool.query<{ id: string; cancel_requested: boolean }>(
      "UPDATE jobs SET lease_expires_at = $3 WHERE id = ANY($1) AND state = 'running' AND lease_owner = $2 RETURNING id, cancel_requested",
      [ids, owner.id, Date.now() + leaseMs],
    );
    const held = new Map(rows.map((r) => [r.id, r.cancel_requested]));
    return {
      cancelRequested: ids.filter((id) => held.get(id) === true),
      lost: ids.filter((id) => !held.has(id)),
    };
  }

  async finish(
    id: string,
    owner: LeaseOwner,
    state: TerminalState,
    outcome: JobOutcome,
  ): Promise<JobRecord | undefined> {
    const at = new Date().toISOString();
    const { rows } = await this.#pool.query<JobRow>(
      `WITH ended AS (
         UPDATE jobs SET state = $3, outcome = $4, finished_at = $5, updated_at = $5, ${CLEAR_LEASE}
         WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING *)
       SELECT ended.*, ${NOTIFY} FROM ended`,
      [id, owner.id, state, JSON.stringify(outcome), at],
    );
    return rows[0] && publicRecord(fromRow(rows[0]));
  }

  async release(id: string, owner: LeaseOwner, opts: { runAfter: number; resume: boolean }): Promise<void> {
    await this.#pool.query(
      `WITH back AS (
         UPDATE jobs SET state = 'queued', run_after = $3, resume_next = $4, updated_at = $5, ${CLEAR_LEASE}
         WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING id)
       SELECT ${NOTIFY} FROM back`,
      [id, owner.id, opts.runAfter, opts.resume, new Date().toISOString()],
    );
  }

  appendTrajectory(jobId: string, records: string[]): Promise<void> {
    return appendTrajectory(this.#pool, jobId, records);
  }

  readTrajectory(jobId: string): Promise<string[]> {
    return readTrajectory(this.#pool, jobId);
  }

  /** Forget old deliveries, and jobs (with their trajectories) finished before the retention. */
  prune(now = Date.now()): Promise<{ jobs: number }> {
    return pruneOld(this.#pool, this.#options.retentionDays ?? 0, now);
  }

  async ping(): Promise<boolean> {
    try {
      await this.#pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pruneTimer);
    await this.#batcher.drain();
    await this.#wake.close();
    await this.#pool.end();
  }

  #tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return transaction(this.#pool, fn);
  }

  async #end(
    c: PoolClient,
    id: string,
    state: TerminalState,
    outcome: JobOutcome,
    at: string,
    guard = "",
  ): Promise<void> {
    await c.query(
      `UPDATE jobs SET state = $2, outcome = $3, finished_at = $4, updated_at = $4, ${CLEAR_LEASE} WHERE id = $1 ${guard}`,
      [id, state, JSON.stringify(outcome), at],
    );
  }
}
