// Prometheus metrics of the job system, on a registry of our own (so tests
// and several apps in one process do not collide) with the default process
// metrics. The worker records outcomes; webhook handlers count deliveries
// through recordDelivery; queue depth is read from the store at scrape time.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobKind, JobOutcome, JobState } from "../shared/job.ts";

export interface JobMetrics {
  readonly registry: Registry;
  /** A job ended (or was handed back): count it, time it, add its tokens and cost. */
  recordOutcome(kind: JobKind, state: JobState, outcome: JobOutcome | undefined, durationMs: number): void;
  /** A job was put back for a retry after a Transient failure. */
  recordRetry(kind: JobKind): void;
  /** A webhook delivery arrived; result e.g. "enqueued", "duplicate", "coalesced", "ignored", "refused", "error". */
  recordDelivery(event: string, result: string): void;
  /** Where queue depth comes from; read at each scrape. */
  setDepthSource(source: (() => Promise<Partial<Record<JobState, number>>>) | undefined): void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
  readonly contentType: string;
}

const DURATION_BUCKETS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
const STATES: readonly JobState[] = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"];

export function createJobMetrics(options: { prefix?: string; processMetrics?: boolean } = {}): JobMetrics {
  const p = options.prefix ?? "issuesmith_";
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: p });

  const jobs = new Counter({
    name: `${p}jobs_total`,
    help: "Jobs ended, by kind, final state and outcome status.",
    labelNames: ["kind", "state", "status"] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: `${p}job_retries_total`,
    help: "Jobs put back in the queue after an infrastructure (Transient) failure.",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${p}job_duration_seconds`,
    help: "Wall time of one job run, from claim to end.",
    labelNames: ["kind", "state"] as const,
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  const tokens = new Counter({
    name: `${p}model_tokens_total`,
    help: "Model tokens used by jobs, by direction (in = prompt, out = completion).",
    labelNames: ["direction"] as const,
    registers: [registry],
  });
  const cost = new Counter({
    name: `${p}model_cost_usd_total`,
    help: "Estimated model cost of jobs in US dollars.",
    registers: [registry],
  });
  const deliveries = new Counter({
    name: `${p}webhook_deliveries_total`,
    help: "Webhook deliveries received, by event and what became of them.",
    labelNames: ["event", "result"] as const,
    registers: [registry],
  });
  let depthSource: (() => Promise<Partial<Record<JobState, number>>>) | undefined;
  new Gauge({
    name: `${p}queue_jobs`,
    help: "Jobs in the store by state, read at scrape time.",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      if (!depthSource) return;
      // A store that cannot answer leaves the gauge out rather than failing the scrape:
      // /readyz is where an unreachable store shows.
      const counts = await depthSource().catch(() => undefined);
      this.reset();
      if (!counts) return;
      for (const state of STATES) this.set({ state }, counts[state] ?? 0);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    recordOutcome(kind, state, outcome, durationMs) {
      jobs.inc({ kind, state, status: outcome?.status ?? "none" });
      duration.observe({ kind, state }, durationMs / 1000);
      const usage = outcome?.usage;
      if (usage) {
        tokens.inc({ direction: "in" }, nonNegative(usage.inputTokens));
        tokens.inc({ direction: "out" }, nonNegative(usage.outputTokens));
        cost.inc(nonNegative(usage.costUsd));
      }
    },
    recordRetry(kind) {
      retries.inc({ kind });
    },
    recordDelivery(event, result) {
      deliveries.inc({ event, result });
    },
    setDepthSource(source) {
      depthSource = source;
    },
    text() {
      return registry.metrics();
    },
  };
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

let shared: JobMetrics | undefined;

/** The process-wide metrics the app serves on /metrics. */
export function appMetrics(): JobMetrics {
  shared ??= createJobMetrics();
  return shared;
}

/** For webhook handlers: count one delivery on the app's metrics. */
export function recordDelivery(event: string, result: string): void {
  appMetrics().recordDelivery(event, result);
}
