// `lint`: the repository's lint command (`lint:` of .github/agent.yml), the
// same one the app runs after the tests and reports beside them.
import { z } from "zod";
import { formatDuration } from "../shared/duration.ts";
import { describeKill } from "../workspace/run-limits.ts";
import { defineTool, type ToolOutcome } from "./define.ts";

const LINT_OUTPUT_BYTES = 1024 * 1024;

export const NO_LINT_COMMAND =
  "No lint command is configured for this repository (.github/agent.yml has no `lint:`). " +
  "Follow the style of the code around your change; if the repository has a linter you can run, use `shell`.";

export const lintTool = defineTool({
  name: "lint",
  description:
    "Run the repository's lint command (from .github/agent.yml). The result starts with PASSED/FAILED, then the linter's output. The app runs it again after your `finish` and reports it beside the tests.",
  params: z.object({}),
  async run(_args, ctx): Promise<ToolOutcome> {
    const command = ctx.config.lint;
    if (!command) return { isError: true, output: NO_LINT_COMMAND };
    const seconds = ctx.config.budget.test_timeout_seconds;
    // No secrets: a linter reads the code, it needs none (ARCHITECTURE.md §6).
    const run = await ctx.runner.run({
      command,
      workspace: ctx.workspace,
      timeoutMs: seconds * 1000,
      network: false,
      signal: ctx.signal,
      maxOutputBytes: LINT_OUTPUT_BYTES,
    });
    const passed = run.exitCode === 0 && !run.killed;
    const out = [`$ ${command}  (${formatDuration(run.durationMs)})`];
    if (run.killed === "timeout") out.push(`STOPPED after ${seconds} s (the command time limit).`);
    else if (run.killed === "output") out.push("STOPPED: the linter printed too much output.");
    else if (run.killed === "cancelled") out.push("STOPPED: the job was cancelled.");
    const limit = run.killed
      ? undefined
      : describeKill(run, { timeoutMs: seconds * 1000, maxOutputBytes: LINT_OUTPUT_BYTES });
    if (limit) out.push(limit);
    out.push(
      passed
        ? "PASSED: no lint problems."
        : `FAILED (exit code ${run.exitCode ?? "killed"}). Fix the problems in the files you changed; leave problems elsewhere alone.`,
    );
    if (run.output.trim()) out.push(run.output.trimEnd());
    return { isError: !passed, output: out.join("\n") };
  },
});
