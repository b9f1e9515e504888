// The one comment a job keeps editing, so people see where it is and why it
// stopped. Updates are paced (GitHub throttles writes), phase changes and the
// final state always go out.
import type { Logger } from "pino";
import type { JobKind, Usage } from "../shared/job.ts";
import { PHASE_LABELS, type Phase } from "../shared/phases.ts";
import type { Redactor } from "../security/redact.ts";
import { findCommentWith, postCommentOnce } from "./comments.ts";
import type { Octokit, RepoRef } from "./octokit.ts";
import { formatDuration } from "../shared/duration.ts";

export function jobMarker(jobId: string): string {
  return `<!-- issuesmith:job:${jobId} -->`;
}

export interface ProgressState {
  jobId: string;
  kind: JobKind;
  phase: Phase;
  queuePosition?: number;
  step?: number;
  maxSteps?: number;
  lastAction?: string;
  model?: string;
  usage?: Usage;
  resumed?: boolean;
  /** A passing problem shown under the headline, e.g. the model endpoint failing and when it is tried again. */
  notice?: string;
  /** Set when the job ended: a headline and Markdown details. */
  final?: { ok: boolean; headline: string; details: string };
  /** A link to the job's trajectory page. */
  link?: string;
}

const SHOWN_PHASES: Record<JobKind, Phase[]> = {
  fix: ["queued", "clone", "setup", "edit", "test", "push", "open-pr"],
  revise: ["queued", "clone", "merge", "setup", "edit", "test", "push"],
  update: ["queued", "clone", "merge", "setup", "edit", "test", "push"],
  plan: ["queued", "clone", "plan"],
  reply: [],
};

export function renderProgress(state: ProgressState): string {
  const lines = [jobMarker(state.jobId), "### 🤖 issuesmith", ""];
  if (state.final) {
    lines.push(`${state.final.ok ? "✅" : "⏹️"} **${state.final.headline}**`, "", state.final.details.trim());
    if (state.resumed) lines.push("", "_This job was resumed from its last checkpoint after the worker restarted._");
  } else {
    lines.push(`⏳ **${headline(state)}**`);
    if (state.notice) lines.push("", `⚠️ ${state.notice}`);
    if (state.resumed) lines.push("", "_Resumed after the worker restarted; continuing from the last checkpoint._");
    const shown = SHOWN_PHASES[state.kind];
    const at = shown.indexOf(state.phase);
    if (shown.length > 0) {
      lines.push("", shown.map((p, i) => `${i < at ? "✅" : i === at ? "⏳" : "⬜"} ${PHASE_LABELS[p]}`).join(" · "));
    }
  }
  const facts = [`job \`${state.jobId.slice(0, 8)}\``];
  if (state.model) facts.push(`model \`${state.model}\``);
  if (state.usage) {
    facts.push(
      `${state.usage.steps} steps`,
      `${(state.usage.inputTokens + state.usage.outputTokens).toLocaleString("en-US")} tokens`,
    );
    if (state.usage.costUsd > 0) facts.push(`$${state.usage.costUsd.toFixed(2)}`);
    facts.push(formatDuration(state.usage.wallMs));
  }
  if (state.link) facts.push(`[details](${state.link})`);
  lines.push("", `<sub>${facts.join(" · ")}</sub>`);
  return lines.join("\n");
}

function headline(state: ProgressState): string {
  if (state.phase === "queued") {
    return state.queuePosition && state.queuePosition > 1
      ? `Queued — #${state.queuePosition} in line`
      : "Queued — starting shortly";
  }
  if (state.phase === "edit" && state.step) {
    const of = state.maxSteps ? ` of ${state.maxSteps}` : "";
    return `Working — step ${state.step}${of}${state.lastAction ? ` · last: \`${state.lastAction}\`` : ""}`;
  }
  const label = PHASE_LABELS[state.phase];
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** Find a job's comment by its hidden marker (a resumed or retried job reuses it). */
export function findProgressComment(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  jobId: string,
): Promise<number | undefined> {
  return findCommentWith(octokit, repo, issueNumber, jobMarker(jobId));
}

export class ProgressComment {
  readonly #octokit: Octokit;
  readonly #repo: RepoRef;
  readonly #issue: number;
  readonly #redactor: Redactor;
  readonly #intervalMs: number;
  readonly #log: Logger;
  #id: number | undefined;
  #lastBody = "";
  #lastSent = 0;
  #lastPhase: Phase | undefined;
  #pending: ProgressState | undefined;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #silenced = false;

  constructor(options: {
    octokit: Octokit;
    repo: RepoRef;
    issueNumber: number;
    commentId?: number;
    redactor: Redactor;
    intervalMs: number;
    log: Logger;
  }) {
    this.#octokit = options.octokit;
    this.#repo = options.repo;
    this.#issue = options.issueNumber;
    this.#id = options.commentId;
    this.#redactor = options.redactor;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log;
  }

  get id(): number | undefined {
    return this.#id;
  }

  /** Post now (creating the comment when needed); returns its id. */
  async post(state: ProgressState): Promise<number> {
    this.#pending = undefined;
    clearTimeout(this.#timer);
    await this.#enqueue(state);
    return this.#id!;
  }

  /** Post when due: at once on a phase change, else at most once per interval (the latest state wins). */
  update(state: ProgressState): void {
    const due = state.phase !== this.#lastPhase || Date.now() - this.#lastSent >= this.#intervalMs;
    if (due) {
      this.#pending = undefined;
      clearTimeout(this.#timer);
      this.#enqueue(state).catch((err: unknown) => this.#log.warn({ err }, "progress comment update failed"));
      return;
    }
    this.#pending = state;
    if (!this.#timer) {
      this.#timer = setTimeout(
        () => {
          this.#timer = undefined;
          const s = this.#pending;
          this.#pending = undefined;
          if (s) this.#enqueue(s).catch((err: unknown) => this.#log.warn({ err }, "progress comment update failed"));
        },
        Math.max(0, this.#intervalMs - (Date.now() - this.#lastSent)),
      );
      this.#timer.unref();
    }
  }

  /**
   * Write nothing more, pending updates included: the comment is no longer
   * this run's (another worker holds the job and writes it now).
   */
  silence(): void {
    this.#silenced = true;
    this.#pending = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Wait for updates in flight (before the final post or exit). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const s = this.#pending;
    this.#pending = undefined;
    if (s) await this.#enqueue(s).catch(() => undefined);
    await this.#chain.catch(() => undefined);
  }

  #enqueue(state: ProgressState): Promise<void> {
    const run = this.#chain.then(() => this.#send(state));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #send(state: ProgressState): Promise<void> {
    if (this.#silenced) return;
    const body = this.#redactor.redact(renderProgress(state));
    this.#lastPhase = state.phase;
    if (body === this.#lastBody) return;
    this.#lastSent = Date.now();
    if (this.#id === undefined) {
      // the caller looked for the job's comment before this first post; a lost answer is looked for again
      this.#id = await postCommentOnce(this.#octokit, this.#repo, this.#issue, body, jobMarker(state.jobId), {
        lookFirst: false,
      });
    } else {
      await this.#octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        ...this.#repo,
        comment_id: this.#id,
        body,
      });
    }
    this.#lastBody = body;
  }
}
