// Starts issuesmith in-process against the loopback fakes: the fake GitHub
// (REST, GraphQL, git), a scripted model server, and the real HTTP server,
// queue, sandbox runner and tools. Logs are captured for leak checks.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Probot, Server } from "probot";
import { loadEnv, type AppEnv } from "../../src/config/env.ts";
import { createIssuesmithApp } from "../../src/index.ts";
import type { JobRecord } from "../../src/shared/job.ts";
import { TERMINAL_STATES } from "../../src/shared/job.ts";
import { createLogger } from "../../src/logger.ts";
import { createRuntime, type Runtime } from "../../src/runtime.ts";
import { Redactor } from "../../src/security/redact.ts";
import { envSecrets } from "../../src/config/env.ts";
import { createFakeGitHub, type FakeGitHub } from "./fake-github.ts";
import { githubOctokit } from "../../src/github/octokit-class.ts";
import { TestOctokit, unpacedProductionOctokit } from "./github-client.ts";
import { appKeys } from "./keys.ts";
import { createModelServer, type ModelServer, type ModelServerOptions, type Turn } from "./model-server.ts";
import { fakeTarget, sendWebhook, type Delivery, type SendResult, type WebhookTarget } from "./webhooks.ts";

export const WEBHOOK_SECRET = "e2e-webhook-secret";
export const MODEL_API_KEY = "sk-testkey0123456789abcdefghijklmnop";

export interface TestApp {
  url: string;
  webhookUrl: string;
  fake: FakeGitHub;
  model: ModelServer;
  runtime: Runtime;
  env: AppEnv;
  /** Every log line the app wrote (already through the redactor, as on stdout). */
  logs: string[];
  /** Where job workspaces are made. */
  workDir: string;
  target(sender?: string): WebhookTarget;
  send(delivery: Delivery, options?: { deliveryId?: string; secret?: string }): Promise<SendResult>;
  /** Wait until every job is finished (or `predicate` holds), then return the jobs. */
  waitForJobs(options?: {
    count?: number;
    timeoutMs?: number;
    predicate?: (jobs: JobRecord[]) => boolean;
  }): Promise<JobRecord[]>;
  stop(): Promise<void>;
}

export interface TestAppOptions {
  turns?: Turn[];
  noNativeTools?: boolean;
  /** The provider the model server plays (rules, stream style, window); OPENAI_BASE_URL follows it. */
  modelServer?: Omit<ModelServerOptions, "turns" | "apiKey">;
  /** Files of the repository acme/widgets (created unless `repo: false`). */
  files?: Record<string, string | Buffer>;
  repo?: false;
  env?: Record<string, string>;
  /** Start a worker in this process (default true). */
  worker?: boolean;
  /** The installation's permissions (default: app.yml's, as GitHub grants them). */
  permissions?: Record<string, string>;
  /**
   * Talk to GitHub with the app's own octokit (retries and rate-limit handling
   * on, as in production) instead of one that fails at once. Its pacing of
   * writes is shortened so a test does not wait seconds between comments;
   * "paced" keeps GitHub's pacing too (benches).
   */
  productionOctokit?: boolean | "paced";
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export const OWNER = "acme";
export const REPO = "widgets";
export const MAINTAINER = "maya";

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const keys = await appKeys();
  const fake = await createFakeGitHub({
    appId: 4242,
    publicKey: keys.publicKey,
    ...(options.permissions ? { permissions: options.permissions } : {}),
  });
  const model = await createModelServer({
    ...options.modelServer,
    turns: options.turns ?? [],
    apiKey: MODEL_API_KEY,
    ...(options.noNativeTools ? { noNativeTools: true } : {}),
  });
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-e2e-"));
  const workDir = path.join(root, "work");
  if (options.repo !== false) {
    await fake.addRepo({ owner: OWNER, name: REPO, files: options.files ?? { "README.md": "# widgets\n" } });
    fake.setPermission(OWNER, REPO, MAINTAINER, "write");
  }
  const env = loadEnv({
    APP_ID: String(fake.appId),
    PRIVATE_KEY: keys.privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "debug",
    LOG_FORMAT: "json",
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: MODEL_API_KEY,
    AGENT_MODEL: model.model,
    AGENT_QUEUE: "memory",
    AGENT_DATA_DIR: path.join(root, "data"),
    AGENT_WORK_DIR: workDir,
    AGENT_PROGRESS_INTERVAL_MS: "0",
    AGENT_GITHUB_THROTTLE: "false",
    AGENT_MODEL_RETRIES: "0",
    AGENT_WORKER: options.worker === false ? "false" : "true",
    ...options.env,
  });
  const logs: string[] = [];
  const redactor = new Redactor(envSecrets(env));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) logs.push(line);
      done();
    },
  });
  const log = createLogger(env, redactor, sink);
  const runtime = await createRuntime(env, { log, redactor });
  const app = createIssuesmithApp(runtime);
  const server = new Server({
    host: "127.0.0.1",
    // Probot's Server treats port 0 as "use 3000", so ask the OS for a free one first.
    port: await freePort(),
    log,
    Probot: Probot.defaults({
      appId: env.github.appId!,
      privateKey: env.github.privateKey!,
      secret: WEBHOOK_SECRET,
      baseUrl: env.github.baseUrl,
      log,
      Octokit:
        options.productionOctokit === "paced"
          ? githubOctokit({ throttle: true })
          : options.productionOctokit
            ? unpacedProductionOctokit()
            : TestOctokit,
    }),
  });
  await server.load(app.appFn);
  await server.start();
  const url = `http://127.0.0.1:${server.port}`;
  let stopped = false;

  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    fake,
    model,
    runtime,
    env,
    logs,
    workDir,
    target: (sender = MAINTAINER) => fakeTarget(fake, OWNER, REPO, sender),
    send: (delivery, o = {}) =>
      sendWebhook(`${url}/api/github/webhooks`, delivery, {
        secret: o.secret ?? WEBHOOK_SECRET,
        ...(o.deliveryId ? { deliveryId: o.deliveryId } : {}),
      }),
    async waitForJobs(o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 60_000);
      for (;;) {
        const jobs = await runtime.queue.list({ limit: 1000 });
        const done = o.predicate
          ? o.predicate(jobs)
          : jobs.length >= (o.count ?? 1) && jobs.every((j) => TERMINAL_STATES.includes(j.state));
        if (done) return jobs;
        if (Date.now() > deadline)
          throw new Error(
            `jobs did not finish in time: ${JSON.stringify(jobs.map((j) => ({ id: j.id, kind: j.kind, state: j.state, phase: j.phase })))}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => undefined);
      await app.shutdown(5_000);
      await model.close();
      await fake.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The app's pull requests as a test reads them: the PR record joined with its issue (title, body, labels). */
export function pullsOf(a: TestApp) {
  return [...a.fake.state.pulls.values()].map((p) => {
    const issue = a.fake.state.issue(p.repo, p.number)!;
    return {
      ...p,
      head: p.headRef,
      title: issue.title,
      body: issue.body ?? "",
      labels: issue.labels,
      user: issue.user,
      state: issue.state,
    };
  });
}

/** Comments the app wrote on an issue or PR conversation. */
export function botComments(a: TestApp, issueNumber: number) {
  return a.fake.state.issueComments.filter((c) => c.issueNumber === issueNumber && c.user === a.fake.botLogin);
}
