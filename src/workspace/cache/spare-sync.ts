// The step that makes a spare workspace (spare.ts) a job's checkout: fetch
// what the remote's branches gained since the spare was made (the token in
// git's environment, as for every fetch), move the branch to the remote's
// tip, and prove the result is exactly that commit with nothing else in the
// tree — not a modified file, not an untracked or ignored one. A spare that
// is not gets dropped by the caller and the job clones as before.
import { client, gitFailure, ownGitDir } from "../git-env.ts";

/** The remote tip of `branch` the checkout in `dir` now is, clean; undefined when it is not. */
export async function syncSpare(
  dir: string,
  branch: string,
  cloneUrl: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const git = client(dir, { ...env, ...ownGitDir(dir) }, signal);
  try {
    await git.raw(["remote", "set-url", "origin", cloneUrl]);
    // Every branch, pruned: the remote-tracking refs a clone made now would have.
    await git.raw(["fetch", "--quiet", "--prune", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*"]);
  } catch (err) {
    throw gitFailure("fetch", err);
  }
  const tip = (await git.raw(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}^{commit}`])).trim();
  if (!tip) return undefined;
  if ((await git.raw(["symbolic-ref", "HEAD"])).trim() !== `refs/heads/${branch}`) return undefined;
  await git.raw(["reset", "--quiet", "--hard", tip]);
  const [head, status] = await Promise.all([
    git.raw(["rev-parse", "HEAD"]),
    git.raw(["status", "--porcelain", "--untracked-files=all", "--ignored"]),
  ]);
  return head.trim() === tip && status.trim() === "" ? tip : undefined;
}
