// Scale-out figures: claim latency (p50/p99 of claim() calls that took a job)
// and jobs per minute with 1, 2 and 4 worker processes on PostgreSQL, and one
// on SQLite (its single-machine use). Each process runs 4 jobs at once with a
// 20 ms handler; 400 jobs over 20 installations are enqueued in one burst once
// the workers are up. Run alone with `node bench/workers.ts`.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PostgresStore } from "../src/jobs/postgres/store.ts";
import { SqliteStore } from "../src/jobs/sqlite/store.ts";
import type { JobStore } from "../src/jobs/store.ts";
import type { NewJob } from "../src/shared/job.ts";
import { testDatabase } from "../test/jobs/postgres-support.ts";
import { ms, percentile, type BenchResult } from "./stats.ts";

const JOBS = Number(process.env.BENCH_WORKER_JOBS ?? 400);
const WORK_MS = 20;
const PER_PROCESS = 4;
/** The store's claim (an advisory lock around rules.ts's pick), or the SQL one with FOR UPDATE SKIP LOCKED. */
type Claim = "advisory" | "skip-locked";
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "claim-worker.ts");

function job(n: number): NewJob {
  const installationId = 1 + (n % 20);
  return {
    kind: "fix",
    installationId,
    target: { owner: `org${installationId}`, repo: "repo", number: n, isPullRequest: false },
    trigger: { deliveryId: randomUUID(), event: "issues.labeled", actor: "bench", at: new Date().toISOString() },
  };
}

function spawnWorker(
  backend: string,
  where: string,
  claim: Claim,
): { child: ChildProcess; ready: Promise<void>; result: Promise<{ claimsMs: number[]; jobs: number }> } {
  const child = spawn(process.execPath, [CHILD, backend, where], {
    env: { ...process.env, BENCH_WORK_MS: String(WORK_MS), BENCH_CONCURRENCY: String(PER_PROCESS), BENCH_CLAIM: claim },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const result = new Promise<{ claimsMs: number[]; jobs: number }>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("READY\n")) markReady();
    });
    child.on("exit", (code) => {
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last) as { claimsMs: number[]; jobs: number });
      else reject(new Error(`bench worker exited ${code}: ${out.slice(-500)}`));
    });
  });
  return { child, ready, result };
}

async function run(backend: "sqlite" | "postgres", processes: number, claim: Claim): Promise<Record<string, number>> {
  let where: string;
  let cleanup: () => Promise<void>;
  let store: JobStore;
  if (backend === "postgres") {
    const db = await testDatabase();
    where = db.url;
    store = await PostgresStore.connect(where);
    cleanup = () => db.drop();
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-workers-"));
    where = path.join(dir, "jobs.db");
    store = new SqliteStore(where);
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const workers = Array.from({ length: processes }, () => spawnWorker(backend, where, claim));
  try {
    await Promise.all(workers.map((w) => w.ready));
    const t0 = performance.now();
    await Promise.all(Array.from({ length: JOBS }, (_, i) => store.enqueue(job(i + 1))));
    for (;;) {
      const c = await store.counts();
      if (c.succeeded === JOBS) break;
      if (performance.now() - t0 > 300_000) throw new Error(`only ${c.succeeded} of ${JOBS} jobs done after 300 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const elapsed = performance.now() - t0;
    for (const w of workers) w.child.kill("SIGTERM");
    const results = await Promise.all(workers.map((w) => w.result));
    const claims = results.flatMap((r) => r.claimsMs);
    return {
      claim_p50_ms: ms(percentile(claims, 50)),
      claim_p99_ms: ms(percentile(claims, 99)),
      jobs_per_min: Math.round((JOBS / elapsed) * 60_000),
    };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await store.close();
    await cleanup();
  }
}

export async function benchWorkers(): Promise<BenchResult> {
  const figures: Record<string, number | string> = {
    jobs: JOBS,
    "handler ms": WORK_MS,
    "jobs at once per process": PER_PROCESS,
    "ideal jobs/min per process": Math.round((60_000 / WORK_MS) * PER_PROCESS),
  };
  const runs: ["sqlite" | "postgres", number, Claim][] = [
    ["sqlite", 1, "advisory"],
    ["postgres", 1, "advisory"],
    ["postgres", 2, "advisory"],
    ["postgres", 4, "advisory"],
  ];
  // The claim not taken, measured beside it (BENCH_SKIP_LOCKED=0 leaves it out).
  if (process.env.BENCH_SKIP_LOCKED !== "0") runs.push(["postgres", 2, "skip-locked"], ["postgres", 4, "skip-locked"]);
  for (const [backend, processes, claim] of runs) {
    const label = `${backend} ${processes} process${processes > 1 ? "es" : ""}${claim === "skip-locked" ? " (SKIP LOCKED claim)" : ""}`;
    try {
      const r = await run(backend, processes, claim);
      figures[`${label}: claim p50 ms`] = r.claim_p50_ms!;
      figures[`${label}: claim p99 ms`] = r.claim_p99_ms!;
      figures[`${label}: jobs/min`] = r.jobs_per_min!;
    } catch (error) {
      figures[label] = `failed: ${(error as Error).message}`;
    }
  }
  return { name: "worker processes: claim latency and jobs per minute", figures };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { name, figures } = await benchWorkers();
  console.log(name);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(40)} ${v}`);
}
