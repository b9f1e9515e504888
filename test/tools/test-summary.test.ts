// summarizeTestOutput against real runner output: node:test (spec and TAP),
// vitest and pytest are run here for real; jest, mocha and go (not installed
// here) and cargo use output captured from those runners.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summarizeTestOutput } from "../../src/tools/test-summary.ts";
import { DirectRunner } from "../../src/workspace/sandbox.ts";
import { makeRepo, NODE, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const runner = new DirectRunner();
const run = async (command: string) => {
  const r = await runner.run({ command, workspace: repo.workspace, timeoutMs: 60_000, network: false });
  return { output: r.output, exitCode: r.exitCode };
};

beforeAll(async () => {
  repo = await makeRepo(
    {
      "node/math.test.mjs": [
        'import test, { describe, it } from "node:test";',
        'import assert from "node:assert/strict";',
        'test("adds", () => assert.equal(1 + 1, 2));',
        'test("subtracts", () => assert.equal(2 - 1, 5));',
        'describe("suite", () => { it("inner fails", () => { throw new Error("boom"); }); it.skip("skipped", () => {}); });',
        "",
      ].join("\n"),
      "node/ok.test.mjs": 'import test from "node:test";\ntest("fine", () => {});\n',
      "vt/math.test.js": [
        'describe("math", () => {',
        '  it("adds", () => expect(1 + 1).toBe(2));',
        '  it("subtracts", () => expect(2 - 1).toBe(5));',
        '  it.skip("skipped", () => {});',
        "});",
        'test("top fails", () => { throw new Error("boom"); });',
        "",
      ].join("\n"),
      "py/test_math.py": [
        "import pytest",
        "def test_adds(): assert 1 + 1 == 2",
        "def test_subtracts(): assert 2 - 1 == 5",
        "@pytest.mark.skip",
        "def test_skipped(): pass",
        "def test_raises():",
        '    raise ValueError("nope")',
        "",
      ].join("\n"),
      "py_ok/test_ok.py": "def test_ok(): assert True\n",
    },
    { git: false },
  );
});
afterAll(() => repo.cleanup());

describe("summarizeTestOutput on real runs", () => {
  it("reads node:test's spec reporter", async () => {
    const { output, exitCode } = await run(`${NODE} --test --test-reporter=spec node/math.test.mjs`);
    const s = summarizeTestOutput(output, exitCode);
    expect(s.passed).toBe(false);
    expect(s.counts).toEqual({ passed: 1, failed: 2, skipped: 1 });
    expect(s.failures).toHaveLength(2);
    expect(s.failures[0]).toMatch(
      /^subtracts\n {4}AssertionError \[ERR_ASSERTION\]: Expected values to be strictly equal:/,
    );
    expect(s.failures[1]).toMatch(/^inner fails\n {4}Error: boom/);
    expect(s.text.split("\n")[0]).toBe("FAILED (exit code 1): 2 failed, 1 passed, 1 skipped");
    expect(s.text).toContain("Failures (2):\n- subtracts\n");
    expect(s.text).toContain("Last lines of output:");
  });

  it("reads node:test's TAP reporter, leaving out suites whose subtests failed", async () => {
    const { output, exitCode } = await run(`${NODE} --test --test-reporter=tap node/math.test.mjs`);
    const s = summarizeTestOutput(output, exitCode);
    expect(s.counts).toEqual({ passed: 1, failed: 2, skipped: 1 });
    expect(s.failures.map((f) => f.split("\n")[0])).toEqual(["subtracts", "inner fails"]);
    expect(s.failures[0]).toContain("Expected values to be strictly equal:");
    expect(s.failures[1]).toContain("    boom");
  });

  it("reads a passing node:test run", async () => {
    const { output, exitCode } = await run(`${NODE} --test node/ok.test.mjs`);
    const s = summarizeTestOutput(output, exitCode);
    expect(s).toMatchObject({ passed: true, counts: { passed: 1, failed: 0, skipped: 0 }, failures: [] });
    expect(s.text.split("\n")[0]).toBe("PASSED (exit code 0): 1 passed");
  });

  it("reads vitest", () => {
    const root = path.join(repo.repoDir, "vt");
    const vitest = path.resolve("node_modules/vitest/vitest.mjs");
    let output = "";
    let exitCode = 0;
    try {
      output = execFileSync(process.execPath, [vitest, "run", "--root", root, "--globals"], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", CI: "true" },
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (err) {
      const e = err as { stdout: string; stderr: string; status: number };
      output = e.stdout + e.stderr;
      exitCode = e.status;
    }
    const s = summarizeTestOutput(output, exitCode);
    expect(s.passed).toBe(false);
    expect(s.counts).toEqual({ failed: 2, passed: 1, skipped: 1 });
    expect(s.failures.map((f) => f.split("\n")[0])).toEqual([
      "math.test.js > math > subtracts",
      "math.test.js > top fails",
    ]);
    expect(s.failures[0]).toContain("AssertionError: expected 1 to be 5");
    expect(s.failures[1]).toContain("Error: boom");
  });

  it("reads pytest -q", async () => {
    const { output, exitCode } = await run("cd py && python3 -m pytest -q -p no:cacheprovider");
    const s = summarizeTestOutput(output, exitCode);
    expect(s.passed).toBe(false);
    expect(s.counts).toEqual({ failed: 2, passed: 1, skipped: 1 });
    expect(s.failures).toEqual([
      "test_math.py::test_subtracts\n    assert (2 - 1) == 5",
      "test_math.py::test_raises\n    ValueError: nope",
    ]);
  });

  it("reads a passing pytest run", async () => {
    const { output, exitCode } = await run("cd py_ok && python3 -m pytest -p no:cacheprovider");
    expect(summarizeTestOutput(output, exitCode)).toMatchObject({
      passed: true,
      counts: { passed: 1, failed: 0 },
      failures: [],
    });
  });
});

const JEST = `FAIL src/math.test.js
  math
    ✓ adds (2 ms)
    ✕ subtracts (3 ms)
    ○ skipped skipped

  ● math › subtracts

    expect(received).toBe(expected) // Object.is equality

    Expected: 1
    Received: -1

      4 |   test("subtracts", () => {
    > 5 |     expect(sub(1, 2)).toBe(1);
        |                       ^

      at Object.toBe (src/math.test.js:5:23)

Test Suites: 1 failed, 1 total
Tests:       1 failed, 1 skipped, 1 passed, 3 total
Snapshots:   0 total
Time:        0.512 s
Ran all test suites.
`;

const MOCHA = `

  math
    ✔ adds
    1) subtracts
    - skipped


  1 passing (6ms)
  1 pending
  1 failing

  1) math
       subtracts:

      AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:

-1 !== 1

      + expected - actual

      at Context.<anonymous> (test/math.test.js:8:12)
      at process.processImmediate (node:internal/timers:483:21)

`;

const GO = `--- FAIL: TestSub (0.00s)
    math_test.go:12: Sub(1, 2) = -1, want 1
FAIL
FAIL	example.com/demo	0.002s
ok  	example.com/demo/other	0.001s
FAIL
`;

const GO_VERBOSE = `=== RUN   TestAdd
--- PASS: TestAdd (0.00s)
=== RUN   TestSub
    math_test.go:12: Sub(1, 2) = -1, want 1
--- FAIL: TestSub (0.00s)
=== RUN   TestSkip
    math_test.go:20: not yet
--- SKIP: TestSkip (0.00s)
FAIL
FAIL	example.com/demo	0.002s
`;

const GO_BUILD = `# example.com/demo
./math.go:3:1: syntax error: non-declaration statement outside function body
FAIL	example.com/demo [build failed]
FAIL
`;

// Captured from cargo 1.9x (RUST_BACKTRACE=0).
const CARGO = `    Finished \`test\` profile [unoptimized + debuginfo] target(s) in 0.02s
     Running unittests src/lib.rs (target/debug/deps/cg-cf430339bf8ee7bc)

running 3 tests
test tests::adds ... ok
test tests::fails ... FAILED
test tests::ignored ... ignored

failures:

---- tests::fails stdout ----

thread 'tests::fails' (3349) panicked at src/lib.rs:8:18:
assertion \`left == right\` failed
  left: 3
 right: 4
note: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace


failures:
    tests::fails

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

error: test failed, to rerun pass \`--lib\`
`;

describe("summarizeTestOutput on captured output", () => {
  it("reads jest", () => {
    const s = summarizeTestOutput(JEST, 1);
    expect(s.counts).toEqual({ failed: 1, passed: 1, skipped: 1 });
    expect(s.failures).toEqual([
      "math › subtracts\n    expect(received).toBe(expected) // Object.is equality\n    Expected: 1\n    Received: -1",
    ]);
  });

  it("reads mocha", () => {
    const s = summarizeTestOutput(MOCHA, 1);
    expect(s.counts).toEqual({ failed: 1, passed: 1, skipped: 1 });
    expect(s.failures[0]).toMatch(
      /^math subtracts\n {4}AssertionError \[ERR_ASSERTION\]: Expected values to be strictly equal:\n {4}-1 !== 1/,
    );
  });

  it("reads go test, plain and verbose, and build failures", () => {
    const plain = summarizeTestOutput(GO, 1);
    expect(plain.counts).toEqual({ failed: 1 });
    expect(plain.failures).toEqual(["TestSub\n    math_test.go:12: Sub(1, 2) = -1, want 1"]);
    const verbose = summarizeTestOutput(GO_VERBOSE, 1);
    expect(verbose.counts).toEqual({ failed: 1, passed: 1, skipped: 1 });
    const build = summarizeTestOutput(GO_BUILD, 1);
    expect(build.failures).toEqual(["example.com/demo [build failed]"]);
  });

  it("reads cargo test", () => {
    const s = summarizeTestOutput(CARGO, 101);
    expect(s.counts).toEqual({ passed: 1, failed: 1, skipped: 1 });
    expect(s.failures).toEqual([
      "tests::fails\n    thread 'tests::fails' (3349) panicked at src/lib.rs:8:18:\n    assertion `left == right` failed\n    left: 3",
    ]);
  });
});

describe("summarizeTestOutput verdicts", () => {
  it("trusts the exit code for the verdict, and says when no test was named", () => {
    const s = summarizeTestOutput("Error: Cannot find module './setup'\n", 1);
    expect(s.passed).toBe(false);
    expect(s.counts).toBeUndefined();
    expect(s.text).toBe(
      "FAILED (exit code 1)\n\nNo failing test was named in the output: the command itself may have failed (a build or import error, a missing tool). See the output below.\n\nLast lines of output:\nError: Cannot find module './setup'",
    );
  });

  it("calls a killed run failed", () => {
    expect(summarizeTestOutput("running...\n", null).text.split("\n")[0]).toBe(
      "FAILED (no exit code: the command was killed)",
    );
  });

  it("lists at most ten failures and keeps only the tail of long output", () => {
    const many = Array.from({ length: 25 }, (_, i) => `FAILED t.py::test_${i} - assert False`).join("\n");
    const output = `${"noise\n".repeat(5_000)}${many}\n25 failed in 1.00s\n`;
    const s = summarizeTestOutput(output, 1);
    expect(s.failures).toHaveLength(25);
    expect(s.text).toContain("- … and 15 more");
    expect(s.text.length).toBeLessThan(6_000);
  });

  it("strips terminal colours", () => {
    const s = summarizeTestOutput("\u001b[31m 1 failed\u001b[0m, \u001b[32m2 passed\u001b[0m in 0.10s\n", 1);
    expect(s.counts).toEqual({ failed: 1, passed: 2 });
  });
});
