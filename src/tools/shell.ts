// `shell`: one command line in the workspace, through the sandbox runner.
// The result always starts with the exit code, and a command that was stopped
// says why in words the model can act on.
import { z } from "zod";
import { describeKill } from "../workspace/run-limits.ts";
import type { RunResult } from "../workspace/types.ts";
import { defineTool, type ToolOutcome } from "./define.ts";
import { interactiveReason } from "./interactive.ts";
import { formatDuration } from "../shared/duration.ts";

/** What the runner keeps of a command's output; the registry trims it further for the model. */
const SHELL_OUTPUT_BYTES = 256 * 1024;

const params = z.object({
  command: z
    .string()
    .trim()
    .min(1)
    .describe("A bash command line, run in the repository root. No terminal, stdin closed, no network."),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("Time limit for this command in seconds (default and maximum: the job's per-command limit)."),
});

export const shellTool = defineTool({
  name: "shell",
  description:
    "Run a bash command in the repository (sandboxed: no network, no terminal, stdin closed, time-limited). " +
    "Output is shortened in the middle when long; the exit code comes first. Do not use it to commit or push: the app does that.",
  params,
  async run(args, ctx): Promise<ToolOutcome> {
    const refusal = interactiveReason(args.command);
    if (refusal) return { isError: true, output: `Not run: ${refusal}` };
    const maxSeconds = ctx.config.budget.command_timeout_seconds;
    const seconds = Math.min(args.timeout_seconds ?? maxSeconds, maxSeconds);
    const run = await ctx.runner.run({
      command: args.command,
      workspace: ctx.workspace,
      timeoutMs: seconds * 1000,
      network: false,
      signal: ctx.signal,
      maxOutputBytes: SHELL_OUTPUT_BYTES,
    });
    const capped =
      args.timeout_seconds !== undefined && args.timeout_seconds > maxSeconds
        ? ` (asked for ${args.timeout_seconds} s; the limit is ${maxSeconds} s)`
        : "";
    return formatRun(run, seconds, capped);
  },
});

export function formatRun(run: RunResult, timeoutSeconds: number, note = ""): ToolOutcome {
  const status = run.exitCode === null ? "killed" : `exit code ${run.exitCode}`;
  const head = `${status} · ${formatDuration(run.durationMs)}${note}`;
  const body = run.output.trim() === "" ? "(no output)" : run.output.replace(/\s+$/, "");
  const why = killedExplanation(run, timeoutSeconds);
  return {
    isError: run.exitCode !== 0 || run.killed !== undefined,
    output: `${head}\n${body}${why ? `\n\n${why}` : ""}`,
  };
}

/**
 * Why a command did not end well, in words the model can act on: the
 * sandbox's explanation (timeout, output, cancel, memory, processes, the
 * read-only .git) first, then the usual exit codes.
 */
function killedExplanation(run: RunResult, timeoutSeconds: number): string {
  const limits = describeKill(run, { timeoutMs: timeoutSeconds * 1000, maxOutputBytes: SHELL_OUTPUT_BYTES });
  if (limits)
    return `STOPPED: ${limits}`.replace("STOPPED: The command was stopped", "STOPPED: the command was stopped");
  if (run.exitCode === null || run.exitCode === 137) {
    return "The command was killed by a signal (often the memory limit). Run something smaller, or with less parallelism.";
  }
  if (run.exitCode === 127)
    return "Exit code 127: command not found. Check the name, or whether the tool is installed in this sandbox (there is no network to install it).";
  return "";
}
