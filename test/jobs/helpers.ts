// Small helpers for the queue tests: jobs to enqueue, waiting on conditions,
// handlers that hold until released.
import { randomUUID } from "node:crypto";
import type { JobKind, JobOutcome, NewJob } from "../../src/shared/job.ts";

let counter = 0;

export function newJob(
  over: {
    kind?: JobKind;
    number?: number;
    installationId?: number;
    deliveryId?: string;
    repo?: string;
    text?: string;
  } = {},
): NewJob {
  counter++;
  return {
    kind: over.kind ?? "fix",
    installationId: over.installationId ?? 1,
    target: { owner: "octo", repo: over.repo ?? "app", number: over.number ?? counter, isPullRequest: false },
    trigger: {
      deliveryId: over.deliveryId ?? randomUUID(),
      event: "issue_comment.created",
      actor: "maintainer",
      text: over.text,
      at: new Date().toISOString(),
    },
    ...(over.kind === "reply" ? { reply: "hello" } : {}),
  };
}

export const done = (summary = "done"): JobOutcome => ({ status: "pr_opened", summary, prNumber: 7 });

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 5_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const gates: (() => void)[] = [];

/** A promise with its resolve exposed: handlers wait on it until the test lets them go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  gates.push(open);
  return { promise, open };
}

/** Open every gate, so a test that failed half-way does not leave handlers (and worker.stop) waiting forever. */
export function openAllGates(): void {
  for (const open of gates.splice(0)) open();
}

/** Resolves when the signal aborts, with its reason. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener("abort", () => resolve(signal.reason), { once: true });
  });
}
