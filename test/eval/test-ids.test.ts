// Reading which named tests passed from real test runner output.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/eval/run-task.ts";
import { statusOf, testStatuses } from "../../src/eval/test-ids.ts";

const TAP = `TAP version 13
# Subtest: adds # two
ok 1 - adds \\# two
  ---
  duration_ms: 1.2
  ...
# Subtest: fails
not ok 2 - fails
  ---
  ...
ok 3 - later # SKIP not yet
# Subtest: suite
    ok 1 - nested passes
    not ok 2 - nested fails
ok 4 - suite
1..4`;

const SPEC = `✔ adds (4.52ms)
✖ fails (1.38ms)
▶ suite
  ✔ nested passes (0.1ms)
✔ suite (0.9ms)
ℹ tests 4

✖ failing tests:

test at test/add.test.ts:5:1
✖ fails (1.38ms)
  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:`;

const PYTEST_RA = `..F                                                                      [100%]
=================================== FAILURES ===================================
___________________________________ test_two ___________________________________
=========================== short test summary info ============================
PASSED tests/test_a.py::test_one
PASSED tests/test_a.py::test_param[1-2]
FAILED tests/test_a.py::test_two - assert 1 == 2
ERROR tests/test_b.py::test_setup - fixture 'db' not found
1 failed, 2 passed, 1 error in 0.03s`;

const PYTEST_V = `tests/test_a.py::test_one PASSED                                          [ 50%]
tests/test_a.py::test_two FAILED                                          [100%]`;

describe("test statuses from output", () => {
  it("reads node:test's TAP, nested tests and skips included", () => {
    const s = testStatuses(TAP);
    expect(statusOf(["adds # two", "fails", "later", "nested passes", "nested fails", "suite", "absent"], s)).toEqual({
      "adds # two": "passed",
      fails: "failed",
      later: "missing",
      "nested passes": "passed",
      "nested fails": "failed",
      suite: "passed",
      absent: "missing",
    });
  });

  it("reads node:test's spec reporter, where a failure is listed twice", () => {
    expect(Object.fromEntries(testStatuses(SPEC))).toEqual({
      adds: "passed",
      fails: "failed",
      "nested passes": "passed",
      suite: "passed",
    });
  });

  it("reads pytest's -rA summary and -v lines by node id", () => {
    expect(Object.fromEntries(testStatuses(PYTEST_RA))).toEqual({
      "tests/test_a.py::test_one": "passed",
      "tests/test_a.py::test_param[1-2]": "passed",
      "tests/test_a.py::test_two": "failed",
      "tests/test_b.py::test_setup": "failed",
    });
    expect(Object.fromEntries(testStatuses(PYTEST_V))).toEqual({
      "tests/test_a.py::test_one": "passed",
      "tests/test_a.py::test_two": "failed",
    });
  });

  it("decides by the lists when there are lists, by the exit code when there are none, and never for a killed run", () => {
    const lists = { failToPass: ["a"], passToPass: ["b"] };
    expect(
      decide(lists, { exitCode: 1, killed: undefined, failToPass: { a: "passed" }, passToPass: { b: "passed" } }),
    ).toBe(true);
    expect(
      decide(lists, { exitCode: 0, killed: undefined, failToPass: { a: "missing" }, passToPass: { b: "passed" } }),
    ).toBe(false);
    expect(
      decide(lists, { exitCode: 0, killed: undefined, failToPass: { a: "passed" }, passToPass: { b: "failed" } }),
    ).toBe(false);
    expect(decide({ failToPass: undefined, passToPass: undefined }, { exitCode: 0, killed: undefined })).toBe(true);
    expect(decide({ failToPass: undefined, passToPass: undefined }, { exitCode: 1, killed: undefined })).toBe(false);
    expect(
      decide(lists, { exitCode: 0, killed: "timeout", failToPass: { a: "passed" }, passToPass: { b: "passed" } }),
    ).toBe(false);
  });
});
