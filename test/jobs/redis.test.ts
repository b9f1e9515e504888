import { beforeAll } from "vitest";
import { RedisStore } from "../../src/jobs/redis-store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import { queueContract } from "./contract.ts";
import { REDIS_URL, dropPrefix, requireRedis, testPrefix } from "./redis-support.ts";

beforeAll(requireRedis);

queueContract("redis", async (tuning) => {
  const prefix = testPrefix();
  const store = await RedisStore.connect(REDIS_URL, { prefix });
  return {
    queue: new StoreQueue(store, { tuning }),
    store,
    peer: async () => new StoreQueue(await RedisStore.connect(REDIS_URL, { prefix }), { tuning }),
    cleanup: () => dropPrefix(prefix),
  };
});
