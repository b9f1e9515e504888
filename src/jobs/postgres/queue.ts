// The PostgreSQL-backed queue: the shared StoreQueue over PostgresStore, with
// a slow safety poll, since wake-ups arrive by LISTEN/NOTIFY (ARCHITECTURE.md §3).
import type { QueueOptions } from "../store-queue.ts";
import { StoreQueue } from "../store-queue.ts";
import type { PostgresOptions } from "./connect.ts";
import { PostgresStore } from "./store.ts";

/** Polls only in case a notification was lost (a dropped listening connection). */
export const SAFETY_POLL_MS = 5_000;

export class PostgresQueue extends StoreQueue {
  readonly where: string;

  private constructor(store: PostgresStore, options: QueueOptions) {
    super(store, options);
    this.where = store.where;
  }

  static async connect(url: string, options: QueueOptions & Omit<PostgresOptions, "log"> = {}): Promise<PostgresQueue> {
    const store = await PostgresStore.connect(url, {
      log: options.log,
      retentionDays: options.retentionDays,
      poolMax: options.poolMax,
    });
    return new PostgresQueue(store, { ...options, tuning: { pollMs: SAFETY_POLL_MS, ...options.tuning } });
  }
}
