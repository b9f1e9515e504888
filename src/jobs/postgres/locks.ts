// Advisory lock names of the PostgreSQL job store (two-int form: namespace,
// object), so they cannot meet another application's one-bigint locks.
export const LOCK_NS = 0x15517;
/** Held while migrations run. */
export const MIGRATE_LOCK = 1;
/** Held by a claim while it picks: claims decide one at a time (ARCHITECTURE.md §3; bench/queue.ts measures it). */
export const CLAIM_LOCK = 2;
/** Namespace of per-key locks an enqueue holds while it coalesces: object = hashtext(key). */
export const KEY_NS = 0x15518;
/** The channel workers LISTEN on: a job may have become runnable. */
export const WAKE_CHANNEL = "issuesmith_jobs";
