import { createServer } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Probot, Server } from "probot";
import { opsRoutes } from "../../src/http/ops-routes.ts";
import { startOpsServer, type OpsServer } from "../../src/http/ops-server.ts";
import type { OpsRoutesDeps } from "../../src/http/ops-routes.ts";
import { MemoryQueue } from "../../src/jobs/memory/store.ts";
import { createJobMetrics } from "../../src/jobs/metrics.ts";
import type { Worker } from "../../src/shared/job.ts";

// Served by a real Probot server, the way the app hangs them on it.
let server: Server | undefined;
let ops: OpsServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await ops?.close();
  ops = undefined;
});

async function serve(over: Partial<OpsRoutesDeps> = {}): Promise<string> {
  const queue = new MemoryQueue();
  const deps: OpsRoutesDeps = {
    queue,
    metrics: createJobMetrics(),
    worker: () => undefined,
    workerExpected: false,
    ...over,
  };
  server = new Server({
    Probot: Probot.defaults({ appId: 1, privateKey: "unused", secret: "test" }),
    // Probot reads port 0 as "use 3000": find a free one first.
    port: await freePort(),
    host: "127.0.0.1",
    log: pino({ level: "silent" }),
  });
  server.addHandler(opsRoutes(deps));
  const http = await server.start();
  const address = http.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        address && typeof address !== "string" ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

const worker = (stopped: boolean): Worker => ({ running: 1, stopped, stop: async () => {} });

describe("ops routes", () => {
  it("says the process is alive on /healthz", async () => {
    const base = await serve();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });

  it("is ready when the store answers and the expected worker runs", async () => {
    const base = await serve({ worker: () => worker(false), workerExpected: true });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", queue: "memory", runningJobs: 1 });
  });

  it("is not ready, saying why, when the store does not answer", async () => {
    const queue = { backend: "postgres" as const, ping: async () => false };
    const base = await serve({ queue });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "unavailable", reason: "the postgres job store does not answer" });
  });

  it("is not ready when a worker is expected but stopped or never started", async () => {
    let base = await serve({ worker: () => worker(true), workerExpected: true });
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ reason: "the worker has stopped" });
    await server?.stop();
    base = await serve({ worker: () => undefined, workerExpected: true });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ reason: "the worker has not started" });
  });

  it("is not ready while draining for shutdown", async () => {
    const base = await serve({ draining: () => true });
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
  });

  it("serves Prometheus text on /metrics with job, token and delivery series", async () => {
    const metrics = createJobMetrics();
    metrics.recordOutcome(
      "fix",
      "succeeded",
      {
        status: "pr_opened",
        summary: "",
        usage: { steps: 4, inputTokens: 1200, outputTokens: 300, costUsd: 0.25, wallMs: 1 },
      },
      90_000,
    );
    metrics.recordDelivery("issues.labeled", "enqueued");
    const base = await serve({ metrics });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^issuesmith_jobs_total\{kind="fix",state="succeeded",status="pr_opened"\} 1$/m);
    expect(text).toMatch(/^issuesmith_job_duration_seconds_bucket\{le="120",kind="fix",state="succeeded"\} 1$/m);
    expect(text).toMatch(/^issuesmith_model_tokens_total\{direction="in"\} 1200$/m);
    expect(text).toMatch(/^issuesmith_model_tokens_total\{direction="out"\} 300$/m);
    expect(text).toMatch(/^issuesmith_model_cost_usd_total 0\.25$/m);
    expect(text).toMatch(/^issuesmith_webhook_deliveries_total\{event="issues.labeled",result="enqueued"\} 1$/m);
    expect(text).toMatch(/^issuesmith_process_resident_memory_bytes \d+/m);
  });

  it("leaves other paths to the next handler", async () => {
    const base = await serve();
    expect((await fetch(`${base}/api/github/webhooks`, { method: "GET" })).status).not.toBe(200);
    expect((await fetch(`${base}/healthz/extra`)).status).toBe(404);
  });

  it("refuses methods other than GET and HEAD", async () => {
    const base = await serve();
    const res = await fetch(`${base}/metrics`, { method: "POST" });
    expect(res.status).toBe(405);
  });
});

describe("ops routes on the public webhook port", () => {
  const TOKEN = "ops-token-0123456789abcdef";

  it("does not serve /metrics and /readyz without a configured token, and says how to get them", async () => {
    const base = await serve({ guard: { token: undefined } });
    for (const route of ["/metrics", "/readyz"]) {
      const res = await fetch(`${base}${route}`);
      expect(res.status, route).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/AGENT_OPS_PORT.*AGENT_OPS_TOKEN/);
    }
  });

  it("keeps /healthz open", async () => {
    const base = await serve({ guard: { token: TOKEN } });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("refuses /metrics and /readyz without the bearer token, or with a wrong one", async () => {
    const base = await serve({ guard: { token: TOKEN } });
    for (const route of ["/metrics", "/readyz"]) {
      for (const authorization of [
        undefined,
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(0, -1)}`,
        `Basic ${TOKEN}`,
        TOKEN,
      ]) {
        const res = await fetch(`${base}${route}`, { headers: authorization ? { authorization } : {} });
        expect(res.status, `${route} with ${authorization}`).toBe(401);
        expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
        expect(await res.text()).not.toContain("issuesmith_");
      }
    }
  });

  it("serves them with the bearer token", async () => {
    const base = await serve({ guard: { token: TOKEN } });
    const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/issuesmith_/);
    expect((await fetch(`${base}/readyz`, { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
  });
});

describe("the operator listener (AGENT_OPS_PORT)", () => {
  it("serves /healthz, /readyz and /metrics without a token, and nothing else", async () => {
    ops = await startOpsServer(
      opsRoutes({
        queue: new MemoryQueue(),
        metrics: createJobMetrics(),
        worker: () => undefined,
        workerExpected: false,
      }),
      0,
      "127.0.0.1",
    );
    const base = `http://127.0.0.1:${ops.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/issuesmith_/);
    const other = await fetch(`${base}/api/github/webhooks`, { method: "POST", body: "{}" });
    expect(other.status).toBe(404);
  });
});
