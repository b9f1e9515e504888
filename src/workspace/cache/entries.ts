// The cache's entries on disk and the size cap: every entry (a mirror, an
// installed dependency tree, a spare workspace) sits at <cache>/<kind>/<host>/<installation>/<repository>/<name>,
// with `<entry>.size` (bytes, written when it was made or refreshed) and its
// directory's mtime as the time it was last used. Past the cap the least
// recently used entries go, each under its own lock, never one in use.
import { lstat, readFile, readdir, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { lockPath, tryWithLock } from "./lock.ts";

export interface CacheKey {
  /** The GitHub host (github.com, a GHE host, 127.0.0.1:4000 in tests). */
  host: string;
  installationId: number;
  repositoryId: number;
}

export type EntryKind = "mirrors" | "deps" | "spares";

/** The directory of one repository's entries: never shared between installations. */
export function keyDir(root: string, kind: EntryKind, key: CacheKey): string {
  if (!Number.isSafeInteger(key.installationId) || key.installationId <= 0)
    throw new Error(`cache key: bad installation id ${key.installationId}`);
  if (!Number.isSafeInteger(key.repositoryId) || key.repositoryId <= 0)
    throw new Error(`cache key: bad repository id ${key.repositoryId}`);
  const host = key.host.toLowerCase().replace(/[^a-z0-9.:-]/g, "_");
  if (!host || host.startsWith(".")) throw new Error(`cache key: bad host ${JSON.stringify(key.host)}`);
  return path.join(root, kind, host, String(key.installationId), String(key.repositoryId));
}

/** Mark an entry used now and remember its size. */
export async function markUsed(entry: string, bytes?: number): Promise<void> {
  const now = new Date();
  await utimes(entry, now, now);
  if (bytes !== undefined) await writeFile(`${entry}.size`, String(bytes));
}

/** Bytes under `dir` (files as stored, links not followed). */
export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (e.isDirectory()) continue;
    const st = await lstat(path.join(e.parentPath, e.name)).catch(() => undefined);
    if (st) total += st.blocks * 512;
  }
  return total;
}

interface Entry {
  path: string;
  bytes: number;
  usedAt: number;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
}

async function listEntries(root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const kind of ["mirrors", "deps", "spares"] satisfies EntryKind[]) {
    // <kind>/<host>/<installation>/<repository>/<entry>, walked level by level (never into an entry)
    let level = [path.join(root, kind)];
    for (let depth = 0; depth < 4; depth++) level = (await Promise.all(level.map(subdirs))).flat();
    for (const full of level) {
      const name = path.basename(full);
      if (name.includes(".tmp-") || name.endsWith(".lock")) continue;
      const st = await lstat(full).catch(() => undefined);
      if (!st) continue;
      const recorded = Number(await readFile(`${full}.size`, "utf8").catch(() => "NaN"));
      out.push({ path: full, bytes: Number.isFinite(recorded) ? recorded : await treeBytes(full), usedAt: st.mtimeMs });
    }
  }
  return out;
}

/** Remove least recently used entries until the cache fits in `maxBytes`; `keep` is never removed. Returns the paths removed. */
export async function evict(root: string, maxBytes: number, keep: string[], staleMs?: number): Promise<string[]> {
  const entries = (await listEntries(root)).sort((a, b) => a.usedAt - b.usedAt);
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const removed: string[] = [];
  for (const e of entries) {
    if (total <= maxBytes) break;
    if (keep.includes(e.path)) continue;
    const gone = await tryWithLock(e.path, staleMs === undefined ? {} : { staleMs }, async () => {
      await rm(e.path, { recursive: true, force: true });
      await rm(`${e.path}.size`, { force: true });
      return true;
    });
    if (gone) {
      total -= e.bytes;
      removed.push(e.path);
    }
  }
  return removed;
}

export { lockPath };
