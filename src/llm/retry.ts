// Retries of one model call that failed transiently (ARCHITECTURE.md §5.3):
// exponential backoff with jitter, the provider's retry-after honoured, and a
// bound on tries and on the whole time, so an endpoint that stays down is
// reported within minutes. Whoever listens is told before every wait.
import { setTimeout as sleep } from "node:timers/promises";
import { ModelError } from "../errors.ts";

export interface RetryPolicy {
  /** Tries after the first. */
  retries: number;
  /** No new try starts after this long since the first one began. */
  windowMs: number;
  /** First backoff; doubled each time, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 8,
  windowMs: 150_000,
  baseDelayMs: 2_000,
  maxDelayMs: 30_000,
};

/** What a progress comment says while the client waits to try again. */
export interface RetryNotice {
  /** The try that failed, 1-based. */
  attempt: number;
  /** Tries the policy allows in all. */
  maxAttempts: number;
  /** HTTP status, when there was an answer. */
  status: number | undefined;
  /** Why it failed, in the provider's words (not yet redacted). */
  message: string;
  /** When the next try starts. */
  retryAt: Date;
  delayMs: number;
}

export type RetryListener = (notice: RetryNotice) => void | Promise<void>;

export interface TransientFailure {
  status: number | undefined;
  retryAfterMs: number | undefined;
  message: string;
}

/**
 * Runs `attempt` until it succeeds, throws something other than a transient
 * failure (`asTransient` returns undefined), or the policy runs out: then a
 * ModelError("unavailable") names the last failure, the tries and the time.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  asTransient: (err: unknown) => TransientFailure | undefined,
  options: { policy: RetryPolicy; signal?: AbortSignal; onRetry?: RetryListener; random?: () => number },
): Promise<T> {
  const { policy, signal } = options;
  const random = options.random ?? Math.random;
  const started = Date.now();
  const maxAttempts = policy.retries + 1;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const failure = asTransient(err);
      if (!failure) throw err;
      const elapsed = Date.now() - started;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      // Full jitter on the upper half keeps a fleet of workers from retrying in step.
      const delayMs = failure.retryAfterMs ?? Math.round(backoff / 2 + (random() * backoff) / 2);
      const exhausted = n >= maxAttempts || elapsed + delayMs > policy.windowMs;
      if (exhausted) throw unavailable(failure, n, elapsed, delayMs, policy, err);
      await options.onRetry?.({
        attempt: n,
        maxAttempts,
        status: failure.status,
        message: failure.message,
        retryAt: new Date(Date.now() + delayMs),
        delayMs,
      });
      await sleep(delayMs, undefined, signal ? { signal } : {}).catch(() => undefined);
      // Stopped while waiting (a cancel, the wall clock, shutdown): the stop's own reason, not the endpoint's.
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : err;
    }
  }
}

function unavailable(
  failure: TransientFailure,
  tries: number,
  elapsedMs: number,
  delayMs: number,
  policy: RetryPolicy,
  cause: unknown,
): ModelError {
  const what = failure.status ? `${failure.status} ${failure.message}` : failure.message;
  const seconds = Math.round(elapsedMs / 1000);
  const why =
    tries < policy.retries + 1 && failure.retryAfterMs !== undefined
      ? `; it asked to wait ${Math.round(delayMs / 1000)} s, past the retry window of ${Math.round(policy.windowMs / 1000)} s (AGENT_MODEL_RETRY_WINDOW_S)`
      : "";
  return new ModelError(
    `model endpoint failing: ${what} after ${tries} ${tries === 1 ? "try" : "tries"} over ${seconds} s${why}`,
    { cause, reason: "unavailable" },
  );
}
