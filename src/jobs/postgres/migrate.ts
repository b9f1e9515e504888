// Schema migrations for the PostgreSQL job store: plain numbered SQL files in
// ./migrations, applied in order at start-up inside one transaction that holds
// an advisory lock, so several processes starting at once apply each file once
// and none reads a half-made schema (ARCHITECTURE.md §3).
import { readdirSync, readFileSync } from "node:fs";
import type { PoolClient } from "pg";
import { UserError } from "../../errors.ts";
import { LOCK_NS, MIGRATE_LOCK } from "./locks.ts";

const DIR = new URL("./migrations/", import.meta.url);

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migrations shipped with this build, oldest first. */
export function migrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .map((f) => ({ version: Number.parseInt(f, 10), name: f, sql: readFileSync(new URL(f, DIR), "utf8") }))
    .sort((a, b) => a.version - b.version);
}

/** Bring the database to this build's schema; returns the versions applied now. */
export async function migrate(client: PoolClient, where: string, known: Migration[] = migrations()): Promise<number[]> {
  const latest = known.at(-1)?.version ?? 0;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [LOCK_NS, MIGRATE_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > latest) {
      throw new UserError(
        `the job store ${where} was written by a newer issuesmith (schema ${newest}, this one knows ${latest})`,
        ["Run the newer version, or point AGENT_DATABASE_URL at another database."],
      );
    }
    const now: number[] = [];
    for (const m of known) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      now.push(m.version);
    }
    await client.query("COMMIT");
    return now;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
