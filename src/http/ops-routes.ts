// Operator routes on the app's own server (Probot's addHandler): liveness,
// readiness and Prometheus metrics. A Probot Handler answers true when it
// served the request and false to let the next handler try.
// The webhook port faces the internet, so readiness and metrics are served
// there only to a caller with the operator's token; the ops listener
// (ops-server.ts, AGENT_OPS_PORT) serves them openly (ARCHITECTURE.md §6).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JobMetrics } from "../jobs/metrics.ts";
import type { JobQueue, Worker } from "../shared/job.ts";

export interface OpsRoutesDeps {
  queue: Pick<JobQueue, "ping" | "backend">;
  metrics: JobMetrics;
  /** This process's worker, if it has started one. */
  worker: () => Worker | undefined;
  /** Whether this process should run a worker (AGENT_WORKER). */
  workerExpected: boolean;
  /** True while shutting down: not ready, so load balancers stop sending. */
  draining?: () => boolean;
  /**
   * Set on the webhook port: /readyz and /metrics need `Authorization: Bearer <token>`,
   * and without a token they are not served there at all. Unset: served to anyone (the ops listener).
   */
  guard?: { token: string | undefined };
}

type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

export function opsRoutes(deps: OpsRoutesDeps): OpsHandler {
  const startedAt = Date.now();
  return async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!ROUTES.has(pathname)) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, { error: "method not allowed" }, { allow: "GET, HEAD" });
      return true;
    }
    const refusal = pathname === "/healthz" ? undefined : refuse(deps.guard, req);
    if (refusal) {
      send(
        res,
        refusal.status,
        { error: refusal.error },
        refusal.status === 401 ? { "www-authenticate": 'Bearer realm="issuesmith ops"' } : {},
      );
      return true;
    }
    if (pathname === "/healthz") {
      send(res, 200, { status: "ok", uptimeS: Math.round((Date.now() - startedAt) / 1000) });
    } else if (pathname === "/readyz") {
      const reason = await notReady(deps);
      if (reason) send(res, 503, { status: "unavailable", reason });
      else send(res, 200, { status: "ready", queue: deps.queue.backend, runningJobs: deps.worker()?.running ?? 0 });
    } else {
      try {
        const body = await deps.metrics.text();
        res.writeHead(200, { "content-type": deps.metrics.contentType, "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : body);
      } catch (error) {
        send(res, 500, { error: `metrics could not be collected: ${(error as Error).message}` });
      }
    }
    return true;
  };
}

function refuse(guard: OpsRoutesDeps["guard"], req: IncomingMessage): { status: number; error: string } | undefined {
  if (!guard) return undefined;
  if (!guard.token)
    return {
      status: 404,
      error:
        "not served on this port: set AGENT_OPS_PORT (a separate listener) or AGENT_OPS_TOKEN (a bearer token for this port)",
    };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!match || !sameSecret(match[1]!, guard.token))
    return { status: 401, error: "this route needs Authorization: Bearer <AGENT_OPS_TOKEN>" };
  return undefined;
}

/** Compared in constant time (over digests, so the length is not told either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function notReady(deps: OpsRoutesDeps): Promise<string | undefined> {
  if (deps.draining?.()) return "shutting down";
  const reachable = await deps.queue.ping().catch(() => false);
  if (!reachable) return `the ${deps.queue.backend} job store does not answer`;
  if (deps.workerExpected) {
    const worker = deps.worker();
    if (!worker) return "the worker has not started";
    if (worker.stopped) return "the worker has stopped";
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}
