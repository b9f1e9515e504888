// A bare mirror per repository, so a job's clone copies objects on the local
// disk and asks the remote only for what changed since the last job
// (ARCHITECTURE.md §1 "workspace/"). Keyed by host + installation id +
// repository id: a mirror made with one installation's token is never read
// for another installation's job. Fetch, check and copy happen under the
// mirror's lock, so two jobs on one repository never see it half-written; a
// mirror that fails a git step or `git fsck` is dropped and made again.
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { Transient, UserError, errorMessage } from "../../errors.ts";
import { evict, keyDir, markUsed, treeBytes, type CacheKey } from "./entries.ts";
import { withLock } from "./lock.ts";
import {
  checkMirror,
  cloneFromMirror,
  cloneFromRemote,
  fetchMirror,
  initMirror,
  mirrorEnv,
  mirrorFromClone,
  removeLeftovers,
} from "./mirror-git.ts";

/** How a job's checkout was made: a new mirror, a refreshed one, one made again, or a spare workspace (spare.ts). */
export type MirrorUse = "cold" | "warm" | "rebuilt" | "spare";

export interface MirrorCacheOptions {
  /** AGENT_CACHE_DIR. */
  dir: string;
  /** AGENT_CACHE_MAX_MB in bytes: past it, least recently used entries are evicted. */
  maxBytes: number;
  log: Pick<Logger, "info" | "warn">;
  /** Lock staleness (tests shorten it). */
  staleMs?: number;
}

export interface MirrorCloneRequest {
  key: CacheKey;
  cloneUrl: string;
  branch: string;
  /** The workspace checkout to make; must not exist yet. */
  dir: string;
  token: string | undefined;
  /** Hard-link the mirror's packs instead of copying them: only when commands cannot write the checkout's .git (the bwrap sandbox). */
  shareObjects?: boolean;
  signal?: AbortSignal;
}

export class MirrorCache {
  readonly #o: MirrorCacheOptions;

  constructor(options: MirrorCacheOptions) {
    this.#o = options;
  }

  pathOf(key: CacheKey): string {
    return path.join(keyDir(this.#o.dir, "mirrors", key), "repo.git");
  }

  /** Clone `branch` into `dir` through the repository's mirror; says whether the mirror was there already. */
  async cloneInto(req: MirrorCloneRequest): Promise<Exclude<MirrorUse, "spare">> {
    const mirror = this.pathOf(req.key);
    const home = path.join(this.#o.dir, "home");
    await mkdir(path.dirname(mirror), { recursive: true });
    await mkdir(home, { recursive: true, mode: 0o700 });
    const env = mirrorEnv(req.token, home);
    const lock = {
      ...(this.#o.staleMs ? { staleMs: this.#o.staleMs } : {}),
      onCompromised: (err: Error) => this.#o.log.warn({ err, mirror }, "mirror lock taken over by another process"),
    };
    const times: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      times[name] = Math.round(now - mark);
      mark = now;
    };
    const use = await withLock(mirror, lock, async () => {
      lap("lockMs");
      await this.#dropTemporaries(mirror);
      let use: Exclude<MirrorUse, "spare"> = (await isDir(mirror)) ? "warm" : "cold";
      if (use === "warm") {
        const left = await removeLeftovers(mirror);
        if (left > 0) this.#o.log.info({ mirror, files: left }, "removed what an interrupted git left in the mirror");
        try {
          await fetchMirror(mirror, req.cloneUrl, env, req.signal);
          lap("fetchMs");
          await checkMirror(mirror, env, req.signal);
          lap("fsckMs");
        } catch (err) {
          if (!isCacheFault(err, req.signal)) throw err;
          this.#o.log.warn({ mirror, reason: errorMessage(err) }, "mirror failed a git step; making it again");
          use = "rebuilt";
        }
      }
      const fetched = (tmp: string) => initMirror(tmp, env).then(() => fetchMirror(tmp, req.cloneUrl, env, req.signal));
      const shareObjects = req.shareObjects ?? false;
      if (use === "cold") {
        // The first job clones as `git clone` does, and the mirror is made from that clone's objects before
        // anything runs in it: the first job does the floor's work, not a fetch and then a copy of it.
        await cloneFromRemote(req.cloneUrl, req.dir, req.branch, env, req.signal);
        lap("cloneMs");
        await this.#build(mirror, (tmp) => mirrorFromClone(req.dir, tmp, env, shareObjects));
        lap("buildMs");
        await markUsed(mirror, await treeBytes(mirror));
        return use;
      }
      if (use !== "warm") await this.#build(mirror, fetched);
      lap(use === "warm" ? "prepareMs" : "buildMs");
      try {
        await cloneFromMirror(mirror, req.dir, req.branch, req.cloneUrl, env, { shareObjects, signal: req.signal });
      } catch (err) {
        if (use !== "warm" || !isCacheFault(err, req.signal)) throw err;
        this.#o.log.warn({ mirror, reason: errorMessage(err) }, "clone from the mirror failed; making it again");
        await rm(req.dir, { recursive: true, force: true });
        await this.#build(mirror, fetched);
        await cloneFromMirror(mirror, req.dir, req.branch, req.cloneUrl, env, { shareObjects, signal: req.signal });
        use = "rebuilt";
      }
      lap("cloneMs");
      await markUsed(mirror, await treeBytes(mirror));
      return use;
    });
    lap("sizeMs");
    const removed = await evict(this.#o.dir, this.#o.maxBytes, [mirror], this.#o.staleMs);
    if (removed.length > 0)
      this.#o.log.info({ removed }, "cache over its size cap: least recently used entries removed");
    lap("evictMs");
    this.#o.log.info({ mirror: use, ...times }, "mirror step times");
    return use;
  }

  /** A new mirror beside the old one (`fill` makes it), moved into place only once complete. */
  async #build(mirror: string, fill: (tmp: string) => Promise<void>): Promise<void> {
    const tmp = await mkdtemp(`${mirror}.tmp-`);
    try {
      await fill(tmp);
      await rm(mirror, { recursive: true, force: true });
      await rename(tmp, mirror);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Half-made mirrors of a process that died while building one (we hold the lock: none is in progress). */
  async #dropTemporaries(mirror: string): Promise<void> {
    const dir = path.dirname(mirror);
    const prefix = `${path.basename(mirror)}.tmp-`;
    for (const name of await readdir(dir).catch(() => [])) {
      if (name.startsWith(prefix)) await rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/** A failure the mirror may be to blame for: not the network, not a refused token, not a cancel. */
function isCacheFault(err: unknown, signal: AbortSignal | undefined): boolean {
  return !(err instanceof Transient) && !(err instanceof UserError) && !signal?.aborted;
}

async function isDir(p: string): Promise<boolean> {
  return readdir(p).then(
    () => true,
    () => false,
  );
}
