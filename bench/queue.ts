// Queue figures: enqueue latency under a burst of 200 deliveries, and jobs per
// minute through one worker with a synthetic 50 ms handler at concurrency 1,
// 2 and 4, on each backend. Run alone with `node bench/queue.ts`.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MemoryStore } from "../src/jobs/memory/store.ts";
import { PostgresStore } from "../src/jobs/postgres/store.ts";
import { SqliteStore } from "../src/jobs/sqlite/store.ts";
import type { JobStore } from "../src/jobs/store.ts";
import { StoreQueue } from "../src/jobs/store-queue.ts";
import type { NewJob } from "../src/shared/job.ts";
import { testDatabase } from "../test/jobs/postgres-support.ts";

const BURST = 200;
const WORK_MS = 50;
const JOBS_PER_SLOT = 40;

interface Backend {
  name: string;
  open(): Promise<{ store: JobStore; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: "memory", open: async () => ({ store: new MemoryStore(), cleanup: async () => {} }) },
  {
    name: "sqlite",
    open: async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "bench-queue-"));
      return {
        store: new SqliteStore(path.join(dir, "jobs.db")),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "postgres",
    open: async () => {
      const db = await testDatabase();
      return { store: await PostgresStore.connect(db.url), cleanup: () => db.drop() };
    },
  },
];

function job(n: number): NewJob {
  return {
    kind: "fix",
    installationId: n,
    target: { owner: "bench", repo: "repo", number: n, isPullRequest: false },
    trigger: { deliveryId: randomUUID(), event: "issues.labeled", actor: "bench", at: new Date().toISOString() },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** 200 enqueues fired at once, as a burst of webhook deliveries would. */
async function enqueueBurst(queue: StoreQueue): Promise<Record<string, number>> {
  const t0 = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const start = performance.now();
      await queue.enqueue(job(i + 1));
      return performance.now() - start;
    }),
  );
  const total = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return {
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    burst_total_ms: round(total, 0),
  };
}

async function throughput(queue: StoreQueue, concurrency: number): Promise<number> {
  const n = JOBS_PER_SLOT * concurrency;
  for (let i = 0; i < n; i++) await queue.enqueue(job(10_000 + i));
  let finished = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const t0 = performance.now();
  const worker = queue.work(
    async () => {
      await new Promise((r) => setTimeout(r, WORK_MS));
      if (++finished === n) setImmediate(resolveAll);
      return { status: "pr_opened", summary: "bench" };
    },
    { concurrency, perInstallation: concurrency },
  );
  await all;
  // The last outcome is recorded after the handler returns: wait for the store to agree.
  for (let c = await queue.counts(); c.queued + c.running > 0; c = await queue.counts())
    await new Promise((r) => setTimeout(r, 5));
  const elapsed = performance.now() - t0;
  await worker.stop(1_000);
  return round((n / elapsed) * 60_000, 0);
}

export async function benchQueue(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const figures: Record<string, number | string> = {
    handler_ms: WORK_MS,
    burst: BURST,
    ideal_jobs_per_min_per_slot: 60_000 / WORK_MS,
  };
  for (const backend of backends) {
    let opened: Awaited<ReturnType<Backend["open"]>>;
    try {
      opened = await backend.open();
    } catch (error) {
      figures[`${backend.name}`] = `unavailable: ${(error as Error).message}`;
      continue;
    }
    const queue = new StoreQueue(opened.store);
    try {
      for (const [k, v] of Object.entries(await enqueueBurst(queue))) figures[`${backend.name}_enqueue_${k}`] = v;
      // Clear the burst's jobs so the throughput runs start from an empty queue.
      for (const j of await queue.list({ states: ["queued"] }))
        await queue.cancel({ id: j.id }, "bench: clearing the burst");
      for (const c of [1, 2, 4]) figures[`${backend.name}_jobs_per_min_c${c}`] = await throughput(queue, c);
    } finally {
      await queue.close();
      await opened.cleanup();
    }
  }
  return { name: "queue", figures };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { name, figures } = await benchQueue();
  console.log(name);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(34)} ${v}`);
}
