// The behaviour every JobQueue backend must show. Each adapter's test file
// calls queueContract with a way to open a fresh, empty queue.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Cancelled, Transient } from "../../src/errors.ts";
import type { JobStore, LeaseOwner } from "../../src/jobs/store.ts";
import type { StoreQueue } from "../../src/jobs/store-queue.ts";
import type { JobHandler, JobOutcome, JobRecord, Worker, WorkerOptions } from "../../src/shared/job.ts";
import type { WorkerTuning } from "../../src/jobs/worker-settings.ts";
import { aborted, done, gate, newJob, openAllGates, sleep, waitFor } from "./helpers.ts";

export interface Harness {
  queue: StoreQueue;
  store: JobStore;
  /** Another handle on the same stored jobs, as another process would hold (it shares no worker). */
  peer(): Promise<StoreQueue>;
  cleanup(): Promise<void>;
}

export type OpenHarness = (tuning: Partial<WorkerTuning>) => Promise<Harness>;

export const TEST_TUNING: Partial<WorkerTuning> = {
  leaseMs: 2_000,
  heartbeatMs: 100,
  pollMs: 50,
  retry: { maxAttempts: 3, baseMs: 20 },
};

const ONE: WorkerOptions = { concurrency: 1, perInstallation: 1 };

export function queueContract(name: string, open: OpenHarness): void {
  describe(`JobQueue contract: ${name}`, () => {
    let h: Harness;
    let workers: Worker[] = [];
    const peers: StoreQueue[] = [];

    const work = (handler: JobHandler, options: WorkerOptions = ONE, queue: StoreQueue = h.queue): Worker => {
      const w = queue.work(handler, options);
      workers.push(w);
      return w;
    };
    const peer = async () => {
      const p = await h.peer();
      peers.push(p);
      return p;
    };
    const ended = (id: string, queue: StoreQueue = h.queue) =>
      waitFor(async () => {
        const j = await queue.get(id);
        return j && !["queued", "running"].includes(j.state) ? j : undefined;
      }, `job ${id} to end`);

    beforeEach(async () => {
      h = await open(TEST_TUNING);
    });

    afterEach(async () => {
      openAllGates();
      await Promise.all(workers.map((w) => w.stop(0)));
      workers = [];
      for (const p of peers.splice(0)) await p.close();
      await h.queue.close();
      await h.cleanup();
    });

    it("runs an enqueued job once and stores its outcome as succeeded", async () => {
      const { job, status } = await h.queue.enqueue(newJob());
      expect(status).toBe("enqueued");
      expect(job.state).toBe("queued");
      const seen: JobRecord[] = [];
      work(async (j) => {
        seen.push(j);
        return done("opened #7");
      });
      const end = await ended(job.id);
      expect(end.state).toBe("succeeded");
      expect(end.outcome).toEqual({ status: "pr_opened", summary: "opened #7", prNumber: 7 });
      expect(end.attempts).toBe(1);
      expect(end.startedAt).toBeTruthy();
      expect(end.finishedAt).toBeTruthy();
      expect(seen.map((j) => j.id)).toEqual([job.id]);
    });

    it("answers a redelivered webhook with the job it already made", async () => {
      const first = await h.queue.enqueue(newJob({ deliveryId: "delivery-1" }));
      const again = await h.queue.enqueue(newJob({ deliveryId: "delivery-1", number: 999 }));
      expect(again.status).toBe("duplicate");
      expect(again.job.id).toBe(first.job.id);
      expect(await h.queue.list({})).toHaveLength(1);
    });

    it("stores every job of a 300-delivery burst under an id of its own", async () => {
      const results = await Promise.all(Array.from({ length: 300 }, () => h.queue.enqueue(newJob())));
      expect(results.every((r) => r.status === "enqueued")).toBe(true);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(300);
      expect(await h.queue.list({})).toHaveLength(300);
    });

    it("remembers a delivery after its job ended", async () => {
      const first = await h.queue.enqueue(newJob({ deliveryId: "delivery-2" }));
      work(async () => done());
      await ended(first.job.id);
      const again = await h.queue.enqueue(newJob({ deliveryId: "delivery-2" }));
      expect(again).toMatchObject({ status: "duplicate", job: { id: first.job.id, state: "succeeded" } });
    });

    it("coalesces ten triggers on a busy issue into one next run", async () => {
      const hold = gate();
      const runs: JobRecord[] = [];
      let concurrent = 0;
      let maxConcurrent = 0;
      work(
        async (j) => {
          runs.push(j);
          maxConcurrent = Math.max(maxConcurrent, ++concurrent);
          if (runs.length === 1) await hold.promise;
          concurrent--;
          return done();
        },
        { concurrency: 4, perInstallation: 4 },
      );
      const first = await h.queue.enqueue(newJob({ number: 42 }));
      await waitFor(() => runs.length === 1, "the first run");
      const results = [];
      for (let i = 0; i < 10; i++) results.push(await h.queue.enqueue(newJob({ number: 42, text: `comment ${i}` })));
      expect(results.map((r) => r.status)).toEqual(["enqueued", ...Array(9).fill("coalesced")]);
      const second = results[0]!.job;
      expect(new Set(results.map((r) => r.job.id))).toEqual(new Set([second.id]));
      expect(await h.queue.get(second.id)).toMatchObject({ state: "queued" });
      hold.open();
      const end = await ended(second.id);
      expect(end.state).toBe("succeeded");
      expect(runs).toHaveLength(2);
      expect(runs[1]!.triggers.map((t) => t.text)).toEqual(Array.from({ length: 10 }, (_, i) => `comment ${i}`));
      expect(maxConcurrent).toBe(1);
      expect((await h.queue.get(first.job.id))?.state).toBe("succeeded");
    });

    it("coalesces a queued job only with triggers of the same kind", async () => {
      const plan = await h.queue.enqueue(newJob({ number: 5, kind: "plan" }));
      const fix = await h.queue.enqueue(newJob({ number: 5, kind: "fix" }));
      const fix2 = await h.queue.enqueue(newJob({ number: 5, kind: "fix" }));
      expect(fix.status).toBe("enqueued");
      expect(fix.job.id).not.toBe(plan.job.id);
      expect(fix2).toMatchObject({ status: "coalesced", job: { id: fix.job.id } });
      // Same key: they run one after the other, in arrival order.
      const order: string[] = [];
      work(async (j) => (order.push(j.kind), done()), { concurrency: 3, perInstallation: 3 });
      await ended(fix.job.id);
      expect(order).toEqual(["plan", "fix"]);
    });

    it("runs reply jobs beside the issue's running job", async () => {
      const hold = gate();
      const started: string[] = [];
      work(
        async (j) => {
          started.push(j.kind);
          if (j.kind === "fix") await hold.promise;
          return j.kind === "reply" ? { status: "replied", summary: "ok" } : done();
        },
        { concurrency: 2, perInstallation: 2 },
      );
      await h.queue.enqueue(newJob({ number: 8 }));
      await waitFor(() => started.length === 1, "the fix to start");
      const reply = await h.queue.enqueue(newJob({ number: 8, kind: "reply" }));
      expect(reply.status).toBe("enqueued");
      expect(reply.job.key).toBe(`reply:${reply.job.id}`);
      expect((await ended(reply.job.id)).state).toBe("succeeded");
      hold.open();
    });

    it("keeps to the global concurrency, starting jobs first in, first out", async () => {
      const holds = new Map<number, () => void>();
      const started: number[] = [];
      let running = 0;
      let maxRunning = 0;
      const w = work(
        async (j) => {
          started.push(j.target.number);
          maxRunning = Math.max(maxRunning, ++running);
          const hold = gate();
          holds.set(j.target.number, hold.open);
          await hold.promise;
          running--;
          return done();
        },
        { concurrency: 2, perInstallation: 10 },
      );
      const jobs = [];
      for (const n of [101, 102, 103, 104, 105])
        jobs.push((await h.queue.enqueue(newJob({ number: n, installationId: n }))).job);
      await waitFor(() => started.length === 2, "two jobs to start");
      await sleep(200);
      expect(started).toEqual([101, 102]);
      expect(w.running).toBe(2);
      holds.get(101)!();
      await waitFor(() => started.length === 3, "the third job");
      expect(started[2]).toBe(103);
      for (const n of [102, 103]) holds.get(n)!();
      await waitFor(() => started.length === 5, "all jobs");
      for (const n of [104, 105]) holds.get(n)!();
      for (const j of jobs) expect((await ended(j.id)).state).toBe("succeeded");
      expect(maxRunning).toBe(2);
    });

    it("lets one installation run no more than its limit while others go ahead", async () => {
      const hold = gate();
      const started: string[] = [];
      work(
        async (j) => {
          started.push(`${j.installationId}:${j.target.number}`);
          await hold.promise;
          return done();
        },
        { concurrency: 3, perInstallation: 1 },
      );
      await h.queue.enqueue(newJob({ installationId: 1, number: 1 }));
      await h.queue.enqueue(newJob({ installationId: 1, number: 2 }));
      await h.queue.enqueue(newJob({ installationId: 2, number: 3 }));
      await waitFor(() => started.length === 2, "two jobs");
      await sleep(200);
      expect(started).toEqual(["1:1", "2:3"]);
      hold.open();
      await waitFor(() => started.length === 3, "the held-back job");
      expect(started[2]).toBe("1:2");
    });

    it("tells a queued job its place in the queue", async () => {
      const a = (await h.queue.enqueue(newJob())).job;
      const b = (await h.queue.enqueue(newJob())).job;
      const c = (await h.queue.enqueue(newJob())).job;
      expect([await h.queue.position(a.id), await h.queue.position(b.id), await h.queue.position(c.id)]).toEqual([
        1, 2, 3,
      ]);
      await h.queue.cancel({ id: a.id }, "test");
      expect(await h.queue.position(c.id)).toBe(2);
      expect(await h.queue.position(a.id)).toBeUndefined();
      expect(await h.queue.position("no-such-job")).toBeUndefined();
    });

    it("cancels a queued job at once, without running it", async () => {
      const { job } = await h.queue.enqueue(newJob());
      const [cancelled] = await h.queue.cancel({ id: job.id }, "test");
      expect(cancelled).toMatchObject({ id: job.id, state: "cancelled", outcome: { status: "cancelled" } });
      let calls = 0;
      work(async () => (calls++, done()));
      await sleep(300);
      expect(calls).toBe(0);
      expect((await h.queue.get(job.id))?.state).toBe("cancelled");
    });

    it("aborts a running job's signal with Cancelled within two seconds, from this process", async () => {
      let reason: unknown;
      work(async (_j, run) => {
        reason = await aborted(run.signal);
        throw reason;
      });
      const { job } = await h.queue.enqueue(newJob());
      await waitFor(async () => (await h.queue.get(job.id))?.state === "running", "the job to run");
      const t0 = Date.now();
      const [marked] = await h.queue.cancel({ id: job.id }, "test");
      expect(marked).toMatchObject({ state: "running", cancelRequested: true });
      const end = await ended(job.id);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(reason).toBeInstanceOf(Cancelled);
      expect(end).toMatchObject({ state: "cancelled", outcome: { status: "cancelled" } });
    });

    it("aborts a running job when the cancel comes through another handle on the store", async () => {
      let reason: unknown;
      work(async (_j, run) => {
        reason = await aborted(run.signal);
        return { status: "cancelled", summary: "stopped as asked" };
      });
      const { job } = await h.queue.enqueue(newJob());
      await waitFor(async () => (await h.queue.get(job.id))?.state === "running", "the job to run");
      const other = await peer();
      const t0 = Date.now();
      await other.cancel({ key: job.key }, "test");
      const end = await ended(job.id);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect(reason).toBeInstanceOf(Cancelled);
      expect(end.outcome).toEqual({ status: "cancelled", summary: "stopped as asked" });
    });

    it("cancels by key both the running job and the one queued behind it", async () => {
      work(async (_j, run) => {
        throw await aborted(run.signal);
      });
      const running = (await h.queue.enqueue(newJob({ number: 77 }))).job;
      await waitFor(async () => (await h.queue.get(running.id))?.state === "running", "the job to run");
      const queued = (await h.queue.enqueue(newJob({ number: 77 }))).job;
      const hit = await h.queue.cancel({ key: running.key }, "test");
      expect(hit.map((j) => j.id).sort()).toEqual([running.id, queued.id].sort());
      expect((await h.queue.get(queued.id))?.state).toBe("cancelled");
      expect((await ended(running.id)).state).toBe("cancelled");
    });

    it("keeps why a job was cancelled, queued or running, asked through any handle; the first reason stays", async () => {
      const queued = (await h.queue.enqueue(newJob({ number: 5 }))).job;
      expect(queued.cancelReason).toBeUndefined();
      const [q] = await h.queue.cancel({ id: queued.id }, "the issue was closed");
      expect(q).toMatchObject({ state: "cancelled", cancelReason: "the issue was closed" });
      expect((await h.queue.get(queued.id))?.cancelReason).toBe("the issue was closed");
      // Held by a live worker elsewhere: the cancel is only requested, and a second one keeps the first reason.
      const { job } = await h.queue.enqueue(newJob({ number: 6 }));
      await h.store.claim({ id: "elsewhere", pid: 2 ** 22 + 11, host: "elsewhere" }, 5, 60_000);
      const [marked] = await (await peer()).cancel({ key: job.key }, "stopped by @maya");
      expect(marked).toMatchObject({ state: "running", cancelRequested: true, cancelReason: "stopped by @maya" });
      const [again] = await h.queue.cancel({ id: job.id }, "the pull request was closed");
      expect(again?.cancelReason).toBe("stopped by @maya");
      expect((await h.queue.list({ key: job.key }))[0]?.cancelReason).toBe("stopped by @maya");
    });

    it("records the model a run chose, kept with the outcome", async () => {
      const { job } = await h.queue.enqueue(newJob());
      expect(job.model).toBeUndefined();
      work(async (_j, run) => {
        await run.update({ model: "gpt-4.1-mini" });
        return done();
      });
      const end = await ended(job.id);
      expect(end).toMatchObject({ state: "succeeded", model: "gpt-4.1-mini", cancelReason: undefined });
      expect((await h.queue.list({}))[0]?.model).toBe("gpt-4.1-mini");
    });

    it("retries a Transient failure with backoff, then fails naming the reason", async () => {
      const times: number[] = [];
      work(async () => {
        times.push(Date.now());
        throw new Transient("GitHub answered 502");
      });
      const { job } = await h.queue.enqueue(newJob());
      const end = await ended(job.id);
      expect(end.state).toBe("failed");
      expect(end.attempts).toBe(3);
      expect(end.outcome?.status).toBe("error");
      expect(end.outcome?.summary).toMatch(/gave up after 3 attempts: GitHub answered 502/);
      expect(times).toHaveLength(3);
      // Backoff doubles: 20 ms, then 40 ms.
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(35);
    });

    it("succeeds on a retry after one Transient failure", async () => {
      let calls = 0;
      work(async () => {
        if (++calls === 1) throw new Transient("socket hang up");
        return done();
      });
      const { job } = await h.queue.enqueue(newJob());
      const end = await ended(job.id);
      expect(end).toMatchObject({ state: "succeeded", attempts: 2 });
    });

    it("never retries any other error: the job fails with its message", async () => {
      let calls = 0;
      work(async () => {
        calls++;
        throw new Error("the model gave up");
      });
      const { job } = await h.queue.enqueue(newJob());
      const end = await ended(job.id);
      expect(end).toMatchObject({
        state: "failed",
        attempts: 1,
        outcome: { status: "error", summary: "the model gave up" },
      });
      await sleep(200);
      expect(calls).toBe(1);
    });

    it("ends a job as cancelled when its handler throws Cancelled", async () => {
      work(async () => {
        throw new Cancelled("stopped by /agent stop");
      });
      const { job } = await h.queue.enqueue(newJob());
      expect(await ended(job.id)).toMatchObject({
        state: "cancelled",
        outcome: { status: "cancelled", summary: "stopped by /agent stop" },
      });
    });

    it.each([
      ["pr_updated", "succeeded"],
      ["plan_posted", "succeeded"],
      ["replied", "succeeded"],
      ["no_change", "failed"],
      ["tests_failing", "failed"],
      ["limit", "failed"],
      ["config_error", "failed"],
      ["cancelled", "cancelled"],
      ["interrupted", "interrupted"],
    ] as const)("ends a job whose outcome is %s as %s", async (status, state) => {
      const outcome: JobOutcome = {
        status,
        summary: status,
        usage: { steps: 3, inputTokens: 10, outputTokens: 5, costUsd: 0.01, wallMs: 9 },
      };
      work(async () => outcome);
      const { job } = await h.queue.enqueue(newJob());
      expect(await ended(job.id)).toMatchObject({ state, outcome });
    });

    it("puts a job stopped by shutdown back in the queue for the next worker to resume", async () => {
      let reason: unknown;
      const w1 = work(async (_j, run) => {
        reason = await aborted(run.signal);
        throw reason;
      });
      const { job } = await h.queue.enqueue(newJob());
      await waitFor(async () => (await h.queue.get(job.id))?.state === "running", "the job to run");
      await w1.stop(50);
      expect(w1.running).toBe(0);
      expect(w1.stopped).toBe(true);
      expect(reason).toBeInstanceOf(Transient);
      expect((reason as Error).message).toBe("shutdown");
      expect(await h.queue.get(job.id)).toMatchObject({ state: "queued", attempts: 1 });

      const resumes: boolean[] = [];
      work(async (j, run) => {
        resumes.push(run.resumed);
        expect(j.attempts).toBe(2);
        return done();
      });
      expect((await ended(job.id)).state).toBe("succeeded");
      expect(resumes).toEqual([true]);
    });

    it("lets a running job finish within the grace period on stop", async () => {
      const w = work(async () => {
        await sleep(150);
        return done();
      });
      const { job } = await h.queue.enqueue(newJob());
      await waitFor(async () => (await h.queue.get(job.id))?.state === "running", "the job to run");
      await w.stop(5_000);
      expect((await h.queue.get(job.id))?.state).toBe("succeeded");
    });

    it("takes no new job after stop", async () => {
      let calls = 0;
      const w = work(async () => (calls++, done()));
      await w.stop(0);
      const { job } = await h.queue.enqueue(newJob());
      await sleep(300);
      expect(calls).toBe(0);
      expect((await h.queue.get(job.id))?.state).toBe("queued");
    });

    it("persists phase, progress comment and checkpoint as soon as update returns", async () => {
      const hold = gate();
      work(async (_j, run) => {
        await run.update({
          phase: "edit",
          progressCommentId: 123,
          checkpoint: { branch: "agent/issue-1", messages: [{ role: "user", content: "hi" }] },
        });
        await hold.promise;
        return done();
      });
      const { job } = await h.queue.enqueue(newJob());
      const other = await peer();
      const seen = await waitFor(async () => {
        const j = await other.get(job.id);
        return j?.phase === "edit" ? j : undefined;
      }, "the update");
      expect(seen.progressCommentId).toBe(123);
      expect(seen.checkpoint).toEqual({ branch: "agent/issue-1", messages: [{ role: "user", content: "hi" }] });
      hold.open();
    });

    it("hands a job whose worker stopped heart-beating to another worker, resumed", async () => {
      const { job } = await h.queue.enqueue(newJob());
      // A worker that leased the job and then vanished without a word.
      const ghost: LeaseOwner = { id: "ghost-worker", pid: 2 ** 22 + 7, host: "elsewhere" };
      const claimed = await h.store.claim(ghost, 5, 300);
      expect(claimed?.job.id).toBe(job.id);
      const runs: { resumed: boolean; attempts: number }[] = [];
      work(async (j, run) => (runs.push({ resumed: run.resumed, attempts: j.attempts }), done()));
      await sleep(150);
      expect(runs).toEqual([]); // the lease still holds: never two runs at once
      expect((await ended(job.id)).state).toBe("succeeded");
      expect(runs).toEqual([{ resumed: true, attempts: 2 }]);
      // The ghost comes back: its lease is gone, so its result is refused.
      expect(await h.store.finish(job.id, ghost, "failed", { status: "error", summary: "late" })).toBeUndefined();
      expect((await h.queue.get(job.id))?.state).toBe("succeeded");
    });

    it("counts a takeover after a dead worker as a crash resume, and a hand-over at shutdown not", async () => {
      const { job } = await h.queue.enqueue(newJob());
      const owner = (n: number): LeaseOwner => ({ id: `ghost-crash-${n}`, pid: 2 ** 22 + 20 + n, host: "elsewhere" });
      expect((await h.store.claim(owner(1), 5, 100))?.job.crashResumes).toBe(0);
      await sleep(150); // its worker died: the lease lapses
      const taken = await h.store.claim(owner(2), 5, 100);
      expect(taken).toMatchObject({ resumed: true, job: { id: job.id, crashResumes: 1 } });
      await h.store.release(job.id, owner(2), { runAfter: 0, resume: true }); // a shutdown hands it back
      const again = await h.store.claim(owner(3), 5, 100);
      expect(again).toMatchObject({ resumed: true, job: { id: job.id, crashResumes: 1, attempts: 3 } });
      expect((await h.queue.get(job.id))?.crashResumes).toBe(1);
    });

    it("ends as cancelled, not resumed, an orphaned job whose cancel was asked", async () => {
      const { job } = await h.queue.enqueue(newJob());
      const ghost: LeaseOwner = { id: "ghost-2", pid: 2 ** 22 + 9, host: "elsewhere" };
      await h.store.claim(ghost, 5, 300);
      await h.queue.cancel({ id: job.id }, "test");
      let calls = 0;
      work(async () => (calls++, done()));
      expect((await ended(job.id)).state).toBe("cancelled");
      expect(calls).toBe(0);
    });

    it("lists jobs newest first, by state and key, and counts them", async () => {
      const a = (await h.queue.enqueue(newJob({ number: 1 }))).job;
      const b = (await h.queue.enqueue(newJob({ number: 2 }))).job;
      const c = (await h.queue.enqueue(newJob({ number: 3 }))).job;
      await h.queue.cancel({ id: b.id }, "test");
      expect((await h.queue.list({})).map((j) => j.id)).toEqual([c.id, b.id, a.id]);
      expect((await h.queue.list({ states: ["queued"] })).map((j) => j.id)).toEqual([c.id, a.id]);
      expect((await h.queue.list({ key: a.key })).map((j) => j.id)).toEqual([a.id]);
      expect((await h.queue.list({ limit: 1 })).map((j) => j.id)).toEqual([c.id]);
      expect(await h.queue.counts()).toMatchObject({ queued: 2, cancelled: 1, running: 0 });
      expect(await h.queue.get("no-such-job")).toBeUndefined();
      expect(await h.queue.ping()).toBe(true);
    });

    it("lists only the jobs created at or after a given time (what spend caps count)", async () => {
      const a = (await h.queue.enqueue(newJob({ number: 1 }))).job;
      await new Promise((r) => setTimeout(r, 15));
      const b = (await h.queue.enqueue(newJob({ number: 2 }))).job;
      expect((await h.queue.list({ since: b.createdAt })).map((j) => j.id)).toEqual([b.id]);
      expect((await h.queue.list({ since: a.createdAt })).map((j) => j.id)).toEqual([b.id, a.id]);
      expect(await h.queue.list({ since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    });
  });
}
