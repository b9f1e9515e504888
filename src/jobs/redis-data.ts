// Where a job lives in Redis and how it is read back: the key names under a
// prefix, whole jobs, and the few fields a scheduling decision needs. Reads
// only; every write that decides goes through RedisStore's transactions.
import type { Redis } from "ioredis";
import { fromHash } from "./redis-codec.ts";
import { pipe } from "./redis-tx.ts";
import type { SchedEntry } from "./rules.ts";
import type { StoredJob } from "./store.ts";
import type { JobKind, JobState } from "../shared/job.ts";

const SCHED_FIELDS = ["key", "kind", "inst", "seq", "state", "runAfter", "leaseExp", "cancel"] as const;

export class RedisJobData {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** Scheduling fields of every queued or running job. */
  async sched(r: Redis): Promise<(SchedEntry & { kind: JobKind })[]> {
    return this.schedOf(r, await r.zrange(this.key("active"), "0", "-1"));
  }

  /** Scheduling fields of these jobs, leaving out any that are gone or ended. */
  async schedOf(r: Redis, ids: string[]): Promise<(SchedEntry & { kind: JobKind })[]> {
    const rows = await pipe(r, ids.map((id) => ["hmget", this.key("job", id), ...SCHED_FIELDS]));
    const out: (SchedEntry & { kind: JobKind })[] = [];
    ids.forEach((id, i) => {
      const [key, kind, inst, seq, state, runAfter, leaseExp, cancel] = (rows[i] ?? []) as (string | null)[];
      if (!key || (state !== "queued" && state !== "running")) return;
      out.push({
        id,
        key,
        kind: kind as JobKind,
        installationId: Number(inst),
        seq: Number(seq),
        state: state as JobState,
        runAfter: Number(runAfter ?? 0),
        leaseExpiresAt: leaseExp ? Number(leaseExp) : undefined,
        cancelRequested: cancel === "1",
      });
    });
    return out;
  }

  async load(r: Redis, id: string): Promise<StoredJob | undefined> {
    return fromHash(id, await r.hgetall(this.key("job", id)));
  }

  async loadMany(r: Redis, ids: string[]): Promise<(StoredJob | undefined)[]> {
    const rows = await pipe(r, ids.map((id) => ["hgetall", this.key("job", id)]));
    return ids.map((id, i) => fromHash(id, (rows[i] ?? {}) as Record<string, string>));
  }

  /** Queued jobs enqueued before this one, plus one; undefined unless it is queued. */
  async position(r: Redis, id: string): Promise<number | undefined> {
    const [state, seq] = await r.hmget(this.key("job", id), "state", "seq");
    if (state !== "queued" || !seq) return undefined;
    const ahead = await r.zrangebyscore(this.key("active"), "-inf", seq);
    const states = await pipe(r, ahead.map((i) => ["hget", this.key("job", i), "state"]));
    return states.filter((s) => s === "queued").length;
  }
}
