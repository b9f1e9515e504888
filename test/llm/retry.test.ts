import { describe, expect, it } from "vitest";
import { Cancelled, ModelError } from "../../src/errors.ts";
import { withRetries, type RetryNotice } from "../../src/llm/retry.ts";

class Flaky extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, retryAfterMs?: number) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}
const asTransient = (err: unknown) =>
  err instanceof Flaky
    ? { status: err.status, retryAfterMs: err.retryAfterMs, message: "Service Unavailable" }
    : undefined;
const policy = { retries: 5, windowMs: 10_000, baseDelayMs: 10, maxDelayMs: 40 };

describe("model call retries", () => {
  it("tries again after a transient failure and tells the listener when", async () => {
    const notices: RetryNotice[] = [];
    let calls = 0;
    const value = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new Flaky(503);
        return "ok";
      },
      asTransient,
      { policy, onRetry: (n) => void notices.push(n) },
    );
    expect(value).toBe("ok");
    expect(notices.map((n) => [n.attempt, n.maxAttempts, n.status])).toEqual([
      [1, 6, 503],
      [2, 6, 503],
    ]);
    expect(notices[0]!.retryAt.getTime()).toBeGreaterThanOrEqual(Date.now() - 1_000);
  });

  it("waits what retry-after asks", async () => {
    const started = Date.now();
    let calls = 0;
    await withRetries(
      async () => {
        if (calls++ === 0) throw new Flaky(429, 300);
        return 1;
      },
      asTransient,
      { policy },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("gives up after the tries with a model error naming the failure, the tries and the time", async () => {
    let calls = 0;
    const err = await withRetries(
      async () => {
        calls++;
        throw new Flaky(503);
      },
      asTransient,
      { policy: { ...policy, retries: 2 } },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).reason).toBe("unavailable");
    expect((err as ModelError).message).toMatch(
      /^model endpoint failing: 503 Service Unavailable after 3 tries over \d+ s$/,
    );
  });

  it("gives up at once when retry-after points past the window", async () => {
    let calls = 0;
    const err = await withRetries(
      async () => {
        calls++;
        throw new Flaky(429, 60_000);
      },
      asTransient,
      { policy },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((err as Error).message).toContain("asked to wait 60 s, past the retry window of 10 s");
  });

  it("never retries what is not transient", async () => {
    let calls = 0;
    const boom = new Error("bad request");
    await expect(
      withRetries(
        async () => {
          calls++;
          throw boom;
        },
        asTransient,
        { policy },
      ),
    ).rejects.toBe(boom);
    expect(calls).toBe(1);
  });

  it("stops waiting when the job is cancelled, with the cancellation as the reason", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = withRetries(
      async () => {
        throw new Flaky(503, 5_000);
      },
      asTransient,
      {
        policy,
        signal: controller.signal,
        onRetry: () => void setTimeout(() => controller.abort(new Cancelled("stop requested")), 20),
      },
    );
    await expect(run).rejects.toThrow(new Cancelled("stop requested"));
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
