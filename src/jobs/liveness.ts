// Whether the other side is alive: a worker process on this host (pidAlive,
// for taking over a dead worker's jobs) and a store that may be briefly away
// (withRetries, for recording a result through a database restart).

/**
 * Record a result through a store that may be briefly away (a database
 * restart): try at least three times, and on for as long as the job's lease is
 * ours. The job stays among the running ones meanwhile, so heartbeats keep the
 * lease once the store is back; giving up sooner would let the lease lapse and
 * the job run again elsewhere. The heartbeat gives the lease up (`lost`) after
 * a whole lease unconfirmed, and a late write is safe: finish and release only
 * touch a job this owner holds.
 */
export async function withRetries<T>(fn: () => Promise<T>, lost: () => boolean): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= 3 && lost()) throw error;
      await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** i)));
    }
  }
}

/** Is this pid a live process? EPERM means it exists but is not ours. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
