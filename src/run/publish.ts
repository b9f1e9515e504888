// Publishing the work: protected changes undone, the diff scanned, one commit
// on the branch (fast-forward, never a rewrite of a published branch), and a
// pull request found or opened.
import type { RepoConfig } from "../config/repo-config.ts";
import type { Octokit, RepoRef } from "../github/octokit.ts";
import { openOrUpdatePull, type PullRef } from "../github/pull-requests.ts";
import type { Finding } from "../security/secret-scan.ts";
import type { Redactor } from "../security/redact.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import { PushRefused } from "../workspace/push-refusal.ts";
import { scanCommitted, undoProtectedChanges } from "./guard-changes.ts";
import type { JobChecks } from "./job-checks.ts";

export interface Prepared {
  /** Paths in the commit. */
  changed: string[];
  refused: Array<{ path: string; reason: string }>;
  findings: Finding[];
  /** The commit to push; undefined when nothing changed. */
  sha: string | undefined;
}

/** Squash the work since `base` into one commit and check it; nothing leaves the machine yet. */
export async function prepareCommit(
  git: GitWorkspace,
  base: string,
  config: RepoConfig,
  redactor: Redactor,
  message: string,
): Promise<Prepared> {
  const { changed, refused } = await undoProtectedChanges(git, base, config);
  if (changed.length === 0) {
    await git.squashSince(base, message); // drops WIP commits that only held refused changes
    return { changed, refused, findings: [], sha: undefined };
  }
  const sha = await git.squashSince(base, message);
  if (!sha) return { changed: [], refused, findings: [], sha: undefined };
  const findings = await scanCommitted(git, base, config, redactor, changed);
  return { changed: await git.diffPaths(base), refused, findings, sha };
}

export interface PublishTarget {
  octokit: Octokit;
  repo: RepoRef;
  branch: string;
  /** What the remote branch holds now: a sha, or null when it must not exist yet. */
  expect: string | null | undefined;
  /** The job's side branch (wip/…), where the work is kept when GitHub refuses the push. */
  keep?: string;
  /** The job's check runs: the pushed commit gets one, in progress, before the pull request opens. */
  checks?: JobChecks;
}

export async function pushAndOpenPull(
  git: GitWorkspace,
  target: PublishTarget,
  pr: { base: string; title: string; body: string; draft: boolean; labels: string[] },
): Promise<PullRef> {
  try {
    await git.push(target.branch, { expect: target.expect });
  } catch (err) {
    if (err instanceof PushRefused && target.keep) throw await keptOnSide(git, target.keep, err);
    throw err;
  }
  await target.checks?.start(await git.head());
  return openOrUpdatePull(target.octokit, target.repo, { branch: target.branch, ...pr });
}

/**
 * The refused work goes to the side branch (replacing the last checkpoint
 * there, which only ever held the job's own work), and the report says where.
 */
async function keptOnSide(git: GitWorkspace, side: string, refused: PushRefused): Promise<PushRefused> {
  let where: string;
  try {
    const remote = (await git.fetchBranch(side)) ? await git.revParse(`refs/remotes/origin/${side}`) : null;
    await git.push(side, { expect: remote });
    where = `The work is kept on the branch \`${side}\`; a pull request can be opened from it once the push is allowed.`;
  } catch (err) {
    where = `It could not be kept on \`${side}\` either (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); the last checkpoint there, if any, is all that was saved.`;
  }
  const kept = new PushRefused(refused.refusal, refused.message.replace(/^GitHub refused the push: /, ""));
  kept.details.push(where);
  return kept;
}

/**
 * Push our commit to a branch people share (a pull request's head): when
 * someone pushed there meanwhile, our commit is rebased onto theirs and
 * pushed again — never a force-push (ARCHITECTURE.md §3). `rebasedOnto` says
 * whose commit it now builds on; a conflict is a PushRefused naming it.
 * Work on top of a merge of the base (`rebase: false`) is never rebased (that
 * would flatten the merge): then nothing is pushed, and the refusal says why.
 */
export async function pushOntoSharedBranch(
  git: GitWorkspace,
  branch: string,
  options: { rebase: boolean } = { rebase: true },
): Promise<{ sha: string; rebasedOnto?: string }> {
  try {
    await git.push(branch);
    return { sha: await git.head() };
  } catch (err) {
    if (!(err instanceof PushRefused) || err.refusal !== "not-fast-forward") throw err;
    if (!(await git.fetchBranch(branch))) throw err;
    const theirs = await git.revParse(`refs/remotes/origin/${branch}`);
    if (!options.rebase)
      throw new PushRefused(
        "not-fast-forward",
        `someone pushed \`${theirs.slice(0, 7)}\` to \`${branch}\` while the base was being merged into it, so nothing was pushed; ask again to merge onto their commit`,
      );
    if (!(await git.rebaseOnto(theirs))) {
      throw new PushRefused(
        "not-fast-forward",
        `someone pushed \`${theirs.slice(0, 7)}\` to \`${branch}\` meanwhile, and this change conflicts with it; issuesmith never overwrites their commits`,
      );
    }
    await git.push(branch);
    return { sha: await git.head(), rebasedOnto: theirs };
  }
}

/** The headline of a refused push, naming what was found: secrets, oversized files, or both. */
export function refusedHeadline(findings: Finding[]): string {
  const oversized = findings.some((f) => f.kind === "oversized-file");
  const secret = findings.some((f) => f.kind !== "oversized-file");
  const what =
    secret && oversized
      ? "what looks like a secret, and a file over max_file_kb"
      : oversized
        ? "a file over the size limit (max_file_kb)"
        : "what looks like a secret";
  return `Stopped: refused to push — the change contains ${what}`;
}

export function findingsText(findings: Finding[]): string {
  return findings
    .slice(0, 20)
    .map(
      (f) =>
        `- \`${f.path}${f.line ? `:${f.line}` : ""}\` — ${f.kind}${f.excerpt ? `: \`${f.excerpt.replace(/`/g, "'")}\`` : ""}`,
    )
    .join("\n");
}
