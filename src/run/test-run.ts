// The app's own run of the repository's test command: the evidence that
// decides "done", whatever the model said.
import type { Redactor } from "../security/redact.ts";
import { summarizeTestOutput } from "../tools/test-summary.ts";
import type { CommandRunner, Workspace } from "../workspace/types.ts";
import type { TestRun } from "../shared/evidence.ts";

export async function runTestCommand(
  runner: CommandRunner,
  workspace: Workspace,
  command: string,
  timeoutMs: number,
  signal: AbortSignal,
  redactor: Redactor,
  env?: Record<string, string>,
): Promise<TestRun> {
  const run = await runner.run({
    command,
    workspace,
    timeoutMs,
    network: false,
    signal,
    maxOutputBytes: 2 * 1024 * 1024,
    ...(env ? { env } : {}),
  });
  const output = redactor.redact(run.output);
  const summary = summarizeTestOutput(output, run.killed ? null : run.exitCode);
  const passed = run.exitCode === 0 && !run.killed;
  const killedNote =
    run.killed === "timeout"
      ? `\nThe test command was stopped after ${Math.round(timeoutMs / 1000)} s.`
      : run.killed === "output"
        ? "\nThe test command was stopped: it printed too much output."
        : "";
  return {
    command,
    passed,
    exitCode: run.exitCode,
    killed: run.killed,
    summary: summary.text + killedNote,
    outputTail: output.split("\n").slice(-60).join("\n"),
    durationMs: run.durationMs,
  };
}
