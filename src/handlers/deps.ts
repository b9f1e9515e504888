// What webhook handlers need: enough to decide and enqueue, nothing slow.
import type { Logger } from "pino";
import type { ModelChoice } from "../config/models.ts";
import type { SpendCaps } from "../config/spend-caps.ts";
import type { Octokit } from "../github/octokit.ts";
import type { JobQueue, JobRecord } from "../shared/job.ts";
import type { AppIdentity } from "../github/app-identity.ts";
import type { HandlerLookups } from "./lookups.ts";

export interface HandlerDeps {
  queue: JobQueue;
  log: Logger;
  identity(): Promise<AppIdentity>;
  /** Post 👀 and the progress comment in the background (never awaited by a handler). */
  acknowledge(job: JobRecord, octokit: Octokit): void;
  /** End the progress comment of a job cancelled before it started, in the background. */
  cancelledBeforeStart(job: JobRecord, octokit: Octokit, why: string): void;
  /** The repo config and permissions, remembered briefly. */
  lookups: HandlerLookups;
  /** The models a repository or command may choose, and the default. */
  models: { choices: ReadonlyMap<string, ModelChoice>; defaultName: string | undefined };
  /** Operator caps on spend and job counts (AGENT_SPEND_CAPS); checked before a job is queued. */
  spendCaps: SpendCaps;
  /** Count a delivery for /metrics. */
  countDelivery(event: string, result: DeliveryResult): void;
}

export type DeliveryResult =
  "enqueued" | "duplicate" | "coalesced" | "ignored" | "refused" | "replied" | "cancelled" | "error";
