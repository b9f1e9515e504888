// The pipeline of one `fix` job on an issue: clone, branch (or resume),
// solve, then publish the evidence as a PR — or say plainly why not. With
// `attempts` above 1, several runs go side by side and the tests pick one (attempts.ts).
import type { RepoConfig } from "../../config/repo-config.ts";
import type { JobOutcome, JobRecord, JobRunContext } from "../../shared/job.ts";
import { readCheckpoint } from "../checkpointer.ts";
import { solveWithCheckpoints } from "../checkpointed-solve.ts";
import type { JobDeps } from "../deps.ts";
import { branchName, readRepoInstructions } from "../issue-context.ts";
import { startOnIssue } from "../issue-start.ts";
import { withJobScope } from "../job-scope.ts";
import { jobTask } from "../solve-base.ts";
import { runAttempts } from "./attempts.ts";
import { prepareBranch } from "./branch-start.ts";
import { publishResult } from "./fix-publish.ts";

export async function runFixJob(job: JobRecord, run: JobRunContext, deps: JobDeps): Promise<JobOutcome> {
  return withJobScope(job, run, deps, async (scope, config, workspaces) => {
    const started = await startOnIssue(scope, config, workspaces);
    const { defaultBranch, issue, clone } = started;
    const repoInstructions = await readRepoInstructions(clone.workspace.repoDir);
    const attempts = attemptsOf(job, config);
    if (attempts > 1) return runAttempts(scope, config, { ...started, repoInstructions, attempts });
    const { git } = clone;
    const previous = readCheckpoint(job.checkpoint);
    const branch = previous?.branch ?? branchName(config.branch_prefix, job.target.number, issue.title);
    const start = await prepareBranch(scope, git, branch, run.resumed ? previous : undefined, config);
    const { result, checkpointer } = await solveWithCheckpoints(
      scope,
      config,
      clone,
      start,
      jobTask(scope, config, issue, repoInstructions),
    );
    const outcome = await publishResult(
      scope,
      config,
      { git, branch, start, result },
      { title: issue.title, defaultBranch },
    );
    await checkpointer.discard();
    return outcome;
  });
}

/** The newest trigger that asked for a number of attempts wins, then the repository's `attempts:`. */
export function attemptsOf(job: Pick<JobRecord, "triggers">, config: Pick<RepoConfig, "attempts">): number {
  return [...job.triggers].reverse().find((t) => t.attempts !== undefined)?.attempts ?? config.attempts;
}
