// The real Redis the Redis tests run against: 127.0.0.1:6379 (or
// TEST_REDIS_URL). Each test gets its own key prefix and removes its keys.
// These tests never skip: without a server they fail saying how to start one.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export async function requireRedis(): Promise<void> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
  probe.on("error", () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${(error as Error).message}). ` +
        "Start one: `apt-get install -y redis-server && redis-server --daemonize yes` (.ci/run does this). These tests do not skip.",
    );
  } finally {
    probe.disconnect();
  }
}

export function testPrefix(): string {
  return `issuesmith-test:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
