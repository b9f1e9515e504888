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
 * A workspace from the mirror, its files not written yet (checkoutClone does
 * that, after the mirror's lock is let go): a local clone, then pointed at the
 * real remote. Its packs are hard links to the mirror's only when
 * `shareObjects` (the bwrap sandbox mounts .git read-only, and host-side git
 * never rewrites a pack in place); otherwise they are copied, since a command
 * running unsandboxed could rewrite a shared inode and with it the mirror.
 * Either way the clone owns its objects: nothing it does later reads the mirror.
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
      "--no-checkout",
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

/** Write the files of a clone made with --no-checkout (the index and the working tree, from HEAD). */
export async function checkoutClone(dir: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
  try {
    await client(dir, env, signal).raw(["reset", "--quiet", "--hard", "HEAD"]);
  } catch (err) {
    throw gitFailure("checkout", err);
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
