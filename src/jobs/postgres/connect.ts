// Reaching the PostgreSQL job store, with start-up failures an operator can act
// on: a server that does not answer, a database that does not exist, a role
// the server refuses. Each is one UserError naming the (password-free) URL.
import pg from "pg";
import { UserError, errorMessage } from "../../errors.ts";
import type { QueueLog } from "../worker-settings.ts";

export interface PostgresOptions {
  log?: QueueLog;
  /** Days a finished job (and its trajectory) is kept; 0 keeps them for ever. */
  retentionDays?: number;
  /** Connections in this process's pool. */
  poolMax?: number;
}

/** The URL with its password masked, for logs and messages. */
export function safeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(an AGENT_DATABASE_URL that is not a URL)";
  }
}

export interface PoolOptions {
  /** Connections this process keeps (each worker claim, heartbeat and write takes one briefly). */
  max?: number;
  connectTimeoutMs?: number;
}

export function newPool(url: string, options: PoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: options.max ?? 5,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: "issuesmith",
  });
}

/** The SQLSTATE of a server error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function describeConnectError(url: string, error: unknown): UserError {
  const where = safeDatabaseUrl(url);
  const message = errorMessage(error);
  const state = sqlState(error);
  if (state === "3D000") {
    const db = new URL(url).pathname.slice(1) || "(none)";
    return new UserError(`the job store database ${db} does not exist on ${where}`, [
      `Create it (createdb -h <host> -U <user> ${db}) or point AGENT_DATABASE_URL at one that exists.`,
    ]);
  }
  if (state === "28P01" || state === "28000") {
    return new UserError(`PostgreSQL at ${where} refused the login (${message})`, [
      "Check the user and password in AGENT_DATABASE_URL, and pg_hba.conf on the server.",
    ]);
  }
  return new UserError(`cannot reach the job store PostgreSQL at ${where}: ${message}`, [
    "Start PostgreSQL (pg_isready -h <host> tells whether it answers) or fix AGENT_DATABASE_URL.",
  ]);
}
