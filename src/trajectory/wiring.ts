// How the app process gets its trajectory sink and its job page: both on the
// job store the queue already opened, both keyed from the app's secret.
import type { AppEnv } from "../config/env.ts";
import type { TrajectoryLog } from "../jobs/store.ts";
import type { JobQueue } from "../shared/job.ts";
import type { Redactor } from "../security/redact.ts";
import { jobPageRoute, githubWebUrl } from "./route.ts";
import { LinkSigner } from "./signing.ts";
import { StoreTrajectorySink } from "./store-sink.ts";

type Log = { warn(obj: object, msg: string): void };

export function isTrajectoryLog(queue: unknown): queue is TrajectoryLog {
  const q = queue as Partial<TrajectoryLog> | undefined;
  return typeof q?.appendTrajectory === "function" && typeof q.readTrajectory === "function";
}

/** The sink jobs record into; undefined for a queue that cannot keep trajectories. */
export function createTrajectorySink(
  env: AppEnv,
  queue: JobQueue,
  redactor: Redactor,
  log?: Log,
): StoreTrajectorySink | undefined {
  if (!isTrajectoryLog(queue)) return undefined;
  return new StoreTrajectorySink({ store: queue, redactor, signer: LinkSigner.fromEnv(env), ...(log ? { log } : {}) });
}

/** The /jobs/<id> handler for Probot's addHandler; it answers 404 to everything when the app has no secret. */
export function createJobPageHandler(env: AppEnv, queue: JobQueue, log?: Log) {
  const trajectories: TrajectoryLog = isTrajectoryLog(queue)
    ? queue
    : { appendTrajectory: async () => {}, readTrajectory: async () => [] };
  return jobPageRoute({
    signer: LinkSigner.fromEnv(env),
    jobs: queue,
    trajectories,
    githubUrl: githubWebUrl(env.github),
    ...(log ? { log } : {}),
  });
}
