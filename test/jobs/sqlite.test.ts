import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SqliteStore } from "../../src/jobs/sqlite/store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import { queueContract } from "./contract.ts";

queueContract("sqlite", async (tuning) => {
  const dir = mkdtempSync(path.join(tmpdir(), "jobs-sqlite-"));
  const file = path.join(dir, "jobs.db");
  const store = new SqliteStore(file);
  return {
    queue: new StoreQueue(store, { tuning }),
    store,
    peer: async () => new StoreQueue(new SqliteStore(file), { tuning }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
