// The model call's watchdog: silence ends a call, a stream that keeps sending never is.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StreamStalled } from "../../src/llm/classify.ts";
import { Watchdog } from "../../src/llm/stream.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("a model call's watchdog", () => {
  it("aborts when nothing came for the idle limit since the request, saying so", () => {
    const dog = new Watchdog(90_000, () => new StreamStalled(90_000));
    vi.advanceTimersByTime(89_999);
    expect(dog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(dog.signal.aborted).toBe(true);
    expect(dog.error?.message).toBe("the model endpoint sent nothing for 90 s (AGENT_MODEL_IDLE_S)");
    expect(dog.signal.reason).toBe(dog.error);
  });

  it("never cuts a stream that keeps sending, however long it runs; then its silence counts from the last chunk", () => {
    const dog = new Watchdog(1_000, () => new StreamStalled(1_000));
    for (let i = 0; i < 600; i++) {
      vi.advanceTimersByTime(900);
      dog.heard();
    }
    expect(dog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(999);
    expect(dog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(dog.signal.aborted).toBe(true);
  });

  it("stays quiet once stopped", () => {
    const dog = new Watchdog(1_000, () => new StreamStalled(1_000));
    dog.stop();
    vi.advanceTimersByTime(10_000);
    expect(dog.signal.aborted).toBe(false);
    expect(dog.error).toBeUndefined();
  });
});
