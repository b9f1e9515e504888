// AGENT_SANDBOX=auto|bwrap|none: which runner the app gets, and what it says
// when bubblewrap does not work.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.ts";
import { createRunner } from "../../src/workspace/sandbox.ts";
import { bwrapRunner, makeWorkspace, recordingLog, type TestWorkspace } from "./sandbox-fixtures.ts";

let dir: string;
let brokenBwrap: string;
let ws: TestWorkspace;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "issuesmith-fakebwrap-"));
  // What bwrap prints where user namespaces are disabled (e.g. Docker's default seccomp profile).
  brokenBwrap = path.join(dir, "bwrap");
  await writeFile(brokenBwrap, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n");
  await chmod(brokenBwrap, 0o755);
  ws = await makeWorkspace();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await ws?.remove();
});

describe("createRunner", () => {
  it("uses bubblewrap in auto mode when it works here, and says which process limit is in force", async () => {
    const log = recordingLog();
    await bwrapRunner(); // fails with the apt-get hint when bubblewrap is missing
    const runner = await createRunner("auto", log);
    expect(runner.kind).toBe("bwrap");
    const info = log.lines.find((l) => l.level === "info");
    expect(info?.msg).toBe("agent commands run in a bubblewrap sandbox");
    expect(info?.obj).toMatchObject({ sandbox: "bwrap", processLimit: runner.processLimit });
    const result = await runner.run({ command: "echo inside", workspace: ws, timeoutMs: 10_000, network: false });
    expect(result.output).toBe("inside\n");
  });

  it("falls back to the host in auto mode with a loud warning naming the reason", async () => {
    const log = recordingLog();
    const runner = await createRunner("auto", log, { bwrap: brokenBwrap });
    expect(runner.kind).toBe("none");
    const warning = log.lines.find((l) => l.level === "warn");
    expect(warning?.msg).toMatch(
      /^!!! NO SANDBOX: bubblewrap does not work here \(bwrap: No permissions to create new namespace\)/,
    );
    expect(warning?.msg).toContain("apt-get install bubblewrap");
  });

  it("refuses to start in bwrap mode when bubblewrap does not work, with the fix", async () => {
    const error = await createRunner("bwrap", recordingLog(), { bwrap: brokenBwrap }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      "AGENT_SANDBOX=bwrap, but bubblewrap does not work on this host: bwrap: No permissions to create new namespace",
    );
    expect((error as UserError).details[0]).toContain("apt-get install bubblewrap");
  });

  it("names a missing bwrap executable", async () => {
    const error = await createRunner("bwrap", recordingLog(), {
      bwrap: path.join(dir, "no-such-bwrap"),
      cgroups: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain("ENOENT");
  });

  it("runs directly in none mode and warns that nothing is isolated", async () => {
    const log = recordingLog();
    const runner = await createRunner("none", log);
    expect(runner.kind).toBe("none");
    expect(log.lines.find((l) => l.level === "warn")?.msg).toContain(
      "AGENT_SANDBOX=none: agent commands run directly on this host",
    );
  });

  it("warns that no process limit is in force when there is no cgroup and the app is root", async () => {
    const log = recordingLog();
    const runner = await createRunner("bwrap", log, { cgroups: false });
    const root = process.getuid?.() === 0;
    expect(runner.processLimit).toBe(root ? "none" : "rlimit");
    const warned = log.lines.some(
      (l) => l.level === "warn" && l.msg.includes("a fork bomb is stopped only by the command timeout"),
    );
    expect(warned).toBe(root);
  });
});
