// Enqueue on PostgreSQL. Enqueues arriving together (a burst of deliveries)
// share one transaction, so one commit: durable when the promise resolves,
// and a burst of 300 costs a few commits, not 300. Every lock a batch takes
// is taken up front in one order all processes share (the per-key advisory
// locks sorted, then the deliveries rows sorted), so two receivers' batches
// never deadlock; a delivery another receiver is taking waits for its commit
// and is then a duplicate. Coalescing is rules.ts's coalesceTarget, under the
// key's lock (ARCHITECTURE.md §3).
import type { PoolClient } from "pg";
import { publicRecord } from "../store.ts";
import { coalesceTarget, newJobId, newStoredJob } from "../rules.ts";
import type { StoredJob } from "../store.ts";
import type { EnqueueResult, JobKind, JobState, NewJob } from "../../shared/job.ts";
import { jobKey } from "../../shared/job.ts";
import type { JobRow } from "./codec.ts";
import { fromRow } from "./codec.ts";
import { KEY_NS, WAKE_CHANNEL } from "./locks.ts";

interface Pending {
  job: NewJob;
  resolve: (r: EnqueueResult) => void;
  reject: (e: unknown) => void;
}

interface Planned {
  job: NewJob;
  id: string;
  key: string;
  json: string;
  at: Date;
}

const MAX_BATCH = 500;

export class EnqueueBatcher {
  readonly #tx: <T>(fn: (c: PoolClient) => Promise<T>) => Promise<T>;
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;

  constructor(tx: <T>(fn: (c: PoolClient) => Promise<T>) => Promise<T>) {
    this.#tx = tx;
  }

  enqueue(job: NewJob): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ job, resolve, reject });
      this.#flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.#flush());
    });
  }

  /** Resolves once every enqueue asked so far is settled. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      const planned: (Planned | undefined)[] = batch.map(({ job, reject }) => {
        try {
          const at = new Date();
          const id = newJobId(at.getTime());
          return { job, id, key: jobKey(job, id), json: JSON.stringify(job), at };
        } catch (error) {
          // One job that cannot be stored (say, a value JSON cannot hold) fails alone.
          reject(error);
          return undefined;
        }
      });
      const ok = planned.filter((p): p is Planned => p !== undefined);
      try {
        const results = ok.length > 0 ? await this.#tx((c) => enqueueBatch(c, ok)) : [];
        let i = 0;
        batch.forEach((b, n) => planned[n] && b.resolve(results[i++]!));
      } catch (error) {
        batch.forEach((b, n) => planned[n] && b.reject(error));
      }
    }
    this.#flushing = undefined;
  }
}

type Active = Parameters<typeof coalesceTarget>[0][number];

/**
 * One batch in a handful of statements, whatever its size: the locks, the
 * deliveries, one read of the keys' active jobs, then one insert of the new
 * jobs. Coalescing decides on that read kept up to date as the batch goes.
 */
