// Turns a job's events into its progress comment, its job record's phase and
// its trajectory: one place, so the three never disagree.
import type { Logger } from "pino";
import type { ProgressComment, ProgressState } from "../github/progress-comment.ts";
import type { JobRunContext, Usage } from "../shared/job.ts";
import type { Phase } from "../shared/phases.ts";
import type { SolveEvent } from "./solve.ts";
import type { TrajectoryEvent } from "./trajectory.ts";
import type { TrajectorySink } from "./trajectory-sink.ts";

export interface ActionLog {
  /** Calls per tool name. */
  counts: Record<string, number>;
  /** The last actions, newest last, one line each. */
  recent: string[];
}

export class JobReporter {
  readonly state: ProgressState;
  readonly actions: ActionLog = { counts: {}, recent: [] };
  readonly #progress: ProgressComment | undefined;
  readonly #run: Pick<JobRunContext, "update"> | undefined;
  readonly #sink: TrajectorySink | undefined;
  readonly #log: Pick<Logger, "info" | "debug"> | undefined;
  readonly #onUpdate: ((state: ProgressState) => void) | undefined;
  readonly #started = Date.now();

  constructor(options: {
    state: ProgressState;
    progress?: ProgressComment;
    run?: Pick<JobRunContext, "update">;
    sink?: TrajectorySink;
    log?: Pick<Logger, "info" | "debug">;
    /** Told whenever the progress would change (one attempt of several: the job's own comment shows it). */
    onUpdate?: (state: ProgressState) => void;
  }) {
    this.state = options.state;
    this.#onUpdate = options.onUpdate;
    this.#log = options.log;
    this.#progress = options.progress;
    this.#run = options.run;
    this.#sink = options.sink;
  }

  async phase(phase: Phase, detail?: string): Promise<void> {
    this.state.phase = phase;
    this.#log?.info({ phase, elapsedMs: Date.now() - this.#started, ...(detail ? { detail } : {}) }, `phase ${phase}`);
    this.#show();
    await this.#run?.update({ phase });
    await this.#sink?.record(this.state.jobId, { type: "phase", phase, ...(detail ? { detail } : {}) });
  }

  usage(usage: Usage): void {
    this.state.usage = usage;
  }

  /** Change what the progress comment shows (the job of several attempts shows theirs). */
  show(patch: Partial<ProgressState>): void {
    Object.assign(this.state, patch);
    this.#show();
  }

  #show(): void {
    this.#progress?.update({ ...this.state });
    this.#onUpdate?.({ ...this.state });
  }

  /** Everything solve() reports. */
  async event(event: SolveEvent): Promise<void> {
    if (event.type === "phase") return this.phase(event.phase, event.detail);
    await this.#sink?.record(this.state.jobId, event);
    if (event.type === "model") {
      this.state.step = event.step;
      if (this.state.notice) {
        delete this.state.notice;
        this.#show();
      }
    } else if (event.type === "model_retry") {
      this.#log?.info(
        { step: event.step, attempt: event.attempt, status: event.status, retryAt: event.retryAt },
        "model endpoint failing; retrying",
      );
      this.state.notice = modelRetryNotice(event);
      this.#show();
    } else if (event.type === "tool") {
      this.#log?.debug({ step: event.step, tool: event.name, ms: event.durationMs, error: event.isError }, "tool call");
      const line = describeCall(event.name, event.arguments);
      this.state.lastAction = line;
      this.actions.counts[event.name] = (this.actions.counts[event.name] ?? 0) + 1;
      this.actions.recent.push(`${line}${event.isError ? " (failed)" : ""}`);
      if (this.actions.recent.length > 12) this.actions.recent.shift();
      this.#show();
    }
  }

  /** The task and the final diff, kept in the trajectory (the job page shows them). */
  async record(event: Extract<TrajectoryEvent, { type: "task" | "diff" }>): Promise<void> {
    await this.#sink?.record(this.state.jobId, event);
  }

  async final(ok: boolean, headline: string, details: string): Promise<void> {
    this.state.final = { ok, headline, details };
    this.#log?.info({ ok, elapsedMs: Date.now() - this.#started }, `job report: ${headline}`);
    if (this.#progress) {
      await this.#progress.flush();
      await this.#progress.post({ ...this.state });
    }
    await this.#sink?.record(this.state.jobId, { type: "outcome", status: ok ? "ok" : "stopped", summary: headline });
  }

  /** "What was tried", for a report of a job that did not succeed. */
  triedText(): string {
    const counts = Object.entries(this.actions.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([n, c]) => `${n} ×${c}`)
      .join(", ");
    if (!counts) return "The model took no action.";
    return `Tools used: ${counts}. Last actions:\n${this.actions.recent.map((a) => `- \`${a.replace(/`/g, "'")}\``).join("\n")}`;
  }
}

/** "The model endpoint is failing (503 …); trying again at 05:12:30 UTC (try 3 of 9)." */
export function modelRetryNotice(event: Extract<SolveEvent, { type: "model_retry" }>): string {
  const what = event.status ? `${event.status}: ${oneLine(event.message)}` : oneLine(event.message);
  const at = event.retryAt.slice(11, 19);
  return `The model endpoint is failing (${what}); trying again at ${at} UTC, in ${Math.max(1, Math.round(event.delayMs / 1000))} s (try ${event.attempt + 1} of ${event.maxAttempts}).`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** `edit src/a.ts`, `shell npm test`: one short line for people. */
export function describeCall(name: string, args: string): string {
  let parsed: Record<string, unknown> = {};
  try {
    const v: unknown = JSON.parse(args || "{}");
    if (v && typeof v === "object") parsed = v as Record<string, unknown>;
  } catch {
    return name;
  }
  const main = parsed.path ?? parsed.command ?? parsed.pattern ?? parsed.filter ?? "";
  const text = typeof main === "string" ? main : JSON.stringify(main);
  const one = text.replace(/\s+/g, " ").trim();
  return one ? `${name} ${one.length > 60 ? `${one.slice(0, 59)}…` : one}` : name;
}
