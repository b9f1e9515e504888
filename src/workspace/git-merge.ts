// Bringing a branch up to date with its base: a merge (never a rebase of
// pushed commits), made by host git outside the sandbox like every git step
// (git.ts): config put back as cloned, no hooks (core.hooksPath and
// --no-verify), no filters or merge drivers but git's own (no system, global
// or planted config defines one), the token only in git's environment.
// With conflicts, the markers are committed as git left them, on a local
// merge commit the resolution amends: the workspace stays a clean checkout
// (setup runs on the base's tree and comes back), and the commit keeps its
// two parents whatever the agent does.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { findConflictHunks, type ConflictedFile } from "./conflict-hunks.ts";
import { gitFailure } from "./git-env.ts";
import type { GitWorkspace } from "./git.ts";
import { fileAt } from "./git-tree.ts";

export interface MergeResult {
  /** The local merge commit (with conflicts: holding git's markers, to be amended by `amendMerge`). */
  sha: string;
  /** Empty when git merged cleanly. */
  conflicts: ConflictedFile[];
}

/** Merge `base` (a commit) into HEAD as one merge commit. */
export async function mergeBaseIntoHead(git: GitWorkspace, base: string, message: string): Promise<MergeResult> {
  const g = await git.hardened({}, { token: true });
  await unshallow(git);
  // diff3 markers show the common ancestor too: what each side changed, not only where they ended.
  // (A conflicted merge exits 1 and says CONFLICT on stdout: the index says which files, either way.)
  const failure = await g
    .raw(["-c", "merge.conflictStyle=diff3", "merge", "--no-ff", "--no-verify", "--no-edit", "-m", message, base])
    .then(
      (out) => new Error(out),
      (err: unknown) => err,
    );
  const conflicts = await unmergedFiles(git);
  if (conflicts.length === 0) {
    const second = await g.raw(["rev-parse", "--verify", "-q", "HEAD^2"]).catch(() => "");
    if (second.trim() !== base) throw gitFailure("merge", failure);
    return { sha: await git.head(), conflicts: [] };
  }
  await g.raw(["add", "-A"]);
  await g.raw(["commit", "-q", "--no-verify", "--no-edit", "-m", message]);
  return { sha: await git.head(), conflicts };
}

/** A shallow clone (clone_depth) lacks the history a merge base is found in: fetch it. False when the clone was whole. */
export async function unshallow(git: GitWorkspace): Promise<boolean> {
  const g = await git.hardened({}, { token: true });
  if ((await g.raw(["rev-parse", "--is-shallow-repository"])).trim() !== "true") return false;
  await g.raw(["fetch", "--quiet", "--unshallow", "--no-tags", "origin"]).catch((err: unknown) => {
    throw gitFailure("fetch", err);
  });
  return true;
}

/** The paths git could not merge, each with its status and, as the working tree has it, its hunks. */
async function unmergedFiles(git: GitWorkspace): Promise<ConflictedFile[]> {
  const g = await git.hardened();
  const stages = new Map<string, Set<string>>();
  for (const entry of (await g.raw(["ls-files", "-u", "-z"])).split("\0").filter(Boolean)) {
    const tab = entry.indexOf("\t");
    const stage = entry.slice(0, tab).split(" ")[2] ?? "";
    const file = entry.slice(tab + 1);
    stages.set(file, (stages.get(file) ?? new Set()).add(stage));
  }
  const files: ConflictedFile[] = [];
  for (const [file, s] of [...stages].sort(([a], [b]) => a.localeCompare(b))) {
    const text = await readFile(path.join(git.dir, file)).catch(() => undefined);
    const binary = text?.includes(0) ?? false;
    files.push({
      path: file,
      status: unmergedStatus(s.has("1"), s.has("2"), s.has("3")),
      hunks: text && !binary ? findConflictHunks(text.toString("utf8")) : [],
      binary,
    });
  }
  return files;
}

/** git status's two letters for an unmerged path, from which stages it has (1 ancestor, 2 ours, 3 theirs). */
function unmergedStatus(base: boolean, ours: boolean, theirs: boolean): string {
  if (ours && theirs) return base ? "UU" : "AA";
  if (ours) return base ? "UD" : "AU";
  if (theirs) return base ? "DU" : "UA";
  return "DD";
}

/** Replace the local merge commit `merge` with one holding the working tree as it is now (same two parents). */
export async function amendMerge(git: GitWorkspace, merge: string, message: string): Promise<string> {
  const g = await git.hardened();
  await g.raw(["reset", "-q", "--soft", merge]);
  await g.raw(["add", "-A"]);
  await g.raw(["commit", "-q", "--no-verify", "--amend", "-m", message]);
  return git.head();
}

/** The conflicted files that still hold markers (or are binary) in commit `ref`. */
export async function stillConflicted(
  git: GitWorkspace,
  ref: string,
  conflicts: readonly ConflictedFile[],
): Promise<ConflictedFile[]> {
  const left: ConflictedFile[] = [];
  for (const c of conflicts) {
    if (c.binary) {
      left.push(c);
      continue;
    }
    const text = await fileAt(git, ref, c.path);
    const hunks = text === undefined ? [] : findConflictHunks(text);
    if (hunks.length > 0) left.push({ ...c, hunks });
  }
  return left;
}
