// The app's own run of the repository's lint command, after the tests: the
// evidence reported beside them in the PR body and the progress comment
// (ARCHITECTURE.md §1). Without network and without secrets: it runs over
// the agent's code, and a linter needs neither (ARCHITECTURE.md §6).
import type { Redactor } from "../security/redact.ts";
import type { LintRun } from "../shared/evidence.ts";
import type { CommandRunner, Workspace } from "../workspace/types.ts";

/** Lines of lint output kept for the report. */
const TAIL_LINES = 60;

export async function runLintCommand(
  runner: CommandRunner,
  workspace: Workspace,
  command: string,
  timeoutMs: number,
  signal: AbortSignal,
  redactor: Redactor,
): Promise<LintRun> {
  const run = await runner.run({ command, workspace, timeoutMs, network: false, signal, maxOutputBytes: 1024 * 1024 });
  const output = redactor.redact(run.output).trimEnd();
  const passed = run.exitCode === 0 && !run.killed;
  const lines = output.split("\n").filter((l) => l.trim());
  const killed =
    run.killed === "timeout"
      ? `stopped after ${Math.round(timeoutMs / 1000)} s`
      : run.killed === "output"
        ? "stopped: it printed too much output"
        : run.killed === "cancelled"
          ? "stopped: the job was cancelled"
          : undefined;
  const summary = passed
    ? "PASSED (no lint problems)"
    : `FAILED (${killed ?? `exit code ${run.exitCode}`})${lines.length ? `: ${lines.length} line${lines.length === 1 ? "" : "s"} of output` : ""}`;
  return {
    command,
    passed,
    exitCode: run.exitCode,
    killed: run.killed,
    summary,
    outputTail: output.split("\n").slice(-TAIL_LINES).join("\n"),
    durationMs: run.durationMs,
  };
}
