// SIGTERM while GitHub does not answer: the process ends within
// AGENT_SHUTDOWN_GRACE_S plus a few seconds, whatever the running job, the
// queued jobs and their comment edits are waiting on; a second signal ends it
// at once. For `npm start` (the server with its worker) and `issuesmith worker`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MODEL_API_KEY, OWNER, REPO, MAINTAINER, WEBHOOK_SECRET } from "../support/app.ts";
import { startAppProcess, type AppProcess } from "../support/app-process.ts";
import { createFakeGitHub } from "../support/fake-github.ts";
import { appKeys } from "../support/keys.ts";
import { createModelServer, type ModelServer } from "../support/model-server.ts";
import { createTcpSwitch, type TcpSwitch } from "../support/tcp-switch.ts";
import { fakeTarget, issuesEvent, sendWebhook } from "../support/webhooks.ts";
import { BUGGY_REPO } from "./fixtures.ts";

const GRACE_S = 2;
/** "A few seconds" past the grace: the process's own deadline is 5 s; the rest is a loaded machine's slack. */
const FEW_S = 8;

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function until<T>(
  what: string,
  fn: () => T | undefined | false,
  timeoutMs = 60_000,
  output?: string[],
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${output ? `\n${output.slice(-30).join("\n")}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GitHub behind a switchable relay, a model that never answers, three issues. */
async function world(graceS: number) {
  const keys = await appKeys();
  const fake = await createFakeGitHub({ appId: 4344, publicKey: keys.publicKey });
  cleanup.push(() => fake.close());
  await fake.addRepo({ owner: OWNER, name: REPO, files: BUGGY_REPO });
  fake.setPermission(OWNER, REPO, MAINTAINER, "write");
  const relay: TcpSwitch = await createTcpSwitch({ host: "127.0.0.1", port: Number(fake.host.split(":")[1]) });
  cleanup.push(() => relay.close());
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  cleanup.push(async () => release());
  const model: ModelServer = await createModelServer({
    apiKey: MODEL_API_KEY,
    turns: Array.from({ length: 10 }, () => ({ pause: hold })),
  });
  cleanup.push(() => model.close());
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-shutdown-"));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const env: Record<string, string> = {
    APP_ID: String(fake.appId),
    PRIVATE_KEY: keys.privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: relay.host,
    GHE_PROTOCOL: "http",
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: MODEL_API_KEY,
    AGENT_MODEL: "scripted-model",
    AGENT_MODEL_RETRIES: "0",
    AGENT_QUEUE: "sqlite",
    AGENT_DATA_DIR: path.join(root, "data"),
    AGENT_WORK_DIR: path.join(root, "work"),
    AGENT_GITHUB_THROTTLE: "false",
    AGENT_PROGRESS_INTERVAL_MS: "0",
    AGENT_CONCURRENCY: "1",
    AGENT_INSTALLATION_CONCURRENCY: "1",
    AGENT_SHUTDOWN_GRACE_S: String(graceS),
    LOG_LEVEL: "info",
  };
  const issues = [1, 2, 3].map((n) =>
    fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: `sum() is wrong (${n})`,
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    }),
  );
  const label = async (url: string) => {
    for (const issue of issues) {
      const res = await sendWebhook(
        `${url}/api/github/webhooks`,
        issuesEvent("labeled", fakeTarget(fake, OWNER, REPO, MAINTAINER), {
          issue: { number: issue.number, title: issue.title },
          label: "agent",
        }),
        { secret: WEBHOOK_SECRET },
      );
      expect(res.status).toBe(200);
    }
  };
  const modelAsked = () => model.requests.some((r) => r.path.endsWith("/chat/completions"));
  return { env, relay, label, modelAsked, root };
}

/** `npm start`, or a webhook server without a worker and `issuesmith worker` beside it. */
async function jobsRunning(kind: "server" | "worker", w: Awaited<ReturnType<typeof world>>): Promise<AppProcess> {
  const server = await startAppProcess({
    env: { ...w.env, ...(kind === "worker" ? { AGENT_WORKER: "false" } : {}) },
    cwd: w.root,
  });
  cleanup.push(() => server.kill("SIGKILL"));
  await w.label(server.url);
  if (kind === "server") {
    await until("the first job to ask the model", w.modelAsked, 60_000, server.output);
    return server;
  }
  const worker = await startAppProcess({ env: w.env, cwd: w.root, cli: ["worker"] });
  cleanup.push(() => worker.kill("SIGKILL"));
  await until("the worker's first job to ask the model", w.modelAsked, 60_000, worker.output);
  return worker;
}

describe.each(["server", "worker"] as const)("SIGTERM on %s while GitHub does not answer", (kind) => {
  it("exits within the grace plus a few seconds, with a job running and jobs queued", async () => {
    const w = await world(GRACE_S);
    const proc = await jobsRunning(kind, w);
    w.relay.set("hang");
    const started = Date.now();
    proc.child.kill("SIGTERM");
    const exit = await Promise.race([
      proc.exited,
      new Promise<"still running">((r) => setTimeout(() => r("still running"), 60_000)),
    ]);
    const seconds = (Date.now() - started) / 1000;
    expect(exit, proc.output.slice(-30).join("\n")).not.toBe("still running");
    expect(seconds).toBeLessThan(GRACE_S + FEW_S);
    // A clean stop (the store closed), not the deadline's exit 1: the job that could not report was left to resume.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(proc.output.join("\n")).toContain("SIGTERM received, stopping");
  }, 180_000);

  it("exits at once on a second signal, long before the grace", async () => {
    const w = await world(120);
    const proc = await jobsRunning(kind, w);
    w.relay.set("hang");
    proc.child.kill("SIGTERM");
    await until(
      "the stop to begin",
      () => proc.output.some((l) => l.includes("SIGTERM received")),
      10_000,
      proc.output,
    );
    const started = Date.now();
    proc.child.kill("SIGTERM");
    const exit = await Promise.race([
      proc.exited,
      new Promise<"still running">((r) => setTimeout(() => r("still running"), 30_000)),
    ]);
    expect(exit, proc.output.slice(-30).join("\n")).toEqual({ code: 143, signal: null });
    expect((Date.now() - started) / 1000).toBeLessThan(FEW_S);
    expect(proc.output.join("\n")).toContain("SIGTERM again: exiting now");
  }, 180_000);
});
