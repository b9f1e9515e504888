// Opening the embedded job store, with start-up failures an operator can act
// on: an unwritable data dir, a file that is not a database, a file another
// process holds locked. Each is one UserError naming the file and the fix.
import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { UserError, errorMessage } from "../../errors.ts";

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  installation_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  job TEXT NOT NULL,
  triggers TEXT NOT NULL,
  phase TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  crash_resumes INTEGER NOT NULL DEFAULT 0,
  progress_comment_id INTEGER,
  checkpoint TEXT,
  outcome TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  run_after INTEGER NOT NULL DEFAULT 0,
  resume_next INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_pid INTEGER,
  lease_host TEXT,
  lease_expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs(key, state);
CREATE TABLE IF NOT EXISTS deliveries (
  delivery_id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_at ON deliveries(at);
CREATE TABLE IF NOT EXISTS trajectory (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trajectory_job ON trajectory(job_id, n);
`;

export interface OpenOptions {
  /** How long start-up waits for a lock held by another process. */
  lockWaitMs?: number;
  /** How long a running store waits for a lock (other workers on the same file). */
  busyTimeoutMs?: number;
}

/** Open (creating if needed) the job database at `file`, or throw a UserError saying what to do. */
export function openJobDatabase(file: string, options: OpenOptions = {}): DatabaseSync {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new UserError(`cannot use the data directory ${dir} for the job store: ${errorMessage(error)}`, [
      "Set AGENT_DATA_DIR to a directory this process can create and write, or fix its permissions.",
    ]);
  }

  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: options.lockWaitMs ?? 2_000 });
    db.exec("PRAGMA journal_mode = WAL");
    // FULL: a job record written is on disk when the call returns, power cut included.
    db.exec("PRAGMA synchronous = FULL");
    const check = db.prepare("PRAGMA quick_check").all() as { quick_check: string }[];
    if (check[0]?.quick_check !== "ok")
      throw new Error(`database disk image is malformed (${check.map((c) => c.quick_check).join("; ")})`);
    const version = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
    if (version > SCHEMA_VERSION) {
      throw new UserError(
        `the job store ${file} was written by a newer issuesmith (schema ${version}, this one knows ${SCHEMA_VERSION})`,
        ["Run the newer version, or point AGENT_DATA_DIR at another directory."],
      );
    }
    // Take the write lock once now, so a file another process holds shows here and not mid-job.
    db.exec("BEGIN IMMEDIATE");
    db.exec(SCHEMA);
    addColumns(db);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    return db;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // Already unusable; the error below says why.
    }
    if (error instanceof UserError) throw error;
    throw describeOpenError(file, error);
  }
}

/**
 * Columns added since a store file may have been made. Each is additive with a
 * default, so an older issuesmith still reads the file (no schema bump).
 */
const ADDED_COLUMNS: Record<string, string> = {
  crash_resumes: "INTEGER NOT NULL DEFAULT 0",
  cancel_reason: "TEXT",
  model: "TEXT",
};

function addColumns(db: DatabaseSync): void {
  const have = new Set((db.prepare("PRAGMA table_info(jobs)").all() as { name: string }[]).map((c) => c.name));
  for (const [name, type] of Object.entries(ADDED_COLUMNS)) {
    if (!have.has(name)) db.exec(`ALTER TABLE jobs ADD COLUMN ${name} ${type}`);
  }
}

function describeOpenError(file: string, error: unknown): UserError {
  const message = errorMessage(error);
  if (/not a database|malformed|corrupt/i.test(message)) {
    return new UserError(`the job store ${file} is not a readable SQLite database (${message})`, [
      `Move it aside (mv ${file} ${file}.broken) and start again: a new, empty store is made. Jobs in the old file are not run.`,
    ]);
  }
  if (/locked|busy/i.test(message)) {
    return new UserError(`the job store ${file} is locked by another process (${message})`, [
      "Another program holds it. Stop it, or give this process its own AGENT_DATA_DIR. " +
        "(Several issuesmith processes on one machine may share the file; a lock held for seconds is not one of them.)",
    ]);
  }
  return new UserError(`cannot open the job store ${file}: ${message}`, [
    "Check that AGENT_DATA_DIR is on a local, writable disk (SQLite's WAL mode does not work on network file systems).",
  ]);
}
