// The one worker loop every backend shares: claim within the limits, run the
// handler with a signal, heart-beat the leases (which is also how a cancel
// from another process arrives), settle the result, and stop gracefully.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { Cancelled, LeaseLost, Transient, errorMessage } from "../errors.ts";
import type { JobMetrics } from "./metrics.ts";
import { crashInterrupt, isLastAttempt, settle } from "./rules.ts";
import type { Claimed, JobStore, LeaseOwner } from "./store.ts";
import { pidAlive, withRetries } from "./liveness.ts";
import { SETTLE_AFTER_ABORT_MS, type QueueLog, type WorkerTuning } from "./worker-settings.ts";
import type { JobHandler, JobOutcome, JobRecord, JobRunContext, Worker, WorkerOptions } from "../shared/job.ts";

export interface WorkerDeps {
  store: JobStore;
  handler: JobHandler;
  options: WorkerOptions;
  tuning: WorkerTuning;
  metrics: JobMetrics | undefined;
  log: QueueLog | undefined;
  onStopped?: (worker: QueueWorker) => void;
}

interface Running {
  job: JobRecord;
  controller: AbortController;
  /** Another worker took the job over (our lease expired): write nothing. */
  lost: boolean;
  startedAt: number;
  done: Promise<void>;
}

export class QueueWorker implements Worker {
  readonly owner: LeaseOwner;
  readonly #deps: WorkerDeps;
  readonly #active = new Map<string, Running>();
  readonly #shutdown = new Transient("shutdown");
  #stopping = false;
  #stopped = false;
  #stopPromise: Promise<void> | undefined;
  #pumping: Promise<void> | undefined;
  #again = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #beatTimer: NodeJS.Timeout | undefined;
  #beating = false;
  /** Last time the store confirmed our leases. */
  #lastBeat = Date.now();

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.owner = {
      id: `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`,
      pid: process.pid,
      host: hostname(),
    };
    // Fire and forget on a timer: #heartbeat handles the store's failures itself; anything else is a bug, logged.
    this.#beatTimer = setInterval(
      () =>
        void this.#heartbeat().catch((error: unknown) =>
          deps.log?.error({ err: errorMessage(error) }, "heartbeat crashed"),
        ),
      deps.tuning.heartbeatMs,
    );
    // Jobs left running by a dead process of this host are taken over at once, not after their lease.
    const reap = deps.store.reapDead?.(this.owner.host, pidAlive) ?? Promise.resolve(0);
    this.#pumping = reap
      .then((n) => {
        if (n > 0) deps.log?.info({ jobs: n }, "taking over jobs of a worker that died");
      })
      .catch((error: unknown) =>
        deps.log?.warn({ err: errorMessage(error) }, "could not look for jobs of dead workers"),
      )
      .then(() => this.#claimLoop())
      .finally(() => {
        this.#pumping = undefined;
        this.#schedulePoll();
      });
  }

  get running(): number {
    return this.#active.size;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Look for work now (a job was enqueued or ended in this process). */
  wake(): void {
    if (this.#stopping) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#pollTimer);
    this.#pumping = this.#claimLoop().finally(() => {
      this.#pumping = undefined;
      this.#schedulePoll();
    });
  }

  /** Abort local running jobs at once (the heartbeat would find the cancel within a beat anyway). */
  cancelLocal(ids: string[]): void {
    for (const id of ids) {
      const run = this.#active.get(id);
      if (run && !run.controller.signal.aborted) run.controller.abort(new Cancelled("cancelled on request"));
    }
  }

  stop(graceMs: number): Promise<void> {
    this.#stopPromise ??= this.#stop(graceMs);
    return this.#stopPromise;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#pollTimer);
    await this.#pumping;
    const runs = [...this.#active.values()];
    if (runs.length > 0) {
      this.#deps.log?.info({ jobs: runs.length, graceMs }, "stopping: waiting for running jobs");
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(runs.map((r) => r.done)), grace]);
      clearTimeout(timer);
      for (const run of this.#active.values()) run.controller.abort(this.#shutdown);
      // A job that does not settle soon after the abort (GitHub or the model hanging) is left to its
      // lease: the next start resumes it. Waiting on it would keep the process up for ever.
      const settled = await Promise.race([
        Promise.all([...this.#active.values()].map((r) => r.done)).then(() => true),
        delay(SETTLE_AFTER_ABORT_MS).then(() => false),
      ]);
      if (!settled)
        this.#deps.log?.warn(
          { jobs: [...this.#active.keys()], waitedMs: SETTLE_AFTER_ABORT_MS },
          "stopping without waiting longer for jobs that did not settle after the abort; they resume on the next start",
        );
    }
    clearInterval(this.#beatTimer);
    this.#stopped = true;
    this.#deps.onStopped?.(this);
  }

  #schedulePoll(): void {
    if (this.#stopping) return;
    clearTimeout(this.#pollTimer);
    this.#pollTimer = setTimeout(() => this.wake(), this.#deps.tuning.pollMs);
  }

  async #claimLoop(): Promise<void> {
    const { store, options, tuning, log } = this.#deps;
    do {
      this.#again = false;
      while (!this.#stopping && this.#active.size < options.concurrency) {
        let claimed: Claimed | undefined;
        try {
          claimed = await store.claim(this.owner, options.perInstallation, tuning.leaseMs);
        } catch (error) {
          log?.warn({ err: errorMessage(error) }, "could not claim a job; will try again");
          return;
        }
        if (!claimed) break;
        this.#start(claimed);
      }
    } while (this.#again && !this.#stopping);
  }

  #start(claimed: Claimed): void {
    const run: Running = {
      job: claimed.job,
      controller: new AbortController(),
      lost: false,
      startedAt: Date.now(),
      done: Promise.resolve(),
    };
    if (this.#active.size === 0) this.#lastBeat = Date.now();
    this.#active.set(claimed.job.id, run);
    run.done = this.#run(run, claimed.resumed).finally(() => {
      this.#active.delete(claimed.job.id);
      this.wake();
    });
  }

  async #run(run: Running, resumed: boolean): Promise<void> {
    const { store, handler, tuning, metrics, log } = this.#deps;
    const { job } = run;
    const signal = run.controller.signal;
    const interrupt = crashInterrupt(job.crashResumes, tuning.maxResumes);
    log?.info(
      { job: job.id, key: job.key, kind: job.kind, attempt: job.attempts, resumed, crashResumes: job.crashResumes },
      "job started",
    );
    if (interrupt)
      log?.warn(
        { job: job.id, crashes: interrupt.crashes, maxResumes: interrupt.maxResumes },
        "job's workers died too often: ending it interrupted",
      );
    const ctx: JobRunContext = {
      signal,
      resumed,
      lastAttempt: isLastAttempt(job.attempts, tuning.retry),
      interrupt,
      // Once the lease is lost the record is the new holder's: a late checkpoint from here would overwrite its own.
      update: async (patch) => {
        if (!run.lost) await store.update(job.id, patch);
      },
    };

    let outcome: JobOutcome | undefined;
    let error: unknown;
    let threw = false;
    try {
      outcome = await handler(job, ctx);
    } catch (e) {
      error = e;
      threw = true;
    }
    if (run.lost) {
      log?.warn({ job: job.id }, "job ended after its lease was lost to another worker; result dropped");
      return;
    }
    const now = Date.now();
    const s = settle(
      {
        outcome,
        error,
        threw,
        abortReason: signal.reason,
        shutdown: signal.reason === this.#shutdown,
        attempts: job.attempts,
        interrupt,
        now,
      },
      tuning.retry,
    );
    if (threw && s.action === "finish" && s.state === "failed") {
      log?.error({ job: job.id, err: errorMessage(error) }, "job failed");
    }
    try {
      if (s.action === "finish") {
        await withRetries(
          () => store.finish(job.id, this.owner, s.state, s.outcome),
          () => run.lost,
        );
        metrics?.recordOutcome(job.kind, s.state, s.outcome, now - run.startedAt);
        log?.info({ job: job.id, state: s.state, status: s.outcome.status }, "job ended");
      } else {
        await withRetries(
          () => store.release(job.id, this.owner, { runAfter: s.runAfter, resume: s.resume }),
          () => run.lost,
        );
        if (!s.resume) metrics?.recordRetry(job.kind);
        log?.info({ job: job.id, why: s.why, runAfter: new Date(s.runAfter).toISOString() }, "job back in the queue");
      }
    } catch (e) {
      // The lease will lapse and another worker resume the job: late, not lost.
      log?.error({ job: job.id, err: errorMessage(e) }, "could not record the job's result");
    }
  }

  async #heartbeat(): Promise<void> {
    if (this.#beating || this.#active.size === 0) return;
    this.#beating = true;
    const { store, tuning, log } = this.#deps;
    try {
      const ids = [...this.#active.keys()];
      const beat = await store.heartbeat(this.owner, ids, tuning.leaseMs);
      this.#lastBeat = Date.now();
      this.cancelLocal(beat.cancelRequested);
      this.#loseLeases(beat.lost);
    } catch (error) {
      log?.warn({ err: errorMessage(error) }, "heartbeat failed; will try again");
      // Unconfirmed for a whole lease: another worker may have the jobs by now.
      // Stop ours rather than risk two runs of one job.
      if (Date.now() - this.#lastBeat > tuning.leaseMs) this.#loseLeases([...this.#active.keys()]);
    } finally {
      this.#beating = false;
    }
  }

  #loseLeases(ids: string[]): void {
    for (const id of ids) {
      const run = this.#active.get(id);
      if (!run || run.lost) continue;
      run.lost = true;
      this.#deps.log?.warn({ job: id }, "lost the lease on a running job; stopping it");
      run.controller.abort(new LeaseLost());
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
