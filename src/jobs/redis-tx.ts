// Optimistic transactions on Redis: WATCH a revision counter, read, decide,
// then MULTI … EXEC with a bump of the revision; retried when another process
// changed anything meanwhile. This is what makes the shared rules hold across
// processes without writing them again in Lua.
import type { ChainableCommander, Redis } from "ioredis";
import { Transient } from "../errors.ts";

/** The writes a decision makes, queued into MULTI. */
export type Write = (m: ChainableCommander) => void;

const MAX_TRIES = 100;

export class TxRunner {
  readonly #conn: Redis;
  readonly #rev: string;
  #tail: Promise<unknown> = Promise.resolve();

  /** `conn` must be used by nothing else: WATCH belongs to the connection. */
  constructor(conn: Redis, revKey: string) {
    this.#conn = conn;
    this.#rev = revKey;
  }

  /** Run one transaction; transactions of this process run one at a time. */
  run<T>(decide: (r: Redis) => Promise<[T, Write | undefined]>): Promise<T> {
    const attempt = () => this.#attempt(decide);
    const result = this.#tail.then(attempt, attempt);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when no transaction is running or waiting. */
  async idle(): Promise<void> {
    await this.#tail;
  }

  async #attempt<T>(decide: (r: Redis) => Promise<[T, Write | undefined]>): Promise<T> {
    const r = this.#conn;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      await r.watch(this.#rev);
      let decided: [T, Write | undefined];
      try {
        decided = await decide(r);
      } catch (error) {
        await r.unwatch().catch(() => undefined);
        throw error;
      }
      const [result, write] = decided;
      if (!write) {
        await r.unwatch();
        return result;
      }
      const m = r.multi();
      write(m);
      m.incr(this.#rev);
      const replies = await m.exec();
      if (replies) {
        const failed = replies.find(([error]) => error);
        if (failed) throw failed[0];
        return result;
      }
      // Someone else committed first: back off a little, at random, and decide again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt + 1, 10)));
    }
    throw new Transient("the Redis job store is too busy (a transaction kept conflicting); try again");
  }
}

/** Send commands in one round trip; the first error fails the whole. */
export async function pipe(r: Redis, commands: string[][]): Promise<unknown[]> {
  if (commands.length === 0) return [];
  const replies = (await r.pipeline(commands).exec()) ?? [];
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
