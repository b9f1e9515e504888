// Whether a file in a checkout is the base branch's own, as of the job's
// start (ARCHITECTURE.md §6, the trust boundary): its bytes are the blob the
// trusted base commit holds at that path. Anything the agent or a fork wrote
// differs, or sits in a checkout whose HEAD is not the base.
import { execFile } from "node:child_process";

function git(repoDir: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const env = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: "/nonexistent",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_DIR: `${repoDir}/.git`,
      GIT_WORK_TREE: repoDir,
    };
    execFile(
      "git",
      ["-c", "core.fsmonitor=false", ...args],
      { cwd: repoDir, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => resolve({ ok: !error, out: stdout.trim() }),
    );
  });
}

/** The file at `file` has the bytes of `base:file` (both must exist; filters are not applied). */
export async function isBaseBlob(repoDir: string, base: string, file: string): Promise<boolean> {
  const [there, here] = await Promise.all([
    git(repoDir, ["rev-parse", "--verify", "--quiet", `${base}:${file}`]),
    git(repoDir, ["hash-object", "--no-filters", "--", file]),
  ]);
  return there.ok && here.ok && there.out !== "" && there.out === here.out;
}

/** HEAD is `base` and nothing tracked or untracked differs from it: the whole checkout is the base's. */
export async function isBaseCheckout(repoDir: string, base: string): Promise<boolean> {
  const [head, status] = await Promise.all([
    git(repoDir, ["rev-parse", "--verify", "HEAD"]),
    git(repoDir, ["status", "--porcelain", "--untracked-files=all", "--ignored=no"]),
  ]);
  return head.ok && status.ok && head.out === base && status.out === "";
}
