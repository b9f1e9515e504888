// What solve() is given for a GitHub job: the model, the workspace with its
// limits and trust boundary (ARCHITECTURE.md §6), and the task as the model
// reads it.
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import type { Workspace } from "../workspace/types.ts";
import type { ToolCaller } from "../agent/loop.ts";
import type { TaskInput } from "../agent/prompt.ts";
import type { SolveOptions } from "./solve.ts";
import type { JobScope } from "./job-scope.ts";
import { trustGate } from "./trust-gate.ts";

/**
 * The parts of solve()'s options every GitHub job shares: this process's model, the job's workspace
 * and its limits, and the trust boundary from the base commit the job cloned (ARCHITECTURE.md §6).
 */
export function solveBase(
  scope: JobScope,
  config: RepoConfig,
  workspace: Workspace,
  tools: ToolCaller,
  cloned?: { git: GitWorkspace; base: string },
): Pick<SolveOptions, "model" | "workspace" | "config" | "signal" | "log"> {
  const env = scope.deps.env;
  const secretEnv = pickSecrets(config, env.repoSecrets, scope.log);
  const setupCache = scope.workspaces.setupCache(workspace);
  const { contextWindow, maxOutputTokens } = scope.modelChoice;
  return {
    model: { chat: scope.model, prices: env.model.prices, contextWindow, maxOutputTokens },
    workspace: {
      dir: workspace,
      runner: scope.deps.runner,
      tools,
      redactor: scope.redactor,
      ...(setupCache ? { setupCache } : {}),
      ...(cloned ? { trust: trustGate(cloned.git, cloned.base, secretEnv, scope.log) } : {}),
    },
    config,
    signal: scope.run.signal,
    log: scope.log,
  };
}

/** The secrets a repository opted in to, of those this installation provides (AGENT_SECRET_<NAME>). */
export function pickSecrets(
  config: RepoConfig,
  available: Record<string, string>,
  log?: Pick<Logger, "warn">,
): Record<string, string> | undefined {
  if (config.secrets.length === 0) return undefined;
  const missing = config.secrets.filter((name) => !(name in available));
  if (missing.length > 0)
    log?.warn(
      { missing },
      "the repository asks for secrets this installation does not provide (set AGENT_SECRET_<NAME>)",
    );
  return Object.fromEntries(config.secrets.filter((name) => name in available).map((name) => [name, available[name]!]));
}

/** The task as the model reads it: the issue or PR, the conversation, the trigger's words, the repo's own notes. */
export function jobTask(
  scope: JobScope,
  config: RepoConfig,
  text: { source?: string; title: string; body: string; comments: TaskInput["comments"] },
  repoInstructions: TaskInput["repoInstructions"],
  extra?: string,
): SolveOptions["task"] {
  const { repo, job } = scope;
  const instructions = job.triggers
    .map((t) => t.text?.trim() ?? "")
    .filter(Boolean)
    .join("\n\n");
  return {
    source: text.source ?? `${repo.owner}/${repo.repo}#${job.target.number}`,
    repo: `${repo.owner}/${repo.repo}`,
    title: text.title,
    body: text.body,
    comments: text.comments,
    ...(instructions ? { instructions } : {}),
    ...(config.notes ? { notes: config.notes } : {}),
    ...(repoInstructions ? { repoInstructions } : {}),
    ...(extra ? { extra } : {}),
  };
}
