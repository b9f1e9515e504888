// How a job's checkout is made: through the repository's mirror when there is
// one (cache/mirror.ts), or straight from the remote, shallow or blobless
// when the repository asks (clone_depth, partial_clone: those never use the
// mirror). The token travels in git's environment only (git-env.ts).
import path from "node:path";
import type { CacheKey } from "./cache/entries.ts";
import type { MirrorCache, MirrorUse } from "./cache/mirror.ts";
import { client, gitEnv, gitFailure, type GitIdentity } from "./git-env.ts";

export interface CloneOptions {
  cloneUrl: string;
  /** Must not exist yet. */
  dir: string;
  branch?: string;
  identity?: GitIdentity;
  home: string;
  signal?: AbortSignal;
  /** Shallow (`--depth`) and blobless (`--filter=blob:none`) clones. */
  depth?: number | undefined;
  partial?: boolean | undefined;
  /** Clone through this repository's mirror: it needs the branch. */
  mirror?: { cache: MirrorCache; key: CacheKey; shareObjects: boolean } | undefined;
}

/** Make the checkout; says how the mirror served it, if it did. */
export async function cloneCheckout(options: CloneOptions, token: string | undefined): Promise<MirrorUse | undefined> {
  const slim = options.depth !== undefined || options.partial === true;
  if (options.mirror && options.branch && !slim) {
    const { cache, key, shareObjects } = options.mirror;
    return cache.cloneInto({
      key,
      cloneUrl: options.cloneUrl,
      branch: options.branch,
      dir: options.dir,
      token,
      shareObjects,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const args = [
    "--no-tags",
    ...(options.branch ? ["--branch", options.branch] : []),
    ...(options.depth !== undefined ? ["--depth", String(options.depth)] : []),
    ...(options.partial ? ["--filter=blob:none"] : []),
  ];
  try {
    await client(path.dirname(options.dir), gitEnv(token, options.identity, options.home), options.signal).clone(
      options.cloneUrl,
      options.dir,
      args,
    );
  } catch (err) {
    throw gitFailure("clone", err);
  }
  return undefined;
}
