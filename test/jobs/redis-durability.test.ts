import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { UserError } from "../../src/errors.ts";
import { createQueue } from "../../src/jobs/create-queue.ts";
import { createJobMetrics } from "../../src/jobs/metrics.ts";
import { RedisStore } from "../../src/jobs/redis-store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import { crashAndResume } from "./crash.ts";
import { newJob } from "./helpers.ts";
import { REDIS_URL, dropPrefix, requireRedis, testPrefix } from "./redis-support.ts";

beforeAll(requireRedis);

describe("redis job store across processes", () => {
  let prefix: string;
  beforeEach(() => {
    prefix = testPrefix();
  });
  afterEach(() => dropPrefix(prefix));

  it("resumes a job whose worker process was killed with SIGKILL once its lease lapses, never while it lived", async () => {
    const queue = new StoreQueue(await RedisStore.connect(REDIS_URL, { prefix }), { tuning: { leaseMs: 1_500, heartbeatMs: 100, pollMs: 50 } });
    try {
      // Watch for twice the lease: the child's heartbeats must keep the job its own.
      const tookMs = await crashAndResume(queue, ["redis", REDIS_URL, "1500", prefix], 3_000);
      expect(tookMs).toBeLessThan(5_000);
    } finally {
      await queue.close();
    }
  });

  it("keeps jobs and deliveries for a new connection", async () => {
    const first = new StoreQueue(await RedisStore.connect(REDIS_URL, { prefix }));
    const { job } = await first.enqueue(newJob({ deliveryId: "d-redis" }));
    await first.close();
    const second = new StoreQueue(await RedisStore.connect(REDIS_URL, { prefix }));
    expect(await second.get(job.id)).toMatchObject({ state: "queued" });
    expect((await second.enqueue(newJob({ deliveryId: "d-redis" }))).status).toBe("duplicate");
    await second.close();
  });
});

describe("redis job store at start-up", () => {
  it("rejects quickly with a UserError naming the URL (password hidden) when Redis is unreachable", async () => {
    const env = loadEnv({ AGENT_QUEUE: "redis", AGENT_REDIS_URL: "redis://:s3cret@127.0.0.1:1/0" });
    const t0 = Date.now();
    const error = await createQueue(env, undefined, { metrics: createJobMetrics({ processMetrics: false }) }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 \(.*ECONNREFUSED.*\)$/);
    expect((error as UserError).message).not.toContain("s3cret");
    expect((error as UserError).details.join(" ")).toMatch(/redis-server/);
  });

  it("opens the Redis queue named by the environment", async () => {
    const env = loadEnv({ AGENT_QUEUE: "redis", AGENT_REDIS_URL: REDIS_URL });
    const queue = await createQueue(env, undefined, { metrics: createJobMetrics({ processMetrics: false }) });
    expect(queue.backend).toBe("redis");
    expect(await queue.ping()).toBe(true);
    await queue.close();
  });
});

describe("redis enqueue bursts", () => {
  let prefix: string;
  beforeEach(() => {
    prefix = testPrefix();
  });
  afterEach(() => dropPrefix(prefix));

  it("takes a burst together, deduping and coalescing inside it, failing only the job it cannot store", async () => {
    const queue = new StoreQueue(await RedisStore.connect(REDIS_URL, { prefix }));
    const bad = newJob();
    (bad.trigger as { text?: unknown }).text = 10n; // JSON cannot hold a BigInt
    const jobs = [
      ...Array.from({ length: 30 }, () => newJob()),
      newJob({ deliveryId: "twice", number: 500 }),
      newJob({ deliveryId: "twice", number: 500 }),
      newJob({ number: 500 }),
      bad,
    ];
    const results = await Promise.allSettled(jobs.map((j) => queue.enqueue(j)));
    const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.status : "rejected"));
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill("enqueued"));
    expect(statuses.slice(30)).toEqual(["enqueued", "duplicate", "coalesced", "rejected"]);
    const merged = await queue.get((results[30] as PromiseFulfilledResult<{ job: { id: string } }>).value.job.id);
    expect(merged?.triggers).toHaveLength(2);
    expect(await queue.list({})).toHaveLength(31);
    await queue.close();
  });
});
