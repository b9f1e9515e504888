// The pipeline without GitHub: the CLI (`issuesmith run`) and `eval` work on
// a private clone of a local repository, so the user's own checkout is never
// touched while the agent works; the result comes back as a branch or a diff.
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import type { SpendPool } from "../agent/budget.ts";
import type { ToolCaller } from "../agent/loop.ts";
import type { PriceTable } from "../agent/prices.ts";
import type { TaskInput } from "../agent/prompt.ts";
import type { ChatModel } from "../llm/types.ts";
import type { Finding } from "../security/secret-scan.ts";
import type { Redactor } from "../security/redact.ts";
import { GitWorkspace } from "../workspace/git.ts";
import type { CommandRunner, Workspace } from "../workspace/types.ts";
import { readRepoInstructions } from "./issue-context.ts";
import { firstLine } from "./job-end.ts";
import { prepareCommit } from "./publish.ts";
import { solve, type SolveEvent, type SolveResult } from "./solve.ts";
import { createWorkspaceDir, removeWorkspaceDir } from "./workspace-dir.ts";

export interface LocalRunOptions {
  /** A local path or a git URL to clone. */
  source: string;
  /** Start from this commit instead of the source's HEAD. */
  baseCommit?: string;
  branch: string;
  task: Pick<TaskInput, "title" | "body" | "source"> & Partial<Pick<TaskInput, "instructions" | "extra">>;
  config: RepoConfig;
  model: ChatModel;
  tools: ToolCaller;
  runner: CommandRunner;
  redactor: Redactor;
  prices?: PriceTable;
  contextWindow: number;
  maxOutputTokens: number;
  workDir: string;
  jobId: string;
  signal: AbortSignal;
  log: Logger;
  verify?: boolean;
  /** The tokens and cost shared with the other attempts at the same task (eval --attempts). */
  pool?: SpendPool;
  identity?: { name: string; email: string };
  onEvent?: (event: SolveEvent) => void | Promise<void>;
  /** Called with the fresh clone before the agent starts (eval provides offline dependencies here). */
  beforeSolve?: (workspace: Workspace, git: GitWorkspace) => Promise<void>;
  /** Called with the workspace after solve, before it is removed (eval applies hidden tests here). */
  afterSolve?: (workspace: Workspace, git: GitWorkspace, result: SolveResult) => Promise<void>;
}

export interface LocalRunResult {
  result: SolveResult;
  /** The commit on `branch` in the private clone; undefined when nothing changed. */
  sha: string | undefined;
  /** Unified diff of the work against the starting commit. */
  diff: string;
  changed: string[];
  refused: Array<{ path: string; reason: string }>;
  findings: Finding[];
  base: string;
}

export const LOCAL_IDENTITY = { name: "issuesmith", email: "issuesmith@localhost" };

export async function localRun(
  options: LocalRunOptions,
  keep?: (git: GitWorkspace, run: LocalRunResult) => Promise<void>,
): Promise<LocalRunResult> {
  const workspace = await createWorkspaceDir(options.workDir, options.jobId);
  try {
    const identity = options.identity ?? LOCAL_IDENTITY;
    const git = await GitWorkspace.clone({
      cloneUrl: options.source,
      dir: workspace.repoDir,
      identity,
      home: workspace.homeDir,
      signal: options.signal,
    });
    await git.checkoutNewBranch(options.branch, options.baseCommit ?? "HEAD");
    const base = await git.head();
    await options.beforeSolve?.(workspace, git);
    const repoInstructions = await readRepoInstructions(workspace.repoDir);
    const result = await solve({
      config: options.config,
      task: {
        ...options.task,
        repo: options.task.source,
        comments: [],
        ...(options.config.notes ? { notes: options.config.notes } : {}),
        ...(repoInstructions ? { repoInstructions } : {}),
      },
      model: {
        chat: options.model,
        ...(options.prices ? { prices: options.prices } : {}),
        contextWindow: options.contextWindow,
        maxOutputTokens: options.maxOutputTokens,
      },
      workspace: { dir: workspace, runner: options.runner, tools: options.tools, redactor: options.redactor },
      signal: options.signal,
      log: options.log,
      ...(options.verify === false ? { steps: { verify: false } } : {}),
      ...(options.pool ? { pool: options.pool } : {}),
      hooks: {
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        afterSetup: async () => {
          await git.markSetupArtifacts();
        },
      },
    });
    const title = options.task.title.split("\n")[0] ?? "issuesmith change";
    const prepared = await prepareCommit(
      git,
      base,
      options.config,
      options.redactor,
      `${title}\n\n${firstLine(result.summary)}`.trim(),
    );
    const run: LocalRunResult = {
      result,
      sha: prepared.sha,
      diff: prepared.sha ? await git.diff(base) : "",
      changed: prepared.changed,
      refused: prepared.refused,
      findings: prepared.findings,
      base,
    };
    await options.afterSolve?.(workspace, git, result);
    await keep?.(git, run);
    return run;
  } finally {
    await removeWorkspaceDir(workspace);
  }
}
