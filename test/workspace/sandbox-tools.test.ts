// What the agent's tools run inside the sandbox still works there: npm test
// with the repo's node_modules, node, git, python.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BwrapRunner } from "../../src/workspace/sandbox.ts";
import type { RunResult } from "../../src/workspace/types.ts";
import { bwrapRunner, makeWorkspace, type TestWorkspace } from "./sandbox-fixtures.ts";

let runner: BwrapRunner;
let ws: TestWorkspace;

beforeAll(async () => {
  runner = await bwrapRunner();
  ws = await makeWorkspace();
});
afterAll(async () => {
  await ws?.remove();
});

const run = (command: string): Promise<RunResult> =>
  runner.run({ command, workspace: ws, timeoutMs: 60_000, network: false });

describe("bwrap sandbox: the tools a repository needs", () => {
  it("runs `npm test` with the repository's own node_modules", async () => {
    await writeFile(
      path.join(ws.repoDir, "package.json"),
      JSON.stringify({ name: "demo", version: "1.0.0", scripts: { test: "node test.js" } }),
    );
    await mkdir(path.join(ws.repoDir, "node_modules/left-pad"), { recursive: true });
    await writeFile(
      path.join(ws.repoDir, "node_modules/left-pad/index.js"),
      "module.exports = (s, n) => String(s).padStart(n, '0');\n",
    );
    await writeFile(
      path.join(ws.repoDir, "test.js"),
      "const pad = require('left-pad');\nif (pad(7, 3) !== '007') process.exit(1);\nconsole.log('tests passed', process.version);\n",
    );
    const result = await run("npm test");
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/tests passed v\d+\./);
  });

  it("runs git: init, commit and log inside the checkout", async () => {
    const result = await run(
      "git init -q scratch && cd scratch && echo a > a && git add a && git -c user.name=t -c user.email=t@t commit -qm first && git log --format=%s",
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output.trim()).toBe("first");
  });

  it("runs python's unittest", async () => {
    await writeFile(
      path.join(ws.repoDir, "test_math.py"),
      "import unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(1 + 1, 2)\n",
    );
    const result = await run("python3 -m unittest -q test_math");
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain("OK");
  });

  it("verifies TLS against the system's CA roots (the files are there, the network is not)", async () => {
    const result = await run("test -s /etc/ssl/certs/ca-certificates.crt && getent hosts localhost && echo ok");
    expect(result.output.trim().split("\n").at(-1)).toBe("ok");
  });
});
