// solve() for the jobs that change code (fix, revise): every step is saved
// in the job record, the work in progress is pushed to the job's wip branch
// every so often and before a shutdown, so a restarted worker carries on from
// there (ARCHITECTURE.md §1).
import type { SpendPool } from "../agent/budget.ts";
import type { RepoConfig } from "../config/repo-config.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import type { Workspace } from "../workspace/types.ts";
import { Checkpointer, saveOnShutdown, type FixCheckpoint } from "./checkpointer.ts";
import { type JobScope } from "./job-scope.ts";
import { solveBase } from "./solve-base.ts";
import { solve, type SolveOptions, type SolveResult, type SolveState } from "./solve.ts";

export interface CheckpointedStart {
  checkpoint: FixCheckpoint;
  /** Set when an earlier attempt saved work to carry on from. */
  resume: SolveState | undefined;
}

export async function solveWithCheckpoints(
  scope: JobScope,
  config: RepoConfig,
  clone: { workspace: Workspace; git: GitWorkspace; base: string },
  start: CheckpointedStart,
  task: SolveOptions["task"],
  pool?: SpendPool,
): Promise<{ result: SolveResult; checkpointer: Checkpointer }> {
  const { run, reporter, redactor, log, deps } = scope;
  const { git } = clone;
  const checkpointer = new Checkpointer({
    git,
    run,
    config,
    redactor,
    log,
    checkpoint: start.checkpoint,
    pushEveryMs: deps.env.checkpointIntervalMs,
  });
  const result = await solve({
    ...solveBase(scope, config, clone.workspace, deps.tools, { git, base: clone.base }),
    task,
    // Without saved work to resume, the budget still counts what this job spent before (an earlier attempt, a merge's conflicts).
    ...(start.resume ? { resume: start.resume } : { spent: start.checkpoint.usage }),
    ...(pool ? { pool } : {}),
    hooks: {
      afterSetup: async () => {
        await git.markSetupArtifacts();
      },
      beforeLoop: (setup) => scope.workspaces.prepareSpare(clone.workspace, setup?.command),
      onEvent: (e) => reporter.event(e),
      onCheckpoint: async (state) => {
        reporter.usage(state.usage);
        await checkpointer.save(state);
      },
    },
  }).catch((err: unknown) => saveOnShutdown(checkpointer, run, err));
  reporter.usage(result.usage);
  return { result, checkpointer };
}
