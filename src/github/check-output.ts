// What a job's check run shows (ARCHITECTURE.md §1 "Checks"): the headline as
// its title, the job's summary and verdicts as its summary, the last test and
// lint output as its text — each cut to GitHub's limit, head and tail kept.
import type { LintRun, TestRun } from "../shared/evidence.ts";
import { codeBlock, inlineCode } from "../shared/markdown.ts";
import { truncateMiddle } from "../shared/truncate.ts";
import type { CheckOutput } from "./check-runs.ts";

/** GitHub refuses an output.summary or output.text longer than this (characters). */
export const OUTPUT_MAX_CHARS = 65_535;
/** Titles are one line on GitHub's page; a longer one is only noise. */
const TITLE_MAX_CHARS = 200;

export interface CheckReport {
  title: string;
  /** The job's own words: the model's summary, or why the job stopped. */
  summary: string;
  /** The evidence of the job's run; undefined when the job ended before its run. */
  evidence?: { tests?: TestRun; testCommand?: string; lint?: LintRun };
  /** The job's trajectory page (AGENT_PUBLIC_URL set). */
  link?: string;
  jobId: string;
  /** Applied to every piece of text before it is cut to size (the redactor). */
  redact?: (text: string) => string;
}

export function checkOutput(report: CheckReport): CheckOutput {
  const redact = report.redact ?? ((t: string) => t);
  const line = oneLine(redact(report.title)) || "issuesmith";
  const title = line.length > TITLE_MAX_CHARS ? `${line.slice(0, TITLE_MAX_CHARS - 1)}…` : line;
  const footer = [verdicts(report.evidence), jobLine(report.jobId, report.link)].filter(Boolean).join("\n\n");
  const room = OUTPUT_MAX_CHARS - footer.length - 2;
  const summary = `${truncateMiddle(redact(report.summary).trim() || title, room)}\n\n${footer}`;
  const text = details(report.evidence, redact);
  return { title, summary: fit(summary), ...(text ? { text } : {}) };
}

function verdicts(evidence: CheckReport["evidence"]): string {
  if (!evidence) return "";
  const { tests, testCommand, lint } = evidence;
  const testLine = tests
    ? `Tests: ${inlineCode(tests.command)} ${tests.passed ? "passed" : `failed (exit code ${tests.exitCode ?? "killed"})`}.`
    : testCommand
      ? `Tests: ${inlineCode(testCommand)} was not run by the app (the agent did not finish).`
      : "Tests: no test command was found in the repository or in `.github/agent.yml`.";
  const lintLine = lint
    ? `Lint: ${inlineCode(lint.command)} ${lint.passed ? "passed" : `failed (${lint.killed ? `stopped: ${lint.killed}` : `exit code ${lint.exitCode}`})`}.`
    : "";
  return [testLine, lintLine].filter(Boolean).join("\n");
}

function jobLine(jobId: string, link: string | undefined): string {
  const job = `job \`${jobId.slice(0, 8)}\``;
  return link ? `[Every step of ${job}](${link}) (model calls, tool calls, test runs).` : `issuesmith ${job}.`;
}

/** The tails of the test and lint output, fenced; the room shared between them. */
function details(evidence: CheckReport["evidence"], redact: (t: string) => string): string | undefined {
  const parts = [
    evidence?.tests ? { heading: "### Last test output", tail: evidence.tests.outputTail } : undefined,
    evidence?.lint ? { heading: "### Lint output", tail: evidence.lint.outputTail } : undefined,
  ].filter((p): p is { heading: string; tail: string } => p !== undefined && p.tail.trim() !== "");
  if (parts.length === 0) return undefined;
  // headings, fences and blank lines take a few hundred characters at most
  const each = Math.floor(OUTPUT_MAX_CHARS / parts.length) - 300;
  const text = parts
    .map((p) => `${p.heading}\n\n${codeBlock(truncateMiddle(redact(p.tail), each, "characters of output"))}`)
    .join("\n\n");
  return fit(text);
}

/** The last guard: a pathological fence (a run of thousands of backticks) must not push a field over the limit. */
function fit(text: string): string {
  return text.length <= OUTPUT_MAX_CHARS ? text : truncateMiddle(text, OUTPUT_MAX_CHARS);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
