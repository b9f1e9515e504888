// What a job needs from the process around it, passed down (never imported
// from globals), so the app, the worker process and tests wire it alike.
import type { Logger } from "pino";
import type { AppEnv } from "../config/env.ts";
import type { Octokit } from "../github/octokit.ts";
import type { JobQueue } from "../jobs/types.ts";
import type { ChatModel } from "../llm/types.ts";
import type { ToolCaller } from "../agent/loop.ts";
import type { Redactor } from "../security/redact.ts";
import type { GitIdentity } from "../workspace/git.ts";
import type { CommandRunner } from "../workspace/types.ts";
import type { TrajectorySink } from "./trajectory-sink.ts";

export interface AppIdentity {
  /** The app's slug; its bot login is `${slug}[bot]`. */
  slug: string;
  git: GitIdentity;
}

export interface JobDeps {
  env: AppEnv;
  log: Logger;
  queue: JobQueue;
  octokitFor(installationId: number): Promise<Octokit>;
  /** Authenticated as the app itself (JWT): installation tokens are asked for with it. */
  appOctokit(): Promise<Octokit>;
  identity(): Promise<AppIdentity>;
  /** A fresh model client per job (the text/native protocol choice is per endpoint). */
  model(): ChatModel;
  runner: CommandRunner;
  tools: ToolCaller;
  /** Knows the process's secrets; each job adds its token to a child of it. */
  redactor: Redactor;
  /** Where a job's steps are recorded, and the signed link to its page. */
  trajectories?: TrajectorySink;
}
