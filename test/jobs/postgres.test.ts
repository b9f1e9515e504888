import { afterAll, beforeAll } from "vitest";
import { PostgresStore } from "../../src/jobs/postgres/store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import { queueContract } from "./contract.ts";
import { emptyTables, requirePostgres, testDatabase } from "./postgres-support.ts";

// One database for this file (made and dropped here), emptied between tests.
let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  await requirePostgres();
  db = await testDatabase();
});
afterAll(() => db?.drop());

queueContract("postgres", async (tuning) => {
  const store = await PostgresStore.connect(db.url);
  return {
    queue: new StoreQueue(store, { tuning }),
    store,
    peer: async () => new StoreQueue(await PostgresStore.connect(db.url), { tuning }),
    cleanup: () => emptyTables(db.url),
  };
});
