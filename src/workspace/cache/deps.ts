// The dependency cache (ARCHITECTURE.md §1 "workspace/", §6): the tree a
// setup command installed, kept per repository under a key made of the
// lockfiles' bytes and the command, so a later job with the same lockfile
// starts with it and only checks it. Only a trusted install fills the cache:
// the checkout was exactly the base branch as the job found it (lockfiles,
// manifests and install scripts included), and the copy is taken right after
// setup, before the agent runs. Trees are copied (reflinked where the file
// system can), never hard-linked: the agent may rewrite any file it sees.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { errorMessage } from "../../errors.ts";
import { isBaseBlob, isBaseCheckout } from "../../security/base-blob.ts";
import type { Workspace } from "../types.ts";
import { ecosystemOf, type Ecosystem } from "./ecosystems.ts";
import { evict, keyDir, markUsed, treeBytes, type CacheKey } from "./entries.ts";
import { withLock } from "./lock.ts";

/** What the setup phase asks of a dependency cache. */
export interface SetupCache {
  /** Before setup: put a cached tree in place; the check to run instead of `command`, or undefined to install. */
  restore(command: string, workspace: Workspace): Promise<{ check: string } | undefined>;
  /** The restored tree failed its check: take it away before the real install, and the entry with it. */
  discard(command: string, workspace: Workspace): Promise<void>;
  /** Right after a successful install: keep the tree if the checkout was trusted when restore() looked at it (call that first). True when kept. */
  save(command: string, workspace: Workspace): Promise<boolean>;
}

export interface DepCacheOptions {
  dir: string;
  maxBytes: number;
  key: CacheKey;
  /** The base branch's commit as the job started; undefined: nothing this job installs is trusted. */
  trustedBase: string | undefined;
  log: Pick<Logger, "info" | "warn">;
  staleMs?: number;
  /** A copy of an entry's trees a spare workspace brought along (spare.ts): moved into place when the lockfiles still match. */
  staged?: StagedTrees;
}

/** Trees copied from entry `entry`, laid out as `<dir>/repo/…` and `<dir>/home/…`. */
export interface StagedTrees {
  entry: string;
  dir: string;
}

interface Plan {
  eco: Ecosystem;
  entry: string;
  trusted: boolean;
}

export class DepCache implements SetupCache {
  readonly #o: DepCacheOptions;
  readonly #plans = new Map<string, Plan | undefined>();

  constructor(options: DepCacheOptions) {
    this.#o = options;
  }

