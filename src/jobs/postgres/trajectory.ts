// A job's trajectory records on PostgreSQL: appended in order, read back in order.
import type pg from "pg";

export async function appendTrajectory(pool: pg.Pool, jobId: string, records: string[]): Promise<void> {
  if (records.length === 0) return;
  // One statement per batch, in order (n follows the array's order).
  await pool.query(
    "INSERT INTO trajectory (job_id, record) SELECT $1, r FROM unnest($2::text[]) WITH ORDINALITY AS t(r, i) ORDER BY i",
    [jobId, records],
  );
}

export async function readTrajectory(pool: pg.Pool, jobId: string): Promise<string[]> {
  const { rows } = await pool.query<{ record: string }>("SELECT record FROM trajectory WHERE job_id = $1 ORDER BY n", [
    jobId,
  ]);
  return rows.map((r) => r.record);
}
