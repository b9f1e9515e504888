import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { NO_TEST_COMMAND } from "../../src/tools/run-tests.ts";
import { filteredTestCommand, runnerKind } from "../../src/tools/test-filter.ts";
import { makeContext, makeRepo, NODE, type ContextOverrides, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const registry = createRegistry(defaultTools());

beforeAll(async () => {
  repo = await makeRepo({
    "test/math.test.mjs": [
      'import test from "node:test";',
      'import assert from "node:assert/strict";',
      'test("adds numbers", () => assert.equal(1 + 1, 2));',
      'test("subtracts numbers", () => assert.equal(2 - 1, 5));',
      "",
    ].join("\n"),
    "test/ok.test.mjs": 'import test from "node:test";\ntest("always fine", () => {});\n',
    "test_calc.py": "def test_one(): assert 1 == 1\ndef test_two(): assert 1 == 2\n",
    "package.json": JSON.stringify({ name: "demo", scripts: { test: "vitest run" } }),
  });
});
afterAll(() => repo.cleanup());

const runTests = (args: Record<string, unknown>, ctx: ContextOverrides) =>
  registry.call({ name: "run_tests", arguments: JSON.stringify(args) }, makeContext(repo, ctx));

describe("run_tests", () => {
  it("says clearly when there is no test command, and how to add one", async () => {
    const out = await runTests({}, {});
    expect(out).toEqual({ isError: true, output: NO_TEST_COMMAND });
    expect(out.output).toContain("`test: <command>` in .github/agent.yml");
  });

  it("runs the test command and puts the verdict, counts and failures first", async () => {
    const out = await runTests({}, { testCommand: `${NODE} --test` });
    expect(out.isError).toBe(true);
    const lines = out.output.split("\n");
    expect(lines[0]).toMatch(/^\$ .*--test {2}\([\d.]+ m?s\)$/);
    expect(lines[1]).toBe("FAILED (exit code 1): 1 failed, 2 passed");
    expect(out.output).toContain("Failures (1):\n- subtracts numbers\n    AssertionError");
  });

  it("runs a subset by test name", async () => {
    const out = await runTests({ filter: "adds" }, { testCommand: `${NODE} --test` });
    expect(out.output.split("\n")[0]).toMatch(/--test --test-name-pattern='adds'/);
    expect(out.isError).toBe(false);
    expect(out.output).toMatch(/\nPASSED \(exit code 0\): \d+ passed/);
    expect(out.output).not.toContain("subtracts numbers");
  });

  it("runs a subset by path", async () => {
    const out = await runTests({ filter: "test/ok.test.mjs" }, { testCommand: `${NODE} --test` });
    expect(out.output.split("\n")[0]).toMatch(/^\$ '.*node' --test 'test\/ok\.test\.mjs'/);
    expect(out.output).toMatch(/\nPASSED \(exit code 0\): 1 passed/);
  });

  it("runs a pytest subset with -k", async () => {
    const out = await runTests({ filter: "test_one" }, { testCommand: "python3 -m pytest -q -p no:cacheprovider" });
    expect(out.output.split("\n")[0]).toMatch(/^\$ python3 -m pytest -q -p no:cacheprovider -k 'test_one'/);
    expect(out.output).toMatch(/\nPASSED \(exit code 0\): 1 passed/);
    const all = await runTests({}, { testCommand: "python3 -m pytest -q -p no:cacheprovider" });
    expect(all.output).toMatch(/\nFAILED \(exit code 1\): 1 failed, 1 passed/);
    expect(all.output).toContain("- test_calc.py::test_two\n    assert 1 == 2");
  });

  it("explains a test run stopped at the time limit", async () => {
    const out = await runTests(
      {},
      { testCommand: "echo running; sleep 20", config: { budget: { test_timeout_seconds: 1 } } },
    );
    expect(out.isError).toBe(true);
    expect(out.output).toContain("STOPPED after 1 s (the test time limit). Run a subset with `filter`");
    expect(out.output).toContain("FAILED (no exit code: the command was killed)");
  });
});

describe("filteredTestCommand", () => {
  const dir = () => repo.repoDir;
  it.each([
    ["npm test", "test/math.test.ts", "npm test -- 'test/math.test.ts'"], // package.json says vitest
    ["npm test", "adds numbers", "npm test -- -t 'adds numbers'"],
    ["npx vitest run", "adds", "npx vitest run -t 'adds'"],
    ["npx jest", "src/a.test.js", "npx jest 'src/a.test.js'"],
    ["npx mocha", "adds", "npx mocha --grep 'adds'"],
    ["node --test", "adds", "node --test --test-name-pattern='adds'"],
    [
      "node --experimental-strip-types --test --test-concurrency=1 test/",
      "test/a.test.ts",
      "node --experimental-strip-types --test --test-concurrency=1 'test/a.test.ts'",
    ],
    ["python3 -m pytest -q", "tests/test_x.py::test_y", "python3 -m pytest -q 'tests/test_x.py::test_y'"],
    ["python3 -m pytest -q", "parse and not slow", "python3 -m pytest -q -k 'parse and not slow'"],
    ["go test ./...", "TestParse", "go test ./... -run 'TestParse'"],
    ["go test ./...", "pkg/parse/parse_test.go", "go test './pkg/parse'"],
    ["cargo test", "parses_empty", "cargo test 'parses_empty'"],
    ["cargo test", "tests/cli.rs", "cargo test --test 'cli'"],
    ["npm test", "it's", "npm test -- -t 'it'\\''s'"],
  ])("%s with %s → %s", async (command, filter, expected) => {
    expect((await filteredTestCommand(command, filter, dir())).command).toBe(expected);
  });

  it("runs the whole suite, and says so, when the runner cannot take a filter", async () => {
    expect(await filteredTestCommand("make test", "adds", dir())).toEqual({
      command: "make test",
      note: "`make test` has no known way to run a subset: the whole suite ran. For a subset, call the runner directly with `shell`.",
    });
  });

  it("recognises runners in scripts", () => {
    expect(runnerKind("vitest run --coverage")).toBe("vitest");
    expect(runnerKind("node --test --experimental-strip-types test/")).toBe("node-test");
    expect(runnerKind("tsc && jest --ci")).toBe("jest");
    expect(runnerKind("./run-tests.sh")).toBe("unknown");
  });
});
