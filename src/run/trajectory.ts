// A job's trajectory: every model call, tool call, phase and test run in
// order, redacted, with the outcome — the record an auditor reads.
import type { Usage } from "../shared/job.ts";
import type { ToolCall } from "../llm/types.ts";
import type { Redactor } from "../security/redact.ts";
import type { SolveEvent } from "./solve.ts";

/** What a job tells its trajectory: the solve loop's events, plus the task, the final diff and the outcome. */
export type TrajectoryEvent =
  | SolveEvent
  | { type: "outcome"; status: string; summary: string }
  | { type: "task"; source: string; title: string; body: string }
  | { type: "diff"; diff: string };

/** The stored form of an event: as told, except a model call's usage as two plain counts. */
export type TrajectoryEntry = { at: string } & (
  | Exclude<TrajectoryEvent, { type: "model" }>
  | {
      type: "model";
      step: number;
      model: string;
      inputTokens: number;
      outputTokens: number;
      costUsd: number;
      latencyMs: number;
      content: string;
      toolCalls: ToolCall[];
    }
);

/** The stored form of an event (not yet redacted). */
export function toEntry(event: TrajectoryEvent, at: string): TrajectoryEntry {
  if (event.type === "model") {
    const { step, model, usage, costUsd, latencyMs, content, toolCalls } = event;
    return {
      at,
      type: "model",
      step,
      model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      costUsd,
      latencyMs,
      content,
      toolCalls,
    };
  }
  return { at, ...event };
}

export interface Trajectory {
  version: 1;
  jobId: string;
  task: { source: string; title: string; body: string };
  model: string;
  startedAt: string;
  finishedAt: string | undefined;
  entries: TrajectoryEntry[];
  outcome: { status: string; summary: string } | undefined;
  usage: Usage | undefined;
  /** The final diff, when there was one. */
  diff: string | undefined;
}

export class TrajectoryRecorder {
  readonly #t: Trajectory;
  readonly #redactor: Redactor;

  constructor(options: { jobId: string; task: Trajectory["task"]; model: string; redactor: Redactor }) {
    this.#redactor = options.redactor;
    this.#t = {
      version: 1,
      jobId: options.jobId,
      task: this.#redactor.redactDeep(options.task),
      model: options.model,
      startedAt: new Date().toISOString(),
      finishedAt: undefined,
      entries: [],
      outcome: undefined,
      usage: undefined,
      diff: undefined,
    };
  }

  record(event: TrajectoryEvent): void {
    const at = new Date().toISOString();
    if (event.type === "task") {
      this.#t.task = this.#redactor.redactDeep({ source: event.source, title: event.title, body: event.body });
      return;
    }
    if (event.type === "diff") {
      this.#t.diff = this.#redactor.redact(event.diff);
      return;
    }
    if (event.type === "outcome") {
      this.#t.outcome = this.#redactor.redactDeep({ status: event.status, summary: event.summary });
      this.#t.finishedAt = at;
    }
    this.#t.entries.push(this.#redactor.redactDeep(toEntry(event, at)));
  }

  finish(options: { usage?: Usage; diff?: string; outcome?: { status: string; summary: string } }): void {
    if (options.usage) this.#t.usage = options.usage;
    if (options.diff !== undefined) this.#t.diff = this.#redactor.redact(options.diff);
    if (options.outcome) this.#t.outcome = this.#redactor.redactDeep(options.outcome);
    this.#t.finishedAt ??= new Date().toISOString();
  }

  toJSON(): Trajectory {
    return this.#t;
  }
}
