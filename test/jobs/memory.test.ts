import { describe, expect, it } from "vitest";
import { MemoryQueue, MemoryStore } from "../../src/jobs/memory/store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import { queueContract } from "./contract.ts";
import { newJob } from "./helpers.ts";

queueContract("memory", async (tuning) => {
  const store = new MemoryStore();
  return {
    queue: new StoreQueue(store, { tuning }),
    store,
    // Another "process" on the same memory: same store, no shared workers
    // (closing a MemoryStore is a no-op, so either handle may close first).
    peer: async () => new StoreQueue(store, { tuning }),
    cleanup: async () => {},
  };
});

describe("MemoryQueue", () => {
  it("is a memory-backed JobQueue", async () => {
    const queue = new MemoryQueue();
    expect(queue.backend).toBe("memory");
    const { job } = await queue.enqueue(newJob());
    expect(await queue.get(job.id)).toMatchObject({ id: job.id, state: "queued" });
    await queue.close();
  });
});
