// Where a fix job's work starts: the branch people will review, built on an
// open PR's head when there is one, or carried on from a saved checkpoint.
import type { RepoConfig } from "../../config/repo-config.ts";
import { findOpenPull } from "../../github/pull-requests.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import { freshCheckpoint, savedState, wipBranchName, type FixCheckpoint } from "../checkpointer.ts";
import type { CheckpointedStart } from "../checkpointed-solve.ts";
import type { JobScope } from "../job-scope.ts";

export interface BranchStart extends CheckpointedStart {
  /** Remote state of `branch` the final push must find. */
  expect: string | null | undefined;
}

/** `wipSuffix`: set for one of several attempts, each with its own side branch (`…wip/<job id>-<n>`). */
export async function prepareBranch(
  scope: JobScope,
  git: GitWorkspace,
  branch: string,
  previous: FixCheckpoint | undefined,
  config: RepoConfig,
  wipSuffix = "",
): Promise<BranchStart> {
  const remoteSha = (await git.fetchBranch(branch)) ? await git.revParse(`origin/${branch}`) : null;
  const openPull = remoteSha ? await findOpenPull(scope.octokit, scope.repo, branch) : undefined;
  // An open PR on this branch: build on top of it, never rewrite it.
  const startPoint = openPull && remoteSha ? remoteSha : await git.head();
  const expect = openPull ? undefined : remoteSha;

  if (previous && previous.wipSha && (await git.fetchBranch(previous.wipBranch))) {
    await git.checkoutNewBranch(branch, `origin/${previous.wipBranch}`);
    return { checkpoint: previous, expect, resume: savedState(previous) };
  }
  await git.checkoutNewBranch(branch, startPoint);
  // Resumed with no work saved yet: start over, keep what was spent.
  return {
    checkpoint: freshCheckpoint(
      branch,
      startPoint,
      wipBranchName(config, `${scope.job.id}${wipSuffix}`),
      previous?.usage,
    ),
    expect,
    resume: undefined,
  };
}
