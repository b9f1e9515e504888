// A trajectory as text for a terminal (`issuesmith show`): the same story as
// the job page — task, steps with each tool call on a line and the first
// lines of its result, tests, outcome, usage — in plain lines, coloured on a TTY.
import { describeCall } from "../run/reporter.ts";
import type { Trajectory, TrajectoryEntry } from "../run/trajectory.ts";
import { formatDuration } from "../shared/duration.ts";
import { roundLabel } from "./format.ts";

export interface TerminalOptions {
  color: boolean;
  /** Whole tool results and the whole diff instead of their first lines. */
  full: boolean;
  /** Columns to fit result lines into. */
  width: number;
}

const RESULT_LINES = 3;

export function renderForTerminal(trajectory: Trajectory, options: TerminalOptions): string {
  // Model and tool output is hostile text: no escape sequence of theirs reaches the terminal.
  const t = printable(trajectory);
  const c = palette(options.color);
  const cut = (s: string, indent: number) =>
    options.full || s.length <= options.width - indent ? s : `${s.slice(0, Math.max(10, options.width - indent - 1))}…`;
  const out: string[] = [];
  out.push(c.bold(t.task.title || `job ${t.jobId}`));
  const meta = [
    t.task.source,
    t.model && `model ${t.model}`,
    t.startedAt && `started ${t.startedAt.replace("T", " ").slice(0, 19)}`,
  ].filter(Boolean);
  if (meta.length) out.push(c.dim(meta.join(" · ")));
  if (t.task.body.trim())
    out.push(
      "",
      ...t.task.body
        .trim()
        .split("\n")
        .slice(0, options.full ? undefined : 12)
        .map((l) => `  ${l}`),
    );
  out.push("", c.bold("Steps"));
  for (const e of t.entries) out.push(...entryLines(e, c, options, cut));
  const tests = t.entries.filter((e) => e.type === "test");
  const last = tests.at(-1);
  out.push("", c.bold("Tests"));
  if (last) {
    out.push(
      `  ${last.run.passed ? c.green("passed") : c.red("failed")} · ${last.run.command} · exit ${last.run.exitCode ?? last.run.killed ?? "?"} · ${formatDuration(last.run.durationMs)}`,
    );
    out.push(
      ...last.run.summary
        .split("\n")
        .filter(Boolean)
        .slice(0, options.full ? undefined : 8)
        .map((l) => `  ${cut(l, 2)}`),
    );
  } else {
    out.push("  no test run was recorded");
  }
  out.push("", c.bold("Diff"));
  out.push(...diffLines(t.diff, c, options));
  out.push("", c.bold("Outcome"));
  out.push(t.outcome ? `  ${t.outcome.status.replace(/_/g, " ")} — ${t.outcome.summary}` : "  not finished");
  if (t.usage) {
    const u = t.usage;
    out.push(
      `  ${u.steps} steps · ${u.inputTokens.toLocaleString("en-US")} tokens in · ${u.outputTokens.toLocaleString("en-US")} out · $${u.costUsd.toFixed(4)} · ${formatDuration(u.wallMs)}`,
    );
  }
  return `${out.join("\n")}\n`;
}

type Palette = ReturnType<typeof palette>;

function entryLines(
  e: TrajectoryEntry,
  c: Palette,
  options: TerminalOptions,
  cut: (s: string, indent: number) => string,
): string[] {
  switch (e.type) {
    case "phase":
      return [c.dim(`  ▸ ${e.phase}${e.detail ? `: ${e.detail}` : ""}`)];
    case "model": {
      const head = `  ${c.bold(`step ${e.step}`)} ${c.dim(`${e.inputTokens.toLocaleString("en-US")}→${e.outputTokens.toLocaleString("en-US")} tok · ${formatDuration(e.latencyMs)}${e.costUsd > 0 ? ` · $${e.costUsd.toFixed(4)}` : ""}`)}`;
      const said = e.content.trim().split("\n").filter(Boolean);
      return [head, ...said.slice(0, options.full ? undefined : 3).map((l) => `    ${c.italic(cut(l, 4))}`)];
    }
    case "tool": {
      const lines = e.output.split("\n");
      const shown = options.full ? lines : lines.slice(0, RESULT_LINES);
      const mark = e.isError ? c.red("✗") : "•";
      const rest = lines.length - shown.length;
      return [
        `    ${mark} ${cut(describeCall(e.name, e.arguments), 6)} ${c.dim(formatDuration(e.durationMs))}`,
        ...shown.map((l) => c.dim(`      │ ${cut(l, 8)}`)),
        ...(rest > 0 ? [c.dim(`      │ … ${rest} more line${rest === 1 ? "" : "s"}`)] : []),
      ];
    }
    case "malformed":
      return [c.red(`    ✗ step ${e.step}: unusable reply (${e.count}): ${cut(e.message.split("\n")[0] ?? "", 30)}`)];
    case "test":
      return [
        `  ${e.run.passed ? c.green("✓ tests passed") : c.red("✗ tests failed")} (${roundLabel(e.round)}) ${c.dim(e.run.command)}`,
      ];
    case "outcome":
      return [c.dim(`  ▸ report: ${e.summary}`)];
    default:
      return [];
  }
}

function diffLines(diff: string | undefined, c: Palette, options: TerminalOptions): string[] {
  if (!diff?.trim()) return ["  no change"];
  const lines = diff.replace(/\n$/, "").split("\n");
  const files = lines
    .filter((l) => l.startsWith("diff --git"))
    .map((l) => l.replace(/^diff --git a\/(.*) b\/.*$/, "$1"));
  const added = lines.filter((l) => l.startsWith("+") && !l.startsWith("+++")).length;
  const removed = lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).length;
  const summary = `  ${files.length} file${files.length === 1 ? "" : "s"} (${files.join(", ")}) · ${c.green(`+${added}`)} ${c.red(`-${removed}`)}`;
  if (!options.full) return [summary, c.dim("  (--full prints the diff)")];
  return [
    summary,
    "",
    ...lines.map((l) =>
      l.startsWith("+") && !l.startsWith("+++")
        ? c.green(l)
        : l.startsWith("-") && !l.startsWith("---")
          ? c.red(l)
          : l.startsWith("@@")
            ? c.cyan(l)
            : l,
    ),
  ];
}

function palette(on: boolean) {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    italic: wrap(3, 23),
    red: wrap(31, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}

/** Every string with control characters (ESC above all) shown as a visible mark, tabs and newlines kept. */
function printable<T>(value: T): T {
  if (typeof value === "string") return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "\ufffd") as T;
  if (Array.isArray(value)) return value.map((v) => printable(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = printable(v);
    return out as T;
  }
  return value;
}
