// The scale-out store on Redis: many webhook receivers and workers, on many
// machines, sharing one server. Every step that decides is an optimistic
// transaction (WATCH a revision counter, read, decide with rules.ts, MULTI …
// EXEC, retry on conflict), so the same rules hold across processes.
import type { Redis } from "ioredis";
import type { ConnectOptions } from "./redis-connect.ts";
import { connectRedis } from "./redis-connect.ts";
import { DELIVERY_TTL_MS, cancelledOutcome, coalesceTarget, newJobId, newStoredJob, pickNext } from "./rules.ts";
import { toHash } from "./redis-codec.ts";
import { RedisJobData } from "./redis-data.ts";
import type { Write } from "./redis-tx.ts";
import { TxRunner, pipe } from "./redis-tx.ts";
import type { Claimed, HeartbeatResult, JobStore, LeaseOwner, ListFilter, StoredJob, TerminalState } from "./store.ts";
import { emptyCounts, publicRecord } from "./store.ts";
import type { EnqueueResult, JobOutcome, JobPatch, JobRecord, JobState, NewJob } from "../shared/job.ts";
import { TERMINAL_STATES, jobKey } from "../shared/job.ts";

/** Ended jobs stay readable (`jobs show`) this long. */
const ENDED_TTL_S = 30 * 24 * 3600;
const LEASE_FIELDS = ["leaseOwner", "leasePid", "leaseHost", "leaseExp"] as const;

export interface RedisStoreOptions extends ConnectOptions {
  /** Key prefix: several apps (or test runs) can share one server. */
  prefix?: string;
}

export class RedisStore implements JobStore {
  readonly backend = "redis" as const;
  readonly prefix: string;
  readonly #redis: Redis;
  /** Transactions get a connection of their own: WATCH state is per connection. */
  readonly #txConn: Redis;
  readonly #txRunner: TxRunner;
  readonly #data: RedisJobData;
  #pending: { job: NewJob; resolve: (r: EnqueueResult) => void; reject: (e: unknown) => void }[] = [];
  #closed = false;

  private constructor(redis: Redis, txConn: Redis, prefix: string) {
    this.#redis = redis;
    this.#txConn = txConn;
    this.#txRunner = new TxRunner(txConn, `${prefix}:rev`);
    this.#data = new RedisJobData(prefix);
    this.prefix = prefix;
  }

  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redis = await connectRedis(url, options);
    let txConn: Redis;
    try {
      txConn = await connectRedis(url, options);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return new RedisStore(redis, txConn, options.prefix ?? "issuesmith");
  }

