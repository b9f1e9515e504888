// The Job and the Queue contract (ARCHITECTURE.md §3 "Jobs"). Handlers
// enqueue, workers run; every backend (memory, sqlite, postgres) implements
// JobQueue and passes the same contract suite. It lives in shared/ because the
// layers below jobs/ (run/, agent/, github/) speak of jobs too (ARCHITECTURE.md §2).
import type { Phase } from "./phases.ts";

export type JobKind =
  /** Solve an issue: branch, loop, tests, PR. */
  | "fix"
  /** Comment a plan, change nothing. */
  | "plan"
  /** Change an existing PR's branch per review feedback / free text. */
  | "revise"
  /** Bring a PR's branch up to date with its base (a merge), nothing else. */
  | "update"
  /** Post one comment (help text, a refusal): a quick job that is not serialized per key. */
  | "reply";

export interface JobTarget {
  owner: string;
  repo: string;
  /** Issue or pull request number. */
  number: number;
  isPullRequest: boolean;
}

/** Who asked, where, and with what words. */
export interface TriggerInfo {
  /** X-GitHub-Delivery of the webhook that caused it. */
  deliveryId: string;
  /** e.g. "issues.labeled", "issue_comment.created", "pull_request_review.submitted". */
  event: string;
  /** Login of the sender. */
  actor: string;
  /** Free text after the verb, or the review body. */
  text?: string;
  /** The comment (or review) that triggered, for the 👀 reaction and replies. */
  commentId?: number;
  commentKind?: "issue_comment" | "review" | "review_comment";
  /** ISO time the trigger arrived. */
  at: string;
  /** `--model <name>` given with the command (checked against the allow-list when it arrived). */
  model?: string;
  /** `--attempts <n>` given with `fix` on an issue (checked against the cap when it arrived). */
  attempts?: number;
}

export interface NewJob {
  kind: JobKind;
  installationId: number;
  target: JobTarget;
  trigger: TriggerInfo;
  /** For `reply` jobs: the Markdown to post. */
  reply?: string;
}

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled" | "interrupted";

export const TERMINAL_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled", "interrupted"];

export type OutcomeStatus =
  | "pr_opened"
  | "pr_updated"
  | "no_change"
  | "tests_failing"
  | "limit"
  | "plan_posted"
  | "replied"
  | "config_error"
  | "cancelled"
  | "interrupted"
  | "error";

export interface Usage {
  steps: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  wallMs: number;
}

export interface JobOutcome {
  status: OutcomeStatus;
  /** One or two sentences for people: what happened and why it stopped. */
  summary: string;
  prNumber?: number;
  prUrl?: string;
  usage?: Usage;
}

/** The attempts of one fix job (`attempts: N`) keep their trajectories under the job's id, this infix and their number. */
export const ATTEMPT_TRAJECTORY_INFIX = "-attempt-";

export function attemptTrajectoryId(jobId: string, attempt: number): string {
  return `${jobId}${ATTEMPT_TRAJECTORY_INFIX}${attempt}`;
}

/** What a job saved so a restarted worker can resume it. Opaque to the queue (stored as JSON). */
export type Checkpoint = Record<string, unknown>;

export interface JobRecord extends NewJob {
  id: string;
  /** Serialization key: at most one running job per key. "owner/repo#number" (reply jobs: their own id). */
  key: string;
  state: JobState;
  phase: Phase | undefined;
  /** Every trigger coalesced into this job, oldest first (the first is `trigger`). */
  triggers: TriggerInfo[];
  /** Times a worker started it (a resume counts). */
  attempts: number;
  /**
   * Times a worker took it over after the previous one died holding it (a
   * shutdown's hand-over is not a crash). Past AGENT_MAX_RESUMES the job ends
   * `interrupted` instead of running again.
   */
  crashResumes: number;
  progressCommentId: number | undefined;
  checkpoint: Checkpoint | undefined;
  outcome: JobOutcome | undefined;
  cancelRequested: boolean;
  /** Why it was cancelled, as the canceller said (`/agent stop` by whom, the issue closed, the CLI); the first reason wins. */
  cancelReason: string | undefined;
  /** The model the job ran on, once its run chose one (command, repository config or the default). */
  model: string | undefined;
  createdAt: string;
  updatedAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
}

/** Fields a running job (or a cancel) may change. */
export interface JobPatch {
  phase?: Phase;
  progressCommentId?: number;
  checkpoint?: Checkpoint;
  model?: string;
}

export interface EnqueueResult {
  job: JobRecord;
  /** enqueued: a new job; duplicate: this delivery was already taken; coalesced: merged into a queued job of the same key. */
  status: "enqueued" | "duplicate" | "coalesced";
}

export interface JobRunContext {
  /** Aborted on cancel (reason: Cancelled), shutdown (reason: Transient "shutdown") or a lost lease (reason: LeaseLost: write nothing more). */
  signal: AbortSignal;
  /** True when this job was running when a previous worker died. */
  resumed: boolean;
  /** No retry follows this start: a Transient failure now ends the job, so the handler reports it. */
  lastAttempt: boolean;
  /**
   * Set when the job's workers died more often than allowed: the handler must
   * not run it again, but end it `interrupted` with a report saying so.
   */
  interrupt: { crashes: number; maxResumes: number } | undefined;
  update(patch: JobPatch): Promise<void>;
}

export type JobHandler = (job: JobRecord, run: JobRunContext) => Promise<JobOutcome>;

export interface WorkerOptions {
  concurrency: number;
  perInstallation: number;
}

export interface Worker {
  /** Stop taking jobs; wait up to graceMs for running jobs, then abort them (they stay resumable). */
  stop(graceMs: number): Promise<void>;
  readonly running: number;
  /** True once stop() has finished (for /readyz). */
  readonly stopped: boolean;
}

export interface JobQueue {
  readonly backend: "memory" | "sqlite" | "postgres";
  /** Idempotent by trigger.deliveryId; coalesces into a queued job of the same key and kind. */
  enqueue(job: NewJob): Promise<EnqueueResult>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Newest first; `since` (ISO time) keeps jobs created at or after it. */
  list(filter?: { states?: JobState[]; key?: string; since?: string; limit?: number }): Promise<JobRecord[]>;
  update(id: string, patch: JobPatch): Promise<void>;
  /** Queued jobs become cancelled at once; running ones get cancelRequested and their signal aborts within seconds. */
  cancel(selector: { id: string } | { key: string }, reason: string): Promise<JobRecord[]>;
  /** 1-based place among queued jobs, undefined when not queued. */
  position(id: string): Promise<number | undefined>;
  /** Start a worker in this process. Jobs left `running` by a dead worker are handed over with resumed=true. */
  work(handler: JobHandler, options: WorkerOptions): Worker;
  /** Is the backing store reachable (for /readyz)? */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function jobKey(job: NewJob, id: string): string {
  if (job.kind === "reply") return `reply:${id}`;
  return targetKey(job.target);
}

/** "owner/repo#number", lower-cased: the key of every non-reply job on that issue or PR. */
export function targetKey(target: JobTarget): string {
  return `${target.owner}/${target.repo}#${target.number}`.toLowerCase();
}
