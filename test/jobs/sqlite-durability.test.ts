import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { SqliteQueue } from "../../src/jobs/sqlite/queue.ts";
import { SqliteStore } from "../../src/jobs/sqlite/store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import { crashAndResume } from "./crash.ts";
import { newJob } from "./helpers.ts";

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "jobs-durable-"));
  file = path.join(dir, "jobs.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("sqlite job store across processes", () => {
  it("keeps queued jobs, deliveries and checkpoints across a reopen", async () => {
    const first = new SqliteQueue(file);
    const { job } = await first.enqueue(newJob({ deliveryId: "d-keep" }));
    await first.update(job.id, { checkpoint: { branch: "agent/1" }, progressCommentId: 5 });
    await first.close();

    const second = new SqliteQueue(file);
    expect(await second.get(job.id)).toMatchObject({
      state: "queued",
      checkpoint: { branch: "agent/1" },
      progressCommentId: 5,
    });
    expect((await second.enqueue(newJob({ deliveryId: "d-keep" }))).status).toBe("duplicate");
    await second.close();
  });

  it("takes a burst of enqueues together, deduping inside it, failing only the job it cannot store", async () => {
    const queue = new SqliteQueue(file);
    const bad = newJob();
    (bad.trigger as { text?: unknown }).text = 10n; // JSON cannot hold a BigInt
    const jobs = [
      ...Array.from({ length: 30 }, () => newJob()),
      newJob({ deliveryId: "twice" }),
      newJob({ deliveryId: "twice" }),
      bad,
    ];
    const results = await Promise.allSettled(jobs.map((j) => queue.enqueue(j)));
    const statuses = results.map((r) => (r.status === "fulfilled" ? r.value.status : "rejected"));
    expect(statuses.filter((s) => s === "enqueued")).toHaveLength(31);
    expect(statuses.slice(30)).toEqual(["enqueued", "duplicate", "rejected"]);
    expect(await queue.list({})).toHaveLength(31);
    await queue.close();
  });

  it("resumes a job whose worker process was killed with SIGKILL, at the next worker's start, long before the lease ends", async () => {
    const queue = new StoreQueue(new SqliteStore(file), { tuning: { leaseMs: 60_000, heartbeatMs: 100, pollMs: 50 } });
    try {
      // The child's lease is a minute: only the dead-pid check can explain a quick takeover.
      const tookMs = await crashAndResume(queue, ["sqlite", file, "60000"], 600);
      expect(tookMs).toBeLessThan(5_000);
    } finally {
      await queue.close();
    }
  });
});

describe("sqlite job store at start-up", () => {
  it("refuses a file that is not a database, naming it and the fix, and leaves it untouched", () => {
    const junk = Buffer.from("this is not a database at all\n".repeat(200));
    writeFileSync(file, junk);
    const error = thrown(() => new SqliteStore(file));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(file);
    expect((error as UserError).message).toMatch(/not a readable SQLite database/);
    expect((error as UserError).details.join(" ")).toMatch(/mv .*jobs\.db .*\.broken/);
    expect(readFileSync(file).equals(junk)).toBe(true);
  });

  it("refuses a file another process holds locked, within the lock wait", () => {
    void new SqliteStore(file).close();
    const holder = new DatabaseSync(file);
    holder.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; INSERT INTO deliveries VALUES ('x', 'y', 1);");
    try {
      const t0 = Date.now();
      const error = thrown(() => new SqliteStore(file, { lockWaitMs: 300 }));
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(
        `the job store ${file} is locked by another process (database is locked)`,
      );
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  it("adds the columns a file made by an older issuesmith lacks: its jobs read back, then take a model and a cancel reason", async () => {
    const old = new SqliteStore(file);
    const { job } = await old.enqueue(newJob());
    await old.close();
    const db = new DatabaseSync(file);
    db.exec("ALTER TABLE jobs DROP COLUMN model; ALTER TABLE jobs DROP COLUMN cancel_reason;");
    db.close();
    const store = new SqliteStore(file);
    try {
      expect(await store.get(job.id)).toMatchObject({ id: job.id, model: undefined, cancelReason: undefined });
      await store.update(job.id, { model: "gpt-4.1" });
      const [cancelled] = await store.cancel({ id: job.id }, "the issue was closed");
      expect(cancelled).toMatchObject({ state: "cancelled", model: "gpt-4.1", cancelReason: "the issue was closed" });
    } finally {
      await store.close();
    }
  });

  it("refuses a data directory it cannot create, saying to set AGENT_DATA_DIR", () => {
    writeFileSync(path.join(dir, "a-file"), "");
    const bad = path.join(dir, "a-file", "data", "jobs.db");
    const error = thrown(() => new SqliteStore(bad));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/cannot use the data directory .*a-file\/data/);
    expect((error as UserError).details.join(" ")).toMatch(/AGENT_DATA_DIR/);
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
