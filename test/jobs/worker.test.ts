// Worker behaviour that needs a store misbehaving or metrics watched; the
// rest is in the contract suite.
import { afterEach, describe, expect, it } from "vitest";
import { LeaseLost, Transient } from "../../src/errors.ts";
import { MemoryStore } from "../../src/jobs/memory/store.ts";
import { createJobMetrics } from "../../src/jobs/metrics.ts";
import type { HeartbeatResult } from "../../src/jobs/store.ts";
import { StoreQueue } from "../../src/jobs/store-queue.ts";
import type { Worker } from "../../src/shared/job.ts";
import { aborted, done, newJob, waitFor } from "./helpers.ts";

const ONE = { concurrency: 1, perInstallation: 1 };
let workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop(0)));
  workers = [];
});

class UnreachableHeartbeats extends MemoryStore {
  override async heartbeat(): Promise<HeartbeatResult> {
    throw new Error("connection refused");
  }
}

describe("queue worker", () => {
  it("stops a job whose lease it could not renew for a whole lease, and records nothing for it", async () => {
    const store = new UnreachableHeartbeats();
    const queue = new StoreQueue(store, { tuning: { leaseMs: 300, heartbeatMs: 50, pollMs: 20 } });
    let reason: unknown;
    workers.push(
      queue.work(async (_j, run) => {
        reason = await aborted(run.signal);
        return { status: "interrupted", summary: "stopped" };
      }, ONE),
    );
    const { job } = await queue.enqueue(newJob());
    await waitFor(() => reason, "the signal to abort", 3_000);
    expect(reason).toBeInstanceOf(LeaseLost);
    expect((reason as Error).message).toBe("lease lost");
    // The job is left for whichever worker holds it now: not ended by us.
    expect((await queue.get(job.id))?.state).toBe("running");
  });

  it("records outcomes, durations, usage and retries in the metrics", async () => {
    const metrics = createJobMetrics({ processMetrics: false });
    const queue = new StoreQueue(new MemoryStore(), {
      metrics,
      tuning: { pollMs: 20, retry: { maxAttempts: 3, baseMs: 10 } },
    });
    let calls = 0;
    workers.push(
      queue.work(async () => {
        if (++calls === 1) throw new Transient("502");
        return { ...done(), usage: { steps: 2, inputTokens: 100, outputTokens: 20, costUsd: 0.5, wallMs: 10 } };
      }, ONE),
    );
    const { job } = await queue.enqueue(newJob());
    await waitFor(async () => (await queue.get(job.id))?.state === "succeeded", "the job");
    const text = await metrics.text();
    expect(text).toMatch(/^issuesmith_jobs_total\{kind="fix",state="succeeded",status="pr_opened"\} 1$/m);
    expect(text).toMatch(/^issuesmith_job_retries_total\{kind="fix"\} 1$/m);
    expect(text).toMatch(/^issuesmith_job_duration_seconds_count\{kind="fix",state="succeeded"\} 1$/m);
    expect(text).toMatch(/^issuesmith_model_tokens_total\{direction="in"\} 100$/m);
    expect(text).toMatch(/^issuesmith_model_cost_usd_total 0\.5$/m);
  });

  it("treats a handler that returns nothing as a failed job", async () => {
    const queue = new StoreQueue(new MemoryStore(), { tuning: { pollMs: 20 } });
    workers.push(queue.work((async () => undefined) as never, ONE));
    const { job } = await queue.enqueue(newJob());
    const end = await waitFor(async () => {
      const j = await queue.get(job.id);
      return j?.state === "failed" ? j : undefined;
    }, "the job to fail");
    expect(end.outcome).toEqual({ status: "error", summary: "the job handler returned no outcome" });
  });
});
