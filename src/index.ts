// The Probot app function: wires handlers, the queue's worker and our own
// routes. Nothing else lives here.
import type { ApplicationFunction } from "probot";
import { loadEnv } from "./config/env.ts";
import { registerCheckHandlers } from "./handlers/checks.ts";
import { registerCommentHandlers } from "./handlers/comments.ts";
import type { HandlerDeps } from "./handlers/deps.ts";
import { registerIssueHandlers } from "./handlers/issues.ts";
import { registerLifecycleHandlers } from "./handlers/lifecycle.ts";
import { refuseMalformedDeliveries } from "./handlers/payload-guard.ts";
import { createLookups } from "./handlers/lookups.ts";
import { opsRoutes, type OpsRoutesDeps } from "./http/ops-routes.ts";
import { startOpsServer, type OpsServer } from "./http/ops-server.ts";
import { appMetrics, recordDelivery } from "./jobs/metrics.ts";
import type { Worker } from "./shared/job.ts";
import { acknowledge, reportCancelledBeforeStart } from "./run/acknowledge.ts";
import { createRuntime, jobDeps, queuePositions, startWorker, type Runtime } from "./runtime.ts";
import { createJobPageHandler } from "./trajectory/wiring.ts";

export interface IssuesmithApp {
  appFn: ApplicationFunction;
  /** The worker this process runs, once the app function ran (undefined with AGENT_WORKER=false). */
  worker(): Worker | undefined;
  /** The separate operator listener (AGENT_OPS_PORT), once the app function started it. */
  opsServer(): OpsServer | undefined;
  /** Stop taking jobs, let running ones reach a checkpoint, close the queue. */
  shutdown(graceMs: number): Promise<void>;
}

export function createIssuesmithApp(runtime: Runtime): IssuesmithApp {
  let worker: Worker | undefined;
  let draining = false;
  let opsServer: OpsServer | undefined;
  const appFn: ApplicationFunction = async (app, { addHandler }) => {
    const deps = jobDeps(runtime, app);
    const positions = runtime.env.queue.runWorker ? queuePositions(runtime, deps) : undefined;
    const ackDeps = {
      queue: runtime.queue,
      redactor: runtime.redactor,
      log: runtime.log,
      progressIntervalMs: runtime.env.progressIntervalMs,
      model: runtime.env.model.name,
      ...(positions ? { onQueued: (id: string, position: number) => positions.shown(id, position) } : {}),
    };
    const handlerDeps: HandlerDeps = {
      queue: runtime.queue,
      log: runtime.log,
      identity: deps.identity,
      acknowledge: (job, octokit) => {
        acknowledge(job, octokit, ackDeps).catch((err: unknown) =>
          runtime.log.warn({ err, job: job.id }, "acknowledgement failed; the worker will retry it"),
        );
      },
      cancelledBeforeStart: (job, octokit, why) => {
        reportCancelledBeforeStart(job, octokit, ackDeps, why).catch((err: unknown) =>
          runtime.log.warn(
            { err, job: job.id },
            "could not end the progress comment of a job cancelled before it started",
          ),
        );
      },
      lookups: createLookups(),
      spendCaps: runtime.env.spendCaps,
      models: { choices: runtime.env.model.choices, defaultName: runtime.env.model.name },
      countDelivery: recordDelivery,
    };
    refuseMalformedDeliveries(app.webhooks, runtime.log);
    registerIssueHandlers(app, handlerDeps);
    registerCommentHandlers(app, handlerDeps);
    registerCheckHandlers(app, handlerDeps);
    registerLifecycleHandlers(app, handlerDeps);
    if (positions) worker = startWorker(runtime, deps, positions);
    addHandler(createJobPageHandler(runtime.env, runtime.queue, runtime.log));
    const ops: OpsRoutesDeps = {
      queue: runtime.queue,
      metrics: appMetrics(),
      worker: () => worker,
      workerExpected: runtime.env.queue.runWorker,
      draining: () => draining,
    };
    // The webhook port is public: readiness and metrics only with the operator's token (ARCHITECTURE.md §6).
    addHandler(opsRoutes({ ...ops, guard: { token: runtime.env.ops.token } }));
    if (runtime.env.ops.port !== undefined) {
      opsServer = await startOpsServer(opsRoutes(ops), runtime.env.ops.port, runtime.env.server.host);
      runtime.log.info({ port: opsServer.port }, "operator routes (/healthz, /readyz, /metrics) listening");
    }
  };
  return {
    appFn,
    worker: () => worker,
    opsServer: () => opsServer,
    async shutdown(graceMs) {
      draining = true;
      await worker?.stop(graceMs);
      // Closed after the drain, so probes see "shutting down" until then.
      await opsServer?.close();
      await runtime.close();
    },
  };
}

/** For `probot run ./src/index.ts`: everything from the environment. */
const appFromEnv: ApplicationFunction = async (app, options) => {
  const runtime = await createRuntime(loadEnv(process.env));
  await createIssuesmithApp(runtime).appFn(app, options);
};
export default appFromEnv;
