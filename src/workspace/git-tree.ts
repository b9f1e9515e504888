// What the trust boundary needs of a job's checkout (ARCHITECTURE.md §6):
// which paths differ from the base commit, a file as the base has it, the
// base's tree checked out for a while (setup with network), and the working
// tree saved and put back around a run that had secrets.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { GitWorkspace } from "./git.ts";

/**
 * Paths that differ between `base` and the working tree: tracked changes,
 * and untracked files whether ignored or not (a planted `.gitignore` hides
 * nothing), each file by name (a new directory's conftest.py counts).
 * Only what the setup command left (listed in .git/info/exclude before the
 * agent ran, and read-only to it) is left out.
 */
export async function changedSince(git: GitWorkspace, base: string): Promise<string[]> {
  const g = await git.hardened();
  const tracked = await g.raw([
    "diff",
    "--name-only",
    "-z",
    "--no-renames",
    "--no-ext-diff",
    "--no-textconv",
    base,
    "--",
  ]);
  const untracked = await g.raw([
    "ls-files",
    "--others",
    "-z",
    "--exclude-from",
    path.join(git.dir, ".git", "info", "exclude"),
  ]);
  return [...new Set([...tracked.split("\0"), ...untracked.split("\0")].filter(Boolean))].sort();
}

/** A file's text as commit `ref` has it; undefined when it has no such file. */
export async function fileAt(git: GitWorkspace, ref: string, file: string): Promise<string | undefined> {
  const g = await git.hardened();
  return g.raw(["show", `${ref}:${file}`]).then(
    (text) => text,
    () => undefined,
  );
}

/**
 * Runs `fn` with the tracked files as commit `ref` has them, then checks out
 * again what was checked out before, once the work `fn` left running in
 * `settling` is done. Untracked files (what `fn` installs) stay. The working
 * tree must be clean: this is for the start of a job.
 */
export async function onTreeOf<T>(
  git: GitWorkspace,
  ref: string,
  fn: () => Promise<T>,
  settling: Promise<unknown>[] = [],
): Promise<T> {
  const g = await git.hardened();
  const headTree = (await g.raw(["rev-parse", "HEAD^{tree}"])).trim();
  const refTree = (await g.raw(["rev-parse", `${ref}^{tree}`])).trim();
  if (headTree === refTree) return fn();
  const branch = (await g.raw(["symbolic-ref", "-q", "--short", "HEAD"]).catch(() => "")).trim();
  const head = (await g.raw(["rev-parse", "HEAD"])).trim();
  await g.raw(["checkout", "-q", "-f", "--detach", ref]);
  try {
    return await fn();
  } finally {
    await Promise.allSettled(settling);
    const back = await git.hardened();
    // -f: what `fn` changed in tracked files is the base's business, not the branch's.
    await back.raw(["checkout", "-q", "-f", ...(branch ? [branch] : ["--detach", head])]);
  }
}

/** The whole working tree (untracked files included, ignored ones not) as a tree object. */
export async function snapshotTree(git: GitWorkspace): Promise<string> {
  return withTempIndex(git, async (env) => {
    const g = await git.hardened(env);
    await g.raw(["read-tree", "HEAD"]);
    await g.raw(["add", "-A"]);
    return (await g.raw(["write-tree"])).trim();
  });
}

/** Puts the working tree back as `tree` has it: changed and deleted files restored, new ones removed. */
export async function restoreTree(git: GitWorkspace, tree: string): Promise<void> {
  await withTempIndex(git, async (env) => {
    const g = await git.hardened(env);
    await g.raw(["read-tree", tree]);
    // .gitignore files first, so what counts as new is judged by the ignore rules the commit will use.
    await g.raw(["checkout-index", "-a", "-f"]);
    const extra = await g.raw(["ls-files", "--others", "-z", "--exclude-standard"]);
    for (const p of extra.split("\0").filter(Boolean))
      await rm(path.join(git.dir, p), { recursive: true, force: true });
  });
}

async function withTempIndex<T>(git: GitWorkspace, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "issuesmith-index-"));
  try {
    return await fn({ GIT_INDEX_FILE: path.join(dir, "index") });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
