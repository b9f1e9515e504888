// One lock per cache entry (a mirror, a dependency tree), shared by every
// process on the machine. proper-lockfile keeps the lock's mtime fresh while
// its holder lives; a holder killed with -9 stops refreshing, and the next
// process takes the lock over once it is `staleMs` old, so no kill leaves an
// entry locked for good (ARCHITECTURE.md §1 "workspace/").
import lockfile from "proper-lockfile";

export interface LockOptions {
  /** Age after which a lock whose holder stopped refreshing it is taken over. */
  staleMs?: number;
  /** How long to wait for a live holder before giving up; 0: do not wait. */
  waitMs?: number;
  /** Told when another process took our lock over (we stalled past staleMs). */
  onCompromised?: (err: Error) => void;
}

export const DEFAULT_STALE_MS = 10_000;

export function lockPath(entry: string): string {
  return `${entry}.lock`;
}

/** Run `work` holding the lock of `entry` (the entry itself need not exist). */
export async function withLock<T>(entry: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const waitMs = options.waitMs ?? 15 * 60_000;
  const release = await lockfile.lock(entry, {
    realpath: false,
    lockfilePath: lockPath(entry),
    stale: staleMs,
    retries: waitMs > 0 ? { retries: Math.ceil(waitMs / 500), minTimeout: 100, maxTimeout: 500, factor: 1.5 } : 0,
    // The default throws from a timer, which would end the process.
    onCompromised: (err) => options.onCompromised?.(err),
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined); // compromised: the lock is someone else's now
  }
}

/** Like withLock, but undefined at once when a live holder has the entry. */
export async function tryWithLock<T>(
  entry: string,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await withLock(entry, { ...options, waitMs: 0 }, work);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOCKED") return undefined;
    throw err;
  }
}
