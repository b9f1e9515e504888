// Trajectories are kept with the job, in the job's own backend: a page
// served by one process reads what a worker in another process wrote.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/jobs/memory/store.ts";
import { PostgresStore } from "../../src/jobs/postgres/store.ts";
import { SqliteStore } from "../../src/jobs/sqlite/store.ts";
import type { JobStore } from "../../src/jobs/store.ts";
import { attemptTrajectoryId } from "../../src/shared/job.ts";
import { newJob } from "../jobs/helpers.ts";
import { requirePostgres, testDatabase } from "../jobs/postgres-support.ts";

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
    name: "postgres",
    open: async () => {
      const db = await testDatabase();
      const writer = await PostgresStore.connect(db.url);
      const reader = await PostgresStore.connect(db.url);
      return {
        writer,
        reader,
        cleanup: async () => {
          await writer.close();
          await reader.close();
          await db.drop();
        },
      };
    },
  },
];

beforeAll(requirePostgres);

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

describe("trajectory storage: postgres retention", () => {
  it("drops a job finished before the retention with its records, and keeps newer and unfinished ones", async () => {
    const db = await testDatabase();
    const store = await PostgresStore.connect(db.url, { retentionDays: 30 });
    try {
      const owner = { id: "w1", pid: process.pid, host: "here" };
      const { job: old } = await store.enqueue(newJob());
      const { job: waiting } = await store.enqueue(newJob());
      expect((await store.claim(owner, 5, 60_000))?.job.id).toBe(old.id);
      await store.appendTrajectory(old.id, ['{"n":1}']);
      await store.appendTrajectory(waiting.id, ['{"n":2}']);
      // The trajectories of a job's attempts (attempts: N) go with it.
      await store.appendTrajectory(attemptTrajectoryId(old.id, 2), ['{"n":3}']);
      await store.appendTrajectory(attemptTrajectoryId(waiting.id, 2), ['{"n":4}']);
      await store.finish(old.id, owner, "succeeded", { status: "replied", summary: "ok" });

      // 29 days on: still kept.
      expect(await store.prune(Date.now() + 29 * 24 * 3600_000)).toEqual({ jobs: 0 });
      expect(await store.readTrajectory(old.id)).toEqual(['{"n":1}']);
      // 31 days on: the finished job and its records go; the queued one stays.
      expect(await store.prune(Date.now() + 31 * 24 * 3600_000)).toEqual({ jobs: 1 });
      expect(await store.get(old.id)).toBeUndefined();
      expect(await store.readTrajectory(old.id)).toEqual([]);
      expect(await store.readTrajectory(attemptTrajectoryId(old.id, 2))).toEqual([]);
      expect(await store.readTrajectory(attemptTrajectoryId(waiting.id, 2))).toEqual(['{"n":4}']);
      expect(await store.get(waiting.id)).toMatchObject({ state: "queued" });
      expect(await store.readTrajectory(waiting.id)).toEqual(['{"n":2}']);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