async function enqueueBatch(c: PoolClient, batch: Planned[]): Promise<EnqueueResult[]> {
  const keys = [...new Set(batch.filter((p) => p.job.kind !== "reply").map((p) => p.key))];
  await c.query(
    "SELECT pg_advisory_xact_lock($1, h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY 1) AS s",
    [KEY_NS, keys],
  );
  const deliveryIds = batch.map((p) => p.job.trigger.deliveryId);
  const { rows: taken } = await c.query<{ delivery_id: string }>(
    `INSERT INTO deliveries (delivery_id, job_id, at)
     SELECT d, j, $3 FROM unnest($1::text[], $2::text[]) AS t(d, j) ORDER BY d
     ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id`,
    [deliveryIds, batch.map((p) => p.id), Date.now()],
  );
  const fresh = new Set(taken.map((r) => r.delivery_id));
  const seenBefore = deliveryIds.filter((d) => !fresh.has(d));
  const { rows: seenRows } = await c.query<JobRow & { delivery_id: string }>(
    "SELECT d.delivery_id, j.* FROM deliveries d JOIN jobs j ON j.id = d.job_id WHERE d.delivery_id = ANY($1)",
    [seenBefore],
  );
  const records = new Map(seenRows.map((r) => [r.id, fromRow(r)]));
  const jobOfDelivery = new Map(seenRows.map((r) => [r.delivery_id, r.id]));
  const { rows: activeRows } = await c.query<{
    id: string;
    seq: string;
    key: string;
    kind: string;
    state: string;
    cancel_requested: boolean;
  }>(
    "SELECT id, seq, key, kind, state, cancel_requested FROM jobs WHERE key = ANY($1) AND state IN ('queued', 'running')",
    [keys],
  );
  const active: Active[] = activeRows.map((r) => ({
    id: r.id,
    seq: Number(r.seq),
    key: r.key,
    kind: r.kind as JobKind,
    state: r.state as JobState,
    cancelRequested: r.cancel_requested,
  }));

  const fresher = new Map<string, StoredJob>(); // made by this batch, by id
  const merges = new Map<string, Planned[]>(); // existing queued job id → triggers to add
  /** byBatch: the job was decided in this batch (not a delivery seen in an earlier one). */
  const outcome: { id: string; status: EnqueueResult["status"]; byBatch: boolean }[] = [];
  const newJob = (p: Planned) => {
    const stored = newStoredJob(p.job, p.id, Number.MAX_SAFE_INTEGER, p.at);
    fresher.set(p.id, stored);
    active.push({
      id: p.id,
      seq: Number.MAX_SAFE_INTEGER - 1e6 + fresher.size,
      key: p.key,
      kind: p.job.kind,
      state: "queued",
      cancelRequested: false,
    });
    return p.id;
  };
  for (const p of batch) {
    const deliveryId = p.job.trigger.deliveryId;
    const earlier = jobOfDelivery.get(deliveryId);
    if (earlier) {
      outcome.push({ id: earlier, status: "duplicate", byBatch: !seenBefore.includes(deliveryId) });
      continue;
    }
    // A delivery whose job is gone (retention) makes a new one, like a fresh one.
    const target = coalesceTarget(active, p.key, p.job.kind);
    let id: string;
    if (target && fresher.has(target)) {
      fresher.get(target)!.triggers.push(p.job.trigger);
      id = target;
    } else if (target) {
      merges.set(target, [...(merges.get(target) ?? []), p]);
      id = target;
    } else {
      id = newJob(p);
    }
    jobOfDelivery.set(deliveryId, id);
    outcome.push({ id, status: id === p.id ? "enqueued" : "coalesced", byBatch: true });
  }

  for (const [target, items] of merges) {
    // Guarded: a claim may have started the target since the read above; then the triggers make a new job.
    const { rows } = await c.query<JobRow>(
      `UPDATE jobs SET triggers = (triggers::jsonb || $2::jsonb)::text, updated_at = $3
       WHERE id = $1 AND state = 'queued' AND NOT cancel_requested RETURNING *`,
      [target, JSON.stringify(items.map((p) => p.job.trigger)), items.at(-1)!.at.toISOString()],
    );
    if (rows[0]) {
      records.set(target, fromRow(rows[0]));
      continue;
    }
    const first = items[0]!;
    const id = newJob(first);
    fresher.get(id)!.triggers.push(...items.slice(1).map((p) => p.job.trigger));
    for (const o of outcome) if (o.id === target && o.byBatch) o.id = id;
    outcome[batch.indexOf(first)]!.status = "enqueued";
    for (const p of items) jobOfDelivery.set(p.job.trigger.deliveryId, id);
  }

  if (fresher.size > 0) {
    const made = [...fresher.values()];
    const plannedOf = new Map(batch.map((p) => [p.id, p]));
    const { rows } = await c.query<{ id: string; seq: string }>(
      `INSERT INTO jobs (id, key, kind, installation_id, state, job, triggers, created_at, updated_at)
       SELECT id, key, kind, inst, 'queued', job, triggers, at, at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
         AS t(id, key, kind, inst, job, triggers, at, n)
       ORDER BY n RETURNING id, seq`,
      [
        made.map((j) => j.id),
        made.map((j) => j.key),
        made.map((j) => j.kind),
        made.map((j) => j.installationId),
        made.map((j) => plannedOf.get(j.id)!.json),
        made.map((j) => JSON.stringify(j.triggers)),
        made.map((j) => j.createdAt),
      ],
    );
    for (const r of rows) records.set(r.id, { ...fresher.get(r.id)!, seq: Number(r.seq) });
    await c.query("SELECT pg_notify($1, '')", [WAKE_CHANNEL]);
  }
  const owned = [...jobOfDelivery.entries()].filter(([d]) => !seenRows.some((r) => r.delivery_id === d));
  await c.query(
    "UPDATE deliveries SET job_id = t.j FROM unnest($1::text[], $2::text[]) AS t(d, j) WHERE delivery_id = t.d",
    [owned.map(([d]) => d), owned.map(([, j]) => j)],
  );
  return outcome.map((o) => ({ job: publicRecord(records.get(o.id)!), status: o.status }));
}
