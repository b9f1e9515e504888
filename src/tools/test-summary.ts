// Test output, summarised for a model and a reviewer: the verdict and counts
// first, then which tests failed and how, then the raw tail. The verdict is
// the exit code's; the parsers only add counts and names, for the runners
// most repositories use (vitest, jest, mocha, node:test spec and TAP, pytest,
// go test, cargo test; in test-parsers.ts). Unknown output still gets the
// verdict and the tail.
import { PARSERS, type Parsed, type TestCounts } from "./test-parsers.ts";

export interface TestSummary {
  passed: boolean;
  counts?: TestCounts;
  /** One entry per failing test: its name, then its first lines of error (indented). */
  failures: string[];
  /** Verdict line, failures, then the last lines of the raw output. */
  text: string;
}

const MAX_FAILURES_SHOWN = 10;
const TAIL_LINES = 30;
const TAIL_CHARS = 4_000;

export function summarizeTestOutput(output: string, exitCode: number | null): TestSummary {
  const clean = stripAnsi(output).replace(/\r\n?/g, "\n");
  const lines = clean.split("\n");
  let best: Parsed | undefined;
  for (const parse of PARSERS) {
    const parsed = parse(lines);
    if (!parsed) continue;
    if (parsed.counts) {
      best = parsed;
      break;
    }
    best ??= parsed.failures.length > 0 ? parsed : undefined;
  }
  const passed = exitCode === 0;
  const failures = best?.failures ?? [];
  const counts = best?.counts;

  const out: string[] = [verdictLine(passed, exitCode, counts)];
  if (failures.length > 0) {
    out.push("", `Failures (${failures.length}):`);
    for (const f of failures.slice(0, MAX_FAILURES_SHOWN)) out.push(`- ${f}`);
    if (failures.length > MAX_FAILURES_SHOWN) out.push(`- … and ${failures.length - MAX_FAILURES_SHOWN} more`);
  } else if (!passed && exitCode !== null && !counts?.failed) {
    out.push(
      "",
      "No failing test was named in the output: the command itself may have failed (a build or import error, a missing tool). See the output below.",
    );
  }
  const tail = tailOf(clean);
  if (tail) out.push("", `Last lines of output:`, tail);
  return { passed, ...(counts ? { counts } : {}), failures, text: out.join("\n") };
}

function verdictLine(passed: boolean, exitCode: number | null, counts: TestCounts | undefined): string {
  const status = passed ? "PASSED" : "FAILED";
  const code = exitCode === null ? "no exit code: the command was killed" : `exit code ${exitCode}`;
  const parts: string[] = [];
  if (counts?.failed) parts.push(`${counts.failed} failed`);
  if (counts?.passed !== undefined) parts.push(`${counts.passed} passed`);
  if (counts?.skipped) parts.push(`${counts.skipped} skipped`);
  return `${status} (${code})${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

function tailOf(text: string): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  let tail = lines.slice(-TAIL_LINES).join("\n");
  if (tail.length > TAIL_CHARS) tail = `…${tail.slice(-TAIL_CHARS)}`;
  return tail;
}

export function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/\u001b\][^\u0007]*\u0007/g, "");
}
