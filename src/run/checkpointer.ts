// Saves what a restarted worker needs to carry on: the conversation and the
// budget spent (in the job record, every step), and the work in progress (as
// one commit pushed to a side branch, every so often and before a shutdown).
// The side branch keeps WIP commits off the branch people review.
import type { Logger } from "pino";
import type { RepoConfig } from "../config/repo-config.ts";
import { LeaseLost, Transient } from "../errors.ts";
import type { Checkpoint, JobRunContext, Usage } from "../shared/job.ts";
import type { Redactor } from "../security/redact.ts";
import type { GitWorkspace } from "../workspace/git.ts";
import { scanCommitted, undoProtectedChanges } from "./guard-changes.ts";
import type { SolveState } from "./solve.ts";

export interface FixCheckpoint extends SolveState {
  version: 1;
  branch: string;
  /** The commit the work started from. */
  base: string;
  wipBranch: string;
  /** Last commit pushed to wipBranch; undefined before the first push. */
  wipSha: string | undefined;
  /** A revision's follow-up commit, once pushed: a resumed job must not make a second. */
  published?: string;
}

const NOTHING_SPENT: Usage = { steps: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, wallMs: 0 };

/** The side branch a job's work in progress is pushed to. */
export function wipBranchName(config: Pick<RepoConfig, "branch_prefix">, jobId: string): string {
  return `${config.branch_prefix}wip/${jobId}`;
}

/** Whether a side branch's name (after `<prefix>wip/`) is the job's: its own, or one of its attempts' (`<id>-<n>`). */
export function isWipOfJob(name: string, jobId: string): boolean {
  return name === jobId || (name.startsWith(`${jobId}-`) && /^\d+$/.test(name.slice(jobId.length + 1)));
}

/** A checkpoint with no work saved yet; `usage` carries over what earlier attempts spent. */
export function freshCheckpoint(
  branch: string,
  base: string,
  wipBranch: string,
  usage: Usage = NOTHING_SPENT,
): FixCheckpoint {
  return { version: 1, branch, base, wipBranch, wipSha: undefined, messages: [], usage, testRound: 0 };
}

/** What solve() resumes from. */
export function savedState(cp: FixCheckpoint): SolveState {
  return { messages: cp.messages, usage: cp.usage, testRound: cp.testRound };
}

export function readCheckpoint(value: unknown): FixCheckpoint | undefined {
  const cp = value as Partial<FixCheckpoint> | undefined;
  if (
    !cp ||
    cp.version !== 1 ||
    typeof cp.branch !== "string" ||
    typeof cp.base !== "string" ||
    !Array.isArray(cp.messages) ||
    !cp.usage
  )
    return undefined;
  return cp as FixCheckpoint;
}

/** The job record's checkpoint while several attempts run: one slot per attempt. */
export function attemptsCheckpoint(slots: Array<FixCheckpoint | undefined>): Checkpoint {
  return { version: 1, attempts: slots.map((s) => s ?? null) };
}

/** Each attempt's saved checkpoint, by position (undefined where none was saved). */
export function readAttemptCheckpoints(value: unknown): Array<FixCheckpoint | undefined> {
  const slots = (value as { attempts?: unknown } | undefined)?.attempts;
  return Array.isArray(slots) ? slots.map((s: unknown) => readCheckpoint(s ?? undefined)) : [];
}

export class Checkpointer {
  readonly #git: GitWorkspace;
  readonly #run: Pick<JobRunContext, "update">;
  readonly #config: RepoConfig;
  readonly #redactor: Redactor;
  readonly #log: Logger;
  readonly #pushEveryMs: number;
  #cp: FixCheckpoint;
  #lastPush = 0;

  constructor(options: {
    git: GitWorkspace;
    run: Pick<JobRunContext, "update">;
    config: RepoConfig;
    redactor: Redactor;
    log: Logger;
    checkpoint: FixCheckpoint;
    pushEveryMs?: number;
  }) {
    this.#git = options.git;
    this.#run = options.run;
    this.#config = options.config;
    this.#redactor = options.redactor;
    this.#log = options.log;
    this.#cp = options.checkpoint;
    this.#pushEveryMs = options.pushEveryMs ?? 30_000;
    this.#lastPush = Date.now();
  }

  get checkpoint(): FixCheckpoint {
    return this.#cp;
  }

  /** Record that the work was pushed where people review it, as `sha`. */
  async published(sha: string): Promise<void> {
    this.#cp = { ...this.#cp, published: sha };
    await this.#run.update({ checkpoint: { ...this.#cp } });
  }

  async save(state: SolveState, options: { push?: boolean } = {}): Promise<void> {
    this.#cp = { ...this.#cp, messages: state.messages, usage: state.usage, testRound: state.testRound };
    if (options.push || Date.now() - this.#lastPush >= this.#pushEveryMs) await this.#pushWip();
    await this.#run.update({ checkpoint: { ...this.#cp } });
  }

  async #pushWip(): Promise<void> {
    this.#lastPush = Date.now();
    try {
      const { changed } = await undoProtectedChanges(this.#git, this.#cp.base, this.#config);
      if (changed.length === 0) return;
      // One commit on top of base, re-made each time: every commit the side branch
      // carries is the one just scanned. Stacked commits would carry an earlier,
      // refused one (a key written, then deleted) to the remote with a later, clean one.
      const sha = await this.#git.squashSince(
        this.#cp.base,
        `wip: issuesmith checkpoint (step ${this.#cp.usage.steps})`,
      );
      if (!sha) return;
      const findings = await scanCommitted(this.#git, this.#cp.base, this.#config, this.#redactor, changed);
      if (findings.length > 0) {
        this.#log.warn(
          { findings: findings.length },
          "checkpoint not pushed: the work in progress looks like it holds a secret",
        );
        return;
      }
      await this.#git.push(this.#cp.wipBranch, { expect: this.#cp.wipSha ?? null });
      this.#cp = { ...this.#cp, wipSha: sha };
    } catch (err) {
      // A missed checkpoint costs only redone work; the job goes on.
      this.#log.warn({ err }, "checkpoint push failed");
    }
  }

  /** Drop the side branch once the real branch holds the work. */
  async discard(): Promise<void> {
    if (!this.#cp.wipSha) return;
    try {
      await this.#git.deleteRemoteBranch(this.#cp.wipBranch);
    } catch (err) {
      this.#log.warn({ err }, "could not delete the checkpoint branch");
    }
  }
}

/**
 * For a solve's catch: on a shutdown (the run's signal aborted with a
 * Transient other than a lost lease), save everything and push the work, so the next worker resumes
 * from here. Re-throws the error either way.
 */
export async function saveOnShutdown(
  checkpointer: Checkpointer,
  run: Pick<JobRunContext, "signal">,
  err: unknown,
): Promise<never> {
  // A lost lease is a Transient too, but the job is another worker's now: its wip branch and record are not ours to write.
  if (err instanceof Transient && run.signal.aborted && !(run.signal.reason instanceof LeaseLost)) {
    await checkpointer.save(savedState(checkpointer.checkpoint), { push: true });
  }
  throw err;
}
