// The PostgreSQL store across processes and connections: crashes, wake-ups
// without polling, dropped connections, several processes starting at once,
// and start-up failures an operator can act on.
import { tmpdir } from "node:os";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { UserError } from "../../src/errors.ts";
import { createQueue } from "../../src/jobs/create-queue.ts";
import { createJobMetrics } from "../../src/jobs/metrics.ts";
import { migrate, migrations } from "../../src/jobs/postgres/migrate.ts";
import { PostgresQueue } from "../../src/jobs/postgres/queue.ts";
import { PostgresStore } from "../../src/jobs/postgres/store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import type { Worker } from "../../src/shared/job.ts";
import { crashAndResume } from "./crash.ts";
import { done, newJob, waitFor } from "./helpers.ts";
import { databaseUrl, emptyTables, requirePostgres, terminateConnections, testDatabase } from "./postgres-support.ts";

const quiet = () => ({ metrics: createJobMetrics({ processMetrics: false }) });
/** Far longer than any wait below: only a wake-up can start the job in time. */
const NO_POLL = { leaseMs: 5_000, heartbeatMs: 100, pollMs: 600_000 };

let db: Awaited<ReturnType<typeof testDatabase>>;
const open: { close(): Promise<void> }[] = [];
const workers: Worker[] = [];
beforeAll(async () => {
  await requirePostgres();
  db = await testDatabase();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(0)));
  for (const q of open.splice(0)) await q.close();
  await emptyTables(db.url);
});
afterAll(() => db?.drop());

async function queue(tuning: Partial<typeof NO_POLL> = NO_POLL): Promise<StoreQueue> {
  const q = new StoreQueue(await PostgresStore.connect(db.url), { tuning });
  open.push(q);
  return q;
}

const ended = (q: StoreQueue, id: string, timeoutMs = 5_000) =>
  waitFor(
    async () => {
      const j = await q.get(id);
      return j?.state === "succeeded" ? j : undefined;
    },
    `job ${id} to succeed`,
    timeoutMs,
  );

describe("postgres job store across processes", () => {
  it("resumes a job whose worker process was killed with SIGKILL once its lease lapses, never while it lived", async () => {
    const q = await queue({ leaseMs: 1_500, heartbeatMs: 100, pollMs: 50 });
    const tookMs = await crashAndResume(q, ["postgres", db.url, "1500"], 3_000);
    expect(tookMs).toBeLessThan(5_000);
  });

  it("keeps jobs and deliveries for a new connection", async () => {
    const first = await queue();
    const { job } = await first.enqueue(newJob({ deliveryId: "d-pg" }));
    await first.close();
    const second = await queue();
    expect(await second.get(job.id)).toMatchObject({ state: "queued" });
    expect((await second.enqueue(newJob({ deliveryId: "d-pg" }))).status).toBe("duplicate");
  });

  it("wakes an idle worker when another process enqueues, without waiting for a poll", async () => {
    const workerSide = await queue();
    const receiver = await queue();
    const ran: string[] = [];
    workers.push(workerSide.work(async (j) => (ran.push(j.id), done()), { concurrency: 1, perInstallation: 1 }));
    await new Promise((r) => setTimeout(r, 300)); // the worker's first look found nothing
    const { job } = await receiver.enqueue(newJob());
    await ended(receiver, job.id, 3_000);
    expect(ran).toEqual([job.id]);
  });

  it("keeps working, wake-ups included, after every connection to the database was cut", async () => {
    const workerSide = await queue();
    const receiver = await queue();
    workers.push(workerSide.work(async () => done(), { concurrency: 1, perInstallation: 1 }));
    const { job: before } = await receiver.enqueue(newJob());
    await ended(receiver, before.id);

    expect(await terminateConnections(db.name)).toBeGreaterThan(0);
    // The first statements may meet a dead connection; the store answers again within a few tries.
    const { job: after } = await waitFor(
      () => receiver.enqueue(newJob()).catch(() => undefined),
      "an enqueue after the cut",
      10_000,
    );
    await ended(receiver, after.id, 10_000);
  });

  it("takes one job from two receivers given the same delivery at once, and coalesces same-issue triggers across them", async () => {
    const a = await queue();
    const b = await queue();
    const results = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).enqueue(newJob({ deliveryId: "same", number: 900 }))),
      ...Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).enqueue(newJob({ number: 901 }))),
    ]);
    expect(new Set(results.slice(0, 10).map((r) => r.job.id)).size).toBe(1);
    expect(results.slice(0, 10).filter((r) => r.status === "enqueued")).toHaveLength(1);
    const second = results.slice(10);
    expect(new Set(second.map((r) => r.job.id)).size).toBe(1);
    expect(second.filter((r) => r.status === "enqueued")).toHaveLength(1);
    expect((await a.get(second[0]!.job.id))?.triggers).toHaveLength(10);
  });
});

