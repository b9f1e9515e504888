// Choosing and opening the queue from the environment: the one place that
// knows the backends by name. Start-up failures reject with a UserError and
// leave nothing open.
import type { AppEnv } from "../config/env.ts";
import { UserError } from "../errors.ts";
import { MemoryQueue } from "./memory/store.ts";
import type { JobMetrics } from "./metrics.ts";
import { appMetrics } from "./metrics.ts";
import { PostgresQueue } from "./postgres/queue.ts";
import { SqliteQueue } from "./sqlite/queue.ts";
import type { StoreQueue } from "./store-queue.ts";
import type { WorkerOptions } from "../shared/job.ts";
import type { QueueLog, WorkerTuning } from "./worker-settings.ts";

export interface CreateQueueOptions {
  /** Defaults to the app's metrics (served on /metrics). */
  metrics?: JobMetrics;
  tuning?: Partial<WorkerTuning>;
}

export async function createQueue(env: AppEnv, log?: QueueLog, options: CreateQueueOptions = {}): Promise<StoreQueue> {
  const metrics = options.metrics ?? appMetrics();
  const common = {
    log,
    metrics,
    tuning: { maxResumes: env.queue.maxResumes, leaseMs: env.queue.leaseMs, ...options.tuning },
  };
  let queue: StoreQueue;
  let where: string;
  switch (env.queue.backend) {
    case "memory":
      queue = new MemoryQueue(common);
      where = "memory (jobs are lost on restart)";
      break;
    case "sqlite":
      where = SqliteQueue.fileIn(env.dataDir);
      queue = new SqliteQueue(where, common);
      break;
    case "postgres": {
      const url = env.queue.databaseUrl;
      if (!url)
        throw new UserError("AGENT_QUEUE=postgres needs AGENT_DATABASE_URL", [
          "e.g. AGENT_DATABASE_URL=postgres://issuesmith@127.0.0.1:5432/issuesmith",
        ]);
      const pg = await PostgresQueue.connect(url, { ...common, retentionDays: env.queue.retentionDays });
      queue = pg;
      where = pg.where;
      break;
    }
  }
  metrics.setDepthSource(() => queue.counts());
  log?.info({ backend: queue.backend, where }, "job queue ready");
  return queue;
}

/** The worker limits the environment asks for. */
export function workerOptions(env: AppEnv): WorkerOptions {
  return { concurrency: env.queue.concurrency, perInstallation: env.queue.installationConcurrency };
}
