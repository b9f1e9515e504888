// The first SIGTERM/SIGINT stops gracefully, a stop that hangs is cut at the
// grace plus the extra, and a second signal exits at once.
import { afterEach, describe, expect, it } from "vitest";
import { exitOnStopSignals } from "../../src/shared/stop-signals.ts";

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

function watch(stop: () => Promise<void>, graceMs = 50, extraMs = 50) {
  const lines: string[] = [];
  const exits: number[] = [];
  let exited!: (code: number) => void;
  const firstExit = new Promise<number>((r) => (exited = r));
  dispose = exitOnStopSignals({
    graceMs,
    extraMs,
    stop,
    say: (l) => lines.push(l),
    exit: (code) => {
      exits.push(code);
      exited(code);
    },
  });
  return { lines, exits, firstExit };
}

describe("stop signals", () => {
  it("stops gracefully on the first signal and exits 0 once the stop is done", async () => {
    let stops = 0;
    const w = watch(async () => {
      stops++;
    });
    process.emit("SIGTERM");
    expect(await w.firstExit).toBe(0);
    expect(stops).toBe(1);
    expect(w.lines[0]).toContain("SIGTERM received, stopping");
  });

  it("exits 1 when the stop is not done within the grace plus the extra", async () => {
    const started = Date.now();
    const w = watch(() => new Promise<void>(() => undefined), 100, 100);
    process.emit("SIGTERM");
    expect(await w.firstExit).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(w.lines.at(-1)).toContain("exiting anyway (unfinished jobs resume on the next start)");
  });

  it("exits at once on a second signal, 130 for Ctrl-C", async () => {
    const w = watch(() => new Promise<void>(() => undefined), 60_000);
    process.emit("SIGINT");
    expect(w.exits).toEqual([]);
    process.emit("SIGINT");
    expect(w.exits).toEqual([130]);
    expect(w.lines.at(-1)).toContain("SIGINT again: exiting now");
  });
});