describe("postgres enqueue bursts", () => {
  it("takes a burst together, deduping and coalescing inside it, failing only the job it cannot store", async () => {
    const q = await queue();
    const bad = newJob();
    (bad.trigger as { text?: unknown }).text = 10n; // JSON cannot hold a BigInt
    const jobs = [
      ...Array.from({ length: 30 }, () => newJob()),
      newJob({ deliveryId: "twice", number: 500 }),
      newJob({ deliveryId: "twice", number: 500 }),
      newJob({ number: 500 }),
      bad,
    ];
    const results = await Promise.allSettled(jobs.map((j) => q.enqueue(j)));
    const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.status : "rejected"));
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill("enqueued"));
    expect(statuses.slice(30)).toEqual(["enqueued", "duplicate", "coalesced", "rejected"]);
    const merged = await q.get((results[30] as PromiseFulfilledResult<{ job: { id: string } }>).value.job.id);
    expect(merged?.triggers).toHaveLength(2);
    expect(await q.list({})).toHaveLength(31);
  });

  it("merges a burst's triggers into a job queued earlier, and makes a new job once that one has started", async () => {
    const q = await queue();
    const { job: first } = await q.enqueue(newJob({ number: 600 }));
    const [a, b] = await Promise.all([q.enqueue(newJob({ number: 600 })), q.enqueue(newJob({ number: 600 }))]);
    expect([a.status, b.status, a.job.id, b.job.id]).toEqual(["coalesced", "coalesced", first.id, first.id]);
    expect((await q.get(first.id))?.triggers).toHaveLength(3);
    const owner = { id: "w", pid: process.pid, host: "here" };
    const store = await PostgresStore.connect(db.url);
    open.push(store);
    expect((await store.claim(owner, 5, 60_000))?.job.id).toBe(first.id);
    const [c, d] = await Promise.all([q.enqueue(newJob({ number: 600 })), q.enqueue(newJob({ number: 600 }))]);
    expect([c.status, d.status]).toEqual(["enqueued", "coalesced"]);
    expect(d.job.id).toBe(c.job.id);
    expect(c.job.id).not.toBe(first.id);
  });
});

