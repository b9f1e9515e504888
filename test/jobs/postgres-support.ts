// The real PostgreSQL the PostgreSQL tests run against: 127.0.0.1:5432 as
// user postgres (or TEST_DATABASE_URL, a URL whose database part is ignored).
// Each test makes a database of its own, with a random name, and drops it.
// These tests never skip: without a server they fail saying how to start one.
import { randomBytes } from "node:crypto";
import pg from "pg";

const BASE = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const u = new URL(BASE);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres"), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${databaseUrl("postgres")} (${(error as Error).message}). ` +
        "Start one: `bash scripts/system-deps.sh` (.ci/run does this) installs and starts it. These tests do not skip.",
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function requirePostgres(): Promise<void> {
  await admin(async (c) => c.query("SELECT 1"));
}

/** A new empty database; returns its URL and the way to drop it (connections still open are ended). */
export async function testDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `issuesmith_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** End every server connection to the database: what clients see when the server restarts. */
export async function terminateConnections(name: string): Promise<number> {
  return admin(async (c) => {
    const { rowCount } = await c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
    return rowCount ?? 0;
  });
}

/** Empty the job store's tables (the schema stays), between tests sharing one database. */
export async function emptyTables(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("TRUNCATE jobs, deliveries, trajectory RESTART IDENTITY");
  } finally {
    await client.end();
  }
}
