// JobQueue over any JobStore: the part of the queue that is the same for
// every backend. Enqueues and cancels in this process wake or abort this
// process's workers at once; other processes learn of them from the store's
// wake-ups where it has them (postgres: LISTEN/NOTIFY), else by polling, and
// of cancels by heartbeats.
import type { JobMetrics } from "./metrics.ts";
import type { JobStore, TrajectoryLog } from "./store.ts";
import { DEFAULT_TUNING, type QueueLog, type WorkerTuning } from "./worker-settings.ts";
import { QueueWorker } from "./worker.ts";
import type {
  EnqueueResult,
  JobHandler,
  JobPatch,
  JobQueue,
  JobRecord,
  JobState,
  NewJob,
  Worker,
  WorkerOptions,
} from "../shared/job.ts";

export interface QueueOptions {
  /** Lease, heartbeat, poll and retry timings; tests shorten them. */
  tuning?: Partial<WorkerTuning>;
  /** Where workers record outcomes; none by default. */
  metrics?: JobMetrics;
  log?: QueueLog;
}

export class StoreQueue implements JobQueue, TrajectoryLog {
  readonly #store: JobStore;
  readonly #options: QueueOptions;
  readonly #workers = new Set<QueueWorker>();
  readonly #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(store: JobStore, options: QueueOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#unsubscribe = store.subscribe?.(() => {
      for (const w of this.#workers) w.wake();
    });
  }

  get backend(): JobQueue["backend"] {
    return this.#store.backend;
  }

  async enqueue(job: NewJob): Promise<EnqueueResult> {
    const result = await this.#store.enqueue(job);
    if (result.status === "enqueued") for (const w of this.#workers) w.wake();
    return result;
  }

  get(id: string): Promise<JobRecord | undefined> {
    return this.#store.get(id);
  }

  list(filter: { states?: JobState[]; key?: string; since?: string; limit?: number } = {}): Promise<JobRecord[]> {
    return this.#store.list(filter);
  }

  update(id: string, patch: JobPatch): Promise<void> {
    return this.#store.update(id, patch);
  }

  async cancel(selector: { id: string } | { key: string }, reason: string): Promise<JobRecord[]> {
    const jobs = await this.#store.cancel(selector, reason);
    const running = jobs.filter((j) => j.state === "running").map((j) => j.id);
    for (const w of this.#workers) w.cancelLocal(running);
    // A cancelled queued job may have been holding its key's place.
    for (const w of this.#workers) w.wake();
    return jobs;
  }

  position(id: string): Promise<number | undefined> {
    return this.#store.position(id);
  }

  appendTrajectory(jobId: string, records: string[]): Promise<void> {
    return this.#store.appendTrajectory(jobId, records);
  }

  readTrajectory(jobId: string): Promise<string[]> {
    return this.#store.readTrajectory(jobId);
  }

  /** Jobs per state, for the queue-depth gauge and `jobs list`. */
  counts(): Promise<Record<JobState, number>> {
    return this.#store.counts();
  }

  work(handler: JobHandler, options: WorkerOptions): Worker {
    if (this.#closed) throw new Error("the job queue is closed");
    const tuning: WorkerTuning = {
      ...DEFAULT_TUNING,
      ...this.#options.tuning,
      retry: { ...DEFAULT_TUNING.retry, ...this.#options.tuning?.retry },
    };
    const worker = new QueueWorker({
      store: this.#store,
      handler,
      options,
      tuning,
      metrics: this.#options.metrics,
      log: this.#options.log,
      onStopped: (w) => this.#workers.delete(w),
    });
    this.#workers.add(worker);
    return worker;
  }

  ping(): Promise<boolean> {
    return this.#store.ping();
  }

  /** Stops this queue's workers at once (jobs go back to the queue for the next worker) and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    await Promise.all([...this.#workers].map((w) => w.stop(0)));
    await this.#store.close();
  }
}