describe("postgres schema migrations", () => {
  it("migrates once when several processes start on an empty database at the same moment", async () => {
    const fresh = await testDatabase();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.connect(fresh.url)));
      await Promise.all(stores.map((s) => s.close()));
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const { rows } = await client.query("SELECT version, name FROM schema_migrations ORDER BY version");
      await client.end();
      expect(rows).toEqual([
        { version: 1, name: "001_jobs.sql" },
        { version: 2, name: "002_cancel_reason_model.sql" },
      ]);
    } finally {
      await fresh.drop();
    }
  });

  it("brings a database an older issuesmith made up to date: its jobs read back, without a model or cancel reason", async () => {
    const fresh = await testDatabase();
    try {
      const pool = new pg.Pool({ connectionString: fresh.url });
      const client = await pool.connect();
      await migrate(client, fresh.name, migrations().slice(0, 1));
      await client.query(
        `INSERT INTO jobs (id, key, kind, installation_id, state, job, triggers, created_at, updated_at)
         VALUES ('old-1', 'octo/app#1', 'fix', 1, 'succeeded', $1, '[]', 'x', 'x')`,
        [JSON.stringify(newJob())],
      );
      client.release();
      await pool.end();
      const store = await PostgresStore.connect(fresh.url);
      try {
        expect(await store.get("old-1")).toMatchObject({ id: "old-1", model: undefined, cancelReason: undefined });
        await store.update("old-1", { model: "gpt-4.1" });
        expect((await store.get("old-1"))?.model).toBe("gpt-4.1");
      } finally {
        await store.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  it("refuses a database a newer issuesmith migrated, naming both versions", async () => {
    const fresh = await testDatabase();
    try {
      await (await PostgresStore.connect(fresh.url)).close();
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      await client.query("INSERT INTO schema_migrations (version, name) VALUES (7, '007_future.sql')");
      await client.end();
      const error = await PostgresStore.connect(fresh.url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/newer issuesmith \(schema 7, this one knows 2\)/);
    } finally {
      await fresh.drop();
    }
  });
});

describe("postgres job store at start-up", () => {
  it("rejects quickly with a UserError naming the URL (password hidden) when PostgreSQL does not answer", async () => {
    const env = loadEnv({
      AGENT_QUEUE: "postgres",
      AGENT_DATABASE_URL: "postgres://issuesmith:s3cret@127.0.0.1:1/jobs",
    });
    const t0 = Date.now();
    const error = await createQueue(env, undefined, quiet()).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(
      /^cannot reach the job store PostgreSQL at postgres:\/\/issuesmith:\*\*\*@127\.0\.0\.1:1\/jobs: .*ECONNREFUSED/,
    );
    expect(JSON.stringify(error)).not.toContain("s3cret");
    expect((error as UserError).details.join(" ")).toMatch(/pg_isready/);
  });

  it("says how to create a database that does not exist", async () => {
    const env = loadEnv({ AGENT_QUEUE: "postgres", AGENT_DATABASE_URL: databaseUrl("issuesmith_no_such_db") });
    const error = await createQueue(env, undefined, quiet()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/database issuesmith_no_such_db does not exist/);
    expect((error as UserError).details.join(" ")).toMatch(/createdb/);
  });

  it("opens the PostgreSQL queue named by the environment, polling only as a safety net", async () => {
    const env = loadEnv({ AGENT_QUEUE: "postgres", AGENT_DATABASE_URL: db.url });
    const q = await createQueue(env, undefined, quiet());
    open.push(q);
    expect(q).toBeInstanceOf(PostgresQueue);
    expect(q.backend).toBe("postgres");
    expect(await q.ping()).toBe(true);
  });

  it("refuses AGENT_QUEUE=redis, pointing to the migration note", () => {
    const error = (() => {
      try {
        loadEnv({ AGENT_QUEUE: "redis" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).details.join(" ")).toMatch(
      /AGENT_QUEUE: redis is no longer supported.*AGENT_QUEUE=postgres.*Moving from Redis to PostgreSQL/,
    );
  });

  it("`issuesmith jobs list` on a database that does not exist says so in one message, not a stack trace", async () => {
    const { execFile } = await import("node:child_process");
    const bin = new URL("../../bin/issuesmith.js", import.meta.url).pathname;
    const env = {
      ...process.env,
      AGENT_QUEUE: "postgres",
      AGENT_DATABASE_URL: databaseUrl("issuesmith_no_such_db").replace("postgres@", "postgres:s3cret@"),
    };
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [bin, "jobs", "list"], { env, cwd: tmpdir() }, (_e, _out, err) =>
        resolve({ code: child.exitCode, stderr: err }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^issuesmith: the job store database issuesmith_no_such_db does not exist on postgres:\/\/postgres:\*\*\*@/,
    );
    expect(stderr).toMatch(/createdb/);
    expect(stderr).not.toMatch(/\n\s+at |s3cret/);
  });

  it("asks for AGENT_DATABASE_URL with AGENT_QUEUE=postgres", () => {
    expect(() => loadEnv({ AGENT_QUEUE: "postgres" })).toThrow(UserError);
    expect(() => loadEnv({ AGENT_QUEUE: "postgres", AGENT_DATABASE_URL: "mysql://x/y" })).toThrow(UserError);
  });
});
