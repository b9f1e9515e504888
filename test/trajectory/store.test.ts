// Trajectories are kept with the job, in the job's own backend: a page
// served by one process reads what a worker in another process wrote.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/jobs/memory/store.ts";
import { RedisStore } from "../../src/jobs/redis-store.ts";
import { SqliteStore } from "../../src/jobs/sqlite/store.ts";
import type { JobStore } from "../../src/jobs/store.ts";
import { REDIS_URL, dropPrefix, requireRedis, testPrefix } from "../jobs/redis-support.ts";

interface Backend {
  name: string;
  /** Two handles on the same stored data, as two processes would hold them. */
  open(): Promise<{ writer: JobStore; reader: JobStore; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "memory",
    open: async () => {
      const store = new MemoryStore();
      return { writer: store, reader: store, cleanup: async () => {} };
    },
  },
  {
    name: "sqlite",
    open: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "trajectory-sqlite-"));
      const file = path.join(dir, "jobs.db");
      const writer = new SqliteStore(file);
      const reader = new SqliteStore(file);
      return {
        writer,
        reader,
        cleanup: async () => {
          await writer.close();
          await reader.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "redis",
    open: async () => {
      const prefix = testPrefix();
      const writer = await RedisStore.connect(REDIS_URL, { prefix });
      const reader = await RedisStore.connect(REDIS_URL, { prefix });
      return {
        writer,
        reader,
        cleanup: async () => {
          await writer.close();
          await reader.close();
          await dropPrefix(prefix);
        },
      };
    },
  },
];

beforeAll(requireRedis);

for (const backend of backends) {
  describe(`trajectory storage: ${backend.name}`, () => {
    let h: Awaited<ReturnType<Backend["open"]>>;
    beforeAll(async () => {
      h = await backend.open();
    });
    afterAll(async () => {
      await h.cleanup();
    });

    it("keeps a job's records in the order the batches were appended, readable from another handle", async () => {
      await h.writer.appendTrajectory("job-a", ['{"n":1}', '{"n":2}']);
      await h.writer.appendTrajectory("job-b", ['{"other":true}']);
      await h.writer.appendTrajectory("job-a", ['{"n":3}']);
      expect(await h.reader.readTrajectory("job-a")).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
      expect(await h.reader.readTrajectory("job-b")).toEqual(['{"other":true}']);
    });

    it("reads an unknown job as no records, and an empty batch writes nothing", async () => {
      await h.writer.appendTrajectory("job-empty", []);
      expect(await h.reader.readTrajectory("job-empty")).toEqual([]);
      expect(await h.reader.readTrajectory("never-seen")).toEqual([]);
    });

    it("stores records of any size and content byte for byte", async () => {
      const big = JSON.stringify({ output: "é\u0000<script>".repeat(20_000) });
      await h.writer.appendTrajectory("job-big", [big]);
      expect(await h.reader.readTrajectory("job-big")).toEqual([big]);
    });
  });
}

describe("trajectory storage: sqlite across restarts", () => {
  it("is still there when the store is opened again", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "trajectory-sqlite-"));
    try {
      const file = path.join(dir, "jobs.db");
      const first = new SqliteStore(file);
      await first.appendTrajectory("job-x", ['{"kept":1}']);
      await first.close();
      const again = new SqliteStore(file);
      expect(await again.readTrajectory("job-x")).toEqual(['{"kept":1}']);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("trajectory storage: redis expiry", () => {
  it("gives a job's records an expiry, so they go when the ended job's record goes", async () => {
    const { Redis } = await import("ioredis");
    const prefix = testPrefix();
    const store = await RedisStore.connect(REDIS_URL, { prefix });
    const raw = new Redis(REDIS_URL);
    try {
      await store.appendTrajectory("job-ttl", ['{"n":1}']);
      const ttl = await raw.ttl(`${prefix}:trajectory:job-ttl`);
      expect(ttl).toBeGreaterThan(29 * 24 * 3600);
    } finally {
      raw.disconnect();
      await store.close();
      await dropPrefix(prefix);
    }
  });
});
