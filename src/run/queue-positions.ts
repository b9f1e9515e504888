// Keeps "Queued — #n in line" true while jobs wait. The acknowledgement shows
// a job's place when it is enqueued; as jobs ahead start, a worker process
// re-reads the queue every so often and edits the comments whose place
// changed, a bounded number per round (GitHub limits how fast an app writes).
import type { Logger } from "pino";
import type { Octokit } from "../github/octokit.ts";
import { renderProgress } from "../github/progress-comment.ts";
import type { JobQueue, JobRecord } from "../shared/job.ts";
import type { Redactor } from "../security/redact.ts";

export interface QueuePositionDeps {
  queue: Pick<JobQueue, "list" | "get">;
  octokitFor(installationId: number): Promise<Octokit>;
  redactor: Redactor;
  log: Logger;
  model: string | undefined;
}

export class QueuePositions {
  readonly #deps: QueuePositionDeps;
  readonly #maxPerRound: number;
  /** The place each waiting job's comment shows, as far as this process knows. */
  readonly #shown = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<number> | undefined;

  constructor(deps: QueuePositionDeps, options: { maxPerRound?: number } = {}) {
    this.#deps = deps;
    this.#maxPerRound = options.maxPerRound ?? 20;
  }

  /** The acknowledgement showed `position`: no edit is due until it changes. */
  shown(jobId: string, position: number): void {
    this.#shown.set(jobId, position);
  }

  /** One round: edit the comments whose place changed (oldest jobs first). Returns how many were edited. */
  async refresh(): Promise<number> {
    // The same count as JobQueue.position: queued jobs enqueued before this one, plus one.
    const waiting = (await this.#deps.queue.list({ states: ["queued"] })).reverse();
    const live = new Set(waiting.map((j) => j.id));
    for (const id of this.#shown.keys()) if (!live.has(id)) this.#shown.delete(id);
    let edited = 0;
    for (const [i, job] of waiting.entries()) {
      if (edited >= this.#maxPerRound) break;
      const position = i + 1;
      if (job.kind === "reply" || job.progressCommentId === undefined || this.#shown.get(job.id) === position) continue;
      // It may have started since the list was read; its worker owns the comment then.
      if ((await this.#deps.queue.get(job.id))?.state !== "queued") continue;
      try {
        await this.#edit(job, job.progressCommentId, position);
        this.#shown.set(job.id, position);
        edited++;
      } catch (err) {
        this.#deps.log.warn({ err, job: job.id }, "could not update a queued job's place in line");
      }
    }
    return edited;
  }

  /** Refresh every `intervalMs` until stopped; rounds never overlap. */
  start(intervalMs: number): void {
    if (this.#timer || intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#round) return;
      this.#round = this.refresh()
        .catch((err: unknown) => {
          this.#deps.log.warn({ err }, "could not refresh the queue's places in line");
          return 0;
        })
        .finally(() => (this.#round = undefined));
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#round;
  }

  async #edit(job: JobRecord, commentId: number, position: number): Promise<void> {
    const octokit = await this.#deps.octokitFor(job.installationId);
    const body = renderProgress({
      jobId: job.id,
      kind: job.kind,
      phase: "queued",
      queuePosition: position,
      ...(this.#deps.model ? { model: this.#deps.model } : {}),
    });
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      owner: job.target.owner,
      repo: job.target.repo,
      comment_id: commentId,
      body: this.#deps.redactor.redact(body),
    });
  }
}
