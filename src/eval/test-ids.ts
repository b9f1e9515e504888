// Which named tests passed, read from a test command's output: node:test's
// TAP (Node 20) and spec (Node 22+) reporters, and pytest's -rA summary or -v
// lines. A test counts as passed only when it is seen passing and never
// failing; one never seen counts as not passed.
export type TestStatus = "passed" | "failed" | "missing";

const TAP = /^\s*(not ok|ok) \d+ - (.+?)(?:\s+#\s*(SKIP|TODO)\b.*)?\s*$/i;
const SPEC = /^\s*([✔✖])\s+(.+?)\s+\(\d+(?:\.\d+)?m?s\)\s*$/;
const PYTEST_SUMMARY = /^(PASSED|FAILED|ERROR|XPASS|XFAIL)\s+(\S+::\S+?)(?:\s+-\s.*)?\s*$/;
const PYTEST_VERBOSE = /^(\S+::\S+)\s+(PASSED|FAILED|ERROR|XPASS|XFAIL)\b/;

export function testStatuses(output: string): Map<string, "passed" | "failed"> {
  const seen = new Map<string, "passed" | "failed">();
  const mark = (name: string, passed: boolean) => {
    if (!passed) seen.set(name, "failed");
    else if (!seen.has(name)) seen.set(name, "passed");
  };
  for (const line of output.split("\n")) {
    let m = TAP.exec(line);
    if (m) {
      if (!m[3]) mark(m[2]!.replace(/\\#/g, "#"), m[1]!.toLowerCase() === "ok");
      continue;
    }
    m = SPEC.exec(line);
    if (m) {
      mark(m[2]!, m[1] === "✔");
      continue;
    }
    m = PYTEST_SUMMARY.exec(line);
    if (m) {
      mark(m[2]!, m[1] === "PASSED" || m[1] === "XFAIL");
      continue;
    }
    m = PYTEST_VERBOSE.exec(line);
    if (m) mark(m[1]!, m[2] === "PASSED" || m[2] === "XFAIL");
  }
  return seen;
}

export function statusOf(ids: string[], seen: Map<string, "passed" | "failed">): Record<string, TestStatus> {
  return Object.fromEntries(ids.map((id) => [id, seen.get(id) ?? "missing"]));
}
