// Bringing the app's pull request up to date with its base before a revision
// (and for `/agent update`): the base is MERGED into the branch, never
// rebased onto it, so reviewers keep their commits and nothing is
// force-pushed. Conflicts go to the agent with the markers in its workspace;
// the tests are the judge. After the merge the trusted base is the base
// commit merged (ARCHITECTURE.md §6): the clone's, which the trust gate
// already measures from.
import type { RepoConfig } from "../../config/repo-config.ts";
import { fenceUntrusted } from "../../agent/prompt.ts";
import type { Usage } from "../../shared/job.ts";
import { renderConflicts, type ConflictedFile } from "../../workspace/conflict-hunks.ts";
import type { GitWorkspace } from "../../workspace/git.ts";
import { amendMerge, mergeBaseIntoHead, stillConflicted, unshallow } from "../../workspace/git-merge.ts";
import type { Workspace } from "../../workspace/types.ts";
import { freshCheckpoint, wipBranchName } from "../checkpointer.ts";
import { solveWithCheckpoints } from "../checkpointed-solve.ts";
import { firstLine, testsFailed, unfinishedEnding } from "../job-end.ts";
import type { JobScope } from "../job-scope.ts";
import { findingsText, prepareCommit } from "../publish.ts";
import type { SolveResult } from "../solve.ts";
import type { TestRun } from "../../shared/evidence.ts";
import { testsBeforeMerge } from "./tests-before.ts";

export type BaseUpdate =
  | { kind: "up-to-date"; base: string }
  /** `merge`: the local merge commit; `resolution`: the agent's run, when there were conflicts. */
  | {
      kind: "merged";
      base: string;
      merge: string;
      conflicts: ConflictedFile[];
      resolution?: SolveResult;
      /** The tests fail after the merge, and this run shows they failed on the branch before it too. */
      failedBefore?: TestRun;
    }
  /** Nothing may be pushed: `why` says what went wrong, `conflicts` are the hunks as git left them. */
  | { kind: "unresolved"; base: string; conflicts: ConflictedFile[]; why: string; resolution?: SolveResult };

export interface BaseUpdateInput {
  clone: { workspace: Workspace; git: GitWorkspace; base: string };
  /** The pull request's base branch (whose head the clone holds) and the branch checked out at its head. */
  baseRef: string;
  branch: string;
  pr: { number: number; title: string; body: string | null };
  /** What the job spent before (an earlier attempt). */
  usage: Usage;
}

/** Merge the base into the checked-out branch when it lacks it; with conflicts, let the agent resolve them. */
export async function bringUpToDate(scope: JobScope, config: RepoConfig, input: BaseUpdateInput): Promise<BaseUpdate> {
  const { git, base } = input.clone;
  // In a shallow clone the answer may need the history first.
  const upToDate = () => git.contains("HEAD", base);
  if ((await upToDate()) || ((await unshallow(git)) && (await upToDate()))) return { kind: "up-to-date", base };
  await scope.reporter.phase("merge", `${input.baseRef} ${base.slice(0, 7)}`);
  const message = `Merge ${input.baseRef} (${base.slice(0, 7)}) into ${input.branch}`;
  const merged = await mergeBaseIntoHead(git, base, message);
  scope.log.info({ base, merge: merged.sha, conflicts: merged.conflicts.length }, "merged the base into the branch");
  if (merged.conflicts.length === 0) return { kind: "merged", base, merge: merged.sha, conflicts: [] };
  const { conflicts } = merged;
  const binary = conflicts.filter((c) => c.binary);
  if (binary.length > 0)
    return {
      kind: "unresolved",
      base,
      conflicts,
      why: `binary files changed on both sides cannot be merged here: ${binary.map((c) => `\`${c.path}\``).join(", ")}`,
    };
  return resolveConflicts(scope, config, input, merged.sha, message, conflicts);
}

async function resolveConflicts(
  scope: JobScope,
  config: RepoConfig,
  input: BaseUpdateInput,
  conflicted: string,
  message: string,
  conflicts: ConflictedFile[],
): Promise<BaseUpdate> {
  const { git, base } = input.clone;
  const start = {
    checkpoint: freshCheckpoint(input.branch, conflicted, wipBranchName(config, scope.job.id), input.usage),
    resume: undefined,
  };
  const { result, checkpointer } = await solveWithCheckpoints(scope, config, input.clone, start, {
    source: `${scope.repo.owner}/${scope.repo.repo}#${input.pr.number} (pull request, branch ${input.branch})`,
    repo: `${scope.repo.owner}/${scope.repo.repo}`,
    title: input.pr.title,
    body: input.pr.body ?? "",
    comments: [],
    ...(config.notes ? { notes: config.notes } : {}),
    extra: conflictTask(input, conflicts),
  });
  await checkpointer.discard();
  const unresolved = (why: string): BaseUpdate => ({ kind: "unresolved", base, conflicts, why, resolution: result });
  const unfinished = unfinishedEnding(result);
  if (unfinished) return unresolved(unfinished.headline.replace(/^Stopped: /, "the agent stopped: "));
  const prepared = await prepareCommit(git, conflicted, config, scope.redactor, message);
  if (prepared.findings.length > 0)
    return unresolved(
      `the resolution holds what looks like a secret, so it is not pushed:\n\n${findingsText(prepared.findings)}`,
    );
  const files = conflicts.map((c) => c.path);
  const summary = firstLine(result.summary);
  const merge = await amendMerge(
    git,
    conflicted,
    `${message}\n\nConflicts resolved in ${files.join(", ")}${summary ? `:\n${summary}` : "."}`,
  );
  const left = await stillConflicted(git, merge, conflicts);
  if (left.length > 0) return unresolved(`conflict markers are left in ${left.map((c) => `\`${c.path}\``).join(", ")}`);
  if (!testsFailed(result)) return { kind: "merged", base, merge, conflicts, resolution: result };
  const before = await testsBeforeMerge(scope, config, input.clone, merge, result.testCommand!);
  if (before.passed) return unresolved("the tests fail after the merge (they passed on the branch before it)");
  return { kind: "merged", base, merge, conflicts, resolution: result, failedBefore: before };
}

/** What the agent is told: where the markers are and what the job expects of it (the hunks are the repository's text: data). */
function conflictTask(input: BaseUpdateInput, conflicts: ConflictedFile[]): string {
  const hunks = renderConflicts(conflicts, { maxFiles: 30, maxHunksPerFile: 20, maxHunkLines: 120, maxChars: 40_000 });
  return [
    "## Your task now: resolve the merge conflicts",
    `The base branch \`${input.baseRef}\` moved, and the app merged it (\`${input.clone.base.slice(0, 7)}\`) into this pull request's branch \`${input.branch}\`. git could not combine ${conflicts.length} file${conflicts.length === 1 ? "" : "s"}: they are in the workspace with git's markers (\`<<<<<<<\` the branch, \`|||||||\` their common ancestor, \`=======\`, \`>>>>>>>\` the base). The pull request above is context only: do not work on it now.`,
    "Resolve every conflict so the code keeps what each side meant to do, remove every marker, run the tests, and call `finish` with how you resolved each file. Change only what the resolution needs. If a conflict cannot be resolved sensibly, leave its markers in place and say why: nothing will be pushed then.",
    fenceUntrusted("conflict hunks", hunks),
  ].join("\n\n");
}
