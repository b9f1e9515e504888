// Where a revision starts: on the pull request's head, brought up to date
// with the base first when it is the app's own and lags behind; or, resumed
// after a restart, from the work its checkpoint saved; or not at all, when
// the follow-up commit was already pushed before the restart.
import type { RepoConfig } from "../../config/repo-config.ts";
import type { JobOutcome } from "../../shared/job.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import type { Workspace } from "../../workspace/types.ts";
import { freshCheckpoint, savedState, wipBranchName, type FixCheckpoint } from "../checkpointer.ts";
import type { JobScope } from "../job-scope.ts";
import type { SolveState } from "../solve.ts";
import { bringUpToDate, type BaseUpdate } from "./base-update.ts";
import { reportUnresolved } from "./base-update-text.ts";

export interface RevisionStart {
  checkpoint: FixCheckpoint;
  resume: SolveState | undefined;
  /** The follow-up commit an earlier attempt of this job pushed. */
  alreadyPushed: string | undefined;
}

/** Call with the branch checked out at the pull request's head. */
export async function startRevision(
  scope: JobScope,
  git: GitWorkspace,
  config: RepoConfig,
  branch: string,
  previous: FixCheckpoint | undefined,
): Promise<RevisionStart> {
  const head = await git.head();
  const wipBranch = wipBranchName(config, scope.job.id);
  const fresh = (usage?: FixCheckpoint["usage"]) => freshCheckpoint(branch, head, wipBranch, usage);
  if (!previous) return { checkpoint: fresh(), resume: undefined, alreadyPushed: undefined };
  if (previous.published && (await git.contains(head, previous.published)))
    return { checkpoint: previous, resume: undefined, alreadyPushed: previous.published };
  if (previous.wipSha && previous.base === head && (await git.fetchBranch(previous.wipBranch))) {
    await git.checkoutNewBranch(branch, `origin/${previous.wipBranch}`);
    return { checkpoint: previous, resume: savedState(previous), alreadyPushed: undefined };
  }
  if (previous.wipSha) {
    // Someone pushed to the pull request meanwhile: the saved work was made on
    // an older head. Start again on the new one, and drop the stale side branch.
    scope.log.info(
      { saved: previous.base, head },
      "the pull request moved while the job was stopped; starting the revision again",
    );
    await git
      .deleteRemoteBranch(previous.wipBranch)
      .catch((err: unknown) => scope.log.warn({ err }, "could not delete a stale checkpoint branch"));
  }
  return { checkpoint: fresh(previous.usage), resume: undefined, alreadyPushed: undefined };
}

export type MergedBase = Extract<BaseUpdate, { kind: "merged" }>;

/**
 * A fresh revision of the app's own pull request starts on the branch brought
 * up to date with its base (merged in, conflicts resolved by the agent and
 * judged by the tests); the revision's commit then builds on that merge.
 * Conflicts left unresolved end the job here, with nothing pushed.
 */
export async function upToDateStart(
  scope: JobScope,
  config: RepoConfig,
  clone: { workspace: Workspace; git: GitWorkspace; base: string },
  pr: { number: number; title: string; body: string | null; base: { ref: string } },
  start: RevisionStart,
): Promise<{ start: RevisionStart; merged: MergedBase | undefined } | { outcome: JobOutcome }> {
  const { checkpoint } = start;
  const update = await bringUpToDate(scope, config, {
    clone,
    baseRef: pr.base.ref,
    branch: checkpoint.branch,
    pr,
    usage: checkpoint.usage,
  });
  if (update.kind === "unresolved") return { outcome: await reportUnresolved(scope, update, pr.base.ref) };
  if (update.kind === "up-to-date") return { start, merged: undefined };
  const usage = update.resolution?.usage ?? checkpoint.usage;
  return {
    start: { ...start, checkpoint: freshCheckpoint(checkpoint.branch, update.merge, checkpoint.wipBranch, usage) },
    merged: update,
  };
}
