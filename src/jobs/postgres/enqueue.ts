// Enqueue on PostgreSQL, in the caller's transaction: delivery dedupe by the
// deliveries primary key (a second receiver with the same delivery waits for
// the first to commit, then sees its job), coalescing under a per-key advisory
// lock so two receivers cannot both start a new job for one issue.
import type { PoolClient } from "pg";
import { publicRecord } from "../store.ts";
import { coalesceTarget, newJobId, newStoredJob } from "../rules.ts";
import type { EnqueueResult, JobKind, JobState, NewJob } from "../../shared/job.ts";
import { jobKey } from "../../shared/job.ts";
import type { JobRow } from "./codec.ts";
import { fromRow } from "./codec.ts";
import { KEY_NS, WAKE_CHANNEL } from "./locks.ts";

export async function enqueueIn(c: PoolClient, job: NewJob): Promise<EnqueueResult> {
  const now = Date.now();
  const id = newJobId(now);
  const deliveryId = job.trigger.deliveryId;
  const fresh = await c.query("INSERT INTO deliveries (delivery_id, job_id, at) VALUES ($1, $2, $3) ON CONFLICT (delivery_id) DO NOTHING", [deliveryId, id, now]);
  if (fresh.rowCount === 0) {
    const { rows } = await c.query<JobRow>("SELECT j.* FROM deliveries d JOIN jobs j ON j.id = d.job_id WHERE d.delivery_id = $1", [deliveryId]);
    if (rows[0]) return { job: publicRecord(fromRow(rows[0])), status: "duplicate" };
    // Its job is gone (retention): this delivery makes a new one.
  }

  const key = jobKey(job, id);
  await c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [KEY_NS, key]);
  const at = new Date(now).toISOString();
  const { rows: sameKey } = await c.query<{ id: string; seq: string; kind: string; state: string; cancel_requested: boolean }>(
    "SELECT id, seq, kind, state, cancel_requested FROM jobs WHERE key = $1 AND state IN ('queued', 'running')",
    [key],
  );
  const targetId = coalesceTarget(
    sameKey.map((r) => ({ id: r.id, seq: Number(r.seq), key, kind: r.kind as JobKind, state: r.state as JobState, cancelRequested: r.cancel_requested })),
    key,
    job.kind,
  );
  if (targetId) {
    // Guarded: a claim may have started the target since the read above.
    const { rows } = await c.query<JobRow>(
      `UPDATE jobs SET triggers = (triggers::jsonb || jsonb_build_array($2::jsonb))::text, updated_at = $3
       WHERE id = $1 AND state = 'queued' AND NOT cancel_requested RETURNING *`,
      [targetId, JSON.stringify(job.trigger), at],
    );
    if (rows[0]) {
      await c.query("UPDATE deliveries SET job_id = $2, at = $3 WHERE delivery_id = $1", [deliveryId, targetId, now]);
      return { job: publicRecord(fromRow(rows[0])), status: "coalesced" };
    }
  }
  const stored = newStoredJob(job, id, 0, new Date(now));
  const { rows } = await c.query<{ seq: string }>(
    `INSERT INTO jobs (id, key, kind, installation_id, state, job, triggers, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7) RETURNING seq`,
    [id, key, job.kind, job.installationId, JSON.stringify(job), JSON.stringify(stored.triggers), at],
  );
  await c.query("UPDATE deliveries SET job_id = $2, at = $3 WHERE delivery_id = $1", [deliveryId, id, now]);
  await c.query("SELECT pg_notify($1, '')", [WAKE_CHANNEL]);
  return { job: publicRecord({ ...stored, seq: Number(rows[0]!.seq) }), status: "enqueued" };
}
