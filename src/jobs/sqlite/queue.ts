// The embedded durable queue: the SQLite store behind the shared worker loop.
import path from "node:path";
import type { QueueOptions } from "../store-queue.ts";
import { StoreQueue } from "../store-queue.ts";
import type { OpenOptions } from "./open.ts";
import { SqliteStore } from "./store.ts";

/** The embedded durable queue: `<dataDir>/jobs.db`. */
export class SqliteQueue extends StoreQueue {
  readonly file: string;

  constructor(file: string, options: QueueOptions & OpenOptions = {}) {
    super(new SqliteStore(file, options), options);
    this.file = file;
  }

  static fileIn(dataDir: string): string {
    return path.join(dataDir, "jobs.db");
  }
}
