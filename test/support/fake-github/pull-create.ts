// Opening a pull request, shared by POST /pulls and the test seeding helper,
// with GitHub's refusals: missing branches, duplicates, nothing to merge.
import { branchSha, countBetween, fetchRef } from "./git-repo.ts";
import { refreshPullHead } from "./pull-git.ts";
import { nodeId, timestamp, type FakeState, type IssueRecord, type PullRecord, type RepoRecord } from "./state.ts";

export interface PullInput {
  title: string;
  body: string | null;
  user: string;
  /** `branch` or `owner:branch` (a fork). */
  head: string;
  /** Repository name of the head when it differs from the base's name. */
  headRepoName?: string;
  base: string;
  draft: boolean;
  maintainerCanModify: boolean;
}

export type PullRefusal = { field?: string; code: string; message?: string };

export async function createPull(
  state: FakeState,
  repo: RepoRecord,
  input: PullInput,
): Promise<{ pull: PullRecord; issue: IssueRecord } | { refused: PullRefusal }> {
  const [ownerPart, branchPart] = input.head.includes(":") ? input.head.split(":", 2) : [repo.owner, input.head];
  const headOwner = ownerPart ?? repo.owner;
  const headRef = branchPart ?? "";
  const headRepo = findHeadRepo(state, repo, headOwner, input.headRepoName);
  if (!(await branchSha(repo.gitDir, input.base))) return { refused: { field: "base", code: "invalid" } };
  const headSha = headRepo ? await branchSha(headRepo.gitDir, headRef) : null;
  if (!headRepo || !headSha) return { refused: { field: "head", code: "invalid" } };
  const duplicate = state.pulls.find(
    (p) =>
      p.repo === repo.fullName &&
      p.headRepo === headRepo.fullName &&
      p.headRef === headRef &&
      p.baseRef === input.base &&
      state.issue(p.repo, p.number)?.state === "open",
  );
  if (duplicate)
    return { refused: { code: "custom", message: `A pull request already exists for ${headOwner}:${headRef}.` } };
  const probe = `refs/fake-github/probe/${headRepo.id}`;
  if (headRepo !== repo) await fetchRef(repo.gitDir, headRepo.gitDir, `refs/heads/${headRef}`, probe);
  if ((await countBetween(repo.gitDir, `refs/heads/${input.base}`, headSha)) === 0) {
    return { refused: { code: "custom", message: `No commits between ${input.base} and ${input.head}` } };
  }
  const number = state.nextIssueNumber(repo.fullName);
  const now = timestamp();
  const issue: IssueRecord = {
    repo: repo.fullName,
    number,
    id: state.id(),
    nodeId: "",
    title: input.title,
    body: input.body,
    user: input.user,
    state: "open",
    stateReason: null,
    labels: [],
    assignees: [],
    locked: false,
    isPullRequest: true,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  issue.nodeId = nodeId("I", issue.id);
  const id = state.id();
  const pull: PullRecord = {
    repo: repo.fullName,
    number,
    id,
    nodeId: nodeId("PR", id),
    headRepo: headRepo.fullName,
    headRef,
    baseRef: input.base,
    draft: input.draft,
    maintainerCanModify: headRepo !== repo && input.maintainerCanModify,
    merged: false,
    mergedAt: null,
  };
  state.issues.push(issue);
  state.pulls.push(pull);
  await refreshPullHead(state, pull);
  return { pull, issue };
}

function findHeadRepo(
  state: FakeState,
  base: RepoRecord,
  owner: string,
  name: string | undefined,
): RepoRecord | undefined {
  if (owner.toLowerCase() === base.owner.toLowerCase() && !name) return base;
  return (
    state.repo(`${owner}/${name ?? base.name}`) ??
    [...state.repos.values()].find((r) => r.owner.toLowerCase() === owner.toLowerCase() && r.parent === base.fullName)
  );
}
