// Whether a test failure after a merge is the merge's doing: the same tests,
// run on the branch as it was before the merge (its first parent). A branch
// whose tests already failed (a draft the app opened with failing tests) may
// still be brought up to date; one the merge broke may not. That run is the
// branch's own code: no secrets, no network, like every run of agent code.
import type { RepoConfig } from "../../config/repo-config.ts";
import type { TestRun } from "../../shared/evidence.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import { onTreeOf } from "../../workspace/git-tree.ts";
import type { Workspace } from "../../workspace/types.ts";
import type { JobScope } from "../job-scope.ts";
import { runTestCommand } from "../test-run.ts";

/** The tests on the tree of `merge`'s first parent; the working tree is put back after. */
export async function testsBeforeMerge(
  scope: Pick<JobScope, "deps" | "run" | "redactor" | "reporter">,
  config: RepoConfig,
  clone: { workspace: Workspace; git: GitWorkspace },
  merge: string,
  testCommand: string,
): Promise<TestRun> {
  await scope.reporter.phase("test", "the branch before the merge");
  const before = await clone.git.revParse(`${merge}^1`);
  return onTreeOf(clone.git, before, () =>
    runTestCommand(
      scope.deps.runner,
      clone.workspace,
      testCommand,
      config.budget.test_timeout_seconds * 1000,
      scope.run.signal,
      scope.redactor,
    ),
  );
}
