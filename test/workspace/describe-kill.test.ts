// The line a tool shows the model when a command hit a limit.
import { describe, expect, it } from "vitest";
import { describeKill } from "../../src/workspace/sandbox.ts";
import type { RunResult } from "../../src/workspace/types.ts";

const result = (over: Partial<RunResult>): RunResult => ({
  exitCode: 1,
  output: "",
  killed: undefined,
  outputTruncated: false,
  durationMs: 10,
  ...over,
});

describe("describeKill", () => {
  it("tells the model a timed-out command was stopped after its timeout, and what to run instead", () => {
    expect(describeKill(result({ killed: "timeout", exitCode: null }), { timeoutMs: 120_000 })).toBe(
      "The command was stopped after 2 min (timeout) and all its processes were killed. " +
        "Run a narrower command instead: a single test file or a name filter, fewer iterations, no watch mode. " +
        "Servers and background processes cannot outlive a command here.",
    );
  });

  it("tells the model runaway output was stopped and how to keep only what it needs", () => {
    expect(
      describeKill(result({ killed: "output", exitCode: null }), { timeoutMs: 1, maxOutputBytes: 8 * 1024 * 1024 }),
    ).toBe(
      "The command was stopped because it printed more than 128 MiB of output. " +
        "Run it with quieter flags, or pipe it through `tail -n 50`, `head` or `grep` to keep the part you need.",
    );
  });

  it("tells the model not to retry a cancelled command", () => {
    expect(describeKill(result({ killed: "cancelled", exitCode: null }), { timeoutMs: 1 })).toBe(
      "The command was cancelled because the job is being stopped; do not run it again.",
    );
  });

  it("recognises a refused fork as the process limit", () => {
    const line = describeKill(result({ output: "bash: fork: retry: Resource temporarily unavailable\n" }), {
      timeoutMs: 1,
      maxProcesses: 256,
    });
    expect(line).toMatch(/^The command hit the limit of 256 processes and threads\. Run fewer things in parallel/);
  });

  it("recognises a failed allocation as the memory limit", () => {
    const line = describeKill(result({ output: "Traceback (most recent call last):\nMemoryError\n" }), {
      timeoutMs: 1,
      memoryMb: 512,
    });
    expect(line).toMatch(
      /^The command probably ran out of memory: each process may use at most 512 MiB of address space\./,
    );
    const node = describeKill(
      result({ output: "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory" }),
      { timeoutMs: 1 },
    );
    expect(node).toContain("at most 4096 MiB");
  });

  it("explains that .git is read-only when git could not write it", () => {
    const line = describeKill(
      result({ exitCode: 128, output: "fatal: Unable to create '/w/repo/.git/index.lock': Read-only file system\n" }),
      { timeoutMs: 1 },
    );
    expect(line).toMatch(
      /^The repository's \.git directory is read-only here: the app commits and pushes your changes itself\./,
    );
  });

  it("says nothing about an ordinary failure or success", () => {
    expect(describeKill(result({ output: "1 test failed" }), { timeoutMs: 1 })).toBeUndefined();
    expect(
      describeKill(result({ exitCode: 0, output: "MemoryError is a class we test" }), { timeoutMs: 1 }),
    ).toBeUndefined();
  });
});
