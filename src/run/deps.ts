// What a job needs from the process around it, passed down (never imported
// from globals), so the app, the worker process and tests wire it alike.
import type { ModelChoice } from "../config/models.ts";
import type { Logger } from "pino";
import type { AppEnv } from "../config/env.ts";
import type { AppIdentity } from "../github/app-identity.ts";
import type { Octokit } from "../github/octokit.ts";
import type { JobQueue } from "../shared/job.ts";
import type { ChatModel } from "../llm/types.ts";
import type { ToolCaller } from "../agent/loop.ts";
import type { Redactor } from "../security/redact.ts";
import type { SpareWorkspaces } from "../workspace/cache/spare.ts";
import type { CommandRunner } from "../workspace/types.ts";
import type { TrajectorySink } from "./trajectory-sink.ts";

export interface JobDeps {
  env: AppEnv;
  log: Logger;
  queue: JobQueue;
  octokitFor(installationId: number): Promise<Octokit>;
  /** Authenticated as the app itself (JWT): installation tokens are asked for with it. */
  appOctokit(): Promise<Octokit>;
  identity(): Promise<AppIdentity>;
  /** A fresh model client per job for one allow-listed model (the text/native protocol choice is per endpoint). */
  model(choice: ModelChoice): ChatModel;
  runner: CommandRunner;
  tools: ToolCaller;
  /** Knows the process's secrets; each job adds its token to a child of it. */
  redactor: Redactor;
  /** The repositories' spare workspaces (made in the background between jobs), when the cache is on. */
  spares?: SpareWorkspaces;
  /** Where a job's steps are recorded, and the signed link to its page. */
  trajectories?: TrajectorySink;
}