  async restore(command: string, ws: Workspace): Promise<{ check: string } | undefined> {
    const plan = await this.#plan(command, ws);
    if (!plan) return undefined;
    const staged = this.#o.staged;
    if (staged && staged.entry === path.basename(plan.entry)) {
      // Copied from the trusted entry before this job started, and touched by nothing since: moved, not copied.
      const { dir } = staged;
      if ((await moveTrees(plan.eco, path.join(dir, "repo"), path.join(dir, "home"), ws.repoDir, ws.homeDir)) > 0) {
        this.#o.log.info({ ecosystem: plan.eco.name, entry: staged.entry }, "dependencies restored from the cache");
        return { check: plan.eco.check };
      }
    }
    if (!(await exists(plan.entry))) return undefined;
    const restored = await withLock(plan.entry, this.#lock(), async () => {
      if (!(await exists(plan.entry))) return false; // evicted meanwhile
      await copyTrees(plan.eco, path.join(plan.entry, "repo"), path.join(plan.entry, "home"), ws.repoDir, ws.homeDir);
      await markUsed(plan.entry);
      return true;
    });
    if (restored)
      this.#o.log.info(
        { ecosystem: plan.eco.name, entry: path.basename(plan.entry) },
        "dependencies restored from the cache",
      );
    return restored ? { check: plan.eco.check } : undefined;
  }

  /**
   * For a spare workspace (spare.ts): copy the entry `command` would restore into `into` (repo/, home/),
   * outside the checkout. The entry's name, or undefined when there is none.
   */
  async stage(command: string, ws: Workspace, into: string): Promise<string | undefined> {
    const plan = await this.#plan(command, ws);
    if (!plan || !(await exists(plan.entry))) return undefined;
    return withLock(plan.entry, this.#lock(), async () => {
      if (!(await exists(plan.entry))) return undefined;
      const from = (d: string) => path.join(plan.entry, d);
      const copied = await copyTrees(
        plan.eco,
        from("repo"),
        from("home"),
        path.join(into, "repo"),
        path.join(into, "home"),
      );
      await markUsed(plan.entry);
      return copied > 0 ? path.basename(plan.entry) : undefined;
    });
  }

  async discard(command: string, ws: Workspace): Promise<void> {
    const plan = this.#plans.get(command);
    if (!plan) return;
    for (const d of plan.eco.repoDirs) await rm(path.join(ws.repoDir, d), { recursive: true, force: true });
    for (const d of plan.eco.homeDirs) await rm(path.join(ws.homeDir, d), { recursive: true, force: true });
    // A cached tree that fails its check is no good to later jobs either; a trusted install makes it again.
    await withLock(plan.entry, this.#lock(), async () => {
      await rm(plan.entry, { recursive: true, force: true });
      await rm(`${plan.entry}.size`, { force: true });
    });
    this.#o.log.warn(
      { ecosystem: plan.eco.name, entry: path.basename(plan.entry) },
      "cached dependencies failed their check: entry dropped",
    );
  }

  async save(command: string, ws: Workspace): Promise<boolean> {
    const plan = this.#plans.get(command);
    if (!plan?.trusted) return false;
    const saved = await withLock(plan.entry, this.#lock(), async () => {
      if (await exists(plan.entry)) return false;
      const tmp = await mkdtemp(`${plan.entry}.tmp-`);
      try {
        const copied = await copyTrees(
          plan.eco,
          ws.repoDir,
          ws.homeDir,
          path.join(tmp, "repo"),
          path.join(tmp, "home"),
        );
        if (copied === 0) return false; // the command installed nothing where we look
        await rename(tmp, plan.entry);
        await markUsed(plan.entry, await treeBytes(plan.entry));
        return true;
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
    if (saved) {
      this.#o.log.info(
        { ecosystem: plan.eco.name, entry: path.basename(plan.entry) },
        "installed dependencies kept in the cache",
      );
      await evict(this.#o.dir, this.#o.maxBytes, [plan.entry], this.#o.staleMs).catch((err: unknown) =>
        this.#o.log.warn({ reason: errorMessage(err) }, "cache eviction failed"),
      );
    }
    return saved;
  }

  /** The entry for this command and these lockfiles, and whether this checkout may fill it; once per command, before setup. */
  async #plan(command: string, ws: Workspace): Promise<Plan | undefined> {
    if (this.#plans.has(command)) return this.#plans.get(command);
    this.#plans.set(command, undefined);
    const eco = ecosystemOf(command);
    if (!eco) return undefined;
    const lockfiles: string[] = [];
    for (const f of eco.lockfiles)
      if ((await lstat(path.join(ws.repoDir, f)).catch(() => undefined))?.isFile()) lockfiles.push(f);
    if (lockfiles.length === 0) return undefined;
    // A tree the repository commits itself is its own business, not the cache's.
    for (const d of eco.repoDirs) if (await exists(path.join(ws.repoDir, d))) return undefined;
    const hash = createHash("sha256").update(
      // Native addons are built for one platform, CPU and Node ABI: a tree from another is no good here.
      JSON.stringify([
        eco.name,
        command.trim().replace(/\s+/g, " "),
        process.platform,
        process.arch,
        process.versions.modules,
      ]),
    );
    for (const f of lockfiles) hash.update(`\0${f}\0`).update(await readFile(path.join(ws.repoDir, f)));
    const base = this.#o.trustedBase;
    const trusted =
      base !== undefined &&
      (await isBaseCheckout(ws.repoDir, base)) &&
      (await everyAsync(lockfiles, (f) => isBaseBlob(ws.repoDir, base, f)));
    const plan = {
      eco,
      entry: path.join(keyDir(this.#o.dir, "deps", this.#o.key), hash.digest("hex").slice(0, 32)),
      trusted,
    };
    await mkdir(path.dirname(plan.entry), { recursive: true });
    this.#plans.set(command, plan);
    return plan;
  }

  #lock() {
    return this.#o.staleMs ? { staleMs: this.#o.staleMs } : {};
  }
}

/** Move each of the ecosystem's trees that exists from one repo/home pair to another (one file system); how many moved. */
async function moveTrees(eco: Ecosystem, fromRepo: string, fromHome: string, toRepo: string, toHome: string) {
  return copyTrees(eco, fromRepo, fromHome, toRepo, toHome, (from, to) => rename(from, to));
}

/** Copy each of the ecosystem's trees that exists from one repo/home pair to another; how many were copied. */
async function copyTrees(
  eco: Ecosystem,
  fromRepo: string,
  fromHome: string,
  toRepo: string,
  toHome: string,
  transfer: (from: string, to: string) => Promise<void> = copyTree,
): Promise<number> {
  let copied = 0;
  const pairs = [
    ...eco.repoDirs.map((d) => [path.join(fromRepo, d), path.join(toRepo, d)] as const),
    ...eco.homeDirs.map((d) => [path.join(fromHome, d), path.join(toHome, d)] as const),
  ];
  for (const [from, to] of pairs) {
    if (!(await exists(from))) continue;
    await mkdir(path.dirname(to), { recursive: true });
    await transfer(from, to);
    copied++;
  }
  return copied;
}

/** `cp -a --reflink=auto`: copy-on-write where the file system allows, a plain copy elsewhere; links kept as links. */
function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("cp", ["-a", "--reflink=auto", "--no-target-directory", "--", from, to], (error, _stdout, stderr) =>
      error ? reject(new Error(`copying ${path.basename(from)} failed: ${stderr.trim() || error.message}`)) : resolve(),
    );
  });
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined)) !== undefined;
}

async function everyAsync<T>(items: T[], test: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (!(await test(item))) return false;
  return true;
}
