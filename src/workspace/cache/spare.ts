// A spare workspace per repository (ARCHITECTURE.md §1 "workspace/", §6):
// while a job works, the next job's checkout is made in the background from
// the repository's mirror — the base branch's files written, and a copy of
// the trusted dependency tree the last setup command used laid beside it —
// so the next job starts by renaming it into place and fetching only what
// changed since. Nothing ever runs in a spare: host-side git and a copy from
// the dependency cache made it, so it holds the base branch as the remote had
// it, and the job that takes it proves that (spare-sync.ts) or clones as
// before. It sits in the cache, keyed like a mirror (one installation's
// spare is never another's), counted in the size cap; taking it is a rename
// under its lock, so of two jobs at once only one gets it.
import { lstat, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { errorMessage } from "../../errors.ts";
import { client, gitEnv, type TokenSource } from "../git-env.ts";
import type { Workspace } from "../types.ts";
import { DepCache, type StagedTrees } from "./deps.ts";
import { evict, keyDir, markUsed, treeBytes, type CacheKey } from "./entries.ts";
import { tryWithLock, withLock } from "./lock.ts";
import type { MirrorCache } from "./mirror.ts";
import { syncSpare } from "./spare-sync.ts";

export interface SpareOptions {
  /** AGENT_CACHE_DIR. */
  dir: string;
  maxBytes: number;
  log: Pick<Logger, "info" | "warn">;
  staleMs?: number;
}

/** What a spare is made of, and for whom: the repository, its base branch, how the mirror is shared. */
export interface SpareRequest {
  key: CacheKey;
  cloneUrl: string;
  branch: string;
  token: TokenSource | undefined;
  /** As for MirrorCache: hard-link the mirror's packs only when commands cannot write .git. */
  shareObjects: boolean;
}

/** A spare made into a job's workspace and brought to the base branch's tip. */
export interface TakenSpare {
  head: string;
  /** The dependency trees laid beside it, for the job's DepCache. */
  staged: StagedTrees | undefined;
}

interface Marker {
  branch: string;
  head: string;
  shareObjects: boolean;
  deps?: string;
}

const MARKER = "spare.json";

export class SpareWorkspaces {
  readonly #o: SpareOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #abort = new AbortController();

  constructor(options: SpareOptions) {
    this.#o = options;
  }

  pathOf(key: CacheKey): string {
    return path.join(keyDir(this.#o.dir, "spares", key), "ready");
  }

  /**
   * Make `ws.repoDir` from the repository's spare, if one is ready for this branch and this way of sharing
   * objects, and prove it is the branch's tip on the remote, clean. Undefined (nothing left behind in
   * `ws`) when there is none, another job took it, or it is not exactly that.
   */
  async take(req: SpareRequest, ws: Workspace, signal?: AbortSignal): Promise<TakenSpare | undefined> {
    const entry = this.pathOf(req.key);
    if (!(await exists(entry))) return undefined;
    const moved = path.join(ws.root, "spare");
    const marker = await tryWithLock(entry, this.#lock(), async () => {
      const m = await readMarker(entry);
      if (!m || m.branch !== req.branch || m.shareObjects !== req.shareObjects) {
        await dropEntry(entry);
        return undefined;
      }
      await rename(entry, moved); // EXDEV: the work dir is on another file system than the cache
      await rm(`${entry}.size`, { force: true });
      return m;
    }).catch((err: unknown) => void this.#o.log.warn({ reason: errorMessage(err) }, "spare workspace not taken"));
    if (!marker) return undefined;
    try {
      await rename(path.join(moved, "repo"), ws.repoDir);
      const token = req.token ? await req.token() : undefined;
      const head = await syncSpare(ws.repoDir, req.branch, req.cloneUrl, gitEnv(token, undefined, ws.homeDir), signal);
      if (head) {
        const staged = marker.deps ? { entry: marker.deps, dir: path.join(moved, "deps") } : undefined;
        return { head, staged };
      }
      this.#o.log.warn({ branch: req.branch }, "spare workspace is not the branch's tip, clean: cloning instead");
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#o.log.warn({ reason: errorMessage(err) }, "spare workspace failed to come up to date: cloning instead");
    }
    await rm(ws.repoDir, { recursive: true, force: true });
    await rm(moved, { recursive: true, force: true });
    return undefined;
  }

  /**
   * In the background: bring the mirror up to date and make the next spare from it, with the dependency
   * entry `setupCommand` uses staged beside it. Does nothing when one is ready or being made.
   */
  prepare(req: SpareRequest, mirrors: MirrorCache, setupCommand: string | undefined): void {
    if (this.#abort.signal.aborted) return;
    const done: Promise<void> = this.#prepare(req, mirrors, setupCommand)
      .catch((err: unknown) => {
        if (!this.#abort.signal.aborted)
          this.#o.log.warn({ reason: errorMessage(err) }, "spare workspace not prepared");
      })
      .finally(() => this.#running.delete(done));
    this.#running.add(done);
  }

  /** Resolves once no spare is being made (the bench, tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Stop making spares (at shutdown): the one in progress is abandoned and removed. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.idle();
  }

  async #prepare(req: SpareRequest, mirrors: MirrorCache, setupCommand: string | undefined): Promise<void> {
    const entry = this.pathOf(req.key);
    await mkdir(path.dirname(entry), { recursive: true });
    // One maker per repository, across processes; a maker that died left only temporaries.
    await tryWithLock(`${entry}.make`, this.#lock(), async () => {
      if (await exists(entry)) return;
      await dropTemporaries(entry);
      const started = performance.now();
      const tmp = await mkdtemp(`${entry}.tmp-`);
      try {
        const ws = { root: tmp, repoDir: path.join(tmp, "repo"), homeDir: path.join(tmp, "home") };
        await mirrors.cloneInto({
          key: req.key,
          cloneUrl: req.cloneUrl,
          branch: req.branch,
          dir: ws.repoDir,
          token: req.token ? await req.token() : undefined,
          shareObjects: req.shareObjects,
          signal: this.#abort.signal,
        });
        const head = (await client(ws.repoDir, gitEnv(undefined, undefined, tmp)).revparse(["HEAD"])).trim();
        const deps = setupCommand
          ? await this.#depCache(req.key).stage(setupCommand, ws, path.join(tmp, "deps"))
          : undefined;
        const marker: Marker = { branch: req.branch, head, shareObjects: req.shareObjects, ...(deps ? { deps } : {}) };
        await writeFile(path.join(tmp, MARKER), JSON.stringify(marker));
        const bytes = await treeBytes(tmp);
        this.#abort.signal.throwIfAborted();
        const made = await withLock(entry, this.#lock(), async () => {
          if (await exists(entry)) return false;
          await rename(tmp, entry);
          await markUsed(entry, bytes);
          return true;
        });
        if (!made) return;
        const ms = Math.round(performance.now() - started);
        this.#o.log.info({ branch: req.branch, head, deps: deps ?? null, ms }, "spare workspace ready");
        await evict(this.#o.dir, this.#o.maxBytes, [entry], this.#o.staleMs);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  #depCache(key: CacheKey): DepCache {
    const { dir, maxBytes, log, staleMs } = this.#o;
    return new DepCache({ dir, maxBytes, key, trustedBase: undefined, log, ...(staleMs ? { staleMs } : {}) });
  }

  #lock() {
    return this.#o.staleMs ? { staleMs: this.#o.staleMs } : {};
  }
}

async function readMarker(entry: string): Promise<Marker | undefined> {
  try {
    const m = JSON.parse(await readFile(path.join(entry, MARKER), "utf8")) as Partial<Marker>;
    if (typeof m.branch !== "string" || typeof m.head !== "string" || typeof m.shareObjects !== "boolean")
      return undefined;
    return { branch: m.branch, head: m.head, shareObjects: m.shareObjects, ...(m.deps ? { deps: m.deps } : {}) };
  } catch {
    return undefined;
  }
}

async function dropEntry(entry: string): Promise<void> {
  await rm(entry, { recursive: true, force: true });
  await rm(`${entry}.size`, { force: true });
}

/** Half-made spares of a maker that died (we hold the maker's lock: none is in progress). */
async function dropTemporaries(entry: string): Promise<void> {
  const prefix = `${path.basename(entry)}.tmp-`;
  for (const name of await readdir(path.dirname(entry)).catch(() => [])) {
    if (name.startsWith(prefix)) await rm(path.join(path.dirname(entry), name), { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined)) !== undefined;
}
