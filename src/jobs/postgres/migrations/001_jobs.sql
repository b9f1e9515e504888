-- The job store's first schema: the SQLite store's tables (src/jobs/sqlite/open.ts),
-- in PostgreSQL types. Times a person reads are ISO text, as there; times the
-- scheduler compares (run_after, lease_expires_at, deliveries.at) are epoch ms.
CREATE TABLE jobs (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  installation_id BIGINT NOT NULL,
  state TEXT NOT NULL,
  job TEXT NOT NULL,
  triggers TEXT NOT NULL,
  phase TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  crash_resumes INTEGER NOT NULL DEFAULT 0,
  progress_comment_id BIGINT,
  checkpoint TEXT,
  outcome TEXT,
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  run_after BIGINT NOT NULL DEFAULT 0,
  resume_next BOOLEAN NOT NULL DEFAULT FALSE,
  lease_owner TEXT,
  lease_pid INTEGER,
  lease_host TEXT,
  lease_expires_at BIGINT
);
CREATE INDEX jobs_state ON jobs (state, seq);
CREATE INDEX jobs_key ON jobs (key, state);
-- What every claim reads: the active jobs only, however many have ended.
CREATE INDEX jobs_active ON jobs (seq) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state NOT IN ('queued', 'running');

CREATE TABLE deliveries (
  delivery_id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX deliveries_at ON deliveries (at);

-- Trajectories (megabytes per job) in a table of their own, read only by the job page.
CREATE TABLE trajectory (
  n BIGSERIAL PRIMARY KEY,
  job_id TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX trajectory_job ON trajectory (job_id, n);
