// `lint`: the repository's lint command from .github/agent.yml, run in the
// sandbox without network, its verdict first.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_LINT_COMMAND } from "../../src/tools/lint.ts";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { makeContext, makeRepo, NODE, type ContextOverrides, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const registry = createRegistry(defaultTools());

beforeAll(async () => {
  repo = await makeRepo({
    "src/a.js": "var x = 1;\nexport { x };\n",
    "lint.mjs":
      'import { readFileSync } from "node:fs";\nconst bad = readFileSync("src/a.js", "utf8").includes("var ");\nconsole.log(bad ? "src/a.js:1: no-var" : "clean");\nprocess.exitCode = bad ? 1 : 0;\n',
  });
});
afterAll(() => repo.cleanup());

const lint = (ctx: ContextOverrides) => registry.call({ name: "lint", arguments: "{}" }, makeContext(repo, ctx));

describe("lint", () => {
  it("says there is no lint command when .github/agent.yml sets none, and what to do instead", async () => {
    const out = await lint({});
    expect(out).toEqual({ isError: true, output: NO_LINT_COMMAND });
  });

  it("runs the configured command and puts the verdict before the linter's words", async () => {
    const out = await lint({ config: { lint: `${NODE} lint.mjs` } });
    expect(out.isError).toBe(true);
    const lines = out.output.split("\n");
    expect(lines[0]).toMatch(/^\$ .*lint\.mjs {2}\((?:\d+ ms|[\d.]+ s|\d+ min(?: \d+ s)?)\)$/);
    expect(lines[1]).toMatch(/^FAILED \(exit code 1\)\. Fix the problems in the files you changed/);
    expect(lines[2]).toBe("src/a.js:1: no-var");
  });

  it("passes when the linter exits 0", async () => {
    const out = await lint({ config: { lint: "echo clean" } });
    expect(out).toEqual({
      isError: false,
      output: expect.stringContaining("PASSED: no lint problems.") as unknown as string,
    });
  });

  it("runs as a command without network (package managers told to stay offline)", async () => {
    const out = await lint({ config: { lint: 'echo "offline=$npm_config_offline"' } });
    expect(out.output).toContain("offline=true");
  });
});
