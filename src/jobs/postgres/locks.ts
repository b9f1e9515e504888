// Advisory lock names of the PostgreSQL job store (two-int form: namespace,
// object), so they cannot meet another application's one-bigint locks.
export const LOCK_NS = 0x15517;
/** Held while migrations run. */
export const MIGRATE_LOCK = 1;
/**
 * Held by a claim while it picks: claims decide one at a time, with rules.ts's
 * pickNext, exactly as memory and SQLite do (ARCHITECTURE.md §3). Measured
 * against the rules in SQL with FOR UPDATE SKIP LOCKED (bench/workers.ts, 400
 * jobs, 2 cores under load 24): 2 processes 3312 vs 3587 jobs/min, 4
 * processes 3089 vs 3311, claim p50 the same, p99 140/250 ms vs 98/167 ms.
 * Within this machine's noise, so the one set of rules stays; SKIP LOCKED is
 * the path if claims on a deep backlog (every claim reads the active jobs)
 * ever dominate.
 */
export const CLAIM_LOCK = 2;
/** Namespace of per-key locks an enqueue holds while it coalesces: object = hashtext(key). */
export const KEY_NS = 0x15518;
/** The channel workers LISTEN on: a job may have become runnable. */
export const WAKE_CHANNEL = "issuesmith_jobs";
