// Wake-ups between processes: one connection per process LISTENs on the jobs
// channel; every enqueue, release, cancel and end NOTIFYs on commit, so idle
// workers elsewhere claim at once instead of polling (ARCHITECTURE.md §3).
// The connection comes back by itself after a database restart, and says
// "wake" when it does: notifications sent while it was away are lost.
import pg from "pg";
import { errorMessage } from "../../errors.ts";
import type { QueueLog } from "../worker-settings.ts";
import { WAKE_CHANNEL } from "./locks.ts";

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5_000;

export class WakeListener {
  readonly #url: string;
  readonly #log: QueueLog | undefined;
  readonly #listeners = new Set<() => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #retryMs = RETRY_MIN_MS;
  #timer: NodeJS.Timeout | undefined;

  constructor(url: string, log?: QueueLog) {
    this.#url = url;
    this.#log = log;
  }

  /** Connect and LISTEN; on failure keep trying in the background (polling covers the gap). */
  async start(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#url,
      application_name: "issuesmith-listen",
      connectionTimeoutMillis: 5_000,
    });
    client.on("error", (error) => this.#lost(client, error));
    client.on("end", () => this.#lost(client, new Error("connection closed")));
    client.on("notification", () => this.#emit());
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}`);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    const wasAway = this.#retryMs > RETRY_MIN_MS;
    this.#client = client;
    this.#retryMs = RETRY_MIN_MS;
    if (wasAway) {
      this.#log?.info({}, "job wake-ups listening again");
      this.#emit();
    }
  }

  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get listening(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #emit(): void {
    for (const fn of this.#listeners) fn();
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== undefined && this.#client !== client) return;
    const wasListening = this.#client === client;
    this.#client = undefined;
    client.removeAllListeners("end");
    client.end().catch(() => {});
    if (this.#closed || this.#timer) return;
    if (wasListening)
      this.#log?.warn({ err: errorMessage(error) }, "job wake-up connection lost; reconnecting (polling meanwhile)");
    const wait = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // start() turns a failed connect into another retry; anything else is a bug, logged.
      void this.start().catch((err: unknown) =>
        this.#log?.error({ err: errorMessage(err) }, "job wake-up reconnect crashed"),
      );
    }, wait);
    this.#timer.unref();
  }
}
