// How a long-running process (`npm start`, `issuesmith worker`) ends on
// SIGTERM or Ctrl-C: the first signal starts a graceful stop (no new jobs,
// running ones get the grace to checkpoint), and the process exits within
// the grace plus a few seconds whatever GitHub, the model or the store are
// doing; a second signal exits at once. An exit before a job settled loses
// nothing: its lease lapses and the next start resumes it (ARCHITECTURE.md §1).

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/** Beyond the grace: for the stop itself (closing servers and the store) before the process exits anyway. */
export const STOP_EXTRA_MS = 5_000;

export interface StopSignalsOptions {
  graceMs: number;
  extraMs?: number;
  /** The graceful stop; the process exits 0 when it resolves. */
  stop(): Promise<void>;
  /** One line for the operator (stderr). */
  say(line: string): void;
  /** process.exit, replaceable in tests. */
  exit?: (code: number) => void;
}

/** Handles SIGTERM and SIGINT from now on; returns a function that removes the handlers. */
export function exitOnStopSignals(options: StopSignalsOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const extraMs = options.extraMs ?? STOP_EXTRA_MS;
  let stopping: NodeJS.Signals | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.say(
        `issuesmith: ${signal} again: exiting now without waiting for running jobs (they resume on the next start)`,
      );
      exit(signal === "SIGINT" ? 130 : 143);
      return;
    }
    stopping = signal;
    options.say(
      `issuesmith: ${signal} received, stopping: no new jobs, running ones get ${Math.round(options.graceMs / 1000)} s to checkpoint (send ${signal === "SIGINT" ? "Ctrl-C" : "the signal"} again to exit at once)`,
    );
    deadline = setTimeout(() => {
      options.say(
        `issuesmith: not stopped ${Math.round((options.graceMs + extraMs) / 1000)} s after ${signal}: exiting anyway (unfinished jobs resume on the next start)`,
      );
      exit(1);
    }, options.graceMs + extraMs);
    // The deadline alone never keeps the process alive.
    deadline.unref();
    options.stop().then(
      () => {
        clearTimeout(deadline);
        exit(0);
      },
      (err: unknown) => {
        clearTimeout(deadline);
        options.say(`issuesmith: the stop failed: ${err instanceof Error ? err.message : String(err)}`);
        exit(1);
      },
    );
  };
  const handlers = STOP_SIGNALS.map((s) => [s, () => onSignal(s)] as const);
  for (const [s, handler] of handlers) process.on(s, handler);
  return () => {
    clearTimeout(deadline);
    for (const [s, handler] of handlers) process.off(s, handler);
  };
}
