// Every limit reaches the caller as a clear result, in both runners: timeout,
// runaway output, cancellation, memory, processes left behind, fork bombs.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPidsCgroup } from "../../src/workspace/pids-cgroup.ts";
import { describeKill, DirectRunner } from "../../src/workspace/sandbox.ts";
import type { CommandRunner, RunOptions } from "../../src/workspace/types.ts";
import {
  bwrapRunner,
  hostProcessesWith,
  largestForeignPidNamespace,
  makeWorkspace,
  type TestWorkspace,
} from "./sandbox-fixtures.ts";

let ws: TestWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace();
});
afterAll(async () => {
  await ws?.remove();
});

const runners: Array<[string, () => Promise<CommandRunner>]> = [
  ["bwrap", () => bwrapRunner()],
  ["direct", async () => new DirectRunner({ pids: findPidsCgroup() })],
];

describe.each(runners)("%s runner", (_name, make) => {
  let runner: CommandRunner;
  beforeAll(async () => {
    runner = await make();
  });
  const opts = (command: string, extra: Partial<RunOptions> = {}): RunOptions => ({
    command,
    workspace: ws,
    timeoutMs: 20_000,
    network: false,
    ...extra,
  });

  it("reports the exit code and the combined output of a command", async () => {
    const result = await runner.run(opts("echo out; echo err >&2; exit 3"));
    expect(result).toMatchObject({ exitCode: 3, killed: undefined, outputTruncated: false });
    expect(result.output).toBe("out\nerr\n");
    expect(describeKill(result, { timeoutMs: 20_000 })).toBeUndefined();
  });

  it("stops a command that sleeps past its timeout, and says so", async () => {
    const result = await runner.run(opts("echo started; sleep 30", { timeoutMs: 800 }));
    expect(result.killed).toBe("timeout");
    expect(result.output).toContain("started");
    expect(result.durationMs).toBeLessThan(5_000);
    expect(describeKill(result, { timeoutMs: 800 })).toMatch(/^The command was stopped after 800 ms \(timeout\)/);
  });

  it("stops runaway output (`yes`) and keeps its head and tail", async () => {
    const result = await runner.run(opts("yes", { maxOutputBytes: 4096 }));
    expect(result.killed).toBe("output");
    expect(result.outputTruncated).toBe(true);
    expect(result.output.length).toBeLessThan(5_000);
    expect(result.output).toMatch(/^y\ny\n[\s\S]*\[\.\.\. [\d,]+ bytes of output cut \.\.\.\][\s\S]*y\n?$/);
    expect(describeKill(result, { timeoutMs: 20_000, maxOutputBytes: 4096 })).toContain(
      "printed more than 64 MiB of output",
    );
  });

  it("cuts the middle of long output without stopping a command that ends", async () => {
    const result = await runner.run(opts("seq 1 20000", { maxOutputBytes: 2048 }));
    expect(result).toMatchObject({ exitCode: 0, killed: undefined, outputTruncated: true });
    expect(result.output.startsWith("1\n2\n3\n")).toBe(true);
    expect(result.output.endsWith("19999\n20000\n")).toBe(true);
  });

  it("stops a command when the job is cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runner.run(opts("sleep 30", { signal: controller.signal }));
    expect(result.killed).toBe("cancelled");
    expect(result.durationMs).toBeLessThan(5_000);
    expect(describeKill(result, { timeoutMs: 20_000 })).toContain("cancelled");
  });

  it("does not start a command when the job was already cancelled", async () => {
    const result = await runner.run(opts("sleep 30", { signal: AbortSignal.abort() }));
    expect(result.killed).toBe("cancelled");
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it("kills background processes the command leaves running", async () => {
    const marker = `4${Math.floor(Math.random() * 1e6)}.${randomBytes(2).readUInt16BE()}`;
    // Plain, nohup'ed, and in a session of its own (out of reach of a process-group kill).
    const result = await runner.run(
      opts(
        `sleep ${marker} & nohup sleep ${marker} >/dev/null 2>&1 & setsid sleep ${marker} >/dev/null 2>&1 & echo started`,
      ),
    );
    expect(result).toMatchObject({ exitCode: 0, killed: undefined });
    expect(result.output.trim()).toBe("started");
    expect(result.durationMs).toBeLessThan(3_000);
    expect(await hostProcessesWith(`sleep ${marker}`)).toEqual([]);
  });

  it("bounds the address space, and explains the failure as memory", async () => {
    const result = await runner.run(opts("python3 -c 'x = bytearray(512 * 1024 * 1024)'", { memoryMb: 128 }));
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("MemoryError");
    expect(describeKill(result, { timeoutMs: 20_000, memoryMb: 128 })).toContain("at most 128 MiB of address space");
  });

  it("refuses a cwd outside the checkout", async () => {
    const result = await runner.run(opts("pwd", { cwd: ws.homeDir }));
    expect(result.exitCode).toBe(126);
    expect(result.output).toContain("is outside the workspace");
  });
});

describe("direct runner without a cgroup", () => {
  it("still kills background processes left in its process group", async () => {
    const marker = `5${Math.floor(Math.random() * 1e6)}.${randomBytes(2).readUInt16BE()}`;
    const result = await new DirectRunner().run({
      command: `sleep ${marker} & echo started`,
      workspace: ws,
      timeoutMs: 20_000,
      network: false,
    });
    expect(result.output.trim()).toBe("started");
    expect(result.durationMs).toBeLessThan(3_000);
    expect(await hostProcessesWith(`sleep ${marker}`)).toEqual([]);
  });
  it("returns promptly even when a detached process keeps the output open", async () => {
    const marker = `6${Math.floor(Math.random() * 1e6)}.${randomBytes(2).readUInt16BE()}`;
    const result = await new DirectRunner().run({
      command: `setsid sleep ${marker} & echo started`,
      workspace: ws,
      timeoutMs: 20_000,
      network: false,
    });
    expect(result.output.trim()).toBe("started");
    expect(result.durationMs).toBeLessThan(3_000);
    // Without a sandbox or a cgroup nothing reaches a process that left the group (why "none" warns): clean up here.
    for (const pid of await hostProcessesWith(`sleep ${marker}`)) process.kill(pid, "SIGKILL");
  });
});

describe("fork bomb", () => {
  it("is held to the process limit inside the sandbox, then stopped by the timeout", async () => {
    const limit = 48;
    const runner = await bwrapRunner({ maxProcesses: limit });
    // Without a working limit this test would endanger the machine: fail instead of running the bomb.
    expect(
      runner.processLimit,
      "no pids cgroup and the app runs as root: nothing here would stop a fork bomb",
    ).not.toBe("none");
    let peak = 0;
    const watcher = setInterval(() => {
      void largestForeignPidNamespace().then((n) => (peak = Math.max(peak, n)));
    }, 50);
    try {
      const result = await runner.run({
        command: "bomb() { bomb | bomb & }; bomb; sleep 30",
        workspace: ws,
        timeoutMs: 3_000,
        network: false,
      });
      expect(result.killed).toBe("timeout");
      expect(result.output).toContain("Resource temporarily unavailable");
      expect(
        describeKill({ ...result, killed: undefined, exitCode: 254 }, { timeoutMs: 3_000, maxProcesses: limit }),
      ).toContain(`limit of ${limit} processes`);
    } finally {
      clearInterval(watcher);
    }
    // The limit, plus bwrap's init which runs before the shell joins the cgroup.
    expect(peak).toBeGreaterThan(limit / 2);
    expect(peak).toBeLessThanOrEqual(limit + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(await largestForeignPidNamespace()).toBeLessThan(10);
  });
});
