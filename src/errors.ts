// Errors are values with a kind (ARCHITECTURE.md §5.3). Anything that is not one of
// these is a bug and is reported as such.

/** Bad config or a bad command: shown to the user together with the fix. */
export class UserError extends Error {
  readonly kind = "user" as const;
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(message);
    this.name = "UserError";
    this.details = details;
  }
}

export type LimitName = "steps" | "tokens" | "cost" | "wall_clock" | "context" | "test_rounds";

/** A budget ran out: partial work is kept and reported. */
export class LimitReached extends Error {
  readonly kind = "limit" as const;
  readonly limit: LimitName;
  readonly used: number;
  readonly max: number;
  constructor(limit: LimitName, used: number, max: number, message?: string) {
    super(message ?? `budget limit reached: ${limit} (${formatNumber(used)} of ${formatNumber(max)})`);
    this.name = "LimitReached";
    this.limit = limit;
    this.used = used;
    this.max = max;
  }
}

/** Worth retrying: network hiccups, 429/5xx, a lost worker. */
export class Transient extends Error {
  readonly kind = "transient" as const;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = "Transient";
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * The worker could not renew a running job's lease, so another worker may hold
 * the job now: this run stops and writes nothing more of it (no comment, no
 * record), since whatever it wrote would overwrite the new holder's.
 */
export class LeaseLost extends Transient {
  constructor() {
    super("lease lost");
    this.name = "LeaseLost";
  }
}

/** A failure the model can act on; its message is shown as the tool result (the
 * registry catches it; security/ path guards throw it too). */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** Someone asked us to stop (`/agent stop`, shutdown). */
export class Cancelled extends Error {
  readonly kind = "cancelled" as const;
  constructor(message = "cancelled") {
    super(message);
    this.name = "Cancelled";
  }
}

/**
 * Why the model could not go on: it broke the tool protocol too many times,
 * or its endpoint refused us (key, model, request, context) or stayed down
 * past the retry window (ARCHITECTURE.md §5.3). The message names the reason
 * for people, with the provider's own words where it gave some.
 */
export type ModelErrorReason = "protocol" | "auth" | "not_found" | "refused" | "context_length" | "unavailable";

export class ModelError extends Error {
  readonly kind = "model" as const;
  readonly reason: ModelErrorReason;
  constructor(message: string, options: { cause?: unknown; reason?: ModelErrorReason } = {}) {
    super(message, { cause: options.cause });
    this.name = "ModelError";
    this.reason = options.reason ?? "protocol";
  }
}

/** The endpoint says the request is longer than its window; `window` is its figure when it gave one (the loop condenses and tries again). */
export class ContextLengthExceeded extends ModelError {
  readonly window: number | undefined;
  constructor(message: string, window: number | undefined, cause: unknown) {
    super(message, { cause, reason: "context_length" });
    this.window = window;
  }
}

export type KnownError = UserError | LimitReached | Transient | Cancelled | ModelError;

export function isKnownError(error: unknown): error is KnownError {
  return (
    error instanceof UserError ||
    error instanceof LimitReached ||
    error instanceof Transient ||
    error instanceof Cancelled ||
    error instanceof ModelError
  );
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2);
}
