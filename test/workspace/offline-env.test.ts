// A command without network is told so: package managers fail at once with
// their own "offline" message instead of retrying a registry for minutes.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectRunner } from "../../src/workspace/sandbox.ts";
import type { Workspace } from "../../src/workspace/types.ts";
import { bwrapRunner } from "./sandbox-fixtures.ts";

let workspace: Workspace;
beforeAll(async () => {
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-offline-"));
  workspace = { root, repoDir: path.join(root, "repo"), homeDir: path.join(root, "home") };
  await mkdir(workspace.repoDir);
  await mkdir(workspace.homeDir);
});
afterAll(async () => {
  await rm(workspace.root, { recursive: true, force: true });
});

const show =
  'echo "npm=$npm_config_offline pip=$PIP_NO_INDEX yarn=$YARN_ENABLE_NETWORK cargo=$CARGO_NET_OFFLINE go=$GOPROXY"';

describe("package managers in a command without network", () => {
  it("are told to stay offline when the command has no network, and left alone when it has", async () => {
    const runner = new DirectRunner();
    const off = await runner.run({ command: show, workspace, timeoutMs: 10_000, network: false });
    expect(off.output.trim()).toBe("npm=true pip=1 yarn=0 cargo=true go=off");
    const on = await runner.run({ command: show, workspace, timeoutMs: 10_000, network: true });
    expect(on.output.trim()).toBe("npm= pip= yarn= cargo= go=");
  });

  it("make npm install fail with npm's offline error instead of retrying the registry", async () => {
    await writeFile(
      path.join(workspace.repoDir, "package.json"),
      JSON.stringify({ name: "x", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } }),
    );
    // In bubblewrap, where there really is no network: npm would otherwise retry the registry for a minute and more.
    const runner = await bwrapRunner();
    const run = await runner.run({
      command: "npm install --no-package-lock",
      workspace,
      timeoutMs: 120_000,
      network: false,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain("ENOTCACHED");
    expect(run.output).not.toContain("EAI_AGAIN");
  }, 130_000);
});
