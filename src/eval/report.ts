// The Markdown report of an eval run: resolve rate, cost and time per task,
// failures by kind, and one table row per task. Rewritten after every task,
// so it is current whenever the run stops.
import type { EvalTask } from "./task.ts";
import { resolvedByAny } from "./attempts.ts";
import { isHarnessFailure } from "./harness.ts";
import { FAILURE_KINDS, type TaskResult } from "./run-task.ts";
import { formatDuration } from "../shared/duration.ts";

export interface ReportInput {
  tasksFile: string;
  tasks: EvalTask[];
  results: TaskResult[];
  model: string;
  /** Attempts per task (eval --attempts); 1 when absent. */
  attempts?: number;
  /** The run stopped before every task had a result. */
  interrupted: boolean;
}

export function renderReport(input: ReportInput): string {
  const { results, tasks } = input;
  const byId = new Map(results.map((r) => [r.id, r]));
  const done = tasks.map((t) => byId.get(t.id)).filter((r): r is TaskResult => r !== undefined);
  const resolved = done.filter((r) => r.resolved).length;
  // The harness's failures (clone, setup, hidden tests) say nothing of the agent: not scored.
  const harness = done.filter((r) => isHarnessFailure(r.failure)).length;
  const scored = done.length - harness;
  const cost = done.reduce((n, r) => n + r.costUsd, 0);
  const wall = done.reduce((n, r) => n + r.wallMs, 0);
  const tokens = done.reduce((n, r) => n + r.inputTokens + r.outputTokens, 0);
  const out: string[] = [];
  out.push(`# issuesmith eval: ${input.tasksFile}`, "");
  out.push(
    `Model: \`${input.model}\` · ${done.length} of ${tasks.length} tasks run${input.interrupted ? " (interrupted; `--resume` runs the rest)" : ""}`,
    "",
  );
  out.push(`- **Resolved: ${resolved} of ${scored} scored (${pct(resolved, scored)})**`);
  if (harness > 0)
    out.push(
      `- Not scored: ${harness} harness failure${harness === 1 ? "" : "s"} (clone, setup, hidden tests or the model endpoint failed: see the kinds below; not the agent's doing)`,
    );
  const attempts = input.attempts ?? 1;
  if (attempts > 1)
    out.push(
      `- Attempts: ${attempts} per task, one chosen by the app's own test run (the task's command without the hidden tests), then the smallest diff, then the fewest steps; resolved by any attempt (pass@${attempts}): ${resolvedByAny(done.filter((r) => !isHarnessFailure(r.failure)))} of ${scored}`,
    );
  out.push(
    `- Cost: $${cost.toFixed(4)} in all, $${(done.length ? cost / done.length : 0).toFixed(4)} per task, ${resolved ? `$${(cost / resolved).toFixed(4)}` : "—"} per resolved task${attempts > 1 ? " (every attempt's cost counted)" : ""}`,
  );
  out.push(
    `- Time: ${formatDuration(wall)} in all, ${formatDuration(done.length ? wall / done.length : 0)} per task (median ${formatDuration(median(done.map((r) => r.wallMs)))})`,
  );
  out.push(`- Tokens: ${tokens.toLocaleString("en-US")} in all`);
  out.push("", "## Failures by kind", "");
  const failures = FAILURE_KINDS.map((k) => [k, done.filter((r) => r.failure === k).length] as const).filter(
    ([, n]) => n > 0,
  );
  if (failures.length === 0) out.push(done.length ? "None." : "No task has run yet.");
  else {
    out.push("| kind | tasks | whose |", "|---|---:|---|");
    for (const [kind, n] of failures)
      out.push(`| ${kind} | ${n} | ${isHarnessFailure(kind) ? "harness (not scored)" : "agent"} |`);
  }
  out.push("", "## Tasks", "");
  out.push(
    "| task | language | kind | resolved | why | steps | tokens | cost | time |",
    "|---|---|---|---|---|---:|---:|---:|---:|",
  );
  for (const t of tasks) {
    const r = byId.get(t.id);
    if (!r) {
      out.push(`| ${t.id} | ${t.language ?? ""} | ${t.kind ?? ""} | — | not run | | | | |`);
      continue;
    }
    const why = r.resolved ? "" : `${r.failure}: ${cell(r.reason)}`;
    out.push(
      `| [${t.id}](${r.trajectory || "#"}) | ${t.language ?? ""} | ${t.kind ?? ""} | ${r.resolved ? "✅" : isHarnessFailure(r.failure) ? "⚠️ not scored" : "❌"} | ${why} | ${r.steps} | ${(r.inputTokens + r.outputTokens).toLocaleString("en-US")} | $${r.costUsd.toFixed(4)} | ${formatDuration(r.wallMs)} |`,
    );
  }
  return `${out.join("\n")}\n`;
}

function cell(text: string): string {
  const one = text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
  return one.length > 140 ? `${one.slice(0, 139)}…` : one;
}

function pct(n: number, of: number): string {
  return of === 0 ? "—" : `${((100 * n) / of).toFixed(1)}%`;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
