// `issuesmith worker`: a worker process without the webhook server, for
// scale-out on PostgreSQL (many workers, one job store). Serves only /healthz,
// /readyz and /metrics on PORT.
import { createServer } from "node:http";
import { Probot } from "probot";
import { hasAppCredentials, type AppEnv } from "../config/env.ts";
import { UserError } from "../errors.ts";
import { githubOctokit } from "../github/octokit-class.ts";
import { opsRoutes } from "../http/ops-routes.ts";
import { appMetrics } from "../jobs/metrics.ts";
import { createRuntime, jobDeps, startWorker } from "../runtime.ts";

export async function workerCommand(env: AppEnv): Promise<{ stop(): Promise<void>; port: number }> {
  if (!hasAppCredentials(env))
    throw new UserError("the worker needs the app's credentials", ["set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH)"]);
  const runtime = await createRuntime(env);
  const probot = new Probot({
    appId: env.github.appId!,
    privateKey: env.github.privateKey!,
    baseUrl: env.github.baseUrl,
    log: runtime.log,
    Octokit: githubOctokit({ throttle: env.github.throttle }),
  });
  const worker = startWorker(runtime, jobDeps(runtime, probot));
  let draining = false;
  const routes = opsRoutes({
    queue: runtime.queue,
    metrics: appMetrics(),
    worker: () => worker,
    workerExpected: true,
    draining: () => draining,
  });
  const server = createServer((req, res) => {
    routes(req, res).then(
      (served) => {
        if (!served) res.writeHead(404).end("not found\n");
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.server.port, env.server.host ?? "0.0.0.0", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.server.port;
  runtime.log.info({ port }, "worker serving /healthz, /readyz, /metrics");
  return {
    port,
    async stop() {
      draining = true;
      await worker.stop(env.queue.shutdownGraceMs);
      await runtime.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
