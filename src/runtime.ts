// Everything a process of ours holds once: config, logger, redactor, queue,
// sandbox runner, tools. Built at start-up; a failure here stops start-up
// with one clear message rather than a half-started server.
import type { Logger } from "pino";
import type { Probot } from "probot";
import { envSecrets, type AppEnv } from "./config/env.ts";
import { appIdentityLoader, type AppIdentity } from "./github/app-identity.ts";
import type { Octokit } from "./github/octokit.ts";
import { createQueue, workerOptions } from "./jobs/create-queue.ts";
import type { JobQueue, Worker } from "./shared/job.ts";
import { OpenAIChatModel, chatModelOptions } from "./llm/chat-model.ts";
import { createLogger } from "./logger.ts";
import type { JobDeps } from "./run/deps.ts";
import { createJobHandler } from "./run/dispatch.ts";
import { QueuePositions } from "./run/queue-positions.ts";
import type { TrajectorySink } from "./run/trajectory-sink.ts";
import { Redactor } from "./security/redact.ts";
import { createTrajectorySink } from "./trajectory/wiring.ts";
import { createRegistry, defaultTools, type ToolRegistry } from "./tools/registry.ts";
import { SpareWorkspaces } from "./workspace/cache/spare.ts";
import { createRunner } from "./workspace/sandbox.ts";
import type { CommandRunner } from "./workspace/types.ts";

export interface Runtime {
  env: AppEnv;
  log: Logger;
  redactor: Redactor;
  queue: JobQueue;
  runner: CommandRunner;
  tools: ToolRegistry;
  trajectories?: TrajectorySink;
  /** Spare workspaces made in the background (workspace/cache/spare.ts); none when the cache is off. */
  spares?: SpareWorkspaces;
  close(): Promise<void>;
}

export async function createRuntime(
  env: AppEnv,
  options: { log?: Logger; redactor?: Redactor; queue?: JobQueue } = {},
): Promise<Runtime> {
  const redactor = options.redactor ?? new Redactor(envSecrets(env));
  const log = options.log ?? createLogger(env, redactor);
  const queue = options.queue ?? (await createQueue(env, log));
  try {
    const runner = await createRunner(env.sandbox, log);
    const tools = createRegistry(defaultTools());
    const trajectories = createTrajectorySink(env, queue, redactor, log);
    const { cache } = env;
    const spares =
      cache.maxBytes > 0 ? new SpareWorkspaces({ dir: cache.dir, maxBytes: cache.maxBytes, log }) : undefined;
    const close = async () => {
      await spares?.close();
      await trajectories?.flush();
      await queue.close();
    };
    const optional = { ...(trajectories ? { trajectories } : {}), ...(spares ? { spares } : {}) };
    return { env, log, redactor, queue, runner, tools, ...optional, close };
  } catch (err) {
    await queue.close();
    throw err;
  }
}

/** The job pipeline's dependencies, with GitHub reached through a Probot instance. */
export function jobDeps(runtime: Runtime, app: Probot): JobDeps {
  const identity: () => Promise<AppIdentity> = appIdentityLoader(() => app.auth() as Promise<Octokit>, {
    host: runtime.env.github.host,
    ...(runtime.env.botName ? { slug: runtime.env.botName } : {}),
  });
  const modelOptions = runtime.env.model.name ? chatModelOptions(runtime.env) : undefined;
  return {
    env: runtime.env,
    log: runtime.log,
    queue: runtime.queue,
    octokitFor: (installationId) => app.auth(installationId) as Promise<Octokit>,
    appOctokit: () => app.auth() as Promise<Octokit>,
    identity,
    model: (choice) => {
      if (!modelOptions) throw new Error("no model configured: set AGENT_MODEL");
      return new OpenAIChatModel({
        ...modelOptions,
        model: choice.name,
        baseUrl: choice.baseUrl,
        apiKey: choice.apiKey,
        maxOutputTokens: choice.maxOutputTokens,
      });
    },
    runner: runtime.runner,
    tools: runtime.tools,
    redactor: runtime.redactor,
    ...(runtime.trajectories ? { trajectories: runtime.trajectories } : {}),
    ...(runtime.spares ? { spares: runtime.spares } : {}),
  };
}

export function queuePositions(runtime: Runtime, deps: JobDeps): QueuePositions {
  return new QueuePositions({
    queue: runtime.queue,
    octokitFor: deps.octokitFor,
    redactor: runtime.redactor,
    log: runtime.log,
    model: runtime.env.model.name,
  });
}

/** The worker, and beside it the refresher of waiting jobs' places in line; stopping one stops both. */
export function startWorker(runtime: Runtime, deps: JobDeps, positions = queuePositions(runtime, deps)): Worker {
  const worker = runtime.queue.work(createJobHandler(deps), workerOptions(runtime.env));
  positions.start(runtime.env.queue.positionRefreshMs);
  runtime.log.info({ concurrency: runtime.env.queue.concurrency, sandbox: runtime.runner.kind }, "worker started");
  return {
    get running() {
      return worker.running;
    },
    get stopped() {
      return worker.stopped;
    },
    async stop(graceMs) {
      await positions.stop();
      await worker.stop(graceMs);
    },
  };
}
