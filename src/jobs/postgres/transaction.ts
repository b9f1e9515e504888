// The store's two pool-level chores: a transaction that never hands a broken
// connection back to the pool, and pruning what the retention lets go.
import type pg from "pg";
import type { PoolClient } from "pg";
import { DELIVERY_TTL_MS } from "../rules.ts";
import { ATTEMPT_TRAJECTORY_INFIX, TERMINAL_STATES } from "../../shared/job.ts";

export async function transaction<T>(pool: pg.Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  // A connection cut between two statements would otherwise be an uncaught
  // 'error'; the next statement fails with it instead.
  const ignore = () => {};
  c.on("error", ignore);
  try {
    await c.query("BEGIN");
    const result = await fn(c);
    await c.query("COMMIT");
    c.removeListener("error", ignore);
    c.release();
    return result;
  } catch (error) {
    // A connection that failed mid-transaction is not given back to the pool.
    const broken = await c.query("ROLLBACK").then(
      () => false,
      () => true,
    );
    c.removeListener("error", ignore);
    c.release(broken);
    throw error;
  }
}

/** Forget old deliveries, and jobs (with their trajectories) finished more than retentionDays ago (0: never). */
export async function pruneOld(pool: pg.Pool, retentionDays: number, now: number): Promise<{ jobs: number }> {
  await pool.query("DELETE FROM deliveries WHERE at < $1", [now - DELIVERY_TTL_MS]);
  if (retentionDays <= 0) return { jobs: 0 };
  const before = new Date(now - retentionDays * 24 * 3600_000).toISOString();
  const { rows } = await pool.query<{ n: string }>(
    `WITH gone AS (DELETE FROM jobs WHERE state = ANY($1) AND finished_at < $2 RETURNING id),
          traj AS (DELETE FROM trajectory t USING gone
                   WHERE t.job_id = gone.id OR starts_with(t.job_id, gone.id || '${ATTEMPT_TRAJECTORY_INFIX}'))
     SELECT COUNT(*) AS n FROM gone`,
    [TERMINAL_STATES, before],
  );
  return { jobs: Number(rows[0]?.n ?? 0) };
}
