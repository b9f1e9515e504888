import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interactiveReason } from "../../src/tools/interactive.ts";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { makeContext, makeRepo, type ContextOverrides, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const registry = createRegistry(defaultTools());
beforeAll(async () => {
  repo = await makeRepo({
    "hello.txt": "hello from the repo\n",
    ".env.test": "API_KEY=sk-test-abcdefghijklmnopqrstuvwxyz\n",
  });
});
afterAll(() => repo.cleanup());

const shell = (args: Record<string, unknown>, ctx: ContextOverrides = {}) =>
  registry.call({ name: "shell", arguments: JSON.stringify(args) }, makeContext(repo, ctx));

describe("shell", () => {
  it("runs in the repository and reports the exit code first", async () => {
    const out = await shell({ command: "cat hello.txt && pwd" });
    expect(out.isError).toBe(false);
    expect(out.output).toMatch(/^exit code 0 · [\d.]+ m?s\nhello from the repo\n.*\/repo$/);
  });

  it("marks a failing command as an error with its exit code and output", async () => {
    const out = await shell({ command: "echo oops >&2; exit 3" });
    expect(out.isError).toBe(true);
    expect(out.output).toMatch(/^exit code 3 · [\d.]+ m?s\noops$/);
  });

  it("says there was no output", async () => {
    expect((await shell({ command: "true" })).output).toMatch(/^exit code 0 · [\d.]+ m?s\n\(no output\)$/);
  });

  it("closes stdin so a command reading it ends at once", async () => {
    const out = await shell({ command: "cat; echo done" });
    expect(out.output).toMatch(/\ndone$/);
  });

  it("explains command not found", async () => {
    const out = await shell({ command: "definitely-not-a-command-xyz" });
    expect(out.output).toMatch(
      /^exit code 127[\s\S]*command not found[\s\S]*Exit code 127: command not found\. Check the name/,
    );
  });

  it("stops a command at the time limit and says what to do", async () => {
    const started = performance.now();
    const out = await shell(
      { command: "echo started; sleep 20" },
      { config: { budget: { command_timeout_seconds: 1 } } },
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(out.isError).toBe(true);
    expect(out.output).toMatch(
      /^killed · [\d.]+ m?s\nstarted\n\nSTOPPED: the command was stopped after 1 s \(timeout\)/,
    );
  });

  it("caps a requested timeout at the job's limit and says so", async () => {
    const out = await shell(
      { command: "true", timeout_seconds: 999 },
      { config: { budget: { command_timeout_seconds: 5 } } },
    );
    expect(out.output).toMatch(/^exit code 0 · [\d.]+ m?s \(asked for 999 s; the limit is 5 s\)/);
  });

  it("keeps the head and the tail of long output, with the cut marked", async () => {
    const out = await shell({ command: "seq 1 200000" });
    expect(out.output.length).toBeLessThanOrEqual(12_000);
    expect(out.output).toMatch(/^exit code 0 · [\d.]+ m?s\n1\n2\n3\n/);
    expect(out.output).toMatch(/\n199999\n200000$/);
    expect(out.output).toMatch(/cut \.\.\.\]/);
  });

  it("redacts secrets and token-shaped strings in the output", async () => {
    const out = await shell(
      { command: "cat .env.test; echo token=my-secret-token-value" },
      { secrets: ["my-secret-token-value"] },
    );
    expect(out.output).toContain("API_KEY=[REDACTED]");
    expect(out.output).toContain("token=[REDACTED]");
    expect(out.output).not.toContain("my-secret-token-value");
  });

  it("runs with a clean environment, not the app's", async () => {
    process.env.ISSUESMITH_TEST_SECRET = "should-not-leak";
    try {
      const out = await shell({ command: "env" });
      expect(out.output).not.toContain("ISSUESMITH_TEST_SECRET");
      expect(out.output).toContain("CI=true");
    } finally {
      delete process.env.ISSUESMITH_TEST_SECRET;
    }
  });

  it("refuses interactive commands without running them, with a hint", async () => {
    const out = await shell({ command: "vim src/index.ts" });
    expect(out).toEqual({
      isError: true,
      output:
        "Not run: `vim` is an interactive editor and there is no terminal. Change files with `edit`, `insert` or `create` (or `sed -i` in a command).",
    });
  });
});

describe("interactiveReason", () => {
  it.each([
    ["vim file.ts", /interactive editor/],
    ["sudo nano x", /interactive editor/],
    ["less README.md", /is a pager/],
    ["git log | less", /is a pager/],
    ["top", /runs until stopped/],
    ["watch -n1 ls", /runs until stopped/],
    ["python", /interactive session/],
    ["cd src && node", /interactive session/],
    ["python3 -i", /interactive session/],
    ["git commit", /without `-m` opens an editor.*app commits/],
    ["git -C sub commit --amend", /without `-m`/],
    ["git rebase -i HEAD~3", /interactive/],
    ["git add -p", /interactive/],
    ["man ls", /--help/],
    ["ssh host", /no network/],
  ])("refuses %s", (command, reason) => {
    expect(interactiveReason(command)).toMatch(reason);
  });

  it.each([
    "python3 -c 'print(1)'",
    "python3 script.py",
    "echo 'print(1)' | python3",
    "python3 <<'EOF'\nprint(1)\nEOF",
    "node -e 'console.log(1)'",
    "git commit -m 'msg'",
    "git commit -am msg",
    "git commit --no-edit --amend",
    "npm test 2>&1 | tail -20",
    "grep -rn 'vim' .",
    "echo 'use less memory'",
    "timeout 10 node server.js",
    "FOO=1 bash -c 'echo hi'",
    "emacs --batch -l x.el",
  ])("allows %s", (command) => {
    expect(interactiveReason(command)).toBeUndefined();
  });
});