  /**
   * Enqueues arriving together (a burst of deliveries) are decided in one
   * transaction: a handful of round trips for the burst instead of a handful
   * for each delivery.
   */
  enqueue(job: NewJob): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ job, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => void this.#flushEnqueues());
    });
  }

  async #flushEnqueues(): Promise<void> {
    const batch = this.#pending.splice(0);
    let outcomes: ({ ok: EnqueueResult } | { error: unknown })[];
    try {
      outcomes = await this.#tx(async (r) => this.#decideEnqueues(r, batch.map((b) => b.job)));
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if ("ok" in o) item.resolve(o.ok);
      else item.reject(o.error);
    });
  }

  async #decideEnqueues(r: Redis, jobs: NewJob[]): Promise<[({ ok: EnqueueResult } | { error: unknown })[], Write | undefined]> {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const items = jobs.map((job) => {
      const id = newJobId(now);
      return { job, id, key: jobKey(job, id), deliveryKey: this.#data.key("delivery", job.trigger.deliveryId) };
    });
    const reads = await pipe(r, items.flatMap((i) => [["get", i.deliveryKey], ["smembers", this.#data.key("bykey", i.key)]]));
    const seen = items.map((_, n) => reads[2 * n] as string | null);
    const members = items.map((_, n) => reads[2 * n + 1] as string[]);
    const known = [...new Set([...seen.filter((id): id is string => id !== null), ...members.flat()])];
    const jobsById = new Map<string, StoredJob>();
    (await this.#data.loadMany(r, known)).forEach((j) => j && jobsById.set(j.id, j));
    const created = items.length > 0 ? await r.incrby(this.#data.key("seq"), items.length) : 0;
    let seq = created - items.length;

    // Later items see what earlier ones of the same batch did.
    const deliveries = new Map<string, string>();
    const byKey = new Map<string, Set<string>>();
    const fresh: StoredJob[] = [];
    const merged = new Set<string>();
    const outcomes = items.map((item, n): { ok: EnqueueResult } | { error: unknown } => {
      try {
        JSON.stringify(item.job); // a job that cannot be stored fails here, alone
        const existingId = deliveries.get(item.job.trigger.deliveryId) ?? seen[n];
        const existing = existingId ? jobsById.get(existingId) : undefined;
        if (existing) return { ok: { job: publicRecord(existing), status: "duplicate" } };
        const sameKey = byKey.get(item.key) ?? new Set(members[n]);
        byKey.set(item.key, sameKey);
        const active = [...sameKey].map((id) => jobsById.get(id)).filter((j): j is StoredJob => j !== undefined && (j.state === "queued" || j.state === "running"));
        const targetId = coalesceTarget(active, item.key, item.job.kind);
        const target = targetId ? jobsById.get(targetId) : undefined;
        if (target) {
          target.triggers.push(item.job.trigger);
          target.updatedAt = at;
          merged.add(target.id);
          deliveries.set(item.job.trigger.deliveryId, target.id);
          return { ok: { job: publicRecord(structuredClone(target)), status: "coalesced" } };
        }
        const stored = newStoredJob(item.job, item.id, ++seq, new Date(now));
        jobsById.set(stored.id, stored);
        sameKey.add(stored.id);
        fresh.push(stored);
        deliveries.set(item.job.trigger.deliveryId, stored.id);
        return { ok: { job: publicRecord(structuredClone(stored)), status: "enqueued" } };
      } catch (error) {
        return { error };
      }
    });
    if (fresh.length === 0 && merged.size === 0) return [outcomes, undefined];
    const write: Write = (m) => {
      for (const job of fresh) {
        m.hset(this.#data.key("job", job.id), toHash(job));
        m.zadd(this.#data.key("active"), job.seq, job.id);
        m.zadd(this.#data.key("all"), job.seq, job.id);
        m.sadd(this.#data.key("bykey", job.key), job.id);
      }
      for (const id of merged) {
        const job = jobsById.get(id)!;
        m.hset(this.#data.key("job", id), { triggers: JSON.stringify(job.triggers), updatedAt: at });
      }
      for (const [delivery, id] of deliveries) m.set(this.#data.key("delivery", delivery), id, "PX", DELIVERY_TTL_MS);
    };
    return [outcomes, write];
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = await this.#data.load(this.#redis, id);
    return job && publicRecord(job);
  }

  async list(filter: ListFilter): Promise<JobRecord[]> {
    const onlyActive = filter.states !== undefined && filter.states.every((s) => s === "queued" || s === "running");
    const index = this.#data.key(onlyActive ? "active" : "all");
    const limit = filter.limit ?? Infinity;
    const out: JobRecord[] = [];
    const page = 200;
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.#redis.zrevrange(index, start, start + page - 1);
      if (ids.length === 0) break;
      const jobs = await this.#data.loadMany(this.#redis, ids);
      const gone: string[] = [];
      jobs.forEach((job, i) => {
        if (!job) return void gone.push(ids[i]!);
        if (filter.states && !filter.states.includes(job.state)) return;
        if (filter.key && job.key !== filter.key) return;
        if (out.length < limit) out.push(publicRecord(job));
      });
      // Ended jobs expire; drop them from the index as they are met.
      if (gone.length > 0) {
        await this.#redis.zrem(index, ...gone);
        start -= gone.length;
      }
    }
    return out;
  }

  async update(id: string, patch: JobPatch): Promise<void> {
    const fields: Record<string, string> = {};
    if (patch.phase !== undefined) fields.phase = patch.phase;
    if (patch.progressCommentId !== undefined) fields.pcid = String(patch.progressCommentId);
    if (patch.checkpoint !== undefined) fields.checkpoint = JSON.stringify(patch.checkpoint);
    if (Object.keys(fields).length === 0) return;
    // Only fields no scheduling decision reads: no transaction needed, and never a half-made job.
    if ((await this.#redis.exists(this.#data.key("job", id))) === 0) return;
    await this.#redis.hset(this.#data.key("job", id), { ...fields, updatedAt: new Date().toISOString() });
  }

  async cancel(selector: { id: string } | { key: string }): Promise<JobRecord[]> {
    return this.#tx(async (r) => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const ids = "id" in selector ? [selector.id] : await r.smembers(this.#data.key("bykey", selector.key));
      const jobs = (await this.#data.loadMany(r, ids))
        .filter((j): j is StoredJob => j !== undefined && (j.state === "queued" || j.state === "running"))
        .sort((a, b) => a.seq - b.seq);
      const writes: Write[] = [];
      const records = jobs.map((job) => {
        if (job.state === "queued" || (job.lease?.expiresAt ?? 0) <= now) {
          const outcome = cancelledOutcome(job.state === "queued" ? "cancelled before it started" : "cancelled");
          writes.push(this.#end(job.id, job.key, "cancelled", outcome, at));
          return publicRecord({ ...job, state: "cancelled", outcome, finishedAt: at, updatedAt: at });
        }
        writes.push((m) => m.hset(this.#data.key("job", job.id), { cancel: "1", updatedAt: at }));
        return publicRecord({ ...job, cancelRequested: true, updatedAt: at });
      });
      return [records, writes.length ? (m) => writes.forEach((w) => w(m)) : undefined];
    });
  }

  position(id: string): Promise<number | undefined> {
    return this.#data.position(this.#redis, id);
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = emptyCounts();
    for (const e of await this.#data.sched(this.#redis)) counts[e.state]++;
    const ended = await this.#redis.hgetall(this.#data.key("ended"));
    for (const state of TERMINAL_STATES) counts[state] = Number(ended[state] ?? 0);
    return counts;
  }

  async claim(owner: LeaseOwner, perInstallation: number, leaseMs: number): Promise<Claimed | undefined> {
    return this.#tx(async (r) => {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const entries = await this.#data.sched(r);
      const { pick, cancelOrphans } = pickNext(entries, perInstallation, now);
      const keyOf = new Map(entries.map((e) => [e.id, e.key]));
      const writes: Write[] = cancelOrphans.map((id) =>
        this.#end(id, keyOf.get(id) ?? "", "cancelled", cancelledOutcome("cancelled (its worker had stopped)"), at),
      );
      let claimed: Claimed | undefined;
      const job = pick && (await this.#data.load(r, pick.id));
      if (pick && job) {
        const resumed = pick.orphan || job.resumeNext;
        const lease = { owner: owner.id, pid: owner.pid, host: owner.host, expiresAt: now + leaseMs };
        const running: StoredJob = { ...job, state: "running", attempts: job.attempts + 1, resumeNext: false, startedAt: at, updatedAt: at, lease };
        writes.push((m) =>
          m.hset(this.#data.key("job", job.id), {
            state: "running",
            attempts: String(running.attempts),
            resume: "0",
            startedAt: at,
            updatedAt: at,
            leaseOwner: lease.owner,
            leasePid: String(lease.pid),
            leaseHost: lease.host,
            leaseExp: String(lease.expiresAt),
          }),
        );
        claimed = { job: publicRecord(running), resumed };
      }
      return [claimed, writes.length ? (m) => writes.forEach((w) => w(m)) : undefined];
    });
  }

  async heartbeat(owner: LeaseOwner, ids: string[], leaseMs: number): Promise<HeartbeatResult> {
    return this.#tx(async (r) => {
      const result: HeartbeatResult = { cancelRequested: [], lost: [] };
      const rows = await pipe(r, ids.map((id) => ["hmget", this.#data.key("job", id), "state", "leaseOwner", "cancel"]));
      const held: string[] = [];
      ids.forEach((id, i) => {
        const [state, leaseOwner, cancel] = (rows[i] ?? []) as (string | null)[];
        if (state !== "running" || leaseOwner !== owner.id) return void result.lost.push(id);
        held.push(id);
        if (cancel === "1") result.cancelRequested.push(id);
      });
      const expiresAt = String(Date.now() + leaseMs);
      const write: Write | undefined = held.length ? (m) => held.forEach((id) => m.hset(this.#data.key("job", id), "leaseExp", expiresAt)) : undefined;
      return [result, write];
    });
  }

  async finish(id: string, owner: LeaseOwner, state: TerminalState, outcome: JobOutcome): Promise<JobRecord | undefined> {
    return this.#tx(async (r) => {
      const job = await this.#data.load(r, id);
      if (!job || job.state !== "running" || job.lease?.owner !== owner.id) return [undefined, undefined];
      const at = new Date().toISOString();
      const ended = publicRecord({ ...job, state, outcome, finishedAt: at, updatedAt: at, lease: undefined });
      return [ended, this.#end(id, job.key, state, outcome, at)];
    });
  }

  async release(id: string, owner: LeaseOwner, opts: { runAfter: number; resume: boolean }): Promise<void> {
    await this.#tx(async (r) => {
      const [state, leaseOwner] = await r.hmget(this.#data.key("job", id), "state", "leaseOwner");
      if (state !== "running" || leaseOwner !== owner.id) return [undefined, undefined];
      const write: Write = (m) => {
        m.hset(this.#data.key("job", id), { state: "queued", runAfter: String(opts.runAfter), resume: opts.resume ? "1" : "0", updatedAt: new Date().toISOString() });
        m.hdel(this.#data.key("job", id), ...LEASE_FIELDS);
      };
      return [undefined, write];
    });
  }

  /** A list per job; its expiry is pushed on with every batch, so it outlives the job's own record. */
  async appendTrajectory(jobId: string, records: string[]): Promise<void> {
    if (records.length === 0) return;
    const key = this.#data.key("trajectory", jobId);
    await pipe(this.#redis, [["rpush", key, ...records], ["expire", key, String(ENDED_TTL_S)]]);
  }

  async readTrajectory(jobId: string): Promise<string[]> {
    return this.#redis.lrange(this.#data.key("trajectory", jobId), 0, -1);
  }

  async ping(): Promise<boolean> {
    try {
      const answer = await Promise.race([this.#redis.ping(), new Promise<string>((r) => setTimeout(() => r("timeout"), 1_000).unref())]);
      return answer === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pending.length > 0) await this.#flushEnqueues();
    await this.#txRunner.idle();
    await Promise.all([this.#redis, this.#txConn].map((c) => c.quit().catch(() => c.disconnect())));
  }

  /** The writes that end a job: state, outcome, out of the active index, expiry, counted. */
  #end(id: string, jobKey: string, state: TerminalState, outcome: JobOutcome, at: string): Write {
    return (m) => {
      const key = this.#data.key("job", id);
      m.hset(key, { state, outcome: JSON.stringify(outcome), finishedAt: at, updatedAt: at });
      m.hdel(key, ...LEASE_FIELDS);
      m.zrem(this.#data.key("active"), id);
      m.srem(this.#data.key("bykey", jobKey), id);
      m.expire(key, ENDED_TTL_S);
      m.hincrby(this.#data.key("ended"), state, 1);
    };
  }

  #tx<T>(fn: (r: Redis) => Promise<[T, Write | undefined]>): Promise<T> {
    return this.#txRunner.run(fn);
  }

}
