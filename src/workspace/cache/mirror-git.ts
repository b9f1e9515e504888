// The git steps of the mirror cache, run the way all host-side git runs
// (git-env.ts: the token only in git's environment, no hooks, no helpers),
// plus what a bare cache needs: automatic gc in the foreground, under our
// lock, so no detached gc repacks a mirror while another job copies it.
import { execFile } from "node:child_process";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { client, firstLine, gitEnv, gitFailure } from "../git-env.ts";

const MIRROR_CONFIG: Array<[string, string]> = [
  ["gc.autoDetach", "false"],
  ["maintenance.autoDetach", "false"],
  ["fetch.writeCommitGraph", "false"],
];

export function mirrorEnv(token: string | undefined, home: string): Record<string, string> {
  const env = gitEnv(token, undefined, home);
  let n = Number(env.GIT_CONFIG_COUNT);
  for (const [key, value] of MIRROR_CONFIG) {
    env[`GIT_CONFIG_KEY_${n}`] = key;
    env[`GIT_CONFIG_VALUE_${n}`] = value;
    n++;
  }
  env.GIT_CONFIG_COUNT = String(n);
  return env;
}

/** Bring every branch of the mirror to the remote's state (objects only: no tags, no pull refs). */
export async function fetchMirror(
  mirror: string,
  cloneUrl: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await client(mirror, { ...env, GIT_DIR: mirror }, signal).raw([
      "fetch",
      "--quiet",
      "--prune",
      "--no-tags",
      "--no-write-fetch-head",
      cloneUrl,
      "+refs/heads/*:refs/heads/*",
    ]);
  } catch (err) {
    throw gitFailure("fetch", err);
  }
}

export async function initMirror(dir: string, env: Record<string, string>): Promise<void> {
  await client(path.dirname(dir), env).raw(["init", "--quiet", "--bare", dir]);
}

/**
 * Every object the branches need is there (what a killed or damaged store
 * would lack). Run with execFile: fsck reports what it found on stdout, and
 * this keeps all of it for the message.
 */
export async function checkMirror(mirror: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const args = ["fsck", "--connectivity-only", "--no-dangling", "--no-progress"];
    execFile(
      "git",
      args,
      { env: { ...env, GIT_DIR: mirror }, maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git fsck failed: ${firstLine(`${stderr}\n${stdout}`)}`, { cause: error }));
        else resolve();
      },
    );
  });
}

/**
 * A workspace from the mirror: a local clone, then pointed at the real
 * remote. Its packs are hard links to the mirror's only when `shareObjects`
 * (the bwrap sandbox mounts .git read-only, and host-side git never rewrites
 * a pack in place); otherwise they are copied, since a command running
 * unsandboxed could rewrite a shared inode and with it the mirror. The clone
 * writes the files itself: `--no-checkout` and a checkout after the lock is
 * let go spent 2-6× the system time on the same 30,000 files (measured).
 */
export async function cloneFromMirror(
  mirror: string,
  dir: string,
  branch: string,
  cloneUrl: string,
  env: Record<string, string>,
  options: { shareObjects: boolean; signal?: AbortSignal | undefined },
): Promise<void> {
  try {
    const links = options.shareObjects ? [] : ["--no-hardlinks"];
    await client(path.dirname(dir), env, options.signal).raw([
      "clone",
      "--quiet",
      "--local",
      ...links,
      "--no-tags",
      "--branch",
      branch,
      mirror,
      dir,
    ]);
    await client(dir, env).raw(["remote", "set-url", "origin", cloneUrl]);
  } catch (err) {
    throw gitFailure("clone", err);
  }
}

/** A workspace straight from the remote, as `git clone` makes it. */
export async function cloneFromRemote(
  cloneUrl: string,
  dir: string,
  branch: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await client(path.dirname(dir), env, signal).raw([
      "clone",
      "--quiet",
      "--no-tags",
      "--branch",
      branch,
      cloneUrl,
      dir,
    ]);
  } catch (err) {
    throw gitFailure("clone", err);
  }
}

/**
 * A mirror made from a workspace cloneFromRemote just made (nothing has run
 * in it): its objects (hard links only when `shareObjects`, as above), and its
 * remote-tracking refs as the mirror's branches.
 */
export async function mirrorFromClone(
  dir: string,
  mirror: string,
  env: Record<string, string>,
  shareObjects: boolean,
): Promise<void> {
  const links = shareObjects ? [] : ["--no-hardlinks"];
  try {
    await client(path.dirname(mirror), env).raw(["clone", "--quiet", "--bare", "--local", ...links, dir, mirror]);
    const bare = client(mirror, { ...env, GIT_DIR: mirror });
    await bare.raw(["remote", "remove", "origin"]);
    const refs = await client(dir, env).raw([
      "for-each-ref",
      "--format=%(objectname) %(refname)",
      "refs/remotes/origin/",
    ]);
    for (const line of refs.split("\n").filter(Boolean)) {
      const [sha, ref] = line.split(" ") as [string, string];
      const name = ref.slice("refs/remotes/origin/".length);
      if (name !== "HEAD") await bare.raw(["update-ref", `refs/heads/${name}`, sha]);
    }
  } catch (err) {
    throw gitFailure("clone", err);
  }
}

/**
 * What a git process killed mid-write leaves in a repository: lock files and
 * half-written packs. Only called under the entry's lock, when no git process
 * of ours can be running there, so every such file is a leftover.
 */
export async function removeLeftovers(mirror: string): Promise<number> {
  let removed = 0;
  const visit = async (dir: string, match: (name: string) => boolean, recurse: boolean): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (recurse) await visit(full, match, recurse);
      } else if (match(e.name)) {
        await rm(full, { force: true });
        removed++;
      }
    }
  };
  await visit(mirror, (n) => n.endsWith(".lock"), false);
  await visit(path.join(mirror, "refs"), (n) => n.endsWith(".lock"), true);
  await visit(path.join(mirror, "objects"), (n) => n.startsWith("tmp_") || n.endsWith(".lock"), true);
  return removed;
}
