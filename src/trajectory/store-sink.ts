// The app's TrajectorySink: every event of a job, redacted, appended to the
// job store beside the job. Writes are batched: events are held until the
// next model call, phase, test run or outcome (about one write per agent
// step), and a timer flushes whatever a long tool call leaves waiting.
import type { TrajectoryLog } from "../jobs/store.ts";
import { toEntry, type TrajectoryEvent } from "../run/trajectory.ts";
import type { TrajectorySink } from "../run/trajectory-sink.ts";
import type { Redactor } from "../security/redact.ts";
import { truncateMiddle } from "../shared/truncate.ts";
import type { LinkSigner } from "./signing.ts";

/** Longest text field kept in one record: a job's record stays megabytes, not gigabytes. */
export const MAX_FIELD_CHARS = 64_000;
/** The diff is the point of the page: it gets more room. */
export const MAX_DIFF_CHARS = 1_000_000;

export interface StoreSinkOptions {
  store: TrajectoryLog;
  redactor: Redactor;
  signer?: LinkSigner | undefined;
  log?: { warn(obj: object, msg: string): void };
  /** How long tool results may wait for the next batch. */
  flushDelayMs?: number;
}

interface Pending {
  records: string[];
  timer: NodeJS.Timeout | undefined;
  /** The job's writes, in order. */
  chain: Promise<void>;
}

export class StoreTrajectorySink implements TrajectorySink {
  readonly #options: StoreSinkOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: StoreSinkOptions) {
    this.#options = options;
  }

  record(jobId: string, event: TrajectoryEvent): Promise<void> {
    const entry = this.#options.redactor.redactDeep(toEntry(event, new Date().toISOString()));
    const p = this.#job(jobId);
    p.records.push(JSON.stringify(capFields(entry)));
    // Tool results and malformed replies wait for the step's end; everything else marks one.
    if (event.type === "tool" || event.type === "malformed") {
      // Fire and forget on a timer: flush already logs a store failure; nothing else can reject.
      p.timer ??= setTimeout(
        () =>
          void this.flush(jobId).catch((err: unknown) =>
            this.#options.log?.warn({ err, job: jobId }, "could not flush trajectory records"),
          ),
        this.#options.flushDelayMs ?? 1_000,
      );
      p.timer.unref?.();
      return Promise.resolve();
    }
    return this.flush(jobId);
  }

  link(jobId: string): string | undefined {
    return this.#options.signer?.link(jobId);
  }

  /** Write what is waiting for this job (or for every job); resolves when it is stored. */
  flush(jobId?: string): Promise<void> {
    if (jobId === undefined)
      return Promise.all([...this.#pending.keys()].map((id) => this.flush(id))).then(() => undefined);
    const p = this.#pending.get(jobId);
    if (!p) return Promise.resolve();
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
    const batch = p.records.splice(0);
    if (batch.length > 0) {
      p.chain = p.chain.then(() =>
        this.#options.store.appendTrajectory(jobId, batch).catch((err: unknown) => {
          // The trajectory is evidence, not the job: a store hiccup never fails the work.
          this.#options.log?.warn({ err, job: jobId, records: batch.length }, "could not store trajectory records");
        }),
      );
    }
    const chain = p.chain;
    const forget = () => {
      if (this.#pending.get(jobId) === p && p.records.length === 0 && p.chain === chain) this.#pending.delete(jobId);
    };
    // The caller of flush gets any failure through the returned chain; this branch only tidies up.
    void chain.then(forget, forget);
    return chain;
  }

  #job(jobId: string): Pending {
    let p = this.#pending.get(jobId);
    if (!p) {
      p = { records: [], timer: undefined, chain: Promise.resolve() };
      this.#pending.set(jobId, p);
    }
    return p;
  }
}

/** Every string in the record cut to its limit, head and tail kept. */
function capFields<T>(value: T, key = ""): T {
  if (typeof value === "string") return truncateMiddle(value, key === "diff" ? MAX_DIFF_CHARS : MAX_FIELD_CHARS) as T;
  if (Array.isArray(value)) return value.map((v) => capFields(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = capFields(v, k);
    return out as T;
  }
  return value;
}
