// The Redis-backed queue: `AGENT_QUEUE=redis`, `AGENT_REDIS_URL`: the shared
// queue logic (StoreQueue) over the Redis job store.
import { RedisStore, type RedisStoreOptions } from "./redis-store.ts";
import type { QueueOptions } from "./store-queue.ts";
import { StoreQueue } from "./store-queue.ts";

/** The Redis-backed queue: `AGENT_QUEUE=redis`, `AGENT_REDIS_URL`. */
export class RedisQueue extends StoreQueue {
  readonly prefix: string;

  private constructor(store: RedisStore, options: QueueOptions) {
    super(store, options);
    this.prefix = store.prefix;
  }

  static async connect(url: string, options: QueueOptions & RedisStoreOptions = {}): Promise<RedisQueue> {
    const store = await RedisStore.connect(url, { ...options, log: options.log });
    return new RedisQueue(store, options);
  }
}
